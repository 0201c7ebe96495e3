// Requests to break: each endpoint's own request, with the credentials of the case, and the
// helpers that swap one piece of it for something wrong.
import fc from "fast-check";
import { type Bytes, bytes, type RequestParts, request } from "../../test/raw-http";
import { ENDPOINTS, type Endpoint, type Fixtures, pathOf, type Session } from "./endpoints";

export interface FuzzCase {
  kind: string;
  /** What is wrong with it, in a few words. */
  label: string;
  bytes: Uint8Array;
}

export type Header = [Bytes, Bytes];

// ---- credentials ---------------------------------------------------------------------------

export interface Credentials {
  name: string;
  headers(f: Fixtures, session: Session, endpoint: Endpoint): Header[];
}

export const cookie = (session: Session) => `chatloop_session=${session.token}`;
const sessionCookie = (f: Fixtures, s: Session): Header[] => [
  ["cookie", cookie(s)],
  ["origin", `http://${f.host}`],
];
const bearer = (s: Session): Header[] => [["authorization", `Bearer ${s.token}`]];
/** The browser's pages, which a session cookie opens; the API takes a bearer token. */
const isPage = (e: Endpoint) => e.body?.kind === "form" || /^\/(chat|signin|register|signout|public)\b/.test(e.path);

const CREDENTIALS: Credentials[] = [
  { name: "its own credentials", headers: (f, s, e) => (isPage(e) ? sessionCookie(f, s) : bearer(s)) },
  { name: "no credentials", headers: () => [] },
  { name: "bearer token", headers: (_, s) => bearer(s) },
  { name: "garbage bearer token", headers: () => [["authorization", "Bearer garbage"]] },
  { name: "session cookie", headers: sessionCookie },
  { name: "session cookie without an origin", headers: (_, s) => [["cookie", cookie(s)]] },
  {
    name: "session cookie from a foreign origin",
    headers: (_, s) => [
      ["cookie", cookie(s)],
      ["origin", "http://evil.example"],
    ],
  },
];

export const sessionFor = (endpoint: Endpoint, f: Fixtures) => (endpoint.endsSession ? f.spare : f.alice);

// Mostly credentials that work: a request refused at the door tests only the door.
export const credentials = fc.oneof(...CREDENTIALS.map((c, i) => ({ arbitrary: fc.constant(c), weight: i === 0 ? 6 : 1 })));
export const withoutCredentials = CREDENTIALS[1]!;
export const pick = <T>(values: T[]) => fc.constantFrom(...values);

// ---- building blocks -----------------------------------------------------------------------

export const JSON_TYPE: Header = ["content-type", "application/json"];
export const FORM_TYPE: Header = ["content-type", "application/x-www-form-urlencoded"];

export const jsonEndpoints = ENDPOINTS.filter((e) => e.body?.kind === "json");
export const formEndpoints = ENDPOINTS.filter((e) => e.body?.kind === "form");
export const withIdsInPath = ENDPOINTS.filter((e) => e.path.includes("{"));
export const posts = ENDPOINTS.filter((e) => e.method === "POST");

/** The endpoint's own request: its method, path, body and the given credentials. */
export function validParts(endpoint: Endpoint, credentials: Credentials, f: Fixtures): RequestParts {
  const headers = credentials.headers(f, sessionFor(endpoint, f), endpoint);
  const parts: RequestParts = { method: endpoint.method, target: pathOf(endpoint, f), headers };
  if (endpoint.body?.kind === "json") return { ...parts, headers: [JSON_TYPE, ...headers], body: JSON.stringify(endpoint.body.fields(f)) };
  if (endpoint.body?.kind === "form") return { ...parts, headers: [FORM_TYPE, ...headers], body: new URLSearchParams(endpoint.body.fields(f)).toString() };
  return parts;
}

/** The endpoint's body fields with one value swapped for raw JSON text (or raw bytes). */
export function jsonWith(endpoint: Endpoint, f: Fixtures, field: number, raw: Bytes): Uint8Array {
  const fields = Object.keys(endpoint.body!.fields(f));
  const name = fields[field % fields.length]!;
  const text = JSON.stringify({ ...endpoint.body!.fields(f), [name]: "\u0001" });
  const [before, after] = text.split('"\\u0001"') as [string, string];
  return bytes(before, raw, after);
}

/** The endpoint's form with one value swapped for raw, already-encoded bytes. */
export function formWith(endpoint: Endpoint, f: Fixtures, field: number, raw: Bytes): Uint8Array {
  const fields = Object.entries(endpoint.body!.fields(f) as Record<string, string>);
  const index = field % fields.length;
  return bytes(...fields.flatMap(([name, value], i) => [i ? "&" : "", `${name}=`, i === index ? raw : encodeURIComponent(value)]));
}

/** A case from an endpoint's request, changed by `change`. */
export function changed(kind: string, label: string, f: Fixtures, endpoint: Endpoint, credentials: Credentials, change: (parts: RequestParts) => RequestParts): FuzzCase {
  const parts = change(validParts(endpoint, credentials, f));
  return { kind, label: `${label}, ${credentials.name}`, bytes: request(parts, f.host) };
}

export const latin1 = (value: Bytes) => Buffer.from(bytes(value)).toString("latin1");
export const replaceContentType = (headers: Header[], type: Bytes | undefined): Header[] => [
  ...(type === undefined ? [] : [["content-type", type] as Header]),
  ...headers.filter(([name]) => latin1(name) !== "content-type"),
];

export const hex = (raw: number[]) => raw.map((b) => b.toString(16).toUpperCase().padStart(2, "0")).join(" ");

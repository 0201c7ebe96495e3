// The one way ChatLoop requests a URL that a user chose (bot webhooks, link previews): the host
// is resolved and every address it has must be allowed (src/net/addresses.ts), the request then
// goes to the address that was checked, so that a name that answers differently a moment later
// (DNS rebinding) cannot slip a private address in between; redirects are followed by hand, each
// one checked the same way; one deadline covers the whole exchange, and the body read is capped.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { isPublicAddress } from "./addresses";

export interface GuardedRequest {
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
}

export interface Guard {
  /** Whether a request may go to this address; normally isPublicAddress. */
  addressAllowed(address: string): boolean;
  /** For everything: resolving, connecting, every redirect, and reading the body. */
  timeoutMs: number;
  /** Bodies longer than this are not read: the request fails. */
  maxBytes: number;
}

export interface Fetched {
  status: number;
  headers: Headers;
  body: Uint8Array;
  /** Where it came from, after redirects. */
  url: string;
}

/** Redirects followed at most. */
export const MAX_REDIRECTS = 10;

/** Why a guarded request was not made or not finished: said in the log, never to the caller's user as more than this. */
export class FetchRefused extends Error {}

/** The guard for ChatLoop's own requests: public addresses only, unless the operator allows private ones (tests, a closed network). */
export const addressRule = (allowPrivate: boolean): Guard["addressAllowed"] => (allowPrivate ? () => true : isPublicAddress);

/** Why a user's URL cannot be requested at all (before any address is known), or undefined. */
export function urlProblem(text: string): string | undefined {
  if (!URL.canParse(text)) return "must be a URL";
  const url = new URL(text);
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must be an http or https URL";
  if (url.username || url.password) return "must not carry a user name or password";
  return undefined;
}

export async function guardedFetch(target: string, request: GuardedRequest, guard: Guard): Promise<Fetched> {
  const signal = AbortSignal.timeout(guard.timeoutMs);
  let url = new URL(target);
  let { method = "GET", body } = request;
  for (let redirects = 0; ; redirects++) {
    const problem = urlProblem(url.href);
    if (problem) throw new FetchRefused(`${url.href} ${problem}`);
    const address = await resolveAllowed(url.hostname, guard);
    const response = await fetch(pinned(url, address), {
      method,
      body,
      headers: { ...request.headers, host: url.host },
      redirect: "manual",
      signal,
      // TLS still verifies the certificate for the name, and sends it as SNI.
      tls: { serverName: url.hostname.replace(/^\[|\]$/g, "") },
    });
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      if (redirects === MAX_REDIRECTS) throw new FetchRefused(`more than ${MAX_REDIRECTS} redirects`);
      url = new URL(location, url);
      // As browsers do: a 303, or a 301/302 after a POST, continues as a GET without the body.
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) [method, body] = ["GET", undefined];
      continue;
    }
    return { status: response.status, headers: response.headers, body: await readCapped(response, guard.maxBytes), url: url.href };
  }
}

/** The first address of the host, once every address it has is allowed. */
export async function resolveAllowed(hostname: string, guard: Pick<Guard, "addressAllowed">): Promise<string> {
  const host = hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true }).catch(() => [])).map((found) => found.address);
  if (addresses.length === 0) throw new FetchRefused(`${host} does not resolve`);
  const refused = addresses.find((address) => !guard.addressAllowed(address));
  if (refused) throw new FetchRefused(`${host} resolves to ${refused}, which is not a public address`);
  return addresses[0]!;
}

/** The URL with its host replaced by the checked address; the Host header keeps the name. */
function pinned(url: URL, address: string): string {
  const copy = new URL(url);
  copy.hostname = isIP(address) === 6 ? `[${address}]` : address;
  return copy.href;
}

/** The body, or a failure as soon as it is known to be longer than `maxBytes`. */
async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length"));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new FetchRefused(`the body is ${declared} bytes, more than ${maxBytes}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new FetchRefused(`the body is more than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

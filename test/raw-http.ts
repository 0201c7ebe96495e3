// HTTP/1.1 by hand, over raw TCP, for tests and the fuzzer: to send what fetch would refuse or tidy up
// (bytes that are not UTF-8 in a path, a broken request line, a Content-Length that lies).
import { connect } from "node:net";

/** One part of a request: text goes out as UTF-8, bytes as they are. */
export type Bytes = string | Uint8Array | number[];

export function bytes(...parts: Bytes[]): Uint8Array {
  return Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part, "utf8") : Buffer.from(part))));
}

export interface RequestParts {
  method: Bytes;
  target: Bytes;
  headers: [name: Bytes, value: Bytes][];
  body?: Bytes;
  /** What Content-Length says: the body's length unless given; null sends none. */
  contentLength?: string | null;
  version?: string;
}

/** The request's bytes: Host and Connection: close first, so that the server hangs up once it has answered. */
export function request({ method, target, headers, body, contentLength, version = "HTTP/1.1" }: RequestParts, host: string): Uint8Array {
  const payload = body === undefined ? new Uint8Array() : bytes(body);
  const length = contentLength === undefined ? (body === undefined ? null : String(payload.length)) : contentLength;
  const lines: Bytes[] = [method, " ", target, ` ${version}\r\n`, `host: ${host}\r\nconnection: close\r\n`];
  for (const [name, value] of headers) lines.push(name, ": ", value, "\r\n");
  if (length !== null) lines.push(`content-length: ${length}\r\n`);
  lines.push("\r\n", payload);
  return bytes(...lines);
}

export interface Answer {
  /** The status line's code, or undefined when no answer came. */
  status?: number;
  headers: Map<string, string>;
  /** The start of the body, as Latin-1 text. */
  body: string;
  /** How the exchange ended: answered, or hung up on, or cut off by our timeout. */
  ending: "answered" | "closed" | "reset" | "timeout";
}

/** Sends the bytes on a new connection and reads the answer until the server hangs up, or `timeoutMs` passes. */
export function exchange(port: number, sent: Uint8Array, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    const socket = connect({ host: "127.0.0.1", port });
    const finish = (ending: Answer["ending"]) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parse(Buffer.concat(received), ending));
    };
    const timer = setTimeout(() => finish("timeout"), timeoutMs);
    socket.on("connect", () => socket.write(sent));
    socket.on("data", (chunk: Buffer) => {
      received.push(chunk);
      if (complete(Buffer.concat(received))) finish("answered");
    });
    socket.on("end", () => finish("closed"));
    socket.on("error", () => finish("reset"));
  });
}

const HEAD_END = "\r\n\r\n";
/** An interim answer (100 Continue) that comes before the real one. */
const INTERIM = /^HTTP\/1\.1 1\d\d [^\r]*\r\n\r\n/;
const withoutInterim = (data: Buffer) => Buffer.from(data.toString("latin1").replace(INTERIM, ""), "latin1");

/** A whole answer: its head, and the body its Content-Length or chunked framing promised. */
function complete(received: Buffer): boolean {
  const data = withoutInterim(received);
  const end = data.indexOf(HEAD_END);
  if (end < 0) return false;
  const head = data.subarray(0, end).toString("latin1").toLowerCase();
  const body = data.subarray(end + HEAD_END.length);
  const length = head.match(/\r\ncontent-length:\s*(\d+)/)?.[1];
  if (length !== undefined) return body.length >= Number(length);
  if (/\r\ntransfer-encoding:\s*chunked/.test(head)) return body.includes("0\r\n\r\n");
  return false; // the end of the connection is the end of the body
}

function parse(data: Buffer, ending: Answer["ending"]): Answer {
  const text = withoutInterim(data).toString("latin1");
  const status = text.match(/^HTTP\/\d(?:\.\d)? (\d{3})/)?.[1];
  const end = text.indexOf(HEAD_END);
  const headers = new Map<string, string>();
  for (const line of text
    .slice(0, end < 0 ? text.length : end)
    .split("\r\n")
    .slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const body = end < 0 ? "" : text.slice(end + HEAD_END.length, end + HEAD_END.length + 300);
  return { status: status === undefined ? undefined : Number(status), headers, body, ending: status === undefined ? (ending === "answered" ? "closed" : ending) : "answered" };
}

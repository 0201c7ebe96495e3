// Bodies that Elysia reads as text must be UTF-8: read leniently, bytes that are not would be
// stored as U+FFFD, text the client never sent. A form's %-escapes must decode too: Elysia
// keeps a broken one ("%", "%ED%A0%80", a surrogate) as it came. Checked before Elysia, on
// the bytes, so every route is covered; a browser never sends either, so the answer is JSON.
import { isUtf8 } from "node:buffer";

/** What Elysia reads as text: text/*, JSON ("application/j…") and forms ("application/x…"). */
const TEXT = /^\s*(text\/|application\/[jx])/i;
const FORM = /^\s*application\/x/i;

/** The request, with its body read once; or the 400 that refuses it. */
export async function requireTextBody(request: Request): Promise<Request | Response> {
  const type = request.headers.get("content-type") ?? "";
  if (!request.body || !TEXT.test(type)) return request;
  const body = await request.arrayBuffer();
  if (!isUtf8(body)) return refuse(`the body must be UTF-8 text`);
  if (FORM.test(type) && !escapesDecode(new TextDecoder().decode(body))) return refuse("a %-escape in the form does not decode to UTF-8 text");
  return new Request(request, { body });
}

function escapesDecode(form: string): boolean {
  try {
    decodeURIComponent(form);
    return true;
  } catch {
    return false; // URIError
  }
}

const refuse = (message: string) => Response.json({ code: "invalid_input", message }, { status: 400 });

// The body size limit, answered in the API's words whatever the body's encoding: a declared
// Content-Length is checked before anything is read, a chunked body as it is read.
export async function limitBody(request: Request, limit: number): Promise<Request | Response> {
  const declared = request.headers.get("content-length");
  if (declared !== null) return Number(declared) > limit ? tooLarge(limit) : request;
  if (!request.body) return request;

  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > limit) return tooLarge(limit);
    chunks.push(chunk);
  }
  return new Request(request, { body: Buffer.concat(chunks) });
}

function tooLarge(limit: number): Response {
  return Response.json({ code: "body_too_large", message: `the request body must be at most ${limit} bytes` }, { status: 413 });
}

/** A multipart form's own bytes around the file: its boundaries and part headers. */
const FORM_ENVELOPE_BYTES = 16 * 1024;
// The routes that take a file: POST /rooms/:roomId/uploads, PUT /me/avatar, and the profile page's form.
const UPLOAD = /^\/rooms\/[^/]+\/uploads$/;
const AVATAR_FORM = "/chat/profile/avatar";

/** How large a body `method path` may have: a file upload's route takes a file and its form, every other route MAX_BODY_BYTES. */
export function bodyLimitFor(method: string, path: string, limits: { maxBodyBytes: number; maxUploadBytes: number }): number {
  const upload = (method === "POST" && (UPLOAD.test(path) || path === AVATAR_FORM)) || (method === "PUT" && path === "/me/avatar");
  return upload ? Math.max(limits.maxBodyBytes, uploadBodyLimit(limits.maxUploadBytes)) : limits.maxBodyBytes;
}

const uploadBodyLimit = (maxUploadBytes: number) => maxUploadBytes + FORM_ENVELOPE_BYTES;

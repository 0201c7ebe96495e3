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

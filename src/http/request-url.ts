// Every part of ChatLoop reads `new URL(request.url)`; Bun builds that url from the request line
// and the Host header, whatever they say. A request whose url does not parse is refused here,
// once, rather than throwing wherever it is read next.

/**
 * The request with a url that parses, or undefined. An HTTP/1.0 request without a Host header
 * (a load balancer's probe) comes with a bare path, which is read as one on localhost; a Host
 * that names no host ("[::1", "127.0.0.1:x80") or a CONNECT's bare authority does not parse.
 */
export function withParsableUrl(request: Request): Request | undefined {
  if (request.url.startsWith("/")) {
    const url = URL.parse(`http://localhost${request.url}`);
    return url ? new Request(url, request) : undefined;
  }
  return URL.canParse(request.url) ? request : undefined;
}

/** The answer to a request ChatLoop cannot read at all. */
export function invalidRequest(message: string): Response {
  return Response.json({ code: "invalid_request", message }, { status: 400 });
}

// Content negotiation: HTML or JSON at `/`, the one URL that API clients and browsers share;
// gzip or not for the UI's own answers.

/** True only when the Accept header ranks text/html above JSON: `*\/*` and no header stay JSON. */
export function prefersHtml(accept: string | null): boolean {
  const quality: Record<string, number> = {};
  for (const part of (accept ?? "").split(",")) {
    const [type = "", ...params] = part.split(";").map((s) => s.trim());
    const q = params.find((p) => p.startsWith("q="));
    quality[type.toLowerCase()] = q ? Number(q.slice(2)) || 0 : 1;
  }
  return (quality["text/html"] ?? 0) > (quality["application/json"] ?? 0);
}

export const acceptsGzip = (request: Request) => /\bgzip\b/.test(request.headers.get("accept-encoding") ?? "");

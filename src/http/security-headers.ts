// The security headers every HTTP answer carries unless its route set its own (the UI's
// pages set a full Content-Security-Policy): no MIME sniffing, no framing, no referrer
// leaking to other sites.
const BASELINE: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
};

export function withSecurityHeaders(response: Response): Response {
  for (const [name, value] of Object.entries(BASELINE)) {
    if (!response.headers.has(name)) response.headers.set(name, value);
  }
  return response;
}

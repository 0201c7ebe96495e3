// The address a request came from, for limits per address. Behind a proxy of our own
// (TRUST_PROXY=true) it is the last hop the proxy appended to X-Forwarded-For; anything
// before that hop was written by the client and proves nothing.
const addresses = new WeakMap<Request, string>();

export function rememberAddress(request: Request, peer: string | undefined, trustProxy: boolean): void {
  const forwarded = trustProxy ? request.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim() : undefined;
  addresses.set(request, forwarded || peer || "unknown");
}

export function addressOf(request: Request): string {
  return addresses.get(request) ?? "unknown";
}

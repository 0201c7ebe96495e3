// A subscription is a URL that ChatLoop will POST to whenever its owner is written to, so a
// hostile one could aim those requests inside the network ChatLoop runs in. Push services are
// on the internet and speak https: an endpoint must be https, and not a loopback, private,
// link-local or otherwise local address, nor a name that only a local network resolves.
// Addresses are judged by the rules every request of ChatLoop's follows (src/net/addresses.ts).
// Names are not resolved (a name can change what it points to after any check, and web-push
// makes its own connection): what is left is a blind POST of encrypted noise whose answer is
// never shown.
import { isPublicAddress } from "../net/addresses";

/** Why ChatLoop will not push to this endpoint, or undefined when it will. */
export function endpointProblem(endpoint: string, allowPrivate: boolean): string | undefined {
  if (!URL.canParse(endpoint)) return "endpoint must be a URL";
  const url = new URL(endpoint);
  if (url.username || url.password) return "endpoint must not carry a user name or password";
  const schemes = allowPrivate ? ["https:", "http:"] : ["https:"];
  if (!schemes.includes(url.protocol)) return "endpoint must be an https URL";
  if (!allowPrivate && isLocalHost(url.hostname)) return "endpoint must be a push service on the internet, not a local or private address";
  return undefined;
}

/** The URL parser has already written IPv4 in dotted decimal and IPv6 in bracketed hex. */
function isLocalHost(hostname: string): boolean {
  const host = hostname.replace(/\.$/, "");
  if (host.startsWith("[") || /^\d+\.\d+\.\d+\.\d+$/.test(host)) return !isPublicAddress(host);
  return host === "localhost" || host.endsWith(".localhost") || !host.includes(".");
}

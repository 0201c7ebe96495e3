// A subscription is a URL that ChatLoop will POST to whenever its owner is written to, so a
// hostile one could aim those requests inside the network ChatLoop runs in. Push services are
// on the internet and speak https: an endpoint must be https, and not a loopback, private,
// link-local or otherwise local address, nor a name that only a local network resolves.
// Names are not resolved (a name can change what it points to after any check): what is left
// is a blind POST of encrypted noise whose answer is never shown.

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
  if (host.startsWith("[")) return isLocalIPv6(host.slice(1, -1));
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return isLocalIPv4(host.split(".").map(Number));
  return host === "localhost" || host.endsWith(".localhost") || !host.includes(".");
}

/** Not on the public internet: "this network", private, shared (CGNAT), loopback, link-local, benchmarking, multicast, reserved. */
const LOCAL_IPV4: [first: number[], bits: number][] = [
  [[0], 8], [[10], 8], [[100, 64], 10], [[127], 8], [[169, 254], 16], [[172, 16], 12],
  [[192, 0, 0], 24], [[192, 168], 16], [[198, 18], 15], [[224], 4], [[240], 4],
];

function isLocalIPv4(octets: number[]): boolean {
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  return LOCAL_IPV4.some(([first, bits]) => {
    const base = [...first, 0, 0, 0].slice(0, 4).reduce((sum, octet) => sum * 256 + octet, 0);
    const size = 2 ** (32 - bits);
    return address >= base && address < base + size;
  });
}

function isLocalIPv6(text: string): boolean {
  const groups = expandIPv6(text);
  const [a, b] = groups;
  const embeddedIPv4 = (from: number) => [groups[from]! >> 8, groups[from]! & 255, groups[from + 1]! >> 8, groups[from + 1]! & 255];
  if (groups.slice(0, 6).every((group) => group === 0)) return true; // ::, ::1 and the old IPv4-compatible form
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) return isLocalIPv4(embeddedIPv4(6)); // IPv4-mapped
  if (a === 0x64 && b === 0xff9b) return isLocalIPv4(embeddedIPv4(6)); // NAT64
  if (a === 0x2002) return isLocalIPv4(embeddedIPv4(1)); // 6to4
  return (a! & 0xfe00) === 0xfc00 || (a! & 0xffc0) === 0xfe80 || (a! & 0xff00) === 0xff00; // unique local, link-local, multicast
}

/** "fe80::1" -> eight 16-bit numbers. */
function expandIPv6(text: string): number[] {
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const parse = (part: string | undefined) => (part ? part.split(":").map((group) => parseInt(group, 16)) : []);
  const front = parse(head);
  const back = parse(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

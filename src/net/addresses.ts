// Which IP addresses are on the public internet. ChatLoop makes requests to addresses that
// users choose (bot webhooks, link previews, push endpoints); without this rule a user could aim
// them at the server itself or the network it runs in (SSRF): a database's HTTP port, a cloud's
// metadata service at 169.254.169.254, an admin page on localhost.
import { isIP } from "node:net";

/** Not on the public internet: this network, private, shared (CGNAT), loopback, link-local, the IETF's, documentation, 6to4 relays, benchmarking, multicast, reserved and broadcast. */
const LOCAL_IPV4: [base: string, bits: number][] = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
];

/** True for an address (IPv4 or IPv6, as text) that a request from ChatLoop may go to. */
export function isPublicAddress(address: string): boolean {
  const plain = address.replace(/^\[|\]$/g, "").replace(/%.*$/, ""); // brackets of a URL, an IPv6 zone
  switch (isIP(plain)) {
    case 4:
      return isPublicIPv4(ipv4Number(plain));
    case 6:
      return isPublicIPv6(ipv6Groups(plain));
    default:
      return false;
  }
}

const ipv4Number = (text: string) => text.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);

function isPublicIPv4(address: number): boolean {
  return !LOCAL_IPV4.some(([base, bits]) => {
    const start = ipv4Number(base);
    return address >= start && address < start + 2 ** (32 - bits);
  });
}

/**
 * Every IPv6 form that reaches IPv4 (IPv4-mapped ::ffff:a.b.c.d, the old IPv4-compatible
 * ::a.b.c.d, NAT64's 64:ff9b::/96 and its local 64:ff9b:1::/48, 6to4, Teredo) is refused
 * outright rather than judged by the IPv4 address inside: a translator on the server's own
 * network would take it there, and no webhook needs them.
 */
function isPublicIPv6(groups: number[]): boolean {
  const [a, b] = groups as [number, number];
  if (groups.slice(0, 6).every((group) => group === 0)) return false; // ::, ::1, IPv4-compatible
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) return false; // IPv4-mapped
  if (groups.slice(0, 4).every((group) => group === 0) && groups[4] === 0xffff && groups[5] === 0) return false; // IPv4-translated (SIIT)
  if (a === 0x64 && b === 0xff9b) return false; // NAT64: 64:ff9b::/96, and the local-use 64:ff9b:1::/48 inside 64:ff9b::/32
  if (a === 0x0100 && groups.slice(1, 4).every((group) => group === 0)) return false; // discard-only 100::/64
  if (a === 0x2001 && (b < 0x0200 || b === 0x0db8)) return false; // IETF protocol assignments (Teredo among them), documentation
  if (a === 0x2002) return false; // 6to4
  if ((a & 0xfe00) === 0xfc00) return false; // unique local fc00::/7
  if ((a & 0xffc0) === 0xfe80 || (a & 0xffc0) === 0xfec0) return false; // link-local, the old site-local
  if ((a & 0xff00) === 0xff00) return false; // multicast
  return true;
}

/** "fe80::1" or "::ffff:1.2.3.4" -> eight 16-bit numbers (the text is a valid IPv6 address). */
function ipv6Groups(text: string): number[] {
  const dotted = text.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const v4 = ipv4Number(dotted[2]!);
    text = `${dotted[1]}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const parse = (part: string | undefined) => (part ? part.split(":").map((group) => parseInt(group, 16)) : []);
  const front = parse(head);
  const back = parse(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

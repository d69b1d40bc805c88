import { isIP } from "node:net";

/**
 * Which IP addresses an owner's URL may make the server connect to: only public unicast ones.
 * Everything that reaches the server itself, its private network or a cloud's metadata service
 * is refused (Alibaba's is 100.100.100.200, in the shared 100.64/10; most others 169.254.169.254).
 * Webhooks reuse this check; guarded-fetch.ts applies it to every address a name resolves to.
 */

type Range = readonly [base: number, prefix: number, reason: string];

const ip4 = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

// IANA's special-purpose registry, minus nothing: none of these is a public web server.
const REFUSED_V4: readonly Range[] = [
  [ip4(0, 0, 0, 0), 8, "this network (0/8)"],
  [ip4(10, 0, 0, 0), 8, "private (10/8)"],
  [ip4(100, 64, 0, 0), 10, "shared address space (100.64/10, Alibaba Cloud metadata)"],
  [ip4(127, 0, 0, 0), 8, "loopback"],
  [ip4(169, 254, 0, 0), 16, "link-local (169.254/16, cloud metadata)"],
  [ip4(172, 16, 0, 0), 12, "private (172.16/12)"],
  [ip4(192, 0, 0, 0), 24, "IETF protocol assignments (192.0.0/24)"],
  [ip4(192, 0, 2, 0), 24, "documentation (192.0.2/24)"],
  [ip4(192, 88, 99, 0), 24, "6to4 relay anycast (192.88.99/24)"],
  [ip4(192, 168, 0, 0), 16, "private (192.168/16)"],
  [ip4(198, 18, 0, 0), 15, "benchmarking (198.18/15)"],
  [ip4(198, 51, 100, 0), 24, "documentation (198.51.100/24)"],
  [ip4(203, 0, 113, 0), 24, "documentation (203.0.113/24)"],
  [ip4(224, 0, 0, 0), 4, "multicast (224/4)"],
  [ip4(240, 0, 0, 0), 4, "reserved or broadcast (240/4)"],
];

function parseV4(address: string): number | null {
  const parts = address.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return ip4(Number(parts[0]), Number(parts[1]), Number(parts[2]), Number(parts[3]));
}

function v4Refusal(value: number): string | null {
  for (const [base, prefix, reason] of REFUSED_V4) {
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    if ((value & mask) >>> 0 === base) return reason;
  }
  return null;
}

/** The 16 bytes of an IPv6 address (a zone such as %eth0 dropped), or null when it is not one. */
export function parseV6(address: string): Uint8Array | null {
  let text = address.replace(/%.*$/, "");
  if (isIP(text) !== 6) return null;
  // A trailing dotted quad (::ffff:127.0.0.1) becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = parseV4(dotted[1]);
    if (v4 === null) return null;
    text = `${text.slice(0, dotted.index)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, null];
  const groups = (s: string) => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = tail === null ? [] : groups(tail);
  const all = tail === null ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  if (all.length !== 8) return null;
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) => prefix.every((b, i) => bytes[i] === b);
const zeros = (bytes: Uint8Array, from: number, to: number) => bytes.subarray(from, to).every((b) => b === 0);
const v4At = (bytes: Uint8Array, at: number) => ip4(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);

function v6Refusal(bytes: Uint8Array): string | null {
  if (zeros(bytes, 0, 16)) return "unspecified (::)";
  if (zeros(bytes, 0, 15) && bytes[15] === 1) return "loopback (::1)";
  // Forms that carry an IPv4 address: the v4 inside decides, since the packet ends up there.
  const embedded = (v4: number, form: string) => {
    const reason = v4Refusal(v4);
    return reason ? `${form} of ${reason}` : null;
  };
  if (zeros(bytes, 0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return embedded(v4At(bytes, 12), "IPv4-mapped");
  if (zeros(bytes, 0, 12)) return embedded(v4At(bytes, 12), "IPv4-compatible");
  // NAT64's well-known prefix 64:ff9b::/96 translates to the v4 in its last 32 bits.
  if (startsWith(bytes, [0x00, 0x64, 0xff, 0x9b]) && zeros(bytes, 4, 12)) return embedded(v4At(bytes, 12), "NAT64");
  if (startsWith(bytes, [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01])) return "local-use NAT64 (64:ff9b:1::/48)";
  // 6to4 (2002::/16) carries its v4 in bytes 2..5.
  if (startsWith(bytes, [0x20, 0x02])) return embedded(v4At(bytes, 2), "6to4");
  // Teredo hides (xors) its server and client addresses; nobody serves a website from one.
  if (startsWith(bytes, [0x20, 0x01, 0x00, 0x00])) return "Teredo (2001::/32)";
  if (startsWith(bytes, [0x20, 0x01, 0x0d, 0xb8])) return "documentation (2001:db8::/32)";
  if ((bytes[0] & 0xfe) === 0xfc) return "unique local (fc00::/7)";
  if (bytes[0] === 0xfe && (bytes[1] & 0xc0) === 0x80) return "link-local (fe80::/10)";
  if (bytes[0] === 0xfe && (bytes[1] & 0xc0) === 0xc0) return "site-local (fec0::/10)";
  if (bytes[0] === 0xff) return "multicast (ff00::/8)";
  if (startsWith(bytes, [0x01, 0x00]) && zeros(bytes, 2, 8)) return "discard-only (100::/64)";
  return null;
}

/**
 * Why the server must not connect to `address`, or null when it is a public unicast address.
 * Anything that is not an IP address is refused too: callers pass what DNS answered.
 */
export function addressRefusal(address: string): string | null {
  const v4 = parseV4(address);
  if (v4 !== null) return v4Refusal(v4);
  const v6 = parseV6(address);
  if (v6) return v6Refusal(v6);
  return "not an IP address";
}

export function isPublicAddress(address: string): boolean {
  return addressRefusal(address) === null;
}

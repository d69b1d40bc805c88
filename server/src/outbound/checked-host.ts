import { lookup } from "node:dns/promises";
import type { LookupAddress, LookupOptions } from "node:dns";
import { isIP } from "node:net";
import { addressRefusal } from "./address-policy.js";
import { OutboundError } from "./outbound-error.js";

/** Answers what a name resolves to; dns.lookup (the system resolver) unless a caller passes its own. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/**
 * The URL an owner typed, if the server may ever fetch it: http(s) only, no user:password@ (it
 * would be sent to whoever the host is, and stored with the source). Any port is allowed: the
 * address check, not the port, is what keeps the server's neighbours out of reach.
 */
export function parseOutboundUrl(input: string | URL): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new OutboundError("url_invalid", "This is not a valid URL.", String(input).slice(0, 200));
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new OutboundError("url_scheme", "Only http:// and https:// URLs can be fetched.", url.href);
  }
  if (url.username || url.password) {
    throw new OutboundError("url_credentials", "A URL with a user name or password cannot be fetched.", url.href);
  }
  if (!url.hostname) throw new OutboundError("url_invalid", "This URL names no host.", url.href);
  return url;
}

/** host:port as FETCH_ALLOW_HOSTS spells it: lower case, the scheme's default port written out. */
export function hostPort(url: URL): string {
  return `${url.hostname.toLowerCase()}:${url.port || (url.protocol === "https:" ? "443" : "80")}`;
}

/** url.hostname keeps an IPv6 literal's brackets; sockets and the address check want it bare. */
export function bareHostname(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

/**
 * The addresses the server may connect to for `url`'s host, every one checked: a name that
 * resolves to one public and one private address is refused, since which one a connection picks
 * is not ours to choose. Allowed host:port pairs skip the check (an intranet wiki, tests).
 */
export async function checkedAddresses(
  url: URL,
  options: { allowHosts?: readonly string[]; resolve?: Resolver },
): Promise<LookupAddress[]> {
  const host = bareHostname(url);
  const family = isIP(host);
  let addresses: LookupAddress[];
  if (family) {
    addresses = [{ address: host, family }];
  } else {
    try {
      addresses = await (options.resolve ?? systemResolver)(host);
    } catch {
      throw new OutboundError("dns_failed", `The name ${host} could not be resolved.`, url.href);
    }
    if (addresses.length === 0) throw new OutboundError("dns_failed", `The name ${host} has no address.`, url.href);
  }
  if (options.allowHosts?.includes(hostPort(url))) return addresses;
  for (const { address } of addresses) {
    const reason = addressRefusal(address);
    if (reason) {
      throw new OutboundError("address_refused", `${host} leads to an address the server does not fetch from: ${reason}.`, url.href);
    }
  }
  return addresses;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node:http(s) that answers only the addresses already checked, whatever name it is
 * asked: the connection cannot be steered elsewhere by a second DNS answer (rebinding). The
 * request keeps the name for its Host header and TLS (SNI and the certificate check).
 */
export function pinnedLookup(addresses: readonly LookupAddress[]) {
  return (_hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    // Node 20's family autoselection asks for all addresses; a plain connect asks for one.
    if (options.all)
      callback(
        null,
        addresses.map((a) => ({ ...a })),
      );
    else callback(null, addresses[0].address, addresses[0].family);
  };
}

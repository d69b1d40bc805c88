import type { LookupAddress } from "node:dns";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addressRefusal } from "../src/outbound/address-policy.js";
import { pinnedLookup } from "../src/outbound/checked-host.js";
import { type GuardedFetchOptions, guardedFetch } from "../src/outbound/guarded-fetch.js";
import { OutboundError } from "../src/outbound/outbound-error.js";
import { botUserAgent } from "../src/outbound/user-agent.js";
import { type LocalSite, startLocalSite } from "./support/local-site.js";

const UA = botUserAgent("https://chat.example.com");
const HTML = ["text/html"];

/** The code guardedFetch threw; fails the test when it answered instead. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(OutboundError);
    return (err as OutboundError).code;
  }
  throw new Error("the fetch was expected to fail");
}

describe("address policy: only public unicast addresses", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "shared"],
    ["100.100.100.200", "Alibaba"],
    ["169.254.169.254", "link-local"],
    ["0.0.0.0", "this network"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["240.0.0.1", "reserved"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fd00::1", "unique local"],
    ["fc12:3456::1", "unique local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.1", "IPv4-mapped of loopback"],
    ["::ffff:7f00:1", "IPv4-mapped of loopback"],
    ["::ffff:169.254.169.254", "IPv4-mapped of link-local"],
    ["::127.0.0.1", "IPv4-compatible of loopback"],
    ["::6464:64c8", "IPv4-compatible of shared"],
    ["64:ff9b::a9fe:a9fe", "NAT64 of link-local"],
    ["64:ff9b::100.100.100.200", "NAT64 of shared"],
    ["64:ff9b:1::1", "local-use NAT64"],
    ["2002:c0a8:0101::1", "6to4 of private"],
    ["2001:db8::1", "documentation"],
    ["metadata.internal", "not an IP address"],
  ])("%s is refused (%s)", (address, reason) => {
    expect(addressRefusal(address)).toContain(reason);
  });

  it.each(["8.8.8.8", "1.1.1.1", "47.88.1.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"])(
    "%s is public",
    (address) => {
      expect(addressRefusal(address)).toBeNull();
    },
  );
});

describe("pinnedLookup: a connection goes to the checked address whatever name it asks for", () => {
  const checked: LookupAddress[] = [{ address: "203.0.113.7", family: 4 }];
  it("answers one address or all, never a new resolution", () => {
    const one: unknown[] = [];
    pinnedLookup(checked)("rebound.example", {}, (...args) => one.push(...args));
    expect(one).toEqual([null, "203.0.113.7", 4]);
    const all: unknown[] = [];
    pinnedLookup(checked)("anything.else", { all: true }, (...args) => all.push(...args));
    expect(all).toEqual([null, [{ address: "203.0.113.7", family: 4 }]]);
  });
});

describe("guardedFetch against real local servers", () => {
  let site: LocalSite;
  let other: LocalSite;
  let allowed: GuardedFetchOptions;

  beforeAll(async () => {
    other = await startLocalSite((_req, res) => res.end("internal secret"));
    site = await startLocalSite((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      const to = url.searchParams.get("to");
      switch (url.pathname) {
        case "/page":
          res.setHeader("content-type", "text/html; charset=GBK");
          return res.end("<p>hello</p>");
        case "/redirect":
          res.statusCode = 302;
          res.setHeader("location", to ?? "/page");
          return res.end();
        case "/loop":
          res.statusCode = 301;
          res.setHeader("location", "/loop");
          return res.end();
        case "/big":
          res.setHeader("content-type", "text/html");
          res.setHeader("content-length", String(100_000));
          return res.end("x".repeat(100_000));
        case "/big-chunked":
          res.setHeader("content-type", "text/html");
          for (let i = 0; i < 100; i++) res.write("y".repeat(1000));
          return res.end();
        case "/bomb":
          res.setHeader("content-type", "text/html");
          res.setHeader("content-encoding", "gzip");
          return res.end(gzipSync(Buffer.alloc(10_000_000)));
        case "/gzip":
          res.setHeader("content-type", "text/html");
          res.setHeader("content-encoding", "gzip");
          return res.end(gzipSync("<p>compressed</p>"));
        case "/silent":
          return; // never answers
        case "/stall-body":
          res.setHeader("content-type", "text/html");
          res.write("<p>start");
          return; // the rest never comes
        case "/image":
          res.setHeader("content-type", "image/png");
          return res.end(Buffer.from([0x89, 0x50]));
        case "/missing":
          res.statusCode = 404;
          return res.end("not here");
        default:
          res.statusCode = 500;
          return res.end();
      }
    });
    allowed = { userAgent: UA, mediaTypes: HTML, allowHosts: [site.hostPort] };
  });
  afterAll(async () => {
    await site.close();
    await other.close();
  });

  it("refuses loopback when the host is not allowed, without connecting", async () => {
    const before = site.requests.length;
    expect(await codeOf(guardedFetch(`${site.origin}/page`, { userAgent: UA, mediaTypes: HTML }))).toBe("address_refused");
    expect(site.requests.length).toBe(before);
  });

  it("fetches an allowed host: final URL, status, media type, charset, bytes and our user agent", async () => {
    const got = await guardedFetch(`${site.origin}/redirect?to=/page`, allowed);
    expect(got).toMatchObject({ url: `${site.origin}/page`, status: 200, mediaType: "text/html", charset: "gbk" });
    expect(Buffer.from(got.bytes).toString()).toBe("<p>hello</p>");
    expect(site.requests.at(-1)?.userAgent).toBe("BailianChatBot/1.0 (+https://chat.example.com)");
  });

  it("decodes gzip", async () => {
    const got = await guardedFetch(`${site.origin}/gzip`, allowed);
    expect(Buffer.from(got.bytes).toString()).toBe("<p>compressed</p>");
  });

  it("refuses a redirect from an allowed host to another local port", async () => {
    const code = await codeOf(guardedFetch(`${site.origin}/redirect?to=${encodeURIComponent(`${other.origin}/`)}`, allowed));
    expect(code).toBe("address_refused");
    expect(other.requests).toEqual([]);
  });

  it.each(["http://169.254.169.254/latest/meta-data/", "http://100.100.100.200/latest/meta-data/", "http://[::ffff:a9fe:a9fe]/"])(
    "refuses a redirect to the metadata address %s",
    async (target) => {
      expect(await codeOf(guardedFetch(`${site.origin}/redirect?to=${encodeURIComponent(target)}`, allowed))).toBe("address_refused");
    },
  );

  it("refuses a redirect to another scheme", async () => {
    expect(await codeOf(guardedFetch(`${site.origin}/redirect?to=${encodeURIComponent("file:///etc/passwd")}`, allowed))).toBe(
      "url_scheme",
    );
  });

  it("refuses localhost and loopback literals", async () => {
    const opts = { userAgent: UA, mediaTypes: HTML };
    expect(await codeOf(guardedFetch(`http://localhost:${site.port}/page`, opts))).toBe("address_refused");
    expect(await codeOf(guardedFetch(`http://[::1]:${site.port}/page`, opts))).toBe("address_refused");
    expect(await codeOf(guardedFetch(`http://[::ffff:127.0.0.1]:${site.port}/page`, opts))).toBe("address_refused");
    // The WHATWG parser reads these as 127.0.0.1; the check sees what the socket would.
    expect(await codeOf(guardedFetch(`http://0x7f.1:${site.port}/page`, opts))).toBe("address_refused");
    expect(await codeOf(guardedFetch(`http://2130706433:${site.port}/page`, opts))).toBe("address_refused");
    expect(site.requests.filter((r) => r.path === "/page" && r.host !== site.hostPort)).toEqual([]);
  });

  it("refuses other schemes, credentials and non-URLs", async () => {
    expect(await codeOf(guardedFetch("file:///etc/passwd", allowed))).toBe("url_scheme");
    expect(await codeOf(guardedFetch("ftp://example.com/", allowed))).toBe("url_scheme");
    expect(await codeOf(guardedFetch("javascript:alert(1)", allowed))).toBe("url_scheme");
    expect(await codeOf(guardedFetch(`http://user:pw@${site.hostPort}/page`, allowed))).toBe("url_credentials");
    expect(await codeOf(guardedFetch("not a url", allowed))).toBe("url_invalid");
  });

  it("stops at the size cap, whether the length is announced, chunked or compressed", async () => {
    const small = { ...allowed, maxBytes: 10_000 };
    expect(await codeOf(guardedFetch(`${site.origin}/big`, small))).toBe("too_large");
    expect(await codeOf(guardedFetch(`${site.origin}/big-chunked`, small))).toBe("too_large");
    expect(await codeOf(guardedFetch(`${site.origin}/bomb`, small))).toBe("too_large");
  });

  it("stops at the time cap when a server never answers or stalls mid-body", async () => {
    expect(await codeOf(guardedFetch(`${site.origin}/silent`, { ...allowed, timeoutMs: 300 }))).toBe("timeout");
    expect(await codeOf(guardedFetch(`${site.origin}/stall-body`, { ...allowed, timeoutMs: 300 }))).toBe("timeout");
  });

  it("stops when the caller cancels", async () => {
    const controller = new AbortController();
    const pending = guardedFetch(`${site.origin}/silent`, { ...allowed, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await codeOf(pending)).toBe("aborted");
  });

  it("refuses a media type the caller did not ask for, and accepts a family", async () => {
    expect(await codeOf(guardedFetch(`${site.origin}/image`, allowed))).toBe("media_type_refused");
    const got = await guardedFetch(`${site.origin}/image`, { ...allowed, mediaTypes: ["image/*"] });
    expect(got.mediaType).toBe("image/png");
  });

  it("counts redirects", async () => {
    const before = site.requests.length;
    expect(await codeOf(guardedFetch(`${site.origin}/loop`, { ...allowed, maxRedirects: 3 }))).toBe("too_many_redirects");
    expect(site.requests.length - before).toBe(4);
  });

  it("reports an error status with the status", async () => {
    const err = await guardedFetch(`${site.origin}/missing`, allowed).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "http_error", status: 404 });
  });

  it("connects to the address it checked, keeping the name for Host (a name no system DNS knows)", async () => {
    const asked: string[] = [];
    const name = "docs.intranet.test";
    const got = await guardedFetch(`http://${name}:${site.port}/page`, {
      ...allowed,
      allowHosts: [`${name}:${site.port}`],
      resolve: async (host) => {
        asked.push(host);
        return [{ address: "127.0.0.1", family: 4 }];
      },
    });
    expect(got.status).toBe(200);
    expect(asked).toEqual([name]);
    expect(site.requests.at(-1)?.host).toBe(`${name}:${site.port}`);
  });

  it("refuses a name when any of its addresses is private", async () => {
    const resolve = async () => [
      { address: "8.8.8.8", family: 4 },
      { address: "10.0.0.5", family: 4 },
    ];
    expect(await codeOf(guardedFetch("https://mixed.example/", { userAgent: UA, mediaTypes: HTML, resolve }))).toBe("address_refused");
  });

  it("stops at the time cap while the name is still resolving", async () => {
    const resolve = () => new Promise<LookupAddress[]>(() => {});
    expect(await codeOf(guardedFetch("https://slow-dns.example/", { userAgent: UA, mediaTypes: HTML, resolve, timeoutMs: 100 }))).toBe(
      "timeout",
    );
  });

  it("reports a name that does not resolve", async () => {
    const resolve = () => Promise.reject(Object.assign(new Error("nope"), { code: "ENOTFOUND" }));
    expect(await codeOf(guardedFetch("https://nowhere.example/", { userAgent: UA, mediaTypes: HTML, resolve }))).toBe("dns_failed");
  });
});

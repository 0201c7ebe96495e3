// The guarded fetcher and its address rules: what ChatLoop may request when a user picks the URL.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { isPublicAddress } from "../src/net/addresses";
import { addressRule, FetchRefused, type Guard, guardedFetch, MAX_REDIRECTS, urlProblem } from "../src/net/guarded-fetch";

describe("public addresses", () => {
  test.each([
    "0.0.0.0",
    "0.1.2.3",
    "10.0.0.1",
    "10.255.255.255",
    "100.64.0.1",
    "100.127.255.255",
    "127.0.0.1",
    "127.255.0.9",
    "169.254.169.254",
    "172.16.0.1",
    "172.31.255.255",
    "192.0.0.8",
    "192.0.2.1",
    "192.88.99.1",
    "192.168.1.1",
    "198.18.0.1",
    "198.19.255.255",
    "198.51.100.7",
    "203.0.113.9",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
  ])("IPv4 %s is not public", (address) => expect(isPublicAddress(address)).toBe(false));

  test.each([
    "1.1.1.1",
    "8.8.8.8",
    "9.255.255.255",
    "11.0.0.0",
    "100.63.255.255",
    "100.128.0.0",
    "126.255.255.255",
    "128.0.0.0",
    "169.253.0.1",
    "172.15.255.255",
    "172.32.0.0",
    "192.167.1.1",
    "198.20.0.0",
    "223.255.255.255",
  ])("IPv4 %s is public", (address) => expect(isPublicAddress(address)).toBe(true));

  test.each([
    "::",
    "::1",
    "0:0:0:0:0:0:0:1",
    "[::1]",
    "::127.0.0.1", // unspecified, loopback, IPv4-compatible
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:8.8.8.8",
    "::FFFF:10.0.0.1",
    "0:0:0:0:0:ffff:a9fe:a9fe", // IPv4-mapped, even of a public address
    "::ffff:0:8.8.8.8", // IPv4-translated
    "64:ff9b::7f00:1",
    "64:ff9b::8.8.8.8",
    "64:ff9b:1::1", // NAT64
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "fe80::1%eth0",
    "febf::1",
    "fec0::1",
    "ff02::1",
    "ff05::2", // unique local, link-local, site-local, multicast
    "2002:7f00:1::1",
    "2001::1",
    "2001:db8::1",
    "100::1", // 6to4, Teredo, documentation, discard
  ])("IPv6 %s is not public", (address) => expect(isPublicAddress(address)).toBe(false));

  test.each(["2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450:4001:80b::200e", "[2606:4700::1]"])("IPv6 %s is public", (address) =>
    expect(isPublicAddress(address)).toBe(true),
  );

  test.each(["", "localhost", "example.com", "1.2.3", "::g", "1.2.3.4.5"])("%p is not an address, so not public", (text) => expect(isPublicAddress(text)).toBe(false));
});

describe("URLs", () => {
  test.each([
    ["ftp://example.com/", "must be an http or https URL"],
    ["file:///etc/passwd", "must be an http or https URL"],
    ["javascript:alert(1)", "must be an http or https URL"],
    ["https://user:secret@example.com/", "must not carry a user name or password"],
    ["not a url", "must be a URL"],
  ])("%s is refused", (url, problem) => expect(urlProblem(url)).toBe(problem));
  test("http and https are fine", () => {
    expect(urlProblem("https://example.com/hook")).toBeUndefined();
    expect(urlProblem("http://example.com:8080/hook?x=1")).toBeUndefined();
  });
});

describe("requests", () => {
  const seen: { host: string | null; method: string; body: string; path: string }[] = [];
  let site: ReturnType<typeof Bun.serve>;
  let other: ReturnType<typeof Bun.serve>;
  const base = () => `http://127.0.0.1:${site.port}`;
  const loose: Guard = { addressAllowed: addressRule(true), timeoutMs: 5000, maxBytes: 1000 };

  beforeAll(() => {
    site = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(request) {
        const url = new URL(request.url);
        seen.push({ host: request.headers.get("host"), method: request.method, body: await request.text(), path: url.pathname });
        const hops = Number(url.searchParams.get("hops") ?? 0);
        if (url.pathname === "/redirect") return hops > 0 ? Response.redirect(`/redirect?hops=${hops - 1}`, 302) : new Response("arrived");
        if (url.pathname === "/see-other") return new Response(null, { status: 303, headers: { location: "/landing" } });
        if (url.pathname === "/elsewhere") return Response.redirect(`http://127.0.0.2:${other.port}/`, 302);
        if (url.pathname === "/big") return new Response("x".repeat(1001));
        if (url.pathname === "/big-unannounced") return new Response(new ReadableStream({ pull: (c) => (c.enqueue(new TextEncoder().encode("y".repeat(600))), undefined) }));
        return new Response(`hello from ${url.pathname}`);
      },
    });
    // On another loopback address: the rule below allows 127.0.0.1 only.
    other = Bun.serve({ hostname: "127.0.0.2", port: 0, fetch: () => new Response("should never be asked") });
  });
  afterAll(() => {
    site.stop(true);
    other.stop(true);
  });

  test("a loopback address is refused unless private addresses are allowed", async () => {
    const strict: Guard = { ...loose, addressAllowed: addressRule(false) };
    await expect(guardedFetch(`${base()}/`, {}, strict)).rejects.toBeInstanceOf(FetchRefused);
    await expect(guardedFetch(`http://localhost:${site.port}/`, {}, strict)).rejects.toThrow(/not a public address/);
    await expect(guardedFetch(`http://[::ffff:127.0.0.1]:${site.port}/`, {}, strict)).rejects.toThrow(/not a public address/);
    const fetched = await guardedFetch(`${base()}/hi`, {}, loose);
    expect({ status: fetched.status, body: new TextDecoder().decode(fetched.body) }).toEqual({ status: 200, body: "hello from /hi" });
  });

  test("a name is resolved and the checked address asked, with the name as Host", async () => {
    seen.length = 0;
    const loopback: Guard = { ...loose, addressAllowed: (address) => address === "127.0.0.1" || address === "::1" };
    const fetched = await guardedFetch(`http://localhost:${site.port}/named`, {}, loopback);
    expect(new TextDecoder().decode(fetched.body)).toBe("hello from /named");
    expect(seen.at(-1)!.host).toBe(`localhost:${site.port}`);
  });

  test("redirects are followed, each checked again, at most ten", async () => {
    const fetched = await guardedFetch(`${base()}/redirect?hops=${MAX_REDIRECTS}`, {}, loose);
    expect(new TextDecoder().decode(fetched.body)).toBe("arrived");
    await expect(guardedFetch(`${base()}/redirect?hops=${MAX_REDIRECTS + 1}`, {}, loose)).rejects.toThrow(/more than 10 redirects/);
    const onlyFirst: Guard = { ...loose, addressAllowed: (address) => address === "127.0.0.1" };
    await expect(guardedFetch(`${base()}/elsewhere`, {}, onlyFirst)).rejects.toThrow(/127\.0\.0\.2, which is not a public address/);
  });

  test("a POST answered 303 goes on as a GET without its body", async () => {
    seen.length = 0;
    await guardedFetch(`${base()}/see-other`, { method: "POST", body: "payload" }, loose);
    expect(seen.map(({ method, body, path }) => ({ method, body, path }))).toEqual([
      { method: "POST", body: "payload", path: "/see-other" },
      { method: "GET", body: "", path: "/landing" },
    ]);
  });

  test("a body over the cap is not read, announced or not", async () => {
    await expect(guardedFetch(`${base()}/big`, {}, loose)).rejects.toThrow(/1001 bytes, more than 1000/);
    await expect(guardedFetch(`${base()}/big-unannounced`, {}, loose)).rejects.toThrow(/more than 1000 bytes/);
  });

  test("a server that does not answer in time fails the request", async () => {
    const silent = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Promise<Response>(() => {}) });
    try {
      await expect(guardedFetch(`http://127.0.0.1:${silent.port}/`, {}, { ...loose, timeoutMs: 100 })).rejects.toThrow();
    } finally {
      silent.stop(true);
    }
  });
});

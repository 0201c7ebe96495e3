// Requests whose framing is wrong: odd methods, long URLs, ids in any script, huge and broken
// headers, a Content-Length that lies, request lines Bun's parser cannot read, and valid
// requests with a few bytes changed.
import fc from "fast-check";
import { bytes, type RequestParts, request } from "../../test/raw-http";
import { ENDPOINTS, type Endpoint, type Fixtures, idsOf, pathOf, withIds } from "./endpoints";
import { HUGE, METHODS, UNICODE_IDS } from "./ingredients";
import { changed, credentials, FORM_TYPE, type FuzzCase, type Header, JSON_TYPE, pick, posts, replaceContentType, validParts, withIdsInPath } from "./requests";

export function framingCases(f: Fixtures): fc.Arbitrary<FuzzCase>[] {
  const endpoint = fc.constantFrom(...ENDPOINTS);

  const oddMethods = fc.tuple(endpoint, credentials, pick(METHODS), fc.boolean()).map(([e, c, method, keepBody]) =>
    changed("odd method", `${method.slice(0, 20)} ${e.path}${keepBody ? " with its body" : ""}`, f, e, c, (p) => ({
      ...p,
      method,
      target: method === "CONNECT" ? f.host : p.target,
      ...(keepBody ? {} : { body: undefined, headers: replaceContentType(p.headers, undefined) }),
    })),
  );

  const longUrls = fc
    .tuple(
      endpoint,
      credentials,
      pick([8 * 1024, 16 * 1024, 64 * 1024, HUGE]),
      pick([
        ["a long path", (n: number) => "/" + "a".repeat(n)],
        ["a long room id", (n: number) => "/rooms/" + "a".repeat(n)],
        ["a long limit", (n: number) => `/messages/${f.room}?limit=${"9".repeat(n)}`],
        ["many query parameters", (n: number) => `/messages/${f.room}?${"a=1&".repeat(n / 4)}`],
        ["many path segments", (n: number) => "/rooms" + "/a".repeat(n / 2)],
        ["a long percent-encoded id", (n: number) => "/chat/rooms/" + "%41".repeat(n / 3)],
        ["a long Socket.IO query", (n: number) => `/socket.io/?EIO=4&transport=polling&x=${"a".repeat(n)}`],
        ["the endpoint with a long query", (n: number, e: Endpoint) => `${pathOf(e, f)}${e.path.includes("?") ? "&" : "?"}x=${"x".repeat(n)}`],
      ] as const),
    )
    .map(([e, c, size, [label, target]]) =>
      changed("long URL", `${label} (${size} bytes)`, f, e, c, (p) => ({
        ...p,
        method: label.startsWith("the endpoint") ? p.method : "GET",
        target: target(size, e),
        body: label.startsWith("the endpoint") ? p.body : undefined,
      })),
    );

  const unicodeIds = fc.tuple(pick(withIdsInPath), credentials, pick(UNICODE_IDS), fc.boolean(), fc.boolean()).map(([e, c, id, encoded, asRoom]) => {
    const segment = encoded ? encodeURIComponent(id) : id;
    return changed(
      "unicode id",
      `${e.method} ${e.path} with ${JSON.stringify(id)} ${encoded ? "percent-encoded" : "as raw UTF-8"} for the ${asRoom ? "room" : "user"}`,
      f,
      e,
      c,
      (p) => ({
        ...p,
        target: withIds(e.path, asRoom ? { ...idsOf(f), room: segment } : { ...idsOf(f), user: segment, message: segment }),
      }),
    );
  });

  const hugeHeaders = fc
    .tuple(
      endpoint,
      credentials,
      pick([
        ["a 100 KB header", (): Header[] => [["x-big", "a".repeat(HUGE)]]],
        ["a 16 KB header", (): Header[] => [["x-big", "a".repeat(16 * 1024)]]],
        ["a 64 KB cookie", (): Header[] => [["cookie", `a=${"b".repeat(64 * 1024)}`]]],
        ["a 100 KB bearer token", (): Header[] => [["authorization", `Bearer ${"a".repeat(HUGE)}`]]],
        ["500 headers", (): Header[] => Array.from({ length: 500 }, (_, i) => [`x-h-${i}`, "v"] as Header)],
        ["a header name with a space", (): Header[] => [["bad header", "v"]]],
        ["a header name of UTF-8", (): Header[] => [["x-ünï", "v"]]],
        ["a NUL in a header", (): Header[] => [["x-nul", "a\u0000b"]]],
        ["a folded header", (): Header[] => [["x-fold", "a\r\n b"]]],
        ["an empty header", (): Header[] => [["x-empty", ""]]],
        ["a bare CR in a header", (): Header[] => [["x-cr", "a\rb"]]],
        [
          "two bearer tokens, the good one first",
          (): Header[] => [
            ["authorization", `Bearer ${f.alice.token}`],
            ["authorization", "Bearer garbage"],
          ],
        ],
        [
          "two bearer tokens, the good one last",
          (): Header[] => [
            ["authorization", "Bearer garbage"],
            ["authorization", `Bearer ${f.alice.token}`],
          ],
        ],
        ["a second Host", (): Header[] => [["host", "evil.example"]]],
        [
          "an Upgrade to WebSocket without its key",
          (): Header[] => [
            ["upgrade", "websocket"],
            ["connection", "Upgrade"],
          ],
        ],
        [
          "an Upgrade to h2c",
          (): Header[] => [
            ["upgrade", "h2c"],
            ["connection", "Upgrade, HTTP2-Settings"],
          ],
        ],
        ["two content types", (): Header[] => [JSON_TYPE, FORM_TYPE]],
        ["a 10 KB request id", (): Header[] => [["x-request-id", "r".repeat(10 * 1024)]]],
        ["a long X-Forwarded-For", (): Header[] => [["x-forwarded-for", "1.1.1.1, ".repeat(2000)]]],
        ["an Accept with a huge q", (): Header[] => [["accept", `text/html;q=${"9".repeat(1000)}, application/json;q=0.${"1".repeat(1000)}`]]],
        ["an Accept of 1,000 types", (): Header[] => [["accept", "text/html;q=0.1, ".repeat(1000)]]],
        [
          "hx-request on any route",
          (): Header[] => [
            ["hx-request", "true"],
            ["accept", "text/html"],
          ],
        ],
        ["a forwarded proto of garbage", (): Header[] => [["x-forwarded-proto", "gopher, https"]]],
        ["a Referer that is no URL", (): Header[] => [["referer", "::::"]]],
        ["an Origin of null", (): Header[] => [["origin", "null"]]],
        ["a cookie of many pairs", (): Header[] => [["cookie", "a=1; ".repeat(3000)]]],
      ] as const),
    )
    .map(([e, c, [label, extra]]) => changed("huge or odd headers", `${e.method} ${e.path} with ${label}`, f, e, c, (p) => ({ ...p, headers: [...p.headers, ...extra()] })));

  const contentLengths = fc
    .tuple(
      pick(posts),
      credentials,
      pick([
        ["a Content-Length of 100 and no body", (p: RequestParts): RequestParts => ({ ...p, body: "", contentLength: "100" })],
        ["a Content-Length of 0 and a body", (p: RequestParts): RequestParts => ({ ...p, body: p.body ?? "{}", contentLength: "0" })],
        ["a Content-Length shorter than the body", (p: RequestParts): RequestParts => ({ ...p, body: p.body ?? "{}", contentLength: "3" })],
        ["a Content-Length of -1", (p: RequestParts): RequestParts => ({ ...p, contentLength: "-1" })],
        ["a Content-Length of abc", (p: RequestParts): RequestParts => ({ ...p, contentLength: "abc" })],
        ["a Content-Length of 1e3", (p: RequestParts): RequestParts => ({ ...p, contentLength: "1e3" })],
        ["a Content-Length of 2^64", (p: RequestParts): RequestParts => ({ ...p, contentLength: "18446744073709551616" })],
        ["two Content-Lengths in one", (p: RequestParts): RequestParts => ({ ...p, body: "{}", contentLength: "2, 2" })],
        ["two Content-Length headers that differ", (p: RequestParts): RequestParts => ({ ...p, body: "{}", headers: [...p.headers, ["content-length", "5"]] })],
        ["Content-Length and chunked", (p: RequestParts): RequestParts => ({ ...p, body: "2\r\n{}\r\n0\r\n\r\n", headers: [...p.headers, ["transfer-encoding", "chunked"]] })],
        [
          "a chunk size that is not hex",
          (p: RequestParts): RequestParts => ({ ...p, contentLength: null, body: "zz\r\n{}\r\n0\r\n\r\n", headers: [...p.headers, ["transfer-encoding", "chunked"]] }),
        ],
        [
          "a chunk of 2^64 bytes",
          (p: RequestParts): RequestParts => ({ ...p, contentLength: null, body: "ffffffffffffffff\r\n{}\r\n", headers: [...p.headers, ["transfer-encoding", "chunked"]] }),
        ],
        ["chunks that stop", (p: RequestParts): RequestParts => ({ ...p, contentLength: null, body: "5\r\n{}", headers: [...p.headers, ["transfer-encoding", "chunked"]] })],
        [
          "a gzip transfer encoding",
          (p: RequestParts): RequestParts => ({
            ...p,
            contentLength: null,
            headers: [...p.headers, ["transfer-encoding", "gzip, chunked"]],
            body: `${(p.body?.length ?? 0).toString(16)}\r\n${p.body ?? ""}\r\n0\r\n\r\n`,
          }),
        ],
        ["a gzip content encoding that is not gzip", (p: RequestParts): RequestParts => ({ ...p, headers: [...p.headers, ["content-encoding", "gzip"]] })],
        [
          "a gzip content encoding that is gzip",
          (p: RequestParts): RequestParts => ({ ...p, body: Bun.gzipSync(Buffer.from(bytes(p.body ?? "{}"))), headers: [...p.headers, ["content-encoding", "gzip"]] }),
        ],
        ["a brotli content encoding", (p: RequestParts): RequestParts => ({ ...p, headers: [...p.headers, ["content-encoding", "br"]] })],
        ["Expect: 100-continue", (p: RequestParts): RequestParts => ({ ...p, headers: [...p.headers, ["expect", "100-continue"]] })],
        ["an empty body", (p: RequestParts): RequestParts => ({ ...p, body: "" })],
        ["no body and no Content-Length", (p: RequestParts): RequestParts => ({ ...p, body: undefined, contentLength: null })],
      ] as const),
    )
    .map(([e, c, [label, change]]) => changed("content length", `${e.method} ${e.path} with ${label}`, f, e, c, change));

  const host = `Host: ${f.host}\r\n`;
  const requestLines = fc.oneof(
    pick([
      "GET\r\n\r\n",
      `GET / HTTP/9.9\r\n${host}\r\n`,
      "GET / HTTP/1.1",
      "GET /\r\n\r\n",
      ` / HTTP/1.1\r\n${host}\r\n`,
      `GET  / HTTP/1.1\r\n${host}\r\n`,
      `GET / HTTP/1.1\n${host.trimEnd()}\n\n`,
      `\r\n\r\nGET / HTTP/1.1\r\n${host}\r\n`,
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
      `GET / HTTP/1.1\r\n${host}`,
      `GET / HTTP/1.1\r\n${host}NoColon\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost : ${f.host}\r\n\r\n`,
      `GET /\u0000 HTTP/1.1\r\n${host}\r\n`,
      `GET * HTTP/1.1\r\n${host}\r\n`,
      `GET http://evil.example/rooms HTTP/1.1\r\n${host}\r\n`,
      `GET //rooms HTTP/1.1\r\n${host}\r\n`,
      `GET /rooms/../auth/login HTTP/1.1\r\n${host}\r\n`,
      `GET /%2e%2e/ HTTP/1.1\r\n${host}\r\n`,
      `GET /rooms%2F${f.room} HTTP/1.1\r\n${host}\r\n`,
      "GET / HTTP/1.0\r\n\r\n",
      "GET /healthz HTTP/1.0\r\n\r\n",
      "GET /rooms HTTP/1.0\r\n\r\n",
      "GET /signin HTTP/1.0\r\n\r\n",
      "POST /auth/login HTTP/1.0\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}",
      `GET / HTTP/1.1\r\nHost: \r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n`,
      `GET / HTTP/01.1\r\n${host}\r\n`,
      `GET / HTTP/1.10\r\n${host}\r\n`,
      `GET / http/1.1\r\n${host}\r\n`,
      `GET / HTTP/1.1 extra\r\n${host}\r\n`,
      `GET /\t HTTP/1.1\r\n${host}\r\n`,
      `GET /a b HTTP/1.1\r\n${host}\r\n`,
      "\u0000\u0000\u0000\r\n\r\n",
      `GET / HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\n${host}\r\n`,
      `POST /messages HTTP/1.1\r\n${host}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /rooms HTTP/1.1\r\n${host}\r\n`,
      `GET / HTTP/1.1\r\nHost: [::1\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: a b\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: ${"h".repeat(5000)}\r\n\r\n`,
      `GET /?a HTTP/1.1\r\nHost: ü.example\r\n\r\n`,
      `GET ?x=1 HTTP/1.1\r\n${host}\r\n`,
      `GET #frag HTTP/1.1\r\n${host}\r\n`,
      `GET /#frag HTTP/1.1\r\n${host}\r\n`,
      `OPTIONS * HTTP/1.1\r\n${host}\r\n`,
      `GET /\\rooms HTTP/1.1\r\n${host}\r\n`,
    ]).map((line) => ({ kind: "broken request line", label: JSON.stringify(line.slice(0, 60)), bytes: bytes(line) })),
    pick([[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]]).map((hello) => ({ kind: "broken request line", label: "a TLS ClientHello", bytes: bytes(hello) })),
    fc.uint8Array({ minLength: 1, maxLength: 200 }).map((junk) => ({ kind: "broken request line", label: `${junk.length} random bytes`, bytes: junk })),
    fc
      .tuple(fc.string({ unit: "binary", maxLength: 20 }), fc.string({ unit: "binary", maxLength: 40 }), fc.string({ unit: "binary", maxLength: 12 }))
      .map(([method, target, version]) => ({
        kind: "broken request line",
        label: `${JSON.stringify(method)} ${JSON.stringify(target)} ${JSON.stringify(version)}`,
        bytes: bytes(`${method} ${target} ${version}\r\n${host}\r\n`),
      })),
  );

  const mutations = fc
    .tuple(endpoint, credentials, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), pick(["flip", "insert", "delete"] as const)), { minLength: 1, maxLength: 4 }))
    .map(([e, c, edits]) => {
      const original = request(validParts(e, c, f), f.host);
      const mutated = edits.reduce((data, [at, byte, edit]) => {
        const i = at % (data.length + 1);
        if (edit === "insert") return bytes(data.subarray(0, i), [byte], data.subarray(i));
        if (edit === "delete") return bytes(data.subarray(0, i), data.subarray(i + 1));
        const copy = bytes(data);
        if (i < copy.length) copy[i] = byte;
        return copy;
      }, original);
      return { kind: "mutated request", label: `${e.method} ${e.path}, ${c.name}, ${edits.length} bytes changed`, bytes: mutated };
    });

  return [oddMethods, longUrls, unicodeIds, hugeHeaders, contentLengths, requestLines, mutations];
}

// Requests whose values are wrong: bodies that are not JSON, or JSON with lone surrogates, bytes
// that are not UTF-8, absurd nesting and numbers, the wrong media type, keys that pollute
// prototypes; and the same in ids, query strings and headers.
import fc from "fast-check";
import { bytes } from "../../test/raw-http";
import { ENDPOINTS, type Endpoint, everyId, type Fixtures, idsOf, pathOf, withIds } from "./endpoints";
import { BAD_UTF8, HEADER_NAMES, HUGE, LONE_SURROGATE_LITERALS, MALFORMED_JSON, NUMBERS, PERCENT_BROKEN, QUERY_KEYS, QUERY_NUMBERS, QUERY_PATHS } from "./ingredients";
import {
  changed,
  cookie,
  credentials,
  FORM_TYPE,
  type FuzzCase,
  formEndpoints,
  formWith,
  hex,
  jsonEndpoints,
  jsonWith,
  latin1,
  pick,
  replaceContentType,
  sessionFor,
  withIdsInPath,
  withoutCredentials,
} from "./requests";

export function valueCases(f: Fixtures): fc.Arbitrary<FuzzCase>[] {
  const endpoint = fc.constantFrom(...ENDPOINTS);

  const malformedJson = fc
    .tuple(
      pick(jsonEndpoints),
      credentials,
      fc.oneof(
        pick(MALFORMED_JSON).map((body) => ({ label: `body ${JSON.stringify(body)}`, body: (_: Endpoint) => body })),
        fc.nat().map((cut) => ({
          label: "a good body cut short",
          body: (e: Endpoint) => {
            const text = JSON.stringify(e.body!.fields(f));
            return text.slice(0, cut % text.length);
          },
        })),
        pick(["\ufeff", " ", "\u0000", "x", "}"]).map((extra) => ({
          label: `a good body after ${JSON.stringify(extra)}`,
          body: (e: Endpoint) => extra + JSON.stringify(e.body!.fields(f)),
        })),
        pick(["x", "}", "]", "{}", "\u0000", ",", " garbage"]).map((extra) => ({
          label: `a good body then ${JSON.stringify(extra)}`,
          body: (e: Endpoint) => JSON.stringify(e.body!.fields(f)) + extra,
        })),
      ),
    )
    .map(([e, c, wrong]) => changed("malformed JSON", `${e.method} ${e.path} with ${wrong.label}`, f, e, c, (p) => ({ ...p, body: wrong.body(e) })));

  const loneSurrogates = fc.oneof(
    fc
      .tuple(pick(jsonEndpoints), credentials, fc.nat(), pick(LONE_SURROGATE_LITERALS))
      .map(([e, c, field, literal]) =>
        changed("lone surrogate or NUL", `${e.method} ${e.path} with ${literal} in a field`, f, e, c, (p) => ({ ...p, body: jsonWith(e, f, field, literal) })),
      ),
    fc.tuple(pick(jsonEndpoints), credentials, pick(LONE_SURROGATE_LITERALS)).map(([e, c, literal]) =>
      changed("lone surrogate or NUL", `${e.method} ${e.path} with ${literal} as a key`, f, e, c, (p) => ({
        ...p,
        body: `{${literal}:1,${JSON.stringify(e.body!.fields(f)).slice(1)}`,
      })),
    ),
    fc
      .tuple(pick(formEndpoints), credentials, fc.nat(), pick(PERCENT_BROKEN))
      .map(([e, c, field, encoded]) =>
        changed("lone surrogate or NUL", `${e.method} ${e.path} with ${encoded} in a form field`, f, e, c, (p) => ({ ...p, body: formWith(e, f, field, encoded) })),
      ),
    fc
      .tuple(pick(withIdsInPath), credentials, pick(PERCENT_BROKEN))
      .map(([e, c, encoded]) =>
        changed("lone surrogate or NUL", `${e.method} ${e.path} with ${encoded} for an id`, f, e, c, (p) => ({ ...p, target: withIds(e.path, everyId(encoded)) })),
      ),
    fc.tuple(pick(QUERY_PATHS), pick(QUERY_KEYS), pick(PERCENT_BROKEN), credentials).map(([path, key, encoded, c]) =>
      changed("lone surrogate or NUL", `GET ${path}?${key}=${encoded}`, f, { method: "GET", path }, c, (p) => ({
        ...p,
        target: `${withIds(path, idsOf(f))}?${key}=${encoded}&${encoded}=1`,
      })),
    ),
  );

  const badUtf8 = fc.oneof(
    fc
      .tuple(pick(jsonEndpoints), credentials, fc.nat(), pick(BAD_UTF8))
      .map(([e, c, field, raw]) =>
        changed("invalid UTF-8", `${e.method} ${e.path} with bytes ${hex(raw)} in a JSON string`, f, e, c, (p) => ({ ...p, body: jsonWith(e, f, field, bytes('"a', raw, 'b"')) })),
      ),
    fc
      .tuple(pick(formEndpoints), credentials, fc.nat(), pick(BAD_UTF8))
      .map(([e, c, field, raw]) =>
        changed("invalid UTF-8", `${e.method} ${e.path} with bytes ${hex(raw)} in a form field`, f, e, c, (p) => ({ ...p, body: formWith(e, f, field, raw) })),
      ),
    fc
      .tuple(endpoint, credentials, pick(BAD_UTF8))
      .map(([e, c, raw]) =>
        changed("invalid UTF-8", `${e.method} ${e.path} with bytes ${hex(raw)} in the path`, f, e, c, (p) => ({ ...p, target: bytes(pathOf(e, f).replace(/\?.*/, ""), raw) })),
      ),
    fc.tuple(pick(withIdsInPath), credentials, pick(BAD_UTF8)).map(([e, c, raw]) =>
      changed("invalid UTF-8", `${e.method} ${e.path} with bytes ${hex(raw)} for an id`, f, e, c, (p) => ({
        ...p,
        target: bytes(
          ...withIds(e.path, everyId("\u0001"))
            .split("\u0001")
            .flatMap((piece, i) => (i ? [raw, piece] : [piece])),
        ),
      })),
    ),
    fc.tuple(pick(QUERY_PATHS), pick(QUERY_KEYS), pick(BAD_UTF8), credentials).map(([path, key, raw, c]) =>
      changed("invalid UTF-8", `GET ${path}?${key}= bytes ${hex(raw)}`, f, { method: "GET", path }, c, (p) => ({
        ...p,
        target: bytes(withIds(path, idsOf(f)), `?${key}=`, raw, "&", raw, "=1"),
      })),
    ),
    fc.tuple(endpoint, credentials, pick(HEADER_NAMES), pick(BAD_UTF8)).map(([e, c, name, raw]) =>
      changed("invalid UTF-8", `${e.method} ${e.path} with bytes ${hex(raw)} in ${name}`, f, e, c, (p) => ({
        ...p,
        headers: [...p.headers.filter(([n]) => latin1(n) !== name), [name, bytes(name === "cookie" ? "chatloop_session=" : name === "authorization" ? "Bearer " : "", raw)]],
      })),
    ),
  );

  const deepNesting = fc.oneof(
    fc
      .tuple(
        pick(jsonEndpoints),
        credentials,
        pick([
          ["100,000 nested arrays", "[".repeat(HUGE) + "]".repeat(HUGE)],
          ["30,000 nested arrays", "[".repeat(30_000) + "]".repeat(30_000)],
          ["60,000 unclosed arrays", "[".repeat(60_000)],
          ["10,000 nested objects", '{"a":'.repeat(10_000) + "1" + "}".repeat(10_000)],
          ["a field of 25,000 nested arrays", '{"content":' + "[".repeat(25_000) + "]".repeat(25_000) + "}"],
          ["20,000 nested arrays of one string", "[".repeat(20_000) + '"x"' + "]".repeat(20_000)],
        ] as const),
      )
      .map(([e, c, [label, body]]) => changed("deep nesting", `${e.method} ${e.path} with ${label}`, f, e, c, (p) => ({ ...p, body }))),
    fc
      .tuple(pick(formEndpoints), credentials)
      .map(([e, c]) => changed("deep nesting", `${e.method} ${e.path} with a form key 20,000 brackets deep`, f, e, c, (p) => ({ ...p, body: `a${"[b]".repeat(20_000)}=1` }))),
    fc.tuple(endpoint, credentials, pick(["a", "limit", "__proto__"])).map(([e, c, key]) =>
      changed("deep nesting", `${e.method} ${e.path} with a query key 3,000 brackets deep`, f, e, c, (p) => ({
        ...p,
        target: `${pathOf(e, f).replace(/\?.*/, "")}?${key}${"[b]".repeat(3000)}=1`,
      })),
    ),
  );

  const hugeNumbers = fc.oneof(
    fc
      .tuple(pick(jsonEndpoints), credentials, fc.nat(), pick(NUMBERS))
      .map(([e, c, field, number]) => changed("huge numbers", `${e.method} ${e.path} with ${number} for a field`, f, e, c, (p) => ({ ...p, body: jsonWith(e, f, field, number) }))),
    fc
      .tuple(pick(QUERY_PATHS), pick(QUERY_KEYS), pick(QUERY_NUMBERS), credentials)
      .map(([path, key, number, c]) =>
        changed("huge numbers", `GET ${path}?${key}=${number}`, f, { method: "GET", path }, c, (p) => ({ ...p, target: `${withIds(path, idsOf(f))}?${key}=${number}` })),
      ),
    fc.tuple(pick(QUERY_PATHS), fc.array(fc.tuple(pick(QUERY_KEYS), pick(QUERY_NUMBERS)), { minLength: 2, maxLength: 4 }), credentials).map(([path, pairs, c]) => {
      const query = pairs.map(([key, value]) => `${key}=${value}`).join("&");
      return changed("huge numbers", `GET ${path}?${query}`, f, { method: "GET", path }, c, (p) => ({ ...p, target: `${withIds(path, idsOf(f))}?${query}` }));
    }),
    fc
      .tuple(pick(withIdsInPath), credentials, pick(["1e400", "-0", "NaN", "18446744073709551616", "0"]))
      .map(([e, c, number]) => changed("huge numbers", `${e.method} ${e.path} with ${number} for an id`, f, e, c, (p) => ({ ...p, target: withIds(e.path, everyId(number)) }))),
  );

  const multipart = (fields: Record<string, unknown>, boundary = "fuzz") =>
    Object.entries(fields)
      .map(([name, value]) => `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join("") + `--${boundary}--\r\n`;
  const contentTypes = fc.oneof(
    fc
      .tuple(
        pick(jsonEndpoints),
        credentials,
        pick([
          ["a form body", FORM_TYPE[1], (v: Record<string, unknown>) => new URLSearchParams(v as Record<string, string>).toString()],
          ["a multipart body", "multipart/form-data; boundary=fuzz", (v: Record<string, unknown>) => multipart(v)],
          ["a multipart body without its boundary", "multipart/form-data", (v: Record<string, unknown>) => multipart(v)],
          ["a multipart body cut short", "multipart/form-data; boundary=fuzz", (v: Record<string, unknown>) => multipart(v).slice(0, 40)],
          ["JSON as text/plain", "text/plain", (v: Record<string, unknown>) => JSON.stringify(v)],
          ["JSON as XML", "application/xml", (v: Record<string, unknown>) => JSON.stringify(v)],
          ["JSON without a content type", undefined, (v: Record<string, unknown>) => JSON.stringify(v)],
          ["JSON in Latin-1", "application/json; charset=latin1", (v: Record<string, unknown>) => Buffer.from(JSON.stringify(v).replace("hello", "h\u00e9llo"), "latin1")],
          ["JSON in UTF-16", "application/json; charset=utf-16", (v: Record<string, unknown>) => Buffer.from(JSON.stringify(v), "utf16le")],
          ["JSON with a broken media type", "application/json;;;=", (v: Record<string, unknown>) => JSON.stringify(v)],
          ["JSON as two media types", "application/json, text/html", (v: Record<string, unknown>) => JSON.stringify(v)],
          ["JSON in capitals", "APPLICATION/JSON", (v: Record<string, unknown>) => JSON.stringify(v)],
          ["JSON as +json", "application/vnd.api+json", (v: Record<string, unknown>) => JSON.stringify(v)],
          ["JSON with a NUL in its type", "application/json\u0000", (v: Record<string, unknown>) => JSON.stringify(v)],
          ["a form as JSON", "application/json", (v: Record<string, unknown>) => new URLSearchParams(v as Record<string, string>).toString()],
          ["an octet stream", "application/octet-stream", (v: Record<string, unknown>) => JSON.stringify(v)],
        ] as const),
      )
      .map(([e, c, [label, type, body]]) =>
        changed("wrong content type", `${e.method} ${e.path} with ${label}`, f, e, c, (p) => ({
          ...p,
          headers: replaceContentType(p.headers, type),
          body: body(e.body!.fields(f)),
        })),
      ),
    fc
      .tuple(
        pick(formEndpoints),
        credentials,
        pick([
          ["JSON", "application/json", (v: Record<string, unknown>) => JSON.stringify(v)],
          ["JSON that is not an object", "application/json", () => "[1,2]"],
          ["JSON with nested values", "application/json", (v: Record<string, unknown>) => JSON.stringify(Object.fromEntries(Object.keys(v).map((k) => [k, { nested: [1] }])))],
          ["text", "text/plain", (v: Record<string, unknown>) => new URLSearchParams(v as Record<string, string>).toString()],
          ["a multipart body", "multipart/form-data; boundary=fuzz", (v: Record<string, unknown>) => multipart(v)],
          [
            "a multipart file",
            "multipart/form-data; boundary=fuzz",
            (v: Record<string, unknown>) =>
              Object.keys(v)
                .map((k) => `--fuzz\r\ncontent-disposition: form-data; name="${k}"; filename="a.txt"\r\ncontent-type: text/plain\r\n\r\nfile\r\n`)
                .join("") + "--fuzz--\r\n",
          ],
          ["a multipart body cut short", "multipart/form-data; boundary=fuzz", (v: Record<string, unknown>) => multipart(v).slice(0, 50)],
          ["a multipart body with a wrong boundary", "multipart/form-data; boundary=other", (v: Record<string, unknown>) => multipart(v)],
          ["no content type", undefined, (v: Record<string, unknown>) => new URLSearchParams(v as Record<string, string>).toString()],
          [
            "a form in UTF-16",
            "application/x-www-form-urlencoded; charset=utf-16",
            (v: Record<string, unknown>) => Buffer.from(new URLSearchParams(v as Record<string, string>).toString(), "utf16le"),
          ],
        ] as const),
      )
      .map(([e, c, [label, type, body]]) =>
        changed("wrong content type", `${e.method} ${e.path} with ${label}`, f, e, c, (p) => ({
          ...p,
          headers: replaceContentType(p.headers, type),
          body: body(e.body!.fields(f)),
        })),
      ),
  );

  const protoKeys = fc.oneof(
    fc
      .tuple(
        pick(jsonEndpoints),
        credentials,
        pick([
          ['a "__proto__" object', (v: Record<string, unknown>) => `{"__proto__":{"isPrivate":true,"admin":true},${JSON.stringify(v).slice(1)}`],
          ['a "__proto__" of null', (v: Record<string, unknown>) => `{"__proto__":null,${JSON.stringify(v).slice(1)}`],
          ['a "__proto__" array', (v: Record<string, unknown>) => `{"__proto__":[],${JSON.stringify(v).slice(1)}`],
          ['a "constructor.prototype"', (v: Record<string, unknown>) => `{"constructor":{"prototype":{"x":1}},${JSON.stringify(v).slice(1)}`],
          ["Object's own names as keys", (v: Record<string, unknown>) => `{"toString":1,"valueOf":1,"hasOwnProperty":1,${JSON.stringify(v).slice(1)}`],
          [
            "every key twice, a number last",
            (v: Record<string, unknown>) =>
              `{${Object.entries(v)
                .map(([k, x]) => `${JSON.stringify(k)}:${JSON.stringify(x)},${JSON.stringify(k)}:42`)
                .join(",")}}`,
          ],
          [
            "every key twice, a good value last",
            (v: Record<string, unknown>) =>
              `{${Object.entries(v)
                .map(([k, x]) => `${JSON.stringify(k)}:{},${JSON.stringify(k)}:${JSON.stringify(x)}`)
                .join(",")}}`,
          ],
        ] as const),
      )
      .map(([e, c, [label, body]]) => changed("duplicate and __proto__ keys", `${e.method} ${e.path} with ${label}`, f, e, c, (p) => ({ ...p, body: body(e.body!.fields(f)) }))),
    fc
      .tuple(
        pick(QUERY_PATHS),
        credentials,
        pick(["__proto__[limit]=1", "constructor[prototype][limit]=1", "__proto__=1", "limit=1&limit=2", "hasOwnProperty=1", "toString=1&limit=5"]),
      )
      .map(([path, c, query]) =>
        changed("duplicate and __proto__ keys", `GET ${path}?${query}`, f, { method: "GET", path }, c, (p) => ({ ...p, target: `${withIds(path, idsOf(f))}?${query}` })),
      ),
    fc
      .tuple(pick(formEndpoints), credentials, pick(["__proto__=x&", "constructor[prototype][x]=1&", "toString=1&hasOwnProperty=1&"]))
      .map(([e, c, extra]) => changed("duplicate and __proto__ keys", `${e.method} ${e.path} with ${extra}`, f, e, c, (p) => ({ ...p, body: bytes(extra, p.body ?? "") }))),
    fc
      .tuple(pick(formEndpoints), credentials)
      .map(([e, c]) =>
        changed("duplicate and __proto__ keys", `${e.method} ${e.path} with every field twice`, f, e, c, (p) => ({ ...p, body: bytes(p.body ?? "", "&", p.body ?? "") })),
      ),
    fc.tuple(endpoint, pick(["__proto__=x; ", "constructor=1; ", "toString=; ", "chatloop_session=a; ", "chatloop_session; "])).map(([e, extra]) =>
      changed("duplicate and __proto__ keys", `${e.method} ${e.path} with the cookie "${extra}"`, f, e, withoutCredentials, (p) => ({
        ...p,
        headers: [...p.headers, ["cookie", `${extra}${cookie(sessionFor(e, f))}`], ["origin", `http://${f.host}`]],
      })),
    ),
  );

  return [malformedJson, loneSurrogates, badUtf8, deepNesting, hugeNumbers, contentTypes, protoKeys];
}

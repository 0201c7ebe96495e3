// The ways to be wrong: values, bytes and names that a malformed request is made of.

export const MALFORMED_JSON = [
  "{", "}", "[", "]", '{"a":}', "{'content':'x'}", '{"content": NaN}', '{"content": Infinity}', "undefined", "nul", "tru",
  '{"a":1,}', "[1,]", '"unterminated', '{"content":"\\x41"}', '{"content":"\\u12"}', '{"content":"\\ud83d\\ude00', "\u0000",
  "{\u0000}", "/* c */ {}", "{} {}", "{}garbage", "[]]", ":", ",", '"\\"', '{"a" "b"}', '{"a":1 "b":2}', "   ", "\t\n\r", "0x10",
  "-", "1e", ".5", '{"content":"tab\there"}', '{"content":"line\nbreak"}', "\ufeff{}", "{}\u0000",
];

/** JSON string literals that decode to text with a lone UTF-16 surrogate. */
export const LONE_SURROGATE_LITERALS = ['"\\ud800"', '"a\\ud800b"', '"\\ude42"', '"\\udfff"', '"\\ud800\\ud800"', '"\\udc00\\ud800"', '"x\\ud83d"', '"\\ud83dx"'];
/** Percent-encodings of a surrogate, of a broken UTF-8 sequence, or of NUL (which PostgreSQL cannot store in text). */
export const PERCENT_BROKEN = ["%ED%A0%80", "%ED%B3%BF", "a%ED%A0%80b", "%uD800", "%F0%9F", "%C0%80", "%FF", "%E0%A4%A", "%", "%zz", "%00", "a%00b"];
/** Byte sequences that are not UTF-8: a surrogate, an overlong NUL, stray and cut-short bytes, beyond U+10FFFF. */
export const BAD_UTF8 = [[0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xc0, 0x80], [0xff], [0xfe, 0xff], [0x80], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]];
export const HEADER_NAMES = ["authorization", "cookie", "content-type", "accept", "origin", "referer", "x-request-id", "x-forwarded-for", "x-forwarded-proto", "hx-request", "accept-encoding", "user-agent"];

export const NUMBERS = ["1e400", "-1e400", "18446744073709551616", "-0", "1e-400", "123456789012345678901234567890", "9007199254740993", "0.1e1", "-1", "1.5", "1E+2", "0"];
export const QUERY_NUMBERS = [
  "1e400", "18446744073709551616", "-0", "NaN", "Infinity", "-Infinity", "0x10", "0b1", "1_000", "%201", "1%20", "%2B1", "01", "1e2",
  "%D9%A3", "%EF%BC%91", "", "1.0", "9007199254740993", "99999999999999999999999999", "null", "undefined", "true", "[]", "{}", "-9007199254740993",
];
export const QUERY_KEYS = ["limit", "before", "after", "limit[]", "after[0]", "before[before]"];
export const QUERY_PATHS = ["/messages/{room}", "/chat/rooms/{room}/messages"];

export const METHODS = ["PROPFIND", "TRACE", "CONNECT", "OPTIONS", "HEAD", "PATCH", "PUT", "DELETE", "POST", "GET", "get", "post", "Get", "pOsT", "FOO", "M-SEARCH", "MKCOL", "LOCK", "BREW", "QUERY", "SEARCH", "X".repeat(1000), "GET\u0000", "G\tET"];

const UUID_LIKE = "0f8fad5b-d9cb-469f-a165-70867728950e";
export const UNICODE_IDS = [
  "ünïcode", "😀", "١٢٣", UUID_LIKE.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))), UUID_LIKE.replace("-", "\u200d-"), `${UUID_LIKE}\u200b`,
  `\u202e${UUID_LIKE}`, UUID_LIKE.replaceAll("a", "а"), UUID_LIKE.toUpperCase(), "ǅ", "ﬁ", "İ", "\ufeff", `\ufeff${UUID_LIKE}`, "Ω", "e\u0301", "\u{10ffff}", "\ufffd", "\u0000",
];

export const HUGE = 100_000;

// Schemas shared by the HTTP edge (Elysia validates with them) and the socket edge
// (src/realtime/validate.ts compiles the same objects). Each is also its own type.
import { FormatRegistry, type StringOptions, Type } from "@sinclair/typebox";
import { t } from "elysia";

// Text from outside must be well-formed Unicode. JSON can spell a lone UTF-16 surrogate
// ("\ud800"), which has no UTF-8 form: PostgreSQL refuses the whole statement it arrives in,
// a batch of other people's messages included. Every string a request or an event carries is
// a `Text`, so that no schema can leave the check out; validation.ts words its failure.
export const WELL_FORMED = "well-formed-text";
FormatRegistry.Set(WELL_FORMED, (value) => value.isWellFormed());
/** The formats a Text may have: each checks that the text is well-formed, and perhaps more. */
export const TEXT_FORMATS = new Set([WELL_FORMED]);
/** A format for text with a rule of its own (names, say), on top of being well-formed. */
export function textFormat(name: string, rule: (value: string) => boolean): string {
  FormatRegistry.Set(name, (value) => value.isWellFormed() && rule(value));
  TEXT_FORMATS.add(name);
  return name;
}
export const Text = (options: StringOptions = {}) =>
  t.String({ ...options, format: options.format !== undefined && TEXT_FORMATS.has(options.format) ? options.format : WELL_FORMED });

// Ids are compared as text wherever they name a Socket.IO room, so only the form ChatLoop
// hands out is taken: an uppercase spelling of a room would be a different room there.
export const Id = Text({ pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", error: "must be an id (a UUID in lowercase, as ChatLoop gives them)" });
// TypeBox's own integer: Elysia's `t.Integer` also takes numeric strings (for query strings),
// and a socket payload is JSON, where a seq is a number.
export const Seq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, error: "must be a seq, a whole number >= 0" });
export const Rev = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, error: "must be a rev, a whole number >= 0" });
export const ErrorBody = t.Object({ message: t.String(), code: t.String() });

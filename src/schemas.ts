// Schemas shared by the HTTP edge (Elysia validates with them) and the socket edge
// (src/realtime/validate.ts compiles the same objects). Each is also its own type.
import { Type } from "@sinclair/typebox";
import { t } from "elysia";

// Ids are compared as text wherever they name a Socket.IO room, so only the form ChatLoop
// hands out is taken: an uppercase spelling of a room would be a different room there.
export const Id = t.String({ pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", error: "must be an id (a UUID in lowercase, as ChatLoop gives them)" });
// TypeBox's own integer: Elysia's `t.Integer` also takes numeric strings (for query strings),
// and a socket payload is JSON, where a seq is a number.
export const Seq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, error: "must be a seq, a whole number >= 0" });
export const Rev = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, error: "must be a rev, a whole number >= 0" });
export const ErrorBody = t.Object({ message: t.String(), code: t.String() });

// Schemas shared by the HTTP edge (Elysia validates with them) and the socket edge
// (src/realtime/validate.ts compiles the same objects). Each is also its own type.
import { t } from "elysia";

export const Id = t.String({ format: "uuid", error: "must be an id (a UUID)" });
export const Seq = t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, error: "must be a seq, a whole number >= 0" });
export const ErrorBody = t.Object({ message: t.String(), code: t.String() });

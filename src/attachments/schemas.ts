import { t } from "elysia";
import { Id } from "../schemas";

export const Upload = t.Object({
  id: Id,
  name: t.String(),
  size: t.Integer({ description: "bytes" }),
  contentType: t.String({ description: "sniffed from the bytes for PNG, JPEG, GIF and WebP; else as the client said, or application/octet-stream" }),
  url: t.String({ description: "where the file is served, to those who may read the room" }),
});
export const Attachment = t.Object({
  ...Upload.properties,
  width: t.Union([t.Integer(), t.Null()], { description: "images only, else null" }),
  height: t.Union([t.Integer(), t.Null()], { description: "images only, else null" }),
});
export const AttachmentIds = t.Array(Id, {
  maxItems: 10,
  uniqueItems: true,
  error: "attachmentIds must be at most 10 different upload ids",
  description: "your own uploads to this room, not attached to a message yet",
});
export const AttachmentParams = t.Object({ attachmentId: Id });
export const AttachmentQuery = t.Object({ thumb: t.Optional(t.Literal("1", { error: "thumb must be 1" })) });

export type Upload = typeof Upload.static;
export type Attachment = typeof Attachment.static;

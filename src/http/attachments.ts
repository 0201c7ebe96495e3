// Uploads and the files they become: stored for a member of the room, served to those who may
// read it, in a way that lets nothing uploaded run in our origin.
import { Elysia } from "elysia";
import { AttachmentParams, AttachmentQuery, Upload } from "../attachments/schemas";
import { mayUpload, readAttachment, type StoredFile, saveUpload, tooLarge } from "../attachments/uploads";
import { badRequest } from "../errors";
import { RoomParams } from "../rooms/schemas";
import { ErrorBody } from "../schemas";
import { authGuard, type HttpDeps } from "./context";

/** A file is not a page: it may not run script, load anything, or be framed. */
export const FILE_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'";

export function attachmentRoutes(deps: HttpDeps) {
  return new Elysia({ tags: ["attachments"] })
    .use(authGuard(deps))
    .guard({ auth: true, response: { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 413: ErrorBody } })
    .post(
      "/rooms/:roomId/uploads",
      async ({ principal, params, request, set }) => {
        // Membership first, then the body: an outsider's upload is refused unread.
        await mayUpload(deps.sql, principal.userId, params.roomId);
        set.status = 201;
        return saveUpload(deps, principal.userId, params.roomId, await fileFrom(request, deps.maxUploadBytes));
      },
      {
        params: RoomParams,
        parse: "none",
        response: { 201: Upload },
        detail: {
          summary: "Upload a file to attach to a message (multipart form, field `file`); members only",
          description:
            "At most MAX_UPLOAD_BYTES (default 10 MiB): a larger body is refused with 413 before it is read. " +
            "A file name that is a path is refused (400 `invalid_file_name`). Send its id in `attachmentIds` " +
            "with POST /messages or sendMessage within a day, or it is removed.",
        },
      },
    )
    .get(
      "/attachments/:attachmentId",
      async ({ principal, params, query }) => fileResponse(await readAttachment(deps, principal.userId, params.attachmentId, query.thumb === "1")),
      {
        params: AttachmentParams,
        query: AttachmentQuery,
        detail: {
          summary: "An attached file, for those who may read its room",
          description:
            "PNG, JPEG, GIF and WebP (recognised by their bytes) are shown inline, and `?thumb=1` gives a preview at most 400 px wide; " +
            "anything else downloads (Content-Disposition: attachment). Always `nosniff`, and a CSP that lets nothing in it run.",
          responses: { 200: { description: "The file", content: { "*/*": { schema: { type: "string", format: "binary" } } } } },
        },
      },
    );
}

/** The multipart form's `file` field: 400 without one, 413 when larger than `maxBytes`. */
export async function fileFrom(request: Request, maxBytes: number): Promise<File> {
  if (!/^multipart\/form-data\s*;/i.test(request.headers.get("content-type") ?? "")) {
    throw badRequest("invalid_input", "send the file as multipart/form-data, in the field `file`");
  }
  const form = await request.formData().catch(() => {
    throw badRequest("invalid_input", "the multipart form could not be read");
  });
  const file = form.get("file");
  if (!(file instanceof File)) throw badRequest("invalid_input", "file: must be a file (a multipart form field with a filename)");
  if (file.size > maxBytes) throw tooLarge(maxBytes);
  return file;
}

/** A stored file as an answer: inline only for the images we recognised, else a download. */
export function fileResponse(file: Pick<StoredFile, "name" | "contentType" | "body" | "inline">, cacheControl = "private, max-age=86400, immutable"): Response {
  return new Response(file.body, {
    headers: {
      "content-type": file.contentType,
      "content-disposition": contentDisposition(file.inline ? "inline" : "attachment", file.name),
      "x-content-type-options": "nosniff",
      "content-security-policy": FILE_CSP,
      "cache-control": cacheControl,
    },
  });
}

/** RFC 6266: an ASCII stand-in that cannot break the header, and the real name percent-encoded (RFC 8187). */
function contentDisposition(kind: "inline" | "attachment", name: string): string {
  const ascii = name.replace(/[^A-Za-z0-9 ._()-]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())}`;
}

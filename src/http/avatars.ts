// Avatars over HTTP: anyone signed in sees anyone's; each person sets their own.
import { Elysia, t } from "elysia";
import { avatarUrl, readAvatar, setAvatar } from "../people/avatars";
import { ErrorBody, Id } from "../schemas";
import { FILE_CSP, fileFrom } from "./attachments";
import { authGuard, type HttpDeps } from "./context";

export function avatarRoutes(deps: HttpDeps) {
  return new Elysia({ tags: ["people"] })
    .use(authGuard(deps))
    .guard({ auth: true, response: { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 413: ErrorBody } })
    .put(
      "/me/avatar",
      async ({ principal, request }) => {
        await setAvatar(deps, principal.userId, await fileFrom(request, deps.maxUploadBytes));
        return { avatarUrl: avatarUrl(principal.userId) };
      },
      {
        parse: "none",
        response: { 200: t.Object({ avatarUrl: t.String() }) },
        detail: {
          summary: "Upload your avatar (multipart form, field `file`): a PNG, JPEG, GIF or WebP, cropped to 256 px square",
          description: "Anything else is 400 `not_an_image`; at most MAX_UPLOAD_BYTES. Your avatarUrl stays the same.",
        },
      },
    )
    .get(
      "/users/:userId/avatar",
      async ({ params, request }) => {
        const avatar = await readAvatar(deps, params.userId);
        const headers = {
          etag: avatar.etag,
          "cache-control": "private, no-cache",
          "x-content-type-options": "nosniff",
          "content-security-policy": FILE_CSP,
        };
        if (request.headers.get("if-none-match") === avatar.etag) return new Response(null, { status: 304, headers });
        return new Response(avatar.body, { headers: { ...headers, "content-type": avatar.contentType } });
      },
      {
        params: t.Object({ userId: Id }),
        detail: {
          summary: "A user's avatar: their picture, or their initials on a colour of their own (SVG)",
          responses: {
            200: { description: "The image", content: { "image/*": { schema: { type: "string", format: "binary" } } } },
            304: { description: "Not modified since the ETag given in If-None-Match" },
          },
        },
      },
    );
}

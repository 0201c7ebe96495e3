import { Elysia, t } from "elysia";
import { notFound } from "../errors";
import { previewImage } from "../previews/unfurl";
import { findVisibleRoom } from "../rooms/rooms";
import { ErrorBody, Id } from "../schemas";
import { authGuard, type HttpDeps } from "./context";

export function previewRoutes(deps: HttpDeps) {
  return new Elysia({ tags: ["messages"] }).use(authGuard(deps)).get(
    "/previews/:imageId",
    async ({ principal, params }) => {
      const image = await previewImage(deps.sql, params.imageId);
      if (!image) throw notFound("image_not_found", "no such image");
      await findVisibleRoom(deps.sql, principal.userId, image.roomId).catch(() => {
        throw notFound("image_not_found", "no such image");
      });
      return new Response(new Uint8Array(image.body), {
        headers: {
          "content-type": image.contentType,
          "x-content-type-options": "nosniff",
          "content-security-policy": "default-src 'none'; sandbox",
          "cache-control": "private, max-age=86400",
        },
      });
    },
    {
      auth: true,
      params: t.Object({ imageId: Id }),
      response: { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
      detail: {
        summary: "A link preview's image, kept by ChatLoop (for those who may read its message's room)",
        responses: { 200: { description: "The image", content: { "image/*": { schema: { type: "string", format: "binary" } } } } },
      },
    },
  );
}

// The profile page: where you see your avatar and upload another.
import { Elysia } from "elysia";
import { profileFragment } from "../../views/profile";
import { fileFrom } from "../http/attachments";
import type { HttpDeps } from "../http/context";
import { setAvatar } from "../people/avatars";
import { userError } from "./posted-form";
import { page, redirect } from "./respond";
import { viewerGuard } from "./session";

export function profilePages(deps: HttpDeps) {
  return new Elysia()
    .use(viewerGuard(deps))
    .get("/chat/profile", ({ request, viewer }) => page(request, profileFragment(viewer), { title: "Your profile", viewer }), { viewer: true })
    .post(
      "/chat/profile/avatar",
      async ({ request, viewer }) => {
        try {
          await setAvatar(deps, viewer.userId, await fileFrom(request, deps.maxUploadBytes));
          return redirect(request, "/chat/profile");
        } catch (error) {
          return page(request, profileFragment(viewer, userError(error)), { title: "Your profile", viewer, status: 400 });
        }
      },
      { viewer: true, parse: "none" },
    );
}

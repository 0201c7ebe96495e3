// Your profile: your avatar, and a form to upload another (a plain multipart form: no script).
import { avatarUrl } from "../src/people/avatars";
import { buttonClass, formError } from "./forms";
import { html, type SafeHtml } from "./html";

export function profileFragment(viewer: { userId: string; username: string }, error?: string): SafeHtml {
  return html`<section aria-labelledby="profile-heading" class="mx-auto max-w-md py-4">
  <h1 id="profile-heading" class="mb-4 text-xl font-bold">Your profile</h1>
  <div class="mb-4 flex items-center gap-4">
    <img src="${avatarUrl(viewer.userId)}" alt="Your avatar" width="96" height="96" class="size-24 rounded-full object-cover">
    <p class="text-lg font-semibold">${viewer.username}</p>
  </div>
  <form method="post" action="/chat/profile/avatar" enctype="multipart/form-data" class="flex flex-col gap-2">
    ${formError(error)}
    <label for="avatar-file" class="font-semibold">A new avatar (PNG, JPEG, GIF or WebP; cropped to a square)</label>
    <input id="avatar-file" name="file" type="file" accept="image/png,image/jpeg,image/gif,image/webp" required class="text-sm">
    <button class="${buttonClass} self-start">Upload</button>
  </form>
</section>`;
}

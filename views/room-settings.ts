// A room's settings, for those who manage it (its owner, or a site admin): its name and topic,
// and archiving it, which asks first on a page of its own. Plain forms: no script needed.
import type { Room } from "../src/rooms/schemas";
import { buttonClass, field, formError, inputClass } from "./forms";
import { roomUrl } from "./home";
import { html, type SafeHtml } from "./html";
import { roomSettingsUrl } from "./room";

const archiveUrl = (roomId: string) => `${roomUrl(roomId)}/archive`;
const dangerClass =
  "rounded bg-red-700 px-3 py-1.5 font-semibold text-white hover:bg-red-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700 dark:bg-red-600 dark:hover:bg-red-500 dark:focus-visible:outline-red-300";

/** The form as it was posted, when it comes back with an error. */
export interface SettingsInput {
  name: string;
  topic: string;
}

export function roomSettings(room: Room, error?: string, input?: SettingsInput): SafeHtml {
  const action = roomSettingsUrl(room.id);
  return html`<section aria-labelledby="settings-heading" class="mx-auto mt-6 flex max-w-md flex-col gap-8">
  <h1 id="settings-heading" class="text-xl font-bold wrap-anywhere">Settings of ${room.name}</h1>
  <form id="room-settings" method="post" action="${action}" class="flex flex-col gap-3">
    ${formError(error)}
    ${field({ id: "settings-name", label: "Name", name: "name", value: input?.name ?? room.name, attributes: html`maxlength="80"` })}
    <div class="flex flex-col gap-1">
      <label for="settings-topic" class="font-medium">Topic <span class="font-normal text-slate-600 dark:text-slate-300">(optional: what the room is for, shown under its name)</span></label>
      <input id="settings-topic" name="topic" type="text" value="${input?.topic ?? room.topic ?? ""}" maxlength="250" autocomplete="off" class="${inputClass}">
    </div>
    <div class="flex items-center gap-4">
      <button class="${buttonClass}">Save</button>
      <a href="${roomUrl(room.id)}" class="underline">Back to the room</a>
    </div>
  </form>
  <section aria-labelledby="archive-heading" class="flex flex-col gap-2 rounded border border-red-700 p-3 dark:border-red-400">
    <h2 id="archive-heading" class="font-bold">Archive this room</h2>
    <p>An archived room leaves everyone's lists and becomes read-only: its members can still read its history, nobody can write in it.</p>
    <a href="${archiveUrl(room.id)}" class="${dangerClass} self-start">Archive room…</a>
  </section>
</section>`;
}

/** Asks before a room is archived: what it means, and a form that does it. */
export function archiveConfirmation(room: Room): SafeHtml {
  return html`<section aria-labelledby="archive-confirm-heading" class="mx-auto mt-6 flex max-w-md flex-col gap-3">
  <h1 id="archive-confirm-heading" class="text-xl font-bold wrap-anywhere">Archive ${room.name}?</h1>
  <p>It leaves everyone's lists and becomes read-only. Its members keep its history and can still read it; nobody can write, edit, react or join there any more.</p>
  <form method="post" action="${archiveUrl(room.id)}" class="flex items-center gap-4">
    <button class="${dangerClass}">Archive</button>
    <a href="${roomSettingsUrl(room.id)}" class="underline">Cancel</a>
  </form>
</section>`;
}

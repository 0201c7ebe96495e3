// The home page: where to go next. The rooms you are in are the sidebar's (on a phone it is
// open here); this page has the public rooms you could join, a new room, and someone to message.
import type { Room } from "../src/rooms/schemas";
import { buttonClass, field, formError } from "./forms";
import { html, type SafeHtml } from "./html";

export interface HomeData {
  joinable: Room[];
  createError?: string;
}

export const roomUrl = (roomId: string) => `/chat/rooms/${roomId}`;

function joinableRoom(room: Room): SafeHtml {
  const action = `${roomUrl(room.id)}/join`;
  return html`<li class="flex items-center justify-between gap-2 px-2 py-1">
  <span class="min-w-0 wrap-anywhere">${room.name}</span>
  <form method="post" action="${action}" hx-post="${action}"><button class="${buttonClass}" aria-label="Join ${room.name}">Join</button></form>
</li>`;
}

export function createRoomForm(error?: string): SafeHtml {
  return html`<form id="create-room" method="post" action="/chat/rooms" hx-post="/chat/rooms" hx-swap="outerHTML" class="flex flex-col gap-3">
  ${formError(error)}
  ${field({ id: "room-name", label: "Room name", name: "name", attributes: html`maxlength="80"` })}
  <div class="flex items-center gap-2">
    <input id="room-private" name="isPrivate" type="checkbox" value="true" class="size-4">
    <label for="room-private">Private: only people you invite can see it</label>
  </div>
  <button class="${buttonClass} self-start">Create room</button>
</form>`;
}

/** A plain GET form to the people page, which searches as you type. */
const findPeopleForm = html`<form method="get" action="/chat/people" role="search" class="flex flex-col gap-3">
  ${field({ id: "find-people", label: "Find someone by username", name: "query", type: "search", attributes: html`maxlength="100"` })}
  <button class="${buttonClass} self-start">Find people</button>
</form>`;

export function homeFragment(data: HomeData): SafeHtml {
  const none = (text: string) => html`<li class="px-2 py-1 text-slate-600 dark:text-slate-300">${text}</li>`;
  return html`<div id="home" class="grid gap-6 md:grid-cols-3">
  <section aria-labelledby="joinable-heading">
    <h1 id="joinable-heading" class="mb-2 text-xl font-bold">Public rooms to join</h1>
    <ul class="flex flex-col">${data.joinable.length ? data.joinable.map(joinableRoom) : none("Nothing new to join.")}</ul>
  </section>
  <section aria-labelledby="create-heading">
    <h2 id="create-heading" class="mb-2 text-xl font-bold">Create a room</h2>
    ${createRoomForm(data.createError)}
  </section>
  <section aria-labelledby="message-heading">
    <h2 id="message-heading" class="mb-2 text-xl font-bold">Message someone</h2>
    ${findPeopleForm}
  </section>
</div>`;
}

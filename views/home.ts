// The home page: the rooms you are in, the public rooms you could join, and a new room.
import type { Room } from "../src/rooms/schemas";
import { buttonClass, field, formError } from "./forms";
import { html, type SafeHtml } from "./html";

export interface HomeData {
  joined: Room[];
  joinable: Room[];
  createError?: string;
}

export const roomUrl = (roomId: string) => `/chat/rooms/${roomId}`;

const privateBadge = (room: Room) =>
  room.isPrivate && html`<span class="rounded bg-slate-200 px-1.5 text-xs text-slate-800 dark:bg-slate-700 dark:text-slate-100">private</span>`;

function joinedRoom(room: Room): SafeHtml {
  return html`<li class="flex items-center gap-1"><a class="min-w-0 rounded px-2 py-1.5 wrap-anywhere underline-offset-2 hover:bg-slate-100 hover:underline dark:hover:bg-slate-800" href="${roomUrl(room.id)}">${room.name}</a>${privateBadge(room)}</li>`;
}

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

export function homeFragment(data: HomeData): SafeHtml {
  const none = (text: string) => html`<li class="px-2 py-1 text-slate-600 dark:text-slate-300">${text}</li>`;
  return html`<div id="home" class="grid gap-6 md:grid-cols-3">
  <section aria-labelledby="joined-heading">
    <h1 id="joined-heading" class="mb-2 text-xl font-bold">Your rooms</h1>
    <ul class="flex flex-col">${data.joined.length ? data.joined.map(joinedRoom) : none("None yet: join or create one.")}</ul>
  </section>
  <section aria-labelledby="joinable-heading">
    <h2 id="joinable-heading" class="mb-2 text-xl font-bold">Public rooms to join</h2>
    <ul class="flex flex-col">${data.joinable.length ? data.joinable.map(joinableRoom) : none("Nothing new to join.")}</ul>
  </section>
  <section aria-labelledby="create-heading">
    <h2 id="create-heading" class="mb-2 text-xl font-bold">Create a room</h2>
    ${createRoomForm(data.createError)}
  </section>
</div>`;
}

// The home page: where to go next. The rooms you are in are the sidebar's (on a phone it is
// open here); this page has the public rooms you could join, a new room, and someone to message.
import type { ListedRoom } from "../src/web/same-names";
import { buttonClass, field, formError } from "./forms";
import { html, type SafeHtml } from "./html";
import { namesakeNote } from "./sidebar";

/** A room about to be made with the name of rooms that exist: what was typed, and those rooms. */
export interface Namesakes {
  name: string;
  isPrivate: boolean;
  rooms: ListedRoom[];
}

export interface HomeData {
  joinable: ListedRoom[];
  createError?: string;
  namesakes?: Namesakes;
}

export const roomUrl = (roomId: string) => `/chat/rooms/${roomId}`;

function joinableRoom(room: ListedRoom): SafeHtml {
  const action = `${roomUrl(room.id)}/join`;
  return html`<li class="flex items-center justify-between gap-2 px-2 py-1">
  <span class="min-w-0 wrap-anywhere">${room.name}${room.ownerName === undefined ? room.topic && html`<span class="block text-sm text-slate-600 dark:text-slate-300">${room.topic}</span>` : namesakeNote(room)}</span>
  <form method="post" action="${action}" hx-post="${action}"><button class="${buttonClass}" aria-label="Join ${room.name}${room.ownerName && ` (by ${room.ownerName})`}">Join</button></form>
</li>`;
}

/**
 * Rooms may share a name, but nobody should make a second one by accident: a name you can
 * already see is sent back with the rooms that have it, and the form asks again.
 */
function namesakeWarning({ name, rooms }: Namesakes): SafeHtml {
  const described = (room: ListedRoom) => html`<li>${room.name}${namesakeNote(room)}${room.isPrivate && " (private)"}</li>`;
  return html`<div id="namesake-warning" role="alert" class="rounded border border-amber-700 bg-amber-50 px-2 py-1 text-amber-950 dark:border-amber-400 dark:bg-amber-950 dark:text-amber-100">
    <p>${rooms.length === 1 ? "A room" : `${rooms.length} rooms`} named “${name}” already ${rooms.length === 1 ? "exists" : "exist"}:</p>
    <ul class="list-disc pl-5">${rooms.map(described)}</ul>
    <p>Join it instead, or give yours another name, or create it anyway.</p>
    <input type="hidden" name="sameNameOk" value="true">
  </div>`;
}

export function createRoomForm(error?: string, namesakes?: Namesakes): SafeHtml {
  return html`<form id="create-room" method="post" action="/chat/rooms" hx-post="/chat/rooms" hx-swap="outerHTML" class="flex flex-col gap-3">
  ${formError(error)}
  ${namesakes && namesakeWarning(namesakes)}
  ${field({ id: "room-name", label: "Room name", name: "name", value: namesakes?.name, attributes: html`maxlength="80"` })}
  <div class="flex items-center gap-2">
    <input id="room-private" name="isPrivate" type="checkbox" value="true" class="size-4"${namesakes?.isPrivate && html` checked`}>
    <label for="room-private">Private: only people you invite can see it</label>
  </div>
  <button class="${buttonClass} self-start">${namesakes ? "Create anyway" : "Create room"}</button>
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
    ${createRoomForm(data.createError, data.namesakes)}
  </section>
  <section aria-labelledby="message-heading">
    <h2 id="message-heading" class="mb-2 text-xl font-bold">Message someone</h2>
    ${findPeopleForm}
  </section>
</div>`;
}

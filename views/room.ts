// A room: its history (the same message template the live delivery uses), the composer,
// the members, and for the owner the invite form. A direct room is headed by the other person,
// and has no owner, invites or leaving.
import type { Message } from "../src/messages/schemas";
import type { NotifyLevel, Room, RoomMember } from "../src/rooms/schemas";
import { avatar } from "./avatar";
import { buttonClass, field, formError, inputClass } from "./forms";
import { roomUrl } from "./home";
import { html, type SafeHtml } from "./html";
import { renderMarkdown } from "./markdown";
import { messageButton } from "./people";
import { conversation, type ReaderMarks } from "./timeline";

export interface RoomData {
  room: Room;
  /** Where the log stood when the history below was read: the page's live updates start there. */
  lastSeq: number;
  lastRev: number;
  viewer: { userId: string; username: string };
  /** A site admin may delete any message here. */
  viewerIsAdmin: boolean;
  isMember: boolean;
  /** The reader may rename and archive the room (its owner, or a site admin). */
  mayManage: boolean;
  /** The reader's read marker and effective notification level; null when not a member. */
  lastReadSeq: number | null;
  notify: NotifyLevel | null;
  messages: Message[];
  /** The history shown reaches the room's newest message; otherwise newer pages load as the reader scrolls down. */
  upToDate: boolean;
  /** The message the page was opened at (a permalink), if any. */
  linkedSeq: number | null;
  members: RoomMember[];
  maxMessageLength: number;
}

/**
 * A page of history, oldest first, with a way to the page before it when there is one: a
 * button that loads it when clicked or scrolled into view. public/timeline.js keeps the
 * reader's place as the page goes in above, which leaves the next such button out of view.
 */
export function historyPage(roomId: string, messages: Message[], marks?: ReaderMarks): SafeHtml {
  const first = messages[0]?.seq;
  const older =
    first !== undefined &&
    first > 1 &&
    html`<li class="older-messages flex justify-center py-2">
  <button class="rounded px-2 py-1 text-sm text-slate-700 underline dark:text-slate-300" hx-get="${roomUrl(roomId)}/messages?before=${first}" hx-trigger="click, intersect once" hx-target="closest li" hx-swap="outerHTML">Load older messages</button>
</li>`;
  return html`${older}${conversation(messages, marks)}`;
}

/**
 * The way down from a page opened at a permalink, older than the room's newest: a button that
 * loads the next page when clicked or scrolled into view, until the live end is reached.
 */
function newerMessages(roomId: string, after: number): SafeHtml {
  return html`<li class="newer-messages flex justify-center py-2">
  <button class="rounded px-2 py-1 text-sm text-slate-700 underline dark:text-slate-300" hx-get="${roomUrl(roomId)}/messages?after=${after}" hx-trigger="click, intersect once" hx-target="closest li" hx-swap="outerHTML">Load newer messages</button>
</li>`;
}

/** A page of history after another, oldest first, and the way to the next one while the room has newer messages. */
export function newerPage(roomId: string, messages: Message[], more: boolean): SafeHtml {
  const last = messages.at(-1)?.seq;
  return html`${conversation(messages)}${more && last !== undefined && newerMessages(roomId, last)}`;
}

/**
 * The divider before the first message the reader has not read (from someone else, not
 * deleted: one that counts as unread); in a direct room, "Seen" under the reader's last message
 * that the other person has read.
 */
function readerMarks({ room, viewer, lastReadSeq, messages, members, linkedSeq }: RoomData): ReaderMarks {
  const unread = (m: Message) => lastReadSeq !== null && m.seq > lastReadSeq && m.senderId !== viewer.userId && m.deletedAt === null;
  const unreadFrom = messages.find(unread)?.seq;
  const other = room.kind === "direct" ? members.find((m) => m.userId !== viewer.userId) : undefined;
  const seen = other && messages.findLast((m) => m.senderId === viewer.userId && m.seq <= other.lastReadSeq)?.seq;
  return { unreadFrom, seen, linked: linkedSeq ?? undefined };
}

export function membersPanel(data: Pick<RoomData, "room" | "viewer" | "members" | "mayManage">, inviteError?: string): SafeHtml {
  // The owner or a site admin; nobody invites to an archived room.
  const manages = data.mayManage;
  const invites = manages && data.room.archivedAt === null;
  const isDirect = data.room.kind === "direct";
  // The reader is here: online from the page's first paint, not from when their socket's join is announced.
  const online = (m: RoomMember) => m.online || m.userId === data.viewer.userId;
  const action = `${roomUrl(data.room.id)}/invites`;
  const remove = (m: RoomMember) => {
    const removeAction = `${roomUrl(data.room.id)}/members/${m.userId}/remove`;
    return html`<form method="post" action="${removeAction}" hx-post="${removeAction}" hx-target="#members" hx-swap="outerHTML">
        <button class="text-xs text-slate-700 underline dark:text-slate-300">Remove<span class="sr-only"> ${m.username}</span></button>
      </form>`;
  };
  return html`<aside id="members" aria-labelledby="members-heading" class="rounded border border-slate-300 p-3 md:w-64 dark:border-slate-700">
  <h2 id="members-heading" class="mb-2 font-bold">Members (${data.members.length})</h2>
  <ul class="flex flex-col gap-1">${data.members.map(
    (m) =>
      html`<li class="group flex items-center gap-2 wrap-anywhere" data-user-id="${m.userId}" data-online="${String(online(m))}" data-username="${m.username}">
      <span class="size-2 shrink-0 rounded-full border border-slate-500 group-data-[online=true]:border-emerald-700 group-data-[online=true]:bg-emerald-600" aria-hidden="true"></span>
      ${avatar(m.avatarUrl, 24)}
      <span>${m.username}${m.isOwner && html` <span class="text-xs text-slate-600 dark:text-slate-300">(owner)</span>`}<span class="presence-label sr-only">, ${online(m) ? "online" : "offline"}</span></span>
      ${
        m.userId !== data.viewer.userId &&
        html`<div class="ml-auto flex items-center gap-3">${!isDirect && messageButton(m.username, undefined, "text-xs text-slate-700 underline dark:text-slate-300")}${manages && !m.isOwner && remove(m)}</div>`
      }
    </li>`,
  )}</ul>
  ${
    invites &&
    html`<form method="post" action="${action}" hx-post="${action}" hx-target="#members" hx-swap="outerHTML" class="mt-4 flex flex-col gap-2">
    ${formError(inviteError)}
    ${field({ id: "invite-username", label: "Invite someone by username", name: "username" })}
    <button class="${buttonClass} self-start">Invite</button>
  </form>`
  }
</aside>`;
}

/** In an archived room, where the composer was; public/chat.js shows it when a room is archived while open. */
const archivedNotice = (hidden: boolean) =>
  html`<p id="room-archived" role="status" ${hidden && html`hidden`} class="border-t border-slate-300 p-3 text-slate-700 italic dark:border-slate-700 dark:text-slate-300">This room is archived: its history stays, and nothing new can be written here.</p>`;

function composer(data: RoomData): SafeHtml {
  if (data.room.archivedAt !== null) return archivedNotice(false);
  if (!data.isMember) {
    const action = `${roomUrl(data.room.id)}/join`;
    return html`<form method="post" action="${action}" hx-post="${action}" class="border-t border-slate-300 p-3 dark:border-slate-700">
  <button class="${buttonClass}">Join this room to write</button>
</form>`;
  }
  // The reply preview, the @-completion list and what they hold are filled in by public/actions.js
  // and public/presence.js; without the script they stay hidden.
  return html`<form id="composer" method="post" action="${roomUrl(data.room.id)}/messages" class="relative border-t border-slate-300 p-2 dark:border-slate-700">
  <div id="reply-preview" hidden class="mb-2 flex items-center gap-2 border-l-4 border-blue-700 pl-2 text-sm dark:border-blue-300">
    <p class="min-w-0 flex-1 truncate">Replying to <strong id="reply-preview-author"></strong>: <span id="reply-preview-text"></span></p>
    <button type="button" id="reply-cancel" class="rounded px-1.5 text-slate-700 underline focus-visible:outline-2 focus-visible:outline-blue-700 dark:text-slate-300 dark:focus-visible:outline-blue-300">Cancel reply</button>
  </div>
  <ul id="mention-options" role="listbox" aria-label="People to mention" hidden class="absolute bottom-full left-2 z-10 mb-1 max-h-48 min-w-48 overflow-y-auto rounded border border-slate-400 bg-white py-1 shadow-md dark:border-slate-500 dark:bg-slate-800"></ul>
  <ul id="pending-uploads" aria-label="Files to send" class="mb-2 flex flex-wrap gap-2 empty:hidden"></ul>
  <div class="flex items-end gap-2">
    <input type="file" id="attach-input" multiple class="sr-only" tabindex="-1" aria-hidden="true">
    <button type="button" id="attach-button" hidden class="${buttonClass}" aria-label="Attach files">Attach</button>
    <label for="composer-text" class="sr-only">Message</label>
    <textarea id="composer-text" name="content" rows="2" required maxlength="${data.maxMessageLength}" aria-autocomplete="list" aria-controls="mention-options" placeholder="Write a message (Enter sends, Shift+Enter for a new line)" class="${inputClass} resize-none"></textarea>
    <button class="${buttonClass}">Send</button>
  </div>
</form>`;
}

/** A picture at full size; public/uploads.js opens it from an image in the log. Escape closes it. */
const lightbox = html`<dialog id="lightbox" aria-label="Image" class="m-auto max-h-[95dvh] max-w-[95vw] rounded bg-slate-900 p-2 text-white backdrop:bg-slate-900/80">
  <form method="dialog" class="mb-2 flex items-center justify-between gap-4">
    <a id="lightbox-link" class="truncate underline" target="_blank" rel="noopener"></a>
    <button class="rounded bg-white px-2 py-1 font-semibold text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-white">Close</button>
  </form>
  <img id="lightbox-image" alt="" class="max-h-[85dvh] max-w-full">
</dialog>`;

/** Asks before a message is deleted; public/actions.js opens it and fills in the message. */
const deleteDialog = html`<dialog id="delete-dialog" aria-labelledby="delete-dialog-heading" class="m-auto max-w-md rounded border border-slate-400 bg-white p-4 text-slate-900 backdrop:bg-slate-900/50 dark:border-slate-500 dark:bg-slate-900 dark:text-slate-100">
  <h2 id="delete-dialog-heading" class="mb-2 font-bold">Delete this message?</h2>
  <p id="delete-dialog-text" class="mb-4 line-clamp-3 border-l-4 border-slate-400 pl-2 whitespace-pre-wrap wrap-anywhere"></p>
  <form method="dialog" class="flex justify-end gap-2">
    <button value="cancel" class="rounded border border-slate-500 px-3 py-1.5 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-700 dark:hover:bg-slate-800 dark:focus-visible:outline-blue-300">Cancel</button>
    <button value="delete" class="rounded bg-red-700 px-3 py-1.5 font-semibold text-white hover:bg-red-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700 dark:bg-red-600 dark:hover:bg-red-500 dark:focus-visible:outline-red-300">Delete</button>
  </form>
</dialog>`;

const NOTIFY_LEVELS = [
  ["all", "All messages"],
  ["mentions", "Mentions only"],
  ["none", "Nothing"],
] as const;

/**
 * Which of the room's messages notify the reader. With htmx a choice is saved as it is made (a
 * select posts on change), and the form comes back showing it; without, the button saves it.
 */
export function notifyForm(roomId: string, level: NotifyLevel): SafeHtml {
  const action = `${roomUrl(roomId)}/notify`;
  return html`<form id="notify-form" method="post" action="${action}" class="flex items-center gap-1.5 text-sm">
  <label for="notify-level" class="text-slate-700 dark:text-slate-300">Notify me of</label>
  <select id="notify-level" name="level" hx-post="${action}" hx-target="#notify-form" hx-swap="outerHTML" hx-sync="#notify-form:queue last" class="rounded border border-slate-500 bg-white px-1 py-0.5 focus-visible:outline-2 focus-visible:outline-blue-700 dark:border-slate-400 dark:bg-slate-800 dark:focus-visible:outline-blue-300">
    ${NOTIFY_LEVELS.map(([value, label]) => html`<option value="${value}"${value === level && html` selected`}>${label}</option>`)}
  </select>
  <button class="hidden rounded border border-slate-500 px-2 py-0.5 noscript:inline">Save</button>
</form>`;
}

/** The room's name and topic; public/chat.js follows a rename or a new topic (`roomUpdated`). */
function heading(room: Room): SafeHtml {
  const note = (text: string) => html` <span class="text-sm font-normal text-slate-600 dark:text-slate-300">${text}</span>`;
  const kind = room.kind === "direct" ? note("(direct message)") : room.archivedAt !== null ? note("(archived)") : room.isPrivate && note("(private)");
  return html`<div class="min-w-0">
        <h1 id="room-heading" class="text-xl font-bold wrap-anywhere"><span id="room-name">${room.name}</span>${kind}</h1>
        <p id="room-topic" class="text-sm text-slate-700 wrap-anywhere dark:text-slate-300" ${!room.topic && html`hidden`}>${room.topic}</p>
      </div>`;
}

export const roomSettingsUrl = (roomId: string) => `${roomUrl(roomId)}/settings`;

export function roomFragment(data: RoomData, inviteError?: string): SafeHtml {
  const { room, viewer } = data;
  return html`<div id="room" class="group/room flex flex-col gap-3 md:flex-row" data-room-id="${room.id}" data-kind="${room.kind}" data-username="${viewer.username}" data-viewer-id="${viewer.userId}" data-owner-id="${room.ownerId ?? ""}" data-viewer-admin="${String(data.viewerIsAdmin)}" data-last-seq="${data.lastSeq}" data-last-rev="${data.lastRev}" data-last-read-seq="${data.lastReadSeq ?? ""}" data-linked-seq="${data.linkedSeq ?? ""}" data-live="${String(data.isMember && room.archivedAt === null)}">
  <section aria-labelledby="room-heading" class="flex min-w-0 flex-1 flex-col rounded border border-slate-300 dark:border-slate-700">
    <div class="flex flex-wrap items-center justify-between gap-2 border-b border-slate-300 px-3 py-2 dark:border-slate-700">
      ${heading(room)}
      <p id="connection-status" role="status" class="text-sm font-semibold text-amber-800 dark:text-amber-300"></p>
      ${
        data.isMember &&
        html`<div class="flex flex-wrap items-center gap-3">
        ${notifyForm(room.id, data.notify ?? "all")}
        ${data.mayManage && room.archivedAt === null && html`<a id="room-settings-link" href="${roomSettingsUrl(room.id)}" class="text-sm text-slate-700 underline dark:text-slate-300">Room settings</a>`}
        <p class="text-sm text-slate-700 dark:text-slate-300">Export <a href="/rooms/${room.id}/export?format=md" download class="underline">Markdown</a> · <a href="/rooms/${room.id}/export?format=jsonl" download class="underline">JSON lines</a></p>
        ${room.kind === "room" && html`<form method="post" action="${roomUrl(room.id)}/leave"><button class="text-sm text-slate-700 underline dark:text-slate-300">Leave room</button></form>`}
      </div>`
      }
    </div>
    <div id="message-log" role="log" aria-label="Messages" tabindex="0" class="h-[60dvh] overflow-y-auto py-2 md:h-[calc(100dvh-13.5rem)]">
      <ol id="messages">
${historyPage(room.id, data.messages, readerMarks(data))}${!data.upToDate && data.messages.length > 0 && newerMessages(room.id, data.messages.at(-1)!.seq)}
      </ol>
    </div>
    <p id="typing-status" aria-live="polite" class="min-h-6 px-3 text-sm text-slate-700 italic dark:text-slate-300"></p>
    ${composer(data)}
    ${data.isMember && room.archivedAt === null && archivedNotice(true)}
  </section>
  ${data.isMember && deleteDialog}
  ${lightbox}
  ${membersPanel(data, inviteError)}
</div>`;
}

/** Without JavaScript, Delete asks here first: the message, and a form that deletes it. */
export function deleteConfirmation(message: Message): SafeHtml {
  const action = `${roomUrl(message.roomId)}/messages/${message.id}/delete`;
  return html`<section class="mx-auto mt-6 max-w-md">
  <h1 class="mb-2 text-xl font-bold">Delete this message?</h1>
  <p class="mb-1 text-sm text-slate-700 dark:text-slate-300">From ${message.username}:</p>
  <div class="message-text mb-4 border-l-4 border-slate-400 pl-2">${renderMarkdown(message.content, false)}</div>
  <form method="post" action="${action}" class="flex items-center gap-4">
    <button class="rounded bg-red-700 px-3 py-1.5 font-semibold text-white hover:bg-red-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700 dark:bg-red-600 dark:hover:bg-red-500 dark:focus-visible:outline-red-300">Delete</button>
    <a class="underline" href="${roomUrl(message.roomId)}#message-${message.id}">Cancel</a>
  </form>
</section>`;
}

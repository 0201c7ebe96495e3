// The sidebar on every signed-in page: your rooms and your direct messages, each with what is
// unread in it and a badge of its own for mentions of you. public/sidebar.js keeps it live; it
// only ever sets the counts and flags rendered here, so the markup has this one source.
import type { ListedRoom } from "../src/web/same-names";
import { avatar } from "./avatar";
import { roomUrl } from "./home";
import { html, type SafeHtml } from "./html";

export type Conversation = Pick<
  ListedRoom,
  "id" | "name" | "kind" | "isPrivate" | "isMember" | "lastSeq" | "lastReadSeq" | "unreadCount" | "mentionCount" | "topic" | "ownerName" | "peerAvatarUrl"
>;

/** Beside a name another listed room shares: whose room it is, and its topic, so the two can be told apart. */
export function namesakeNote(room: Pick<Conversation, "ownerName" | "topic">): SafeHtml | false {
  if (room.ownerName === undefined) return false;
  const owner = room.ownerName === null ? "no owner" : `by ${room.ownerName}`;
  return html` <span class="namesake-note text-xs font-normal text-slate-600 dark:text-slate-300">(${owner}${room.topic && html`: ${room.topic}`})</span>`;
}

export interface SidebarData {
  conversations: Conversation[];
  /** The path of the page shown: its conversation is marked current. */
  currentPath: string;
}

/** Unread in the conversations one is in: the count the page's title starts with. */
export const totalUnread = (conversations: Conversation[]) => conversations.reduce((sum, c) => sum + (c.isMember ? (c.unreadCount ?? 0) : 0), 0);

// Alphabetical, as Slack keeps channels: a conversation stays where you last saw it, so a
// message elsewhere never moves the link under your pointer or your keyboard focus; bold and
// the badges say where something is new.
const byName = (a: Conversation, b: Conversation) => a.name.localeCompare(b.name, undefined, { sensitivity: "base" });

const lockIcon = html`<svg aria-hidden="true" focusable="false" viewBox="0 0 16 16" class="size-3.5 shrink-0 fill-current"><path d="M5 7V5a3 3 0 0 1 6 0v2h1a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1h1Zm1.5 0h3V5a1.5 1.5 0 0 0-3 0v2Z"/></svg>`;

function marker(conversation: Conversation): SafeHtml {
  if (conversation.kind === "direct" && conversation.peerAvatarUrl) return avatar(conversation.peerAvatarUrl, 20);
  return conversation.isPrivate
    ? html`<span class="flex size-5 shrink-0 items-center justify-center">${lockIcon}<span class="sr-only">private room</span></span>`
    : html`<span aria-hidden="true" class="w-5 shrink-0 text-center text-slate-600 dark:text-slate-300">#</span>`;
}

/** One conversation's link; its badges are always there, hidden at zero, for sidebar.js to fill in. */
function conversationLink(conversation: Conversation, currentPath: string): SafeHtml {
  const href = roomUrl(conversation.id);
  const current = currentPath === href || currentPath.startsWith(`${href}/`);
  const unread = conversation.unreadCount ?? 0;
  const mentions = conversation.mentionCount ?? 0;
  return html`<li><a id="conversation-${conversation.id}" href="${href}" ${current && html`aria-current="page"`} data-room-id="${conversation.id}" data-last-seq="${conversation.lastSeq ?? 0}" data-last-read-seq="${conversation.lastReadSeq ?? 0}" data-unread="${unread}" data-mentions="${mentions}" class="conversation flex items-center gap-2 rounded px-2 py-1 font-bold text-slate-800 hover:bg-slate-200 focus-visible:outline-2 focus-visible:outline-blue-700 aria-[current=page]:bg-blue-100 aria-[current=page]:text-blue-950 data-[unread=0]:font-normal dark:text-slate-200 dark:hover:bg-slate-800 dark:focus-visible:outline-blue-300 dark:aria-[current=page]:bg-blue-950 dark:aria-[current=page]:text-blue-50">
    ${marker(conversation)}
    <span class="min-w-0 flex-1 truncate">${conversation.name}${namesakeNote(conversation)}</span>
    <span class="unread-badge rounded-full bg-slate-700 px-1.5 text-xs font-semibold text-white dark:bg-slate-300 dark:text-slate-900" ${unread === 0 && html`hidden`}><span class="sr-only">, unread: </span><span class="count">${unread}</span></span>
    <span class="mention-badge rounded-full bg-red-700 px-1.5 text-xs font-semibold text-white dark:bg-red-400 dark:text-slate-950" ${mentions === 0 && html`hidden`}><span aria-hidden="true">@</span><span class="sr-only">, mentions of you: </span><span class="count">${mentions}</span></span>
  </a></li>`;
}

function section(id: string, heading: string, conversations: Conversation[], currentPath: string, empty: SafeHtml, action: SafeHtml): SafeHtml {
  return html`<section aria-labelledby="${id}-heading">
    <h2 id="${id}-heading" class="px-2 pb-1 text-xs font-semibold tracking-wide text-slate-700 uppercase dark:text-slate-300">${heading}</h2>
    <ul class="flex flex-col gap-0.5">${conversations.length ? conversations.map((c) => conversationLink(c, currentPath)) : html`<li class="px-2 py-1 text-sm text-slate-700 dark:text-slate-300">${empty}</li>`}</ul>
    <p class="mt-1 px-2 text-sm">${action}</p>
  </section>`;
}

const actionLink = (href: string, text: string) => html`<a href="${href}" class="text-blue-800 underline underline-offset-2 hover:no-underline dark:text-blue-300">${text}</a>`;

/** The lists alone: what GET /chat/sidebar gives htmx when a conversation the page does not list appears. */
export function conversationLists({ conversations, currentPath }: SidebarData): SafeHtml {
  const mine = conversations.filter((c) => c.isMember).sort(byName);
  const rooms = mine.filter((c) => c.kind === "room");
  const direct = mine.filter((c) => c.kind === "direct");
  return html`<div id="conversations" class="flex flex-col gap-4">
  ${section("rooms", "Rooms", rooms, currentPath, html`None yet.`, actionLink("/", "Join or create a room"))}
  ${section("direct", "Direct messages", direct, currentPath, html`None yet.`, actionLink("/chat/people", "New message"))}
</div>`;
}

/**
 * The whole sidebar. Always shown on a wide screen; on a narrow one the header's toggle opens
 * it, and it starts open only at home, where your conversations are the page: without
 * JavaScript there is no toggle, and home is one link away.
 */
export function sidebarNav(data: SidebarData, viewerId: string): SafeHtml {
  const open = data.currentPath === "/";
  return html`<nav id="sidebar" aria-label="Conversations" data-viewer-id="${viewerId}" data-open="${String(open)}" class="border-b border-slate-300 bg-slate-50 p-3 data-[open=false]:max-lg:hidden lg:sticky lg:top-0 lg:max-h-dvh lg:w-64 lg:shrink-0 lg:overflow-y-auto lg:border-r lg:border-b-0 dark:border-slate-700 dark:bg-slate-950">
${conversationLists(data)}
</nav>`;
}

/** The header's button that opens and closes the sidebar on a narrow screen; sidebar.js shows it. */
export function sidebarToggle(data: SidebarData): SafeHtml {
  const open = data.currentPath === "/";
  const unread = totalUnread(data.conversations);
  return html`<button id="sidebar-toggle" type="button" hidden aria-controls="sidebar" aria-expanded="${String(open)}" class="flex items-center gap-1.5 rounded border border-slate-400 px-2 py-1 text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-700 lg:hidden dark:hover:bg-slate-800 dark:focus-visible:outline-blue-300">
    Conversations
    <span class="unread-badge rounded-full bg-slate-700 px-1.5 text-xs font-semibold text-white dark:bg-slate-300 dark:text-slate-900" ${unread === 0 && html`hidden`}><span class="sr-only">, unread: </span><span class="count">${unread}</span></span>
  </button>`;
}

// One message, as the history shows it and as live delivery inserts it or replaces it after a
// change: the same template, so the two can never differ. Rendered without knowing the reader
// (once per message state, for everyone): what depends on the reader (your own messages'
// Edit and Delete, mentions of you, your own reactions, who reacted by name) is shown by
// public/actions.js from the viewer's id on #room, through the data attributes below.

import { INLINE_IMAGE_TYPES } from "../src/attachments/images";
import type { Message, Reaction } from "../src/messages/schemas";
import { avatarUrl } from "../src/people/avatars";
import { avatar } from "./avatar";
import { roomUrl } from "./home";
import { html, type SafeHtml } from "./html";
import { plainText, renderMarkdown } from "./markdown";

// The long class lists every message repeats are named in views/app.css (.message, .reaction, ...).

/** The picker's emoji, with the names a screen reader says. */
export const COMMON_EMOJI = [
  ["👍", "thumbs up"],
  ["❤️", "heart"],
  ["😂", "laughing"],
  ["🎉", "party"],
  ["😮", "surprised"],
  ["😢", "sad"],
] as const;

export const messageUrl = (message: Pick<Message, "roomId" | "id">) => `${roomUrl(message.roomId)}/messages/${message.id}`;
/** The message's permalink: its room, opened around it (src/web/room-pages.ts). */
export const permalink = (message: Pick<Message, "roomId" | "seq">) => `${roomUrl(message.roomId)}?seq=${message.seq}`;

/** "14:05 UTC": what a reader without the script sees; public/chat.js shows local time. */
function utcTime(iso: string): SafeHtml {
  return html`<time datetime="${iso}" title="${iso}" class="text-xs text-slate-600 dark:text-slate-300">${iso.slice(11, 16)} UTC</time>`;
}

/** The message this one answers, as a link to it: its words, without their formatting. */
function replyQuote(replyTo: NonNullable<Message["replyTo"]>): SafeHtml {
  return html`<a href="#message-${replyTo.id}" class="reply-quote mb-0.5 block truncate border-l-4 border-slate-400 pl-2 text-sm text-slate-700 hover:underline dark:border-slate-500 dark:text-slate-300"><span class="sr-only">In reply to </span><span class="font-semibold">${replyTo.username}</span>: ${plainText(replyTo.content) || "a deleted message"}</a>`;
}

/** "1.2 MB": a file's size as people read it. */
export function fileSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const [value, unit] = bytes < 1e6 ? [bytes / 1e3, "kB"] : [bytes / 1e6, "MB"];
  return `${value.toFixed(value < 10 ? 1 : 0)} ${unit}`;
}

/**
 * Images as their preview, a link to the whole picture (public/uploads.js opens it in a
 * lightbox); anything else as a download link with its name and size.
 */
function attachments(message: Message): SafeHtml {
  const item = (a: Message["attachments"][number]) =>
    INLINE_IMAGE_TYPES.has(a.contentType)
      ? html`<li><a href="${a.url}" class="attachment-image" data-lightbox><img src="${a.url}?thumb=1" alt="${a.name}" loading="lazy" ${a.width && html`width="${Math.min(a.width, 400)}" height="${Math.round((a.height ?? 0) * Math.min(1, 400 / a.width))}"`} class="max-h-72 max-w-full rounded border border-slate-300 dark:border-slate-600"></a></li>`
      : html`<li><a href="${a.url}" download="${a.name}" class="attachment-file"><span class="underline">${a.name}</span> <span class="text-xs text-slate-600 dark:text-slate-300">(${fileSize(a.size)})</span></a></li>`;
  return html`<ul class="attachments mt-1 flex flex-wrap items-end gap-2" aria-label="Attachments">${message.attachments.map(item)}</ul>`;
}

const people = (count: number) => (count === 1 ? "1 person" : `${count} people`);

/**
 * One toggle per emoji, a plain form post without JavaScript. Who reacted is said as a count
 * here; public/actions.js puts in the names and presses your own.
 */
function reactions(message: Message): SafeHtml {
  const chip = (reaction: Reaction) => {
    const who = `${people(reaction.count)} reacted with ${reaction.emoji}`;
    return html`<li><button name="emoji" value="${reaction.emoji}" data-user-ids="${reaction.userIds.join(" ")}" title="${who}" class="reaction">
      <span aria-hidden="true">${reaction.emoji}</span><span aria-hidden="true" class="font-semibold">${reaction.count}</span><span class="reaction-label sr-only">${who}</span>
    </button></li>`;
  };
  return html`<form method="post" action="${messageUrl(message)}/reactions" class="reactions-form mt-1">
    <ul class="reactions flex flex-wrap gap-1" aria-label="Reactions">${message.reactions.map(chip)}</ul>
  </form>`;
}

/**
 * React, Reply, Link, Mark unread, Edit, Delete. Reacting, marking unread and deleting work without
 * JavaScript (a picker in a <details>, a plain form, a page that asks before deleting); Link is
 * the permalink (public/actions.js copies it instead of following it); Reply
 * and Edit need the script, and Edit and
 * Delete show only on messages the reader may change (Delete shows on every message without
 * the script: the confirmation page says who may). On a mouse-driven screen they show while
 * the pointer or the focus is on the message.
 */
function actions(message: Message): SafeHtml {
  const url = messageUrl(message);
  return html`<div role="group" aria-label="Actions on the message from ${message.username}" class="message-actions">
    <details class="react-picker relative">
      <summary class="message-action cursor-pointer list-none">React</summary>
      <form method="post" action="${url}/reactions" class="react-picker-menu">
        ${COMMON_EMOJI.map(
          ([emoji, name]) => html`<button name="emoji" value="${emoji}" aria-label="React with ${name}" title="${name}" class="react-picker-emoji">${emoji}</button>`,
        )}
      </form>
    </details>
    <button type="button" data-action="reply" class="message-action hidden group-data-[enhanced=true]/room:inline">Reply</button>
    <a href="${permalink(message)}" data-action="link" title="Copy a link to this message" class="message-action">Link<span class="sr-only"> to this message</span></a>
    <form method="post" action="${url}/unread" class="contents"><button data-action="unread" class="message-action">Mark unread</button></form>
    <button type="button" data-action="edit" class="message-action hidden group-data-[own=true]/message:inline">Edit</button>
    <a href="${url}/delete" data-action="delete" class="message-action hidden noscript:inline group-data-[may-delete=true]/message:inline">Delete</a>
  </div>`;
}

/** How the message sits in the log, for one reader (views/timeline.ts); live delivery leaves it to public/timeline.js. */
export interface Placing {
  /** Follows a message of the same person closely: shown under its name and time (views/app.css). */
  grouped?: boolean;
  /** The other person in a direct room has read up to here. */
  seen?: boolean;
  /** The message the page was opened at (its permalink): highlighted. */
  linked?: boolean;
}

/** The pages the message links to, as their sites describe them; the image is served by ChatLoop itself. */
function linkPreviews(previews: Message["previews"]): SafeHtml {
  return html`<ul class="link-previews mt-1 flex flex-col gap-1">${previews.map(
    (preview) => html`<li class="flex max-w-md gap-2 rounded border-l-4 border-slate-400 bg-slate-50 p-2 text-sm dark:border-slate-500 dark:bg-slate-800">
    ${preview.imageUrl && html`<img src="${preview.imageUrl}" alt="" loading="lazy" class="h-16 w-16 shrink-0 rounded object-cover">`}
    <div class="min-w-0">
      <a href="${preview.url}" rel="noopener noreferrer nofollow" target="_blank" class="font-semibold underline wrap-anywhere">${preview.title ?? preview.url}</a>
      ${preview.description && html`<p class="text-slate-700 dark:text-slate-300">${preview.description}</p>`}
    </div>
  </li>`,
  )}</ul>`;
}

/** Under your last message that the other person in a direct room has read; public/reading.js moves it as they read. */
export const seenReceipt = html`<p class="seen-receipt">Seen</p>`;

// hx-disable: even if some text slipped through as markup, htmx would not act on it.
// The text is formatted (views/markdown.ts); the inert <template> keeps it as written, for
// editing (never in an attribute: no user text lands where htmx, or anything, reads attributes).
// "(edited)" follows the text, not the name: a grouped message shows its head only on hover.
export function messageItem(message: Message, placing: Placing = {}): SafeHtml {
  const deleted = message.deletedAt !== null;
  const mentions = message.mentions.length > 0;
  return html`<li id="message-${message.id}" class="message group/message" data-seq="${message.seq}" data-rev="${message.rev}" data-client-id="${message.clientId ?? ""}" data-sender-id="${message.senderId}" data-mentions="${message.mentions.join(" ")}" data-deleted="${String(deleted)}" data-grouped="${String(placing.grouped ?? false)}"${placing.linked && html` data-linked="true"`} hx-disable>
  ${!deleted && message.replyTo && replyQuote(message.replyTo)}
  <div class="message-head">
    ${avatar(avatarUrl(message.senderId), 24)}<span class="message-author font-semibold">${message.username}</span> ${utcTime(message.createdAt)}
    ${mentions && html`<span class="mentions-you hidden rounded bg-amber-200 px-1 text-xs font-semibold text-amber-950 group-data-[mentions-you=true]/message:inline">mentions you</span>`}
    ${!deleted && actions(message)}
  </div>
  ${
    deleted
      ? html`<p class="message-text italic text-slate-600 dark:text-slate-300">This message was deleted</p>`
      : html`<div class="message-body"><div class="message-text">${renderMarkdown(message.content, mentions)}</div>${message.editedAt && html`<span class="edited text-xs text-slate-600 dark:text-slate-300">(edited)</span>`}<template class="message-source">${message.content}</template></div>`
  }
  ${!deleted && message.previews.length > 0 && linkPreviews(message.previews)}
  ${!deleted && message.attachments.length > 0 && attachments(message)}
  ${!deleted && message.reactions.length > 0 && reactions(message)}
  ${placing.seen && seenReceipt}
</li>`;
}

// One message, as the history shows it and as live delivery inserts it or replaces it after a
// change: the same template, so the two can never differ. Rendered without knowing the reader
// (once per message state, for everyone): what depends on the reader (your own messages'
// Edit and Delete, mentions of you, your own reactions, who reacted by name) is shown by
// public/actions.js from the viewer's id on #room, through the data attributes below.
import type { Message, Reaction } from "../src/messages/schemas";
import { html, type SafeHtml } from "./html";
import { roomUrl } from "./home";

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

// http(s) URLs up to whitespace or a character that cannot end one; trailing punctuation
// is left to the sentence ("see https://example.com.").
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+[^\s<>"'`.,;:!?)\]}]/g;
// "@username" as src/messages/mentions.ts finds it: not inside a word or an e-mail address.
const MENTION_PATTERN = /(?<![A-Za-z0-9_.@-])@[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,30}[A-Za-z0-9_])?/g;

/** Text with its @mentions marked; only a message that mentions someone has any. */
function markMentions(text: string, mentions: boolean): SafeHtml {
  if (!mentions) return html`${text}`;
  const parts: (string | SafeHtml)[] = [];
  let last = 0;
  for (const match of text.matchAll(MENTION_PATTERN)) {
    parts.push(text.slice(last, match.index));
    parts.push(html`<span class="mention">${match[0]}</span>`);
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return html`${parts}`;
}

/** The text, escaped, with its http(s) links clickable and its mentions marked. Newlines stay (the CSS keeps them). */
function richText(text: string, mentions: boolean): SafeHtml {
  const parts: SafeHtml[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    parts.push(markMentions(text.slice(last, match.index), mentions));
    parts.push(html`<a href="${match[0]}" rel="noopener noreferrer nofollow" target="_blank" class="text-blue-700 underline dark:text-blue-300">${match[0]}</a>`);
    last = match.index + match[0].length;
  }
  parts.push(markMentions(text.slice(last), mentions));
  return html`${parts}`;
}

/** "14:05 UTC": what a reader without the script sees; public/chat.js shows local time. */
function utcTime(iso: string): SafeHtml {
  return html`<time datetime="${iso}" title="${iso}" class="text-xs text-slate-600 dark:text-slate-300">${iso.slice(11, 16)} UTC</time>`;
}

/** The message this one answers, as a link to it. */
function replyQuote(replyTo: NonNullable<Message["replyTo"]>): SafeHtml {
  return html`<a href="#message-${replyTo.id}" class="reply-quote mb-0.5 block truncate border-l-4 border-slate-400 pl-2 text-sm text-slate-700 hover:underline dark:border-slate-500 dark:text-slate-300"><span class="sr-only">In reply to </span><span class="font-semibold">${replyTo.username}</span>: ${replyTo.content || "a deleted message"}</a>`;
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
          ([emoji, name]) =>
            html`<button name="emoji" value="${emoji}" aria-label="React with ${name}" title="${name}" class="react-picker-emoji">${emoji}</button>`,
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

/** Under your last message that the other person in a direct room has read; public/reading.js moves it as they read. */
export const seenReceipt = html`<p class="seen-receipt">Seen</p>`;

// hx-disable: even if some text slipped through as markup, htmx would not act on it.
// "(edited)" follows the text, not the name: a grouped message shows its head only on hover.
export function messageItem(message: Message, placing: Placing = {}): SafeHtml {
  const deleted = message.deletedAt !== null;
  const mentions = message.mentions.length > 0;
  return html`<li id="message-${message.id}" class="message group/message" data-seq="${message.seq}" data-rev="${message.rev}" data-client-id="${message.clientId ?? ""}" data-sender-id="${message.senderId}" data-mentions="${message.mentions.join(" ")}" data-deleted="${String(deleted)}" data-grouped="${String(placing.grouped ?? false)}"${placing.linked && html` data-linked="true"`} hx-disable>
  ${!deleted && message.replyTo && replyQuote(message.replyTo)}
  <div class="message-head">
    <span class="message-author font-semibold">${message.username}</span> ${utcTime(message.createdAt)}
    ${mentions && html`<span class="mentions-you hidden rounded bg-amber-200 px-1 text-xs font-semibold text-amber-950 group-data-[mentions-you=true]/message:inline">mentions you</span>`}
    ${!deleted && actions(message)}
  </div>
  ${deleted
    ? html`<p class="message-text italic text-slate-600 dark:text-slate-300">This message was deleted</p>`
    : html`<div class="message-body whitespace-pre-wrap wrap-anywhere"><span class="message-text">${richText(message.content, mentions)}</span>${message.editedAt && html` <span class="edited text-xs text-slate-600 dark:text-slate-300">(edited)</span>`}</div>`}
  ${!deleted && message.reactions.length > 0 && reactions(message)}
  ${placing.seen && seenReceipt}
</li>`;
}


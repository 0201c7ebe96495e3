// One message, as the history shows it and as live delivery inserts it: the same template,
// so the two can never differ. Rendered without knowing the reader (once per message).
import type { Message } from "../src/messages/schemas";
import { html, type SafeHtml } from "./html";

// http(s) URLs up to whitespace or a character that cannot end one; trailing punctuation
// is left to the sentence ("see https://example.com.").
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+[^\s<>"'`.,;:!?)\]}]/g;

/** The text, escaped, with its http(s) links clickable. Newlines stay (the CSS keeps them). */
function linkify(text: string): SafeHtml {
  const parts: (string | SafeHtml)[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    parts.push(text.slice(last, match.index));
    parts.push(html`<a href="${match[0]}" rel="noopener noreferrer nofollow" target="_blank" class="text-blue-700 underline dark:text-blue-300">${match[0]}</a>`);
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return html`${parts}`;
}

/** "14:05 UTC": what a reader without the script sees; public/chat.js shows local time. */
function utcTime(iso: string): SafeHtml {
  return html`<time datetime="${iso}" title="${iso}" class="text-xs text-slate-600 dark:text-slate-300">${iso.slice(11, 16)} UTC</time>`;
}

// hx-disable: even if some text slipped through as markup, htmx would not act on it.
export function messageItem(message: Message): SafeHtml {
  return html`<li id="message-${message.id}" class="message px-3 py-1.5" data-seq="${message.seq}" data-client-id="${message.clientId ?? ""}" data-sender-id="${message.senderId}" hx-disable>
  <p class="flex items-baseline gap-2"><span class="font-semibold">${message.username}</span> ${utcTime(message.createdAt)}</p>
  <p class="whitespace-pre-wrap wrap-anywhere">${linkify(message.content)}</p>
</li>`;
}

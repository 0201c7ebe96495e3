// The log as a conversation, as far as the server can tell without knowing the reader's time
// zone: days in UTC, each begun by a separator; consecutive messages from one person within
// GROUP_MS grouped under one name and time; and the "New messages" divider before the first
// message the reader has not read. public/timeline.js applies the same rules again in the
// reader's own zone, and to what arrives live.
import type { Message } from "../src/messages/schemas";
import { html, type SafeHtml } from "./html";
import { messageItem } from "./message";

/** Messages from one person at most this far apart read as one turn (public/timeline.js: the same). */
export const GROUP_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

const inThisYear = new Intl.DateTimeFormat("en", { timeZone: "UTC", weekday: "long", month: "long", day: "numeric" });
const inAnotherYear = new Intl.DateTimeFormat("en", { timeZone: "UTC", weekday: "long", month: "long", day: "numeric", year: "numeric" });
const utcDay = (time: Date) => time.toISOString().slice(0, 10);

/** "Today", "Yesterday", "Monday, June 3", or with the year when it is not this one. */
export function dayLabel(day: Date, now = new Date()): string {
  if (utcDay(day) === utcDay(now)) return "Today";
  if (utcDay(day) === utcDay(new Date(now.getTime() - DAY_MS))) return "Yesterday";
  return (day.getUTCFullYear() === now.getUTCFullYear() ? inThisYear : inAnotherYear).format(day);
}

function daySeparator(createdAt: string): SafeHtml {
  const day = new Date(createdAt);
  return html`<li class="day-separator" data-day="${utcDay(day)}"><h2>${dayLabel(day)}</h2></li>`;
}

const unreadDivider = html`<li id="unread-divider" class="unread-divider"><span>New messages</span></li>`;

/** What the log marks for its reader. */
export interface ReaderMarks {
  /** The first message the reader has not read: the "New messages" divider goes before it. */
  unreadFrom?: number;
  /** The reader's own message that the other person in a direct room has read last: "Seen" goes under it. */
  seen?: number;
  /** The message the page was opened at (a permalink). */
  linked?: number;
}

/** Messages in seq order, with a separator where a day begins, grouped, and marked for the reader. */
export function conversation(messages: Message[], marks: ReaderMarks = {}): SafeHtml {
  return html`${messages.map((message, i) => {
    const previous = messages[i - 1];
    const newDay = !previous || utcDay(new Date(previous.createdAt)) !== utcDay(new Date(message.createdAt));
    const divided = message.seq === marks.unreadFrom;
    const grouped =
      previous !== undefined && !newDay && !divided && previous.senderId === message.senderId && Date.parse(message.createdAt) - Date.parse(previous.createdAt) < GROUP_MS;
    return html`${divided && unreadDivider}${newDay && daySeparator(message.createdAt)}${messageItem(message, { grouped, seen: message.seq === marks.seen, linked: message.seq === marks.linked })}`;
  })}`;
}

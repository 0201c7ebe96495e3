// Search in the browser: a plain GET form (the header has one on every signed-in page), the
// results newest first, each with its room, author, time and text with the matches marked,
// linking to the message's permalink; and a link to the next page of older results.
import type { FoundMessage } from "../src/search/search";
import { buttonClass, formError, inputClass } from "./forms";
import { highlighted } from "./highlight";
import { html, type SafeHtml } from "./html";
import { permalink } from "./message";

export interface SearchData {
  q: string;
  /** Searching one room: its id and name. */
  room?: { id: string; name: string };
  results: FoundMessage[];
  /** Room names by id, for the results' headings. */
  roomNames: Map<string, string>;
  /** The next page of older results, when there may be one. */
  next?: string;
  error?: string;
}

/** The search form of the page's header. */
export function searchBox(q = ""): SafeHtml {
  return html`<form method="get" action="/chat/search" role="search" class="flex items-center gap-1">
    <label for="search-box" class="sr-only">Search messages</label>
    <input id="search-box" name="q" type="search" value="${q}" maxlength="256" placeholder="Search messages" class="${inputClass} w-40 py-1 sm:w-56">
    <button class="rounded border border-slate-400 px-2 py-1 hover:bg-slate-100 focus-visible:outline-2 dark:hover:bg-slate-800">Search</button>
  </form>`;
}

function result(found: FoundMessage, roomName: string): SafeHtml {
  return html`<li class="search-result">
  <a href="${permalink(found)}" class="block rounded px-2 py-2 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-700 dark:hover:bg-slate-800 dark:focus-visible:outline-blue-300">
    <span class="flex flex-wrap items-baseline gap-x-2 text-sm">
      <span class="font-semibold">${roomName}</span>
      <span class="text-slate-700 dark:text-slate-300">${found.username}</span>
      <time datetime="${found.createdAt}" class="text-xs text-slate-600 dark:text-slate-300">${found.createdAt.slice(0, 16).replace("T", " ")} UTC</time>
    </span>
    <span class="search-text block whitespace-pre-wrap wrap-anywhere">${highlighted(found)}</span>
  </a>
</li>`;
}

function resultCount({ q, results, next }: SearchData): string {
  if (results.length === 0) return `No messages found for “${q}”.`;
  const count = results.length === 1 ? "1 message" : `${results.length} messages`;
  return `${next ? `The newest ${count}` : count} found for “${q}”.`;
}

export function searchFragment(data: SearchData): SafeHtml {
  return html`<section id="search" aria-labelledby="search-heading" class="flex max-w-3xl flex-col gap-3">
  <h1 id="search-heading" class="text-xl font-bold">Search${data.room && html` in ${data.room.name}`}</h1>
  ${formError(data.error)}
  <form method="get" action="/chat/search" role="search" class="flex items-end gap-2">
    ${data.room && html`<input type="hidden" name="roomId" value="${data.room.id}">`}
    <div class="flex flex-1 flex-col gap-1">
      <label for="search-query" class="font-medium">Words, "a phrase", or part of a word, an address or a link</label>
      <input id="search-query" name="q" type="search" value="${data.q}" maxlength="256" required class="${inputClass}">
    </div>
    <button class="${buttonClass}">Search</button>
  </form>
  ${data.room && html`<p class="text-sm"><a class="underline" href="/chat/search?${new URLSearchParams({ q: data.q })}">Search all rooms instead</a></p>`}
  ${data.q && !data.error && html`<p id="search-count" role="status" class="text-sm text-slate-700 dark:text-slate-300">${resultCount(data)}</p>`}
  <ol id="search-results" class="flex flex-col divide-y divide-slate-200 dark:divide-slate-700">${data.results.map((found) => result(found, data.roomNames.get(found.roomId) ?? "a room"))}</ol>
  ${data.next && html`<p><a class="underline" href="${data.next}">Older results</a></p>`}
</section>`;
}

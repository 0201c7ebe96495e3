// People: find someone by name and start a direct message with them. The search is a plain GET
// form; with htmx the results follow the query as it is typed.
import type { Person } from "../src/people/schemas";
import { buttonClass, formError, inputClass } from "./forms";
import { html, type SafeHtml } from "./html";

export interface PeopleData {
  query: string;
  people: Person[];
  viewer: { userId: string };
  /** Why a direct message could not be opened. */
  error?: string;
}

/** Opens the direct room with this person, made the first time (here, and by each member of a room: views/room.ts). */
export function messageButton(username: string, label: SafeHtml = html`Message`, classes = `${buttonClass} text-sm`): SafeHtml {
  return html`<form method="post" action="/chat/dms">
    <input type="hidden" name="username" value="${username}">
    <button class="${classes}">${label}<span class="sr-only"> ${username}</span></button>
  </form>`;
}

function personItem(person: Person, viewerId: string): SafeHtml {
  const you = person.id === viewerId;
  return html`<li class="flex items-center justify-between gap-2 px-2 py-1.5">
  <span class="min-w-0 wrap-anywhere">${person.username}${you && html` <span class="text-sm text-slate-700 dark:text-slate-300">(you)</span>`}</span>
  ${messageButton(person.username, you ? html`Write notes` : undefined)}
</li>`;
}

function resultCount({ query, people }: PeopleData): string {
  const found = people.length === 1 ? "1 person" : `${people.length} people`;
  return query ? `${found} found for “${query}”.` : `${found}.`;
}

export function peopleFragment(data: PeopleData): SafeHtml {
  // The input asks for this page again as it changes; htmx takes the results and the count
  // from the answer and leaves the input alone, so typing is never interrupted.
  return html`<section id="people" aria-labelledby="people-heading" class="flex max-w-xl flex-col gap-3">
  <h1 id="people-heading" class="text-xl font-bold">People</h1>
  ${formError(data.error)}
  <form method="get" action="/chat/people" role="search" class="flex items-end gap-2">
    <div class="flex flex-1 flex-col gap-1">
      <label for="people-query" class="font-medium">Find someone by username</label>
      <input id="people-query" name="query" type="search" value="${data.query}" maxlength="100" autocomplete="off" class="${inputClass}"
        hx-get="/chat/people" hx-trigger="input changed delay:300ms, search" hx-target="#people-results" hx-select="#people-results" hx-swap="outerHTML" hx-select-oob="#people-count:innerHTML">
    </div>
    <button class="${buttonClass}">Search</button>
  </form>
  <p id="people-count" role="status" class="text-sm text-slate-700 dark:text-slate-300">${resultCount(data)}</p>
  <ul id="people-results" class="flex flex-col divide-y divide-slate-200 dark:divide-slate-700">${data.people.map((p) => personItem(p, data.viewer.userId))}</ul>
</section>`;
}

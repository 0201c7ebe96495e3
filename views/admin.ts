// The admin page: the join link, and the people of the server with what an admin may do to
// each (deactivate or reactivate, make or remove an admin, a one-time reset link). Every action
// is a plain form; htmx swaps just the row (or the join link) it changed. public/admin.js adds
// the Copy buttons.
import type { Account } from "../src/auth/schemas";
import type { Registration } from "../src/config";
import { buttonClass, formError, inputClass } from "./forms";
import { html, type SafeHtml } from "./html";

export const ADMIN_PATH = "/chat/admin";
export const accountPath = (userId: string) => `${ADMIN_PATH}/users/${userId}`;

const smallButton =
  "rounded border border-slate-500 px-2 py-1 text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-700 dark:border-slate-400 dark:hover:bg-slate-800 dark:focus-visible:outline-blue-300";
const badge = "rounded px-1.5 text-xs font-semibold";

/** A link to hand over: shown in a read-only field to select, with a Copy button once the script runs. */
function linkField(id: string, label: SafeHtml, url: string): SafeHtml {
  return html`<div class="flex flex-col gap-1">
  <label for="${id}" class="text-sm font-medium">${label}</label>
  <div class="flex gap-2">
    <input id="${id}" type="text" readonly value="${url}" class="${inputClass} font-mono text-sm">
    <button type="button" data-copy="${id}" hidden class="${smallButton}">Copy<span class="sr-only"> the link</span></button>
  </div>
  <p data-copied="${id}" role="status" class="min-h-5 text-sm text-slate-700 dark:text-slate-300"></p>
</div>`;
}

export interface JoinLinkData {
  url: string;
  registration: Registration;
  /** Just replaced: say that the old one stopped working. */
  replaced?: boolean;
}

export function joinLinkPanel(data: JoinLinkData): SafeHtml {
  const action = `${ADMIN_PATH}/join-link`;
  return html`<div id="join-link" class="flex flex-col gap-2">
  <p>${
    data.registration === "link"
      ? html`Sign-up is <strong>closed</strong> (<code>REGISTRATION=link</code>): only people with this link can create an account.`
      : html`Sign-up is <strong>open</strong> to anyone who reaches this server (<code>REGISTRATION=open</code>); this link works as well.`
  }</p>
  ${linkField("join-link-url", html`Join link`, data.url)}
  ${data.replaced && html`<p role="status" class="text-sm">Replaced: the old link no longer works.</p>`}
  <form method="post" action="${action}" hx-post="${action}" hx-target="#join-link" hx-swap="outerHTML">
    <button class="${smallButton}">Replace the join link</button>
  </form>
</div>`;
}

/** What an action on one account left to show in its row. */
export interface RowResult {
  resetLink?: { url: string; expiresAt: string };
  error?: string;
}

function actionForm(account: Account, action: string, label: string, fields: SafeHtml = html``): SafeHtml {
  const url = `${accountPath(account.id)}/${action}`;
  return html`<form method="post" action="${url}" hx-post="${url}" hx-target="closest li" hx-swap="outerHTML">
    ${fields}<button class="${smallButton}">${label}<span class="sr-only"> ${account.username}</span></button>
  </form>`;
}

export function accountRow(account: Account, viewerId: string, result: RowResult = {}): SafeHtml {
  const you = account.id === viewerId;
  const expires = result.resetLink && new Date(result.resetLink.expiresAt).toISOString().replace("T", " ").slice(0, 16);
  return html`<li id="account-${account.id}" class="flex flex-col gap-2 py-2">
  <div class="flex flex-wrap items-center gap-2">
    <span class="min-w-0 flex-1 font-medium wrap-anywhere">${account.username}${you && html` <span class="text-sm font-normal text-slate-700 dark:text-slate-300">(you)</span>`}
      ${account.isAdmin && html`<span class="${badge} bg-blue-100 text-blue-900 dark:bg-blue-950 dark:text-blue-100">admin</span>`}
      ${account.deactivated && html`<span class="${badge} bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-100">deactivated</span>`}
    </span>
    <div role="group" aria-label="Actions on ${account.username}" class="flex flex-wrap gap-2">
      ${!you && (account.deactivated ? actionForm(account, "reactivate", "Reactivate") : actionForm(account, "deactivate", "Deactivate"))}
      ${actionForm(account, "admin", account.isAdmin ? "Remove admin" : "Make admin", html`<input type="hidden" name="isAdmin" value="${String(!account.isAdmin)}">`)}
      ${actionForm(account, "reset-link", "Reset link")}
    </div>
  </div>
  ${formError(result.error)}
  ${result.resetLink && linkField(`reset-link-${account.id}`, html`One-time link for ${account.username} to set a new password (works once, until ${expires} UTC)`, result.resetLink.url)}
</li>`;
}

export interface AdminData {
  viewerId: string;
  query: string;
  /** Where this page starts: after this username (not on the first page). */
  after?: string;
  accounts: Account[];
  /** The username the next page starts after, if there is one. */
  next?: string;
  joinLink: JoinLinkData;
  /** The row an action without JavaScript just changed, shown with its result. */
  result?: { userId: string } & RowResult;
}

const pageUrl = (query: string, after: string) => `${ADMIN_PATH}?${new URLSearchParams({ query, after })}`;

export function adminFragment(data: AdminData): SafeHtml {
  const row = (account: Account) => accountRow(account, data.viewerId, account.id === data.result?.userId ? data.result : {});
  return html`<div id="admin" class="flex max-w-3xl flex-col gap-6">
  <h1 class="text-xl font-bold">Admin</h1>
  <section aria-labelledby="join-heading" class="flex flex-col gap-2">
    <h2 id="join-heading" class="text-lg font-bold">Who may sign up</h2>
    ${joinLinkPanel(data.joinLink)}
  </section>
  <section aria-labelledby="accounts-heading" class="flex flex-col gap-3">
    <h2 id="accounts-heading" class="text-lg font-bold">People</h2>
    <form method="get" action="${ADMIN_PATH}" role="search" class="flex items-end gap-2">
      <div class="flex flex-1 flex-col gap-1">
        <label for="accounts-query" class="font-medium">Find someone by username</label>
        <input id="accounts-query" name="query" type="search" value="${data.query}" maxlength="100" autocomplete="off" class="${inputClass}"
          hx-get="${ADMIN_PATH}" hx-trigger="input changed delay:300ms, search" hx-target="#accounts" hx-select="#accounts" hx-swap="outerHTML">
      </div>
      <button class="${buttonClass}">Search</button>
    </form>
    <div id="accounts">
      <ul class="flex flex-col divide-y divide-slate-200 dark:divide-slate-700">${data.accounts.length ? data.accounts.map(row) : html`<li class="py-2">Nobody found.</li>`}</ul>
      <p class="mt-2 flex gap-4">
        ${data.after && html`<a href="${ADMIN_PATH}?${new URLSearchParams({ query: data.query })}" class="underline">First page</a>`}
        ${data.next && html`<a href="${pageUrl(data.query, data.next)}" class="underline">Next page</a>`}
      </p>
    </div>
  </section>
</div>`;
}

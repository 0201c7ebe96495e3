// API tokens in the browser: make one (shown once, with a button that copies it), see each
// one's name, when it was made, last used and expires, and revoke it.
import type { ApiToken } from "../src/auth/api-tokens";
import { buttonClass, field, formError, inputClass } from "./forms";
import { html, type SafeHtml } from "./html";

export interface TokensData {
  tokens: ApiToken[];
  /** A token made just now: the only time it is shown. */
  made?: { name: string; token: string };
  error?: string;
}

const when = (iso: string | null, none: string) => (iso ? html`<time datetime="${iso}">${iso.slice(0, 16).replace("T", " ")} UTC</time>` : none);

function tokenRow(token: ApiToken): SafeHtml {
  return html`<tr class="border-t border-slate-200 dark:border-slate-700">
  <td class="px-2 py-1.5 wrap-anywhere">${token.name}</td>
  <td class="px-2 py-1.5">${when(token.createdAt, "")}</td>
  <td class="px-2 py-1.5">${when(token.lastUsedAt, "never")}</td>
  <td class="px-2 py-1.5">${when(token.expiresAt, "never")}</td>
  <td class="px-2 py-1.5"><form method="post" action="/chat/tokens/${token.id}/revoke">
    <button class="rounded border border-slate-400 px-2 py-1 hover:bg-slate-100 focus-visible:outline-2 dark:hover:bg-slate-800">Revoke<span class="sr-only"> ${token.name}</span></button>
  </form></td>
</tr>`;
}

export function tokensFragment(data: TokensData): SafeHtml {
  return html`<section id="tokens" aria-labelledby="tokens-heading" class="flex max-w-3xl flex-col gap-4">
  <h1 id="tokens-heading" class="text-xl font-bold">API tokens</h1>
  <p>A token lets a program act as you, on the API and over Socket.IO: send it as <code>Authorization: Bearer &lt;token&gt;</code>, never in a URL.</p>
  ${
    data.made &&
    html`<div role="status" class="flex flex-col gap-2 rounded border border-green-700 bg-green-50 p-3 dark:border-green-400 dark:bg-green-950">
    <p><strong>${data.made.name}</strong> is made. Copy it now: it is not shown again.</p>
    <div class="flex items-center gap-2">
      <input id="new-token" readonly value="${data.made.token}" aria-label="Your new token" class="${inputClass} font-mono text-sm">
      <button type="button" data-copy="new-token" class="${buttonClass}">Copy</button>
    </div>
  </div>`
  }
  ${formError(data.error)}
  <form method="post" action="/chat/tokens" class="flex flex-wrap items-end gap-2">
    <div class="min-w-48 flex-1">${field({ id: "token-name", label: "Name", name: "name", attributes: html`maxlength="100"` })}</div>
    <div class="flex flex-col gap-1">
      <label for="token-expiry" class="font-medium">Expires</label>
      <select id="token-expiry" name="expiresInDays" class="${inputClass}">
        <option value="30">in 30 days</option>
        <option value="90">in 90 days</option>
        <option value="365">in a year</option>
        <option value="">never</option>
      </select>
    </div>
    <button class="${buttonClass}">Make a token</button>
  </form>
  ${
    data.tokens.length === 0
      ? html`<p>You have no tokens.</p>`
      : html`<table class="w-full text-left text-sm">
    <thead><tr><th class="px-2 py-1.5">Name</th><th class="px-2 py-1.5">Made</th><th class="px-2 py-1.5">Last used</th><th class="px-2 py-1.5">Expires</th><th class="px-2 py-1.5"><span class="sr-only">Revoke</span></th></tr></thead>
    <tbody>${data.tokens.map(tokenRow)}</tbody>
  </table>`
  }
</section>`;
}

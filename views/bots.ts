// Bots in the browser (site admins): make one (its token and secret shown once), see them all.
import type { Bot } from "../src/bots/bots";
import { buttonClass, field, formError, inputClass } from "./forms";
import { html, type SafeHtml } from "./html";

export interface BotsData {
  bots: Bot[];
  made?: { username: string; token: string; secret: string };
  error?: string;
}

const shownOnce = (id: string, label: string, value: string) => html`<div class="flex flex-col gap-1">
  <label for="${id}" class="font-medium">${label}</label>
  <div class="flex items-center gap-2">
    <input id="${id}" readonly value="${value}" class="${inputClass} font-mono text-sm">
    <button type="button" data-copy="${id}" class="${buttonClass}">Copy</button>
  </div>
</div>`;

export function botsFragment(data: BotsData): SafeHtml {
  return html`<section id="bots" aria-labelledby="bots-heading" class="flex max-w-3xl flex-col gap-4">
  <h1 id="bots-heading" class="text-xl font-bold">Bots</h1>
  <p>A bot signs in with its token. Messages that mention it, or are in its direct room, are POSTed to its webhook URL, signed with its secret; what it answers is posted as its reply. Invite it to a room to mention it there.</p>
  ${
    data.made &&
    html`<div role="status" class="flex flex-col gap-2 rounded border border-green-700 bg-green-50 p-3 dark:border-green-400 dark:bg-green-950">
    <p><strong>${data.made.username}</strong> is made. Copy its token and secret now: they are not shown again.</p>
    ${shownOnce("bot-token", "Token", data.made.token)}
    ${shownOnce("bot-secret", "Signing secret", data.made.secret)}
  </div>`
  }
  ${formError(data.error)}
  <form method="post" action="/chat/admin/bots" class="flex flex-wrap items-end gap-2">
    <div class="min-w-48 flex-1">${field({ id: "bot-username", label: "Username", name: "username", attributes: html`maxlength="32"` })}</div>
    <div class="min-w-48 flex-1 flex flex-col gap-1">
      <label for="bot-webhook" class="font-medium">Webhook URL (optional)</label>
      <input id="bot-webhook" name="webhookUrl" type="url" placeholder="https://" class="${inputClass}">
    </div>
    <button class="${buttonClass}">Make a bot</button>
  </form>
  ${
    data.bots.length === 0
      ? html`<p>There are no bots.</p>`
      : html`<ul class="flex flex-col divide-y divide-slate-200 dark:divide-slate-700">${data.bots.map(
          (bot) =>
            html`<li class="flex flex-wrap justify-between gap-2 px-2 py-1.5"><strong>${bot.user.username}</strong><span class="wrap-anywhere text-sm">${bot.webhookUrl ?? "no webhook"}</span></li>`,
        )}</ul>`
  }
</section>`;
}

// Bits every form shares: labelled fields, the submit button, the error line.
import { html, type SafeHtml } from "./html";

export const buttonClass =
  "rounded bg-blue-700 px-3 py-1.5 font-semibold text-white hover:bg-blue-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:bg-blue-600 dark:hover:bg-blue-500 dark:focus-visible:outline-blue-300";

export const inputClass =
  "w-full rounded border border-slate-500 bg-white px-2 py-1.5 text-slate-900 focus-visible:outline-2 focus-visible:outline-blue-700 dark:border-slate-400 dark:bg-slate-800 dark:text-slate-100 dark:focus-visible:outline-blue-300";

export function field(options: { id: string; label: string; name: string; type?: string; value?: string; autocomplete?: string; attributes?: SafeHtml }): SafeHtml {
  const { id, label, name, type = "text", value, autocomplete, attributes } = options;
  return html`<div class="flex flex-col gap-1">
  <label for="${id}" class="font-medium">${label}</label>
  <input id="${id}" name="${name}" type="${type}" value="${value ?? ""}" autocomplete="${autocomplete ?? "off"}" required class="${inputClass}" ${attributes}>
</div>`;
}

export function formError(message: string | undefined): SafeHtml {
  return html`${message && html`<p role="alert" class="rounded border border-red-700 bg-red-50 px-2 py-1 text-red-800 dark:border-red-400 dark:bg-red-950 dark:text-red-200">${message}</p>`}`;
}

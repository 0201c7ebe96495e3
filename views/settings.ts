// Your own account: a new password, and deleting the account. Each form is answered in place
// by htmx (its section is swapped), or with the whole page without it.
import { buttonClass, field, formError } from "./forms";
import { html, type SafeHtml } from "./html";

export const SETTINGS_PATH = "/chat/settings";

const dangerButton =
  "rounded bg-red-700 px-3 py-1.5 font-semibold text-white hover:bg-red-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700 dark:bg-red-600 dark:hover:bg-red-500 dark:focus-visible:outline-red-300";

export interface PasswordFormState {
  error?: string;
  changed?: boolean;
}

export function passwordSection(state: PasswordFormState = {}): SafeHtml {
  const action = `${SETTINGS_PATH}/password`;
  return html`<section id="password-settings" aria-labelledby="password-heading" class="flex flex-col gap-3">
  <h2 id="password-heading" class="text-lg font-bold">Change your password</h2>
  ${state.changed && html`<p role="status" class="rounded border border-green-700 bg-green-50 px-2 py-1 text-green-900 dark:border-green-400 dark:bg-green-950 dark:text-green-100">Your password was changed. You stay signed in here; everywhere else you were signed out.</p>`}
  <form method="post" action="${action}" hx-post="${action}" hx-target="#password-settings" hx-swap="outerHTML" class="flex flex-col gap-3">
    ${formError(state.error)}
    ${field({ id: "current-password", label: "Current password", name: "currentPassword", type: "password", autocomplete: "current-password" })}
    ${field({ id: "new-password", label: "New password (8 characters or more)", name: "newPassword", type: "password", autocomplete: "new-password", attributes: html`minlength="8" maxlength="256"` })}
    <button class="${buttonClass} self-start">Change password</button>
  </form>
</section>`;
}

export function deleteAccountSection(error?: string): SafeHtml {
  const action = `${SETTINGS_PATH}/delete`;
  return html`<section id="delete-account" aria-labelledby="delete-heading" class="flex flex-col gap-3">
  <h2 id="delete-heading" class="text-lg font-bold">Delete your account</h2>
  <p>You are signed out everywhere and leave every room; rooms you own pass to the member who joined earliest. Your messages stay, shown as from “deleted user”, and nobody can take your username. This cannot be undone.</p>
  <form method="post" action="${action}" hx-post="${action}" hx-target="#delete-account" hx-swap="outerHTML" class="flex flex-col gap-3">
    ${formError(error)}
    ${field({ id: "delete-password", label: "Your password, to confirm", name: "password", type: "password", autocomplete: "current-password" })}
    <button class="${dangerButton} self-start">Delete my account</button>
  </form>
</section>`;
}

export function settingsFragment(options: { username: string; password?: PasswordFormState; deleteError?: string }): SafeHtml {
  return html`<div id="settings" class="flex max-w-md flex-col gap-8">
  <h1 class="text-xl font-bold">Settings for ${options.username}</h1>
  ${passwordSection(options.password)}
  ${deleteAccountSection(options.deleteError)}
</div>`;
}

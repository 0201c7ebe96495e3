// Sign in and register: one form each, answered in place by htmx when it fails.
import { buttonClass, field, formError } from "./forms";
import { html, type SafeHtml } from "./html";

export interface AuthForm {
  username?: string;
  error?: string;
}

function authForm(options: AuthForm & { id: string; action: string; heading: string; submit: string; other: SafeHtml; newPassword: boolean }): SafeHtml {
  const { id, action, heading, submit, other, newPassword, username, error } = options;
  return html`<section id="${id}" class="mx-auto mt-6 max-w-sm">
  <h1 class="mb-4 text-2xl font-bold">${heading}</h1>
  <form method="post" action="${action}" hx-post="${action}" hx-target="#${id}" hx-swap="outerHTML" class="flex flex-col gap-3">
    ${formError(error)}
    ${field({ id: `${id}-username`, label: "Username", name: "username", value: username, autocomplete: "username" })}
    ${field({ id: `${id}-password`, label: "Password", name: "password", type: "password", autocomplete: newPassword ? "new-password" : "current-password" })}
    <button class="${buttonClass}">${submit}</button>
  </form>
  <p class="mt-4">${other}</p>
</section>`;
}

export const signInForm = (form: AuthForm = {}) =>
  authForm({ ...form, id: "sign-in", action: "/signin", heading: "Sign in", submit: "Sign in", newPassword: false, other: html`New here? <a class="underline" href="/register">Create an account</a>` });

export const registerForm = (form: AuthForm = {}) =>
  authForm({
    ...form,
    id: "register",
    action: "/register",
    heading: "Create an account",
    submit: "Create account",
    newPassword: true,
    other: html`Already have one? <a class="underline" href="/signin">Sign in</a>`,
  });

/** The page where a reset link's token sets a new password; the token is the last path segment. */
export const resetUrl = (origin: string, token: string) => `${origin}/reset/${token}`;
/** The sign-up form that carries the join code; the code is the last path segment. */
export const joinUrl = (origin: string, code: string) => `${origin}/join/${code}`;

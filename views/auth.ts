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
  authForm({
    ...form,
    id: "sign-in",
    action: "/signin",
    heading: "Sign in",
    submit: "Sign in",
    newPassword: false,
    other: html`New here? <a class="underline" href="/register">Create an account</a>`,
  });

/** The sign-up form; with a join code (REGISTRATION=link) it posts to the join link it came from. */
export const registerForm = (form: AuthForm & { joinCode?: string } = {}) =>
  authForm({
    ...form,
    id: "register",
    action: form.joinCode === undefined ? "/register" : joinUrl("", form.joinCode),
    heading: "Create an account",
    submit: "Create account",
    newPassword: true,
    other: html`Already have one? <a class="underline" href="/signin">Sign in</a>`,
  });

/** The page where a reset link's token sets a new password; the token is the last path segment. */
export const resetUrl = (origin: string, token: string) => `${origin}/reset/${token}`;
/** The sign-up form that carries the join code; the code is the last path segment. */
export const joinUrl = (origin: string, code: string) => `${origin}/join/${code}`;

/** Sign-up without a (valid) join link on a server that has REGISTRATION=link. */
export function registrationClosed(reason: string): SafeHtml {
  return html`<section id="register" class="mx-auto mt-6 max-w-sm">
  <h1 class="mb-4 text-2xl font-bold">Registration is closed</h1>
  <p role="alert">${reason}</p>
  <p class="mt-4">Have an account? <a class="underline" href="/signin">Sign in</a></p>
</section>`;
}

/** Where a reset link leads: a new password for the account it was made for. */
export function resetForm(options: { token: string; username: string; error?: string }): SafeHtml {
  const action = resetUrl("", options.token);
  return html`<section id="reset" class="mx-auto mt-6 max-w-sm">
  <h1 class="mb-4 text-2xl font-bold">Set a new password</h1>
  <form method="post" action="${action}" hx-post="${action}" hx-target="#reset" hx-swap="outerHTML" class="flex flex-col gap-3">
    ${formError(options.error)}
    <p>For <strong>${options.username}</strong>. This link works once; you are signed out everywhere else.</p>
    <input type="hidden" name="username" value="${options.username}" autocomplete="username">
    ${field({ id: "reset-password", label: "New password (8 characters or more)", name: "newPassword", type: "password", autocomplete: "new-password", attributes: html`minlength="8" maxlength="256"` })}
    <button class="${buttonClass}">Set password</button>
  </form>
</section>`;
}

/** A reset link that cannot be used (again). */
export function resetRefused(reason: string): SafeHtml {
  return html`<section id="reset" class="mx-auto mt-6 max-w-sm">
  <h1 class="mb-4 text-2xl font-bold">This link cannot be used</h1>
  <p role="alert">${reason}</p>
  <p class="mt-4"><a class="underline" href="/signin">Sign in</a></p>
</section>`;
}

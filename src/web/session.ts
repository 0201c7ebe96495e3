// The browser's session: the API's own token in an HttpOnly cookie, so that signing out
// revokes it exactly as POST /auth/logout does.
import { Elysia } from "elysia";
import { authenticate, type Principal, type Sessions } from "../auth/accounts";
import { isAdmin } from "../auth/admins";
import { SESSION_COOKIE, tokenFrom } from "../auth/credentials";
import { AppError } from "../errors";
import { isHttps } from "../http/origin";
import { listRoomsFor } from "../rooms/rooms";
import { type ListedRoom, withOwnersWhereNamesRepeat } from "./same-names";

export function sessionCookie(request: Request, token: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${maxAgeSeconds}${isHttps(request) ? "; Secure" : ""}`;
}

export const clearedSessionCookie = (request: Request) => sessionCookie(request, "", 0);

/**
 * The signed-in person as pages know them: who they are, and their conversations for the
 * sidebar, read only when a page is drawn whole (an htmx fragment has no sidebar); and whether
 * they are a site admin (the header links to the admin page), read when asked.
 */
export interface Viewer extends Principal {
  conversations(): Promise<ListedRoom[]>;
  isAdmin(): Promise<boolean>;
}

/** Who the cookie says the browser is, or undefined when it is missing, expired or revoked. */
export async function viewerOf(sessions: Sessions, request: Request): Promise<Viewer | undefined> {
  const token = tokenFrom(undefined, request.headers.get("cookie"));
  if (!token) return undefined;
  try {
    const principal = await authenticate(sessions, token);
    let conversations: Promise<ListedRoom[]> | undefined; // read once: the home page lists them too
    let admin: Promise<boolean> | undefined;
    const read = async () => withOwnersWhereNamesRepeat(sessions.sql, await listRoomsFor(sessions.sql, principal.userId));
    return {
      ...principal,
      conversations: () => (conversations ??= read()),
      isAdmin: () => (admin ??= isAdmin(sessions.sql, principal.userId)),
    };
  } catch (error) {
    if (error instanceof AppError && error.status === 401) return undefined;
    throw error;
  }
}

/**
 * A page that needs a signed-in browser was asked for without one; the pages' onError sends
 * it to sign in. Thrown rather than answered: a `resolve` can end a request only with a bare
 * status, which would drop the redirect's Location or HX-Redirect header.
 */
export class SignInFirst extends Error {}

/**
 * Adds the `viewer` macro: a page with `viewer: true` gets the signed-in browser's `viewer`;
 * anyone else is sent to sign in. It runs after the same-origin check and the validation of
 * params and body, so that a cross-site post is refused, and a malformed URL is no page,
 * whether the browser is signed in or not.
 */
export function viewerGuard(sessions: Sessions) {
  return new Elysia().macro({
    viewer: {
      async resolve({ request }) {
        const viewer = await viewerOf(sessions, request);
        if (!viewer) throw new SignInFirst();
        return { viewer };
      },
    },
  });
}

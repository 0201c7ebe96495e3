// The browser's session: the API's own token in an HttpOnly cookie, so that signing out
// revokes it exactly as POST /auth/logout does.
import { authenticate, type Principal, type Sessions } from "../auth/accounts";
import { SESSION_COOKIE, tokenFrom } from "../auth/credentials";
import { AppError } from "../errors";
import { isHttps } from "../http/origin";

export function sessionCookie(request: Request, token: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${maxAgeSeconds}${isHttps(request) ? "; Secure" : ""}`;
}

export const clearedSessionCookie = (request: Request) => sessionCookie(request, "", 0);

/** Who the cookie says the browser is, or undefined when it is missing, expired or revoked. */
export async function viewerOf(sessions: Sessions, request: Request): Promise<Principal | undefined> {
  const token = tokenFrom(undefined, request.headers.get("cookie"));
  if (!token) return undefined;
  try {
    return await authenticate(sessions, token);
  } catch (error) {
    if (error instanceof AppError && error.status === 401) return undefined;
    throw error;
  }
}

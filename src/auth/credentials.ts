// Where a token travels: `Authorization: Bearer` for programs, an HttpOnly cookie for browsers.
export const SESSION_COOKIE = "chatloop_session";

export interface Credential {
  token: string;
  /** A cookie is sent by the browser on its own, so requests it authenticates need a same-origin check. */
  via: "bearer" | "cookie";
}

export function credentialFrom(authorization: string | null | undefined, cookieHeader: string | null | undefined): Credential | undefined {
  const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (bearer) return { token: bearer, via: "bearer" };
  const cookie = readCookie(cookieHeader, SESSION_COOKIE);
  return cookie ? { token: cookie, via: "cookie" } : undefined;
}

export function tokenFrom(authorization: string | null | undefined, cookieHeader: string | null | undefined): string | undefined {
  return credentialFrom(authorization, cookieHeader)?.token;
}

function readCookie(header: string | null | undefined, name: string): string | undefined {
  for (const part of header?.split(";") ?? []) {
    const [key, ...value] = part.split("=");
    if (key?.trim() === name) return decodeOrKeep(value.join("=").trim());
  }
  return undefined;
}

// A token is plain base64url; a value that does not decode is passed on as it is, to be
// refused as an invalid token rather than fail the request.
function decodeOrKeep(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

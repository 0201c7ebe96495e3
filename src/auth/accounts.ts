// Accounts and their sessions: register, log in, authenticate a token, log out.
import type { Sql } from "../db/sql";
import { conflict, forbidden, unauthorized } from "../errors";
import type { User } from "./schemas";
import type { TokenSigner } from "./tokens";

export interface AuthSettings {
  tokenTtlSeconds: number;
  passwordHashing: { memoryCost: number; timeCost: number };
}

/** Who a request or a socket acts as: always read from a verified token, never from a payload. */
export interface Principal {
  userId: string;
  username: string;
  sessionId: string;
  expiresAt: Date;
}

interface UserRow {
  id: string;
  username: string;
  created_at: Date;
}

export const toUser = (row: UserRow): User => ({ id: row.id, username: row.username, createdAt: row.created_at.toISOString() });

export async function register(sql: Sql, settings: AuthSettings, username: string, password: string): Promise<User> {
  const hash = await Bun.password.hash(password, { algorithm: "argon2id", ...settings.passwordHashing });
  const [row] = await sql<UserRow[]>`
    insert into users (username, password_hash) values (${username}, ${hash})
    on conflict ((lower(username))) do nothing
    returning id, username, created_at`;
  if (!row) throw conflict("username_taken", "that username is taken");
  return toUser(row);
}

// Unknown users cost the same hash verification as known ones, so that neither the
// answer nor its timing tells whether a username exists.
let decoyHash: Promise<string> | undefined;

export async function login(sql: Sql, signer: TokenSigner, settings: AuthSettings, username: string, password: string): Promise<string> {
  const [user] = await sql<{ id: string; password_hash: string }[]>`
    select id, password_hash from users where lower(username) = lower(${username})`;
  decoyHash ??= Bun.password.hash("decoy password", { algorithm: "argon2id", ...settings.passwordHashing });
  const valid = await Bun.password.verify(password, user?.password_hash ?? (await decoyHash));
  if (!user || !valid) throw unauthorized("invalid_credentials", "wrong username or password");

  const expiresAt = new Date(Date.now() + settings.tokenTtlSeconds * 1000);
  const [session] = await sql<{ id: string }[]>`
    insert into sessions (user_id, expires_at) values (${user.id}, ${expiresAt}) returning id`;
  return signer.sign({ userId: user.id, sessionId: session!.id, expiresAt });
}

export async function authenticate(sql: Sql, signer: TokenSigner, token: string): Promise<Principal> {
  const claims = await signer.verify(token);
  const [row] = await sql<{ username: string }[]>`
    select u.username
    from sessions s join users u on u.id = s.user_id
    where s.id = ${claims.sessionId} and s.user_id = ${claims.userId}
      and s.revoked_at is null and s.expires_at > now()`;
  if (!row) throw unauthorized("invalid_token", "the token is invalid or has expired");
  return { ...claims, username: row.username };
}

export async function logout(sql: Sql, principal: Principal): Promise<void> {
  await sql`update sessions set revoked_at = now() where id = ${principal.sessionId} and revoked_at is null`;
}

/** A payload may name its user, but only as a check: the user is whoever the token says. */
export function requireSelf(principal: Principal, claimedUserId: string | undefined): void {
  if (claimedUserId !== undefined && claimedUserId !== principal.userId) {
    throw forbidden("not_yourself", "the user id in the payload is not the signed-in user's");
  }
}

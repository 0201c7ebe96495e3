// Accounts and their sessions: register, log in, authenticate a token, log out.
import type { Broadcasts } from "../broadcasts";
import type { Sql } from "../db/sql";
import { conflict, forbidden, unauthorized, unavailable } from "../errors";
import type { RateLimiter } from "../limits/rate-limits";
import { avatarUrl } from "../people/avatars";
import type { FastState } from "../state/fast-state";
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

const toUser = (row: UserRow): User => ({ id: row.id, username: row.username, createdAt: row.created_at.toISOString(), avatarUrl: avatarUrl(row.id) });

/** What account actions need: the sessions, the hashing cost, and the abuse limits. */
export interface Accounts extends Sessions {
  auth: AuthSettings;
  limiter: RateLimiter;
}

/** Ending a session also ends its live sockets, on every instance. */
export interface SessionEnding extends Sessions {
  broadcasts: Pick<Broadcasts, "sessionEnded">;
}

/** Creates an account; `address` is where the request came from (accounts per address are limited). */
export async function register(accounts: Accounts, username: string, password: string, address: string): Promise<User> {
  await accounts.limiter.take("registerPerAddress", address);
  const hash = await hashPassword(password, accounts.auth);
  const [row] = await accounts.sql<UserRow[]>`
    insert into users (username, password_hash) values (${username}, ${hash})
    on conflict ((lower(username))) do nothing
    returning id, username, created_at`;
  if (!row) throw conflict("username_taken", "that username is taken");
  return toUser(row);
}

// Unknown users cost the same hash verification as known ones, so that neither the
// answer nor its timing tells whether a username exists.
let decoyHash: Promise<string> | undefined;

/** A token for a new session; attempts are limited per address and per account. */
export async function login(accounts: Accounts, username: string, password: string, address: string): Promise<string> {
  await accounts.limiter.take("loginPerAddress", address);
  await accounts.limiter.take("loginPerAccount", username.toLowerCase());
  const [user] = await accounts.sql<{ id: string; password_hash: string }[]>`
    select id, password_hash from users where lower(username) = lower(${username})`;
  decoyHash ??= hashPassword("decoy password", accounts.auth);
  const valid = await Bun.password.verify(password, user?.password_hash ?? (await decoyHash));
  if (!user || !valid) throw unauthorized("invalid_credentials", "wrong username or password");
  return openSession(accounts, user.id);
}

async function openSession(accounts: Accounts, userId: string): Promise<string> {
  const expiresAt = new Date(Date.now() + accounts.auth.tokenTtlSeconds * 1000);
  const [session] = await accounts.sql<{ id: string }[]>`
    insert into sessions (user_id, expires_at) values (${userId}, ${expiresAt}) returning id`;
  return accounts.signer.sign({ userId, sessionId: session!.id, expiresAt });
}

const hashPassword = (password: string, settings: AuthSettings) => Bun.password.hash(password, { algorithm: "argon2id", ...settings.passwordHashing });

/**
 * Changes the password and ends every session of the user, this one included (a stolen token
 * must not outlive the change). Returns a token of a new session for the caller, and the ids
 * of the ended sessions, whose live sockets the caller must disconnect.
 */
/** Every session of the account ends, sockets included; the caller gets a new token. */
export async function changePassword(accounts: Accounts & SessionEnding, principal: Principal, current: string, next: string): Promise<string> {
  await accounts.limiter.take("loginPerAccount", principal.username.toLowerCase()); // a guess at the current password
  const [user] = await accounts.sql<{ password_hash: string }[]>`select password_hash from users where id = ${principal.userId}`;
  if (!user || !(await Bun.password.verify(current, user.password_hash))) throw forbidden("wrong_password", "the current password is wrong");
  // Hashed first: a transaction's deadline (src/db/timeouts.ts) is for the database's work.
  const hash = await hashPassword(next, accounts.auth);
  const ended = await accounts.sql.begin(async (tx) => {
    await tx`update users set password_hash = ${hash} where id = ${principal.userId}`;
    return tx<{ id: string; expires_at: Date }[]>`
      update sessions set revoked_at = now() where user_id = ${principal.userId} and revoked_at is null returning id, expires_at`;
  });
  await Promise.all(ended.map((session) => markRevoked(accounts.state, session.id, session.expires_at)));
  for (const session of ended) accounts.broadcasts.sessionEnded(session.id);
  return openSession(accounts, principal.userId);
}

/** Where sessions are checked: the signing key, the database, and the shared cache in front of it. */
export interface Sessions {
  sql: Sql;
  signer: TokenSigner;
  state: FastState;
}

/** How long a checked session is trusted from the cache before PostgreSQL is asked again. */
const SESSION_CACHE_MS = 60_000;

const invalidToken = () => unauthorized("invalid_token", "the token is invalid or has expired");

/**
 * The principal a token stands for. A live session is cached, never past its expiry;
 * logging out leaves a revocation mark that is read with the cache entry, so that a cache
 * filled just before a logout cannot outlive it. A session changed in the database by hand
 * is seen within SESSION_CACHE_MS. Without the cache (Redis away) PostgreSQL answers alone.
 */
export async function authenticate(sessions: Sessions, token: string): Promise<Principal> {
  const claims = await sessions.signer.verify(token);
  const keys = [`revoked:${claims.sessionId}`, `session:${claims.sessionId}`];
  const [revoked, cached] = await sessions.state.get(keys).catch(() => []);
  if (revoked) throw invalidToken();
  const [cachedUserId, cachedUsername] = cached?.split("\n") ?? [];
  if (cachedUserId === claims.userId && cachedUsername) return { ...claims, username: cachedUsername };

  const [row] = await sessions.sql<{ username: string; expires_at: Date }[]>`
    select u.username, s.expires_at
    from sessions s join users u on u.id = s.user_id
    where s.id = ${claims.sessionId} and s.user_id = ${claims.userId}
      and s.revoked_at is null and s.expires_at > now()`;
  if (!row) throw invalidToken();
  const ttl = Math.min(SESSION_CACHE_MS, row.expires_at.getTime() - Date.now(), claims.expiresAt.getTime() - Date.now());
  await sessions.state.set(keys[1]!, `${claims.userId}\n${row.username}`, ttl).catch(() => {});
  return { ...claims, username: row.username };
}

export async function logout(sessions: SessionEnding, principal: Principal): Promise<void> {
  await sessions.sql`update sessions set revoked_at = now() where id = ${principal.sessionId} and revoked_at is null`;
  await markRevoked(sessions.state, principal.sessionId, principal.expiresAt);
  sessions.broadcasts.sessionEnded(principal.sessionId);
}

/** Leaves the mark that outlives any cached copy of a revoked session. */
async function markRevoked(state: FastState, sessionId: string, expiresAt: Date): Promise<void> {
  const remaining = expiresAt.getTime() - Date.now();
  try {
    if (remaining > 0) await state.set(`revoked:${sessionId}`, "1", remaining);
  } catch {
    // Revoked in the database, but a cached copy could still be believed: say so, and let
    // the client try again (revoking is idempotent) once the cache answers.
    throw unavailable("unavailable", "the session was revoked, but the session cache did not answer: try again");
  }
}

/** A payload may name its user, but only as a check: the user is whoever the token says. */
export function requireSelf(principal: Principal, claimedUserId: string | undefined): void {
  if (claimedUserId !== undefined && claimedUserId !== principal.userId) {
    throw forbidden("not_yourself", "the user id in the payload is not the signed-in user's");
  }
}

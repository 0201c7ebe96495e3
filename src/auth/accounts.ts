// Accounts and their sessions: register, log in, authenticate a token, log out.
import type { Broadcasts } from "../broadcasts";
import type { Registration } from "../config";
import type { Queries, Sql } from "../db/sql";
import { conflict, forbidden, unauthorized, unavailable } from "../errors";
import type { RateLimiter } from "../limits/rate-limits";
import { avatarUrl } from "../people/avatars";
import type { FastState } from "../state/fast-state";
import { requireJoinCode } from "./join-codes";
import type { User } from "./schemas";
import { hashSecret, isApiToken } from "./secrets";
import type { TokenClaims, TokenSigner } from "./tokens";
import { toUser, type UserRow } from "./users";

export interface AuthSettings {
  tokenTtlSeconds: number;
  passwordHashing: { memoryCost: number; timeCost: number };
  /** Who may create an account: anyone, or only who holds the join link. */
  registration: Registration;
}

/** Who a request or a socket acts as: always read from a verified token, never from a payload. */
export interface Principal {
  userId: string;
  username: string;
  sessionId: string;
  /** Null for an API token made to last. */
  expiresAt: Date | null;
}

/** What account actions need: the sessions, the hashing cost, and the abuse limits. */
export interface Accounts extends Sessions {
  auth: AuthSettings;
  limiter: RateLimiter;
}

/** Ending a session also ends its live sockets, on every instance. */
export interface SessionEnding extends Sessions {
  broadcasts: Pick<Broadcasts, "sessionEnded">;
}

/**
 * Creates an account; `address` is where the request came from (accounts per address are
 * limited, which also bounds guessing at join codes). The first account is the site admin: the
 * lock makes two first sign-ups on an empty server take turns, so that only one of them sees no
 * users. With REGISTRATION=link, every account after it needs the current join code.
 */
export async function register(accounts: Accounts, username: string, password: string, address: string, joinCode?: string): Promise<User> {
  await accounts.limiter.take("registerPerAddress", address);
  const hash = await hashPassword(password, accounts.auth);
  const [row] = await accounts.sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('chatloop.first-account'))`;
    if (accounts.auth.registration === "link") await requireJoinCode(tx, joinCode);
    return tx<UserRow[]>`
      insert into users (username, password_hash, is_admin)
      values (${username}, ${hash}, not exists (select 1 from users))
      on conflict ((lower(username))) do nothing
      returning id, username, created_at, is_admin`;
  });
  if (!row) throw conflict("username_taken", "that username is taken");
  return toUser(row);
}

// Unknown users cost the same hash verification as known ones, so that neither the
// answer nor its timing tells whether a username exists.
let decoyHash: Promise<string> | undefined;

/**
 * A token for a new session. Failures are limited per address, and per account from that
 * address: a guesser elsewhere cannot lock the owner out. A success is not counted. A deleted
 * account is no account. A deactivated one is told so, but only to whoever knows its password:
 * 403 rather than 401, because the credentials are right and asking for them again would not help.
 */
export async function login(accounts: Accounts, username: string, password: string, address: string): Promise<string> {
  const succeeded = await accounts.limiter.takeAll([
    ["loginPerAddress", address],
    ["loginPerAccount", `${username.toLowerCase()} from ${address}`],
  ]);
  // Bots and webhooks have no password: they are answered like an unknown user.
  const [user] = await accounts.sql<{ id: string; password_hash: string; deactivated: boolean }[]>`
    select id, password_hash, deactivated_at is not null as deactivated from users
    where lower(username) = lower(${username}) and kind = 'person' and deleted_at is null`;
  decoyHash ??= hashPassword("decoy password", accounts.auth);
  const valid = await Bun.password.verify(password, user?.password_hash ?? (await decoyHash));
  if (!user || !valid) throw unauthorized("invalid_credentials", "wrong username or password");
  await succeeded();
  if (user.deactivated) throw forbidden("account_deactivated", "this account is deactivated: ask an admin of this server");
  return openSession(accounts, user.id);
}

/** What changing a password or deleting the account asks first; each try counts as a sign-in attempt. */
export async function requirePassword(accounts: Accounts, principal: Principal, password: string): Promise<void> {
  // A wrong password here is a guess, by whoever holds this token: counted per account.
  const succeeded = await accounts.limiter.take("loginPerAccount", `${principal.userId} confirming password`);
  const [user] = await accounts.sql<{ password_hash: string }[]>`select password_hash from users where id = ${principal.userId} and kind = 'person'`;
  if (!user || !(await Bun.password.verify(password, user.password_hash))) throw forbidden("wrong_password", "the current password is wrong");
  await succeeded();
}

/**
 * A new session of an account that may sign in. The account's row is share-locked, so that a
 * deactivation or deletion committing at the same moment either waits for this session (and
 * then ends it with the others) or is seen here (and there is no session).
 */
async function openSession(accounts: Accounts, userId: string): Promise<string> {
  const expiresAt = new Date(Date.now() + accounts.auth.tokenTtlSeconds * 1000);
  const [session] = await accounts.sql<{ id: string }[]>`
    insert into sessions (user_id, expires_at)
    select id, ${expiresAt} from users where id = ${userId} and deactivated_at is null and deleted_at is null for share
    returning id`;
  if (!session) throw forbidden("account_deactivated", "this account is deactivated: ask an admin of this server");
  return accounts.signer.sign({ userId, sessionId: session.id, expiresAt });
}

export const hashPassword = (password: string, settings: AuthSettings) => Bun.password.hash(password, { algorithm: "argon2id", ...settings.passwordHashing });

/**
 * Changes the password and ends every session of the user, this one included (a stolen token
 * must not outlive the change), sockets too. Returns a token of a new session for the caller.
 */
export async function changePassword(accounts: Accounts & SessionEnding, principal: Principal, current: string, next: string): Promise<string> {
  await requirePassword(accounts, principal, current);
  // Hashed first: a transaction's deadline (src/db/timeouts.ts) is for the database's work.
  const hash = await hashPassword(next, accounts.auth);
  await endAllSessions(accounts, principal.userId, (tx) => tx`update users set password_hash = ${hash} where id = ${principal.userId}`);
  return openSession(accounts, principal.userId);
}

/**
 * Ends every session of a user at once, on every instance: their tokens are refused and their
 * live sockets closed. `change` runs in the same transaction, so that what ends the sessions
 * (a new password, a deactivation) and the ending commit together.
 */
export async function endAllSessions(sessions: SessionEnding, userId: string, change: (tx: Queries) => Promise<unknown>): Promise<void> {
  const ended = await sessions.sql.begin(async (tx) => {
    await change(tx);
    return tx<{ id: string; expires_at: Date | null }[]>`
      update sessions set revoked_at = now() where user_id = ${userId} and revoked_at is null returning id, expires_at`;
  });
  await Promise.all(ended.map((session) => markRevoked(sessions.state, session.id, session.expires_at)));
  for (const session of ended) sessions.broadcasts.sessionEnded(session.id, userId);
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
  const apiToken = isApiToken(token);
  const claims = apiToken ? await apiTokenClaims(sessions, token) : await sessions.signer.verify(token);
  const keys = [`revoked:${claims.sessionId}`, `session:${claims.sessionId}`];
  const [revoked, cached] = await sessions.state.get(keys).catch(() => []);
  if (revoked) throw invalidToken();
  const [cachedUserId, cachedUsername] = cached?.split("\n") ?? [];
  if (cachedUserId === claims.userId && cachedUsername) return { ...claims, username: cachedUsername };

  const [row] = await sessions.sql<{ username: string; expires_at: Date | null }[]>`
    select u.username, s.expires_at
    from sessions s join users u on u.id = s.user_id
    where s.id = ${claims.sessionId} and s.user_id = ${claims.userId}
      and s.revoked_at is null and (s.expires_at is null or s.expires_at > now())
      -- Deactivating or deleting ends every session already; this also holds for an account
      -- changed in the database by hand.
      and u.deactivated_at is null and u.deleted_at is null`;
  if (!row) throw invalidToken();
  // Once per cache miss, so at most once a minute: an API token's use writes no row per request.
  if (apiToken) void touchApiToken(sessions.sql, claims.sessionId).catch(() => {});
  const ttl = Math.min(SESSION_CACHE_MS, remainingMs(row.expires_at), remainingMs(claims.expiresAt));
  await sessions.state.set(keys[1]!, `${claims.userId}\n${row.username}`, ttl).catch(() => {});
  return { ...claims, username: row.username };
}

const remainingMs = (expiresAt: Date | null) => (expiresAt ? expiresAt.getTime() - Date.now() : Infinity);

/**
 * The session an API token stands for, found by the token's hash. That never changes, so it is
 * cached like a JWT's signature is checked: whether the session still holds is asked after.
 */
async function apiTokenClaims(sessions: Sessions, token: string): Promise<Omit<TokenClaims, "expiresAt"> & { expiresAt: Date | null }> {
  const hash = hashSecret(token);
  const key = `api-token:${hash.toString("base64url")}`;
  const [cached] = await sessions.state.get([key]).catch(() => []);
  const [sessionId, userId, expiresAt] = cached?.split("\n") ?? [];
  if (sessionId && userId) return { sessionId, userId, expiresAt: expiresAt ? new Date(Number(expiresAt)) : null };
  const [row] = await sessions.sql<{ id: string; user_id: string; expires_at: Date | null }[]>`
    select id, user_id, expires_at from sessions where token_hash = ${hash}`;
  if (!row) throw invalidToken();
  await sessions.state.set(key, `${row.id}\n${row.user_id}\n${row.expires_at?.getTime() ?? ""}`, SESSION_CACHE_MS).catch(() => {});
  return { sessionId: row.id, userId: row.user_id, expiresAt: row.expires_at };
}

/** Notes that an API token was used, to the minute. */
async function touchApiToken(sql: Sql, sessionId: string): Promise<void> {
  await sql`
    update sessions set last_used_at = now()
    where id = ${sessionId} and (last_used_at is null or last_used_at < now() - interval '1 minute')`;
}

export function logout(sessions: SessionEnding, principal: Principal): Promise<void> {
  return endSession(sessions, principal.userId, principal.sessionId, principal.expiresAt);
}

/** Ends one session at once: its token is refused everywhere, and its live sockets are closed. */
export async function endSession(sessions: SessionEnding, userId: string, sessionId: string, expiresAt: Date | null): Promise<void> {
  await sessions.sql`update sessions set revoked_at = now() where id = ${sessionId} and revoked_at is null`;
  await markRevoked(sessions.state, sessionId, expiresAt);
  sessions.broadcasts.sessionEnded(sessionId, userId);
}

/** A revocation mark of a session that never expires lives this long: far past any cached copy of it. */
const REVOKED_MARK_WITHOUT_EXPIRY_MS = 24 * 3600_000;

/** Leaves the mark that outlives any cached copy of a revoked session. */
async function markRevoked(state: FastState, sessionId: string, expiresAt: Date | null): Promise<void> {
  const remaining = expiresAt ? expiresAt.getTime() - Date.now() : REVOKED_MARK_WITHOUT_EXPIRY_MS;
  try {
    if (remaining > 0) await state.set(`revoked:${sessionId}`, "1", remaining);
  } catch {
    // Revoked in the database, but a cached copy could still be believed: say so, and let
    // the client try again (revoking is idempotent) once the cache answers.
    throw unavailable("unavailable", "the session was revoked, but the session cache did not answer: try again");
  }
}

/** A payload may name its user, but only as a check: the user is whoever the token says. */
export function requireSelf(principal: Pick<Principal, "userId">, claimedUserId: string | undefined): void {
  if (claimedUserId !== undefined && claimedUserId !== principal.userId) {
    throw forbidden("not_yourself", "the user id in the payload is not the signed-in user's");
  }
}

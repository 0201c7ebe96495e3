// API tokens: long-lived tokens for programs, made and revoked by their owner. Each is a session
// row (see migrations/0011), so `authenticate` checks it, caches it and refuses it once revoked
// exactly as it does a sign-in's token, and revoking one closes its sockets on every instance.
// The token itself is shown once; only its hash is kept (src/auth/secrets.ts).
import type { Queries, Sql } from "../db/sql";
import { notFound } from "../errors";
import { endSession, type SessionEnding } from "./accounts";
import { API_TOKEN_PREFIX, newSecret } from "./secrets";

export interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

interface TokenRow {
  id: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
}

const toToken = (row: TokenRow): ApiToken => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at.toISOString(),
  lastUsedAt: row.last_used_at?.toISOString() ?? null,
  expiresAt: row.expires_at?.toISOString() ?? null,
});

/** Makes a token for the user; `expiresInDays` absent means it never expires. The token is in the answer only. */
export async function createApiToken(sql: Queries, userId: string, name: string, expiresInDays?: number): Promise<ApiToken & { token: string }> {
  const { secret, hash } = newSecret(API_TOKEN_PREFIX);
  const [row] = await sql<TokenRow[]>`
    insert into sessions (user_id, name, token_hash, expires_at)
    values (${userId}, ${name.trim()}, ${hash}, now() + make_interval(days => ${expiresInDays ?? null}::int))
    returning id, name, created_at, last_used_at, expires_at`;
  return { ...toToken(row!), token: secret };
}

/** The user's tokens that still work, newest first. */
export async function listApiTokens(sql: Sql, userId: string): Promise<ApiToken[]> {
  const rows = await sql<TokenRow[]>`
    select id, name, created_at, last_used_at, expires_at from sessions
    where user_id = ${userId} and token_hash is not null and revoked_at is null and (expires_at is null or expires_at > now())
    order by created_at desc, id`;
  return rows.map(toToken);
}

/** Revokes one of the user's own tokens, at once, its sockets too; anyone else's is not found. */
export async function revokeApiToken(sessions: SessionEnding, userId: string, tokenId: string): Promise<void> {
  const [row] = await sessions.sql<{ id: string; expires_at: Date | null }[]>`
    select id, expires_at from sessions
    where id = ${tokenId} and user_id = ${userId} and token_hash is not null and revoked_at is null`;
  if (!row) throw notFound("token_not_found", "no such token");
  await endSession(sessions, userId, row.id, row.expires_at);
}

// Random secrets that programs hold (API tokens, bot tokens, incoming webhooks' URLs). Only
// their SHA-256 is stored: for 256 random bits a fast hash is enough (there is nothing to
// guess from), and it costs a microsecond per request where argon2 would cost 100 ms.
import { createHash, randomBytes } from "node:crypto";

/** How an API token starts: recognisable by people and by secret scanners, and never a JWT. */
export const API_TOKEN_PREFIX = "chatloop_";

export const isApiToken = (token: string) => token.startsWith(API_TOKEN_PREFIX);

export const hashSecret = (secret: string) => createHash("sha256").update(secret).digest();

/** A new random secret (256 bits, base64url) after the prefix, and the hash it is stored as. */
export function newSecret(prefix = ""): { secret: string; hash: Buffer } {
  const secret = prefix + randomBytes(32).toString("base64url");
  return { secret, hash: hashSecret(secret) };
}

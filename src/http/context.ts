// What the HTTP routes need, built once by the composition root.
import { Elysia } from "elysia";
import { authenticate, type AuthSettings } from "../auth/accounts";
import { tokenFrom } from "../auth/credentials";
import type { TokenSigner } from "../auth/tokens";
import type { Sql } from "../db/sql";
import { unauthorized } from "../errors";
import type { Hub } from "../realtime/hub";

export interface HttpDeps {
  sql: Sql;
  signer: TokenSigner;
  hub: Hub;
  auth: AuthSettings;
  maxMessageLength: number;
}

/** Adds the `auth` macro: a route with `auth: true` gets `principal`, or answers 401. */
export function authGuard(deps: Pick<HttpDeps, "sql" | "signer">) {
  return new Elysia().macro({
    auth: {
      async resolve({ headers }) {
        const token = tokenFrom(headers.authorization, headers.cookie);
        if (!token) throw unauthorized("missing_token", "sign in first: send Authorization: Bearer <token>");
        return { principal: await authenticate(deps.sql, deps.signer, token) };
      },
    },
  });
}

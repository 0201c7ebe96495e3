import { Elysia, t } from "elysia";
import { createApiToken, listApiTokens, revokeApiToken } from "../auth/api-tokens";
import { ApiToken, CreateApiToken, NewApiToken, TokenParams } from "../auth/schemas";
import { ErrorBody } from "../schemas";
import { authGuard, type HttpDeps } from "./context";

export function tokenRoutes(deps: HttpDeps) {
  return new Elysia({ prefix: "/tokens", tags: ["tokens"] })
    .use(authGuard(deps))
    .guard({ auth: true, response: { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } })
    .post(
      "",
      async ({ principal, body, set }) => {
        set.status = 201;
        return createApiToken(deps.sql, principal.userId, body.name, body.expiresInDays);
      },
      {
        body: CreateApiToken,
        response: { 201: NewApiToken },
        detail: {
          summary: "Make an API token",
          description: "It works wherever a sign-in's token does (`Authorization: Bearer`, the Socket.IO handshake's `auth: { token }`). The token is in this answer only.",
        },
      },
    )
    .get("", ({ principal }) => listApiTokens(deps.sql, principal.userId), {
      response: { 200: t.Array(ApiToken) },
      detail: { summary: "Your API tokens that still work, newest first (never the tokens themselves)" },
    })
    .delete(
      "/:tokenId",
      async ({ principal, params, set }) => {
        await revokeApiToken(deps, principal.userId, params.tokenId);
        set.status = 204;
      },
      { params: TokenParams, detail: { summary: "Revoke one of your API tokens, at once: requests and live sockets", responses: { 204: { description: "Revoked" } } } },
    );
}

// API tokens in the browser, over the same domain functions as /tokens.
import { Elysia, t } from "elysia";
import { tokensFragment } from "../../views/tokens";
import { createApiToken, listApiTokens, revokeApiToken } from "../auth/api-tokens";
import { CreateApiToken } from "../auth/schemas";
import type { HttpDeps } from "../http/context";
import { Id } from "../schemas";
import { compileValidator } from "../validation";
import { Form, userError } from "./posted-form";
import { page, redirect } from "./respond";
import { type Viewer, viewerGuard } from "./session";

const validNewToken = compileValidator(CreateApiToken);

export function tokenPages(deps: HttpDeps) {
  const tokensPage = async (request: Request, viewer: Viewer, extra: { made?: { name: string; token: string }; error?: string } = {}) =>
    page(request, tokensFragment({ tokens: await listApiTokens(deps.sql, viewer.userId), ...extra }), { title: "API tokens", viewer, status: extra.error ? 400 : 200 });

  return new Elysia()
    .use(viewerGuard(deps))
    .get("/chat/tokens", ({ request, viewer }) => tokensPage(request, viewer), { viewer: true })
    .post(
      "/chat/tokens",
      async ({ request, body, viewer }) => {
        try {
          const days = body.expiresInDays ? Number(body.expiresInDays) : undefined;
          const { name, expiresInDays } = validNewToken({ name: body.name ?? "", ...(days === undefined ? {} : { expiresInDays: days }) });
          const made = await createApiToken(deps.sql, viewer.userId, name, expiresInDays);
          // Answered with the page itself, not a redirect: the token must not travel in a URL.
          return tokensPage(request, viewer, { made: { name: made.name, token: made.token } });
        } catch (error) {
          return tokensPage(request, viewer, { error: userError(error) });
        }
      },
      { viewer: true, body: Form },
    )
    .post(
      "/chat/tokens/:tokenId/revoke",
      async ({ request, params, viewer }) => {
        await revokeApiToken(deps, viewer.userId, params.tokenId);
        return redirect(request, "/chat/tokens");
      },
      { viewer: true, params: t.Object({ tokenId: Id }) },
    );
}

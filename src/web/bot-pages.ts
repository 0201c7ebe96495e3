// Bots in the browser (site admins), over the same domain functions as /admin/bots.
import { Elysia } from "elysia";
import { botsFragment } from "../../views/bots";
import { requireAdmin } from "../auth/admins";
import { createBot, listBots } from "../bots/bots";
import { CreateBot } from "../bots/schemas";
import type { HttpDeps } from "../http/context";
import { addressRule } from "../net/guarded-fetch";
import { compileValidator } from "../validation";
import { Form, userError } from "./posted-form";
import { page } from "./respond";
import { type Viewer, viewerGuard } from "./session";

const validNewBot = compileValidator(CreateBot);

export function botPages(deps: HttpDeps) {
  const guard = { addressAllowed: addressRule(deps.webhooksAllowPrivate) };
  const botsPage = async (request: Request, viewer: Viewer, extra: { made?: { username: string; token: string; secret: string }; error?: string } = {}) =>
    page(request, botsFragment({ bots: await listBots(deps.sql), ...extra }), { title: "Bots", viewer, status: extra.error ? 400 : 200 });

  return new Elysia()
    .use(viewerGuard(deps))
    .get(
      "/chat/admin/bots",
      async ({ request, viewer }) => {
        await requireAdmin(deps.sql, viewer.userId);
        return botsPage(request, viewer);
      },
      { viewer: true },
    )
    .post(
      "/chat/admin/bots",
      async ({ request, body, viewer }) => {
        await requireAdmin(deps.sql, viewer.userId);
        try {
          const { username, webhookUrl } = validNewBot({ username: body.username ?? "", ...(body.webhookUrl ? { webhookUrl: body.webhookUrl } : {}) });
          const made = await createBot(deps.sql, username, webhookUrl, guard);
          // The page itself, not a redirect: the token and secret must not travel in a URL.
          return botsPage(request, viewer, { made: { username: made.user.username, token: made.token, secret: made.secret } });
        } catch (error) {
          return botsPage(request, viewer, { error: userError(error) });
        }
      },
      { viewer: true, body: Form },
    );
}

// The browser UI: pages and htmx fragments over the same domain functions as the JSON API,
// one instance per feature. What every page shares is set here, once: the home page at `/`,
// the same-origin check on every state change, and errors answered as pages.
import { Elysia } from "elysia";
import { errorFragment } from "../../views/layout";
import { publicError } from "../errors";
import type { HttpDeps } from "../http/context";
import { requireSameOrigin } from "../http/origin";
import { log } from "../log";
import { adminPages } from "./admin-pages";
import { assetResponse } from "./assets";
import { authPages } from "./auth-pages";
import { botPages } from "./bot-pages";
import { homePage, homePages } from "./home-pages";
import { prefersHtml } from "./negotiation";
import { peoplePages } from "./people-pages";
import { profilePages } from "./profile-pages";
import { page, redirect } from "./respond";
import { roomPages } from "./room-pages";
import { roomSettingsPages } from "./room-settings-pages";
import { searchPages } from "./search-pages";
import { SignInFirst, viewerOf } from "./session";
import { settingsPages } from "./settings-pages";
import { tokenPages } from "./token-pages";

export function webRoutes(deps: HttpDeps) {
  return (
    new Elysia({ detail: { hide: true } })
      // A browser at `/` gets the home page; API clients keep the health answer (src/http/health.ts).
      .onRequest(async ({ request }) => {
        if (request.method !== "GET" || new URL(request.url).pathname !== "/" || !prefersHtml(request.headers.get("accept"))) return;
        const viewer = await viewerOf(deps, request);
        return viewer ? homePage(request, viewer) : redirect(request, "/signin");
      })
      .onBeforeHandle(({ request }) => requireSameOrigin(request))
      .onError(({ code, error, request }) => {
        if (error instanceof SignInFirst) return redirect(request, "/signin");
        if (code === "NOT_FOUND") return;
        const failure =
          code === "PARSE" || (code === "VALIDATION" && error.type === "body")
            ? { status: 400, message: "The form could not be read." }
            : code === "VALIDATION"
              ? { status: 404, message: "There is no such page." }
              : publicError(error);
        if (failure.status >= 500) log.error("page_failed", error);
        return page(request, errorFragment(failure.message), { title: "Sorry", status: failure.status });
      })
      .get("/public/:name", ({ params, request }) => assetResponse(params.name, request) ?? new Response("not found", { status: 404 }))
      // At the root, so that the service worker's scope is the whole site; never cached for long,
      // so that browsers find a new version when they check.
      .get("/sw.js", ({ request }) => assetResponse("sw.js", request))
      .use(authPages(deps))
      .use(homePages(deps))
      .use(peoplePages(deps))
      .use(profilePages(deps))
      .use(roomPages(deps))
      .use(roomSettingsPages(deps))
      .use(settingsPages(deps))
      .use(adminPages(deps))
      .use(tokenPages(deps))
      .use(botPages(deps))
      .use(searchPages(deps))
  );
}

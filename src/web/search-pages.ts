// Search in the browser: the same search as GET /search, on a page of its own.
import { Elysia, t } from "elysia";
import { searchFragment } from "../../views/search";
import type { HttpDeps } from "../http/context";
import { findVisibleRoom, roomOf } from "../rooms/rooms";
import { Id } from "../schemas";
import { SearchQuery } from "../search/schemas";
import { type FoundMessage, searchMessages } from "../search/search";
import { compileValidator } from "../validation";
import { userError } from "./posted-form";
import { page } from "./respond";
import { viewerGuard } from "./session";

/** Results per page: a screenful or two. */
const RESULTS_SHOWN = 20;
const validSearch = compileValidator(SearchQuery);

export function searchPages(deps: HttpDeps) {
  return new Elysia().use(viewerGuard(deps)).get(
    "/chat/search",
    async ({ request, query, viewer }) => {
      const q = query.q ?? "";
      // A room one may not read is no page at all (404), as everywhere.
      const room = query.roomId ? roomOf(await findVisibleRoom(deps.sql, viewer.userId, query.roomId)) : undefined;
      let results: FoundMessage[] = [];
      let error: string | undefined;
      if (q !== "") {
        try {
          results = await searchMessages(deps.sql, viewer.userId, { ...validSearch({ q, roomId: query.roomId, before: query.before }), limit: RESULTS_SHOWN });
        } catch (failure) {
          error = userError(failure);
        }
      }
      const last = results.at(-1);
      const next = results.length === RESULTS_SHOWN && last ? `/chat/search?${new URLSearchParams({ q, ...(room ? { roomId: room.id } : {}), before: last.id })}` : undefined;
      const roomNames = new Map((await viewer.conversations()).map((c) => [c.id, c.name]));
      return page(request, searchFragment({ q, room, results, roomNames, next, error }), { title: q ? `${q} · Search` : "Search", viewer, status: error ? 400 : 200 });
    },
    // The words are checked by the search, so that a bad one is said on the page; a malformed id is no page.
    { viewer: true, query: t.Object({ q: t.Optional(t.String()), roomId: t.Optional(Id), before: t.Optional(Id) }) },
  );
}

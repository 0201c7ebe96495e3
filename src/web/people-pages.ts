// People in the browser: the search that finds someone, and the Message button that opens
// your direct room with them (the members panel has one too).
import { Elysia, t } from "elysia";
import { roomUrl } from "../../views/home";
import { peopleFragment } from "../../views/people";
import type { HttpDeps } from "../http/context";
import { searchUsers } from "../people/people";
import { PeopleQuery } from "../people/schemas";
import { openDirectRoom } from "../rooms/direct";
import { OpenDirect } from "../rooms/schemas";
import { compileValidator } from "../validation";
import { Form, userError } from "./posted-form";
import { isHtmx, page, redirect } from "./respond";
import { type Viewer, viewerGuard } from "./session";

/** People listed at most: enough to scroll through a team, and a search narrows it down. */
const PEOPLE_SHOWN = 50;
const validDirect = compileValidator(OpenDirect);

export function peoplePages(deps: HttpDeps) {
  /** The people page: who matches the query, and why a Message button failed when it did. */
  const peoplePage = async (request: Request, viewer: Viewer, query: string, error?: string, headers?: Record<string, string>) => {
    const people = await searchUsers(deps.sql, query, PEOPLE_SHOWN);
    return page(request, peopleFragment({ query, people, viewer, error }), { title: "People", viewer, status: error ? 400 : 200, headers });
  };

  return new Elysia()
    .use(viewerGuard(deps))
    .get("/chat/people", ({ request, query, viewer }) => peoplePage(request, viewer, query.query ?? ""), {
      viewer: true,
      query: t.Object({ query: PeopleQuery.properties.query }),
    })
    .post(
      "/chat/dms",
      async ({ request, body, viewer }) => {
        try {
          const { room } = await openDirectRoom(deps.sql, viewer.userId, validDirect({ username: body.username }).username);
          return redirect(request, roomUrl(room.id));
        } catch (error) {
          // Posted by htmx, the people page takes the place of the page's content, wherever the button was.
          const inPlaceOfContent = isHtmx(request) ? { "hx-retarget": "#main", "hx-reswap": "innerHTML" } : undefined;
          return peoplePage(request, viewer, body.username ?? "", userError(error), inPlaceOfContent);
        }
      },
      { viewer: true, body: Form },
    );
}

import { Elysia, t } from "elysia";
import { highlighted } from "../../views/highlight";
import { ErrorBody } from "../schemas";
import { Found, SearchQuery } from "../search/schemas";
import { type FoundMessage, searchMessages } from "../search/search";
import { authGuard, type HttpDeps } from "./context";

/** The API's result: the message object, and its text with the matches marked. */
const asFound = ({ headline, terms, ...message }: FoundMessage): Found => ({ ...message, highlight: highlighted({ headline, terms }).value });

export function searchRoutes(deps: HttpDeps) {
  return new Elysia({ tags: ["messages"] })
    .use(authGuard(deps))
    .guard({ auth: true, response: { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody } })
    .get(
      "/search",
      async ({ principal, query, set }) => {
        const limit = query.limit ?? 20;
        const found = await searchMessages(deps.sql, principal.userId, { ...query, limit });
        const last = found.at(-1);
        if (found.length === limit && last) set.headers.link = `<${nextPage({ ...query, limit, before: last.id })}>; rel="next"`;
        return found.map(asFound);
      },
      {
        query: SearchQuery,
        response: { 200: t.Array(Found) },
        detail: {
          summary: "Search the messages of the rooms you may read, newest first",
          description:
            'Words (all of them), "phrases", `or`, `-word` to leave out (websearch syntax); the last word also matches as a prefix. ' +
            "Words and phrases of 3 characters or more are also found inside words, e-mail addresses and URLs. " +
            "Deleted messages never match; edited ones match their new text. `roomId` searches one room; " +
            '`before` is the id of the last result of the previous page, which the `Link` header (rel="next") names while there may be more.',
        },
      },
    );
}

function nextPage(query: { q: string; roomId?: string; limit: number; before: string }): string {
  const params = new URLSearchParams({ q: query.q, ...(query.roomId ? { roomId: query.roomId } : {}), limit: String(query.limit), before: query.before });
  return `/search?${params}`;
}

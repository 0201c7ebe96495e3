import { Elysia, t } from "elysia";
import { listMessages } from "../messages/messages";
import { HistoryQuery, Message, SendMessage } from "../messages/schemas";
import { sendMessage } from "../messages/send";
import { findVisibleRoom } from "../rooms/rooms";
import { RoomParams } from "../rooms/schemas";
import { ErrorBody } from "../schemas";
import { authGuard, type HttpDeps } from "./context";

export function messageRoutes(deps: HttpDeps) {
  return new Elysia({ prefix: "/messages", tags: ["messages"] })
    .use(authGuard(deps))
    .guard({ auth: true, response: { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 429: ErrorBody } })
    .get(
      "/:roomId",
      async ({ principal, params: { roomId }, query, set }) => {
        const room = await findVisibleRoom(deps.sql, principal.userId, roomId);
        const limit = query.limit ?? 50;
        const page = await listMessages(deps.sql, roomId, { ...query, limit });
        const links = pageLinks(roomId, limit, page, room.lastSeq);
        if (links) set.headers.link = links;
        return page;
      },
      {
        params: RoomParams,
        query: HistoryQuery,
        response: { 200: t.Array(Message) },
        detail: {
          summary: "A page of the room's messages, oldest first",
          description:
            "Without cursors: the newest `limit` messages. `before=S`: the newest page older than seq S. " +
            "`after=S`: the oldest page newer than seq S (catching up). The Link header names the " +
            'previous (rel="prev") and next (rel="next") pages when they exist.',
        },
      },
    )
    .post(
      "",
      async ({ principal, body, set }) => {
        const { message, created } = await sendMessage(deps, principal, body);
        set.status = created ? 201 : 200;
        return message;
      },
      {
        body: SendMessage,
        response: { 200: Message, 201: Message },
        detail: {
          summary: "Send a message (stored, then broadcast as newMessage)",
          description: "201 with the stored message; 200 with the first one when a retry repeats a clientId.",
        },
      },
    );
}

/** RFC 8288 links to the neighbouring pages: older before the first seq, newer after the last. */
function pageLinks(roomId: string, limit: number, page: Message[], newestSeq: number): string | undefined {
  const first = page[0]?.seq;
  const last = page.at(-1)?.seq;
  if (first === undefined || last === undefined) return undefined; // an empty page is an end
  const base = `/messages/${roomId}?limit=${limit}`;
  const links: string[] = [];
  if (first > 1) links.push(`<${base}&before=${first}>; rel="prev"`);
  if (last < newestSeq) links.push(`<${base}&after=${last}>; rel="next"`);
  return links.join(", ") || undefined;
}

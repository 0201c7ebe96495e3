import { Elysia, t } from "elysia";
import { deleteMessage, editMessage, react, unreact } from "../messages/change";
import { listMessages } from "../messages/log";
import { EditMessage, HistoryQuery, Message, MessageParams, ReactionParams, SendMessage } from "../messages/schemas";
import { sendMessage } from "../messages/send";
import { findVisibleRoom } from "../rooms/rooms";
import { RoomParams } from "../rooms/schemas";
import { ErrorBody } from "../schemas";
import { linkHeader } from "./api-document";
import { authGuard, type HttpDeps } from "./context";

const NEIGHBOUR_PAGES = linkHeader('RFC 8288: the older page (rel="prev") and the newer page (rel="next"), those that exist');

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
          responses: { 200: { description: "The page", headers: { Link: NEIGHBOUR_PAGES } } },
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
          description: "201 with the stored message; 200 with the first one when a retry repeats a clientId. `replyToId` answers a message of the same room.",
        },
      },
    )
    .patch("/:messageId", ({ principal, params, body }) => editMessage(deps, principal.userId, params.messageId, body.content), {
      params: MessageParams,
      body: EditMessage,
      response: { 200: Message },
      detail: { summary: "Edit your message (broadcast as messageUpdated)", description: "Editing a deleted message is 409 `deleted`; the same text again changes nothing." },
    })
    .delete("/:messageId", ({ principal, params }) => deleteMessage(deps, principal.userId, params.messageId), {
      params: MessageParams,
      response: { 200: Message },
      detail: {
        summary: "Delete a message: yours, any in a room you own, or any at all as a site admin",
        description:
          "It keeps its id, seq and sender; its content becomes empty and its reactions go. A private room stays the lock: to anyone outside it, even an admin, its messages are not found.",
      },
    })
    .put("/:messageId/reactions/:emoji", ({ principal, params }) => react(deps, principal.userId, params.messageId, params.emoji), {
      params: ReactionParams,
      response: { 200: Message },
      detail: { summary: "React with one emoji (URL-encoded); members only" },
    })
    .delete("/:messageId/reactions/:emoji", ({ principal, params }) => unreact(deps, principal.userId, params.messageId, params.emoji), {
      params: ReactionParams,
      response: { 200: Message },
      detail: { summary: "Take your reaction back" },
    });
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

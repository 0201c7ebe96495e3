import { Elysia, t } from "elysia";
import { exportRoom } from "../messages/export";
import { listChanges } from "../messages/log";
import { Changes, ChangesQuery, ExportQuery } from "../messages/schemas";
import { membersOnline } from "../realtime/presence";
import { markRead, setNotifyLevel } from "../rooms/reading";
import { createRoom, findVisibleRoom, invite, joinRoom, leaveRoom, listRoomsFor, removeMember, roomOf } from "../rooms/rooms";
import {
  CreateRoom,
  Invite,
  MarkRead,
  Member,
  MemberParams,
  Membership,
  Notify,
  Room,
  RoomListItem,
  RoomMember,
  RoomParams,
  SetNotify,
  Unread,
  UpdateRoom,
} from "../rooms/schemas";
import { archiveRoom, updateRoom } from "../rooms/settings";
import { ErrorBody } from "../schemas";
import { linkHeader } from "./api-document";
import { authGuard, type HttpDeps } from "./context";

const NEXT_PAGE = linkHeader('RFC 8288: the next page, rel="next", while there may be more');

export function roomRoutes(deps: HttpDeps) {
  const { sql } = deps;
  return new Elysia({ prefix: "/rooms", tags: ["rooms"] })
    .use(authGuard(deps))
    .guard({ auth: true, response: { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } })
    .get("", ({ principal }) => listRoomsFor(sql, principal.userId), {
      response: { 200: t.Array(RoomListItem) },
      detail: {
        summary: "Public rooms, and the private rooms you are a member of",
        description:
          "Archived rooms are left out. Direct rooms are private rooms of kind `direct`. For the rooms you are a member of: where you have read up to, what is unread, and your notification level.",
      },
    })
    .post(
      "",
      async ({ principal, body, set }) => {
        set.status = 201;
        return createRoom(sql, principal.userId, body.name, body.isPrivate ?? false);
      },
      { body: CreateRoom, response: { 201: Room }, detail: { summary: "Create a room; you own it and are its first member" } },
    )
    .get("/:roomId", async ({ principal, params }) => roomOf(await findVisibleRoom(sql, principal.userId, params.roomId)), {
      params: RoomParams,
      response: { 200: Room },
      detail: { summary: "One room (an archived one too: its members may still read it)" },
    })
    .patch("/:roomId", ({ principal, params, body }) => updateRoom(deps, principal.userId, params.roomId, body), {
      params: RoomParams,
      body: UpdateRoom,
      response: { 200: Room },
      detail: {
        summary: "Rename the room and/or set its topic (its owner or a site admin)",
        description:
          "What is left out stays; a topic of null or blank clears it. Names and topics are trimmed. Every member's sockets hear roomUpdated. " +
          "An archived room: 409 room_archived; a direct room, or anyone else: 403 not_the_owner.",
      },
    })
    .delete("/:roomId", ({ principal, params }) => archiveRoom(deps, principal.userId, params.roomId), {
      params: RoomParams,
      response: { 200: Room },
      detail: {
        summary: "Archive the room (its owner or a site admin)",
        description:
          "The room becomes read-only (sending, editing, deleting, reacting, joining and inviting answer 409 room_archived) and leaves every list; " +
          "its members keep reading its history. Answers the room with archivedAt set; archiving again changes nothing. Every member's sockets hear roomUpdated.",
      },
    })
    .post(
      "/:roomId/join",
      async ({ principal, params }) => {
        await joinRoom(sql, principal.userId, params.roomId);
        return { roomId: params.roomId, userId: principal.userId };
      },
      { params: RoomParams, response: { 200: Membership }, detail: { summary: "Join a public room (the REST twin of joinRoom)" } },
    )
    .post(
      "/:roomId/leave",
      async ({ principal, params }) => {
        await leaveRoom(deps, principal.userId, params.roomId);
        return { roomId: params.roomId, userId: principal.userId };
      },
      { params: RoomParams, response: { 200: Membership }, detail: { summary: "Leave a room (the REST twin of leaveRoom)" } },
    )
    .post("/:roomId/read", ({ principal, params, body }) => markRead(deps, principal.userId, params.roomId, body.seq, body.onlyForward), {
      params: RoomParams,
      body: MarkRead,
      response: { 200: Unread },
      detail: {
        summary: "Set where you have read up to",
        description: "From 0 to the room's last seq; lowering it marks messages unread again. Your other sockets hear roomRead, and so does the other person in a direct room.",
      },
    })
    .put("/:roomId/notify", ({ principal, params, body }) => setNotifyLevel(sql, principal.userId, params.roomId, body.level), {
      params: RoomParams,
      body: SetNotify,
      response: { 200: Notify },
      detail: { summary: "Set what in this room notifies you: all messages, mentions, or nothing" },
    })
    .get(
      "/:roomId/changes",
      async ({ principal, params: { roomId }, query, set }) => {
        const room = await findVisibleRoom(sql, principal.userId, roomId);
        const limit = query.limit ?? 200;
        const messages = await listChanges(sql, roomId, query.since, limit);
        const last = messages.at(-1);
        if (messages.length === limit && last) set.headers.link = `</rooms/${roomId}/changes?since=${last.rev}&limit=${limit}>; rel="next"`;
        return { rev: Math.max(room.lastRev, last?.rev ?? 0), messages };
      },
      {
        params: RoomParams,
        query: ChangesQuery,
        response: { 200: Changes },
        detail: {
          responses: { 200: { description: "The changes", headers: { Link: NEXT_PAGE } } },
          summary: "What changed in the room since a rev",
          description:
            "The room's current rev, and the current state of every message with a larger rev than `since`, in rev order " +
            '(`limit`, default 200). A `Link` header (rel="next") names the next page while there may be more. ' +
            "Applied by id, keeping the higher rev, they give exactly what GET /messages/:roomId shows.",
        },
      },
    )
    .get(
      "/:roomId/export",
      async ({ principal, params, query }) => {
        const { filename, contentType, body } = await exportRoom(sql, principal.userId, params.roomId, query.format ?? "jsonl");
        return new Response(body, {
          headers: { "content-type": contentType, "content-disposition": `attachment; filename="${filename}"`, "x-content-type-options": "nosniff", "cache-control": "no-store" },
        });
      },
      {
        params: RoomParams,
        query: ExportQuery,
        detail: {
          summary: "The room's history as a file (members)",
          description:
            "Every message in seq order, in its current state (edited text; deleted ones as deleted), streamed: `format=jsonl` (default) " +
            "gives one message object per line, `format=md` Markdown to read. A download (`Content-Disposition: attachment`).",
          responses: {
            200: {
              description: "The history, streamed",
              content: { "application/x-ndjson": { schema: { type: "string" } }, "text/markdown": { schema: { type: "string" } } },
            },
          },
        },
      },
    )
    .get("/:roomId/members", ({ principal, params }) => membersOnline(sql, deps.presence, principal.userId, params.roomId), {
      params: RoomParams,
      response: { 200: t.Array(RoomMember) },
      detail: { summary: "The room's members, and who is online" },
    })
    .post(
      "/:roomId/invites",
      async ({ principal, params, body, set }) => {
        set.status = 201;
        return invite(sql, principal.userId, params.roomId, body.username);
      },
      { params: RoomParams, body: Invite, response: { 201: Member }, detail: { summary: "The owner or a site admin adds a user to the room" } },
    )
    .delete(
      "/:roomId/members/:userId",
      async ({ principal, params, set }) => {
        await removeMember(deps, principal.userId, params.roomId, params.userId);
        set.status = 204;
      },
      {
        params: MemberParams,
        detail: { summary: "The owner or a site admin removes a member; their sockets leave the room at once", responses: { 204: { description: "Removed" } } },
      },
    );
}

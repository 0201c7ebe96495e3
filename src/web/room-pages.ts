// A room in the browser: its page, the pages of older history and the members panel that
// htmx asks for, the membership buttons and forms, and the composer's post without JavaScript.
import { Elysia, t } from "elysia";
import { roomUrl } from "../../views/home";
import { historyPage, membersPanel, roomFragment } from "../../views/room";
import type { Principal } from "../auth/accounts";
import type { HttpDeps } from "../http/context";
import { listMessages } from "../messages/log";
import { HistoryQuery, SendMessage } from "../messages/schemas";
import { sendMessage } from "../messages/send";
import { membersOnline } from "../realtime/presence";
import { findVisibleRoom, invite, joinRoom, leaveRoom, removeMember } from "../rooms/rooms";
import { Invite, MemberParams, RoomParams } from "../rooms/schemas";
import { compileValidator } from "../validation";
import { Form, userError } from "./posted-form";
import { isHtmx, page, redirect } from "./respond";
import { viewerGuard } from "./session";

/** Messages per page of history: the newest on the room page, older ones as the reader scrolls up. */
const HISTORY_PAGE = 50;
const validInvite = compileValidator(Invite);
const validMessage = compileValidator(SendMessage);

export function roomPages(deps: HttpDeps) {
  const { sql } = deps;

  /** What the members panel shows; the panel alone needs no history. */
  const membersData = async (viewer: Principal, roomId: string) => {
    const { isMember, lastSeq, lastRev, ...room } = await findVisibleRoom(sql, viewer.userId, roomId);
    return { room, viewer, isMember, members: await membersOnline(sql, deps.presence, viewer.userId, roomId) };
  };

  const roomData = async (viewer: Principal, roomId: string) => {
    const members = await membersData(viewer, roomId); // refuses a room the viewer may not see, before reading it
    return { ...members, messages: await listMessages(sql, roomId, { limit: HISTORY_PAGE }), maxMessageLength: deps.maxMessageLength };
  };

  const membersAnswer = async (request: Request, viewer: Principal, roomId: string) =>
    page(request, membersPanel(await membersData(viewer, roomId)), { title: "Members" });

  return (
    new Elysia()
      .use(viewerGuard(deps))
      .get(
        "/chat/rooms/:roomId",
        async ({ request, params, viewer }) => {
          const data = await roomData(viewer, params.roomId);
          return page(request, roomFragment(data), { title: data.room.name, viewer, live: data.isMember });
        },
        { viewer: true, params: RoomParams },
      )
      // The fragments below are for htmx on the room page; a browser asking for one alone gets the room.
      .get(
        "/chat/rooms/:roomId/messages",
        async ({ request, params, query, viewer }) => {
          if (!isHtmx(request)) return redirect(request, roomUrl(params.roomId));
          await findVisibleRoom(sql, viewer.userId, params.roomId);
          const messages = await listMessages(sql, params.roomId, { before: query.before, limit: HISTORY_PAGE });
          return page(request, historyPage(params.roomId, messages), { title: "Messages" });
        },
        { viewer: true, params: RoomParams, query: t.Object({ before: HistoryQuery.properties.before }) },
      )
      // chat.js asks for the panel again when someone it does not list comes online.
      .get(
        "/chat/rooms/:roomId/members",
        ({ request, params, viewer }) => (isHtmx(request) ? membersAnswer(request, viewer, params.roomId) : redirect(request, roomUrl(params.roomId))),
        { viewer: true, params: RoomParams },
      )
      .post(
        "/chat/rooms/:roomId/join",
        async ({ request, params, viewer }) => {
          await joinRoom(sql, viewer.userId, params.roomId);
          return redirect(request, roomUrl(params.roomId));
        },
        { viewer: true, params: RoomParams },
      )
      .post(
        "/chat/rooms/:roomId/leave",
        async ({ request, params, viewer }) => {
          await leaveRoom(deps, viewer.userId, params.roomId);
          return redirect(request, "/");
        },
        { viewer: true, params: RoomParams },
      )
      .post(
        "/chat/rooms/:roomId/members/:userId/remove",
        async ({ request, params, viewer }) => {
          await removeMember(deps, viewer.userId, params.roomId, params.userId);
          return isHtmx(request) ? membersAnswer(request, viewer, params.roomId) : redirect(request, roomUrl(params.roomId));
        },
        { viewer: true, params: MemberParams },
      )
      .post(
        "/chat/rooms/:roomId/invites",
        async ({ request, params, body, viewer }) => {
          let inviteError: string | undefined;
          try {
            await invite(sql, viewer.userId, params.roomId, validInvite({ username: body.username }).username);
            if (!isHtmx(request)) return redirect(request, roomUrl(params.roomId));
          } catch (error) {
            inviteError = userError(error);
          }
          // htmx swaps the members panel; without it, the whole room shows the panel's answer.
          const data = await roomData(viewer, params.roomId);
          const fragment = isHtmx(request) ? membersPanel(data, inviteError) : roomFragment(data, inviteError);
          return page(request, fragment, { title: data.room.name, viewer, live: data.isMember, status: inviteError ? 400 : 200 });
        },
        { viewer: true, params: RoomParams, body: Form },
      )
      // Without JavaScript the composer posts here; with it, chat.js sends over the socket.
      .post(
        "/chat/rooms/:roomId/messages",
        async ({ request, params, body, viewer }) => {
          await sendMessage(deps, viewer, validMessage({ roomId: params.roomId, content: body.content }));
          return redirect(request, roomUrl(params.roomId));
        },
        { viewer: true, params: RoomParams, body: Form },
      )
  );
}

// A room in the browser: its page, the pages of older history and the members panel that
// htmx asks for, the membership buttons and forms, the notification level, and without
// JavaScript the composer's post and the message forms (delete, after a confirmation page;
// react and take back; mark unread).
import { Elysia, t } from "elysia";
import { roomUrl } from "../../views/home";
import { deleteConfirmation, historyPage, membersPanel, newerPage, notifyForm, roomFragment } from "../../views/room";
import type { Principal } from "../auth/accounts";
import { forbidden, notFound } from "../errors";
import type { HttpDeps } from "../http/context";
import { deleteMessage, react, unreact } from "../messages/change";
import { listMessages, readMessages } from "../messages/log";
import { HistoryQuery, SendMessage } from "../messages/schemas";
import { sendMessage } from "../messages/send";
import { membersOnline } from "../realtime/presence";
import { mayManage } from "../rooms/managers";
import { markRead, setNotifyLevel } from "../rooms/reading";
import { findVisibleRoom, invite, joinRoom, leaveRoom, removeMember, roomOf } from "../rooms/rooms";
import { Invite, MemberParams, RoomParams, SetNotify } from "../rooms/schemas";
import { Id } from "../schemas";
import { compileValidator } from "../validation";
import { Form, userError } from "./posted-form";
import { isHtmx, page, redirect } from "./respond";
import { type Viewer, viewerGuard } from "./session";

/** Messages per page of history: the newest on the room page, older ones as the reader scrolls up. */
const HISTORY_PAGE = 50;
/** The room page reaches back to the first unread message, with this many read ones before it for context... */
const READ_BEFORE_UNREAD = 10;
/** ...but shows no more than this many messages: beyond that, older ones load as the reader scrolls up. */
const UNREAD_PAGE_MAX = 200;
/** A permalink opens the room with this many messages before the linked one, and as many after it. */
const AROUND_LINKED = 25;
const validInvite = compileValidator(Invite);
const validNotify = compileValidator(SetNotify);
const validMessage = compileValidator(SendMessage);
const MessageParams = t.Object({ roomId: Id, messageId: Id });

export function roomPages(deps: HttpDeps) {
  const { sql } = deps;

  /** What the members panel shows; the panel alone needs no history. */
  const membersData = async (viewer: Principal, roomId: string) => {
    const visible = await findVisibleRoom(sql, viewer.userId, roomId);
    const [members, manages] = await Promise.all([membersOnline(sql, deps.presence, viewer.userId, roomId), mayManage(sql, visible, viewer.userId)]);
    return { room: roomOf(visible), viewer, isMember: visible.isMember, members, mayManage: manages };
  };

  /**
   * The room with its newest history, from the first unread message on if there are more than
   * a page of them; or, at a permalink (`linkedSeq`), the messages around that one. The log's
   * position is read before the history, so that the page's live updates, which start there,
   * overlap what it shows rather than miss anything.
   */
  const roomData = async (viewer: Viewer, roomId: string, linkedSeq?: number) => {
    const visible = await findVisibleRoom(sql, viewer.userId, roomId); // refuses a room the viewer may not see
    const { isMember, lastSeq, lastRev, lastReadSeq, notify } = visible;
    const room = roomOf(visible);
    const unread = lastSeq - (lastReadSeq ?? lastSeq);
    const linked = linkedSeq !== undefined && linkedSeq >= 1 && linkedSeq <= lastSeq ? linkedSeq : null; // past the end: the newest, as without
    const history = async () => {
      if (linked === null) return listMessages(sql, roomId, { limit: Math.min(UNREAD_PAGE_MAX, Math.max(HISTORY_PAGE, unread + READ_BEFORE_UNREAD)) });
      const [before, from] = await Promise.all([
        listMessages(sql, roomId, { before: linked, limit: AROUND_LINKED }),
        listMessages(sql, roomId, { after: linked - 1, limit: AROUND_LINKED + 1 }),
      ]);
      return [...before, ...from];
    };
    const [viewerIsAdmin, members, messages, manages] = await Promise.all([
      viewer.isAdmin(),
      membersOnline(sql, deps.presence, viewer.userId, roomId),
      history(),
      mayManage(sql, room, viewer.userId),
    ]);
    const upToDate = (messages.at(-1)?.seq ?? 0) >= lastSeq;
    return {
      room,
      viewer,
      viewerIsAdmin,
      isMember,
      mayManage: manages,
      lastReadSeq,
      notify,
      members,
      messages,
      upToDate,
      linkedSeq: linked,
      lastSeq,
      lastRev,
      maxMessageLength: deps.maxMessageLength,
    };
  };

  /** A message of this room, which the viewer may see; a message of another room is not found here. */
  const messageIn = async (viewer: Principal, roomId: string, messageId: string) => {
    const room = await findVisibleRoom(sql, viewer.userId, roomId);
    const message = (await readMessages(sql, [messageId])).get(messageId);
    if (!message || message.roomId !== room.id) throw notFound("message_not_found", "no such message");
    return { room, message };
  };

  const backToMessage = (request: Request, message: { roomId: string; id: string }) => redirect(request, `${roomUrl(message.roomId)}#message-${message.id}`);

  const membersAnswer = async (request: Request, viewer: Principal, roomId: string) => page(request, membersPanel(await membersData(viewer, roomId)), { title: "Members" });

  return (
    new Elysia()
      .use(viewerGuard(deps))
      .get(
        "/chat/rooms/:roomId",
        async ({ request, params, query, viewer }) => {
          const data = await roomData(viewer, params.roomId, query.seq);
          return page(request, roomFragment(data), { title: data.room.name, viewer, live: data.isMember && data.room.archivedAt === null });
        },
        { viewer: true, params: RoomParams, query: t.Object({ seq: HistoryQuery.properties.after }) },
      )
      // The fragments below are for htmx on the room page; a browser asking for one alone gets the room.
      // `before`: the page older than a seq (scrolling up); `after`: the page newer than one (scrolling down from a permalink).
      .get(
        "/chat/rooms/:roomId/messages",
        async ({ request, params, query, viewer }) => {
          if (!isHtmx(request)) return redirect(request, roomUrl(params.roomId));
          const room = await findVisibleRoom(sql, viewer.userId, params.roomId);
          if (query.after !== undefined) {
            const messages = await listMessages(sql, params.roomId, { after: query.after, limit: HISTORY_PAGE });
            return page(request, newerPage(params.roomId, messages, (messages.at(-1)?.seq ?? room.lastSeq) < room.lastSeq), { title: "Messages" });
          }
          const messages = await listMessages(sql, params.roomId, { before: query.before, limit: HISTORY_PAGE });
          return page(request, historyPage(params.roomId, messages), { title: "Messages" });
        },
        { viewer: true, params: RoomParams, query: t.Object({ before: HistoryQuery.properties.before, after: HistoryQuery.properties.after }) },
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
      // The notification level: htmx gets the form back, showing the level now set.
      .post(
        "/chat/rooms/:roomId/notify",
        async ({ request, params, body, viewer }) => {
          const { notify } = await setNotifyLevel(sql, viewer.userId, params.roomId, validNotify({ level: body.level }).level);
          return isHtmx(request) ? page(request, notifyForm(params.roomId, notify), { title: "Notifications" }) : redirect(request, roomUrl(params.roomId));
        },
        { viewer: true, params: RoomParams, body: Form },
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
          return page(request, fragment, { title: data.room.name, viewer, live: data.isMember && data.room.archivedAt === null, status: inviteError ? 400 : 200 });
        },
        { viewer: true, params: RoomParams, body: Form },
      )
      // Without JavaScript, Delete asks first on a page of its own (with it, public/actions.js asks in a dialog).
      .get(
        "/chat/rooms/:roomId/messages/:messageId/delete",
        async ({ request, params, viewer }) => {
          const { room, message } = await messageIn(viewer, params.roomId, params.messageId);
          if (message.deletedAt) return backToMessage(request, message);
          if (message.senderId !== viewer.userId && room.ownerId !== viewer.userId && !(await viewer.isAdmin())) {
            throw forbidden("forbidden", "only the sender, the room's owner or a site admin may delete a message");
          }
          return page(request, deleteConfirmation(message), { title: "Delete this message?", viewer });
        },
        { viewer: true, params: MessageParams },
      )
      .post(
        "/chat/rooms/:roomId/messages/:messageId/delete",
        async ({ request, params, viewer }) => {
          const { message } = await messageIn(viewer, params.roomId, params.messageId);
          await deleteMessage(deps, viewer.userId, message.id);
          return backToMessage(request, message);
        },
        { viewer: true, params: MessageParams },
      )
      // Without JavaScript, "Mark unread" on a message: the reader's marker goes back to just before it.
      .post(
        "/chat/rooms/:roomId/messages/:messageId/unread",
        async ({ request, params, viewer }) => {
          const { message } = await messageIn(viewer, params.roomId, params.messageId);
          await markRead(deps, viewer.userId, message.roomId, message.seq - 1);
          return backToMessage(request, message);
        },
        { viewer: true, params: MessageParams },
      )
      // A reaction's button, or the picker's: adds your reaction, or takes it back if you had made it.
      .post(
        "/chat/rooms/:roomId/messages/:messageId/reactions",
        async ({ request, params, body, viewer }) => {
          const { message } = await messageIn(viewer, params.roomId, params.messageId);
          const emoji = body.emoji ?? "";
          const mine = message.reactions.some((r) => r.emoji === emoji && r.userIds.includes(viewer.userId));
          await (mine ? unreact : react)(deps, viewer.userId, message.id, emoji);
          return backToMessage(request, message);
        },
        { viewer: true, params: MessageParams, body: Form },
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

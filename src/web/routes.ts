// The browser UI: pages and htmx fragments over the same domain functions as the JSON API.
// Every state change is a POST from one of our own pages (same-origin check below).
import { Elysia, t } from "elysia";
import { registerForm, signInForm, type AuthForm } from "../../views/auth";
import type { SafeHtml } from "../../views/html";
import { createRoomForm, homeFragment, roomUrl } from "../../views/home";
import { errorFragment } from "../../views/layout";
import { historyPage, membersPanel, roomFragment } from "../../views/room";
import { login, logout, register, type Principal } from "../auth/accounts";
import { Credentials, LoginCredentials } from "../auth/schemas";
import { AppError, publicError } from "../errors";
import { addressOf } from "../http/client-address";
import type { HttpDeps } from "../http/context";
import { requireSameOrigin } from "../http/origin";
import { log } from "../log";
import { listMessages } from "../messages/messages";
import { HistoryQuery, SendMessage } from "../messages/schemas";
import { sendMessage } from "../messages/send";
import { membersOnline } from "../realtime/presence";
import { findVisibleRoom, invite, joinRoom, leaveRoom, listVisibleRooms, memberRoomIds, createRoom, removeMember } from "../rooms/rooms";
import { CreateRoom, Invite, MemberParams, RoomParams } from "../rooms/schemas";
import { Text } from "../schemas";
import { compileValidator } from "../validation";
import { assetResponse } from "./assets";
import { prefersHtml } from "./negotiation";
import { isHtmx, page, redirect } from "./respond";
import { clearedSessionCookie, sessionCookie, viewerOf } from "./session";

const HISTORY_PAGE = 50;
// Every form is checked with the API's own schemas before anything reaches the database.
const validCredentials = compileValidator(Credentials);
const validLogin = compileValidator(LoginCredentials);
const validMessage = compileValidator(SendMessage);
const validNewRoom = compileValidator(CreateRoom);
const validInvite = compileValidator(Invite);

/** Form fields arrive as text (or not at all). */
const Form = t.Record(t.String(), Text());

/** A page that needs a signed-in browser was asked for without one. */
class SignInFirst extends Error {}

/** The message a form shows for a failure the user can fix; anything else is not for the form. */
function userError(error: unknown): string {
  if (error instanceof AppError && error.status < 500) return error.message;
  throw error;
}

export function webRoutes(deps: HttpDeps) {
  const { sql } = deps;

  async function homePage(request: Request, viewer: Principal, createError?: string) {
    const [rooms, joinedIds] = await Promise.all([listVisibleRooms(sql, viewer.userId), memberRoomIds(sql, viewer.userId)]);
    const data = { joined: rooms.filter((r) => joinedIds.has(r.id)), joinable: rooms.filter((r) => !joinedIds.has(r.id)), createError };
    return page(request, homeFragment(data), { title: "Rooms", viewer, status: createError ? 400 : 200 });
  }

  const signInWith = (request: Request, token: string) =>
    redirect(request, "/", { "set-cookie": sessionCookie(request, token, deps.auth.tokenTtlSeconds) });

  /** The signed-in browser's user; anyone else is sent to sign in (by onError below). */
  async function signedIn(request: Request): Promise<Principal> {
    const viewer = await viewerOf(deps, request);
    if (!viewer) throw new SignInFirst();
    return viewer;
  }

  const authPage = (request: Request, form: SafeHtml, title: string, status = 200) => page(request, form, { title, status });

  /** What the members panel shows; the panel alone needs no history. */
  const membersData = async (viewer: Principal, roomId: string) => {
    const { isMember, lastSeq, ...room } = await findVisibleRoom(sql, viewer.userId, roomId);
    return { room, viewer, isMember, members: await membersOnline(sql, deps.presence, viewer.userId, roomId) };
  };

  const roomData = async (viewer: Principal, roomId: string) => {
    const members = await membersData(viewer, roomId); // refuses a room the viewer may not see, before reading it
    return { ...members, messages: await listMessages(sql, roomId, { limit: HISTORY_PAGE }), maxMessageLength: deps.maxMessageLength };
  };

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
      .get("/signin", ({ request }) => authPage(request, signInForm(), "Sign in"))
      .post(
        "/signin",
        async ({ request, body }) => {
          const form: AuthForm = { username: body.username };
          try {
            const { username, password } = validLogin({ username: body.username, password: body.password });
            return signInWith(request, await login(deps, username, password, addressOf(request)));
          } catch (error) {
            const filledInWrongly = error instanceof AppError && error.status === 400;
            return authPage(request, signInForm({ ...form, error: userError(error) }), "Sign in", filledInWrongly ? 400 : 401);
          }
        },
        { body: Form },
      )
      .get("/register", ({ request }) => authPage(request, registerForm(), "Create an account"))
      .post(
        "/register",
        async ({ request, body }) => {
          try {
            const { username, password } = validCredentials({ username: body.username, password: body.password });
            await register(deps, username, password, addressOf(request));
            return signInWith(request, await login(deps, username, password, addressOf(request)));
          } catch (error) {
            return authPage(request, registerForm({ username: body.username, error: userError(error) }), "Create an account", 400);
          }
        },
        { body: Form },
      )
      .post("/signout", async ({ request }) => {
        const viewer = await viewerOf(deps, request);
        if (viewer) {
          await logout(deps, viewer);
          deps.hub.sessionEnded(viewer.sessionId);
        }
        return redirect(request, "/signin", { "set-cookie": clearedSessionCookie(request) });
      })
      // Everything below starts with `await signedIn(request)`.
      .post(
        "/chat/rooms",
        async ({ request, body }) => {
          const viewer = await signedIn(request);
          try {
            const { name, isPrivate } = validNewRoom({ name: body.name, isPrivate: body.isPrivate === "true" });
            const room = await createRoom(sql, viewer.userId, name, isPrivate ?? false);
            return redirect(request, roomUrl(room.id));
          } catch (error) {
            const message = userError(error);
            return isHtmx(request)
              ? page(request, createRoomForm(message), { title: "Rooms", status: 400 })
              : homePage(request, viewer, message);
          }
        },
        { body: Form },
      )
      .get("/chat/rooms/:roomId", async ({ request, params }) => {
        const viewer = await signedIn(request);
        const data = await roomData(viewer, params.roomId);
        return page(request, roomFragment(data), { title: data.room.name, viewer, live: data.isMember });
      }, { params: RoomParams })
      .get(
        "/chat/rooms/:roomId/messages",
        async ({ request, params, query }) => {
          const viewer = await signedIn(request);
          if (!isHtmx(request)) return redirect(request, roomUrl(params.roomId));
          await findVisibleRoom(sql, viewer.userId, params.roomId);
          const messages = await listMessages(sql, params.roomId, { before: query.before, limit: HISTORY_PAGE });
          return page(request, historyPage(params.roomId, messages), { title: "Messages" });
        },
        { params: RoomParams, query: t.Object({ before: HistoryQuery.properties.before }) },
      )
      // chat.js asks for the panel again when someone it does not list comes online.
      .get(
        "/chat/rooms/:roomId/members",
        async ({ request, params }) => {
          const viewer = await signedIn(request);
          if (!isHtmx(request)) return redirect(request, roomUrl(params.roomId));
          return page(request, membersPanel(await membersData(viewer, params.roomId)), { title: "Members" });
        },
        { params: RoomParams },
      )
      .post(
        "/chat/rooms/:roomId/join",
        async ({ request, params }) => {
          const viewer = await signedIn(request);
          await joinRoom(sql, viewer.userId, params.roomId);
          return redirect(request, roomUrl(params.roomId));
        },
        { params: RoomParams },
      )
      .post(
        "/chat/rooms/:roomId/leave",
        async ({ request, params }) => {
          const viewer = await signedIn(request);
          await leaveRoom(deps, viewer.userId, params.roomId);
          return redirect(request, "/");
        },
        { params: RoomParams },
      )
      .post(
        "/chat/rooms/:roomId/members/:userId/remove",
        async ({ request, params }) => {
          const viewer = await signedIn(request);
          await removeMember(deps, viewer.userId, params.roomId, params.userId);
          if (!isHtmx(request)) return redirect(request, roomUrl(params.roomId));
          return page(request, membersPanel(await membersData(viewer, params.roomId)), { title: "Members" });
        },
        { params: MemberParams },
      )
      .post(
        "/chat/rooms/:roomId/invites",
        async ({ request, params, body }) => {
          const viewer = await signedIn(request);
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
        { params: RoomParams, body: Form },
      )
      // Without JavaScript the composer posts here; with it, chat.js sends over the socket.
      .post(
        "/chat/rooms/:roomId/messages",
        async ({ request, params, body }) => {
          const viewer = await signedIn(request);
          await sendMessage(deps, viewer, validMessage({ roomId: params.roomId, content: body.content }));
          return redirect(request, roomUrl(params.roomId));
        },
        { params: RoomParams, body: Form },
      )
  );
}

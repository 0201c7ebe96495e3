// The home page: the public rooms one could join, the form that creates a room, and the way to
// someone to message; and the sidebar's lists, which sidebar.js asks for again when a
// conversation it does not list appears.
import { Elysia, t } from "elysia";
import { createRoomForm, homeFragment, type Namesakes, roomUrl } from "../../views/home";
import { conversationLists } from "../../views/sidebar";
import type { HttpDeps } from "../http/context";
import { createRoom, storedName } from "../rooms/rooms";
import { CreateRoom } from "../rooms/schemas";
import { Text } from "../schemas";
import { compileValidator } from "../validation";
import { Form, userError } from "./posted-form";
import { isHtmx, page, redirect } from "./respond";
import { nameKey, withOwnerNames } from "./same-names";
import { type Viewer, viewerGuard } from "./session";

const validNewRoom = compileValidator(CreateRoom);

/**
 * The home page, with the create form's error, or its question about a name in use (a question,
 * not an error: 200), when that form was posted without htmx.
 */
export async function homePage(request: Request, viewer: Viewer, createError?: string, namesakes?: Namesakes) {
  const joinable = (await viewer.conversations()).filter((room) => !room.isMember);
  return page(request, homeFragment({ joinable, createError, namesakes }), { title: "Rooms", viewer, status: createError ? 400 : 200 });
}

export function homePages(deps: HttpDeps) {
  return (
    new Elysia()
      .use(viewerGuard(deps))
      .post(
        "/chat/rooms",
        async ({ request, body, viewer }) => {
          try {
            const { name, isPrivate = false } = validNewRoom({ name: body.name, isPrivate: body.isPrivate === "true" });
            // A name the viewer can already see in a list: asked again, unless this is the answer.
            const rooms = (await viewer.conversations()).filter((room) => room.kind === "room" && nameKey(room.name) === nameKey(storedName(name)));
            if (rooms.length > 0 && body.sameNameOk !== "true") {
              const namesakes = { name: storedName(name), isPrivate, rooms: await withOwnerNames(deps.sql, rooms) };
              return isHtmx(request) ? page(request, createRoomForm(undefined, namesakes), { title: "Rooms" }) : homePage(request, viewer, undefined, namesakes);
            }
            const room = await createRoom(deps.sql, viewer.userId, name, isPrivate);
            return redirect(request, roomUrl(room.id));
          } catch (error) {
            const message = userError(error);
            return isHtmx(request) ? page(request, createRoomForm(message), { title: "Rooms", status: 400 }) : homePage(request, viewer, message);
          }
        },
        { viewer: true, body: Form },
      )
      // For htmx only; the conversation of the page htmx asks from (its HX-Current-URL) stays marked current.
      .get(
        "/chat/sidebar",
        async ({ request, headers, viewer }) => {
          if (!isHtmx(request)) return redirect(request, "/");
          const currentPath = URL.parse(headers["hx-current-url"] ?? "")?.pathname ?? "";
          return page(request, conversationLists({ conversations: await viewer.conversations(), currentPath }), { title: "Conversations" });
        },
        { viewer: true, headers: t.Object({ "hx-current-url": t.Optional(Text({ maxLength: 2048 })) }) },
      )
  );
}

// The home page: the rooms one is in, the public rooms one could join, and the form that
// creates a room.
import { Elysia } from "elysia";
import { createRoomForm, homeFragment, roomUrl } from "../../views/home";
import type { Principal } from "../auth/accounts";
import type { HttpDeps } from "../http/context";
import { createRoom, listRoomsFor } from "../rooms/rooms";
import { CreateRoom } from "../rooms/schemas";
import { compileValidator } from "../validation";
import { Form, userError } from "./posted-form";
import { isHtmx, page, redirect } from "./respond";
import { viewerGuard } from "./session";

const validNewRoom = compileValidator(CreateRoom);

/** The home page, with the create form's error when that form failed without htmx. */
export async function homePage({ sql }: HttpDeps, request: Request, viewer: Principal, createError?: string) {
  const rooms = await listRoomsFor(sql, viewer.userId);
  const data = { joined: rooms.filter((r) => r.isMember), joinable: rooms.filter((r) => !r.isMember), createError };
  return page(request, homeFragment(data), { title: "Rooms", viewer, status: createError ? 400 : 200 });
}

export function homePages(deps: HttpDeps) {
  return new Elysia().use(viewerGuard(deps)).post(
    "/chat/rooms",
    async ({ request, body, viewer }) => {
      try {
        const { name, isPrivate } = validNewRoom({ name: body.name, isPrivate: body.isPrivate === "true" });
        const room = await createRoom(deps.sql, viewer.userId, name, isPrivate ?? false);
        return redirect(request, roomUrl(room.id));
      } catch (error) {
        const message = userError(error);
        return isHtmx(request) ? page(request, createRoomForm(message), { title: "Rooms", status: 400 }) : homePage(deps, request, viewer, message);
      }
    },
    { viewer: true, body: Form },
  );
}

// A room's settings in the browser: the page that renames it and sets its topic, and archiving
// it after a page that asks first. Only for those who manage the room (src/rooms/managers.ts);
// anyone else gets the error page the API's rule answers with.
import { Elysia } from "elysia";
import { roomUrl } from "../../views/home";
import { archiveConfirmation, roomSettings } from "../../views/room-settings";
import type { HttpDeps } from "../http/context";
import { findManagedRoom, requireOpen, roomOf } from "../rooms/rooms";
import { RoomParams, UpdateRoom } from "../rooms/schemas";
import { archiveRoom, updateRoom } from "../rooms/settings";
import { compileValidator } from "../validation";
import { Form, userError } from "./posted-form";
import { page, redirect } from "./respond";
import { viewerGuard } from "./session";

const validUpdate = compileValidator(UpdateRoom);

export function roomSettingsPages(deps: HttpDeps) {
  const { sql } = deps;
  /** The room, if the viewer manages it and it is not archived yet. */
  const managed = async (userId: string, roomId: string) => {
    const room = await findManagedRoom(sql, userId, roomId);
    requireOpen(room);
    return roomOf(room);
  };

  return new Elysia()
    .use(viewerGuard(deps))
    .get(
      "/chat/rooms/:roomId/settings",
      async ({ request, params, viewer }) => page(request, roomSettings(await managed(viewer.userId, params.roomId)), { title: "Room settings", viewer }),
      { viewer: true, params: RoomParams },
    )
    .post(
      "/chat/rooms/:roomId/settings",
      async ({ request, params, body, viewer }) => {
        const input = { name: body.name ?? "", topic: body.topic ?? "" };
        try {
          await updateRoom(deps, viewer.userId, params.roomId, validUpdate(input));
          return redirect(request, roomUrl(params.roomId));
        } catch (error) {
          const room = await managed(viewer.userId, params.roomId);
          return page(request, roomSettings(room, userError(error), input), { title: "Room settings", viewer, status: 400 });
        }
      },
      { viewer: true, params: RoomParams, body: Form },
    )
    .get(
      "/chat/rooms/:roomId/archive",
      async ({ request, params, viewer }) => page(request, archiveConfirmation(await managed(viewer.userId, params.roomId)), { title: "Archive this room?", viewer }),
      { viewer: true, params: RoomParams },
    )
    .post(
      "/chat/rooms/:roomId/archive",
      async ({ request, params, viewer }) => {
        await archiveRoom(deps, viewer.userId, params.roomId);
        return redirect(request, "/");
      },
      { viewer: true, params: RoomParams },
    );
}

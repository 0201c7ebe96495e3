import { Elysia, t } from "elysia";
import { searchUsers } from "../people/people";
import { PeopleQuery, Person } from "../people/schemas";
import { openDirectRoom } from "../rooms/direct";
import { roomOf } from "../rooms/rooms";
import { OpenDirect, Room } from "../rooms/schemas";
import { ErrorBody } from "../schemas";
import { authGuard, type HttpDeps } from "./context";

export function peopleRoutes(deps: HttpDeps) {
  return new Elysia({ tags: ["people"] })
    .use(authGuard(deps))
    .guard({ auth: true, response: { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody } })
    .get("/users", ({ query }) => searchUsers(deps.sql, query.query ?? "", query.limit ?? 20), {
      query: PeopleQuery,
      response: { 200: t.Array(Person) },
      detail: { summary: "People whose username contains `query` (any case), those starting with it first; not deactivated or deleted accounts" },
    })
    .post(
      "/dms",
      async ({ principal, body, set }) => {
        const { room, created } = await openDirectRoom(deps.sql, principal.userId, body.username);
        set.status = created ? 201 : 200;
        return roomOf(room);
      },
      {
        body: OpenDirect,
        response: { 200: Room, 201: Room },
        detail: {
          summary: "Your direct room with someone: 201 when made now, 200 after",
          description: "A private room of kind `direct` with the two of you as members, no owner, no invites and no joining; its name is the other person's username.",
        },
      },
    );
}

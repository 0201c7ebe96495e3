// Deleting your own account. The row stays, so that your messages keep their sender (shown as
// "deleted user"), and so does your username, so that nobody can take it and pass for you in
// old messages. Everything else goes: the password, every session and socket, push
// subscriptions, reset links, and your memberships (rooms you owned pass on, as when you leave).

import type { MembershipDeps } from "../rooms/rooms";
import { leaveRoom } from "../rooms/rooms";
import { type Accounts, endAllSessions, type Principal, requirePassword, type SessionEnding } from "./accounts";
import { keepAnAdmin } from "./admins";

export async function deleteAccount(deps: Accounts & SessionEnding & MembershipDeps, principal: Principal, password: string): Promise<void> {
  await requirePassword(deps, principal, password);
  const { userId } = principal;
  await endAllSessions(deps, userId, async (tx) => {
    await keepAnAdmin(tx, userId);
    await tx`update users set deleted_at = now(), password_hash = '', is_admin = false where id = ${userId}`;
    await tx`delete from push_subscriptions where user_id = ${userId}`;
    await tx`delete from reset_tokens where user_id = ${userId}`;
  });
  // Room by room, as leaving does, under each room's lock: its owner passes on, its sockets hear of it.
  const rooms = await deps.sql<{ room_id: string }[]>`select room_id from memberships where user_id = ${userId}`;
  for (const { room_id } of rooms) await leaveRoom(deps, userId, room_id);
}

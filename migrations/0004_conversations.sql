-- Conversations: read markers, notification levels and direct rooms.

-- Where each member has read up to. Unread is arithmetic on the log, not a scan: the room's
-- last_seq minus this, less the member's own and the deleted messages after it (both index
-- ranges below). A new member starts at the room's last seq: history is not "unread".
alter table memberships add column last_read_seq bigint not null default 0;
-- Those already in a room have read it so far: nobody opens the upgrade to a wall of unread.
update memberships m set last_read_seq = r.last_seq from rooms r where r.id = m.room_id;
-- What reaches the member as a notification; null is the room's default ("all" in direct and
-- private rooms, "mentions" in public ones), so that a room made private later follows suit.
alter table memberships add column notify text check (notify in ('all', 'mentions', 'none'));

-- A direct room is a room: the same log, feed and permissions. One per pair of people: the
-- pair, in a fixed order, is unique, so two people opening it at once get the same room.
alter table rooms add column kind text not null default 'room' check (kind in ('room', 'direct'));
create table direct_rooms (
  room_id uuid primary key references rooms on delete cascade,
  user_low uuid not null references users on delete cascade,
  user_high uuid not null references users on delete cascade,
  constraint direct_rooms_pair_order check (user_low <= user_high),
  constraint direct_rooms_pair_key unique (user_low, user_high)
);

-- Unread counts leave out one's own messages and deleted ones after the read marker.
create index messages_sender_room_seq_idx on messages (sender_id, room_id, seq);
create index messages_deleted_seq_idx on messages (room_id, seq) where deleted_at is not null;

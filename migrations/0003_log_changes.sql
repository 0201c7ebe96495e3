-- The log carries changes. Every change to a room's log (a new message, an edit, a deletion,
-- a reaction added or removed) takes the room's next `rev`, bumped in the same statement as
-- the change under the room's row lock: a room's changes commit in rev order, and a failed
-- change leaves no gap. A message row carries the rev of its latest change, so "what changed
-- since rev R" is one index range.
alter table rooms add column last_rev bigint not null default 0;
-- Until now the only change was a new message: the log so far is its seqs.
update rooms set last_rev = last_seq;

alter table messages add column rev bigint;
update messages set rev = seq;
alter table messages alter column rev set not null;
alter table messages add constraint messages_room_rev_key unique (room_id, rev);

alter table messages add column edited_at timestamptz;
-- A deleted message keeps its row (its id, seq and sender) with empty content: seqs stay
-- without gaps, and a client that was away learns of the deletion by its rev.
alter table messages add column deleted_at timestamptz;
alter table messages add column reply_to_id uuid references messages;

-- One row per person, message and emoji; the message object sums them up, in order of first use.
create table reactions (
  message_id uuid not null references messages on delete cascade,
  user_id uuid not null references users on delete cascade,
  emoji text not null,
  -- Reactions made within one millisecond tie on time in the embedded database: this orders them.
  created_order bigint generated always as identity,
  primary key (message_id, user_id, emoji)
);

-- Who a message mentions, kept at send and at edit, so that unread mention counts are an
-- index range per member rather than a scan of content.
create table mentions (
  room_id uuid not null references rooms on delete cascade,
  seq bigint not null,
  user_id uuid not null references users on delete cascade,
  primary key (room_id, seq, user_id)
);
create index mentions_user_id_idx on mentions (user_id, room_id, seq);

-- Any member may leave, the owner too: ownership passes to the member who joined earliest, and
-- a room left with no members has no owner (site admins manage it).
alter table rooms alter column owner_id drop not null;

-- Files people upload to a room, to attach to a message there. An upload belongs to its
-- uploader and its room; a send claims it (message_id set in the send's own statement), and
-- one never claimed is removed after a day. The bytes live in the storage (a folder or an S3
-- bucket) under storage_key; thumb_key is the preview of a wide image, when one was made.
create table attachments (
  id uuid primary key default gen_random_uuid(),
  room_id uuid not null references rooms on delete cascade,
  uploader_id uuid not null references users on delete cascade,
  message_id uuid references messages on delete cascade,
  -- Where in its message: the order the sender gave the uploads in (they may finish in any order).
  position smallint,
  name text not null,
  size bigint not null,
  content_type text not null,
  -- Images only, when their size could be read.
  width integer,
  height integer,
  storage_key text not null,
  thumb_key text,
  created_at timestamptz not null default now()
);
create index attachments_message_id_idx on attachments (message_id) where message_id is not null;
-- The sweeper's question: which uploads were never attached, oldest first.
create index attachments_unattached_idx on attachments (created_at) where message_id is null;

-- An uploaded avatar (a square image in the storage); null means the generated initials.
alter table users add column avatar_key text;

create table users (
  id uuid primary key default gen_random_uuid(),
  username text not null,
  password_hash text not null,
  created_at timestamptz not null default now()
);
-- "Alice" and "alice" are the same person.
create unique index users_username_key on users (lower(username));

-- A signed token names its session, so that logout can revoke it before it expires.
create table sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz
);
create index sessions_user_id_idx on sessions (user_id);

create table rooms (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  is_private boolean not null default false,
  owner_id uuid not null references users,
  -- The seq of the room's newest message. A send increments it in the same statement
  -- that inserts the message: the row lock orders sends, and a rollback leaves no gap.
  last_seq bigint not null default 0,
  created_at timestamptz not null default now()
);

create table memberships (
  room_id uuid not null references rooms on delete cascade,
  user_id uuid not null references users on delete cascade,
  joined_at timestamptz not null default now(),
  primary key (room_id, user_id)
);
create index memberships_user_id_idx on memberships (user_id);

create table messages (
  id uuid primary key default gen_random_uuid(),
  room_id uuid not null references rooms on delete cascade,
  seq bigint not null,
  sender_id uuid not null references users,
  -- The sender's own id for the message: a retried send finds the first one.
  client_id text,
  content text not null,
  created_at timestamptz not null default now(),
  constraint messages_room_seq_key unique (room_id, seq),
  constraint messages_sender_client_id_key unique (sender_id, client_id)
);

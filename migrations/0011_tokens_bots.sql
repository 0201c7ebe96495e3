-- API tokens are sessions: the same row that a sign-in makes, so that a token is checked,
-- cached and revoked (sockets included) exactly like a login token. What a sign-in has in its
-- JWT signature, an API token has in its hash: a 256-bit random token needs no slow hash.
alter table sessions add column name text;
alter table sessions add column token_hash bytea;
create unique index sessions_token_hash_key on sessions (token_hash);
-- Kept to the minute: a token's use writes at most once a minute (src/auth/api-tokens.ts).
alter table sessions add column last_used_at timestamptz;
-- An API token may never expire: null. A sign-in always does.
alter table sessions alter column expires_at drop not null;
alter table sessions add constraint sessions_expiry_check check (expires_at is not null or token_hash is not null);

-- Who an account is: a person signs in with a password; a bot and an incoming webhook never
-- do (a bot uses its token, a webhook posts through its secret URL).
alter table users add column kind text not null default 'person' check (kind in ('person', 'bot', 'webhook'));

-- A bot: a user whose mentions and direct messages are POSTed to its webhook, signed with its secret.
create table bots (
  user_id uuid primary key references users on delete cascade,
  webhook_url text,
  secret text not null,
  created_at timestamptz not null default now()
);

-- The outbox of bot deliveries: written in the statement that stores the message, so that a
-- message is never stored without its deliveries nor the other way round. A worker on every
-- instance claims due rows (FOR UPDATE SKIP LOCKED) by moving them past its lease, POSTs them,
-- and deletes them once delivered.
create table bot_deliveries (
  id bigint generated always as identity primary key,
  bot_id uuid not null references bots on delete cascade,
  message_id uuid not null references messages on delete cascade,
  attempts int not null default 0,
  next_attempt_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  last_error text,
  constraint bot_deliveries_once unique (bot_id, message_id)
);
create index bot_deliveries_due_idx on bot_deliveries (next_attempt_at);

-- Incoming webhooks: a secret URL that posts in one room, as the webhook's own user.
create table room_webhooks (
  id uuid primary key default gen_random_uuid(),
  room_id uuid not null references rooms on delete cascade,
  user_id uuid not null references users on delete cascade,
  name text not null,
  secret_hash bytea not null unique,
  created_by uuid references users on delete set null,
  created_at timestamptz not null default now()
);
create index room_webhooks_room_id_idx on room_webhooks (room_id);

-- Link previews: up to three per message, fetched after it is stored and written as a change
-- (it takes a rev). Their images are kept here and served from our own origin, so that pages
-- load nothing from elsewhere.
alter table messages add column previews jsonb not null default '[]';
create table link_preview_images (
  id uuid primary key default gen_random_uuid(),
  message_id uuid not null references messages on delete cascade,
  content_type text not null,
  body bytea not null,
  created_at timestamptz not null default now()
);
create index link_preview_images_message_id_idx on link_preview_images (message_id);

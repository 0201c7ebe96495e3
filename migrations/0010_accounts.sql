-- Accounts an admin governs, and who may sign up.

-- A deactivated account keeps everything but cannot sign in; reactivating it clears this.
alter table users add column deactivated_at timestamptz;
-- A deleted account keeps its row, so that its messages keep their sender, and its username,
-- so that nobody can take the name and pass for them in old messages (as Slack does). It
-- has no password and no memberships; its messages show "deleted user".
alter table users add column deleted_at timestamptz;

-- One-time links an admin hands over to set a new password. Only a hash of the token is
-- stored: a copy of the database holds no usable link.
create table reset_tokens (
  token_hash text primary key,
  user_id uuid not null references users on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index reset_tokens_user_id_idx on reset_tokens (user_id);

-- The join code of the sign-up link while REGISTRATION=link: one row at most. It is shown
-- to admins again, so it is kept as it is; replacing it makes the old link stop working.
create table join_code (
  singleton boolean primary key default true check (singleton),
  code text not null,
  created_at timestamptz not null default now()
);

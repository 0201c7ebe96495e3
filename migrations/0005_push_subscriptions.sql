-- Web Push: where each person's browsers can be reached while no ChatLoop page of theirs is
-- open. The endpoint is the push service's URL for one browser: it names the subscription,
-- so a browser that subscribes again, as someone else perhaps, replaces its row.
create table push_subscriptions (
  endpoint text primary key,
  user_id uuid not null references users on delete cascade,
  -- The browser's P-256 public key and auth secret (base64url): what a push is encrypted for.
  p256dh text not null,
  auth text not null,
  created_at timestamptz not null default now()
);
create index push_subscriptions_user_id_idx on push_subscriptions (user_id, created_at);

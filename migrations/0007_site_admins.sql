-- Site admins: the first account is one, and admins may name others. A server that already
-- has accounts gets its oldest one as its admin, as if it had been first under this rule.
alter table users add column is_admin boolean not null default false;
update users set is_admin = true
where id = (select id from users order by created_at, id limit 1);

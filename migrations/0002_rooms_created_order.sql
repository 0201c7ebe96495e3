-- Rooms are listed in the order they were made. created_at alone cannot tell two rooms made
-- within one millisecond apart (the embedded PostgreSQL keeps time to the millisecond), and
-- a random id is no tie-breaker: this number, drawn when the row is made, is.
alter table rooms add column created_order bigint generated always as identity;

-- Room settings: a topic beside the name, and archiving. An archived room keeps its history
-- and its members, is left out of every list, and refuses anything that would change its log.
alter table rooms add column topic text;
alter table rooms add column archived_at timestamptz;

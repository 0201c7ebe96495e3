-- Search. Words, phrases and a prefix on the last word go through full-text search: a tsvector
-- kept by PostgreSQL itself (generated from content, so an edit re-indexes the new text and a
-- deletion, whose content is "", leaves nothing to find) with the `simple` configuration, which
-- only lowercases: no stemming or stop words of any one language, so every language is found
-- as it is written.
alter table messages add column search_vector tsvector generated always as (to_tsvector('simple', content)) stored;
create index messages_search_idx on messages using gin (search_vector);

-- Beside it, trigrams find what words alone miss: part of a word ("deploy" in "redeployed"),
-- of an e-mail address or a URL ("example.com" in "bob@example.com", which the parser keeps as
-- one token), and hyphenated terms as typed. Bundled with PostgreSQL (contrib) and with PGlite.
create extension if not exists pg_trgm;
create index messages_content_trgm_idx on messages using gin (content gin_trgm_ops);

-- Results come newest first across rooms (messages of one millisecond in their rooms' order):
-- for a common word the newest matches are found by walking this index backwards, rather than
-- by sorting every match.
create index messages_created_at_idx on messages (created_at, room_id, seq);

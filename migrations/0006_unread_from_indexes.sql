-- Unread counts leave out the deleted messages after a read marker that others wrote: with the
-- sender in the index, that count reads the index alone instead of visiting every deleted
-- message's row (20,000 heap pages for a member of 200 busy rooms).
drop index messages_deleted_seq_idx;
create index messages_deleted_seq_idx on messages (room_id, seq) include (sender_id) where deleted_at is not null;

-- The inbox's "a message at most once per inbox" key, message first. Portable between MySQL 8.4 and MariaDB 11.
--
-- Message ids are hashes, so in (user_id, message_id) every page of every active user's range took inserts: the
-- whole index was the working set, and once it outgrew the buffer pool each fan-out batch waited for disk reads
-- (the README's Performance section has the measurements). In (message_id, user_id) the entries of one message are
-- adjacent: a group message of 500 members touches one or two pages of the index instead of 500, a direct message
-- one instead of two. The writer's redelivery lookup (one message, many users) reads the same adjacent entries;
-- the pair lookups are point lookups either way, and the sync queries use the primary key (user_id, seq).
ALTER TABLE inbox
    DROP INDEX uk_inbox_message,
    ADD UNIQUE KEY uk_inbox_message_user (message_id, user_id);

-- Conversations: every message's number in its conversation's log (convSeq), and each user's state of each
-- conversation (last message, read position, unread count, the peer's read position, mute), with a per-user version
-- for the sync key's conversations data type. Portable between MySQL 8.4 and MariaDB 11.

-- The numbering of each conversation's log, owned by the expansion stage (one writer per conversation partition).
CREATE TABLE conversation_seqs (
    conversation_id VARCHAR(140) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    last_conv_seq   BIGINT       NOT NULL,
    PRIMARY KEY (conversation_id)
) ENGINE = InnoDB;

-- A message's number in its conversation; NULL for an entry that is one user's alone (a delete for me). History
-- pages by it.
ALTER TABLE messages ADD COLUMN conv_seq BIGINT NULL;
ALTER TABLE messages ADD UNIQUE KEY uk_messages_conversation (conversation_id, conv_seq);

-- Each user's state of each conversation they are or were part of, owned by the inbox writer (one writer per inbox
-- partition). last_seq is the inbox seq of the newest entry: the order of the chat list. version is the user's
-- conversations version at the last change of the row (inbox_heads.conversations_version).
CREATE TABLE conversation_states (
    user_id         VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    conversation_id VARCHAR(140) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    last_conv_seq   BIGINT       NOT NULL,
    last_message_id VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    last_seq        BIGINT       NOT NULL,
    read_seq        BIGINT       NOT NULL DEFAULT 0,
    unread          INT          NOT NULL DEFAULT 0,
    peer_read_seq   BIGINT       NOT NULL DEFAULT 0,
    muted           BOOLEAN      NOT NULL DEFAULT FALSE,
    version         BIGINT       NOT NULL,
    PRIMARY KEY (user_id, conversation_id),
    KEY ix_conversation_states_version (user_id, version)
) ENGINE = InnoDB;

-- Per user: the conversations version (the newest version of any of their states) and the sum of their unread
-- counts (a push's badge).
ALTER TABLE inbox_heads ADD COLUMN conversations_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE inbox_heads ADD COLUMN unread_total BIGINT NOT NULL DEFAULT 0;

-- A store that already holds messages: number them in the order they were stored, and give every user a state of
-- each conversation in their inbox, read up to its newest message (nothing of the past counts as unread).
UPDATE messages m
JOIN (SELECT message_id,
             ROW_NUMBER() OVER (PARTITION BY conversation_id ORDER BY stored_at, sent_at, message_id) AS n
      FROM messages) numbered ON numbered.message_id = m.message_id
SET m.conv_seq = numbered.n;

INSERT INTO conversation_seqs (conversation_id, last_conv_seq)
SELECT conversation_id, MAX(conv_seq) FROM messages GROUP BY conversation_id;

INSERT INTO conversation_states (user_id, conversation_id, last_conv_seq, last_message_id, last_seq, read_seq,
                                 unread, peer_read_seq, muted, version)
SELECT latest.user_id, latest.conversation_id, latest.last_conv_seq,
       (SELECT m2.message_id FROM messages m2
        WHERE m2.conversation_id = latest.conversation_id AND m2.conv_seq = latest.last_conv_seq),
       latest.last_seq, latest.last_conv_seq, 0, 0, FALSE, 1
FROM (SELECT i.user_id, m.conversation_id, MAX(m.conv_seq) AS last_conv_seq, MAX(i.seq) AS last_seq
      FROM inbox i JOIN messages m ON m.message_id = i.message_id
      GROUP BY i.user_id, m.conversation_id) latest;

UPDATE inbox_heads h SET conversations_version = 1
WHERE EXISTS (SELECT 1 FROM conversation_states s WHERE s.user_id = h.user_id);

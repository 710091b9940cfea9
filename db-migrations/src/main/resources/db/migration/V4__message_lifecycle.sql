-- Message lifecycle: replies, recalls, edits, deletes for one user, reactions. Portable between MySQL 8.4 and
-- MariaDB 11. Every change is an entry of its conversation's log (a message row of kind recall, edit, delete or
-- reaction); these columns and tables hold each target message's current state.

-- The message a message replies to; when (and whether) it was recalled or last edited. An edit replaces content.
ALTER TABLE messages ADD COLUMN reply_to VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL;
ALTER TABLE messages ADD COLUMN recalled_at BIGINT NULL;
ALTER TABLE messages ADD COLUMN edited_at BIGINT NULL;

-- Who reacted to a message with what, in the order of the conversation's log (reacted_seq: the convSeq of the
-- reaction's entry).
CREATE TABLE message_reactions (
    message_id  VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    emoji       VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    user_id     VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    reacted_seq BIGINT      NOT NULL,
    PRIMARY KEY (message_id, emoji, user_id)
) ENGINE = InnoDB;

-- Messages a user deleted for themselves: left out of their history, first syncs and unread counts.
CREATE TABLE message_hides (
    user_id    VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    message_id VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    PRIMARY KEY (user_id, message_id)
) ENGINE = InnoDB;

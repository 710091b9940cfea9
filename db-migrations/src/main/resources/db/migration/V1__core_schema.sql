-- Courier's core schema. Portable between MySQL 8.4 and MariaDB 11: no MySQL-only syntax.
-- Identifiers are ASCII with binary collation (exact, case-sensitive, compact indexes); times are epoch milliseconds.

-- One row: the epoch of this store. Sync keys carry it; a reset or restored store gets a new one, and keys of
-- another epoch are answered with a resync.
CREATE TABLE courier_meta (
    id    TINYINT NOT NULL,
    epoch BIGINT  NOT NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB;

INSERT INTO courier_meta (id, epoch) VALUES (1, ROUND(UNIX_TIMESTAMP(CURRENT_TIMESTAMP(3)) * 1000));

-- Accounts: people, and bridge identities (kind = 'bridge', no password).
-- account_version and contacts_version are the per-user versions of two sync data types.
CREATE TABLE accounts (
    user_id          VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    display_name     VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
    password_hash    VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NULL,
    kind             VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT 'user',
    account_version  BIGINT       NOT NULL DEFAULT 1,
    contacts_version BIGINT       NOT NULL DEFAULT 0,
    created_at       BIGINT       NOT NULL,
    PRIMARY KEY (user_id)
) ENGINE = InnoDB;

-- Devices a user logged in from, and what each acknowledged through its sync key.
CREATE TABLE devices (
    user_id       VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    device_id     VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at    BIGINT      NOT NULL,
    last_login_at BIGINT      NOT NULL,
    last_sync_at  BIGINT      NULL,
    acked_seq     BIGINT      NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, device_id)
) ENGINE = InnoDB;

-- A user's contacts; a deletion stays as a tombstone so that the next sync can report it.
CREATE TABLE contacts (
    owner_id   VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    contact_id VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    alias      VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NULL,
    deleted    BOOLEAN      NOT NULL DEFAULT FALSE,
    version    BIGINT       NOT NULL,
    PRIMARY KEY (owner_id, contact_id),
    KEY ix_contacts_version (owner_id, version)
) ENGINE = InnoDB;

-- Groups. members_version counts the membership changes applied in log order.
CREATE TABLE chat_groups (
    group_id        VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name            VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
    owner_id        VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    members_version BIGINT       NOT NULL DEFAULT 1,
    created_at      BIGINT       NOT NULL,
    PRIMARY KEY (group_id)
) ENGINE = InnoDB;

-- Membership history: a user was a member for versions [joined_version, left_version).
-- The members of a message are those of the version stored with it, so a redelivered
-- or retried message always reaches the same members.
CREATE TABLE group_members (
    group_id       VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    user_id        VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    joined_version BIGINT      NOT NULL,
    left_version   BIGINT      NULL,
    PRIMARY KEY (group_id, user_id, joined_version),
    KEY ix_group_members_user (user_id, group_id)
) ENGINE = InnoDB;

-- Membership events already applied: a redelivered event is recognised and skipped.
CREATE TABLE group_events (
    event_id        VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    group_id        VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    members_version BIGINT      NOT NULL,
    applied_at      BIGINT      NOT NULL,
    PRIMARY KEY (event_id)
) ENGINE = InnoDB;

-- Messages, each body stored once. (sender_id, client_msg_id) identifies a send forever.
CREATE TABLE messages (
    message_id      VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    conversation_id VARCHAR(140) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    sender_id       VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    client_msg_id   VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    kind            VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    content         MEDIUMTEXT   CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    sent_at         BIGINT       NOT NULL,
    members_version BIGINT       NULL,
    origin          VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    stored_at       BIGINT       NOT NULL,
    PRIMARY KEY (message_id),
    UNIQUE KEY uk_messages_send (sender_id, client_msg_id)
) ENGINE = InnoDB;

-- The inbox index: (user, seq) -> message, a message at most once per inbox.
CREATE TABLE inbox (
    user_id    VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    seq        BIGINT      NOT NULL,
    message_id VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at BIGINT      NOT NULL,
    PRIMARY KEY (user_id, seq),
    UNIQUE KEY uk_inbox_message (user_id, message_id)
) ENGINE = InnoDB;

-- Per user: the highest seq ever assigned (survives trimming, so seq never goes back) and the
-- highest seq trimmed by retention (a key below it can no longer be served exactly).
CREATE TABLE inbox_heads (
    user_id     VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    head_seq    BIGINT      NOT NULL,
    trimmed_seq BIGINT      NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id)
) ENGINE = InnoDB;

-- Groups that can be run: announcements, a group mute, dissolving, admins, member mutes; the groups data type of the
-- sync key; blocks between users; the outcome of each change decided at its point in the log. Portable between
-- MySQL 8.4 and MariaDB 11. Everything here is written by the expansion stage in the order of the conversation's log
-- (a group's, or for a block the direct conversation's), except user_groups and groups_version, which the inbox
-- writer owns (one writer per inbox partition).

-- The group object: group_version counts the changes of it (members, name, announcement, mute, admins, owner,
-- dissolving); muted means only the owner and admins may send; a dissolved group takes no more sends or changes.
ALTER TABLE chat_groups ADD COLUMN announcement VARCHAR(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci
    NOT NULL DEFAULT '';
ALTER TABLE chat_groups ADD COLUMN muted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE chat_groups ADD COLUMN dissolved_at BIGINT NULL;
ALTER TABLE chat_groups ADD COLUMN group_version BIGINT NOT NULL DEFAULT 1;

-- Admins of a group now (never the owner). A member who leaves stops being one.
CREATE TABLE group_admins (
    group_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    user_id  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    PRIMARY KEY (group_id, user_id)
) ENGINE = InnoDB;

-- Members whose sends are refused until until_at (epoch milliseconds; the largest BIGINT for "until unmuted").
CREATE TABLE group_mutes (
    group_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    user_id  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    until_at BIGINT      NOT NULL,
    PRIMARY KEY (group_id, user_id)
) ENGINE = InnoDB;

-- The groups data type: per user, the groups whose object changed, each at the user's groups version of its last
-- change (inbox_heads.groups_version); has_left and dissolved say the user is no longer in it.
ALTER TABLE inbox_heads ADD COLUMN groups_version BIGINT NOT NULL DEFAULT 0;

CREATE TABLE user_groups (
    user_id   VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    group_id  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    version   BIGINT      NOT NULL,
    has_left  BOOLEAN     NOT NULL DEFAULT FALSE,
    dissolved BOOLEAN     NOT NULL DEFAULT FALSE,
    PRIMARY KEY (user_id, group_id),
    KEY ix_user_groups_version (user_id, version)
) ENGINE = InnoDB;

-- Who blocked whom: a direct message from blocked_id to blocker_id is refused.
CREATE TABLE blocks (
    blocker_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    blocked_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at BIGINT      NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
) ENGINE = InnoDB;

-- The outcome of a group or block change at its point in the log: applied (code NULL) or refused with a stable error
-- code, for the gateway that answers the call once it is decided. Rows older than a day are removed.
CREATE TABLE change_outcomes (
    event_id   VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    code       VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    detail     VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NULL,
    decided_at BIGINT       NOT NULL,
    PRIMARY KEY (event_id),
    KEY ix_change_outcomes_decided (decided_at)
) ENGINE = InnoDB;

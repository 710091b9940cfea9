-- Pushes to offline devices. Portable between MySQL 8.4 and MariaDB 11.

-- A signed-in device's push token (at most one; a new one replaces it). Its life is the device's: signing out
-- deletes it, and so does a provider's answer that the token is no longer valid. provider: apns, fcm or webhook;
-- token: 1-4096 characters of printable ASCII.
CREATE TABLE device_push_tokens (
    user_id    VARCHAR(64)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    device_id  VARCHAR(64)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    provider   VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    token      VARCHAR(4096) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    updated_at BIGINT        NOT NULL,
    PRIMARY KEY (user_id, device_id)
) ENGINE = InnoDB;

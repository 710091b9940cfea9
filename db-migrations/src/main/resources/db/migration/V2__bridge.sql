-- Bridge outbound: which message was published to which external system. Checked before publishing and written
-- after Kafka acknowledged, so a redelivered conversation record does not publish the message again.
CREATE TABLE bridge_deliveries (
    message_id   VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    system_id    VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    published_at BIGINT      NOT NULL,
    PRIMARY KEY (message_id, system_id)
) ENGINE = InnoDB;

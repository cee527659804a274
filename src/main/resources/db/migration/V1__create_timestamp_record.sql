-- One row per accepted request key.
-- id: UUID version 7 made by the application (time-ordered, known before commit), BINARY(16).
-- request_key: case-sensitive, unique: a repeated key finds the first row instead of adding one.
CREATE TABLE timestamp_record (
    id          BINARY(16)   NOT NULL,
    recorded_at DATETIME(6)  NOT NULL,
    request_key VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    instance    VARCHAR(255) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_timestamp_record_request_key (request_key),
    KEY ix_timestamp_record_recorded_at_id (recorded_at, id)
) ENGINE = InnoDB;

-- Client-level record extracts (records.md): each import of a service's extract is a version;
-- a new extract for the same service becomes current and the previous one is kept, not current.
-- The extract itself is stored encoded (h2h-records' binary encoding) in chunks of at most
-- 64 MiB, under the blob limits of both backends; rejected rows are kept with their reasons.
CREATE TABLE record_extracts (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service       TEXT NOT NULL,
    version       BIGINT NOT NULL,
    fingerprint   TEXT NOT NULL,
    submitted_by  TEXT NOT NULL,
    submitted_at  TEXT NOT NULL,
    files         TEXT NOT NULL,
    warnings      TEXT NOT NULL,
    total_rows    BIGINT NOT NULL,
    rejected_rows BIGINT NOT NULL,
    encoded_bytes BIGINT NOT NULL,
    is_current    BIGINT NOT NULL,
    UNIQUE (service, version)
);

CREATE INDEX record_extracts_current ON record_extracts (service, is_current);

CREATE TABLE record_extract_chunks (
    extract_id BIGINT NOT NULL REFERENCES record_extracts (id),
    seq        BIGINT NOT NULL,
    content    BYTEA NOT NULL,
    PRIMARY KEY (extract_id, seq)
);

CREATE TABLE record_rejections (
    extract_id  BIGINT NOT NULL REFERENCES record_extracts (id),
    seq         BIGINT NOT NULL,
    file        TEXT NOT NULL,
    line        BIGINT NOT NULL,
    column_name TEXT NOT NULL,
    value       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (extract_id, seq)
);

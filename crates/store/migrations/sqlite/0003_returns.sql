-- Aggregate returns: every file as received, the rows it was refused, and every revision of
-- every value. A value is never overwritten: a new figure for a key is a new revision.
-- `published` marks official statistics; anything else is unpublished management information.
CREATE TABLE submissions (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    content        BLOB NOT NULL,
    submitted_by   TEXT NOT NULL,
    submitted_at   TEXT NOT NULL,
    source         TEXT,
    published      BIGINT NOT NULL,
    accepted       BIGINT NOT NULL,
    rejected       BIGINT NOT NULL,
    unchanged      BIGINT NOT NULL
);
CREATE INDEX submissions_by_content ON submissions (kind, content_sha256);

CREATE TABLE rejected_rows (
    submission_id BIGINT NOT NULL REFERENCES submissions (id),
    line          BIGINT NOT NULL,
    column_name   TEXT NOT NULL,
    value         TEXT NOT NULL,
    reason        TEXT NOT NULL,
    raw           TEXT NOT NULL,
    PRIMARY KEY (submission_id, line)
);

CREATE TABLE observations (
    id            INTEGER PRIMARY KEY,
    metric_id     TEXT NOT NULL,
    area_code     TEXT NOT NULL,
    period        TEXT NOT NULL,
    breakdown     TEXT NOT NULL,
    revision      BIGINT NOT NULL,
    is_current    BIGINT NOT NULL,
    period_kind   TEXT NOT NULL,
    period_start  TEXT NOT NULL,
    period_end    TEXT NOT NULL,
    numerator     DOUBLE PRECISION,
    denominator   DOUBLE PRECISION,
    value         DOUBLE PRECISION,
    lower_ci      DOUBLE PRECISION,
    upper_ci      DOUBLE PRECISION,
    status        TEXT NOT NULL,
    source        TEXT,
    note          TEXT,
    submission_id BIGINT REFERENCES submissions (id),
    published     BIGINT NOT NULL,
    UNIQUE (metric_id, area_code, period, breakdown, revision)
);
CREATE INDEX observations_current ON observations (is_current, metric_id, area_code, period);

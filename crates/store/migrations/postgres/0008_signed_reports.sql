-- Signed reports: a report as it stood when a decision maker signed it, with the decision
-- record, kept byte for byte in every format it was made in. Nothing here is ever updated;
-- signing again makes the next version.
CREATE TABLE signed_reports (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_code   TEXT NOT NULL,
    period      TEXT NOT NULL,
    version     BIGINT NOT NULL,
    title       TEXT NOT NULL,
    decision    TEXT NOT NULL,
    signed_by   TEXT NOT NULL,
    signed_role TEXT NOT NULL,
    signed_on   TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (area_code, period, version)
);

CREATE TABLE signed_report_files (
    report_id BIGINT NOT NULL REFERENCES signed_reports (id),
    format    TEXT NOT NULL,
    content   BYTEA NOT NULL,
    sha256    TEXT NOT NULL,
    PRIMARY KEY (report_id, format)
);

-- Observations keyed by series. A series is a metric in an area with a breakdown; each
-- observation is one period's figure of a series. Keying the values by a small integer
-- instead of three text columns (and dropping the period's kind and dates, which its code
-- gives) halves what a large return writes, and its index. Reads go through the view.
CREATE TABLE series (
    id        INTEGER PRIMARY KEY,
    metric_id TEXT NOT NULL,
    area_code TEXT NOT NULL,
    breakdown TEXT NOT NULL,
    UNIQUE (metric_id, area_code, breakdown)
);
INSERT INTO series (metric_id, area_code, breakdown)
SELECT DISTINCT metric_id, area_code, breakdown FROM observations ORDER BY 1, 2, 3;

ALTER TABLE observations RENAME TO observations_0003;
CREATE TABLE observations (
    id            INTEGER PRIMARY KEY,
    series_id     BIGINT NOT NULL REFERENCES series (id),
    period        TEXT NOT NULL,
    revision      BIGINT NOT NULL,
    is_current    BIGINT NOT NULL,
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
    UNIQUE (series_id, period, revision)
);
INSERT INTO observations (id, series_id, period, revision, is_current, numerator, denominator, value,
    lower_ci, upper_ci, status, source, note, submission_id, published)
SELECT o.id, s.id, o.period, o.revision, o.is_current, o.numerator, o.denominator, o.value,
    o.lower_ci, o.upper_ci, o.status, o.source, o.note, o.submission_id, o.published
FROM observations_0003 o
JOIN series s ON s.metric_id = o.metric_id AND s.area_code = o.area_code AND s.breakdown = o.breakdown
ORDER BY o.id;
DROP TABLE observations_0003;

CREATE VIEW observation_rows AS
SELECT o.id, s.metric_id, s.area_code, o.period, s.breakdown, o.revision, o.is_current,
    o.numerator, o.denominator, o.value, o.lower_ci, o.upper_ci, o.status, o.source, o.note,
    o.submission_id, o.published
FROM observations o
JOIN series s ON s.id = o.series_id;

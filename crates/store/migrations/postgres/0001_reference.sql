-- The framework catalogue and the reference geography.
CREATE TABLE metadata (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE outcomes (
    id          TEXT PRIMARY KEY,
    position    BIGINT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    description TEXT NOT NULL
);

-- One row per metric. The columns the store filters and sorts on are columns; the full
-- definition is kept as the JSON document it was loaded from.
CREATE TABLE metrics (
    id         TEXT PRIMARY KEY,
    position   BIGINT NOT NULL,
    tier       TEXT NOT NULL,
    outcome_id TEXT REFERENCES outcomes (id),
    origin     TEXT NOT NULL,
    definition TEXT NOT NULL
);
CREATE INDEX metrics_by_tier ON metrics (tier, position);

CREATE TABLE targets (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    metric_id       TEXT NOT NULL REFERENCES metrics (id),
    area_code       TEXT NOT NULL,
    period          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    origin          TEXT NOT NULL,
    definition      TEXT NOT NULL,
    UNIQUE (metric_id, area_code, period, kind)
);

CREATE TABLE areas (
    code     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    kind     TEXT NOT NULL,
    origin   TEXT NOT NULL,
    position BIGINT NOT NULL
);
CREATE INDEX areas_by_kind ON areas (kind, position);

CREATE TABLE area_parents (
    area_code   TEXT NOT NULL REFERENCES areas (code) ON DELETE CASCADE,
    parent_code TEXT NOT NULL REFERENCES areas (code) ON DELETE CASCADE,
    position    BIGINT NOT NULL,
    PRIMARY KEY (area_code, parent_code)
);
CREATE INDEX area_parents_by_parent ON area_parents (parent_code);

CREATE TABLE area_code_changes (
    old_code  TEXT PRIMARY KEY,
    new_code  TEXT NOT NULL,
    effective TEXT,
    reason    TEXT NOT NULL
);

CREATE TABLE area_populations (
    area_code  TEXT NOT NULL REFERENCES areas (code) ON DELETE CASCADE,
    year       BIGINT NOT NULL,
    age_band   TEXT NOT NULL,
    population BIGINT NOT NULL,
    PRIMARY KEY (area_code, year, age_band)
);

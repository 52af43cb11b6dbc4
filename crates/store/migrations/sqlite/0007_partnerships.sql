-- Combating Drugs Partnerships (areas of kind cdp, whose local authorities are their
-- children in area_parents): leadership, member organisations, and meetings with attendance.
-- Organisations are matched without regard to case, through organisation_key (lower case).
CREATE TABLE partnerships (
    area_code TEXT PRIMARY KEY,
    sro       TEXT NOT NULL,
    chair     TEXT NOT NULL,
    -- 1 when the members and meetings were generated for a demonstration.
    generated BIGINT NOT NULL
);

CREATE TABLE partnership_members (
    id               INTEGER PRIMARY KEY,
    area_code        TEXT NOT NULL REFERENCES partnerships (area_code),
    position         BIGINT NOT NULL,
    organisation     TEXT NOT NULL,
    organisation_key TEXT NOT NULL,
    member_type      TEXT NOT NULL,
    UNIQUE (area_code, organisation_key)
);

CREATE TABLE partnership_meetings (
    id           INTEGER PRIMARY KEY,
    area_code    TEXT NOT NULL REFERENCES partnerships (area_code),
    meeting_date TEXT NOT NULL,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    UNIQUE (area_code, meeting_date, kind, title)
);

CREATE TABLE meeting_attendance (
    meeting_id       BIGINT NOT NULL REFERENCES partnership_meetings (id),
    organisation_key TEXT NOT NULL,
    attendance       TEXT NOT NULL,
    PRIMARY KEY (meeting_id, organisation_key)
);

-- Delivery plans: a plan of an area, its actions (the tree of theme, objective and outcome is
-- carried on each action, as plans are written), and each action's update history, which is
-- only ever added to. Leads and metric ids are JSON lists.
CREATE TABLE plans (
    id        INTEGER PRIMARY KEY,
    area_code TEXT NOT NULL,
    title     TEXT NOT NULL,
    UNIQUE (area_code, title)
);

CREATE TABLE plan_actions (
    id             INTEGER PRIMARY KEY,
    plan_id        BIGINT NOT NULL REFERENCES plans (id),
    position       BIGINT NOT NULL,
    action_no      TEXT NOT NULL,
    theme          TEXT,
    objective      TEXT NOT NULL,
    objective_lead TEXT,
    outcome        TEXT,
    action         TEXT NOT NULL,
    leads          TEXT NOT NULL,
    resources      TEXT,
    deadline_text  TEXT NOT NULL,
    deadline_date  TEXT,
    status         TEXT NOT NULL,
    measures       TEXT,
    metric_ids     TEXT NOT NULL,
    coverage       TEXT,
    -- Moves on every change, so that of two people editing one action the second is told.
    version        BIGINT NOT NULL,
    UNIQUE (plan_id, action_no)
);

CREATE TABLE action_updates (
    id          INTEGER PRIMARY KEY,
    action_id   BIGINT NOT NULL REFERENCES plan_actions (id),
    update_date TEXT,
    author      TEXT NOT NULL,
    text        TEXT NOT NULL,
    area_code   TEXT,
    status      TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX action_updates_by_action ON action_updates (action_id, id);

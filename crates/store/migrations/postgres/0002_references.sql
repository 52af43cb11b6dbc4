-- The documents and pages the catalogue cites in metrics' provenance lists.
CREATE TABLE catalogue_references (
    id        TEXT PRIMARY KEY,
    position  BIGINT NOT NULL,
    title     TEXT NOT NULL,
    publisher TEXT,
    url       TEXT
);

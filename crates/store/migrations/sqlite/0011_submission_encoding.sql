-- A submission is kept as received, compressed: a million-row return is 50 MB of text that
-- deflates to a seventh of that, written once instead of twice its size through the log.
-- Submissions stored before this migration are as received ('identity').
ALTER TABLE submissions ADD COLUMN content_encoding TEXT NOT NULL DEFAULT 'identity';

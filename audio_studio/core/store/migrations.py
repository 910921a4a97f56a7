"""Numbered schema migrations of the history database; the index + 1 is the schema version.

Append new migrations at the end; never edit one that has shipped.
"""

from __future__ import annotations

__all__ = ["MIGRATIONS"]

_V1_HISTORY = """
CREATE TABLE items (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'done',
    provider      TEXT,
    model         TEXT,
    voice         TEXT,
    params        TEXT NOT NULL DEFAULT '{}',   -- JSON: every parameter that made the output
    input_text    TEXT NOT NULL DEFAULT '',     -- script or text spoken
    prompt        TEXT NOT NULL DEFAULT '',     -- sfx/music prompt, transcription prompt
    transcript    TEXT NOT NULL DEFAULT '',     -- plain text of a transcript
    duration_s    REAL,
    characters    INTEGER NOT NULL DEFAULT 0,
    audio_seconds REAL NOT NULL DEFAULT 0,
    requests      INTEGER NOT NULL DEFAULT 0,
    credits       REAL NOT NULL DEFAULT 0,
    cost_usd      REAL,
    ttfb_ms       REAL,
    total_ms      REAL,
    upload_ms     REAL,
    queue_ms      REAL,
    error         TEXT,
    created_at    TEXT NOT NULL,                -- ISO 8601, UTC
    finished_at   TEXT,
    starred       INTEGER NOT NULL DEFAULT 0,
    tags          TEXT NOT NULL DEFAULT '',     -- space-separated, lower case
    parent_id     INTEGER REFERENCES items(id) ON DELETE CASCADE,
    job_id        TEXT
);
CREATE INDEX items_created ON items(created_at DESC, id DESC);
CREATE INDEX items_kind ON items(kind, created_at DESC);
CREATE INDEX items_provider ON items(provider, created_at DESC);
CREATE INDEX items_parent ON items(parent_id);
CREATE INDEX items_status ON items(status) WHERE status = 'running';

CREATE TABLE files (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    role        TEXT NOT NULL,                  -- audio | source | export | transcript | sidecar
    path        TEXT NOT NULL,                  -- relative to the data dir when inside it
    sha256      TEXT NOT NULL,
    format      TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    duration_s  REAL,
    sample_rate INTEGER,
    channels    INTEGER
);
CREATE INDEX files_item ON files(item_id);
CREATE INDEX files_sha ON files(sha256);

CREATE VIRTUAL TABLE items_fts USING fts5(
    title, input_text, prompt, transcript, tags,
    content='items', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts(rowid, title, input_text, prompt, transcript, tags)
    VALUES (new.id, new.title, new.input_text, new.prompt, new.transcript, new.tags);
END;
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_fts(items_fts, rowid, title, input_text, prompt, transcript, tags)
    VALUES ('delete', old.id, old.title, old.input_text, old.prompt, old.transcript, old.tags);
END;
CREATE TRIGGER items_fts_update AFTER UPDATE OF title, input_text, prompt, transcript, tags
ON items BEGIN
    INSERT INTO items_fts(items_fts, rowid, title, input_text, prompt, transcript, tags)
    VALUES ('delete', old.id, old.title, old.input_text, old.prompt, old.transcript, old.tags);
    INSERT INTO items_fts(rowid, title, input_text, prompt, transcript, tags)
    VALUES (new.id, new.title, new.input_text, new.prompt, new.transcript, new.tags);
END;
"""

_V2_REMOTE_JOBS = """
-- Async provider jobs (music, long generations) so polling resumes after a restart.
CREATE TABLE remote_jobs (
    id           TEXT PRIMARY KEY,              -- the studio's job id
    kind         TEXT NOT NULL,
    provider     TEXT NOT NULL,
    remote_id    TEXT NOT NULL,
    poll_url     TEXT,
    cancel_url   TEXT,
    state        TEXT NOT NULL,
    request      TEXT NOT NULL DEFAULT '{}',    -- JSON of the request, never with secrets
    meta         TEXT NOT NULL DEFAULT '{}',
    item_id      INTEGER REFERENCES items(id) ON DELETE SET NULL,
    submitted_at TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    error        TEXT
);
CREATE INDEX remote_jobs_state ON remote_jobs(state);

-- Synthesised chunks by content key (text + provider + model + voice + settings), so unchanged
-- text is never paid for twice.
CREATE TABLE synth_cache (
    key         TEXT PRIMARY KEY,
    sha256      TEXT NOT NULL,
    format      TEXT NOT NULL,
    path        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    last_used   TEXT NOT NULL,
    hits        INTEGER NOT NULL DEFAULT 0
);
"""

_V3_TOP_LEVEL_INDEX = """
-- The History tab lists items that belong to no other item, newest first. SQLite chose the
-- parent_id index for "parent_id IS NULL" and then sorted every top-level row (30 ms at
-- 100,000 items); a partial index per case lets it read the first page in order instead.
DROP INDEX items_parent;
CREATE INDEX items_parent ON items(parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX items_top_created ON items(created_at DESC, id DESC) WHERE parent_id IS NULL;
"""

_V4_VOICES = """
-- Voices the user named after speaker detection (core/transcription/voices.py), on this
-- computer only: each has voice prints (a speaker embedding: 256 float32 as a BLOB) that label
-- later recordings by name, and prints it is not (a "not Mara" correction, negative = 1).
CREATE TABLE voices (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    sample_path TEXT,
    created_at  TEXT NOT NULL
);
CREATE TABLE voice_prints (
    id          INTEGER PRIMARY KEY,
    voice_id    INTEGER NOT NULL REFERENCES voices(id) ON DELETE CASCADE,
    vector      BLOB NOT NULL,
    negative    INTEGER NOT NULL DEFAULT 0,
    item_id     INTEGER,
    created_at  TEXT NOT NULL
);
CREATE INDEX voice_prints_voice ON voice_prints(voice_id);
"""

MIGRATIONS: tuple[str, ...] = (_V1_HISTORY, _V2_REMOTE_JOBS, _V3_TOP_LEVEL_INDEX, _V4_VOICES)

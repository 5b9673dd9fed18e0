-- The tag catalog and saved segments (src/segment/, docs/segments.md). Membership itself lives in
-- memory, computed on the engine; what is stored here is what a restart cannot recompute: the
-- definitions, imported tag lists, static snapshots and the entered/exited transitions that
-- journeys consume.

-- A tag: `name` is what expressions use (`has tag "金葵花"`, `has tag aum_tier = "gold"`).
-- `definition` is JSON by kind — rule: {"expression": "..."}; bucket: {"attribute": "aum",
-- "buckets": [{"value": "mass", "label": "大众", "min": null, "max": "50000"}, ...]};
-- imported: {} (members in tag_import_member); lifecycle: {"new_days": 30, ...}.
CREATE TABLE tag (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  category TEXT NOT NULL,
  owner_staff_id INTEGER REFERENCES staff(id),
  description TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL CHECK (kind IN ('rule', 'bucket', 'imported', 'lifecycle')),
  definition TEXT NOT NULL,
  refresh TEXT NOT NULL CHECK (refresh IN ('live', 'daily', 'manual')),
  version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- The holders of an imported tag, as the person each uploaded identifier resolved to (merges are
-- followed when the list is read). `value` is the optional value column of the upload.
CREATE TABLE tag_import_member (
  tag_id INTEGER NOT NULL REFERENCES tag(id) ON DELETE CASCADE,
  person_id INTEGER NOT NULL,
  value TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (tag_id, person_id)
) WITHOUT ROWID;

-- A saved segment. `expression` is the canonical text form. A live segment's members follow the
-- data; a static one's are those of its latest snapshot. `branch_id` is the branch of the staff
-- member who saved it (null: head office): staff of other branches do not see it. Members are
-- always counted within the reader's scope.
CREATE TABLE segment (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL CHECK (kind IN ('live', 'static')),
  expression TEXT NOT NULL,
  owner_staff_id INTEGER REFERENCES staff(id),
  branch_id INTEGER REFERENCES branch(id),
  version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- A static snapshot of a segment's members, taken on demand (or a saved analysis result).
CREATE TABLE segment_snapshot (
  id INTEGER PRIMARY KEY,
  segment_id INTEGER REFERENCES segment(id) ON DELETE SET NULL,
  name TEXT NOT NULL,
  expression TEXT NOT NULL,
  taken_at INTEGER NOT NULL,
  taken_by INTEGER REFERENCES staff(id),
  member_count INTEGER NOT NULL
);
CREATE TABLE segment_snapshot_member (
  snapshot_id INTEGER NOT NULL REFERENCES segment_snapshot(id) ON DELETE CASCADE,
  person_id INTEGER NOT NULL,
  PRIMARY KEY (snapshot_id, person_id)
) WITHOUT ROWID;

-- Entered/exited notifications of live segments, in order; consumers (journeys) keep their own
-- cursor on `seq`. Old rows are pruned after the retention in config.
CREATE TABLE segment_transition (
  seq INTEGER PRIMARY KEY,
  segment_id INTEGER NOT NULL,
  person_id INTEGER NOT NULL,
  entered INTEGER NOT NULL CHECK (entered IN (0, 1)),
  at INTEGER NOT NULL
);
CREATE INDEX segment_transition_by_segment ON segment_transition (segment_id, seq);

-- When the built-in tags (the AUM tiers, the lifecycle stage) were added, so that a bank that
-- deletes them does not get them back at the next start.
CREATE TABLE segment_meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  builtin_tags_added_at INTEGER NOT NULL
);

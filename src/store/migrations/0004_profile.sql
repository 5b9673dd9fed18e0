-- The profile module's tables: the attribute schema's custom attributes, one profile document
-- per person, daily balance snapshots and import progress. Owned by src/profile; see
-- docs/profiles.md. Times are UTC microseconds since the Unix epoch; dates are 'YYYY-MM-DD'.

-- Custom attributes added through the API (built-ins live in code).
CREATE TABLE profile_attribute (
  name TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  enum_values TEXT NOT NULL DEFAULT '[]',
  personal INTEGER NOT NULL CHECK (personal IN (0, 1)),
  mask TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  created_by INTEGER
);

-- The attributes of one person (as first created; a merged OneID reads all its persons'
-- documents and takes each attribute's latest value). `sealed` is the JSON document
-- {"t":micros,"s":"source","a":{"attr":[value],"attr2":[value,micros,"source"],...}} (entries
-- leave out the document's default time and source; null value = unset) sealed under the
-- person's data key. See docs/profiles.md.
-- home_branch_id / rm_id are the clear scope keys (not personal data).
CREATE TABLE profile (
  person_id INTEGER PRIMARY KEY,
  sealed BLOB NOT NULL,
  home_branch_id INTEGER,
  rm_id INTEGER,
  updated_at INTEGER NOT NULL
);

-- One snapshot of one person's balances on one business date; amounts sealed together as JSON
-- {"aum":"123.45","deposit":"...","loan":"...","credit_card":"...","wealth":"..."} (yuan).
CREATE TABLE balance_snapshot (
  person_id INTEGER NOT NULL,
  date TEXT NOT NULL,
  sealed BLOB NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (person_id, date)
) WITHOUT ROWID;

-- Progress of `banyan import customers|balances`, so a re-run resumes: the file is identified
-- by its SHA-256; `rows_done` rows (and the byte offset after them) have been committed.
CREATE TABLE import_progress (
  file_sha256 TEXT NOT NULL,
  kind TEXT NOT NULL,
  path TEXT NOT NULL,
  rows_done INTEGER NOT NULL,
  bytes_done INTEGER NOT NULL,
  rows_imported INTEGER NOT NULL,
  rows_rejected INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER,
  PRIMARY KEY (file_sha256, kind)
);

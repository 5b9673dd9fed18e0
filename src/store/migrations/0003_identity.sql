-- The identity module's tables: persons (OneIDs), their identifiers, merges and conflicts.
-- Owned by src/identity; see docs/identity.md. Times are UTC microseconds since the Unix epoch.

-- A person as first created. A merge never rewrites identifiers: it points the absorbed person
-- at the survivor (`merged_into`); the current OneID of any person is the end of that chain.
-- An unmerge clears the pointer. scope_branch_id / scope_rm_id are the current OneID's home
-- branch and relationship manager (kept on root persons only, for scoped listing); NULL when
-- unknown. `erased_at` marks a person erased under PIPL: its identifiers, keys and profile are gone.
CREATE TABLE person (
  id INTEGER PRIMARY KEY,
  merged_into INTEGER REFERENCES person (id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  scope_branch_id INTEGER,
  scope_rm_id INTEGER,
  erased_at INTEGER
);
CREATE INDEX person_merged_into ON person (merged_into);
CREATE INDEX person_scope_branch ON person (scope_branch_id, id) WHERE merged_into IS NULL;
CREATE INDEX person_scope_rm ON person (scope_rm_id, id) WHERE merged_into IS NULL;

-- One identifier of one person. `lookup` is the keyed hash (privacy/keyed_hash.h) of the type
-- and normalised value — the only form a look-up uses; `sealed` is the value sealed under the
-- person's data key. A shared type (device_id) may link one value to several persons.
CREATE TABLE identifier (
  type TEXT NOT NULL,
  lookup BLOB NOT NULL,
  person_id INTEGER NOT NULL REFERENCES person (id),
  sealed BLOB NOT NULL,
  first_seen_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  source TEXT NOT NULL,
  PRIMARY KEY (type, lookup, person_id)
) WITHOUT ROWID;
CREATE INDEX identifier_person ON identifier (person_id);

-- Every merge, with its evidence (the event or import row that linked the two persons).
-- `undone_at`/`undone_by` are set by an unmerge.
CREATE TABLE identity_merge (
  id INTEGER PRIMARY KEY,
  survivor_id INTEGER NOT NULL,
  absorbed_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  evidence TEXT NOT NULL,
  undone_at INTEGER,
  undone_by INTEGER
);
CREATE INDEX identity_merge_survivor ON identity_merge (survivor_id);
CREATE INDEX identity_merge_absorbed ON identity_merge (absorbed_id);

-- A merge refused because the two persons hold different values of a one-per-person identifier
-- type (cust_no, id_card). Both sides are kept for review; `status` is open until a reviewer
-- resolves it.
CREATE TABLE identity_conflict (
  id INTEGER PRIMARY KEY,
  person_a INTEGER NOT NULL,
  person_b INTEGER NOT NULL,
  identifier_type TEXT NOT NULL,
  at INTEGER NOT NULL,
  evidence TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'kept_separate', 'merged')),
  resolved_at INTEGER,
  resolved_by INTEGER
);
CREATE INDEX identity_conflict_status ON identity_conflict (status, id);

-- Keyed hashes of identifiers erased under PIPL. Events in the log that carry them are shown and
-- replayed as anonymous; the hash cannot be turned back into the value without the key ring.
CREATE TABLE erased_identifier (
  type TEXT NOT NULL,
  lookup BLOB NOT NULL,
  erased_at INTEGER NOT NULL,
  PRIMARY KEY (type, lookup)
) WITHOUT ROWID;

-- Where the identity graph and profiles stand relative to the event log: every event with a
-- sequence below `next_sequence` has been applied to the tables above (and to profile, consent).
CREATE TABLE identity_checkpoint (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  next_sequence INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

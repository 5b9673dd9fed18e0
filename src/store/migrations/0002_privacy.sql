-- The privacy module's tables: one data key per person (crypto-shredding) and the consent ledger.
-- Owned by src/privacy; see docs/privacy.md. Times are UTC microseconds since the Unix epoch.

-- Each person's 32-byte data key, sealed (XChaCha20-Poly1305) under master key `key_version` of
-- the key ring (keys/data.keyring). Every personal value of that person — identifier values,
-- profile documents, balances — is sealed under this key, so deleting the row makes all of them
-- unrecoverable, including copies in old WAL frames or backups.
CREATE TABLE person_key (
  person_id INTEGER PRIMARY KEY,
  key_version INTEGER NOT NULL,
  wrapped BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX person_key_version ON person_key (key_version);

-- The consent ledger: append-only facts "person P granted/withdrew PURPOSE on CHANNEL at AT,
-- through SOURCE, with EVIDENCE". The current state of (purpose, channel) is its latest fact by
-- `at` (then by id). `channel` is a channel name or 'all'. `person_id` is the OneID the fact
-- arrived for (identity keeps merged persons apart on disk, so an unmerge splits consents too).
-- `idempotency_key`, when given, makes a retried record a no-op.
CREATE TABLE consent (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL,
  purpose TEXT NOT NULL CHECK (purpose IN ('marketing', 'personalised_marketing', 'data_sharing')),
  channel TEXT NOT NULL,
  granted INTEGER NOT NULL CHECK (granted IN (0, 1)),
  at INTEGER NOT NULL,
  source TEXT NOT NULL,
  evidence BLOB NOT NULL,
  recorded_by INTEGER,
  recorded_at INTEGER NOT NULL,
  idempotency_key TEXT UNIQUE
);
CREATE INDEX consent_person ON consent (person_id, purpose, channel, at);

-- Identifiers clustered by person instead of by look-up hash.
--
-- The identity graph holds every identifier's keyed hash in memory (src/identity), so nothing
-- looks an identifier up by hash in SQL: the table is read whole at start, by person for the
-- customer 360 and erasure, and written as persons gain identifiers. Keyed by the random hash,
-- every batch of new customers landed on random pages of the table and a bulk import of 1M
-- customers wrote its B-tree ~25 times over; keyed by person, new persons (whose ids only grow)
-- append at the end and one person's identifiers share a page.
CREATE TABLE identifier_by_person (
  person_id INTEGER NOT NULL REFERENCES person (id),
  type TEXT NOT NULL,
  lookup BLOB NOT NULL,
  sealed BLOB NOT NULL,
  first_seen_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  source TEXT NOT NULL,
  PRIMARY KEY (person_id, type, lookup)
) WITHOUT ROWID;
INSERT INTO identifier_by_person (person_id, type, lookup, sealed, first_seen_at, last_seen_at,
                                  source)
  SELECT person_id, type, lookup, sealed, first_seen_at, last_seen_at, source FROM identifier;
DROP TABLE identifier;
ALTER TABLE identifier_by_person RENAME TO identifier;

-- How far the event log has been scrubbed of erased customers (src/customer/event_scrub.h).
-- The last complete scrub saw `erased_identifiers` rows in erased_identifier, the newest erased
-- at `erased_at_max`; while the table says otherwise, a scrub is due.
CREATE TABLE event_scrub (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  erased_identifiers INTEGER NOT NULL,
  erased_at_max INTEGER NOT NULL,
  completed_at INTEGER NOT NULL
);

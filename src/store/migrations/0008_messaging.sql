-- The messaging module's tables (src/messaging/, docs/messaging.md): templates with versions and
-- approval, channel configurations, the outbox of messages with their attempts and status
-- history, the suppression list, short links and inbound receipts and replies.
-- Times are UTC microseconds since the Unix epoch. No table holds a plaintext phone number,
-- e-mail address or openid: the dispatcher reads the recipient's contact point at send time.

-- A template: what a message says on one channel, for one purpose. The text lives in versions.
CREATE TABLE message_template (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  channel TEXT NOT NULL,
  purpose TEXT NOT NULL CHECK (purpose IN ('service', 'marketing')),
  description TEXT NOT NULL DEFAULT '',
  created_by INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- One version of a template. `body` is JSON by channel (text with {{variables}}, subject, the
-- provider's template code and parameter names, a rich card); `variables` is the typed list
-- [{"name": "amount", "type": "number", "required": true}]. A version is immutable once
-- submitted. Marketing versions need approval by a staff member other than their author before
-- any message uses them; service versions are approved on submission.
CREATE TABLE message_template_version (
  template_id INTEGER NOT NULL REFERENCES message_template (id),
  version INTEGER NOT NULL,
  body TEXT NOT NULL,
  variables TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'approved', 'rejected')),
  created_by INTEGER,
  created_at INTEGER NOT NULL,
  submitted_by INTEGER,
  submitted_at INTEGER,
  reviewed_by INTEGER,
  reviewed_at INTEGER,
  review_note TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (template_id, version)
);

-- A configured channel: `name` is what callers use ("sms", "douyin"), `kind` the plugin that
-- serves it ("sms", "webhook"). `config` is the plugin's JSON configuration, secrets included;
-- the API never returns secret fields. `version` increases on every change.
CREATE TABLE message_channel (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  config TEXT NOT NULL,
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  version INTEGER NOT NULL,
  updated_by INTEGER,
  updated_at INTEGER NOT NULL
);

-- The outbox. A message is written here before the API answers; the dispatcher sends those whose
-- `next_attempt_at` has come (NULL once the message needs nothing more from it).
-- `idempotency_scope` is the caller ("api_key:7", "staff:3", "system"): keys of different callers
-- never collide. `person_id` is the recipient's OneID when accepted; `branch_id`/`rm_id` its home
-- branch and relationship manager then, for scoped reads. `channel_requested` is a channel name
-- or 'auto'; `channel` the channel of the latest attempt. `state`:
--   queued → sending → sent → delivered → read / clicked;   failed, dead (retries exhausted),
--   deferred (quiet hours: next_attempt_at is the next allowed time), refused (the policy gate).
CREATE TABLE message (
  id INTEGER PRIMARY KEY,
  idempotency_scope TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  person_id INTEGER NOT NULL,
  branch_id INTEGER,
  rm_id INTEGER,
  purpose TEXT NOT NULL CHECK (purpose IN ('service', 'marketing')),
  personalised INTEGER NOT NULL CHECK (personalised IN (0, 1)),
  channel_requested TEXT NOT NULL,
  channel TEXT,
  template_id INTEGER,
  template_version INTEGER,
  variables TEXT NOT NULL DEFAULT '{}',
  content TEXT,
  send_at INTEGER NOT NULL,
  next_attempt_at INTEGER,
  state TEXT NOT NULL CHECK (state IN ('queued', 'deferred', 'sending', 'sent', 'delivered',
                                       'failed', 'read', 'clicked', 'refused', 'dead')),
  reason TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  provider_message_id TEXT,
  requested_by_kind TEXT NOT NULL,
  requested_by INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (idempotency_scope, idempotency_key)
);
CREATE INDEX message_due ON message (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX message_person ON message (person_id, created_at);
CREATE INDEX message_provider_id ON message (channel, provider_message_id)
  WHERE provider_message_id IS NOT NULL;
CREATE INDEX message_branch ON message (branch_id, id);

-- One try at handing a message to a provider. `outcome`: 'ok', 'retry' (transient: timeouts,
-- 5xx, throttling), 'permanent' (the provider refused it), 'fallback' (this channel cannot
-- reach the recipient; the next channel of the chain is tried).
CREATE TABLE message_attempt (
  message_id INTEGER NOT NULL REFERENCES message (id),
  attempt INTEGER NOT NULL,
  channel TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  outcome TEXT CHECK (outcome IN ('ok', 'retry', 'permanent', 'fallback')),
  provider_message_id TEXT,
  detail TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (message_id, attempt)
) WITHOUT ROWID;

-- Every state a message entered, in order, with why.
CREATE TABLE message_status (
  id INTEGER PRIMARY KEY,
  message_id INTEGER NOT NULL REFERENCES message (id),
  at INTEGER NOT NULL,
  state TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX message_status_message ON message_status (message_id, id);

-- The global suppression list: contact points that must never be messaged on `channel`
-- ('all' for every channel) — complaints, regulators' do-not-disturb lists, hard bounces.
-- `lookup` is the keyed hash (privacy/keyed_hash.h) of the address type and normalised value,
-- as identity computes it, so the list holds no plaintext address.
CREATE TABLE message_suppression (
  channel TEXT NOT NULL,
  address_type TEXT NOT NULL,
  lookup BLOB NOT NULL,
  reason TEXT NOT NULL,
  created_by INTEGER,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (channel, address_type, lookup)
) WITHOUT ROWID;

-- Short links (/l/{code}) that links in a message were rewritten to.
CREATE TABLE message_link (
  code TEXT PRIMARY KEY,
  message_id INTEGER NOT NULL REFERENCES message (id),
  url TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  clicks INTEGER NOT NULL DEFAULT 0,
  first_clicked_at INTEGER
) WITHOUT ROWID;
CREATE INDEX message_link_message ON message_link (message_id);

-- What providers and customers sent back: delivery receipts, replies, clicks. `provider_event_id`
-- makes a receipt delivered twice count once. `person_id`/`message_id` are set when known.
-- `body` is the inbound item as JSON without the sender's address (a reply's text is kept: the
-- unsubscribe evidence).
CREATE TABLE message_inbound (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('receipt', 'reply', 'click')),
  provider_event_id TEXT,
  message_id INTEGER,
  person_id INTEGER,
  at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (channel, provider_event_id)
);
CREATE INDEX message_inbound_person ON message_inbound (person_id, at) WHERE person_id IS NOT NULL;

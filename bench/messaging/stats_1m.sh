#!/usr/bin/env bash
# Times the SQL behind GET /api/v1/messaging/stats and GET /api/v1/messages on 1,000,000
# messages (90 days, 10 channels, 40 branches, 400 relationship managers; 8% refused, 2%
# deferred) built with the real migrations' message table. The id range is what
# MessagingService::IdAtOrAfter finds by binary search on the primary key (~2 × 20 probes,
# microseconds); here the synthetic ids are linear in time, so the bounds are computed directly.
# Usage: bench/messaging/stats_1m.sh [messages]   (needs sqlite3; ~1 min to build)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-1000000}
db=$(mktemp -d)/stats.db
trap 'rm -rf "$(dirname "$db")"' EXIT
{
  for f in "$here"/src/store/migrations/0001_*.sql "$here"/src/store/migrations/0008_messaging.sql; do cat "$f"; echo; done
} | sqlite3 "$db" >/dev/null
day=86400000000
t0=1767225600000000  # 2026-01-01T00:00:00Z
step=$(( 90 * day / n ))
sqlite3 "$db" <<SQL
PRAGMA journal_mode = WAL;
INSERT INTO branch (id, parent_id, code, name, kind, latitude, longitude, path, created_at, updated_at)
  SELECT 1, NULL, 'HQ', 'HQ', 'head_office', 0, 0, '/1/', 0, 0;
WITH RECURSIVE b(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM b WHERE i < 41)
INSERT INTO branch (id, parent_id, code, name, kind, latitude, longitude, path, created_at, updated_at)
  SELECT i, 1, 'B' || i, 'B' || i, 'branch', 0, 0, '/1/' || i || '/', 0, 0 FROM b;
WITH RECURSIVE m(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM m WHERE i < $n)
INSERT INTO message (id, idempotency_scope, idempotency_key, request_hash, person_id, branch_id,
  rm_id, purpose, personalised, channel_requested, channel, template_id, template_version,
  send_at, state, reason, requested_by_kind, created_at, updated_at)
SELECT i, 'bench', 'k' || i, '', i % 200000, 2 + i % 40, 100 + i % 400,
  CASE WHEN i % 3 = 0 THEN 'marketing' ELSE 'service' END, 0, 'auto', 'ch' || (i % 10),
  1 + i % 50, 1, $t0 + i * $step,
  CASE WHEN i % 100 < 8 THEN 'refused' WHEN i % 100 < 10 THEN 'deferred'
       WHEN i % 100 < 60 THEN 'delivered' WHEN i % 100 < 80 THEN 'sent'
       WHEN i % 100 < 90 THEN 'read' WHEN i % 100 < 95 THEN 'failed' ELSE 'dead' END,
  CASE WHEN i % 100 < 3 THEN 'consent: no marketing consent on sms'
       WHEN i % 100 < 5 THEN 'frequency_cap: 3 marketing messages in 7 days'
       WHEN i % 100 < 8 THEN 'suppression: on the suppression list'
       WHEN i % 100 < 10 THEN 'quiet_hours: outside 09:00-20:00' ELSE '' END,
  'api_key', $t0 + i * $step, $t0 + i * $step FROM m;
ANALYZE;
SQL
# The last 30 days (a third of the messages) and the last day.
from=$(( t0 + 60 * day )); to=$(( t0 + 90 * day + day ))
lo=$(( (from - t0) / step - 1000 )); hi=$(( n + 1 ))
dfrom=$(( t0 + 89 * day )); dlo=$(( (dfrom - t0) / step - 1000 ))
range="id >= $lo AND id < $hi AND created_at >= $from AND created_at < $to"
sqlite3 "$db" <<SQL
.timer on
.print '-- stats by channel, 30 days, bank-wide'
SELECT COUNT(*) FROM (SELECT COALESCE(channel, channel_requested), state, COUNT(*) FROM message WHERE 1 AND $range GROUP BY 1, 2);
.print '-- stats by reason, 30 days, bank-wide'
SELECT COUNT(*) FROM (SELECT state, CASE WHEN instr(reason, ':') > 0 THEN substr(reason, 1, instr(reason, ':') - 1) ELSE reason END, COUNT(*) FROM message WHERE 1 AND $range AND state IN ('refused', 'deferred') GROUP BY 1, 2);
.print '-- stats by day, 30 days, bank-wide'
SELECT COUNT(*) FROM (SELECT created_at / 900000000, state, COUNT(*) FROM message WHERE 1 AND $range GROUP BY 1, 2);
.print '-- stats by channel, 30 days, one branch (subtree scope)'
SELECT COUNT(*) FROM (SELECT COALESCE(channel, channel_requested), state, COUNT(*) FROM message WHERE branch_id IN (SELECT id FROM branch WHERE substr(path, 1, 4) = '/1/7') AND $range GROUP BY 1, 2);
.print '-- stats by channel, last day, bank-wide'
SELECT COUNT(*) FROM (SELECT COALESCE(channel, channel_requested), state, COUNT(*) FROM message WHERE id >= $dlo AND created_at >= $dfrom GROUP BY 1, 2);
.print '-- list, first page of 50, bank-wide'
SELECT COUNT(*) FROM (SELECT * FROM message WHERE 1 ORDER BY id DESC LIMIT 51);
.print '-- list, state=refused, one template (1 in 50), first page'
SELECT COUNT(*) FROM (SELECT * FROM message WHERE 1 AND state = 'refused' AND template_id = 7 ORDER BY id DESC LIMIT 51);
.print '-- list, own customers of one RM (1 in 400), first page'
SELECT COUNT(*) FROM (SELECT * FROM message WHERE rm_id = 107 ORDER BY id DESC LIMIT 51);
SQL

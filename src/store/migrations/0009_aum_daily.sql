-- AUM over time (src/profile/aum_daily.h, docs/analytics.md "AUM over time"): bank-wide daily
-- sums of the balance snapshots, kept as snapshots are written, so a series per tier, branch or
-- relationship manager never decrypts a customer's row. A cell is one business date, the home
-- branch and relationship manager the customer had when the snapshot was written (0 = none) and
-- the AUM band of the snapshot (profile/aum_daily.h: -1 = no AUM, else the 1-2-5 band index);
-- amounts are fen. Cells are statistics over customers, not personal data.
CREATE TABLE aum_daily (
  date TEXT NOT NULL,
  branch_id INTEGER NOT NULL,
  rm_id INTEGER NOT NULL,
  band INTEGER NOT NULL,
  customers INTEGER NOT NULL,
  aum_holders INTEGER NOT NULL,
  aum INTEGER NOT NULL,
  deposit INTEGER NOT NULL,
  loan INTEGER NOT NULL,
  credit_card INTEGER NOT NULL,
  wealth INTEGER NOT NULL,
  PRIMARY KEY (date, branch_id, rm_id, band)
) WITHOUT ROWID;

-- Where each snapshot was counted in aum_daily, so a replaced or erased snapshot takes back
-- exactly what it added. NULL for snapshots written before this migration (not counted).
ALTER TABLE balance_snapshot ADD COLUMN counted_branch_id INTEGER;
ALTER TABLE balance_snapshot ADD COLUMN counted_rm_id INTEGER;
ALTER TABLE balance_snapshot ADD COLUMN counted_band INTEGER;

-- The first due date the citizen asks for in a proposal (YYYY-MM-DD; empty:
-- a month after approval, the default).
ALTER TABLE rateizzazioni ADD COLUMN prima_rata TEXT NOT NULL DEFAULT '';

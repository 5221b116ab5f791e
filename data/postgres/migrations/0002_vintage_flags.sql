-- Clout schema for PostgreSQL, version 2: vintages, flags and notes of
-- observations (see data/sqlite's migration 0002). The vintage joins the primary
-- key, so two releases of one figure are stored side by side.
ALTER TABLE observations ADD COLUMN vintage TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE observations ADD COLUMN flags TEXT NOT NULL DEFAULT '';
ALTER TABLE observations ADD COLUMN note_id BIGINT;
ALTER TABLE observations DROP CONSTRAINT observations_pkey;
ALTER TABLE observations ADD PRIMARY KEY (version_id, indicator, country, partner, period, vintage);

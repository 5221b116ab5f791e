-- Clout schema, version 2: vintages, flags and notes of observations.
-- The vintage (the release of the source a figure comes from, '' for none) joins
-- the primary key, so two releases of one figure are stored side by side. Flags
-- are the indicators.Flag names joined by commas ('' for none), a short text on
-- few rows; notes repeat like sources and are interned in labels. SQLite cannot
-- change a primary key in place: the table is rebuilt.
CREATE TABLE observations_v2 (
	version_id INTEGER NOT NULL,
	indicator  TEXT NOT NULL,
	country    TEXT NOT NULL,
	partner    TEXT NOT NULL,
	period     INTEGER NOT NULL,
	vintage    TEXT NOT NULL DEFAULT '',
	value      REAL NOT NULL,
	unit_id    INTEGER,
	source_id  INTEGER,
	flags      TEXT NOT NULL DEFAULT '',
	note_id    INTEGER,
	PRIMARY KEY (version_id, indicator, country, partner, period, vintage)
) WITHOUT ROWID; -- SQLite only, as in 0001.

INSERT INTO observations_v2 (version_id, indicator, country, partner, period, value, unit_id, source_id)
	SELECT version_id, indicator, country, partner, period, value, unit_id, source_id FROM observations;

DROP TABLE observations;

ALTER TABLE observations_v2 RENAME TO observations;

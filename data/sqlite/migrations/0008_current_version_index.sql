-- Reads as of a data version find each dataset's current version with one seek per
-- dataset (sqlstore's currentAsOf: the newest version at or below the bound): this
-- index answers it, id included, without touching the versions rows. It replaces
-- the index of 0001, a prefix of this one.
DROP INDEX versions_dataset_data_version;

CREATE INDEX versions_current ON versions (dataset_id, data_version DESC, id);

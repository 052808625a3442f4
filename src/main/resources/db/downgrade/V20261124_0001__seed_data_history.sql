-- Downgrade of 20261124_0001 seed_data_history. The seeded rows themselves stay: they are data.
DROP TABLE seed_data_history;

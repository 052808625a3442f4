-- Downgrade of 20261203_0011 mcp_servers: undo exactly what the upgrade does, in reverse order.
-- The registrations go with the table: register the servers again after upgrading again.

DROP INDEX ix_mcp_server_name;

DROP TABLE mcp_server;

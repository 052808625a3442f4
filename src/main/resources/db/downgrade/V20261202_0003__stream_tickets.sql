-- Downgrade of 20261202_0003 stream_tickets: undo exactly what the upgrade does, in reverse order.
-- Tickets live a minute: the ones dropped with the table are asked for again by their clients.

DROP INDEX ix_stream_ticket_expires_at;

DROP INDEX ix_stream_ticket_ticket_hash;

DROP TABLE stream_ticket;

-- Every delivery pass expires what is due in the outbox: without this index the subquery scanned
-- every retained message each time, so sends slowed down as messages piled up. (The inbox side
-- only looks at unread rows, through inbox_status.)
CREATE INDEX outbox_expires ON outbox (expires_at);

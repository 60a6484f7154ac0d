-- 037-batch-progress.sql: the officer's recent uploads and each one's
-- progress (batch.cgi) count a batch's requests by state; the index of
-- 012 holds only the open ones, so counting the done would read the
-- whole table.
CREATE INDEX request_batch ON ra.request (batch_id) WHERE batch_id IS NOT NULL;

-- 006-server-batch.sql: what the TSV uploads keep.  The result TSV (the
-- input rows with 処理結果 and エラー内容) is kept with the batch so the
-- officer can download it; the file's own bytes are not kept.
ALTER TABLE ra.batch
    ADD COLUMN result_tsv bytea,
    ADD COLUMN rows_ng integer NOT NULL DEFAULT 0 CHECK (rows_ng >= 0);
GRANT UPDATE (result_tsv, rows_ok, rows_ng) ON ra.batch TO ra_web;

-- ① is built: the menu links it.
UPDATE ra.interface SET screen = 'server.cgi' WHERE interface = 1;
UPDATE ra.interface SET screen = 'download.cgi' WHERE interface = 2;

-- 007-renew-queued.sql: an upload refuses to renew a certificate whose
-- renewal is still queued (error 235); find those without a scan of every
-- request ever made.
CREATE INDEX request_renew_queued ON ra.request (target_cert_id)
    WHERE action = 'renew' AND state = 'queued';

-- 013-export.sql: ② and ④ in the 46-column layout (reference §10.1).
--
-- Column 28 (URL期限) is when a certificate's retrieval URL expires.  The
-- officer zone reads that much of ra.access_token and no more: never the
-- token's hash, the PIN's or the step nonce's, nor who failed how often.
GRANT SELECT (cert_id, request_id, batch_id, purpose, expires_at)
    ON ra.access_token TO ra_officer;

-- The export looks the URL up for every row: by certificate for the user
-- administrator's, by request for a user's PKCS#12; with the expiry, so
-- the latest is the index's last entry.
CREATE INDEX access_token_cert_download ON ra.access_token (cert_id, expires_at)
    WHERE purpose = 'cert_download';
CREATE INDEX access_token_p12_download ON ra.access_token (request_id, expires_at)
    WHERE purpose = 'p12_download';

-- ④ is built: the menu links it.
UPDATE ra.interface SET screen = 'clientdl.cgi' WHERE interface = 4;

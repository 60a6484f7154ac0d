-- 025-ocsp.sql: ra's OCSP responder (RFC 6960, ocsp.cgi at /ocsp) and its
-- delegated signers; issue 13 item 1.
--
--   ra_ocsp  the responder, a trust zone of its own (Unix user ra-ocsp,
--            conf/zones).  It reads, per request, the CA certificates and
--            the status of a certificate (serial, CA, state, notAfter,
--            revocation time and reason): nothing about people.  It holds
--            its delegated signers' keys and never a CA key.
--
-- Delegated signers (RFC 6960 4.2.2.2): the ocsp zone makes a key pair
-- of its own (the key never leaves Ocsp.KeyDir, readable by ra-ocsp
-- alone) and puts a PKCS#10 request here; the worker, the only holder of
-- CA keys, signs it as a short-lived certificate with EKU OCSPSigning and
-- id-pkix-ocsp-nocheck and writes the certificate into the same row; the
-- responder uses the newest row of its CA that is valid.  No private key
-- ever passes through the database.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'ra_ocsp') THEN
        CREATE ROLE ra_ocsp LOGIN;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA ra TO ra_ocsp;

CREATE TABLE ra.ocsp_signer (
    signer_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ca_id           bigint NOT NULL REFERENCES ra.ca,
    -- the key's file name in Ocsp.KeyDir, chosen by the ocsp zone
    key_name        text NOT NULL UNIQUE CHECK (key_name ~ '^[a-z0-9][a-z0-9.-]{0,63}$'),
    csr_der         bytea NOT NULL CHECK (length(csr_der) <= 8192),
    requested_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    -- set by the worker, together
    cert_der        bytea UNIQUE,
    serial          ra.serial,
    not_before      timestamptz,
    not_after       timestamptz,
    issued_at       timestamptz,
    CHECK ((cert_der IS NULL) = (issued_at IS NULL) AND
           (cert_der IS NULL) = (not_after IS NULL) AND
           (cert_der IS NULL) = (not_before IS NULL) AND
           (cert_der IS NULL) = (serial IS NULL)),
    CHECK (not_after > not_before)
);
-- At most one request waiting for the worker per CA, however often cron
-- runs "ocsp.cgi signer-request", and however many at once.
CREATE UNIQUE INDEX ocsp_signer_one_pending ON ra.ocsp_signer (ca_id)
    WHERE cert_der IS NULL;
CREATE INDEX ocsp_signer_valid ON ra.ocsp_signer (ca_id, not_after)
    WHERE cert_der IS NOT NULL;

-- The responder: what it answers from, its signers, and the audit of
-- refused HTTP requests.
GRANT SELECT (ca_id, role, cert_der, not_after) ON ra.ca TO ra_ocsp;
GRANT SELECT (ca_id, serial, state, not_after) ON ra.certificate TO ra_ocsp;
GRANT SELECT (ca_id, serial, revoked_at, reason) ON ra.revocation TO ra_ocsp;
GRANT SELECT ON ra.ocsp_signer TO ra_ocsp;
GRANT INSERT (ca_id, key_name, csr_der) ON ra.ocsp_signer TO ra_ocsp;
GRANT INSERT ON ra.audit TO ra_ocsp;

-- The worker signs the waiting requests.
GRANT SELECT ON ra.ocsp_signer TO ra_worker;
GRANT UPDATE (cert_der, serial, not_before, not_after, issued_at)
    ON ra.ocsp_signer TO ra_worker;

-- 018-tsa.sql: ra's own RFC 3161 time-stamp authority (tsa.cgi) and the
-- ⑨ タイムスタンプURL screen (tsurl.cgi); reference §1.5, §10.5, §10.6.
--
--   ra_tsa   the time-stamp responder, a trust zone of its own (Unix user
--            ra-tsa, conf/zones).  It holds its own TSA key and nothing
--            else: no CA key, no table of people, requests or tokens.
--            It takes a serial number from ra.tsa_serial and appends what
--            it answered to ra.tsa_stamp, so every time stamp ra ever
--            signed, and every one it refused, can be accounted for.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'ra_tsa') THEN
        CREATE ROLE ra_tsa LOGIN;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA ra TO ra_tsa;

-- TSTInfo serial numbers: unique and increasing (RFC 3161 §2.4.2 asks for
-- unique ones; a sequence gives them across every process at once).  A
-- value taken for a stamp that is then refused is not reused.
CREATE SEQUENCE ra.tsa_serial AS bigint MINVALUE 1 START 1 NO CYCLE;

-- One row per answer: granted stamps carry their serial, time and token
-- hash; refusals (badAlg, a TSA key past its 15 months, ...) their status
-- and reason.  Written by the responder only, never changed.
CREATE TABLE ra.tsa_stamp (
    stamp_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    serial          bigint UNIQUE CHECK (serial > 0),
    logged_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
    gen_time        timestamptz,            -- the token's genTime
    imprint_alg     text CHECK (length(imprint_alg) <= 64),  -- sha256, sha384, or the OID
    imprint         bytea CHECK (length(imprint) <= 128),
    nonce           text CHECK (nonce ~ '^-?[0-9A-F]+$' AND length(nonce) <= 20000),  -- hex
    policy          text CHECK (policy ~ '^[0-9]+(\.[0-9]+)+$'),
    status          text NOT NULL CHECK (status IN ('granted',
                        'grantedWithMods', 'rejection', 'waiting',
                        'revocationWarning', 'revocationNotification')),
    failure         text CHECK (failure IN ('badAlg', 'badRequest',
                        'badDataFormat', 'timeNotAvailable',
                        'unacceptedPolicy', 'unacceptedExtension',
                        'addInfoNotAvailable', 'systemFailure')),
    status_text     text CHECK (length(status_text) <= 512),
    token_sha256    bytea CHECK (length(token_sha256) = 32),
    tsa_cert_sha256 bytea NOT NULL CHECK (length(tsa_cert_sha256) = 32),
    db_role         text NOT NULL DEFAULT session_user,
    -- A granted answer is a token: with its serial, time and hash; a
    -- refusal has none of them.
    CHECK ((status IN ('granted', 'grantedWithMods')) =
           (serial IS NOT NULL AND gen_time IS NOT NULL AND
            token_sha256 IS NOT NULL AND imprint IS NOT NULL))
);
CREATE INDEX tsa_stamp_gen_time ON ra.tsa_stamp (gen_time) WHERE serial IS NOT NULL;

-- The responder: a serial, a log row (db_role and logged_at are the
-- database's to stamp, so not its to choose), and the audit of refused
-- HTTP requests (wrong method, type, size).
GRANT USAGE ON SEQUENCE ra.tsa_serial TO ra_tsa;
GRANT INSERT (serial, gen_time, imprint_alg, imprint, nonce, policy, status,
              failure, status_text, token_sha256, tsa_cert_sha256)
    ON ra.tsa_stamp TO ra_tsa;
GRANT INSERT ON ra.audit TO ra_tsa;

-- ⑨ is built: the menu links it.
UPDATE ra.interface SET screen = 'tsurl.cgi' WHERE interface = 9;

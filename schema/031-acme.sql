-- 031-acme.sql: ACME (RFC 8555) for server certificates, with external
-- account binding to an application the RA officer made (reference §1.6;
-- issue 15).  The model only; each zone's grants and functions follow in
-- their own migrations.
--
--   ra_acme     the ACME server (acme.cgi at /acme), a trust zone of its
--               own (Unix user ra-acme, conf/zones): nonces, accounts,
--               orders, authorizations; it puts a finalized order into the
--               same ra.request/ra.job queue as a TSV row, so the worker,
--               its lint and the dated validity schedule decide what is
--               signed.  It never holds a CA key.
--   ra_acmeval  the challenge validator (a process of its own, user
--               ra-acmeval): it reads the challenges waiting for it and the
--               account key's thumbprint, fetches the http-01 resource and
--               writes the outcome.  Nothing else.
--
-- The flow: the officer's TSV row (ACME利用情報作成申請) makes an
-- ra.acme_application with an EAB key id and HMAC key; a one-time URL
-- mailed to the user administrator shows them once; newAccount with that
-- EAB makes the one ra.acme_account of the application (the key id is
-- single use); the account orders names of its application only.

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['ra_acme', 'ra_acmeval'] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I LOGIN', r);
        END IF;
    END LOOP;
END
$$;
GRANT USAGE ON SCHEMA ra TO ra_acme, ra_acmeval;

-- ⑫ ACME利用情報-作成申請 (the application upload, the accounts, their
-- orders and certificates).  Logout (⑩) stays last: the menu orders by
-- "always, interface".
INSERT INTO ra.interface (interface, grp_ja, name_ja, name_en, screen, always)
    VALUES (12, 'ACME利用情報', '作成申請・アカウント管理',
            'ACME: applications and accounts', 'acme-app.cgi', false);

-- The ACME profile: a server certificate from a CSR, 89 days as UPKI's
-- ACME service (reference §5.3); the dated schedule (ra.validity_limit)
-- still shortens it when the limit falls below.
INSERT INTO ra.profile (profile_id, kind, name_ja, name_en, validity_months,
                        validity_days, key_algs, key_gen, key_usage,
                        ext_key_usage, subject_attrs, subject_required, policies)
SELECT 41, 'server', 'サーバ証明書 (ACME, 89日)', 'server certificate (ACME, 89 days)',
       0, 89, '{rsa2048,rsa3072,rsa4096,p256,p384}', 'csr',
       'critical,digitalSignature', 'serverAuth',
       subject_attrs, subject_required, policies
  FROM ra.profile WHERE profile_id = 22;
-- Which profiles an ACME application may name (TSV column 5).
ALTER TABLE ra.profile ADD COLUMN acme boolean NOT NULL DEFAULT false;
UPDATE ra.profile SET acme = true WHERE profile_id = 41;

-- One TSV row of an ACME-use application, approved by the officer who
-- uploaded it.  fqdns[1] is the CN of what the account orders by default;
-- all of them lie under the officer's domains (checked at upload, and
-- again at every order, since a domain can be taken away).
CREATE TABLE ra.acme_application (
    application_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    institution_id  bigint NOT NULL REFERENCES ra.institution,
    officer_id      bigint NOT NULL,
    batch_id        bigint REFERENCES ra.batch,
    seq             integer CHECK (seq > 0),
    admin_name      text NOT NULL CHECK (char_length(admin_name) BETWEEN 1 AND 64),
    admin_org       text NOT NULL CHECK (char_length(admin_org) BETWEEN 1 AND 128),
    admin_mail      ra.mail_addr NOT NULL,
    fqdns           text[] NOT NULL
                    CHECK (cardinality(fqdns) BETWEEN 1 AND 8
                       AND array_position(fqdns, NULL) IS NULL),
    profile_id      integer NOT NULL REFERENCES ra.profile,
    -- RFC 8555 7.3.4: the key id names the application; the HMAC key
    -- (HS256, 32 random bytes) is read by the ACME zone to check the
    -- binding and shown to the user administrator once, never to the
    -- officer.
    eab_kid         text NOT NULL UNIQUE CHECK (eab_kid ~ '^[A-Za-z0-9_-]{22,64}$'),
    eab_hmac        bytea NOT NULL CHECK (length(eab_hmac) = 32),
    eab_used_at     timestamptz,        -- set with the account: single use
    status          text NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'suspended', 'closed')),
    status_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
    status_by       bigint REFERENCES ra.officer,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    UNIQUE (batch_id, seq),
    CHECK ((batch_id IS NULL) = (seq IS NULL)),
    FOREIGN KEY (institution_id, officer_id)
        REFERENCES ra.officer (institution_id, officer_id)
);
CREATE INDEX acme_application_institution ON ra.acme_application (institution_id);

-- The one account an application's EAB made.  jwk_sha256 is the RFC 7638
-- thumbprint of the account key (a key serves one account: RFC 8555
-- 7.3.1), jwk the public key as canonical JSON members (kty, n, e or kty,
-- crv, x, y).
CREATE TABLE ra.acme_account (
    account_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id  bigint NOT NULL UNIQUE REFERENCES ra.acme_application,
    jwk_sha256      bytea NOT NULL UNIQUE CHECK (length(jwk_sha256) = 32),
    jwk             jsonb NOT NULL CHECK (pg_catalog.jsonb_typeof(jwk) = 'object'),
    contact         text[] NOT NULL DEFAULT '{}' CHECK (cardinality(contact) <= 4),
    status          text NOT NULL DEFAULT 'valid'
                    CHECK (status IN ('valid', 'deactivated', 'revoked')),
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now()
);

-- Replay-Nonce values (RFC 8555 6.5): a nonce is good once, which the
-- DELETE that takes it decides; old ones expire.
CREATE TABLE ra.acme_nonce (
    nonce           bytea PRIMARY KEY CHECK (length(nonce) = 16),
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX acme_nonce_created ON ra.acme_nonce (created_at);

-- Orders.  identifiers: lower-case DNS names, at most 8 (reference §2.2).
-- request_id: the ra.request finalize queued; the certificate is the one
-- the worker made for it, so the status of a processing order follows
-- from the request's.
CREATE TABLE ra.acme_order (
    order_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      bigint NOT NULL REFERENCES ra.acme_account,
    identifiers     text[] NOT NULL
                    CHECK (cardinality(identifiers) BETWEEN 1 AND 8
                       AND array_position(identifiers, NULL) IS NULL),
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'ready', 'processing', 'valid', 'invalid')),
    expires_at      timestamptz NOT NULL,
    request_id      bigint UNIQUE REFERENCES ra.request,
    error           jsonb,              -- a problem document, when invalid
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CHECK (status NOT IN ('processing', 'valid') OR request_id IS NOT NULL)
);
CREATE INDEX acme_order_account ON ra.acme_order (account_id, created_at);

-- One authorization per identifier of an order (no reuse across orders:
-- each order proves its names afresh).
CREATE TABLE ra.acme_authz (
    authz_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id        bigint NOT NULL REFERENCES ra.acme_order,
    identifier      text NOT NULL CHECK (char_length(identifier) BETWEEN 1 AND 253),
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'valid', 'invalid', 'deactivated',
                                      'expired', 'revoked')),
    expires_at      timestamptz NOT NULL,
    UNIQUE (order_id, identifier)
);

-- Challenges: http-01 only (RFC 8555 8.3); dns-01 would be a second row
-- type.  The client's POST moves one to 'processing'; the validator claims
-- it (claimed_by/at, FOR UPDATE SKIP LOCKED) and sets valid or invalid.
-- A failed validation (status invalid, validated_at) counts against the
-- account's daily limit (ra.acme_failures_today).
CREATE TABLE ra.acme_challenge (
    challenge_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    authz_id        bigint NOT NULL REFERENCES ra.acme_authz,
    type            text NOT NULL CHECK (type IN ('http-01')),
    token           text NOT NULL UNIQUE CHECK (token ~ '^[A-Za-z0-9_-]{43}$'),
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'processing', 'valid', 'invalid')),
    requested_at    timestamptz,
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    claimed_by      text,
    claimed_at      timestamptz,
    validated_at    timestamptz,
    error           jsonb,
    UNIQUE (authz_id, type),
    CHECK (status = 'pending' OR requested_at IS NOT NULL),
    CHECK ((status IN ('valid', 'invalid')) = (validated_at IS NOT NULL))
);
CREATE INDEX acme_challenge_waiting ON ra.acme_challenge (requested_at)
    WHERE status = 'processing';
CREATE INDEX acme_challenge_failed ON ra.acme_challenge (validated_at)
    WHERE status = 'invalid';

-- Failed validations of an account since the start of today in Japan
-- (reference §1.6: "limited until the next day"); ra.clock() so tests
-- move the day through the data.
-- SECURITY DEFINER so the officer's screen can show the count without the
-- right to call ra.clock() itself (027: the clock is the worker's, and
-- the ACME zones' that stamp validations).
CREATE FUNCTION ra.acme_failures_today(account bigint) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
    SELECT pg_catalog.count(*)
      FROM ra.acme_challenge ch
      JOIN ra.acme_authz az ON az.authz_id = ch.authz_id
      JOIN ra.acme_order o ON o.order_id = az.order_id
     WHERE o.account_id = acme_failures_today.account
       AND ch.status = 'invalid'
       AND ch.validated_at >= pg_catalog.date_trunc('day',
               ra.clock() AT TIME ZONE 'Asia/Tokyo') AT TIME ZONE 'Asia/Tokyo'
$$;
REVOKE ALL ON FUNCTION ra.acme_failures_today(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.clock() TO ra_acme, ra_acmeval;
GRANT EXECUTE ON FUNCTION ra.acme_failures_today(bigint) TO ra_acme, ra_acmeval, ra_officer;

-- The EAB's one-time retrieval URL for the user administrator.
ALTER TABLE ra.access_token
    DROP CONSTRAINT access_token_purpose,
    ADD CONSTRAINT access_token_purpose CHECK (purpose IN
        ('ra_cert', 'ra_renew', 'cert_download', 'pin_download',
         'p12_download', 'p12_bulk', 'acme_eab')),
    ADD COLUMN application_id bigint REFERENCES ra.acme_application,
    ADD CONSTRAINT access_token_acme CHECK ((purpose = 'acme_eab') = (application_id IS NOT NULL));

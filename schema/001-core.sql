-- 001-core.sql: the whole model, so later screens only add rules.
-- Every table lives in schema ra; the migration runner created it and
-- ra.schema_migration.  Constraints make bad states impossible: the
-- application checks too, but the database has the last word.

-- Character class of DN attributes O, OU, ST, L (reference §2.1).
CREATE DOMAIN ra.dn_text AS text
    CHECK (VALUE ~ '^[A-Za-z0-9 ''(),./:=-]{1,64}$');

CREATE DOMAIN ra.mail_addr AS text
    CHECK (length(VALUE) <= 254
       AND VALUE ~ '^[A-Za-z0-9._-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$');

-- Certificate serial numbers: positive, at most 20 octets (RFC 5280).
CREATE DOMAIN ra.serial AS numeric(49, 0)
    CHECK (VALUE > 0 AND VALUE < 2::numeric ^ 159);

-- What a certificate is for.  A table, not an enum, so a migration can add
-- a kind (ACME, ...) without rewriting columns.
-- revoke_reasons: the RFC 5280 reason codes a revocation request of this
-- kind may carry (reference §2.4.3: 0, 1, 3, 4, 5; 2, 6, 8, 9, 10 are the
-- CA's own or not applicable).
CREATE TABLE ra.cert_kind (
    kind            text PRIMARY KEY CHECK (kind ~ '^[a-z][a-z_]{1,31}$'),
    name_ja         text NOT NULL,
    name_en         text NOT NULL,
    revoke_reasons  smallint[] NOT NULL DEFAULT '{0,1,3,4,5}'
                    CHECK (revoke_reasons <@ '{0,1,2,3,4,5,6,8,9,10}'::smallint[])
);
INSERT INTO ra.cert_kind (kind, name_ja, name_en) VALUES
    ('ra_officer',   '登録担当者用証明書',   'RA officer certificate'),
    ('server',       'サーバ証明書',         'server certificate'),
    ('client',       'クライアント証明書',   'client certificate'),
    ('smime',        'S/MIME証明書',         'S/MIME certificate'),
    ('code_signing', 'コード署名用証明書',   'code-signing certificate'),
    ('ocsp',         'OCSPレスポンダ証明書', 'OCSP responder certificate'),
    ('tsa',          'タイムスタンプ証明書', 'time-stamping certificate');

-- Institutions (機関).  name_en is the certificate O; st and l are the fixed
-- ST and L values registered with the service desk.
CREATE TABLE ra.institution (
    institution_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
    name_ja         text NOT NULL CHECK (char_length(name_ja) BETWEEN 1 AND 128),
    name_en         ra.dn_text NOT NULL UNIQUE,
    st              ra.dn_text NOT NULL,
    l               ra.dn_text NOT NULL
                    CHECK (l !~* 'academe' AND l !~* 'default' AND lower(l) <> 'city'),
    status          text NOT NULL DEFAULT 'review'
                    CHECK (status IN ('review', 'active', 'suspended', 'withdrawn')),
    usage_from      date NOT NULL,
    usage_until     date NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (usage_until >= usage_from)
);

-- Registered domains.  A domain belongs to one institution; FQDNs and
-- dNSNames must lie under one of them.
CREATE TABLE ra.domain (
    domain_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    institution_id  bigint NOT NULL REFERENCES ra.institution,
    name            text NOT NULL UNIQUE
                    CHECK (length(name) <= 253 AND name = lower(name)
                       AND name ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (institution_id, domain_id)
);

-- OU allow list (OU許可リスト), per domain.  Never registrable: one
-- character, or no letter at all (digits only, symbols only, both).
CREATE TABLE ra.domain_ou (
    domain_id   bigint NOT NULL REFERENCES ra.domain ON DELETE CASCADE,
    ou          ra.dn_text NOT NULL CHECK (length(ou) >= 2 AND ou ~ '[A-Za-z]'),
    added_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (domain_id, ou)
);

-- The RA menu's interfaces ①–⑩ (manual 3-3), as data so permissions refer
-- to them and the menu is drawn from them.
CREATE TABLE ra.interface (
    interface   smallint PRIMARY KEY CHECK (interface BETWEEN 1 AND 99),
    grp_ja      text NOT NULL,
    name_ja     text NOT NULL,
    name_en     text NOT NULL,
    screen      text CHECK (screen ~ '^[a-z0-9-]+\.cgi$'),  -- NULL: not built yet
    always      boolean NOT NULL DEFAULT false              -- needs no permission (logout)
);
INSERT INTO ra.interface (interface, grp_ja, name_ja, name_en, always) VALUES
    (1,  'サーバ証明書',         '発行・更新・失効',           'Issue, renew, revoke',            false),
    (2,  'サーバ証明書',         '証明書情報一括ダウンロード', 'Download certificate information', false),
    (3,  'クライアント証明書',   '発行・更新・失効',           'Issue, renew, revoke',            false),
    (4,  'クライアント証明書',   '証明書情報一括ダウンロード', 'Download certificate information', false),
    (5,  '利用管理者情報',       '更新',                       'Update user administrators',      false),
    (6,  '利用管理者情報',       '全証明書情報一括ダウンロード', 'Download all certificate information', false),
    (7,  '利用管理者情報',       '発行証明書統計照会',         'Issuance statistics',             false),
    (8,  '利用管理者情報',       '許可リスト一括ダウンロード', 'Download the allow list',         false),
    (9,  'タイムスタンプ利用情報', 'タイムスタンプURL',        'Time-stamp URL',                  false),
    (10, 'ログアウト',           'ログアウト',                 'Log out',                         true);

-- RA officers (登録担当者).
CREATE TABLE ra.officer (
    officer_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    institution_id  bigint NOT NULL REFERENCES ra.institution,
    name_ja         text NOT NULL CHECK (char_length(name_ja) BETWEEN 1 AND 64),
    name_romaji     text NOT NULL CHECK (name_romaji ~ '^[A-Za-z][A-Za-z .''-]{0,63}$'),
    mail            ra.mail_addr NOT NULL,
    phone           text NOT NULL CHECK (phone ~ '^[0-9+][0-9 ()+-]{3,31}$'),
    status          text NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'suspended', 'retired')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (institution_id, mail),
    UNIQUE (institution_id, officer_id)
);

-- An officer acts on domains of their own institution only: both foreign
-- keys carry the institution, so a cross-institution row cannot exist.
CREATE TABLE ra.officer_domain (
    institution_id  bigint NOT NULL,
    officer_id      bigint NOT NULL,
    domain_id       bigint NOT NULL,
    PRIMARY KEY (officer_id, domain_id),
    FOREIGN KEY (institution_id, officer_id)
        REFERENCES ra.officer (institution_id, officer_id) ON DELETE CASCADE,
    FOREIGN KEY (institution_id, domain_id)
        REFERENCES ra.domain (institution_id, domain_id) ON DELETE CASCADE
);

CREATE TABLE ra.officer_permission (
    officer_id  bigint NOT NULL REFERENCES ra.officer ON DELETE CASCADE,
    interface   smallint NOT NULL REFERENCES ra.interface,
    PRIMARY KEY (officer_id, interface)
);

-- Certification authorities, root and issuing.  Several issuing CAs per
-- kind may be valid at once (rollover); ca_kind.current marks the one for
-- new issuance.  key_path is read by the issuance worker only.
CREATE TABLE ra.ca (
    ca_id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 128),
    slug            text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,31}$'),
    role            text NOT NULL CHECK (role IN ('root', 'issuing')),
    parent_ca_id    bigint REFERENCES ra.ca,
    subject_dn      text NOT NULL,
    cert_der        bytea NOT NULL UNIQUE,
    ski             bytea NOT NULL UNIQUE,
    key_path        text CHECK (key_path ~ '^/'),
    not_before      timestamptz NOT NULL,
    not_after       timestamptz NOT NULL,
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    crl_url         text CHECK (crl_url ~ '^http://'),       -- CRL distribution point
    issuer_url      text CHECK (issuer_url ~ '^http://'),    -- AIA caIssuers
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (not_after > not_before),
    CHECK ((role = 'root') = (parent_ca_id IS NULL))
);

CREATE TABLE ra.ca_kind (
    ca_id       bigint NOT NULL REFERENCES ra.ca,
    kind        text NOT NULL REFERENCES ra.cert_kind,
    current     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (ca_id, kind)
);
CREATE UNIQUE INDEX ca_kind_one_current ON ra.ca_kind (kind) WHERE current;

-- Certificate profiles; profile_id is TSV column 2 (client 5/13/14,
-- S/MIME 7/15/16; server, code signing and RA officer IDs are ours).
CREATE TABLE ra.profile (
    profile_id      integer PRIMARY KEY CHECK (profile_id BETWEEN 1 AND 99),
    kind            text NOT NULL REFERENCES ra.cert_kind,
    name_ja         text NOT NULL,
    name_en         text NOT NULL,
    validity_months integer NOT NULL DEFAULT 0 CHECK (validity_months >= 0),
    validity_days   integer NOT NULL DEFAULT 0 CHECK (validity_days >= 0),
    key_algs        text[] NOT NULL
                    CHECK (cardinality(key_algs) > 0
                       AND key_algs <@ ARRAY['rsa2048', 'rsa3072', 'rsa4096',
                                             'p256', 'p384']::text[]),
    key_gen         text NOT NULL CHECK (key_gen IN ('csr', 'server')),
    key_usage       text NOT NULL,      -- X509V3 config syntax, e.g. critical,digitalSignature
    ext_key_usage   text,
    -- subject attribute types the profile allows, and those it requires
    subject_attrs   text[] NOT NULL CHECK (subject_attrs <@ '{C,ST,L,O,OU,CN,emailAddress}'::text[]),
    subject_required text[] NOT NULL,
    ca_id           bigint REFERENCES ra.ca,   -- NULL: the kind's current CA
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (validity_months > 0 OR validity_days > 0),
    -- CA/B Forum SC-081: server certificates at most 198 days from 2026-03-15.
    CHECK (kind <> 'server' OR (validity_months = 0 AND validity_days <= 198)),
    -- CA/B S/MIME BR: at most 825 days.
    CHECK (kind <> 'smime' OR validity_months * 31 + validity_days <= 825),
    CHECK (subject_required <@ subject_attrs)
);

-- An upload (one TSV file) or another batch of requests.
CREATE TABLE ra.batch (
    batch_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    institution_id  bigint NOT NULL REFERENCES ra.institution,
    officer_id      bigint REFERENCES ra.officer,      -- NULL: desk or cron
    kind            text NOT NULL REFERENCES ra.cert_kind,
    action          text NOT NULL CHECK (action IN ('issue', 'renew', 'revoke')),
    error_mode      text NOT NULL CHECK (error_mode IN ('abort', 'partial', 'dry_run')),
    filename        text CHECK (char_length(filename) <= 255),
    sha256          bytea CHECK (length(sha256) = 32),
    rows_total      integer NOT NULL CHECK (rows_total >= 0),
    rows_ok         integer NOT NULL CHECK (rows_ok >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (rows_ok <= rows_total)
);

-- Certificates, from the moment the worker reserves a serial until the end.
-- Boulder's order: the serial and to-be-signed data are stored ('reserved')
-- before signing, the certificate after ('issued'), so a killed worker
-- leaves a state the next one can finish without a second certificate.
CREATE TABLE ra.certificate (
    cert_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ca_id           bigint NOT NULL REFERENCES ra.ca,
    serial          ra.serial NOT NULL,
    request_id      bigint NOT NULL UNIQUE,   -- one request, one certificate
    institution_id  bigint NOT NULL REFERENCES ra.institution,
    kind            text NOT NULL REFERENCES ra.cert_kind,
    profile_id      integer NOT NULL REFERENCES ra.profile,
    officer_id      bigint REFERENCES ra.officer,   -- the RA certificate's holder
    subject_dn      text NOT NULL CHECK (char_length(subject_dn) <= 1024),
    cn              text NOT NULL,
    spki_der        bytea NOT NULL,
    spki_sha256     bytea NOT NULL UNIQUE CHECK (length(spki_sha256) = 32),
    state           text NOT NULL DEFAULT 'reserved' CHECK (state IN ('reserved', 'issued')),
    tbs_der         bytea NOT NULL,
    der             bytea UNIQUE,
    not_before      timestamptz NOT NULL,
    not_after       timestamptz NOT NULL,
    issued_at       timestamptz,
    retrieved_at    timestamptz,                -- 取得待ち until set
    superseded_by   bigint REFERENCES ra.certificate,   -- 更新済み
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (ca_id, serial),
    UNIQUE (cert_id, ca_id, serial, not_after),  -- target of ra.revocation's key
    CHECK (not_after > not_before),
    CHECK ((state = 'issued') = (der IS NOT NULL AND issued_at IS NOT NULL)),
    CHECK (retrieved_at IS NULL OR state = 'issued'),
    CHECK ((kind = 'ra_officer') = (officer_id IS NOT NULL)),
    CHECK (superseded_by IS NULL OR superseded_by <> cert_id)
);
CREATE INDEX certificate_cn ON ra.certificate (institution_id, kind, cn);
CREATE INDEX certificate_not_after ON ra.certificate (ca_id, not_after);

-- Applications: one TSV row, one RA-certificate enrolment, one renewal.
-- The worker's input; what it signs comes from here, never from the CSR's
-- own subject.
CREATE TABLE ra.request (
    request_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    institution_id  bigint NOT NULL REFERENCES ra.institution,
    officer_id      bigint REFERENCES ra.officer,   -- submitter; NULL: desk
    batch_id        bigint REFERENCES ra.batch,
    seq             integer CHECK (seq > 0),        -- row in the batch
    action          text NOT NULL CHECK (action IN ('issue', 'renew', 'revoke')),
    kind            text NOT NULL REFERENCES ra.cert_kind,
    profile_id      integer REFERENCES ra.profile,
    -- the validated subject, DER-encoded in certificate order, and as text
    subject_der     bytea CHECK (length(subject_der) <= 2048),
    subject_dn      text CHECK (char_length(subject_dn) <= 1024),
    san_dns         text[] NOT NULL DEFAULT '{}',
    san_email       text[] NOT NULL DEFAULT '{}',
    csr_der         bytea,
    spki_sha256     bytea CHECK (length(spki_sha256) = 32),   -- of the CSR's key
    -- Server-made keys: the password the worker encrypts the new key under
    -- (the P12 password shown to the user, or the access PIN).  Cleared in
    -- the transaction that stores the certificate.
    key_secret      text CHECK (char_length(key_secret) BETWEEN 8 AND 128),
    target_cert_id  bigint REFERENCES ra.certificate,  -- renew and revoke
    revoke_reason   smallint CHECK (revoke_reason IN (0, 1, 2, 3, 4, 5, 6, 8, 9, 10)),
    revoke_comment  text CHECK (char_length(revoke_comment) <= 256),
    admin_name      text CHECK (char_length(admin_name) <= 64),
    admin_mail      ra.mail_addr,
    user_name       text CHECK (char_length(user_name) <= 64),
    user_mail       ra.mail_addr,
    attrs           jsonb NOT NULL DEFAULT '{}',    -- the format's other columns
    state           text NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'done', 'failed', 'cancelled')),
    error           text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    done_at         timestamptz,
    UNIQUE (batch_id, seq),
    CHECK ((batch_id IS NULL) = (seq IS NULL)),
    CHECK (action = 'revoke' OR (profile_id IS NOT NULL AND subject_der IS NOT NULL)),
    CHECK (csr_der IS NULL OR spki_sha256 IS NOT NULL),
    CHECK (key_secret IS NULL OR state = 'queued'),
    CHECK (action = 'issue' OR target_cert_id IS NOT NULL),
    CHECK (action <> 'revoke' OR revoke_reason IS NOT NULL),
    CHECK (revoke_reason IS DISTINCT FROM 0 OR revoke_comment <> ''),
    CHECK ((state IN ('done', 'failed', 'cancelled')) = (done_at IS NOT NULL))
);
ALTER TABLE ra.certificate
    ADD FOREIGN KEY (request_id) REFERENCES ra.request;
-- A key goes into one live request only (and one certificate, above).
CREATE UNIQUE INDEX request_spki_live ON ra.request (spki_sha256)
    WHERE state IN ('queued', 'done') AND spki_sha256 IS NOT NULL;

-- The work queue.  One job per request (UNIQUE), claimed with
-- SELECT ... FOR UPDATE SKIP LOCKED; NOTIFY ra_job wakes the workers.
CREATE TABLE ra.job (
    job_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id      bigint NOT NULL UNIQUE REFERENCES ra.request,
    state           text NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    run_after       timestamptz NOT NULL DEFAULT now(),
    claimed_by      text,
    claimed_at      timestamptz,
    finished_at     timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((state IN ('done', 'failed')) = (finished_at IS NOT NULL))
);
CREATE INDEX job_queued ON ra.job (run_after) WHERE state IN ('queued', 'running');

-- Revocation: one row per revoked certificate, so it cannot happen twice.
-- ca_id, serial and not_after are the certificate's (the foreign key says
-- so) so that a CRL is one index range scan that skips expired entries.
CREATE TABLE ra.revocation (
    cert_id     bigint PRIMARY KEY,
    ca_id       bigint NOT NULL,
    serial      ra.serial NOT NULL,
    not_after   timestamptz NOT NULL,
    reason      smallint NOT NULL CHECK (reason IN (0, 1, 2, 3, 4, 5, 6, 8, 9, 10)),
    comment     text CHECK (char_length(comment) <= 256),
    revoked_at  timestamptz NOT NULL DEFAULT now(),
    request_id  bigint REFERENCES ra.request,
    officer_id  bigint REFERENCES ra.officer,
    crl_number  bigint,             -- the first CRL that lists it
    CHECK (reason <> 0 OR comment <> ''),
    FOREIGN KEY (cert_id, ca_id, serial, not_after)
        REFERENCES ra.certificate (cert_id, ca_id, serial, not_after)
);
CREATE INDEX revocation_crl ON ra.revocation (ca_id, not_after)
    INCLUDE (serial, revoked_at, reason);

-- Published CRLs; crl_number is monotonic per CA (PRIMARY KEY + CHECK).
CREATE TABLE ra.crl (
    ca_id       bigint NOT NULL REFERENCES ra.ca,
    crl_number  bigint NOT NULL CHECK (crl_number > 0),
    this_update timestamptz NOT NULL,
    next_update timestamptz NOT NULL,
    entries     integer NOT NULL CHECK (entries >= 0),
    der         bytea NOT NULL,
    PRIMARY KEY (ca_id, crl_number),
    CHECK (next_update > this_update)
);

-- One-time URLs and their access PINs.  Only hashes are stored: the token
-- as SHA-256 (it has >= 128 random bits), the PIN under a salted slow KDF.
CREATE TABLE ra.access_token (
    token_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    purpose         text NOT NULL CHECK (purpose IN
                        ('ra_cert', 'ra_renew', 'cert_download', 'pin_download', 'p12_download')),
    token_sha256    bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    institution_id  bigint NOT NULL REFERENCES ra.institution,
    officer_id      bigint REFERENCES ra.officer,
    request_id      bigint REFERENCES ra.request,
    cert_id         bigint REFERENCES ra.certificate,
    pin_kdf         text CHECK (pin_kdf IN ('pbkdf2-sha256', 'scrypt')),
    pin_salt        bytea CHECK (length(pin_salt) >= 16),
    pin_hash        bytea CHECK (length(pin_hash) >= 32),
    pin_cost        integer CHECK (pin_cost > 0),
    pin_set_at      timestamptz,
    failures        integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
    locked_at       timestamptz,
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (expires_at > created_at),
    CHECK ((pin_hash IS NULL) = (pin_salt IS NULL)
       AND (pin_hash IS NULL) = (pin_kdf IS NULL)
       AND (pin_hash IS NULL) = (pin_cost IS NULL)
       AND (pin_hash IS NULL) = (pin_set_at IS NULL)),
    CHECK (purpose NOT IN ('ra_cert', 'ra_renew') OR officer_id IS NOT NULL)
);

-- Server-made private keys waiting for their one download, encrypted
-- (PKCS#8 PBES2) under the request's key_secret.  The PKCS#12 is built at
-- download time in the profile the user picks (modern or legacy), then
-- this row is deleted; expired rows are deleted by cron.
CREATE TABLE ra.p12_pending (
    cert_id     bigint PRIMARY KEY REFERENCES ra.certificate,
    enc_key     bytea NOT NULL,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX p12_pending_expires ON ra.p12_pending (expires_at);

-- RA-officer sessions: the cookie is random, only its hash is stored, and
-- the session is bound to the certificate that logged in.
CREATE TABLE ra.session (
    session_sha256  bytea PRIMARY KEY CHECK (length(session_sha256) = 32),
    officer_id      bigint NOT NULL REFERENCES ra.officer,
    cert_id         bigint NOT NULL REFERENCES ra.certificate,
    csrf_token      bytea NOT NULL CHECK (length(csrf_token) >= 16),
    source_ip       inet,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz NOT NULL DEFAULT now(),
    ended_at        timestamptz,
    CHECK (last_seen_at >= created_at)
);

-- Mail outbox, written in the same transaction as the change that causes
-- the mail.  The message is rendered and signed once, then retried as is.
CREATE TABLE ra.mail (
    mail_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    template        text NOT NULL CHECK (template ~ '^[a-z0-9_-]+$'),
    recipients      text[] NOT NULL CHECK (cardinality(recipients) > 0),
    data            jsonb NOT NULL DEFAULT '{}',
    message         bytea,
    state           text NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    sent_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((state = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX mail_due ON ra.mail (next_attempt_at) WHERE state = 'pending';

-- Audit log: append-only and hash-chained.  The trigger numbers each row
-- under a lock on ra.audit_head, so the chain has no gaps and no forks;
-- row_sha256 = sha256(prev_sha256 || the row's canonical text).
CREATE TABLE ra.audit (
    audit_id        bigint PRIMARY KEY,
    at              timestamptz NOT NULL,
    event           text NOT NULL CHECK (event ~ '^[a-z][a-z0-9_.]{0,63}$'),
    outcome         text NOT NULL CHECK (outcome IN ('ok', 'fail', 'refused')),
    actor           text NOT NULL CHECK (char_length(actor) BETWEEN 1 AND 128),
    institution_id  bigint,
    officer_id      bigint,
    source_ip       inet,
    cert_issuer     text,
    cert_serial     ra.serial,
    cert_subject    text,
    detail          jsonb NOT NULL DEFAULT '{}',
    prev_sha256     bytea NOT NULL CHECK (length(prev_sha256) = 32),
    row_sha256      bytea NOT NULL CHECK (length(row_sha256) = 32)
);

CREATE TABLE ra.audit_head (
    one         boolean PRIMARY KEY DEFAULT true CHECK (one),
    last_id     bigint NOT NULL,
    last_sha256 bytea NOT NULL CHECK (length(last_sha256) = 32)
);
INSERT INTO ra.audit_head (last_id, last_sha256)
    VALUES (0, '\x0000000000000000000000000000000000000000000000000000000000000000');

-- The canonical text of a row, shared by the trigger and the verifier.
CREATE FUNCTION ra.audit_canonical(a ra.audit) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws(E'\x1f',
        a.audit_id::text,
        to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        a.event, a.outcome, a.actor,
        coalesce(a.institution_id::text, ''),
        coalesce(a.officer_id::text, ''),
        coalesce(host(a.source_ip), ''),
        coalesce(a.cert_issuer, ''),
        coalesce(a.cert_serial::text, ''),
        coalesce(a.cert_subject, ''),
        a.detail::text)
$$;

CREATE FUNCTION ra.audit_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    head ra.audit_head;
BEGIN
    UPDATE ra.audit_head SET last_id = last_id + 1
        RETURNING * INTO head;          -- row lock held until commit
    NEW.audit_id := head.last_id;
    NEW.at := clock_timestamp();
    NEW.prev_sha256 := head.last_sha256;
    NEW.row_sha256 := pg_catalog.sha256(head.last_sha256 ||
        pg_catalog.convert_to(ra.audit_canonical(NEW), 'UTF8'));
    UPDATE ra.audit_head SET last_sha256 = NEW.row_sha256;
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_chain BEFORE INSERT ON ra.audit
    FOR EACH ROW EXECUTE FUNCTION ra.audit_chain();

CREATE FUNCTION ra.audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ra.audit is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON ra.audit
    FOR EACH ROW EXECUTE FUNCTION ra.audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON ra.audit
    FOR EACH STATEMENT EXECUTE FUNCTION ra.audit_append_only();

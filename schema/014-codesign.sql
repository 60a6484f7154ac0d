-- 014-codesign.sql: code-signing certificates (reference §1.5, §2.5,
-- §10.5; CA/B Forum CSBR v3.10.0), on a menu interface of their own (⑪).
--
-- CSR only: since 2023-06-01 the subscriber's key is made and kept in a
-- hardware module (CSBR §6.2.7.4), so the RA never makes one and never
-- hands out a PKCS#12.  Each issue or renewal row states how the key is
-- protected, as a code from ra.key_protection; the statement is stored
-- with the request and shown in the downloads (②/④/⑥ column 17).

-- ⑪ コード署名用証明書-発行・更新・失効.  Logout (⑩) stays last in the menu:
-- the menu orders by "always, interface".
INSERT INTO ra.interface (interface, grp_ja, name_ja, name_en, screen, always)
    VALUES (11, 'コード署名用証明書', '発行・更新・失効',
            'Code signing: issue, renew, revoke', 'codesign.cgi', false);

-- How the subscriber protects the key (CSBR §6.2.7.4.1): what the row's
-- column 12 names.  code is what users type: short ASCII.  basis is the
-- CSBR paragraph and the assurance level the statement stands for.
CREATE TABLE ra.key_protection (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9-]{1,15}$'),
    name_ja     text NOT NULL CHECK (char_length(name_ja) BETWEEN 1 AND 128),
    name_en     text NOT NULL CHECK (char_length(name_en) BETWEEN 1 AND 128),
    basis       text NOT NULL CHECK (char_length(basis) BETWEEN 1 AND 256),
    active      boolean NOT NULL DEFAULT true
);
INSERT INTO ra.key_protection (code, name_ja, name_en, basis) VALUES
    ('token',
     'ハードウェアトークン（FIPS 140-2 レベル2以上 / CC EAL 4+）',
     'hardware crypto token (FIPS 140-2 Level 2+ or Common Criteria EAL 4+)',
     'CSBR 6.2.7.4.1 (1): a Hardware Crypto Module certified FIPS 140-2 Level 2, FIPS 140-3 Level 2 or Common Criteria EAL 4+'),
    ('hsm',
     'HSM（FIPS 140-2 レベル3以上）',
     'hardware security module (FIPS 140-2 Level 3+)',
     'CSBR 6.2.7.4.1 (1): a Hardware Crypto Module, FIPS 140-2 / 140-3 Level 3'),
    ('cloud-hsm',
     'クラウドHSM・鍵管理サービス（FIPS 140-2 レベル2以上）',
     'cloud HSM or key-management service (FIPS 140-2 Level 2+)',
     'CSBR 6.2.7.4.1 (2): a cloud-based key generation and protection solution backed by a Hardware Crypto Module'),
    ('signing-service',
     '署名サービス（Signing Service）',
     'signing service',
     'CSBR 6.2.7.4.1 (3): a Signing Service that generates and keeps the key in a Hardware Crypto Module');

ALTER TABLE ra.request
    ADD COLUMN key_protection text REFERENCES ra.key_protection,
    ADD CONSTRAINT request_codesign_key_protection
        CHECK ((kind = 'code_signing' AND action IN ('issue', 'renew'))
               = (key_protection IS NOT NULL)),
    -- Never a server-made key for code signing.
    ADD CONSTRAINT request_codesign_csr
        CHECK (kind <> 'code_signing' OR action = 'revoke'
               OR (csr_der IS NOT NULL AND key_secret IS NULL));

-- Profile 31 as CSBR v3.10 has it: at most 460 days, CSR only, RSA >= 3072
-- or P-256/P-384, EKU codeSigning, key usage digitalSignature, the CSBR
-- policy OID, and no OU (CSBR §7.1.4.2.2 has none).
UPDATE ra.profile
   SET policies = '2.23.140.1.4.1',
       key_algs = '{rsa3072,rsa4096,p256,p384}',
       key_usage = 'critical,digitalSignature',
       ext_key_usage = 'codeSigning',
       subject_attrs = '{C,ST,L,O,CN}',
       subject_required = '{C,ST,L,O,CN}'
 WHERE kind = 'code_signing';
ALTER TABLE ra.profile ADD CONSTRAINT profile_codesign_csbr
    CHECK (kind <> 'code_signing' OR (
               policies = '2.23.140.1.4.1'
               AND ext_key_usage = 'codeSigning'
               AND key_usage = 'critical,digitalSignature'
               AND key_gen = 'csr'
               AND validity_months = 0 AND validity_days <= 460
               AND key_algs <@ '{rsa3072,rsa4096,p256,p384}'::text[]
               AND NOT 'OU' = ANY (subject_attrs)));

-- One live code-signing certificate per institution and CN (a renewal
-- keeps it), as request_cn_issue_once does for host names.
CREATE UNIQUE INDEX request_cn_codesign_once
    ON ra.request (institution_id, kind, lower(cn))
    WHERE action = 'issue' AND kind = 'code_signing'
      AND state IN ('queued', 'done');

GRANT SELECT ON ra.key_protection TO ra_officer, ra_desk, ra_worker;
GRANT SELECT (key_protection) ON ra.request TO ra_officer;

-- The desk's paper route (desk.cgi codesign-add) runs the upload rules as
-- the desk zone: a batch with its result, requests and their jobs; what
-- the rules read of earlier requests (key reuse, renewals pending).  The
-- desk submits code-signing applications only, and as nobody's officer:
-- restrictive policies say so, so the desk zone still cannot upload for
-- an institution's officers (t/12).
-- Of ra.batch the desk reads only what its own rows need (RETURNING,
-- the policies below): not the officers' result TSVs, which name people.
GRANT INSERT ON ra.batch TO ra_desk;
GRANT SELECT (batch_id, institution_id, officer_id, kind, action)
    ON ra.batch TO ra_desk;
GRANT UPDATE (result_tsv, rows_ok, rows_ng) ON ra.batch TO ra_desk;
GRANT INSERT ON ra.request, ra.job TO ra_desk;
GRANT SELECT (request_id, institution_id, officer_id, batch_id, seq, action,
              kind, profile_id, subject_dn, spki_sha256, target_cert_id,
              admin_name, admin_mail, state, cn, key_protection)
    ON ra.request TO ra_desk;

ALTER TABLE ra.batch ENABLE ROW LEVEL SECURITY;
CREATE POLICY batch_all ON ra.batch USING (true) WITH CHECK (true);
CREATE POLICY batch_desk_insert ON ra.batch AS RESTRICTIVE FOR INSERT
    TO ra_desk WITH CHECK (kind = 'code_signing' AND officer_id IS NULL);
CREATE POLICY batch_desk_update ON ra.batch AS RESTRICTIVE FOR UPDATE
    TO ra_desk USING (kind = 'code_signing' AND officer_id IS NULL);
CREATE POLICY request_desk_insert ON ra.request AS RESTRICTIVE FOR INSERT
    TO ra_desk WITH CHECK (kind = 'code_signing' AND officer_id IS NULL
                           AND action IN ('issue', 'renew'));
CREATE POLICY job_desk_insert ON ra.job AS RESTRICTIVE FOR INSERT
    TO ra_desk WITH CHECK (EXISTS (SELECT 1 FROM ra.request q
                                    WHERE q.request_id = job.request_id
                                      AND q.kind = 'code_signing'));

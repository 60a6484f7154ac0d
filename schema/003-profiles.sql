-- 003-profiles.sql: the certificate profiles, as data (reference §2.2, §5.3).
-- profile_id is TSV column 2.  Client 5/13/14 and S/MIME 7/15/16 are the
-- UPKI numbers; 1 is the RA-officer certificate (the 2023 notice); server
-- (21 RSA, 22 ECDSA) and code signing (31) are ours, since the originals
-- are not published.  A site changes or adds profiles with a migration.

INSERT INTO ra.profile (profile_id, kind, name_ja, name_en, validity_months, validity_days,
                        key_algs, key_gen, key_usage, ext_key_usage,
                        subject_attrs, subject_required) VALUES
    (1, 'ra_officer', '登録担当者用証明書 (25ヶ月)', 'RA officer certificate (25 months)',
        25, 0, '{rsa2048,rsa3072,rsa4096}', 'server',
        'critical,digitalSignature', 'clientAuth',
        '{C,ST,L,O,OU,CN}', '{C,O,L,CN}'),
    (5, 'client', 'クライアント証明書 (48ヶ月)', 'client certificate (48 months)',
        48, 0, '{rsa2048}', 'server',
        'critical,digitalSignature', 'clientAuth',
        '{C,ST,L,O,OU,CN}', '{C,O,CN}'),
    (13, 'client', 'クライアント証明書 (13ヶ月)', 'client certificate (13 months)',
        13, 0, '{rsa2048}', 'server',
        'critical,digitalSignature', 'clientAuth',
        '{C,ST,L,O,OU,CN}', '{C,O,CN}'),
    (14, 'client', 'クライアント証明書 (25ヶ月)', 'client certificate (25 months)',
        25, 0, '{rsa2048}', 'server',
        'critical,digitalSignature', 'clientAuth',
        '{C,ST,L,O,OU,CN}', '{C,O,CN}'),
    -- S/MIME from 2023-08-30: the subject is CN = the mail address only, and
    -- no client authentication (reference §2.1).
    (7, 'smime', 'S/MIME証明書 (823日)', 'S/MIME certificate (823 days)',
        0, 823, '{rsa2048}', 'server',
        'critical,digitalSignature,keyEncipherment', 'emailProtection',
        '{CN}', '{CN}'),
    (15, 'smime', 'S/MIME証明書 (13ヶ月)', 'S/MIME certificate (13 months)',
        13, 0, '{rsa2048}', 'server',
        'critical,digitalSignature,keyEncipherment', 'emailProtection',
        '{CN}', '{CN}'),
    (16, 'smime', 'S/MIME証明書 (25ヶ月)', 'S/MIME certificate (25 months)',
        25, 0, '{rsa2048}', 'server',
        'critical,digitalSignature,keyEncipherment', 'emailProtection',
        '{CN}', '{CN}'),
    -- Server: at most 198 days from 2026-03-15 (CA/B Forum SC-081).
    (21, 'server', 'サーバ証明書 (RSA)', 'server certificate (RSA)',
        0, 198, '{rsa2048,rsa3072,rsa4096}', 'csr',
        'critical,digitalSignature,keyEncipherment', 'serverAuth',
        '{C,ST,L,O,OU,CN}', '{C,ST,L,O,CN}'),
    (22, 'server', 'サーバ証明書 (ECDSA)', 'server certificate (ECDSA)',
        0, 198, '{p256,p384}', 'csr',
        'critical,digitalSignature', 'serverAuth',
        '{C,ST,L,O,OU,CN}', '{C,ST,L,O,CN}'),
    -- Code signing: at most 460 days (CA/B CSBR from 2026-03-01), RSA >= 3072.
    (31, 'code_signing', 'コード署名用証明書', 'code-signing certificate',
        0, 460, '{rsa3072,rsa4096,p256,p384}', 'csr',
        'critical,digitalSignature', 'codeSigning',
        '{C,ST,L,O,OU,CN}', '{C,ST,L,O,CN}');

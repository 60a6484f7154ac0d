-- 008-only-one.sql: the "only one" rules of an upload, decided by the
-- database, so that no race or double click can break them: two uploads
-- that pass every check at the same moment cannot both be queued.
--
-- 212: a host name is issued once per institution (a renewal keeps it).
-- The request carries its CN, so a request still queued holds the name
-- as firmly as a certificate already issued.
ALTER TABLE ra.request ADD COLUMN cn text CHECK (char_length(cn) <= 256);
UPDATE ra.request r SET cn = c.cn
  FROM ra.certificate c WHERE c.request_id = r.request_id;
UPDATE ra.request SET cn = substring(subject_dn FROM '(?:^|,)CN=([^,]*)')
 WHERE cn IS NULL AND subject_dn IS NOT NULL;
-- A database the race already hit has two live issues of one name; say
-- which, rather than fail in CREATE UNIQUE INDEX with no hint.
DO $$
DECLARE
    dup text;
BEGIN
    SELECT string_agg(format('%s (institution %s)', n, i), ', ') INTO dup
      FROM (SELECT lower(cn) AS n, institution_id AS i FROM ra.request
             WHERE action = 'issue' AND kind = 'server'
               AND state IN ('queued', 'done')
             GROUP BY 1, 2 HAVING count(*) > 1) d;
    IF dup IS NOT NULL THEN
        RAISE EXCEPTION 'host names issued more than once: %', dup
            USING HINT = 'revoke the extra certificates, set their requests to state ''cancelled'', then migrate again';
    END IF;
END
$$;
CREATE UNIQUE INDEX request_cn_issue_once
    ON ra.request (institution_id, kind, lower(cn))
    WHERE action = 'issue' AND kind = 'server' AND state IN ('queued', 'done');

-- 235: a certificate is renewed once (renew the newest one).
DROP INDEX ra.request_renew_queued;
CREATE UNIQUE INDEX request_renew_once ON ra.request (target_cert_id)
    WHERE action = 'renew' AND state IN ('queued', 'done');

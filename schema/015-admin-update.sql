-- 015-admin-update.sql: ⑤ 利用管理者情報 更新 (reference §2.6, §6).
--
-- The user administrator of a certificate is kept on the request row it
-- was issued from (admin_name, admin_mail, attrs->>'affiliation'); every
-- later mail (M10/M5 revocation, the retrieval URL, the client PIN mails,
-- M9's revocation TSV) reads it from there.  ⑤ changes that row in place,
-- so no reader has to know about the change, and keeps what it replaced in
-- ra.admin_change.  The officer zone gets no UPDATE on ra.request for it:
-- only ra.admin_update, which checks the officer's scope itself.

-- An update upload is a batch of no one certificate kind (server and
-- client rows share a file), so its kind is empty and its action 'update'.
ALTER TABLE ra.batch DROP CONSTRAINT batch_action_check;
ALTER TABLE ra.batch
    ALTER COLUMN kind DROP NOT NULL,
    ADD CONSTRAINT batch_action_check
        CHECK (action IN ('issue', 'renew', 'revoke', 'update')),
    ADD CONSTRAINT batch_update_kind
        CHECK ((action = 'update') = (kind IS NULL));

-- One row per change: the values before and after, who, from which upload.
CREATE TABLE ra.admin_change (
    change_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cert_id         bigint NOT NULL REFERENCES ra.certificate,
    request_id      bigint NOT NULL REFERENCES ra.request,
    officer_id      bigint NOT NULL REFERENCES ra.officer,
    batch_id        bigint NOT NULL REFERENCES ra.batch,
    old_name        text,
    old_affiliation text,
    old_mail        text,
    new_name        text NOT NULL CHECK (char_length(new_name) BETWEEN 1 AND 64),
    new_affiliation text NOT NULL CHECK (char_length(new_affiliation) BETWEEN 1 AND 64),
    new_mail        ra.mail_addr NOT NULL,
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX admin_change_cert ON ra.admin_change (cert_id, at);

-- Change the user administrator of certificate "cert" for officer
-- "officer", in upload "batch".  The officer must be active, hold ⑤
-- (interface 5) and belong to an active institution, as the screen
-- checks.  The certificate must be issued, live (neither revoked nor
-- expired), of the officer's institution and within their reach: a
-- server certificate under one of their domains, an S/MIME one whose
-- mailbox is, a client or code-signing one of the institution.  Returns
-- the old values and the audit detail; raises insufficient_privilege
-- otherwise (the C caller checked the same first, with the row's error
-- message: this is the database's own word).
CREATE FUNCTION ra.admin_update(officer bigint, cert bigint, batch bigint,
                                name text, affiliation text, mail text)
RETURNS TABLE (old_name text, old_affiliation text, old_mail text,
               detail text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    c   record;
    r   record;
BEGIN
    SELECT x.cert_id, x.request_id, x.kind, x.cn, x.serial::text AS serial,
           x.institution_id
      INTO c
      FROM ra.certificate x
      JOIN ra.officer o ON o.officer_id = officer AND o.status = 'active'
                       AND o.institution_id = x.institution_id
      JOIN ra.institution i ON i.institution_id = x.institution_id
                           AND i.status = 'active'
      JOIN ra.officer_permission p ON p.officer_id = officer
                                  AND p.interface = 5
     WHERE x.cert_id = cert AND x.state = 'issued'
       AND x.not_after > pg_catalog.now()
       AND x.kind IN ('server', 'client', 'smime', 'code_signing')
       AND NOT EXISTS (SELECT 1 FROM ra.revocation v WHERE v.cert_id = x.cert_id)
       AND (x.kind IN ('client', 'code_signing') OR EXISTS (
             SELECT 1
               FROM ra.officer_domain od
               JOIN ra.domain d ON d.domain_id = od.domain_id,
                    LATERAL (SELECT CASE x.kind
                        WHEN 'smime' THEN pg_catalog.split_part(
                            pg_catalog.lower(x.cn), '@', 2)
                        ELSE pg_catalog.lower(x.cn) END AS host) h
              WHERE od.officer_id = officer
                AND (h.host = d.name
                     OR pg_catalog.right(h.host, pg_catalog.length(d.name) + 1)
                        = '.' || d.name)))
       FOR UPDATE OF x;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'certificate % is not within officer %''s reach', cert, officer
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ra.batch b WHERE b.batch_id = batch
                    AND b.officer_id = officer AND b.action = 'update') THEN
        RAISE EXCEPTION 'batch % is not an update of officer %', batch, officer
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT q.admin_name, q.attrs->>'affiliation' AS affiliation,
           q.admin_mail::text AS admin_mail
      INTO r
      FROM ra.request q WHERE q.request_id = c.request_id
       FOR UPDATE;
    UPDATE ra.request q
       SET admin_name = name, admin_mail = mail::ra.mail_addr,
           attrs = q.attrs || pg_catalog.jsonb_build_object('affiliation', affiliation)
     WHERE q.request_id = c.request_id;
    INSERT INTO ra.admin_change (cert_id, request_id, officer_id, batch_id,
                                 old_name, old_affiliation, old_mail,
                                 new_name, new_affiliation, new_mail)
        VALUES (c.cert_id, c.request_id, officer, batch, r.admin_name,
                r.affiliation, r.admin_mail, name, affiliation, mail);
    old_name := coalesce(r.admin_name, '');
    old_affiliation := coalesce(r.affiliation, '');
    old_mail := coalesce(r.admin_mail, '');
    detail := pg_catalog.jsonb_build_object(
        'batch_id', batch, 'cert_id', c.cert_id, 'serial', c.serial,
        'kind', c.kind,
        'old', pg_catalog.jsonb_build_object('name', r.admin_name,
            'affiliation', r.affiliation, 'mail', r.admin_mail),
        'new', pg_catalog.jsonb_build_object('name', name,
            'affiliation', affiliation, 'mail', mail))::text;
    RETURN NEXT;
END
$$;
REVOKE ALL ON FUNCTION ra.admin_update(bigint, bigint, bigint, text, text, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.admin_update(bigint, bigint, bigint, text, text, text)
    TO ra_officer;

-- The history is the desk's to read (who changed whose administrator).
GRANT SELECT ON ra.admin_change TO ra_desk;

-- ⑤ is built: the menu links it.
UPDATE ra.interface SET screen = 'admin.cgi' WHERE interface = 5;

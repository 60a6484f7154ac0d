-- 034-acme-officer.sql: the RA officer's side of ACME (issue 15): the
-- ACME-use application upload (ACME利用情報作成申請, acme-app.cgi, ⑫),
-- the officer's list of the institution's applications, accounts, orders
-- and certificates with suspend / resume / close, and the user
-- administrator's one-time EAB retrieval URL (eabget.cgi, public zone).
--
-- The officer zone reads an application without its HMAC key (a
-- column-level grant: SELECT of eab_hmac is refused) and changes one only
-- through the functions below, which check the officer's reach
-- themselves: an active officer holding ⑫, of the application's
-- institution, every FQDN of it under one of the officer's domains.  The
-- public zone never reads ra.acme_application: ra.acme_eab_url_open uses
-- the URL up in the statement that hands out the key, so two visits (two
-- tabs, a double click, a mail scanner) show it at most once.

-- An application upload is a batch of server certificates' kind with its
-- own action, so ①'s result downloads never list it (upload.c).
ALTER TABLE ra.batch DROP CONSTRAINT batch_action_check;
ALTER TABLE ra.batch ADD CONSTRAINT batch_action_check
    CHECK (action IN ('issue', 'renew', 'revoke', 'update', 'acme'));

-- Closing is final, whoever updates the row.
CREATE FUNCTION ra.acme_application_final() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
    IF OLD.status = 'closed' AND NEW.status <> 'closed' THEN
        RAISE EXCEPTION 'ACME application % is closed', OLD.application_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER acme_application_final BEFORE UPDATE OF status
    ON ra.acme_application FOR EACH ROW
    EXECUTE FUNCTION ra.acme_application_final();

-- Whether FQDN "name" is a domain of officer "officer" or under one.
CREATE FUNCTION ra.acme_officer_name_ok(officer bigint, name text)
RETURNS boolean
LANGUAGE sql STABLE SET search_path = '' AS $$
    SELECT EXISTS (SELECT 1 FROM ra.officer_domain od
                     JOIN ra.domain d ON d.domain_id = od.domain_id
                    WHERE od.officer_id = acme_officer_name_ok.officer
                      AND (acme_officer_name_ok.name = d.name
                           OR pg_catalog.right(acme_officer_name_ok.name,
                                  pg_catalog.length(d.name) + 1)
                              = '.' || d.name))
$$;

-- Whether officer "officer" reaches application "app": active, holding
-- ⑫, of its institution, and every FQDN of it under the officer's domains.
CREATE FUNCTION ra.acme_officer_scope(officer bigint, app bigint)
RETURNS boolean
LANGUAGE sql STABLE SET search_path = '' AS $$
    SELECT EXISTS (
        SELECT 1 FROM ra.acme_application a
          JOIN ra.officer o ON o.institution_id = a.institution_id
          JOIN ra.officer_permission p ON p.officer_id = o.officer_id
                                      AND p.interface = 12
         WHERE a.application_id = acme_officer_scope.app
           AND o.officer_id = acme_officer_scope.officer
           AND o.status = 'active'
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(a.fqdns) f(name)
                            WHERE NOT ra.acme_officer_name_ok(o.officer_id,
                                                              f.name)))
$$;

-- One accepted row of an upload: the application, with the EAB key id
-- and HMAC key the caller drew (the officer's program forgets the key
-- once this returns; its role cannot read it back).  The row checks of
-- lib/upload-acme.c, again, as the database's word.
CREATE FUNCTION ra.acme_application_add(officer bigint, batch bigint,
    seq integer, admin_name text, admin_org text, admin_mail text,
    fqdns text[], profile integer, kid text, hmac bytea)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    inst bigint;
    id bigint;
    f text;
BEGIN
    SELECT o.institution_id INTO inst
      FROM ra.officer o
      JOIN ra.institution i ON i.institution_id = o.institution_id
      JOIN ra.officer_permission p ON p.officer_id = o.officer_id
                                  AND p.interface = 12
     WHERE o.officer_id = acme_application_add.officer
       AND o.status = 'active' AND i.status = 'active';
    IF inst IS NULL THEN
        RAISE EXCEPTION 'officer % may not make ACME applications', officer
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ra.batch b
                    WHERE b.batch_id = acme_application_add.batch
                      AND b.officer_id = acme_application_add.officer
                      AND b.action = 'acme'
                      AND b.created_at = pg_catalog.now()) THEN
        RAISE EXCEPTION 'batch % is not this upload', batch
            USING ERRCODE = 'check_violation';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ra.profile pr
                    WHERE pr.profile_id = acme_application_add.profile
                      AND pr.acme) THEN
        RAISE EXCEPTION 'profile % is not an ACME profile', profile
            USING ERRCODE = 'check_violation';
    END IF;
    FOREACH f IN ARRAY fqdns LOOP
        IF f IS NULL OR f <> pg_catalog.lower(f) OR f LIKE '%*%'
           OR NOT ra.acme_officer_name_ok(officer, f) THEN
            RAISE EXCEPTION 'FQDN % is not under the officer''s domains', f
                USING ERRCODE = 'check_violation';
        END IF;
    END LOOP;
    INSERT INTO ra.acme_application (institution_id, officer_id, batch_id,
           seq, admin_name, admin_org, admin_mail, fqdns, profile_id,
           eab_kid, eab_hmac)
    VALUES (inst, officer, batch, seq, admin_name, admin_org, admin_mail,
            fqdns, profile, kid, hmac)
    RETURNING application_id INTO id;
    RETURN id;
END
$$;

-- The one-time EAB URL of an application this transaction just made:
-- its token's hash, no officer (the one-live-URL-per-officer index is for
-- the officer's own URLs), a month as every retrieval URL.  Returns the
-- expiry as the mails write it.
CREATE FUNCTION ra.acme_eab_url_add(officer bigint, app bigint, sha bytea)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    inst bigint;
    until timestamptz;
BEGIN
    SELECT a.institution_id INTO inst FROM ra.acme_application a
     WHERE a.application_id = app AND a.officer_id = officer
       AND a.created_at = pg_catalog.now();
    IF inst IS NULL THEN
        RAISE EXCEPTION 'application % is not one this upload made', app
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO ra.access_token (purpose, token_sha256, institution_id,
           application_id, expires_at)
    VALUES ('acme_eab', sha, inst, app, pg_catalog.now() + interval '31 days')
    RETURNING expires_at INTO until;
    RETURN pg_catalog.to_char(until AT TIME ZONE 'Asia/Tokyo',
                              'YYYY-MM-DD HH24:MI');
END
$$;

-- Suspend, resume or close application "app" for officer "officer".
-- outcome: 'ok'; 'denied' (out of the officer's reach, or no such
-- application: the same word, so another institution's numbers say
-- nothing); 'closed' (closing is final); 'same' (already so).  Closing
-- revokes the account (RFC 8555 7.1.2 'revoked': the server refuses it).
CREATE FUNCTION ra.acme_app_set_status(officer bigint, app bigint, want text)
RETURNS TABLE (outcome text, old_status text, institution_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    cur text;
    inst bigint;
BEGIN
    IF want NOT IN ('active', 'suspended', 'closed') THEN
        RAISE EXCEPTION 'no ACME application status %', want
            USING ERRCODE = 'check_violation';
    END IF;
    IF NOT ra.acme_officer_scope(officer, app) THEN
        RETURN QUERY SELECT 'denied'::text, NULL::text, NULL::bigint;
        RETURN;
    END IF;
    SELECT a.status, a.institution_id INTO cur, inst
      FROM ra.acme_application a WHERE a.application_id = app FOR UPDATE;
    IF cur = 'closed' THEN
        RETURN QUERY SELECT 'closed'::text, cur, inst;
        RETURN;
    END IF;
    IF cur = want THEN
        RETURN QUERY SELECT 'same'::text, cur, inst;
        RETURN;
    END IF;
    UPDATE ra.acme_application a
       SET status = want, status_at = pg_catalog.now(), status_by = officer
     WHERE a.application_id = app;
    IF want = 'closed' THEN
        UPDATE ra.acme_account c
           SET status = 'revoked', updated_at = pg_catalog.now()
         WHERE c.application_id = app AND c.status <> 'revoked';
    END IF;
    RETURN QUERY SELECT 'ok'::text, cur, inst;
END
$$;

-- A fresh EAB for application "app" (acme-app.cgi reissue): only while no
-- account was made with the old one, since the key id is single use and
-- the account keeps its own key.  The old key and every old URL go; the
-- new URL, of hash "sha", comes with the new key.  outcome: 'ok';
-- 'denied' (out of reach, or no such application); 'closed'; 'account'.
CREATE FUNCTION ra.acme_eab_reissue(officer bigint, app bigint, kid text,
    hmac bytea, sha bytea)
RETURNS TABLE (outcome text, expires text, admin_name text, admin_org text,
               admin_mail text, fqdns text, institution_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    a record;
    until timestamptz;
BEGIN
    IF NOT ra.acme_officer_scope(officer, app) THEN
        RETURN QUERY SELECT 'denied'::text, NULL::text, NULL::text,
                            NULL::text, NULL::text, NULL::text, NULL::bigint;
        RETURN;
    END IF;
    SELECT x.status, x.eab_used_at, x.institution_id, x.admin_name,
           x.admin_org, x.admin_mail::text AS admin_mail,
           pg_catalog.array_to_string(x.fqdns, ' ') AS fqdns
      INTO a
      FROM ra.acme_application x WHERE x.application_id = app FOR UPDATE;
    IF a.status = 'closed' THEN
        RETURN QUERY SELECT 'closed'::text, NULL::text, NULL::text,
                            NULL::text, NULL::text, NULL::text,
                            a.institution_id;
        RETURN;
    END IF;
    IF a.eab_used_at IS NOT NULL OR EXISTS (SELECT 1 FROM ra.acme_account c
                                             WHERE c.application_id = app) THEN
        RETURN QUERY SELECT 'account'::text, NULL::text, NULL::text,
                            NULL::text, NULL::text, NULL::text,
                            a.institution_id;
        RETURN;
    END IF;
    UPDATE ra.acme_application x SET eab_kid = kid, eab_hmac = hmac
     WHERE x.application_id = app;
    UPDATE ra.access_token t SET used_at = pg_catalog.now()
     WHERE t.application_id = app AND t.purpose = 'acme_eab'
       AND t.used_at IS NULL;
    INSERT INTO ra.access_token (purpose, token_sha256, institution_id,
           application_id, expires_at)
    VALUES ('acme_eab', sha, a.institution_id, app,
            pg_catalog.now() + interval '31 days')
    RETURNING expires_at INTO until;
    RETURN QUERY SELECT 'ok'::text,
           pg_catalog.to_char(until AT TIME ZONE 'Asia/Tokyo',
                              'YYYY-MM-DD HH24:MI'),
           a.admin_name, a.admin_org, a.admin_mail, a.fqdns,
           a.institution_id;
END
$$;

-- eabget.cgi: the URL of token "tok" used up and its key handed out in
-- one statement; at most one caller ever gets shown = true.  Otherwise
-- state says why not ('used', 'expired', 'closed') with whom to ask; no
-- row: no such URL.
CREATE FUNCTION ra.acme_eab_url_open(tok text)
RETURNS TABLE (shown boolean, state text, eab_kid text, eab_hmac bytea,
               fqdns text[], admin_name text, officer_name text,
               officer_mail text, institution_ja text, institution_id bigint,
               application_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    sha bytea := pg_catalog.sha256(pg_catalog.convert_to(tok, 'UTF8'));
    tid bigint;
BEGIN
    UPDATE ra.access_token t SET used_at = pg_catalog.now()
      FROM ra.acme_application a
     WHERE t.token_sha256 = sha AND t.purpose = 'acme_eab'
       AND t.used_at IS NULL AND t.expires_at > pg_catalog.now()
       AND a.application_id = t.application_id AND a.status <> 'closed'
    RETURNING t.token_id INTO tid;
    RETURN QUERY
    SELECT tid IS NOT NULL,
           CASE WHEN tid IS NOT NULL THEN 'shown'
                WHEN a.status = 'closed' THEN 'closed'
                WHEN t.used_at IS NOT NULL THEN 'used'
                ELSE 'expired' END,
           CASE WHEN tid IS NOT NULL THEN a.eab_kid END,
           CASE WHEN tid IS NOT NULL THEN a.eab_hmac END,
           a.fqdns, a.admin_name, o.name_ja, o.mail::text, i.name_ja,
           a.institution_id, a.application_id
      FROM ra.access_token t
      JOIN ra.acme_application a ON a.application_id = t.application_id
      JOIN ra.officer o ON o.officer_id = a.officer_id
      JOIN ra.institution i ON i.institution_id = a.institution_id
     WHERE t.token_sha256 = sha AND t.purpose = 'acme_eab';
END
$$;

REVOKE ALL ON FUNCTION ra.acme_officer_name_ok(bigint, text),
    ra.acme_officer_scope(bigint, bigint),
    ra.acme_application_add(bigint, bigint, integer, text, text, text,
                            text[], integer, text, bytea),
    ra.acme_eab_url_add(bigint, bigint, bytea),
    ra.acme_app_set_status(bigint, bigint, text),
    ra.acme_eab_reissue(bigint, bigint, text, bytea, bytea),
    ra.acme_eab_url_open(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.acme_officer_name_ok(bigint, text),
    ra.acme_officer_scope(bigint, bigint),
    ra.acme_application_add(bigint, bigint, integer, text, text, text,
                            text[], integer, text, bytea),
    ra.acme_eab_url_add(bigint, bigint, bytea),
    ra.acme_app_set_status(bigint, bigint, text),
    ra.acme_eab_reissue(bigint, bigint, text, bytea, bytea) TO ra_officer;
GRANT EXECUTE ON FUNCTION ra.acme_eab_url_open(text) TO ra_public;

-- What the officer's list reads: the applications without the HMAC key,
-- the accounts without the key itself, the orders.  Certificates are
-- every zone's to read (011).  Which rows: ra.acme_officer_scope in
-- every query (lib/acme-app.c).
GRANT SELECT (application_id, institution_id, officer_id, batch_id, seq,
              admin_name, admin_org, admin_mail, fqdns, profile_id, eab_kid,
              eab_used_at, status, status_at, status_by, created_at)
    ON ra.acme_application TO ra_officer;
GRANT SELECT (account_id, application_id, jwk_sha256, contact, status,
              created_at, updated_at)
    ON ra.acme_account TO ra_officer;
GRANT SELECT ON ra.acme_order TO ra_officer;

-- The desk's resend of a failed mail (029) knows the EAB mail as one whose
-- one-time URL was dropped when it failed: resent, it would carry none.
-- The officer reissues the URL (ra.acme_eab_reissue) instead.
CREATE OR REPLACE FUNCTION ra.mail_resend(id bigint)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    m record;
BEGIN
    SELECT mail_id, template, state INTO m FROM ra.mail
     WHERE mail_id = id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 'no such mail';
    ELSIF m.state <> 'failed' THEN
        RETURN 'the mail is ' || m.state || ', not failed';
    ELSIF m.template IN ('client-cert-url', 'client-pin', 'codesign-cert-url',
                         'ra-cert-url', 'ra-renew-url', 'server-cert-url',
                         'acme-eab-url') THEN
        RETURN 'its one-time URL was dropped when it failed: reissue the URL';
    END IF;
    UPDATE ra.mail SET state = 'pending', attempts = 0, message = NULL,
           last_error = NULL, next_attempt_at = pg_catalog.now()
     WHERE mail_id = id;
    RETURN NULL;
END
$$;

-- ⑫ is built: the menu links it (031 named the screen already).
UPDATE ra.interface SET screen = 'acme-app.cgi' WHERE interface = 12;

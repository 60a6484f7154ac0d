-- 010-audit-role.sql: every audit row says which database role wrote it.
-- Any role allowed to append (ra_web, ra_worker, the owner) could write
-- any event and any actor; the chain then vouched for a forged row.  The
-- chaining trigger now stamps the session's real role into the row's
-- detail, where the hash covers it, whatever the writer put there.
CREATE OR REPLACE FUNCTION ra.audit_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    head ra.audit_head;
BEGIN
    NEW.detail := coalesce(NEW.detail, '{}'::jsonb) ||
        pg_catalog.jsonb_build_object('db_role', session_user::text);
    UPDATE ra.audit_head SET last_id = last_id + 1
        RETURNING * INTO head;          -- row lock held until commit
    NEW.audit_id := head.last_id;
    NEW.at := pg_catalog.clock_timestamp();
    NEW.prev_sha256 := head.last_sha256;
    NEW.row_sha256 := pg_catalog.sha256(head.last_sha256 ||
        pg_catalog.convert_to(ra.audit_canonical(NEW), 'UTF8'));
    UPDATE ra.audit_head SET last_sha256 = NEW.row_sha256;
    RETURN NEW;
END
$$;

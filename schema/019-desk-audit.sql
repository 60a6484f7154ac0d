-- 019-desk-audit.sql: the desk's audit says who did what, and what it
-- changed.  A desk operator is a certificate, shown and audited by its
-- SHA-256 fingerprint; one name belongs to one active operator, so two
-- people cannot hide behind one name.  What a desk action changes is
-- captured by triggers on the desk's tables, not described by the C code
-- that made the change: every column before and after, nothing forgotten.

-- Operators registered twice under one name before this migration keep
-- working, told apart by their number.
UPDATE ra.desk_operator d SET name = left(d.name, 50) || ' #' || d.operator_id
 WHERE d.active AND EXISTS (SELECT 1 FROM ra.desk_operator e
                             WHERE e.active AND e.name = d.name
                               AND e.operator_id < d.operator_id);
CREATE UNIQUE INDEX desk_operator_name_active ON ra.desk_operator (name)
    WHERE active;

-- unix_user: the login that runs desk.cgi from a shell on this operator's
-- behalf (sudo's SUDO_USER, or the real user), so shell actions name the
-- same operator and fingerprint as the screen's.
-- Operators deactivated by hand before this migration count as retired
-- when they were registered: the best date there is.
ALTER TABLE ra.desk_operator
    ADD COLUMN unix_user text
        CHECK (unix_user ~ '^[a-z_][a-z0-9_.-]{0,31}$'),
    ADD COLUMN retired_at timestamptz;
UPDATE ra.desk_operator SET retired_at = created_at WHERE NOT active;
ALTER TABLE ra.desk_operator
    ADD CONSTRAINT desk_operator_retired CHECK (active = (retired_at IS NULL));
-- A login acts for one active operator; once retired, it may be given
-- to their successor.
CREATE UNIQUE INDEX desk_operator_unix_active ON ra.desk_operator (unix_user)
    WHERE active;

-- Columns never copied into the audit: secrets and their hashes (a PIN's
-- hash is a brute-force target), and bookkeeping that changes with all.
CREATE FUNCTION ra.desk_change_row(r jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(pg_catalog.jsonb_object_agg(e.key, e.value), '{}')
      FROM pg_catalog.jsonb_each(r) e
     WHERE e.key NOT IN ('token_sha256', 'step_sha256', 'step_expires_at',
                         'pin_salt', 'pin_hash', 'pin_kdf', 'pin_cost',
                         'updated_at')
       AND e.key !~ '(seal|secret)'
$$;

-- One change of a desk table, appended to the transaction's list
-- (ra.changes, a transaction-local setting) that the action's audit row
-- takes (ra.desk_changes_take).  An UPDATE records only the columns that
-- changed, with the row's identifiers (*_id, code, name) to say which.
CREATE FUNCTION ra.desk_change_capture() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    o jsonb := CASE WHEN TG_OP <> 'INSERT' THEN ra.desk_change_row(pg_catalog.to_jsonb(OLD)) END;
    n jsonb := CASE WHEN TG_OP <> 'DELETE' THEN ra.desk_change_row(pg_catalog.to_jsonb(NEW)) END;
    c jsonb;
    k text;
    before jsonb := '{}';
    after jsonb := '{}';
    ids jsonb := '{}';
BEGIN
    IF TG_OP = 'UPDATE' THEN
        FOR k IN SELECT pg_catalog.jsonb_object_keys(n) LOOP
            IF k ~ '(_id|^code|^name)$' THEN
                ids := ids || pg_catalog.jsonb_build_object(k, o -> k);
            END IF;
            IF (o -> k) IS DISTINCT FROM (n -> k) THEN
                before := before || pg_catalog.jsonb_build_object(k, o -> k);
                after := after || pg_catalog.jsonb_build_object(k, n -> k);
            END IF;
        END LOOP;
        IF before = '{}' THEN
            RETURN NULL;            -- nothing that the audit keeps changed
        END IF;
        c := pg_catalog.jsonb_build_object('table', TG_TABLE_NAME,
            'op', 'update', 'key', ids, 'before', before, 'after', after);
    ELSIF TG_OP = 'INSERT' THEN
        c := pg_catalog.jsonb_build_object('table', TG_TABLE_NAME,
            'op', 'insert', 'after', n);
    ELSE
        c := pg_catalog.jsonb_build_object('table', TG_TABLE_NAME,
            'op', 'delete', 'before', o);
    END IF;
    PERFORM pg_catalog.set_config('ra.changes',
        (coalesce(nullif(pg_catalog.current_setting('ra.changes', true), ''),
                  '[]')::jsonb || pg_catalog.jsonb_build_array(c))::text, true);
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['institution', 'domain', 'domain_ou', 'officer',
                             'officer_domain', 'officer_permission',
                             'desk_operator', 'access_token'] LOOP
        EXECUTE pg_catalog.format('CREATE TRIGGER desk_change AFTER INSERT OR '
            'UPDATE OR DELETE ON ra.%I FOR EACH ROW '
            'WHEN (session_user = ''ra_desk'') '
            'EXECUTE FUNCTION ra.desk_change_capture()', t);
    END LOOP;
END
$$;

-- The detail of a desk audit row: what the action says of itself, who
-- did it, and what its transaction changed so far (then forgotten, so
-- the next action's row starts empty).
CREATE FUNCTION ra.desk_changes_take(detail jsonb, operator jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    c jsonb := coalesce(nullif(
        pg_catalog.current_setting('ra.changes', true), ''), '[]')::jsonb;
BEGIN
    PERFORM pg_catalog.set_config('ra.changes', '', true);
    RETURN coalesce(detail, '{}') ||
        pg_catalog.jsonb_build_object('operator', operator) ||
        CASE WHEN c = '[]' THEN '{}'
             ELSE pg_catalog.jsonb_build_object('changes', c) END;
END
$$;
REVOKE ALL ON FUNCTION ra.desk_changes_take(jsonb, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.desk_changes_take(jsonb, jsonb) TO ra_desk;

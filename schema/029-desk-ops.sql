-- 029-desk-ops.sql: what the desk's operations view reads, and its one
-- action.  The mail queue without the messages (they carry one-time
-- URLs and names), the work queue, the CRLs without their bytes, the
-- audit log for its chain check; a failed mail sent again through a
-- function, so the desk writes nothing else of the outbox.
GRANT SELECT (mail_id, template, recipients, state, attempts,
              next_attempt_at, last_error, sent_at, created_at)
    ON ra.mail TO ra_desk;
GRANT SELECT ON ra.job TO ra_desk;
GRANT SELECT (ca_id, crl_number, this_update, next_update, entries)
    ON ra.crl TO ra_desk;
GRANT SELECT ON ra.audit, ra.audit_head TO ra_desk;
GRANT SELECT (ca_id, requested_at, issued_at, not_after)
    ON ra.ocsp_signer TO ra_desk;

-- A failed mail back in the queue, due now, its attempts counted
-- afresh, rendered again from its data.  Not a mail that carried a
-- one-time URL: giving up dropped the URL (mail.c), and a mail without
-- it helps nobody; the desk reissues the URL instead, which mails anew.
-- Answers why not, or NULL when it is queued again.
CREATE FUNCTION ra.mail_resend(id bigint)
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
                         'ra-cert-url', 'ra-renew-url', 'server-cert-url') THEN
        RETURN 'its one-time URL was dropped when it failed: reissue the URL';
    END IF;
    UPDATE ra.mail SET state = 'pending', attempts = 0, message = NULL,
           last_error = NULL, next_attempt_at = pg_catalog.now()
     WHERE mail_id = id;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION ra.mail_resend(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.mail_resend(bigint) TO ra_desk;

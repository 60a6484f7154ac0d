-- 009-mailer.sql: mail delivery is a zone of its own.  ra_mailer (the
-- Unix user ra-mail, which holds the mail-signer key and no CA key) reads
-- and updates the outbox and nothing else; the web role no longer reads
-- the outbox at all, whose pending rows hold one-time URLs in clear.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'ra_mailer') THEN
        CREATE ROLE ra_mailer LOGIN;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA ra TO ra_mailer;
GRANT SELECT (mail_id, template, recipients, data, message, state, attempts,
              next_attempt_at)
    ON ra.mail TO ra_mailer;
GRANT UPDATE (data, message, state, attempts, next_attempt_at, last_error,
              sent_at)
    ON ra.mail TO ra_mailer;

-- Queueing a mail needs its id back (INSERT ... RETURNING), nothing more.
REVOKE SELECT ON ra.mail FROM ra_web;
GRANT SELECT (mail_id) ON ra.mail TO ra_web;

-- What was delivered before this migration keeps no URL or message either.
UPDATE ra.mail SET message = NULL, data = data - 'URL' WHERE state = 'sent';

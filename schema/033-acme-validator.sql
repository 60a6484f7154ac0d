-- 033-acme-validator.sql: the ACME http-01 challenge validator's grants
-- (acmeval.cgi, Unix user ra-acmeval, role ra_acmeval from 031), the
-- wake-up of a waiting validator, and the daily failure limit the ACME
-- server asks before it lets a challenge be validated or an order be made
-- (issue 15).
--
-- The validator reads what it validates (the challenge's token, the
-- authorization's identifier, the account key's thumbprint) and writes
-- the outcome: the challenge's status, error and claim, the
-- authorization's status, the order's status and error.  Nothing about
-- the application (its EAB HMAC key above all), the officer or anything
-- else.

GRANT SELECT (challenge_id, authz_id, type, token, status, requested_at,
              attempts, claimed_by, claimed_at, validated_at)
    ON ra.acme_challenge TO ra_acmeval;
GRANT UPDATE (status, attempts, claimed_by, claimed_at, validated_at, error)
    ON ra.acme_challenge TO ra_acmeval;
GRANT SELECT (authz_id, order_id, identifier, status, expires_at)
    ON ra.acme_authz TO ra_acmeval;
GRANT UPDATE (status) ON ra.acme_authz TO ra_acmeval;
GRANT SELECT (order_id, account_id, status, error) ON ra.acme_order TO ra_acmeval;
GRANT UPDATE (status, error, updated_at) ON ra.acme_order TO ra_acmeval;
GRANT SELECT (account_id, jwk_sha256) ON ra.acme_account TO ra_acmeval;
GRANT INSERT ON ra.audit TO ra_acmeval;

-- A challenge moved to 'processing' wakes the validators (LISTEN
-- ra_acme_challenge) at commit, whoever moved it; the ACME server's own
-- "NOTIFY ra_acme_challenge" in the same transaction is folded into this
-- one (same channel, same empty payload).
CREATE FUNCTION ra.acme_challenge_notify() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
    PERFORM pg_catalog.pg_notify('ra_acme_challenge', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER acme_challenge_notify
    AFTER INSERT OR UPDATE OF status ON ra.acme_challenge
    FOR EACH ROW WHEN (NEW.status = 'processing')
    EXECUTE FUNCTION ra.acme_challenge_notify();

-- Whether the account may start one more validation (or make an order)
-- today: its failed validations since the start of today in Japan
-- (ra.acme_failures_today) plus its challenges still being validated,
-- which may yet fail, stay below limit_per_day (Acme.FailedPerDay).
-- The account's row is locked FOR UPDATE until the caller's transaction
-- ends, so callers of one account take turns: call it in the
-- transaction that then moves the challenge to 'processing', and 25
-- answers at once of an account at 19 failures let one through.  Each
-- statement here sees what the caller before committed (plpgsql takes a
-- new snapshot per statement, and the lock waits for that commit).
-- An account that is not 'valid' may not.
CREATE FUNCTION ra.acme_may_validate(account bigint, limit_per_day integer)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    st text;
    pending bigint;
BEGIN
    SELECT a.status INTO st FROM ra.acme_account a
     WHERE a.account_id = acme_may_validate.account FOR UPDATE;
    IF NOT FOUND OR st <> 'valid' THEN
        RETURN false;
    END IF;
    SELECT pg_catalog.count(*) INTO pending
      FROM ra.acme_challenge ch
      JOIN ra.acme_authz az ON az.authz_id = ch.authz_id
      JOIN ra.acme_order o ON o.order_id = az.order_id
     WHERE o.account_id = acme_may_validate.account
       AND ch.status = 'processing';
    RETURN ra.acme_failures_today(acme_may_validate.account) + pending
        < acme_may_validate.limit_per_day;
END
$$;
REVOKE ALL ON FUNCTION ra.acme_may_validate(bigint, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.acme_may_validate(bigint, integer) TO ra_acme;

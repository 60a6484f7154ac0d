-- 020-ra-renewal.sql: the RA certificate's renewal done right (issue 12).
--
-- 1. The P12 password of an RA officer's retrieval URL (a new RA
--    certificate or a renewal) is made once, on the first view of the page
--    before 【発行】, and kept sealed under the URL's token (lib/seal.c): the
--    database keeps only the token's hash, so what it holds cannot be
--    opened at rest.  Every later view shows the same password, 【発行】
--    encrypts the key under it, whatever the form says, and it goes when
--    the URL is used up.

ALTER TABLE ra.access_token
    ADD COLUMN p12_sealed bytea CHECK (length(p12_sealed) BETWEEN 29 AND 300),
    ADD CONSTRAINT access_token_p12_sealed
        CHECK (p12_sealed IS NULL OR purpose IN ('ra_cert', 'ra_renew'));

-- A used-up URL keeps no password, whoever used it up (the download, a
-- newer URL, the desk).
CREATE FUNCTION ra.access_token_unseal() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
    NEW.p12_sealed := NULL;
    RETURN NEW;
END
$$;
CREATE TRIGGER access_token_unseal BEFORE UPDATE OF used_at ON ra.access_token
    FOR EACH ROW WHEN (NEW.used_at IS NOT NULL AND NEW.p12_sealed IS NOT NULL)
    EXECUTE FUNCTION ra.access_token_unseal();
REVOKE ALL ON FUNCTION ra.access_token_unseal() FROM PUBLIC;

-- The URL's sealed P12 password: "sealed" is kept if the URL has none
-- yet, and what the URL keeps comes back (NULL: none, or the URL is not
-- live).  One statement, under the row lock ra_url_open took: two views
-- at once keep one password.  Called with NULL it only reads.
CREATE FUNCTION ra.ra_url_pass_keep(tok text, sealed bytea)
RETURNS bytea
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
    UPDATE ra.access_token
       SET p12_sealed = coalesce(p12_sealed, sealed)
     WHERE token_sha256 = pg_catalog.sha256(pg_catalog.convert_to(tok, 'UTF8'))
       AND purpose IN ('ra_cert', 'ra_renew')
       AND used_at IS NULL AND locked_at IS NULL
       AND expires_at > pg_catalog.now()
    RETURNING p12_sealed
$$;
REVOKE ALL ON FUNCTION ra.ra_url_pass_keep(text, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.ra_url_pass_keep(text, bytea) TO ra_public;

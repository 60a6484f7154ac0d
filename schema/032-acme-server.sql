-- 032-acme-server.sql: the ACME server's zone (acme.cgi, role ra_acme;
-- issue 15 item 2): what it may read and write, column by column, and the
-- functions it answers with.  The model is 031.
--
-- ra_acme parses every JSON it is sent through ra.acme_json (no JSON
-- parser in C); it builds its JSON answers here too, so a status is
-- computed the same way whichever resource shows it.

-- JSON text to jsonb, NULL when it is not JSON: a hostile body is an
-- answer (malformed), never a failed statement.
CREATE FUNCTION ra.acme_json(t text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE SET search_path = '' AS $$
BEGIN
    RETURN t::jsonb;
EXCEPTION WHEN others THEN
    RETURN NULL;
END
$$;

-- RFC 3339 as clients parse it (certbot refuses PostgreSQL's text form).
CREATE FUNCTION ra.acme_time(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = '' AS $$
    SELECT pg_catalog.to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

-- A challenge object (RFC 8555 8).
CREATE FUNCTION ra.acme_chall_json(ch ra.acme_challenge, base text) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = '' AS $$
    SELECT pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
        'type', ch.type, 'url', base || '/chall/' || ch.challenge_id,
        'token', ch.token, 'status', ch.status,
        'validated', CASE WHEN ch.status = 'valid'
                          THEN ra.acme_time(ch.validated_at) END,
        'error', CASE WHEN ch.status = 'invalid' THEN ch.error END))
$$;

-- An authorization (RFC 8555 7.1.4), its status as clients know them:
-- an expired one is shown invalid (certbot knows no "expired").
CREATE FUNCTION ra.acme_authz_view(id bigint, base text)
RETURNS TABLE (account_id bigint, status text, j text)
LANGUAGE sql STABLE SET search_path = '' AS $$
    SELECT o.account_id, s.status,
           pg_catalog.jsonb_build_object(
             'identifier', pg_catalog.jsonb_build_object('type', 'dns',
                                                         'value', z.identifier),
             'status', s.status,
             'expires', ra.acme_time(z.expires_at),
             'challenges', coalesce((SELECT pg_catalog.jsonb_agg(
                   ra.acme_chall_json(ch, base) ORDER BY ch.challenge_id)
                  FROM ra.acme_challenge ch WHERE ch.authz_id = z.authz_id),
                 '[]'))::text
      FROM ra.acme_authz z
      JOIN ra.acme_order o ON o.order_id = z.order_id,
           LATERAL (SELECT CASE
               WHEN z.status = 'expired' THEN 'invalid'
               WHEN z.status = 'pending' AND z.expires_at <= ra.clock() THEN 'invalid'
               ELSE z.status END AS status) s
     WHERE z.authz_id = id
$$;

CREATE FUNCTION ra.acme_chall_view(id bigint, base text)
RETURNS TABLE (account_id bigint, authz_id bigint, status text, j text)
LANGUAGE sql STABLE SET search_path = '' AS $$
    SELECT o.account_id, z.authz_id, ch.status,
           ra.acme_chall_json(ch, base)::text
      FROM ra.acme_challenge ch
      JOIN ra.acme_authz z ON z.authz_id = ch.authz_id
      JOIN ra.acme_order o ON o.order_id = z.order_id
     WHERE ch.challenge_id = id
$$;

-- An order (RFC 8555 7.1.3), its status computed from the request
-- finalize queued (valid once its certificate is issued, invalid if it
-- failed) or else from its authorizations; "stored" is what the row
-- says, so the caller can keep the computed one.
CREATE FUNCTION ra.acme_order_view(id bigint, base text)
RETURNS TABLE (account_id bigint, status text, stored text, j text)
LANGUAGE sql STABLE SET search_path = '' AS $$
    SELECT o.account_id, s.status, o.status,
           pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
             'status', s.status,
             'expires', ra.acme_time(o.expires_at),
             'identifiers', (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                     'type', 'dns', 'value', u.i) ORDER BY u.n)
                  FROM pg_catalog.unnest(o.identifiers) WITH ORDINALITY AS u(i, n)),
             'authorizations', coalesce((SELECT pg_catalog.jsonb_agg(
                     base || '/authz/' || z.authz_id ORDER BY z.authz_id)
                  FROM ra.acme_authz z WHERE z.order_id = o.order_id), '[]'),
             'finalize', base || '/finalize/' || o.order_id,
             'certificate', CASE WHEN s.status = 'valid'
                                 THEN base || '/cert/' || q.cert_id END,
             'error', CASE WHEN s.status = 'invalid' THEN coalesce(o.error,
                 CASE WHEN q.state IN ('failed', 'cancelled') THEN
                     pg_catalog.jsonb_build_object(
                       'type', 'urn:ietf:params:acme:error:serverInternal',
                       'detail', 'the certificate was not issued: ' ||
                                 coalesce(q.error, q.state))
                 WHEN z.nbad > 0 THEN pg_catalog.jsonb_build_object(
                       'type', 'urn:ietf:params:acme:error:unauthorized',
                       'detail', 'an authorization of the order failed')
                 ELSE pg_catalog.jsonb_build_object(
                       'type', 'urn:ietf:params:acme:error:malformed',
                       'detail', 'the order expired') END) END))::text
      FROM ra.acme_order o
      LEFT JOIN LATERAL (SELECT r.state, r.error, c.cert_id, c.state AS cstate
                           FROM ra.request r
                           LEFT JOIN ra.certificate c ON c.request_id = r.request_id
                          WHERE r.request_id = o.request_id) q ON true
      CROSS JOIN LATERAL (SELECT pg_catalog.count(*) AS n,
               pg_catalog.count(*) FILTER (WHERE a.status = 'valid') AS nvalid,
               pg_catalog.count(*) FILTER (WHERE a.status IN
                   ('invalid', 'deactivated', 'revoked', 'expired')) AS nbad
                            FROM ra.acme_authz a WHERE a.order_id = o.order_id) z
      CROSS JOIN LATERAL (SELECT CASE
               WHEN o.request_id IS NOT NULL THEN CASE
                   WHEN q.cstate = 'issued' THEN 'valid'
                   WHEN q.state IN ('failed', 'cancelled') THEN 'invalid'
                   ELSE 'processing' END
               WHEN o.status = 'invalid' OR z.nbad > 0 THEN 'invalid'
               WHEN o.expires_at <= ra.clock() THEN 'invalid'
               WHEN z.n > 0 AND z.nvalid = z.n THEN 'ready'
               ELSE 'pending' END AS status) s
     WHERE o.order_id = id
$$;

REVOKE ALL ON FUNCTION ra.acme_json(text), ra.acme_time(timestamptz),
    ra.acme_chall_json(ra.acme_challenge, text),
    ra.acme_authz_view(bigint, text), ra.acme_chall_view(bigint, text),
    ra.acme_order_view(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.acme_json(text), ra.acme_time(timestamptz),
    ra.acme_chall_json(ra.acme_challenge, text),
    ra.acme_authz_view(bigint, text), ra.acme_chall_view(bigint, text),
    ra.acme_order_view(bigint, text) TO ra_acme;

-- The ACME tables.  The application: what binds an account and bounds
-- its orders, and the HMAC key that checks the binding (ra_acme reads
-- eab_hmac; no other web zone is granted it).  eab_used_at spends the key id.
GRANT SELECT (application_id, institution_id, officer_id, fqdns, profile_id,
              eab_kid, eab_hmac, eab_used_at, status, admin_name, admin_mail)
    ON ra.acme_application TO ra_acme;
GRANT UPDATE (eab_used_at) ON ra.acme_application TO ra_acme;
GRANT SELECT, INSERT (application_id, jwk_sha256, jwk, contact)
    ON ra.acme_account TO ra_acme;
GRANT UPDATE (jwk_sha256, jwk, contact, status, updated_at)
    ON ra.acme_account TO ra_acme;
GRANT SELECT, INSERT, DELETE ON ra.acme_nonce TO ra_acme;
GRANT SELECT, DELETE, INSERT (account_id, identifiers, expires_at)
    ON ra.acme_order TO ra_acme;
GRANT UPDATE (status, request_id, error, updated_at) ON ra.acme_order TO ra_acme;
GRANT SELECT, DELETE, INSERT (order_id, identifier, expires_at)
    ON ra.acme_authz TO ra_acme;
GRANT SELECT, DELETE, INSERT (authz_id, type, token)
    ON ra.acme_challenge TO ra_acme;
GRANT UPDATE (status, requested_at) ON ra.acme_challenge TO ra_acme;

-- The rest of ra it needs: the institution's subject and domains, the
-- catalogue, certificates (public documents) and their chains; a
-- finalized order is a request and a job like a TSV row's (lib/request.c);
-- revokeCert is the officer's revocation (lib/revoke.c), whose row lock
-- needs UPDATE on one column: retrieved_at, which the download sets.
GRANT SELECT (institution_id, name_en, st, l, status, usage_from, usage_until)
    ON ra.institution TO ra_acme;
GRANT SELECT (institution_id, name) ON ra.domain TO ra_acme;
GRANT SELECT ON ra.cert_kind, ra.profile, ra.ca, ra.certificate, ra.revocation
    TO ra_acme;
GRANT UPDATE (retrieved_at) ON ra.certificate TO ra_acme;
GRANT SELECT (request_id, institution_id, action, kind, cn, spki_sha256,
              target_cert_id, state, error, attrs)
    ON ra.request TO ra_acme;
GRANT INSERT (institution_id, officer_id, batch_id, seq, action, kind,
              profile_id, subject_der, subject_dn, san_dns, san_email, csr_der,
              spki_sha256, key_secret, target_cert_id, admin_name, admin_mail,
              user_name, user_mail, attrs, cn, download_method, p12_name,
              state, ou, key_protection)
    ON ra.request TO ra_acme;
GRANT UPDATE (attrs) ON ra.request TO ra_acme;
GRANT INSERT ON ra.job TO ra_acme;
GRANT INSERT ON ra.revocation, ra.audit TO ra_acme;

-- Its requests are server certificates from a CSR, issued or renewed;
-- it sees requests of server certificates only.  They name the
-- application's user administrator (for ②'s columns 13-15 and the
-- revocation mail) and no other; the worker sends no retrieval mail for a
-- request an order names, as the client fetches the certificate.
CREATE POLICY request_acme ON ra.request TO ra_acme
    USING (kind = 'server')
    WITH CHECK (kind = 'server' AND action IN ('issue', 'renew')
                AND key_secret IS NULL
                AND csr_der IS NOT NULL AND batch_id IS NULL
                AND (admin_mail IS NULL OR EXISTS (
                     SELECT 1 FROM ra.acme_application p
                      WHERE p.institution_id = request.institution_id
                        AND p.officer_id = request.officer_id
                        AND p.admin_mail = request.admin_mail
                        AND p.admin_name = request.admin_name)));
-- The worker tells an order's request from an upload's.
GRANT SELECT (order_id, request_id) ON ra.acme_order TO ra_worker;
CREATE POLICY job_acme ON ra.job FOR INSERT TO ra_acme
    WITH CHECK (EXISTS (SELECT 1 FROM ra.request q
                         WHERE q.request_id = job.request_id
                           AND q.kind = 'server'));

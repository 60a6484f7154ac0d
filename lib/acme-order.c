/*
 * acme-order.c: orders, authorizations, challenges, finalize (RFC 8555
 * 7.4, 7.5).  An order names DNS identifiers of its application only,
 * each still under a domain of the institution; it gets one
 * authorization and one http-01 challenge per name.  A challenge the
 * client answers goes to the validator (status processing, NOTIFY
 * ra_acme_challenge).  Finalize puts the CSR into the same queue as a
 * TSV row (lib/request.c), so the worker, its lint and the dated
 * validity decide what is signed; the objects' status is computed on
 * every read (schema/032: ra.acme_order_view) from the request and the
 * authorizations.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "ra.h"
#include "domain.h"
#include "acme.h"

#define IDENT_MAX	8

static const char SQL_IDENTS[] =
    "SELECT e->>'type' AS type, e->>'value' AS value,"
    "       pg_catalog.jsonb_typeof(e->'value') AS vt"
    "  FROM (SELECT ra.acme_json($1) AS p) v,"
    "       pg_catalog.jsonb_array_elements(CASE"
    "         WHEN pg_catalog.jsonb_typeof(p) = 'object'"
    "          AND pg_catalog.jsonb_typeof(p->'identifiers') = 'array'"
    "         THEN p->'identifiers' ELSE '[]' END) WITH ORDINALITY AS x(e, i)"
    " ORDER BY i";
static const char SQL_APP[] =
    "SELECT p.status AS app_status, a.status AS account_status,"
    "       ra.acme_failures_today(a.account_id) AS failures"
    "  FROM ra.acme_account a JOIN ra.acme_application p USING (application_id)"
    " WHERE a.account_id = $1::bigint";
/* Each name: of the application, and under a domain of the institution. */
static const char SQL_ALLOWED[] =
    "SELECT i AS name,"
    "       i = ANY (ARRAY(SELECT pg_catalog.lower(f) FROM pg_catalog.unnest(p.fqdns) f)) AS in_app,"
    "       EXISTS (SELECT 1 FROM ra.domain d"
    "                WHERE d.institution_id = p.institution_id"
    "                  AND (i = d.name OR pg_catalog.right(i,"
    "                       pg_catalog.length(d.name) + 1) = '.' || d.name))"
    "       AS in_domain"
    "  FROM ra.acme_account a JOIN ra.acme_application p USING (application_id),"
    "       pg_catalog.unnest($2::text[]) WITH ORDINALITY AS u(i, n)"
    " WHERE a.account_id = $1::bigint ORDER BY n";
static const char SQL_ORDER_ADD[] =
    "WITH o AS (INSERT INTO ra.acme_order (account_id, identifiers, expires_at)"
    "   VALUES ($1::bigint, $2::text[], ra.clock() +"
    "           pg_catalog.make_interval(hours => $4::integer))"
    "   RETURNING order_id, expires_at),"
    " z AS (INSERT INTO ra.acme_authz (order_id, identifier, expires_at)"
    "   SELECT o.order_id, u.i, o.expires_at"
    "     FROM o, pg_catalog.unnest($2::text[]) AS u(i)"
    "   RETURNING authz_id, identifier),"
    " c AS (INSERT INTO ra.acme_challenge (authz_id, type, token)"
    "   SELECT z.authz_id, 'http-01', t.tok"
    "     FROM z JOIN ROWS FROM (pg_catalog.unnest($2::text[]),"
    "                            pg_catalog.unnest($3::text[])) AS t(i, tok)"
    "       ON t.i = z.identifier"
    "   RETURNING 1)"
    " SELECT order_id, (SELECT pg_catalog.count(*) FROM c) AS challenges FROM o";
static const char SQL_ORDER_VIEW[] =
    "SELECT account_id, status, stored, j FROM ra.acme_order_view($1::bigint, $2)";
static const char SQL_ORDER_STATUS[] =
    "UPDATE ra.acme_order SET status = $2, updated_at = pg_catalog.now()"
    " WHERE order_id = $1::bigint AND status <> $2"
    "   AND ($2 NOT IN ('processing', 'valid') OR request_id IS NOT NULL)";
static const char SQL_AUTHZ_VIEW[] =
    "SELECT account_id, status, j FROM ra.acme_authz_view($1::bigint, $2)";
static const char SQL_CHALL_VIEW[] =
    "SELECT account_id, authz_id, status, j FROM ra.acme_chall_view($1::bigint, $2)";
static const char SQL_CHALL_ANSWER[] =
    "UPDATE ra.acme_challenge ch SET status = 'processing', requested_at = ra.clock()"
    "  FROM ra.acme_authz z JOIN ra.acme_order o USING (order_id)"
    " WHERE ch.challenge_id = $1::bigint AND ch.status = 'pending'"
    "   AND z.authz_id = ch.authz_id AND z.status = 'pending'"
    "   AND o.status = 'pending' AND o.expires_at > ra.clock()"
    " RETURNING 1";
static const char SQL_CHALL_NOTIFY[] =
    "SELECT pg_catalog.pg_notify('ra_acme_challenge', $1)";
static const char SQL_CSR[] =
    "SELECT p->>'csr' AS csr FROM (SELECT ra.acme_json($1) AS p) v"
    " WHERE pg_catalog.jsonb_typeof(p->'csr') = 'string'";
/* What finalize needs of the order, locked against a second finalize. */
static const char SQL_FINALIZE_LOCK[] =
    "SELECT o.identifiers::text AS identifiers, p.institution_id,"
    "       p.officer_id, p.profile_id, p.status AS app_status,"
    "       i.name_en, i.st, i.l, i.status = 'active'"
    "         AND CURRENT_DATE BETWEEN i.usage_from AND i.usage_until"
    "         AS inst_active"
    "  FROM ra.acme_order o"
    "  JOIN ra.acme_account a USING (account_id)"
    "  JOIN ra.acme_application p USING (application_id)"
    "  JOIN ra.institution i ON i.institution_id = p.institution_id"
    " WHERE o.order_id = $1::bigint AND o.request_id IS NULL"
    "   FOR UPDATE OF o";
static const char SQL_IDENT_LIST[] =
    "SELECT i FROM pg_catalog.unnest($1::text[]) WITH ORDINALITY AS u(i, n) ORDER BY n";
/*
 * A host name is issued once per institution and then renewed
 * (schema/008: request_cn_issue_once, request_renew_once): the newest
 * issued certificate of the name that no renewal took yet.
 */
static const char SQL_RENEW_TARGET[] =
    "SELECT c.cert_id FROM ra.certificate c"
    " WHERE c.institution_id = $1::bigint AND c.kind = 'server'"
    "   AND pg_catalog.lower(c.cn) = pg_catalog.lower($2) AND c.state = 'issued'"
    "   AND NOT EXISTS (SELECT 1 FROM ra.request r"
    "                    WHERE r.target_cert_id = c.cert_id AND r.action = 'renew'"
    "                      AND r.state IN ('waiting', 'queued', 'done'))"
    " ORDER BY c.cert_id DESC LIMIT 1";
static const char SQL_ISSUED_ONCE[] =
    "SELECT 1 FROM ra.request WHERE institution_id = $1::bigint"
    "   AND kind = 'server' AND action = 'issue'"
    "   AND pg_catalog.lower(cn) = pg_catalog.lower($2)"
    "   AND state IN ('queued', 'done')";
static const char SQL_REQUEST_TAG[] =
    "UPDATE ra.request SET attrs = attrs ||"
    "       pg_catalog.jsonb_build_object('acme_order', $2::bigint)"
    " WHERE request_id = $1::bigint";
static const char SQL_ORDER_QUEUED[] =
    "UPDATE ra.acme_order SET request_id = $2::bigint, status = 'processing',"
    "       updated_at = pg_catalog.now()"
    " WHERE order_id = $1::bigint";

static int
failures_max(const struct ra_conf *c)
{
	return ra_conf_int(c, "Acme.FailedPerDay", 20);
}

/* A DNS name as an identifier: LDH labels, a letter-led TLD, no wildcard. */
static int
dns_ok(const char *s)
{
	size_t		 n = strlen(s), label = 0, labels = 1;
	const char	*p, *last;

	if (n == 0 || n > 253 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (p = s; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-')
				return 0;
			label = 0;
			labels++;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-')
			return 0;
		if ((label == 0 && *p == '-') || ++label > 63)
			return 0;
	}
	last = strrchr(s, '.');
	return labels >= 2 && last != NULL && isalpha((unsigned char)last[1]);
}

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* The view row of an object the account owns; "*res" the caller's. */
static int
view(struct acme *a, const char *sql, const char *what, int64_t id,
    PGresult **res)
{
	int64_t		 owner = 0;
	enum ra_err	 er;

	*res = NULL;
	if ((er = ra_db_run(a->db, what, sql, res,
	    RA_ARGS(RA_INT(id), RA_TEXT(a->base)))) != RA_OK) {
		PQclear(*res);
		*res = NULL;
		return acme_fail(a, er);
	}
	if (PQntuples(*res) != 1 ||
	    ra_get_i64(*res, 0, "account_id", &owner) != RA_OK ||
	    owner != a->account_id) {
		PQclear(*res);
		*res = NULL;
		return acme_problem(a, ACME_P_NOTFOUND, "no %s %lld of this "
		    "account", what, (long long)id);
	}
	return 1;
}

/* The order object; its computed status kept. */
static int
order_answer(struct acme *a, int64_t id, int status)
{
	PGresult	*res = NULL;
	const char	*st;
	int		 ok;

	if (!view(a, SQL_ORDER_VIEW, "order", id, &res))
		return 0;
	st = ra_get_text(res, 0, "status");
	if (strcmp(st, ra_get_text(res, 0, "stored")) != 0)
		(void)ra_db_run(a->db, "order status", SQL_ORDER_STATUS, NULL,
		    RA_ARGS(RA_INT(id), RA_TEXT(st)));
	if (strcmp(st, "processing") == 0 || strcmp(st, "pending") == 0)
		a->retry_after = 1;
	ok = acme_answer(a, status, ra_get_text(res, 0, "j"));
	PQclear(res);
	free(a->location);
	a->location = NULL;
	/* Location on 201 only: Apache makes a CGI's 200 with one a 302. */
	if (ok && status == 201 &&
	    (a->location = acme_url(a, "/order/", id)) == NULL)
		return acme_problem(a, ACME_P_INTERNAL, "out of memory");
	return ok;
}

/* The identifiers of the payload, checked and lower-cased, into "arr". */
static int
identifiers(struct acme *a, struct ra_pgarr *arr)
{
	PGresult	*res = NULL;
	char		 name[256], seen[IDENT_MAX][256];
	int		 i, k, n = 0, ok = 0;

	if (ra_db_run(a->db, "identifiers", SQL_IDENTS, &res,
	    RA_ARGS(RA_TEXT(a->payload))) != RA_OK) {
		PQclear(res);
		return acme_problem(a, ACME_P_MALFORMED, "the payload is not "
		    "JSON");
	}
	if (PQntuples(res) == 0) {
		ok = acme_problem(a, ACME_P_MALFORMED, "identifiers: an array "
		    "of at least one {type, value}");
		goto out;
	}
	for (i = 0; i < PQntuples(res); i++) {
		const char	*type = ra_get_text(res, i, "type");
		const char	*value = ra_get_text(res, i, "value");

		if (PQgetisnull(res, i, PQfnumber(res, "vt")) ||
		    strcmp(ra_get_text(res, i, "vt"), "string") != 0) {
			ok = acme_problem(a, ACME_P_MALFORMED, "identifier %d has "
			    "no string value", i + 1);
			goto out;
		}
		if (strcmp(type, "dns") != 0) {
			ok = acme_problem(a, ACME_P_REJECTEDID, "identifier type "
			    "%.32s is not taken; only dns", type);
			goto out;
		}
		snprintf(name, sizeof(name), "%s", value);
		lower(name);
		if (strlen(value) >= sizeof(name) || !dns_ok(name)) {
			ok = acme_problem(a, ACME_P_REJECTEDID, "%.253s is not a "
			    "host name (no wildcards, no addresses)", value);
			goto out;
		}
		for (k = 0; k < n; k++)
			if (strcmp(seen[k], name) == 0)
				break;
		if (k < n)
			continue;
		if (n == IDENT_MAX) {
			ok = acme_problem(a, ACME_P_REJECTEDID, "at most %d names "
			    "per order (the CN included)", IDENT_MAX);
			goto out;
		}
		snprintf(seen[n++], sizeof(seen[0]), "%s", name);
		if (!ra_pgarr_add(arr, name)) {
			ok = acme_problem(a, ACME_P_INTERNAL, "out of memory");
			goto out;
		}
	}
	ok = 1;
out:
	PQclear(res);
	return ok;
}

/* The application active, the account valid, the day's failures below the limit. */
static int
may_order(struct acme *a)
{
	PGresult	*res = NULL;
	int64_t		 failures = 0;
	int		 ok = 0;
	enum ra_err	 er;

	if ((er = ra_db_run1(a->db, "application", SQL_APP, &res,
	    RA_ARGS(RA_INT(a->account_id)))) != RA_OK) {
		PQclear(res);
		return acme_fail(a, er);
	}
	(void)ra_get_i64(res, 0, "failures", &failures);
	if (strcmp(ra_get_text(res, 0, "app_status"), "active") != 0)
		ok = acme_problem(a, ACME_P_UNAUTHORIZED, "the ACME application "
		    "of this account is %s", ra_get_text(res, 0, "app_status"));
	else if (strcmp(ra_get_text(res, 0, "account_status"), "valid") != 0)
		ok = acme_problem(a, ACME_P_UNAUTHORIZED, "the account is %s",
		    ra_get_text(res, 0, "account_status"));
	else if (failures >= failures_max(a->conf))
		ok = acme_problem(a, ACME_P_RATELIMITED, "%lld failed "
		    "validations today; orders are refused until tomorrow "
		    "(Asia/Tokyo)", (long long)failures);
	else
		ok = 1;
	PQclear(res);
	return ok;
}

/* newOrder (RFC 8555 7.4). */
int
acme_new_order(struct acme *a)
{
	struct ra_pgarr	 names = { 0 }, tokens = { 0 };
	PGresult	*res = NULL;
	unsigned char	 raw[32];
	char		*tok;
	const char	*lit;
	int64_t		 id = 0;
	int		 i, ok = 0, hours;
	enum ra_err	 er;

	if (!acme_jws(a, ACME_KID) || !identifiers(a, &names) || !may_order(a))
		goto out;
	if ((lit = ra_pgarr_str(&names)) == NULL) {
		ok = acme_problem(a, ACME_P_INTERNAL, "out of memory");
		goto out;
	}
	if ((er = ra_db_run(a->db, "allowed names", SQL_ALLOWED, &res,
	    RA_ARGS(RA_INT(a->account_id), RA_TEXT(lit)))) != RA_OK) {
		ok = acme_fail(a, er);
		goto out;
	}
	for (i = 0; i < PQntuples(res); i++) {
		if (strcmp(ra_get_text(res, i, "in_app"), "t") != 0) {
			ok = acme_problem(a, ACME_P_REJECTEDID, "%s is not a host "
			    "name of this account's application",
			    ra_get_text(res, i, "name"));
			goto out;
		}
		if (strcmp(ra_get_text(res, i, "in_domain"), "t") != 0) {
			ok = acme_problem(a, ACME_P_REJECTEDID, "%s is no longer "
			    "under a domain of the institution",
			    ra_get_text(res, i, "name"));
			goto out;
		}
		if (RAND_bytes(raw, sizeof(raw)) != 1 ||
		    (tok = acme_b64u_encode(raw, sizeof(raw))) == NULL) {
			ok = acme_problem(a, ACME_P_INTERNAL, "no token");
			goto out;
		}
		if (!ra_pgarr_add(&tokens, tok)) {
			free(tok);
			ok = acme_problem(a, ACME_P_INTERNAL, "out of memory");
			goto out;
		}
		free(tok);
	}
	PQclear(res);
	res = NULL;
	hours = ra_conf_int(a->conf, "Acme.OrderHours", 24);
	if (hours < 1)
		hours = 1;
	if ((lit = ra_pgarr_str(&names)) == NULL ||
	    ra_pgarr_str(&tokens) == NULL) {
		ok = acme_problem(a, ACME_P_INTERNAL, "out of memory");
		goto out;
	}
	if ((er = ra_db_begin(a->db)) != RA_OK ||
	    (er = ra_db_run1(a->db, "order add", SQL_ORDER_ADD, &res,
	    RA_ARGS(RA_INT(a->account_id), RA_TEXT(lit),
	    RA_TEXT(ra_pgarr_str(&tokens)), RA_INT(hours)))) != RA_OK ||
	    (er = ra_get_i64(res, 0, "order_id", &id)) != RA_OK) {
		ok = acme_fail(a, er);
		goto out;
	}
	acme_audit(a, "acme.order.new", "ok", NULL, lit);
	if ((er = ra_db_commit(a->db)) != RA_OK) {
		ok = acme_fail(a, er);
		goto out;
	}
	ok = order_answer(a, id, 201);
out:
	PQclear(res);
	ra_pgarr_free(&names);
	ra_pgarr_free(&tokens);
	return ok;
}

/* POST-as-GET /order/ID. */
int
acme_order(struct acme *a, int64_t id)
{
	if (!acme_jws(a, ACME_KID))
		return 0;
	if (!acme_payload_empty(a))
		return acme_problem(a, ACME_P_MALFORMED, "an order is fetched by "
		    "POST-as-GET (an empty payload)");
	return order_answer(a, id, 200);
}

/* POST-as-GET /authz/ID (deactivation is not offered). */
int
acme_authz(struct acme *a, int64_t id)
{
	PGresult	*res = NULL;
	int		 ok;

	if (!acme_jws(a, ACME_KID))
		return 0;
	if (!acme_payload_empty(a))
		return acme_problem(a, ACME_P_MALFORMED, "an authorization is "
		    "fetched by POST-as-GET; it cannot be changed here");
	if (!view(a, SQL_AUTHZ_VIEW, "authorization", id, &res))
		return 0;
	if (strcmp(ra_get_text(res, 0, "status"), "pending") == 0)
		a->retry_after = 1;
	ok = acme_answer(a, 200, ra_get_text(res, 0, "j"));
	PQclear(res);
	return ok;
}

/* POST /chall/ID: {} asks for validation, an empty payload shows it. */
int
acme_challenge(struct acme *a, int64_t id)
{
	PGresult	*res = NULL, *upd = NULL;
	int64_t		 authz = 0;
	char		 idtxt[24];
	int		 ok = 0;
	enum ra_err	 er;

	if (!acme_jws(a, ACME_KID) || !view(a, SQL_CHALL_VIEW, "challenge", id,
	    &res))
		goto out;
	(void)ra_get_i64(res, 0, "authz_id", &authz);
	if (!acme_payload_empty(a) &&
	    strcmp(ra_get_text(res, 0, "status"), "pending") == 0) {
		if (!may_order(a))
			goto out;
		if ((er = ra_db_run(a->db, "challenge answer", SQL_CHALL_ANSWER,
		    &upd, RA_ARGS(RA_INT(id)))) != RA_OK) {
			ok = acme_fail(a, er);
			goto out;
		}
		if (PQntuples(upd) == 1) {
			snprintf(idtxt, sizeof(idtxt), "%lld", (long long)id);
			(void)ra_db_run(a->db, "notify validator",
			    SQL_CHALL_NOTIFY, NULL, RA_ARGS(RA_TEXT(idtxt)));
			acme_audit(a, "acme.challenge", "ok", NULL, idtxt);
		}
		PQclear(res);
		res = NULL;
		if (!view(a, SQL_CHALL_VIEW, "challenge", id, &res))
			goto out;
	}
	if ((a->link_up = acme_url(a, "/authz/", authz)) == NULL) {
		ok = acme_problem(a, ACME_P_INTERNAL, "out of memory");
		goto out;
	}
	a->retry_after = 1;
	ok = acme_answer(a, 200, ra_get_text(res, 0, "j"));
out:
	PQclear(res);
	PQclear(upd);
	return ok;
}

/* Add "name" (lower-cased) to the set "set" of "*n"; 0 if full. */
static int
set_add(char set[][256], int *n, const char *name)
{
	char	 v[256];
	int	 k;

	snprintf(v, sizeof(v), "%s", name);
	lower(v);
	for (k = 0; k < *n; k++)
		if (strcmp(set[k], v) == 0)
			return 1;
	if (*n >= IDENT_MAX + 1 || strlen(name) >= sizeof(v))
		return 0;
	snprintf(set[(*n)++], 256, "%s", v);
	return 1;
}

static int
set_has(char set[][256], int n, const char *v)
{
	int	 k;

	for (k = 0; k < n; k++)
		if (strcasecmp(set[k], v) == 0)
			return 1;
	return 0;
}

/*
 * The CSR's names (its CN, if any, and its dNSNames) as the order's
 * identifiers, as sets.  "*cn" the CN to certify (the CSR's or the
 * first identifier).  0 with badCSR set.
 */
static int
csr_names(struct acme *a, X509_REQ *csr, char ids[][256], int nids,
    char *cn, size_t cnsz)
{
	STACK_OF(X509_EXTENSION)	*exts = NULL;
	GENERAL_NAMES			*gens = NULL;
	GENERAL_NAME			*g;
	char				 got[IDENT_MAX + 1][256], *s = NULL;
	unsigned char			*u;
	int				 n = 0, i, ok = 0, len;

	if ((s = ra_dn_get(X509_REQ_get_subject_name(csr), NID_commonName)) !=
	    NULL) {
		if (!set_add(got, &n, s)) {
			ok = acme_problem(a, ACME_P_BADCSR, "the CSR's CN is too "
			    "long");
			goto out;
		}
		snprintf(cn, cnsz, "%.255s", got[0]);
	} else
		snprintf(cn, cnsz, "%.255s", ids[0]);
	exts = X509_REQ_get_extensions(csr);
	gens = exts != NULL ? X509V3_get_d2i(exts, NID_subject_alt_name, NULL,
	    NULL) : NULL;
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != GEN_DNS) {
			ok = acme_problem(a, ACME_P_BADCSR, "the CSR names "
			    "something other than DNS names in its SAN");
			goto out;
		}
		len = ASN1_STRING_length(g->d.dNSName);
		u = (unsigned char *)ASN1_STRING_get0_data(g->d.dNSName);
		if (len <= 0 || len > 253 || memchr(u, '\0', (size_t)len) != NULL) {
			ok = acme_problem(a, ACME_P_BADCSR, "a dNSName of the CSR "
			    "is empty or not text");
			goto out;
		}
		{
			char	 v[256];

			snprintf(v, sizeof(v), "%.*s", len, (const char *)u);
			if (!set_add(got, &n, v)) {
				ok = acme_problem(a, ACME_P_BADCSR, "the CSR has "
				    "more names than the order");
				goto out;
			}
		}
	}
	for (i = 0; i < n; i++)
		if (!set_has(ids, nids, got[i])) {
			ok = acme_problem(a, ACME_P_BADCSR, "the CSR names %s, "
			    "which the order does not", got[i]);
			goto out;
		}
	for (i = 0; i < nids; i++)
		if (!set_has(got, n, ids[i])) {
			ok = acme_problem(a, ACME_P_BADCSR, "the CSR lacks %s, "
			    "which the order names", ids[i]);
			goto out;
		}
	ok = 1;
out:
	free(s);
	GENERAL_NAMES_free(gens);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return ok;
}

/* C=JP, ST, L, O of the institution, CN: the subject ra certifies. */
static X509_NAME *
subject(const PGresult *res, const char *cn)
{
	X509_NAME	*name;

	if ((name = X509_NAME_new()) == NULL)
		return NULL;
	if (!X509_NAME_add_entry_by_NID(name, NID_countryName, MBSTRING_UTF8,
	    (const unsigned char *)"JP", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_NID(name, NID_stateOrProvinceName,
	    MBSTRING_UTF8, (const unsigned char *)ra_get_text(res, 0, "st"),
	    -1, -1, 0) ||
	    !X509_NAME_add_entry_by_NID(name, NID_localityName, MBSTRING_UTF8,
	    (const unsigned char *)ra_get_text(res, 0, "l"), -1, -1, 0) ||
	    !X509_NAME_add_entry_by_NID(name, NID_organizationName,
	    MBSTRING_UTF8, (const unsigned char *)ra_get_text(res, 0,
	    "name_en"), -1, -1, 0) ||
	    !X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0)) {
		X509_NAME_free(name);
		return NULL;
	}
	return name;
}

/* The CSR of the payload, decoded and its signature checked. */
static int
finalize_csr(struct acme *a, X509_REQ **csr, unsigned char **der,
    size_t *derlen)
{
	PGresult	*res = NULL;
	const char	*b64;
	char		 why[256];
	int		 ok = 0;

	*csr = NULL;
	*der = NULL;
	if (ra_db_run(a->db, "csr", SQL_CSR, &res,
	    RA_ARGS(RA_TEXT(a->payload))) != RA_OK || PQntuples(res) != 1) {
		ok = acme_problem(a, ACME_P_MALFORMED, "the payload has no csr");
		goto out;
	}
	b64 = ra_get_text(res, 0, "csr");
	if (acme_b64u_decode(b64, strlen(b64), der, derlen) != RA_OK ||
	    *derlen == 0 || (*der)[0] != 0x30) {
		ok = acme_problem(a, ACME_P_BADCSR, "csr is not base64url DER");
		goto out;
	}
	if (ra_csr_parse(*der, *derlen, csr, why, sizeof(why)) != RA_OK) {
		ok = acme_problem(a, ACME_P_BADCSR, "%s", why);
		goto out;
	}
	ok = 1;
out:
	PQclear(res);
	return ok;
}

/* Issue or renew: the target of a renewal, 0 for an issue, -1 refused. */
static int
renew_target(struct acme *a, int64_t inst, const char *cn, int64_t *target)
{
	PGresult	*res = NULL;
	enum ra_err	 er;
	int		 ok = 0;

	*target = 0;
	if ((er = ra_db_run(a->db, "renew target", SQL_RENEW_TARGET, &res,
	    RA_ARGS(RA_INT(inst), RA_TEXT(cn)))) != RA_OK)
		return acme_fail(a, er);
	if (PQntuples(res) == 1) {
		ok = ra_get_i64(res, 0, "cert_id", target) == RA_OK ? 1 :
		    acme_fail(a, RA_EDB);
		PQclear(res);
		return ok;
	}
	PQclear(res);
	res = NULL;
	if ((er = ra_db_run(a->db, "issued once", SQL_ISSUED_ONCE, &res,
	    RA_ARGS(RA_INT(inst), RA_TEXT(cn)))) != RA_OK)
		return acme_fail(a, er);
	ok = PQntuples(res) == 0 ? 1 : acme_problem(a, ACME_P_RATELIMITED,
	    "a certificate for %s is being issued now; try again shortly", cn);
	PQclear(res);
	return ok;
}

/* Queue the request of a checked CSR, inside the open transaction. */
static int
finalize_queue(struct acme *a, int64_t order, const PGresult *lk,
    X509_REQ *csr, const unsigned char *der, size_t derlen, const char *cn,
    const char *sans)
{
	struct ra_newreq	 rq;
	struct ra_profile	 prof;
	X509_NAME		*name = NULL;
	int64_t			 inst = 0, officer = 0, target = 0, rid = 0;
	int			 pid = 0, ok = 0;
	char			 why[256];
	enum ra_err		 er;

	(void)ra_get_i64(lk, 0, "institution_id", &inst);
	(void)ra_get_i64(lk, 0, "officer_id", &officer);
	(void)ra_get_int(lk, 0, "profile_id", &pid);
	if (ra_profile_load(a->db, pid, &prof) != RA_OK || !prof.active ||
	    strcmp(prof.kind, "server") != 0)
		return acme_problem(a, ACME_P_INTERNAL, "the application's "
		    "profile %d is not a server profile in use", pid);
	if (ra_profile_check_key(&prof, X509_REQ_get0_pubkey(csr), why,
	    sizeof(why)) != RA_OK)
		return acme_problem(a, ACME_P_BADCSR, "%s", why);
	if (!renew_target(a, inst, cn, &target))
		return 0;
	if ((name = subject(lk, cn)) == NULL)
		return acme_problem(a, ACME_P_INTERNAL, "the subject");
	memset(&rq, 0, sizeof(rq));
	rq.institution_id = inst;
	rq.officer_id = officer;
	rq.profile_id = prof.id;
	rq.profile = &prof;
	rq.subject = name;
	rq.san_dns = sans;
	rq.csr = der;
	rq.csrlen = derlen;
	rq.csr_parsed = csr;
	rq.target_cert_id = target;
	er = ra_request_add(a->db, &rq, &rid, why, sizeof(why));
	if (er == RA_EDUP)
		ok = acme_problem(a, ACME_P_RATELIMITED, "%s; try again shortly",
		    why);
	else if (er == RA_EINPUT || er == RA_EPOLICY)
		ok = acme_problem(a, ACME_P_BADCSR, "%s", why);
	else if (er != RA_OK)
		ok = acme_fail(a, er);
	else if ((er = ra_db_run(a->db, "request tag", SQL_REQUEST_TAG, NULL,
	    RA_ARGS(RA_INT(rid), RA_INT(order)))) != RA_OK ||
	    (er = ra_db_run(a->db, "order queued", SQL_ORDER_QUEUED, NULL,
	    RA_ARGS(RA_INT(order), RA_INT(rid)))) != RA_OK ||
	    (er = ra_queue_notify(a->db)) != RA_OK)
		ok = acme_fail(a, er);
	else {
		snprintf(why, sizeof(why), "request %lld (%s %.200s)", (long long)rid,
		    target != 0 ? "renew" : "issue", cn);
		acme_audit(a, "acme.finalize", "ok", NULL, why);
		ok = 1;
	}
	X509_NAME_free(name);
	return ok;
}

/* finalize (RFC 8555 7.4): the order ready, the CSR its names, queued. */
int
acme_finalize(struct acme *a, int64_t id)
{
	PGresult	*res = NULL, *lk = NULL, *il = NULL;
	X509_REQ	*csr = NULL;
	unsigned char	*der = NULL;
	size_t		 derlen = 0;
	char		 ids[IDENT_MAX][256], cn[256], sans[IDENT_MAX * 256];
	int		 nids = 0, i, ok = 0;
	enum ra_err	 er;

	if (!acme_jws(a, ACME_KID) || !view(a, SQL_ORDER_VIEW, "order", id,
	    &res))
		goto out;
	if (strcmp(ra_get_text(res, 0, "status"), "ready") != 0) {
		ok = acme_problem(a, ACME_P_NOTREADY, "the order is %s, not "
		    "ready", ra_get_text(res, 0, "status"));
		goto out;
	}
	if (!finalize_csr(a, &csr, &der, &derlen))
		goto out;
	if ((er = ra_db_begin(a->db)) != RA_OK ||
	    (er = ra_db_run(a->db, "finalize", SQL_FINALIZE_LOCK, &lk,
	    RA_ARGS(RA_INT(id)))) != RA_OK) {
		ok = acme_fail(a, er);
		goto out;
	}
	if (PQntuples(lk) != 1) {
		ok = acme_problem(a, ACME_P_NOTREADY, "the order is finalized "
		    "already");
		goto out;
	}
	if (strcmp(ra_get_text(lk, 0, "app_status"), "active") != 0 ||
	    strcmp(ra_get_text(lk, 0, "inst_active"), "t") != 0) {
		ok = acme_problem(a, ACME_P_UNAUTHORIZED, "the application or "
		    "its institution is not active");
		goto out;
	}
	if ((er = ra_db_run(a->db, "identifiers", SQL_IDENT_LIST, &il,
	    RA_ARGS(RA_TEXT(ra_get_text(lk, 0, "identifiers"))))) != RA_OK) {
		ok = acme_fail(a, er);
		goto out;
	}
	*sans = '\0';
	for (i = 0; i < PQntuples(il) && nids < IDENT_MAX; i++) {
		snprintf(ids[nids++], sizeof(ids[0]), "%s", PQgetvalue(il, i, 0));
		if (strlen(sans) + strlen(PQgetvalue(il, i, 0)) + 2 < sizeof(sans))
			snprintf(sans + strlen(sans), sizeof(sans) - strlen(sans),
			    "%s%s", i > 0 ? "," : "", PQgetvalue(il, i, 0));
	}
	if (nids == 0 || !csr_names(a, csr, ids, nids, cn, sizeof(cn)) ||
	    !finalize_queue(a, id, lk, csr, der, derlen, cn, sans))
		goto out;
	if ((er = ra_db_commit(a->db)) != RA_OK) {
		ok = acme_fail(a, er);
		goto out;
	}
	ok = order_answer(a, id, 200);
out:
	if (!ok && a->db != NULL)
		ra_db_rollback(a->db);
	PQclear(res);
	PQclear(lk);
	PQclear(il);
	X509_REQ_free(csr);
	free(der);
	return ok;
}

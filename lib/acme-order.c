/*
 * acme-order.c: orders, authorizations, challenges (RFC 8555 7.4, 7.5;
 * finalize is acme-finalize.c).  An order names DNS identifiers of its
 * application only, each still under a domain of the institution; it
 * gets one authorization and one http-01 challenge per name.  A
 * challenge the client answers goes to the validator (status
 * processing, NOTIFY ra_acme_challenge).  The objects' status is
 * computed on every read (schema/032: ra.acme_order_view) from the
 * authorizations and, once finalized, the request.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "ra.h"
#include "domain.h"
#include "acme.h"

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
/*
 * Each name: of the application, and under a domain of the institution
 * that the application's officer still holds (035: the approval is that
 * officer's, for the officer's domains).
 */
const char ACME_SQL_ALLOWED[] =
    "SELECT i AS name,"
    "       i = ANY (ARRAY(SELECT pg_catalog.lower(f) FROM pg_catalog.unnest(p.fqdns) f)) AS in_app,"
    "       EXISTS (SELECT 1 FROM ra.domain d"
    "                WHERE d.institution_id = p.institution_id"
    "                  AND (i = d.name OR pg_catalog.right(i,"
    "                       pg_catalog.length(d.name) + 1) = '.' || d.name))"
    "       AND ra.acme_officer_name_ok(p.officer_id, i)"
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
const char ACME_SQL_ORDER_VIEW[] =
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
/* The account row locked, its failures today and answers in flight under
 * the limit (033): 25 answers at once at 19 failures let one through. */
static const char SQL_MAY_VALIDATE[] =
    "SELECT ra.acme_may_validate($1::bigint, $2::integer) AS ok";
static const char SQL_CHALL_NOTIFY[] =
    "SELECT pg_catalog.pg_notify('ra_acme_challenge', $1)";
static int
failures_max(const struct ra_conf *c)
{
	return ra_conf_int(c, "Acme.FailedPerDay", 20);
}

void
acme_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* The view row of an object the account owns; "*res" the caller's. */
int
acme_view(struct acme *a, const char *sql, const char *what, int64_t id,
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
int
acme_order_answer(struct acme *a, int64_t id, int status)
{
	PGresult	*res = NULL;
	const char	*st;
	int		 ok;

	if (!acme_view(a, ACME_SQL_ORDER_VIEW, "order", id, &res))
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
	char		 name[256], seen[ACME_IDENT_MAX][256];
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
		acme_lower(name);
		if (strlen(value) >= sizeof(name) || !ra_hostname_ok(name)) {
			ok = acme_problem(a, ACME_P_REJECTEDID, "%.253s is not a "
			    "host name (no wildcards, no addresses)", value);
			goto out;
		}
		for (k = 0; k < n; k++)
			if (strcmp(seen[k], name) == 0)
				break;
		if (k < n)
			continue;
		if (n == ACME_IDENT_MAX) {
			ok = acme_problem(a, ACME_P_REJECTEDID, "at most %d names "
			    "per order (the CN included)", ACME_IDENT_MAX);
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
	if ((er = ra_db_run(a->db, "allowed names", ACME_SQL_ALLOWED, &res,
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
			    "under a domain of the institution that the "
			    "application's officer holds",
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
	ok = acme_order_answer(a, id, 201);
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
	return acme_order_answer(a, id, 200);
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
	if (!acme_view(a, SQL_AUTHZ_VIEW, "authorization", id, &res))
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

	if (!acme_jws(a, ACME_KID) || !acme_view(a, SQL_CHALL_VIEW, "challenge", id,
	    &res))
		goto out;
	(void)ra_get_i64(res, 0, "authz_id", &authz);
	if (!acme_payload_empty(a) &&
	    strcmp(ra_get_text(res, 0, "status"), "pending") == 0) {
		if (!may_order(a))
			goto out;
		if ((er = ra_db_run1(a->db, "rate limit", SQL_MAY_VALIDATE,
		    &upd, RA_ARGS(RA_INT(a->account_id),
		    RA_INT(failures_max(a->conf))))) != RA_OK) {
			ok = acme_fail(a, er);
			goto out;
		}
		if (strcmp(ra_get_text(upd, 0, "ok"), "t") != 0) {
			ok = acme_problem(a, ACME_P_RATELIMITED, "failed "
			    "validations today and validations under way reach "
			    "the limit of %d; try again tomorrow (Asia/Tokyo)",
			    failures_max(a->conf));
			goto out;
		}
		PQclear(upd);
		upd = NULL;
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
		if (!acme_view(a, SQL_CHALL_VIEW, "challenge", id, &res))
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


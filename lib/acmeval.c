/*
 * acmeval.c: the ACME http-01 challenge validator (RFC 8555 8.3), as the
 * role ra_acmeval (schema/033-acme-validator.sql).  One challenge at a
 * time, exactly once:
 *
 *  1. claim (one statement): a challenge the ACME server moved to
 *     'processing', FOR UPDATE SKIP LOCKED, not claimed or claimed more
 *     than a minute ago (its validator died: taken over); claimed_by,
 *     claimed_at, attempts written and committed;
 *  2. fetch http://IDENTIFIER:PORT/.well-known/acme-challenge/TOKEN
 *     (httpget.c), no transaction open;
 *  3. store (one transaction, the order's row locked first so two
 *     validators finishing two authorizations of one order see each
 *     other): the challenge valid or invalid with validated_at and the
 *     problem document, only if it is still ours and still processing;
 *     the authorization; the order ready when all its authorizations
 *     are valid, invalid when one is not; one audit row acme.validate.
 *
 * A fetch takes at most Acme.FetchTimeout (at most 30 s), well inside the
 * minute after which a claim is taken over, so a live validator's claim
 * is never taken; a validator that lost its claim anyway stores nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ra.h"
#include "acmeval.h"

#define FETCH_TIMEOUT_MAX	30	/* seconds; a claim lives 60 */
/*
 * Claims of one challenge before it is given up: each taken-over claim
 * was a validator that stopped while it held it, and a challenge that
 * stops every validator must not stop them forever.
 */
#define CLAIMS_MAX		3

static const char SQL_CLAIM[] =
    "WITH c AS ("
    "  SELECT challenge_id FROM ra.acme_challenge"
    "   WHERE status = 'processing'"
    "     AND (claimed_at IS NULL"
    "          OR claimed_at < pg_catalog.now() - interval '1 minute')"
    "   ORDER BY requested_at, challenge_id"
    "   LIMIT 1 FOR UPDATE SKIP LOCKED)"
    " UPDATE ra.acme_challenge ch"
    "    SET claimed_by = $1, claimed_at = pg_catalog.now(),"
    "        attempts = ch.attempts + 1"
    "   FROM c, ra.acme_authz az, ra.acme_order o, ra.acme_account a"
    "  WHERE ch.challenge_id = c.challenge_id AND az.authz_id = ch.authz_id"
    "    AND o.order_id = az.order_id AND a.account_id = o.account_id"
    " RETURNING ch.challenge_id, ch.token, ch.attempts, az.authz_id,"
    "        az.identifier,"
    "        az.status AS authz_status,"
    "        az.expires_at <= ra.clock() AS authz_expired,"
    "        o.order_id, o.account_id,"
    "        pg_catalog.translate(pg_catalog.rtrim(pg_catalog.encode("
    "            a.jwk_sha256, 'base64'), '='), '+/', '-_') AS thumbprint";

static const char SQL_LOCK_ORDER[] =
    "SELECT status FROM ra.acme_order WHERE order_id = $1 FOR UPDATE";

/* $2 'valid' or 'invalid'; $4/$5 the problem's type and detail. */
#define SQL_PROBLEM							\
    "CASE WHEN $2::text = 'valid' THEN NULL ELSE"			\
    " pg_catalog.jsonb_build_object("					\
    "  'type', 'urn:ietf:params:acme:error:' || $4::text,"		\
    "  'detail', $5::text,"						\
    "  'status', CASE WHEN $4::text IN ('unauthorized',"		\
    "      'incorrectResponse') THEN 403 ELSE 400 END) END"

static const char SQL_CHALLENGE_DONE[] =
    "UPDATE ra.acme_challenge SET status = $2::text,"
    "       validated_at = ra.clock(), error = " SQL_PROBLEM
    " WHERE challenge_id = $1::bigint AND status = 'processing'"
    "   AND claimed_by = $3"
    " RETURNING challenge_id";

static const char SQL_AUTHZ_DONE[] =
    "UPDATE ra.acme_authz SET status = $2::text"
    " WHERE authz_id = $1::bigint AND status = 'pending'";

/* The order: invalid with the first failure, ready when all are valid. */
static const char SQL_ORDER_DONE[] =
    "UPDATE ra.acme_order o SET"
    "       status = CASE WHEN $2::text = 'invalid' THEN 'invalid'"
    "           WHEN NOT EXISTS (SELECT FROM ra.acme_authz az"
    "                 WHERE az.order_id = o.order_id"
    "                   AND az.status <> 'valid') THEN 'ready'"
    "           ELSE o.status END,"
    "       error = CASE WHEN $2::text = 'invalid' THEN"
    "           pg_catalog.jsonb_build_object("
    "             'type', 'urn:ietf:params:acme:error:' || $3::text,"
    "             'detail', 'the authorization of ' || $4::text"
    "                 || ' failed: ' || $5::text)"
    "           ELSE o.error END,"
    "       updated_at = pg_catalog.now()"
    " WHERE o.order_id = $1::bigint AND o.status = 'pending'"
    " RETURNING o.status";

static const char SQL_AUDIT[] =
    "INSERT INTO ra.audit (event, outcome, actor, detail)"
    " VALUES ('acme.validate', $1, $2, pg_catalog.jsonb_build_object("
    "   'challenge_id', $3::bigint, 'authz_id', $4::bigint,"
    "   'order_id', $5::bigint, 'account_id', $6::bigint,"
    "   'identifier', $7::text, 'url', $8::text, 'address', $9::text,"
    "   'http_status', $10::integer, 'redirects', $11::integer,"
    "   'problem', $12::text, 'detail', $13::text))";

struct claim {
	int64_t		 challenge_id, authz_id, order_id, account_id;
	char		 token[64];
	char		 identifier[254];
	char		 authz_status[16];
	int		 authz_expired;
	int		 attempts;	/* this claim included */
	char		 keyauth[64 + 1 + 64];
};

struct outcome {
	const char	*status;	/* valid, invalid */
	const char	*type;		/* the problem type's last part */
	char		 detail[1024];
};

static const char *const fail_type[] = {
	[RA_HTTP_OK]		= "incorrectResponse",
	[RA_HTTP_DNS]		= "dns",
	[RA_HTTP_CONNECTION]	= "connection",
	[RA_HTTP_UNAUTHORIZED]	= "unauthorized",
};
_Static_assert(RA_NITEMS(fail_type) == RA_HTTP_FAIL__MAX,
    "fail_type[] out of sync with enum ra_http_fail");

enum ra_err
ra_acmeval_init(struct ra_acmeval *v, PGconn *db, const struct ra_conf *c)
{
	char	 host[64];
	int	 port, secs;

	memset(v, 0, sizeof(*v));
	v->db = db;
	if ((port = ra_conf_int(c, "Acme.Http01Port", 80)) < 1 ||
	    port > 65535) {
		ra_warnx("config %s: Acme.Http01Port %d is not a port", c->path,
		    port);
		return RA_ECONF;
	}
	if ((secs = ra_conf_int(c, "Acme.FetchTimeout", 10)) < 1 ||
	    secs > FETCH_TIMEOUT_MAX) {
		ra_warnx("config %s: Acme.FetchTimeout %d is not 1..%d seconds",
		    c->path, secs, FETCH_TIMEOUT_MAX);
		return RA_ECONF;
	}
	v->opts.port = port;
	v->opts.timeout_ms = secs * 1000;
	v->opts.allow_private = ra_conf_int(c, "Acme.AllowPrivate", 0) != 0;
	v->opts.map = v->map;
	if (ra_resolve_load(c, v->map, RA_HTTP_MAP_MAX, &v->opts.nmap) != RA_OK)
		return RA_ECONF;
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(v->id, sizeof(v->id), "acmeval:%s:%ld", host, (long)getpid());
	return RA_OK;
}

/* Printable ASCII only: what a server sent goes into jsonb and logs. */
static void
clean(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

/* At most 64 bytes of a body, every byte outside printable ASCII as \xNN. */
static void
excerpt(const char *b, size_t n, char *out, size_t outsz)
{
	size_t	 i, o = 0;

	for (i = 0; i < n && i < 64 && o + 5 < outsz; i++)
		if ((unsigned char)b[i] >= 0x20 && (unsigned char)b[i] < 0x7f &&
		    b[i] != '"' && b[i] != '\\')
			out[o++] = b[i];
		else
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x",
			    (unsigned char)b[i]);
	if (i < n && o + 4 < outsz)
		o += (size_t)snprintf(out + o, outsz - o, "...");
	out[o] = '\0';
}

static void
judge(const struct claim *c, const struct ra_http_result *res,
    struct outcome *out)
{
	char	 ex[64 * 4 + 8];
	size_t	 n = res->bodylen;

	out->status = "invalid";
	out->type = fail_type[res->fail];
	if (res->fail != RA_HTTP_OK) {
		snprintf(out->detail, sizeof(out->detail), "%s", res->detail);
		return;
	}
	/* RFC 8555 8.3: whitespace at the end of the body is ignored. */
	while (n > 0 && (res->body[n - 1] == ' ' || res->body[n - 1] == '\t' ||
	    res->body[n - 1] == '\r' || res->body[n - 1] == '\n'))
		n--;
	if (!res->truncated && n == strlen(c->keyauth) &&
	    memcmp(res->body, c->keyauth, n) == 0) {
		out->status = "valid";
		out->type = NULL;
		snprintf(out->detail, sizeof(out->detail), "%s (%s) answered "
		    "the key authorization", res->url, res->addr);
		return;
	}
	excerpt(res->body, n, ex, sizeof(ex));
	if (res->truncated)
		snprintf(out->detail, sizeof(out->detail), "%s (%s): the body "
		    "is longer than %d bytes, not the key authorization",
		    res->url, res->addr, RA_HTTP_BODY_MAX);
	else
		snprintf(out->detail, sizeof(out->detail), "%.300s (%s): the "
		    "body \"%s\" is not the key authorization \"%s\"", res->url,
		    res->addr, ex, c->keyauth);
}

static enum ra_err
claim_next(struct ra_acmeval *v, struct claim *c, int *found)
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	*found = 0;
	memset(c, 0, sizeof(*c));
	if ((er = ra_db_run(v->db, "acme challenge claim", SQL_CLAIM, &res,
	    RA_ARGS(RA_TEXT(v->id)))) != RA_OK)
		return er;
	if (PQntuples(res) == 0)
		goto out;
	if ((er = ra_get_i64(res, 0, "challenge_id", &c->challenge_id)) !=
	    RA_OK ||
	    (er = ra_get_i64(res, 0, "authz_id", &c->authz_id)) != RA_OK ||
	    (er = ra_get_i64(res, 0, "order_id", &c->order_id)) != RA_OK ||
	    (er = ra_get_i64(res, 0, "account_id", &c->account_id)) != RA_OK ||
	    (er = ra_get_str(res, 0, "token", c->token, sizeof(c->token))) !=
	    RA_OK ||
	    (er = ra_get_str(res, 0, "identifier", c->identifier,
	    sizeof(c->identifier))) != RA_OK ||
	    (er = ra_get_str(res, 0, "authz_status", c->authz_status,
	    sizeof(c->authz_status))) != RA_OK ||
	    (er = ra_get_bool(res, 0, "authz_expired", &c->authz_expired)) !=
	    RA_OK ||
	    (er = ra_get_int(res, 0, "attempts", &c->attempts)) != RA_OK)
		goto out;
	snprintf(c->keyauth, sizeof(c->keyauth), "%s.%s", c->token,
	    ra_get_text(res, 0, "thumbprint"));
	*found = 1;
out:
	PQclear(res);
	return er;
}

/* The outcome, all of it or nothing; *lost if the claim was not ours. */
static enum ra_err
store(struct ra_acmeval *v, const struct claim *c,
    const struct ra_http_result *res, const struct outcome *o, int *lost)
{
	PGresult	*r = NULL;
	char		 cid[24], aid[24], oid[24], acc[24], st[8], rd[8];
	const char	*type = o->type != NULL ? o->type : "";
	enum ra_err	 er;

	*lost = 0;
	snprintf(cid, sizeof(cid), "%lld", (long long)c->challenge_id);
	snprintf(aid, sizeof(aid), "%lld", (long long)c->authz_id);
	snprintf(oid, sizeof(oid), "%lld", (long long)c->order_id);
	snprintf(acc, sizeof(acc), "%lld", (long long)c->account_id);
	snprintf(st, sizeof(st), "%d", res->status);
	snprintf(rd, sizeof(rd), "%d", res->redirects);
	if ((er = ra_db_begin(v->db)) != RA_OK)
		return er;
	if ((er = ra_db_run(v->db, "acme order lock", SQL_LOCK_ORDER, NULL,
	    RA_ARGS(RA_TEXT(oid)))) != RA_OK ||
	    (er = ra_db_run(v->db, "acme challenge outcome", SQL_CHALLENGE_DONE,
	    &r, RA_ARGS(RA_TEXT(cid), RA_TEXT(o->status), RA_TEXT(v->id),
	    RA_TEXT(type), RA_TEXT(o->detail)))) != RA_OK)
		goto fail;
	if (PQntuples(r) != 1) {
		*lost = 1;
		goto fail;
	}
	PQclear(r);
	r = NULL;
	if ((er = ra_db_run(v->db, "acme authz outcome", SQL_AUTHZ_DONE, NULL,
	    RA_ARGS(RA_TEXT(aid), RA_TEXT(o->status)))) != RA_OK ||
	    (er = ra_db_run(v->db, "acme order outcome", SQL_ORDER_DONE, NULL,
	    RA_ARGS(RA_TEXT(oid), RA_TEXT(o->status), RA_TEXT(type),
	    RA_TEXT(c->identifier), RA_TEXT(o->detail)))) != RA_OK ||
	    (er = ra_db_run(v->db, "acme validate audit", SQL_AUDIT, NULL,
	    RA_ARGS(RA_TEXT(strcmp(o->status, "valid") == 0 ? "ok" : "fail"),
	    RA_TEXT(v->id), RA_TEXT(cid), RA_TEXT(aid), RA_TEXT(oid),
	    RA_TEXT(acc), RA_TEXT(c->identifier), RA_TEXT(res->url),
	    RA_TEXT(res->addr[0] != '\0' ? res->addr : NULL), RA_TEXT(st),
	    RA_TEXT(rd), RA_TEXT(o->type), RA_TEXT(o->detail)))) != RA_OK)
		goto fail;
	return ra_db_commit(v->db);
fail:
	PQclear(r);
	ra_db_rollback(v->db);
	return er;
}

/*
 * Validate the next waiting challenge: 1 one was, 0 none waits, -1 the
 * database failed us (the caller reconnects).
 */
int
ra_acmeval_one(struct ra_acmeval *v)
{
	struct claim		 c;
	struct ra_http_result	*res;
	struct outcome		 o;
	int			 found, lost = 0, rc = -1;

	if (claim_next(v, &c, &found) != RA_OK)
		return -1;
	if (!found)
		return 0;
	if ((res = calloc(1, sizeof(*res))) == NULL)
		return -1;
	memset(&o, 0, sizeof(o));
	snprintf(res->url, sizeof(res->url),
	    "http://%s:%d/.well-known/acme-challenge/%s", c.identifier,
	    v->opts.port, c.token);
	if (c.attempts > CLAIMS_MAX) {
		o.status = "invalid";
		o.type = "serverInternal";
		snprintf(o.detail, sizeof(o.detail), "the validation of %s was "
		    "given up: %d validators stopped while they held it",
		    c.identifier, c.attempts - 1);
	} else if (strcmp(c.authz_status, "pending") != 0 || c.authz_expired) {
		/* Nothing to prove any more: no fetch. */
		o.status = "invalid";
		o.type = "unauthorized";
		snprintf(o.detail, sizeof(o.detail), "the authorization of %s "
		    "is %s, not pending", c.identifier, c.authz_expired ?
		    "expired" : c.authz_status);
	} else {
		if (ra_http01_get(&v->opts, c.identifier, c.token, res) !=
		    RA_OK)
			goto out;
		judge(&c, res, &o);
	}
	clean(o.detail);
	clean(res->url);
	if (store(v, &c, res, &o, &lost) != RA_OK && !lost)
		goto out;
	if (lost)
		ra_warnx("%s: challenge %lld was taken over by another "
		    "validator; its outcome is theirs", v->id,
		    (long long)c.challenge_id);
	else
		ra_warnx("%s: challenge %lld (%s): %s%s%s", v->id,
		    (long long)c.challenge_id, c.identifier, o.status,
		    o.type != NULL ? ", " : "", o.type != NULL ? o.detail : "");
	rc = 1;
out:
	free(res);
	return rc;
}

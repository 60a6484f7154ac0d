/*
 * request.c: put issuance requests on the queue, and wait for them.
 * Everything is checked here, before anything is queued: profile,
 * subject attributes, CSR signature and key, key reuse, names.  The worker
 * checks again; it trusts nothing it did not check itself.
 */
#include <ctype.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/objects.h>

#include "ra.h"
#include "domain.h"

#define SAN_MAX		8	/* names per certificate, the CN included */

static const char SQL_KEY_USED[] =
    "SELECT EXISTS (SELECT 1 FROM ra.certificate WHERE spki_sha256 = $1::bytea)"
    "    OR EXISTS (SELECT 1 FROM ra.request WHERE spki_sha256 = $1::bytea"
    "                 AND state IN ('queued', 'done'))";

/* Reference §5.1 error 215: review unfinished or usage period over. */
static const char SQL_INSTITUTION_ACTIVE[] =
    "SELECT status = 'active'"
    "       AND current_date BETWEEN usage_from AND usage_until"
    "  FROM ra.institution WHERE institution_id = $1::bigint";

static const char SQL_REQUEST_ADD[] =
    "INSERT INTO ra.request (institution_id, officer_id, batch_id, seq,"
    "  action, kind, profile_id, subject_der, subject_dn, san_dns, san_email,"
    "  csr_der, spki_sha256, key_secret, target_cert_id,"
    "  admin_name, admin_mail, user_name, user_mail, attrs, cn,"
    "  download_method, p12_name, state, ou, key_protection)"
    " VALUES ($1::bigint, nullif($2, '0')::bigint, nullif($3, '0')::bigint,"
    "  nullif($4, '0')::integer, $5, $6, $7::integer, $8::bytea, $9,"
    "  coalesce(pg_catalog.string_to_array(nullif($10, ''), ','), '{}'),"
    "  coalesce(pg_catalog.string_to_array(nullif($11, ''), ','), '{}'),"
    "  $12::bytea, $13::bytea, $14, nullif($15, '0')::bigint,"
    "  $16, $17, $18, $19,"
    "  pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object("
    "    'affiliation', $20::text, 'software', $21::text,"
    "    'user_affiliation', nullif($26, ''))), $22,"
    "  nullif($23, '0')::smallint, $24, $25, $27, nullif($28, ''))"
    " RETURNING request_id";

static const char SQL_JOB_ADD[] =
    "INSERT INTO ra.job (request_id) VALUES ($1::bigint)";

/*
 * SQL_REQUEST_ADD for many rows, each parameter an array of the rows'
 * values in the same order; the jobs of the queued ones with them.
 */
static const char SQL_REQUEST_BULK[] =
    "WITH r AS ("
    " INSERT INTO ra.request (institution_id, officer_id, batch_id, seq,"
    "  action, kind, profile_id, subject_der, subject_dn, san_dns, san_email,"
    "  csr_der, spki_sha256, key_secret, target_cert_id,"
    "  admin_name, admin_mail, user_name, user_mail, attrs, cn,"
    "  download_method, p12_name, state, ou, key_protection)"
    " SELECT u.c1::bigint, nullif(u.c2, '0')::bigint,"
    "  nullif(u.c3, '0')::bigint, nullif(u.c4, '0')::integer, u.c5, u.c6,"
    "  u.c7::integer, u.c8::bytea, u.c9,"
    "  coalesce(pg_catalog.string_to_array(nullif(u.c10, ''), ','), '{}'),"
    "  coalesce(pg_catalog.string_to_array(nullif(u.c11, ''), ','), '{}'),"
    "  u.c12::bytea, u.c13::bytea, u.c14, nullif(u.c15, '0')::bigint,"
    "  u.c16, u.c17, u.c18, u.c19,"
    "  pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object("
    "    'affiliation', u.c20, 'software', u.c21,"
    "    'user_affiliation', nullif(u.c26, ''))), u.c22,"
    "  nullif(u.c23, '0')::smallint, u.c24, u.c25, u.c27, nullif(u.c28, '')"
    "  FROM ROWS FROM (pg_catalog.unnest($1::text[]),"
    "   pg_catalog.unnest($2::text[]), pg_catalog.unnest($3::text[]),"
    "   pg_catalog.unnest($4::text[]), pg_catalog.unnest($5::text[]),"
    "   pg_catalog.unnest($6::text[]), pg_catalog.unnest($7::text[]),"
    "   pg_catalog.unnest($8::text[]), pg_catalog.unnest($9::text[]),"
    "   pg_catalog.unnest($10::text[]), pg_catalog.unnest($11::text[]),"
    "   pg_catalog.unnest($12::text[]), pg_catalog.unnest($13::text[]),"
    "   pg_catalog.unnest($14::text[]), pg_catalog.unnest($15::text[]),"
    "   pg_catalog.unnest($16::text[]), pg_catalog.unnest($17::text[]),"
    "   pg_catalog.unnest($18::text[]), pg_catalog.unnest($19::text[]),"
    "   pg_catalog.unnest($20::text[]), pg_catalog.unnest($21::text[]),"
    "   pg_catalog.unnest($22::text[]), pg_catalog.unnest($23::text[]),"
    "   pg_catalog.unnest($24::text[]), pg_catalog.unnest($25::text[]),"
    "   pg_catalog.unnest($26::text[]), pg_catalog.unnest($27::text[]),"
    "   pg_catalog.unnest($28::text[]))"
    "   WITH ORDINALITY AS u(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11,"
    "   c12, c13, c14, c15, c16, c17, c18, c19, c20, c21, c22, c23, c24,"
    "   c25, c26, c27, c28, i)"
    "  ORDER BY u.i"
    " RETURNING request_id, state)"
    " INSERT INTO ra.job (request_id)"
    " SELECT request_id FROM r WHERE state = 'queued' ORDER BY request_id";

/* A key of an earlier certificate or request (RA_EPOLICY), said once. */
static const char msg_key_used[] =
    "この鍵は以前に使われています。新しい鍵ペアでCSRを作り直してください "
    "(this key was used before; a new key pair is required)";

static const char SQL_NOTIFY_JOB[] =
    "SELECT pg_catalog.pg_notify('ra_job', '')";

static const char SQL_REQUEST_STATE[] =
    "SELECT state, coalesce(error, '') FROM ra.request"
    " WHERE request_id = $1::bigint";

/* A host name as certificates carry it: LDH labels, no IP literal, no '*'. */
int
ra_hostname_ok(const char *s)
{
	size_t		 label = 0, labels = 1, n = strlen(s);
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
		if (label == 0 && *p == '-')
			return 0;
		if (++label > 63)
			return 0;
	}
	last = strrchr(s, '.');
	return labels >= 2 && last != NULL && isalpha((unsigned char)last[1]);
}

static int
mail_ok(const char *s)
{
	const char	*at = strchr(s, '@');

	return at != NULL && at != s && strchr(at + 1, '@') == NULL &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-_@") == strlen(s) && ra_hostname_ok(at + 1);
}

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/*
 * The dNSNames of a server certificate: the CN first, then the extra
 * names (comma or space separated), lower-cased, without duplicates.
 */
static enum ra_err
san_dns_list(const char *cn, const char *extra, char *out, size_t outsz,
    char *why, size_t whysz)
{
	char	 name[256], *o = out;
	size_t	 n, count = 0;

	*out = '\0';
	for (;;) {
		if (count == 0)
			snprintf(name, sizeof(name), "%s", cn);
		else {
			extra += strspn(extra, ", ");
			if (*extra == '\0')
				break;
			n = strcspn(extra, ", ");
			snprintf(name, sizeof(name), "%.*s", (int)n, extra);
			extra += n;
		}
		lower(name);
		if (!ra_hostname_ok(name)) {
			ra_msgf(why, whysz, "「%s」はホスト名ではありません "
			    "(\"%s\" is not a host name)", name, name);
			return RA_EINPUT;
		}
		if (count == 0 || !ra_list_has(out, name)) {
			if (++count > SAN_MAX) {
				ra_msgf(why, whysz, "ホスト名は%d個までです "
				    "(more than %d host names)", SAN_MAX,
				    SAN_MAX);
				return RA_EINPUT;
			}
			if (strlen(out) + strlen(name) + 2 > outsz) {
				ra_msgf(why, whysz, "host names too long");
				return RA_EINPUT;
			}
			o += sprintf(o, "%s%s", o == out ? "" : ",", name);
		}
		if (extra == NULL)
			break;
	}
	return RA_OK;
}

/* Subject and names for the profile's kind. */
static enum ra_err
request_names(const struct ra_profile *p, const struct ra_newreq *rq,
    char *dns, size_t dnssz, char *email, size_t emailsz, char *why,
    size_t whysz)
{
	char		*cn;
	enum ra_err	 er = RA_OK;

	*dns = *email = '\0';
	if ((er = ra_profile_check_subject(p, rq->subject, why, whysz)) !=
	    RA_OK)
		return er;
	if ((cn = ra_dn_get(rq->subject, NID_commonName)) == NULL) {
		ra_msgf(why, whysz, "the subject has no CN");
		return RA_EINPUT;
	}
	if (strcmp(p->kind, "server") == 0)
		er = san_dns_list(cn, rq->san_dns != NULL ? rq->san_dns : "",
		    dns, dnssz, why, whysz);
	else if (strcmp(p->kind, "smime") == 0) {
		if (!mail_ok(cn)) {
			ra_msgf(why, whysz, "the CN of an S/MIME certificate "
			    "must be a mail address");
			er = RA_EINPUT;
		} else
			snprintf(email, emailsz, "%s", cn);
	} else if (rq->san_dns != NULL && *rq->san_dns != '\0') {
		ra_msgf(why, whysz, "host names are only for server "
		    "certificates");
		er = RA_EINPUT;
	}
	free(cn);
	return er;
}

/* CSR requests: signature, algorithm, and a key never used before. */
static enum ra_err
request_key(PGconn *db, const struct ra_profile *p, const struct ra_newreq *rq,
    X509_REQ **csr, unsigned char sha[32], char *why, size_t whysz)
{
	PGresult	*res = NULL;
	unsigned char	*spki = NULL;
	size_t		 spkilen;
	const char	*param[1];
	char		*hex = NULL;
	enum ra_err	 er;

	*csr = NULL;
	if (strcmp(p->key_gen, "server") == 0) {
		if (rq->csr != NULL) {
			ra_msgf(why, whysz, "profile %d makes the key itself; "
			    "no CSR is taken", p->id);
			return RA_EINPUT;
		}
		if (rq->waiting)
			return RA_OK;	/* the password comes with 【発行】 */
		if (rq->key_secret == NULL || strlen(rq->key_secret) < 8 ||
		    strlen(rq->key_secret) > 128) {
			ra_msgf(why, whysz, "a password of 8 to 128 characters "
			    "is needed to protect the new key");
			return RA_EINPUT;
		}
		return RA_OK;
	}
	if (rq->csr == NULL) {
		ra_msgf(why, whysz, "profile %d needs a CSR", p->id);
		return RA_EINPUT;
	}
	if (rq->csr_parsed != NULL)
		*csr = rq->csr_parsed;		/* borrowed: checked by the caller */
	else if ((er = ra_csr_parse(rq->csr, rq->csrlen, csr, why, whysz)) !=
	    RA_OK)
		goto out;
	if ((er = ra_profile_check_key(p, X509_REQ_get0_pubkey(*csr), why,
	    whysz)) != RA_OK ||
	    (er = ra_pubkey_spki(X509_REQ_get_X509_PUBKEY(*csr), &spki,
	    &spkilen, sha)) != RA_OK)
		goto out;
	if (rq->key_checked) {
		/* The caller asked SQL_KEY_USED for the whole file at once. */
		if (rq->key_used) {
			ra_msgf(why, whysz, "%s", msg_key_used);
			er = RA_EPOLICY;
		}
		goto out;
	}
	if ((hex = ra_bytea_hex(sha, 32)) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	param[0] = hex;
	if ((er = ra_db_query(db, "key reuse", SQL_KEY_USED, 1, param, &res)) !=
	    RA_OK)
		goto out;
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
		ra_msgf(why, whysz, "%s", msg_key_used);
		er = RA_EPOLICY;
	}
out:
	if (er != RA_OK) {
		if (*csr != rq->csr_parsed)
			X509_REQ_free(*csr);
		*csr = NULL;
	}
	PQclear(res);
	free(hex);
	OPENSSL_free(spki);
	return er;
}

/* The parameters of one request row, as SQL_REQUEST_ADD numbers them. */
#define REQ_NPARAMS	28
_Static_assert(RA_NITEMS(((struct ra_reqbulk *)0)->col) == REQ_NPARAMS,
    "struct ra_reqbulk's columns out of sync with SQL_REQUEST_ADD");

struct req_params {
	const char	*v[REQ_NPARAMS];
	char		 dns[2048], email[256], inst[24], off[24], dm[8],
			 batch[24], seq[16], pid[16], target[24], ou[1025],
			 kind[32];
	char		*subjhex, *subjtxt, *csrhex, *shahex, *cn;
};

static void
req_params_free(struct req_params *p)
{
	free(p->subjhex);
	free(p->subjtxt);
	free(p->cn);
	free(p->csrhex);
	free(p->shahex);
	memset(p, 0, sizeof(*p));
}

/*
 * Check "rq" (profile, subject, names, key) and fill "p" with the row to
 * insert (free it with req_params_free whatever this returns).
 * RA_EINPUT and RA_EPOLICY come with "why".
 */
static enum ra_err
req_params(PGconn *db, const struct ra_newreq *rq, struct req_params *p,
    char *why, size_t whysz)
{
	struct ra_profile	 prof;
	X509_REQ		*csr = NULL;
	PGresult		*res = NULL;
	unsigned char		 sha[32], *subj = NULL, *csrder = NULL;
	const char		*param[1];
	int			 n;
	enum ra_err		 er = RA_OK;

	memset(p, 0, sizeof(*p));
	*why = '\0';
	snprintf(p->inst, sizeof(p->inst), "%lld",
	    (long long)rq->institution_id);
	param[0] = p->inst;
	if (!rq->institution_checked) {
		if ((er = ra_db_query(db, "institution", SQL_INSTITUTION_ACTIVE,
		    1, param, &res)) != RA_OK)
			return er;
		if (PQntuples(res) != 1 ||
		    strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
			PQclear(res);
			ra_msgf(why, whysz, "機関状態が無効なため申請できません "
			    "(the institution is not active)");
			return RA_EPOLICY;
		}
		PQclear(res);
		res = NULL;
	}
	if (rq->profile != NULL)
		prof = *rq->profile;
	else if ((er = ra_profile_load(db, rq->profile_id, &prof)) ==
	    RA_ENOTFOUND ||
	    (er == RA_OK && !prof.active)) {
		ra_msgf(why, whysz, "profile %d does not exist or is not in "
		    "use", rq->profile_id);
		return RA_EPOLICY;
	}
	if (er != RA_OK ||
	    (er = request_names(&prof, rq, p->dns, sizeof(p->dns), p->email,
	    sizeof(p->email), why, whysz)) != RA_OK ||
	    (er = request_key(db, &prof, rq, &csr, sha, why, whysz)) != RA_OK)
		goto out;
	if ((n = i2d_X509_NAME(rq->subject, &subj)) <= 0 ||
	    (p->subjhex = ra_bytea_hex(subj, (size_t)n)) == NULL ||
	    (p->subjtxt = ra_dn_text(rq->subject)) == NULL ||
	    (p->cn = ra_dn_get(rq->subject, NID_commonName)) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	if (csr != NULL && ((n = i2d_X509_REQ(csr, &csrder)) <= 0 ||
	    (p->csrhex = ra_bytea_hex(csrder, (size_t)n)) == NULL ||
	    (p->shahex = ra_bytea_hex(sha, sizeof(sha))) == NULL)) {
		er = RA_ENOMEM;
		goto out;
	}
	snprintf(p->off, sizeof(p->off), "%lld", (long long)rq->officer_id);
	snprintf(p->batch, sizeof(p->batch), "%lld", (long long)rq->batch_id);
	snprintf(p->seq, sizeof(p->seq), "%d", rq->seq);
	snprintf(p->pid, sizeof(p->pid), "%d", prof.id);
	snprintf(p->target, sizeof(p->target), "%lld",
	    (long long)rq->target_cert_id);
	snprintf(p->dm, sizeof(p->dm), "%d", rq->download_method);
	ra_dn_ous(rq->subject, p->ou, sizeof(p->ou));
	p->v[0] = p->inst;
	p->v[1] = p->off;
	p->v[2] = p->batch;
	p->v[3] = p->seq;
	p->v[4] = rq->target_cert_id != 0 ? "renew" : "issue";
	snprintf(p->kind, sizeof(p->kind), "%s", prof.kind);
	p->v[5] = p->kind;
	p->v[6] = p->pid;
	p->v[7] = p->subjhex;
	p->v[8] = p->subjtxt;
	p->v[9] = p->dns;
	p->v[10] = p->email;
	p->v[11] = p->csrhex;
	p->v[12] = p->shahex;
	p->v[13] = csr == NULL ? rq->key_secret : NULL;
	p->v[14] = p->target;
	p->v[15] = rq->admin_name;
	p->v[16] = rq->admin_mail;
	p->v[17] = rq->user_name;
	p->v[18] = rq->user_mail;
	p->v[19] = rq->affiliation;
	p->v[20] = rq->software;
	p->v[21] = p->cn;
	p->v[22] = p->dm;
	p->v[23] = rq->download_method != 0 ? rq->p12_name : NULL;
	p->v[24] = rq->waiting ? "waiting" : "queued";
	p->v[25] = rq->user_affiliation;
	p->v[26] = p->ou;
	p->v[27] = rq->key_protection;
out:
	if (csr != rq->csr_parsed)
		X509_REQ_free(csr);
	OPENSSL_free(subj);
	OPENSSL_free(csrder);
	return er;
}

/*
 * Check "rq" and queue it: a request row and its job, inside the caller's
 * transaction (so a TSV file is queued whole or not at all).  On RA_OK
 * "*id" is the request.  RA_EINPUT, RA_EPOLICY and RA_EDUP (an "only
 * one" rule: the CN issued once, a certificate renewed once) come with
 * "why".
 */
enum ra_err
ra_request_add(PGconn *db, const struct ra_newreq *rq, int64_t *id, char *why,
    size_t whysz)
{
	struct req_params	 p;
	PGresult		*res = NULL;
	const char		*param[1];
	char			 constraint[64];
	enum ra_err		 er;

	*id = 0;
	if ((er = req_params(db, rq, &p, why, whysz)) != RA_OK)
		goto out;
	/*
	 * The database decides every "only one" rule, so two uploads racing
	 * past the checks above cannot both be queued; the loser gets the
	 * rule's answer, never a system error.
	 */
	er = ra_db_query_unique(db, "queue request", SQL_REQUEST_ADD,
	    REQ_NPARAMS, p.v, &res, constraint, sizeof(constraint));
	if (er == RA_EDUP && (strcmp(constraint, "request_cn_issue_once") == 0 ||
	    strcmp(constraint, "request_cn_client_once") == 0 ||
	    strcmp(constraint, "request_cn_codesign_once") == 0))
		ra_msgf(why, whysz, "%s is already issued or queued", p.cn);
	else if (er == RA_EDUP && strcmp(constraint, "request_renew_once") == 0)
		ra_msgf(why, whysz, "the certificate is already renewed or "
		    "has a renewal queued");
	else if (er == RA_EDUP) {
		ra_msgf(why, whysz, "%s", msg_key_used);
		er = RA_EPOLICY;
	}
	if (er != RA_OK)
		goto out;
	*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	param[0] = PQgetvalue(res, 0, 0);
	if (!rq->waiting)
		er = ra_db_command(db, "queue job", SQL_JOB_ADD, 1, param);
out:
	PQclear(res);
	req_params_free(&p);
	return er;
}

/*
 * Check "rq" as ra_request_add does and hold its row in "b" for
 * ra_request_flush: a file's requests go in with one statement.
 */
enum ra_err
ra_request_defer(PGconn *db, const struct ra_newreq *rq,
    struct ra_reqbulk *b, char *why, size_t whysz)
{
	struct req_params	 p;
	size_t			 i;
	enum ra_err		 er;

	if ((er = req_params(db, rq, &p, why, whysz)) != RA_OK)
		goto out;
	for (i = 0; i < REQ_NPARAMS; i++)
		if (!ra_pgarr_add(&b->col[i], p.v[i])) {
			er = RA_ENOMEM;
			goto out;
		}
	b->n++;
out:
	req_params_free(&p);
	return er;
}

/*
 * Send the rows "b" holds, and the jobs of those not waiting, as one
 * statement, and return while the server inserts them: ra_request_sent
 * says how that went, and nothing else may be sent before.  "b" is
 * emptied; "*sent" says whether there is an answer to wait for.
 */
enum ra_err
ra_request_send(PGconn *db, struct ra_reqbulk *b, int *sent)
{
	const char	*param[REQ_NPARAMS];
	size_t		 i;
	enum ra_err	 er = RA_OK;

	*sent = 0;
	if (b->n == 0)
		return RA_OK;
	for (i = 0; i < REQ_NPARAMS; i++)
		if ((param[i] = ra_pgarr_str(&b->col[i])) == NULL) {
			er = RA_ENOMEM;
			goto out;
		}
	if ((er = ra_db_send(db, "queue requests", SQL_REQUEST_BULK,
	    REQ_NPARAMS, param)) == RA_OK)
		*sent = 1;
out:
	ra_request_bulk_free(b);
	return er;
}

/*
 * The answer to ra_request_send.  The database's "only one" rules are
 * its indexes as ever: RA_EDUP when a row breaks one (which row is not
 * told: the caller goes again row by row to say).
 */
enum ra_err
ra_request_sent(PGconn *db)
{
	char	 constraint[64];

	return ra_db_wait(db, "queue requests", constraint,
	    sizeof(constraint));
}

void
ra_request_bulk_free(struct ra_reqbulk *b)
{
	size_t	 i;

	for (i = 0; i < RA_NITEMS(b->col); i++)
		ra_pgarr_free(&b->col[i]);
	b->n = 0;
}

/* Wake the workers; inside a transaction it is delivered at commit. */
enum ra_err
ra_queue_notify(PGconn *db)
{
	return ra_db_command(db, "notify workers", SQL_NOTIFY_JOB, 0, NULL);
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * Wait up to "ms" for request "id" to leave the queue (the worker sends
 * NOTIFY ra_done).  "state" gets queued, done, failed or cancelled, and
 * "err" the request's error text.  Outside a transaction only.
 */
enum ra_err
ra_request_wait(PGconn *db, int64_t id, long ms, char *state, size_t statesz,
    char *err, size_t errsz)
{
	struct timespec	 t0;
	struct pollfd	 pfd;
	PGresult	*res = NULL;
	PGnotify	*nt;
	const char	*param[1];
	char		 idbuf[24];
	long		 left;
	enum ra_err	 er;

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	param[0] = idbuf;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((er = ra_db_command(db, "listen", "LISTEN ra_done", 0, NULL)) !=
	    RA_OK)
		return er;
	for (;;) {
		if ((er = ra_db_query(db, "request state", SQL_REQUEST_STATE, 1,
		    param, &res)) != RA_OK)
			break;
		if (PQntuples(res) != 1) {
			er = RA_ENOTFOUND;
			break;
		}
		snprintf(state, statesz, "%s", PQgetvalue(res, 0, 0));
		snprintf(err, errsz, "%s", PQgetvalue(res, 0, 1));
		PQclear(res);
		res = NULL;
		if (strcmp(state, "queued") != 0 ||
		    (left = ms - ms_since(&t0)) <= 0)
			break;
		pfd.fd = PQsocket(db);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)(left > 1000 ? 1000 : left)) > 0 &&
		    !PQconsumeInput(db)) {
			er = RA_EDBDOWN;
			break;
		}
		while ((nt = PQnotifies(db)) != NULL)
			PQfreemem(nt);
	}
	PQclear(res);
	(void)ra_db_command(db, "unlisten", "UNLISTEN ra_done", 0, NULL);
	return er;
}

static const char SQL_REQUEST_SERIAL[] =
    "SELECT serial::text AS serial FROM ra.certificate"
    " WHERE request_id = $1::bigint";

/* The serial of request "id"'s certificate; RA_ENOTFOUND before one. */
enum ra_err
ra_request_serial(PGconn *db, int64_t id, char serial[64])
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	*serial = '\0';
	if ((er = ra_db_run1(db, "serial", SQL_REQUEST_SERIAL, &res,
	    RA_ARGS(RA_INT(id)))) == RA_OK)
		er = ra_get_str(res, 0, "serial", serial, 64);
	PQclear(res);
	return er;
}

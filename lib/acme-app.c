/*
 * acme-app.c: the RA officer's ACME applications (⑫, acme-app.cgi): the
 * list of the institution's applications with their accounts, recent
 * orders and certificates, and suspend / resume / close; and the user
 * administrator's one-time EAB URL (eabget.cgi).  Which applications an
 * officer reaches is the database's word (ra.acme_officer_scope, 034):
 * every query here names it, and the changes go through
 * ra.acme_app_set_status, which checks it again under the row lock.
 * The upload of applications is upload-acme.c.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ra.h"
#include "domain.h"
#include "acme-app.h"

/*
 * 申請済 no account yet, 利用中 its account valid, 停止 suspended, 廃止
 * closed (or the account deactivated by its holder: it cannot order).
 */
static const char SQL_APPS[] =
    "SELECT a.application_id, a.admin_name, a.admin_org,"
    "       a.admin_mail::text AS admin_mail,"
    "       pg_catalog.array_to_string(a.fqdns, ' ') AS fqdns,"
    "       a.profile_id, a.eab_kid, a.status,"
    "       CASE WHEN a.status = 'closed' THEN '廃止'"
    "            WHEN a.status = 'suspended' THEN '停止'"
    "            WHEN c.status IN ('deactivated', 'revoked') THEN '廃止'"
    "            WHEN c.account_id IS NOT NULL THEN '利用中'"
    "            ELSE '申請済' END AS state_ja,"
    "       CASE WHEN a.status = 'closed' THEN 'closed'"
    "            WHEN a.status = 'suspended' THEN 'suspended'"
    "            WHEN c.status IN ('deactivated', 'revoked') THEN 'closed'"
    "            WHEN c.account_id IS NOT NULL THEN 'in use'"
    "            ELSE 'applied' END AS state_en,"
    "       pg_catalog.to_char(a.created_at AT TIME ZONE 'Asia/Tokyo',"
    "         'YYYY-MM-DD HH24:MI') AS created,"
    "       coalesce(c.account_id::text, '') AS account_id,"
    "       coalesce(c.status, '') AS account_status,"
    "       coalesce(pg_catalog.to_char(c.created_at AT TIME ZONE"
    "         'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'), '') AS account_created,"
    "       c.jwk_sha256,"
    "       CASE WHEN c.account_id IS NULL THEN ''"
    "            ELSE ra.acme_failures_today(c.account_id)::text"
    "       END AS failures_today,"
    "       coalesce(pg_catalog.array_to_string(c.contact, ' '), '')"
    "         AS contact"
    "  FROM ra.acme_application a"
    "  LEFT JOIN ra.acme_account c ON c.application_id = a.application_id"
    " WHERE ra.acme_officer_scope($1::bigint, a.application_id)"
    " ORDER BY a.application_id DESC";
/* The ten newest orders of each application. */
static const char SQL_ORDERS[] =
    "SELECT application_id, order_id, identifiers, status, created, expires"
    "  FROM (SELECT c.application_id, o.order_id,"
    "          pg_catalog.array_to_string(o.identifiers, ' ') AS identifiers,"
    "          o.status,"
    "          pg_catalog.to_char(o.created_at AT TIME ZONE 'Asia/Tokyo',"
    "            'YYYY-MM-DD HH24:MI') AS created,"
    "          pg_catalog.to_char(o.expires_at AT TIME ZONE 'Asia/Tokyo',"
    "            'YYYY-MM-DD HH24:MI') AS expires,"
    "          pg_catalog.row_number() OVER (PARTITION BY c.application_id"
    "            ORDER BY o.created_at DESC, o.order_id DESC) AS k"
    "          FROM ra.acme_order o"
    "          JOIN ra.acme_account c ON c.account_id = o.account_id"
    "         WHERE ra.acme_officer_scope($1::bigint, c.application_id)) x"
    " WHERE k <= 10 ORDER BY application_id, order_id DESC";
static const char SQL_CERTS[] =
    "SELECT c.application_id, ce.serial::text AS serial, ce.cn,"
    "       pg_catalog.to_char(ce.not_after AT TIME ZONE 'Asia/Tokyo',"
    "         'YYYY-MM-DD HH24:MI') AS not_after,"
    "       CASE WHEN v.cert_id IS NULL THEN 'no' ELSE 'yes' END AS revoked"
    "  FROM ra.acme_order o"
    "  JOIN ra.acme_account c ON c.account_id = o.account_id"
    "  JOIN ra.certificate ce ON ce.request_id = o.request_id"
    "  LEFT JOIN ra.revocation v ON v.cert_id = ce.cert_id"
    " WHERE ra.acme_officer_scope($1::bigint, c.application_id)"
    "   AND ce.state = 'issued'"
    " ORDER BY c.application_id, ce.cert_id DESC";
static const char SQL_SET[] =
    "SELECT outcome, coalesce(old_status, '') AS old_status,"
    "       coalesce(institution_id, 0) AS institution_id"
    "  FROM ra.acme_app_set_status($1::bigint, $2::bigint, $3)";
static const char SQL_EAB[] =
    "SELECT shown, state, coalesce(eab_kid, '') AS eab_kid, eab_hmac,"
    "       pg_catalog.array_to_string(fqdns, ' ') AS fqdns, fqdns[1] AS cn,"
    "       admin_name, officer_name, officer_mail, institution_ja,"
    "       institution_id, application_id"
    "  FROM ra.acme_eab_url_open($1)";

static const char SQL_URL[] =
    "SELECT ra.acme_eab_url_add($1::bigint, $2::bigint, $3::bytea)"
    "  AS expires";
static const char SQL_REISSUE[] =
    "SELECT outcome, coalesce(expires, '') AS expires,"
    "       coalesce(admin_name, '') AS admin_name,"
    "       coalesce(admin_org, '') AS admin_org,"
    "       coalesce(admin_mail, '') AS admin_mail,"
    "       coalesce(fqdns, '') AS fqdns,"
    "       coalesce(institution_id, 0) AS institution_id"
    "  FROM ra.acme_eab_reissue($1::bigint, $2::bigint, $3, $4::bytea,"
    "    $5::bytea)";

static const struct {
	const char	*name;		/* the shell's word, the audit's */
	const char	*status;	/* what it makes */
} ops[RA_ACME_OP__MAX] = {
	[RA_ACME_SUSPEND] = { "suspend", "suspended" },
	[RA_ACME_RESUME] = { "resume", "active" },
	[RA_ACME_CLOSE] = { "close", "closed" },
	[RA_ACME_REISSUE] = { "reissue", NULL },	/* ra_acme_reissue */
};
_Static_assert(RA_NITEMS(ops) == RA_ACME_OP__MAX, "ops[] out of sync");

int
ra_acme_op_parse(const char *s, enum ra_acme_op *op)
{
	int	 i;

	for (i = 0; i < RA_ACME_OP__MAX; i++)
		if (strcmp(s, ops[i].name) == 0) {
			*op = (enum ra_acme_op)i;
			return 1;
		}
	return 0;
}

const char *
ra_acme_op_name(enum ra_acme_op op)
{
	return op < RA_ACME_OP__MAX ? ops[op].name : "?";
}

/*
 * Base64url of "in" without padding (RFC 4648 §5, as RFC 8555 writes
 * keys and thumbprints) into "out"; 0 if it does not fit.
 */
int
ra_b64url(const unsigned char *in, size_t len, char *out, size_t outsz)
{
	size_t	 i, n;

	if (len > 3 * 1024 || outsz < 4 * ((len + 2) / 3) + 1)
		return 0;
	n = (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (i = 0; i < n; i++)
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	return 1;
}

/*
 * The ACME directory URL: Acme.BaseURL + "/directory"; without it the
 * site's origin + "/acme" (Site.URL ends in "/ra"), as the stack serves it.
 */
const char *
ra_acme_directory(const struct ra_conf *c, char *buf, size_t sz)
{
	const char	*base = ra_conf_get(c, "Acme.BaseURL");
	size_t		 n;

	if (base != NULL) {
		snprintf(buf, sz, "%s/directory", base);
		return buf;
	}
	if ((base = ra_conf_get(c, "Site.URL")) == NULL)
		return NULL;
	n = strlen(base);
	if (n >= 3 && strcmp(base + n - 3, "/ra") == 0)
		n -= 3;
	snprintf(buf, sz, "%.*s/acme/directory", (int)n, base);
	return buf;
}

enum ra_err
ra_acme_list(PGconn *db, int64_t officer, struct ra_acme_list *l)
{
	enum ra_err	 er;

	memset(l, 0, sizeof(*l));
	if ((er = ra_db_run(db, "acme applications", SQL_APPS, &l->apps,
	    RA_ARGS(RA_INT(officer)))) != RA_OK ||
	    (er = ra_db_run(db, "acme orders", SQL_ORDERS, &l->orders,
	    RA_ARGS(RA_INT(officer)))) != RA_OK ||
	    (er = ra_db_run(db, "acme certificates", SQL_CERTS, &l->certs,
	    RA_ARGS(RA_INT(officer)))) != RA_OK)
		ra_acme_list_free(l);
	return er;
}

void
ra_acme_list_free(struct ra_acme_list *l)
{
	PQclear(l->apps);
	PQclear(l->orders);
	PQclear(l->certs);
	memset(l, 0, sizeof(*l));
}

/* An officer's change or its refusal, in the open transaction. */
static enum ra_err
officer_audit(PGconn *db, const char *event, enum ra_err verdict,
    int64_t inst, int64_t officer, const char *source_ip, const char *detail)
{
	struct ra_event	 ev;
	char		 actor[40];

	snprintf(actor, sizeof(actor), "officer:%lld", (long long)officer);
	memset(&ev, 0, sizeof(ev));
	ev.event = event;
	ev.outcome = verdict == RA_OK ? "ok" : "refused";
	ev.actor = source_ip != NULL ? NULL : actor;
	ev.institution_id = inst;
	ev.officer_id = officer;
	ev.source_ip = source_ip;
	ev.detail = detail;
	return ra_audit(db, &ev);
}

/*
 * Officer "officer" suspends, resumes or closes application "app"; done
 * or refused, audited in one transaction ("source_ip" NULL: a shell).
 * RA_OK with ch->outcome "ok"; RA_EDENIED (not the officer's), RA_EPOLICY
 * (closed: final) or RA_EDUP (already so), each audited as refused.
 */
enum ra_err
ra_acme_change(PGconn *db, int64_t officer, int64_t app, enum ra_acme_op op,
    const char *source_ip, struct ra_acme_change *ch)
{
	PGresult	*res = NULL;
	int64_t		 inst = 0;
	char		 detail[160];
	enum ra_err	 er, verdict;

	memset(ch, 0, sizeof(*ch));
	if (op >= RA_ACME_OP__MAX || ops[op].status == NULL)
		return RA_EINPUT;
	if ((er = ra_db_begin(db)) != RA_OK)
		return er;
	if ((er = ra_db_run1(db, "acme status", SQL_SET, &res,
	    RA_ARGS(RA_INT(officer), RA_INT(app),
	    RA_TEXT(ops[op].status)))) != RA_OK ||
	    (er = ra_get_str(res, 0, "outcome", ch->outcome,
	    sizeof(ch->outcome))) != RA_OK ||
	    (er = ra_get_str(res, 0, "old_status", ch->old_status,
	    sizeof(ch->old_status))) != RA_OK ||
	    (er = ra_get_i64(res, 0, "institution_id", &inst)) != RA_OK)
		goto out;
	verdict = strcmp(ch->outcome, "ok") == 0 ? RA_OK :
	    strcmp(ch->outcome, "closed") == 0 ? RA_EPOLICY :
	    strcmp(ch->outcome, "same") == 0 ? RA_EDUP : RA_EDENIED;
	/* Each value here is a number or a word of ours. */
	snprintf(detail, sizeof(detail), "{\"application_id\": %lld, \"op\": "
	    "\"%s\", \"outcome\": \"%s\", \"was\": \"%s\"}", (long long)app,
	    ops[op].name, ch->outcome, ch->old_status);
	if ((er = officer_audit(db, "acme.application_status", verdict, inst,
	    officer, source_ip, detail)) != RA_OK ||
	    (er = ra_db_commit(db)) != RA_OK)
		goto out;
	er = verdict;
out:
	ra_db_rollback(db);
	PQclear(res);
	return er;
}

/*
 * Inside the caller's transaction: a one-time URL for application
 * m->application_id, made by this transaction (a new application, or a
 * reissue), and its mail to the user administrator (acme-eab-url).
 */
enum ra_err
ra_acme_eab_mail(PGconn *db, const struct ra_conf *c,
    const struct ra_acme_mail *m)
{
	struct ra_kv	 kv[8];
	PGresult	*res = NULL;
	const char	*site = ra_conf_get(c, "Site.URL");
	unsigned char	 sha[32];
	char		 token[RA_TOKEN_LEN + 1], url[512], cn[256], id[24];
	size_t		 n;
	enum ra_err	 er;

	if (site == NULL) {
		ra_warnx("Site.URL is not set: no EAB retrieval mail");
		return RA_ECONF;
	}
	if (m->token != NULL)
		snprintf(token, sizeof(token), "%s", m->token);
	else if ((er = ra_token_new(token, sha)) != RA_OK)
		return er;
	else if ((er = ra_db_run1(db, "eab url", SQL_URL, &res,
	    RA_ARGS(RA_INT(m->officer_id), RA_INT(m->application_id),
	    RA_BYTES(sha, sizeof(sha))))) != RA_OK)
		goto out;
	snprintf(url, sizeof(url), "%s/eabget.cgi?t=%s", site, token);
	snprintf(cn, sizeof(cn), "%.*s", (int)strcspn(m->fqdns, " "), m->fqdns);
	snprintf(id, sizeof(id), "%lld", (long long)m->application_id);
	n = 0;
	kv[n++] = (struct ra_kv){ "NameJa", m->name };
	kv[n++] = (struct ra_kv){ "Affiliation", m->affiliation };
	kv[n++] = (struct ra_kv){ "URL", url };
	kv[n++] = (struct ra_kv){ "Expires", m->expires != NULL ? m->expires :
	    ra_get_text(res, 0, "expires") };
	kv[n++] = (struct ra_kv){ "FQDNs", m->fqdns };
	kv[n++] = (struct ra_kv){ "CN", cn };
	kv[n++] = (struct ra_kv){ "Application", id };
	kv[n++] = (struct ra_kv){ "Reissued", m->reissued ? "1" : "0" };
	er = ra_mail_queue(db, "acme-eab-url", m->mail, kv, n);
out:
	OPENSSL_cleanse(token, sizeof(token));
	OPENSSL_cleanse(url, sizeof(url));
	PQclear(res);
	return er;
}

/*
 * A fresh EAB for application "app" of officer "officer", before any
 * account was made with the old one (a mail that failed, a URL that
 * expired or was seen by someone else): a new key id and HMAC key, the
 * old URLs void, a new URL mailed.  Done or refused, audited, in one
 * transaction.  RA_OK with r->outcome "ok"; RA_EDENIED (not the
 * officer's), RA_EPOLICY (closed, or an account exists), audited.
 */
enum ra_err
ra_acme_reissue(PGconn *db, const struct ra_conf *c, int64_t officer,
    int64_t app, const char *source_ip, struct ra_acme_reissue *r)
{
	struct ra_acme_mail	 m;
	PGresult		*res = NULL;
	unsigned char		 hmac[32], kidraw[32], sha[32];
	char			 kid[RA_TOKEN_LEN + 1], token[RA_TOKEN_LEN + 1],
				 detail[160];
	int64_t			 inst = 0;
	enum ra_err		 er, verdict;

	memset(r, 0, sizeof(*r));
	if (ra_token_new(kid, kidraw) != RA_OK ||
	    ra_token_new(token, sha) != RA_OK ||
	    RAND_bytes(hmac, sizeof(hmac)) != 1)
		return RA_ECRYPTO;
	if ((er = ra_db_begin(db)) != RA_OK)
		goto out;
	/* The old URLs go, the new one comes, in the function. */
	er = ra_db_run1(db, "eab reissue", SQL_REISSUE, &res,
	    RA_ARGS(RA_INT(officer), RA_INT(app), RA_TEXT(kid),
	    RA_BYTES(hmac, sizeof(hmac)), RA_BYTES(sha, sizeof(sha))));
	OPENSSL_cleanse(hmac, sizeof(hmac));
	if (er != RA_OK ||
	    (er = ra_get_str(res, 0, "outcome", r->outcome,
	    sizeof(r->outcome))) != RA_OK ||
	    (er = ra_get_str(res, 0, "admin_mail", r->mail,
	    sizeof(r->mail))) != RA_OK ||
	    (er = ra_get_i64(res, 0, "institution_id", &inst)) != RA_OK)
		goto out;
	verdict = strcmp(r->outcome, "ok") == 0 ? RA_OK :
	    strcmp(r->outcome, "denied") == 0 ? RA_EDENIED : RA_EPOLICY;
	if (verdict == RA_OK) {
		memset(&m, 0, sizeof(m));
		m.officer_id = officer;
		m.application_id = app;
		m.name = ra_get_text(res, 0, "admin_name");
		m.affiliation = ra_get_text(res, 0, "admin_org");
		m.mail = r->mail;
		m.fqdns = ra_get_text(res, 0, "fqdns");
		m.reissued = 1;
		m.token = token;
		m.expires = ra_get_text(res, 0, "expires");
		if ((er = ra_acme_eab_mail(db, c, &m)) != RA_OK)
			goto out;
	}
	/* Each value here is a number or a word of ours. */
	snprintf(detail, sizeof(detail), "{\"application_id\": %lld, "
	    "\"outcome\": \"%s\"}", (long long)app, r->outcome);
	if ((er = officer_audit(db, "acme.eab_reissue", verdict, inst,
	    officer, source_ip, detail)) != RA_OK ||
	    (er = ra_db_commit(db)) != RA_OK)
		goto out;
	er = verdict;
out:
	ra_db_rollback(db);
	OPENSSL_cleanse(token, sizeof(token));
	OPENSSL_cleanse(kid, sizeof(kid));
	PQclear(res);
	return er;
}

/*
 * The one-time EAB URL "token", used up as it is read (the caller's
 * transaction; commit before showing anything).  RA_ENOTFOUND: no such
 * URL.  Otherwise "e" says whether the key is shown now, and if not why
 * (and whom to ask); "source_ip" for the audit, which this writes.
 */
enum ra_err
ra_acme_eab_open(PGconn *db, const char *token, const char *source_ip,
    struct ra_acme_eab *e)
{
	struct ra_event	 ev;
	PGresult	*res = NULL;
	unsigned char	*hmac = NULL;
	char		 detail[128];
	size_t		 len = 0;
	enum ra_err	 er;

	memset(e, 0, sizeof(*e));
	if ((er = ra_db_run1(db, "eab url", SQL_EAB, &res,
	    RA_ARGS(RA_TEXT(token)))) != RA_OK)
		goto out;
	if ((er = ra_get_bool(res, 0, "shown", &e->shown)) != RA_OK ||
	    (er = ra_get_str(res, 0, "state", e->state,
	    sizeof(e->state))) != RA_OK ||
	    (er = ra_get_str(res, 0, "eab_kid", e->kid, sizeof(e->kid))) !=
	    RA_OK ||
	    (er = ra_get_str(res, 0, "fqdns", e->fqdns, sizeof(e->fqdns))) !=
	    RA_OK ||
	    (er = ra_get_str(res, 0, "cn", e->cn, sizeof(e->cn))) != RA_OK ||
	    (er = ra_get_str(res, 0, "admin_name", e->admin_name,
	    sizeof(e->admin_name))) != RA_OK ||
	    (er = ra_get_str(res, 0, "officer_name", e->officer_name,
	    sizeof(e->officer_name))) != RA_OK ||
	    (er = ra_get_str(res, 0, "officer_mail", e->officer_mail,
	    sizeof(e->officer_mail))) != RA_OK ||
	    (er = ra_get_str(res, 0, "institution_ja", e->institution_ja,
	    sizeof(e->institution_ja))) != RA_OK ||
	    (er = ra_get_i64(res, 0, "institution_id", &e->institution_id)) !=
	    RA_OK ||
	    (er = ra_get_i64(res, 0, "application_id", &e->application_id)) !=
	    RA_OK)
		goto out;
	if (e->shown) {
		if ((er = ra_get_bytea(res, 0, "eab_hmac", &hmac, &len)) !=
		    RA_OK)
			goto out;
		if (len != 32 || !ra_b64url(hmac, len, e->hmac,
		    sizeof(e->hmac))) {
			er = RA_EDB;
			goto out;
		}
	}
	snprintf(detail, sizeof(detail), "{\"application_id\": %lld, "
	    "\"state\": \"%s\"}", (long long)e->application_id, e->state);
	memset(&ev, 0, sizeof(ev));
	ev.event = "acme.eab_retrieval";
	ev.outcome = e->shown ? "ok" : "refused";
	ev.actor = "user-administrator";
	ev.institution_id = e->institution_id;
	ev.source_ip = source_ip;
	ev.detail = detail;
	er = ra_audit(db, &ev);
out:
	if (hmac != NULL) {
		OPENSSL_cleanse(hmac, len);
		PQfreemem(hmac);
	}
	PQclear(res);
	if (er != RA_OK)
		ra_acme_eab_clear(e);
	return er;
}

void
ra_acme_eab_clear(struct ra_acme_eab *e)
{
	OPENSSL_cleanse(e, sizeof(*e));
}

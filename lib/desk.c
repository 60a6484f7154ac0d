/*
 * desk.c: the service desk's actions (manual 2-2-1): institutions, their
 * domains and OU allow lists, RA officers, their retrieval URLs and
 * access PINs, renewal notices, desk operators.  Each action is one
 * transaction with its audit row, and answers with an enum ra_err and,
 * for the desk to read, what was done ("said") or why not ("why"); the
 * shell commands and the desk screen (cgi-bin/desk.c) only show them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <ClearSilver.h>

#include "ra.h"
#include "domain.h"
#include "desk.h"

static const char SQL_INSTITUTION_ADD[] =
    "INSERT INTO ra.institution (code, name_ja, name_en, st, l, status,"
    "  usage_from, usage_until)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8::date)"
    " RETURNING institution_id";
static const char SQL_DOMAIN_ADD[] =
    "INSERT INTO ra.domain (institution_id, name)"
    " SELECT institution_id, pg_catalog.lower($2) FROM ra.institution"
    "  WHERE code = $1 RETURNING institution_id";
/*
 * The OU allow list: what changed comes back as the audit's detail, made
 * by PostgreSQL so the desk's text is never spliced into JSON.
 */
static const char SQL_OU_ADD[] =
    "INSERT INTO ra.domain_ou (domain_id, ou)"
    " SELECT domain_id, $2 FROM ra.domain WHERE name = pg_catalog.lower($1)"
    " RETURNING (SELECT institution_id FROM ra.domain WHERE name ="
    "  pg_catalog.lower($1)) AS institution_id,"
    "  pg_catalog.jsonb_build_object('domain', pg_catalog.lower($1),"
    "   'ou', ou::text)::text AS detail";
/* By text: an OU the domain's rules refuse is simply not on the list. */
static const char SQL_OU_REMOVE[] =
    "DELETE FROM ra.domain_ou o USING ra.domain d"
    " WHERE d.domain_id = o.domain_id AND d.name = pg_catalog.lower($1)"
    "   AND o.ou::text = $2::text"
    " RETURNING d.institution_id,"
    "  pg_catalog.jsonb_build_object('domain', d.name,"
    "   'ou', o.ou::text)::text AS detail";
static const char SQL_DOMAIN_IS[] =
    "SELECT 1 FROM ra.domain WHERE name = pg_catalog.lower($1)";
static const char SQL_OFFICER_ADD[] =
    "INSERT INTO ra.officer (institution_id, name_ja, name_romaji, mail, phone)"
    " SELECT institution_id, $2, $3, $4, $5 FROM ra.institution WHERE code = $1"
    " RETURNING officer_id, institution_id,"
    "  (SELECT name_ja FROM ra.institution WHERE code = $1) AS institution_ja,"
    "  name_ja, name_romaji, mail";
static const char SQL_OFFICER_DOMAINS[] =
    "INSERT INTO ra.officer_domain (institution_id, officer_id, domain_id)"
    " SELECT institution_id, $2::bigint, domain_id FROM ra.domain"
    "  WHERE institution_id = $1::bigint"
    "    AND name = ANY (pg_catalog.string_to_array(pg_catalog.lower($3), ','))";
static const char SQL_OFFICER_PERMS[] =
    "INSERT INTO ra.officer_permission (officer_id, interface)"
    " SELECT $1::bigint, i::smallint"
    "   FROM pg_catalog.unnest(pg_catalog.string_to_array($2, ',')) AS i";

/*
 * RA certificates near expiry whose officer has no live renewal URL: the
 * officer's newest unrevoked one (one the desk's renew-reissue revoked,
 * never downloaded, no longer hides the one in use).
 */
static const char SQL_EXPIRING[] =
    "SELECT c.cert_id, c.officer_id, c.institution_id, o.name_ja, o.mail,"
    "       i.name_ja AS institution_ja,"
    "       to_char(c.not_after AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD')"
    "         AS not_after, o.name_romaji"
    "  FROM ra.certificate c"
    "  JOIN ra.officer o ON o.officer_id = c.officer_id"
    "  JOIN ra.institution i ON i.institution_id = c.institution_id"
    " WHERE c.kind = 'ra_officer' AND c.state = 'issued'"
    "   AND c.not_after BETWEEN pg_catalog.now()"
    "       AND pg_catalog.now() + pg_catalog.make_interval(days => $1::integer)"
    "   AND o.status = 'active' AND i.status = 'active'"
    "   AND NOT EXISTS (SELECT 1 FROM ra.revocation r"
    "                    WHERE r.cert_id = c.cert_id)"
    "   AND c.cert_id = (SELECT max(c2.cert_id) FROM ra.certificate c2"
    "                     WHERE c2.officer_id = c.officer_id"
    "                       AND c2.state = 'issued'"
    "                       AND NOT EXISTS (SELECT 1 FROM ra.revocation r2"
    "                                        WHERE r2.cert_id = c2.cert_id))"
    "   AND NOT EXISTS (SELECT 1 FROM ra.access_token t"
    "                    WHERE t.officer_id = c.officer_id"
    "                      AND t.purpose = 'ra_renew' AND t.used_at IS NULL"
    "                      AND t.expires_at > pg_catalog.now())";

/* The officer's current RA certificate: the newest delivered, live one. */
static const char SQL_RENEW_CERT[] =
    "SELECT c.cert_id, c.serial::text AS serial,"
    "       to_char(c.not_after AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD')"
    "         AS not_after"
    "  FROM ra.certificate c"
    " WHERE c.officer_id = $1::bigint AND c.kind = 'ra_officer'"
    "   AND c.state = 'issued' AND c.retrieved_at IS NOT NULL"
    "   AND c.not_after > pg_catalog.now()"
    "   AND NOT EXISTS (SELECT 1 FROM ra.revocation v"
    "                    WHERE v.cert_id = c.cert_id)"
    " ORDER BY c.cert_id DESC LIMIT 1";
static const char SQL_RENEW_DETAIL[] =
    "SELECT pg_catalog.jsonb_build_object('serial', $1::numeric,"
    "  'revoked', coalesce(pg_catalog.string_to_array(nullif($2, ''),"
    "  ', ')::numeric[], '{}'))::text AS detail";

static const char SQL_OVERVIEW[] =
    "SELECT i.code, i.name_ja, i.name_en, i.status,"
    "       coalesce((SELECT string_agg(d.name, ', ' ORDER BY d.name)"
    "                   FROM ra.domain d"
    "                  WHERE d.institution_id = i.institution_id), '')"
    "         AS domains,"
    "       coalesce((SELECT string_agg(o.officer_id || ' ' || o.name_ja ||"
    "                   ' <' || o.mail || '>', '; ' ORDER BY o.officer_id)"
    "                   FROM ra.officer o"
    "                  WHERE o.institution_id = i.institution_id), '')"
    "         AS officers"
    "  FROM ra.institution i ORDER BY i.code LIMIT 500";
/* Each domain with its OUs, one row per OU (ou NULL: none), in order. */
static const char SQL_ALLOW_ALL[] =
    "SELECT i.code, d.name AS domain, o.ou::text AS ou"
    "  FROM ra.domain d"
    "  JOIN ra.institution i ON i.institution_id = d.institution_id"
    "  LEFT JOIN ra.domain_ou o ON o.domain_id = d.domain_id"
    " ORDER BY i.code, d.name COLLATE \"C\", o.ou COLLATE \"C\""
    " LIMIT 20000";

enum ra_err
ra_desk_institution_add(struct ra_desk *d, const struct ra_desk_args *a)
{
	if (a->code == NULL || a->name_ja == NULL || a->name_en == NULL ||
	    a->st == NULL || a->l == NULL || a->from == NULL ||
	    a->until == NULL)
		return RA_EUSAGE;
	return desk_insert(d, "institution", SQL_INSTITUTION_ADD,
	    "desk.institution.add", "institution not added",
	    RA_ARGS(RA_TEXT(a->code), RA_TEXT(a->name_ja), RA_TEXT(a->name_en),
	    RA_TEXT(a->st), RA_TEXT(a->l),
	    RA_TEXT(a->status != NULL ? a->status : "active"),
	    RA_TEXT(a->from), RA_TEXT(a->until)), a);
}

enum ra_err
ra_desk_domain_add(struct ra_desk *d, const struct ra_desk_args *a)
{
	if (a->institution == NULL || a->domain == NULL)
		return RA_EUSAGE;
	return desk_insert(d, "domain", SQL_DOMAIN_ADD, "desk.domain.add",
	    "no institution has that code",
	    RA_ARGS(RA_TEXT(a->institution), RA_TEXT(a->domain)), a);
}

/*
 * Add or remove one OU of a domain's allow list ("sql" returns the
 * institution and the audit's detail): one transaction with its audit.
 */
static enum ra_err
ou_change(struct ra_desk *d, const struct ra_desk_args *a, const char *sql,
    const char *event, const char *done)
{
	PGresult	*res = NULL;
	int64_t		 inst;
	enum ra_err	 er;

	if (a->domain == NULL || a->ou == NULL)
		return RA_EUSAGE;
	if ((er = ra_db_begin(d->db)) != RA_OK)
		return er;
	if ((er = ra_db_run1(d->db, "OU allow list", sql, &res,
	    RA_ARGS(RA_TEXT(a->domain), RA_TEXT(a->ou)))) == RA_ENOTFOUND) {
		PQclear(res);
		res = NULL;
		er = ra_db_run1(d->db, "domain", SQL_DOMAIN_IS, &res,
		    RA_ARGS(RA_TEXT(a->domain)));
		if (er == RA_ENOTFOUND)
			er = desk_why(d, RA_EINPUT, "domain %s is not "
			    "registered", a->domain);
		else if (er == RA_OK)
			er = desk_why(d, RA_EINPUT, "OU %s is not on the allow "
			    "list of %s", a->ou, a->domain);
	}
	if (er != RA_OK)
		goto out;
	if ((er = ra_get_i64(res, 0, "institution_id", &inst)) == RA_OK &&
	    (er = desk_audit(d, event, inst, 0, ra_get_text(res, 0,
	    "detail"))) == RA_OK &&
	    (er = ra_db_commit(d->db)) == RA_OK)
		desk_said(d, "OU %s %s %s", a->ou, done, a->domain);
out:
	PQclear(res);
	er = desk_db_why(d, er, "OU allow list");
	ra_db_rollback(d->db);
	return er != RA_OK && *d->why != '\0' ? desk_refused(d, er, event, a) :
	    er;
}

/*
 * What the allow list holds (schema: ra.dn_text, ra.domain_ou), said in
 * words before the database says it in constraint names: 2 to 64 of
 * these, a letter among them, no space at either end nor two in a row
 * (uploads compare OUs as X.509 does, spaces folded).
 */
static const char ou_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    " '(),./:=-";

static int
ou_ok(const char *ou)
{
	size_t	 n = strlen(ou);

	return n >= 2 && n <= 64 && strspn(ou, ou_chars) == n &&
	    strpbrk(ou, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
	    != NULL && ou[0] != ' ' && ou[n - 1] != ' ' &&
	    strstr(ou, "  ") == NULL;
}

enum ra_err
ra_desk_ou_add(struct ra_desk *d, const struct ra_desk_args *a)
{
	if (a->ou != NULL && a->domain != NULL && !ou_ok(a->ou))
		return desk_refused(d, desk_why(d, RA_EINPUT, "OU \"%s\" cannot "
		    "be registered: 2 to 64 half-width letters, digits, spaces "
		    "and '(),./:=-, at least one letter, no space at either end "
		    "nor two in a row", a->ou), "desk.ou.add", a);
	return ou_change(d, a, SQL_OU_ADD, "desk.ou.add",
	    "added to the allow list of");
}

/* Uploads check OUs when they run: a removed OU is refused from now on. */
enum ra_err
ra_desk_ou_remove(struct ra_desk *d, const struct ra_desk_args *a)
{
	return ou_change(d, a, SQL_OU_REMOVE, "desk.ou.remove",
	    "removed from the allow list of");
}

static const char *
site_url(struct ra_desk *d)
{
	const char	*base = ra_conf_get(d->conf, "Site.URL");

	if (base == NULL)
		desk_why(d, RA_ECONF, "config %s: Site.URL is not set",
		    d->conf->path);
	return base;
}

/* Whom a new URL of the officer in row "i" of "res" is for. */
enum ra_err
desk_url_who(const PGresult *res, int i, struct ra_url_who *w)
{
	enum ra_err	 er;

	memset(w, 0, sizeof(*w));
	if ((er = ra_get_i64(res, i, "institution_id", &w->institution_id)) !=
	    RA_OK ||
	    (er = ra_get_i64(res, i, "officer_id", &w->officer_id)) != RA_OK)
		return er;
	w->name_ja = ra_get_text(res, i, "name_ja");
	w->name_romaji = ra_get_text(res, i, "name_romaji");
	w->institution_ja = ra_get_text(res, i, "institution_ja");
	w->mail = ra_get_text(res, i, "mail");
	return RA_OK;
}

/*
 * Register an RA officer with domains and interfaces, make their
 * retrieval URL and queue the mail that carries it: one transaction.
 */
enum ra_err
ra_desk_officer_add(struct ra_desk *d, const struct ra_desk_args *a)
{
	struct ra_url_who	 who;
	PGresult		*res = NULL, *dom = NULL;
	const char		*p;
	size_t			 ndom;
	enum ra_err		 er;

	if (a->institution == NULL || a->name_ja == NULL || a->romaji == NULL ||
	    a->mail == NULL || a->phone == NULL || a->domains == NULL ||
	    a->interfaces == NULL)
		return RA_EUSAGE;
	if (site_url(d) == NULL)
		return RA_ECONF;
	if ((er = ra_db_begin(d->db)) != RA_OK)
		return er;
	if ((er = ra_db_run1(d->db, "officer", SQL_OFFICER_ADD, &res,
	    RA_ARGS(RA_TEXT(a->institution), RA_TEXT(a->name_ja),
	    RA_TEXT(a->romaji), RA_TEXT(a->mail), RA_TEXT(a->phone)))) !=
	    RA_OK) {
		if (er == RA_ENOTFOUND)
			er = desk_why(d, RA_EINPUT, "no institution has code %s",
			    a->institution);
		else if (er == RA_EDUP)
			er = desk_why(d, er, "an officer with mail %s is "
			    "already registered there", a->mail);
		goto out;
	}
	if ((er = desk_url_who(res, 0, &who)) != RA_OK)
		goto out;
	for (ndom = 1, p = a->domains; *p != '\0'; p++)
		ndom += *p == ',';
	if ((er = ra_db_run(d->db, "officer domains", SQL_OFFICER_DOMAINS,
	    &dom, RA_ARGS(RA_INT(who.institution_id), RA_INT(who.officer_id),
	    RA_TEXT(a->domains)))) != RA_OK)
		goto out;
	if (strtoul(PQcmdTuples(dom), NULL, 10) != ndom) {
		er = desk_why(d, RA_EINPUT, "%s: every domain must be registered "
		    "for institution %s", a->domains, a->institution);
		goto out;
	}
	if ((er = ra_db_run(d->db, "officer interfaces", SQL_OFFICER_PERMS,
	    NULL, RA_ARGS(RA_INT(who.officer_id), RA_TEXT(a->interfaces)))) !=
	    RA_OK ||
	    (er = ra_url_ra_cert_new(d->db, d->conf, &who)) != RA_OK ||
	    (er = desk_audit(d, "desk.officer.add", who.institution_id,
	    who.officer_id, NULL)) != RA_OK ||
	    (er = ra_db_commit(d->db)) != RA_OK)
		goto out;
	desk_said(d, "officer %lld registered; the retrieval URL is mailed to "
	    "%s", (long long)who.officer_id, a->mail);
out:
	er = desk_db_why(d, er, "officer");
	ra_db_rollback(d->db);
	PQclear(res);
	PQclear(dom);
	return er != RA_OK && *d->why != '\0' ?
	    desk_refused(d, er, "desk.officer.add", a) : er;
}

/*
 * A new retrieval URL for a registered officer who holds no live RA
 * certificate (the first URL expired unused, or the PKCS#12 was never
 * downloaded): the old ones stop working.
 */
enum ra_err
ra_desk_url_reissue(struct ra_desk *d, const struct ra_desk_args *a)
{
	struct ra_url_who	 who;
	PGresult		*res = NULL;
	int			 logins = 0, live = 0;
	enum ra_err		 er;

	if (site_url(d) == NULL)
		return RA_ECONF;
	if ((er = desk_officer_begin(d, a, &res)) != RA_OK)
		goto out;
	if (strcmp(ra_get_text(res, 0, "status"), "active") != 0) {
		er = desk_why(d, RA_EINPUT, "officer %lld is not registered or "
		    "not active", a->officer);
		goto out;
	}
	if ((er = ra_get_bool(res, 0, "logins", &logins)) != RA_OK ||
	    (er = ra_get_bool(res, 0, "live", &live)) != RA_OK)
		goto out;
	if (!logins) {
		er = desk_why(d, RA_EINPUT, "officer %lld: their institution's "
		    "officers cannot log in now; no retrieval URL", a->officer);
		goto out;
	}
	if (live) {
		er = desk_why(d, RA_EINPUT, "officer %lld holds a live RA "
		    "certificate: for a lost one use officer-lost (it is "
		    "revoked), for a renewal renew-reissue", a->officer);
		goto out;
	}
	if ((er = desk_url_who(res, 0, &who)) != RA_OK ||
	    (er = ra_url_ra_cert_new(d->db, d->conf, &who)) != RA_OK ||
	    (er = desk_audit(d, "desk.url.reissue", who.institution_id,
	    a->officer, NULL)) != RA_OK ||
	    (er = ra_db_commit(d->db)) != RA_OK)
		goto out;
	desk_said(d, "a new retrieval URL for officer %lld is mailed to %s",
	    a->officer, who.mail);
out:
	er = desk_db_why(d, er, "retrieval URL");
	ra_db_rollback(d->db);
	PQclear(res);
	return er != RA_OK && *d->why != '\0' ?
	    desk_refused(d, er, "desk.url.reissue", a) : er;
}

/* The printable PIN letter (HTML) for the officer of URL "u". */
static enum ra_err
pin_letter(struct ra_desk *d, const struct ra_officer_url *u,
    const char *pin, char **html)
{
	HDF		*hdf = NULL;
	NEOERR		*err;
	enum ra_err	 er = RA_ENOMEM;

	*html = NULL;
	if ((err = hdf_init(&hdf)) != STATUS_OK) {
		nerr_ignore(&err);
		return RA_ENOMEM;
	}
	if ((err = hdf_set_value(hdf, "Letter.InstitutionJa",
	    u->institution_ja)) != STATUS_OK ||
	    (err = hdf_set_value(hdf, "Letter.NameJa", u->name_ja)) !=
	    STATUS_OK ||
	    (err = hdf_set_value(hdf, "Letter.NameRomaji", u->name_romaji)) !=
	    STATUS_OK ||
	    (err = hdf_set_value(hdf, "Letter.Expires", u->expires)) !=
	    STATUS_OK ||
	    (err = hdf_set_value(hdf, "Letter.PIN", pin)) != STATUS_OK) {
		nerr_ignore(&err);
		goto out;
	}
	er = ra_render_buf(hdf, ra_conf_get(d->conf, "Paths.Templates"),
	    "pin-letter.cs", html);
out:
	/* ClearSilver keeps the PIN in the tree: clear it before freeing. */
	(void)hdf_set_value(hdf, "Letter.PIN", "");
	hdf_destroy(&hdf);
	return er;
}

/* The officer's live retrieval URL, or the reason there is none. */
static enum ra_err
officer_url(struct ra_desk *d, int64_t officer, struct ra_officer_url *u)
{
	enum ra_err	 er;

	if ((er = ra_url_of_officer(d->db, officer, u)) == RA_ENOTFOUND)
		er = desk_why(d, RA_EINPUT, "officer %lld has no live retrieval "
		    "URL", (long long)officer);
	return er;
}

/*
 * Give the officer's live retrieval URL a new access PIN (after the desk
 * checked who they are).  The PIN is said once and stored hashed.  With
 * a->letter a file path, the PIN letter is written there (mode 0600)
 * before the PIN is stored; with "-", it is left in d->letter.
 */
enum ra_err
ra_desk_pin_issue(struct ra_desk *d, const struct ra_desk_args *a)
{
	struct ra_officer_url	 u;
	struct ra_pin_stored	 st;
	char			 pin[RA_PIN_LEN + 1] = "", *html = NULL;
	enum ra_err		 er;

	if (a->officer <= 0)
		return RA_EUSAGE;
	memset(&st, 0, sizeof(st));
	if ((er = ra_db_begin(d->db)) != RA_OK)
		return er;
	if ((er = officer_url(d, a->officer, &u)) != RA_OK)
		goto out;
	/* Unlocking is its own, deliberate step (pin-reset). */
	if (u.locked) {
		er = desk_why(d, RA_EDENIED, "officer %lld: the retrieval URL is "
		    "locked after wrong PINs; check who is calling, then "
		    "pin-reset", a->officer);
		goto out;
	}
	if ((er = ra_pin_issue(d->conf, pin, &st)) != RA_OK ||
	    (er = ra_url_pin_store(d->db, u.token_id, &st)) != RA_OK ||
	    (er = desk_audit(d, "desk.pin.issue", u.institution_id, a->officer,
	    NULL)) != RA_OK)
		goto out;
	if (a->letter != NULL) {
		if ((er = pin_letter(d, &u, pin, &html)) != RA_OK)
			goto out;
		if (strcmp(a->letter, "-") != 0 &&
		    (er = ra_write_atomic(a->letter, html, strlen(html),
		    0600)) != RA_OK) {
			er = desk_why(d, er, "%s: the PIN letter could not be "
			    "written", a->letter);
			goto out;
		}
	}
	if ((er = ra_db_commit(d->db)) != RA_OK)
		goto out;
	desk_said(d, "access PIN for officer %lld (%s): %s", a->officer,
	    u.name_romaji, pin);
	if (a->letter != NULL && strcmp(a->letter, "-") == 0) {
		d->letter = html;
		html = NULL;
	}
out:
	if (html != NULL) {
		OPENSSL_cleanse(html, strlen(html));
		free(html);
	}
	OPENSSL_cleanse(pin, sizeof(pin));
	OPENSSL_cleanse(&st, sizeof(st));
	er = desk_db_why(d, er, "access PIN");
	ra_db_rollback(d->db);
	return er;
}

/* Unlock a locked retrieval URL; the old PIN is void, issue a new one. */
enum ra_err
ra_desk_pin_reset(struct ra_desk *d, const struct ra_desk_args *a)
{
	struct ra_officer_url	 u;
	enum ra_err		 er;

	if (a->officer <= 0)
		return RA_EUSAGE;
	if ((er = ra_db_begin(d->db)) != RA_OK)
		return er;
	if ((er = officer_url(d, a->officer, &u)) == RA_OK &&
	    (er = ra_url_pin_clear(d->db, u.token_id)) == RA_OK &&
	    (er = desk_audit(d, "desk.pin.reset", u.institution_id,
	    a->officer, NULL)) == RA_OK &&
	    (er = ra_db_commit(d->db)) == RA_OK)
		desk_said(d, "retrieval URL of officer %lld unlocked; issue a "
		    "new PIN with pin-issue", a->officer);
	er = desk_db_why(d, er, "retrieval URL");
	ra_db_rollback(d->db);
	return er;
}

/* One renewal notice: new URL (the old one gives way), mail, audit. */
static enum ra_err
renew_one(struct ra_desk *d, const PGresult *res, int i)
{
	struct ra_url_who	 who;
	enum ra_err		 er;

	if ((er = desk_url_who(res, i, &who)) != RA_OK ||
	    (er = ra_get_i64(res, i, "cert_id", &who.cert_id)) != RA_OK)
		return er;
	who.not_after = ra_get_text(res, i, "not_after");
	if ((er = ra_db_begin(d->db)) == RA_OK &&
	    (er = ra_url_renewal_new(d->db, d->conf, &who)) == RA_OK &&
	    (er = desk_audit(d, "desk.renew.notify", who.institution_id,
	    who.officer_id, NULL)) == RA_OK)
		er = ra_db_commit(d->db);
	ra_db_rollback(d->db);
	return er;
}

/*
 * Older RA certificates whose officer's newer one was issued
 * Ra.RenewGraceDays ago, logged in with or not, are revoked (superseded,
 * each audited and mailed; supersede.c): one transaction.
 */
static enum ra_err
supersede_sweep(struct ra_desk *d, int *revoked)
{
	enum ra_err	 er;

	*revoked = 0;
	if ((er = ra_db_begin(d->db)) == RA_OK &&
	    (er = ra_supersede_due(d->db, ra_supersede_grace(d->conf),
	    d->actor, revoked)) == RA_OK)
		er = ra_db_commit(d->db);
	ra_db_rollback(d->db);
	if (er != RA_OK) {
		*revoked = 0;
		ra_warnx("superseded RA certificates: not revoked (%s)",
		    ra_strerror(er));
	}
	return er;
}

/*
 * Cron, daily: first the superseded RA certificates past their grace are
 * revoked, then each officer whose RA certificate expires within a->days
 * (or Ra.RenewDays) is mailed a renewal URL that authenticates with that
 * certificate; at most one live renewal URL per officer.  One
 * transaction per officer, so one failure does not stop the rest.
 */
enum ra_err
ra_desk_renew_notify(struct ra_desk *d, const struct ra_desk_args *a)
{
	PGresult	*res = NULL;
	int		 i, sent = 0, revoked;
	enum ra_err	 er, first, sweep;

	if (site_url(d) == NULL)
		return RA_ECONF;
	first = sweep = supersede_sweep(d, &revoked);
	if ((er = ra_db_run(d->db, "expiring", SQL_EXPIRING, &res,
	    RA_ARGS(RA_INT(a->days > 0 ? a->days : ra_conf_int(d->conf,
	    "Ra.RenewDays", 30))))) != RA_OK)
		return er;
	for (i = 0; i < PQntuples(res); i++) {
		if ((er = renew_one(d, res, i)) == RA_OK) {
			sent++;
			continue;
		}
		ra_warnx("officer %s: renewal notice failed",
		    ra_get_text(res, i, "officer_id"));
		if (first == RA_OK)
			first = er;
	}
	desk_said(d, "%d renewal notice(s) queued; %d superseded RA "
	    "certificate(s) revoked", sent, revoked);
	if (first != RA_OK)
		desk_why(d, first, "%d renewal notice(s) failed%s",
		    PQntuples(res) - sent, sweep != RA_OK ? "; superseded RA "
		    "certificates not revoked" : "");
	PQclear(res);
	return first;
}

/*
 * A new renewal URL for the officer's current RA certificate (the newest
 * delivered, live one), mailed (ra-renew-url): the old renewal URL is
 * void, and an RA certificate its request made that was never downloaded
 * is revoked (superseded) with its waiting key, so nothing half-delivered
 * stays live.  One transaction; refusals are audited with why.
 */
enum ra_err
ra_desk_renew_reissue(struct ra_desk *d, const struct ra_desk_args *a)
{
	struct ra_url_who	 who;
	PGresult		*res = NULL, *crt = NULL, *det = NULL;
	const char		*status;
	char			 revoked[512];
	int			 n = 0;
	enum ra_err		 er;

	if (site_url(d) == NULL)
		return RA_ECONF;
	if ((er = desk_officer_begin(d, a, &res)) != RA_OK)
		goto out;
	status = ra_get_text(res, 0, "status");
	if (strcmp(status, "active") != 0) {
		er = desk_why(d, RA_EINPUT, "officer %lld is %s, not active: "
		    "no renewal URL", a->officer, status);
		goto out;
	}
	status = ra_get_text(res, 0, "institution_status");
	if (strcmp(status, "active") != 0) {
		er = desk_why(d, RA_EINPUT, "officer %lld: the institution is "
		    "%s, not active: no renewal URL", a->officer, status);
		goto out;
	}
	if ((er = desk_url_who(res, 0, &who)) != RA_OK ||
	    (er = ra_supersede_renew_void(d->db, a->officer, d->actor,
	    revoked, sizeof(revoked), &n)) != RA_OK)
		goto out;
	if ((er = ra_db_run1(d->db, "RA certificate", SQL_RENEW_CERT, &crt,
	    RA_ARGS(RA_INT(a->officer)))) != RA_OK) {
		if (er == RA_ENOTFOUND)
			er = desk_why(d, RA_EINPUT, "officer %lld has no live RA "
			    "certificate to renew (url-reissue gives a new one)",
			    a->officer);
		goto out;
	}
	if ((er = ra_get_i64(crt, 0, "cert_id", &who.cert_id)) != RA_OK)
		goto out;
	who.not_after = ra_get_text(crt, 0, "not_after");
	if ((er = ra_url_renewal_new(d->db, d->conf, &who)) != RA_OK ||
	    (er = ra_db_run1(d->db, "reissue detail", SQL_RENEW_DETAIL, &det,
	    RA_ARGS(RA_TEXT(ra_get_text(crt, 0, "serial")),
	    RA_TEXT(revoked)))) != RA_OK ||
	    (er = desk_audit(d, "desk.renew.reissue", who.institution_id,
	    a->officer, ra_get_text(det, 0, "detail"))) != RA_OK ||
	    (er = ra_db_commit(d->db)) != RA_OK)
		goto out;
	desk_said(d, "a new renewal URL for officer %lld (RA certificate %s) "
	    "is mailed to %s; the old renewal URL is void%s%s", a->officer,
	    ra_get_text(crt, 0, "serial"), who.mail, n > 0 ?
	    "; never downloaded, revoked (superseded): " : "", revoked);
out:
	er = desk_db_why(d, er, "renewal URL");
	ra_db_rollback(d->db);
	PQclear(res);
	PQclear(crt);
	PQclear(det);
	return er != RA_OK && *d->why != '\0' ?
	    desk_refused(d, er, "desk.renew.reissue", a) : er;
}

/* Every institution with its domains and officers, for the screen. */
enum ra_err
ra_desk_overview(struct ra_desk *d, PGresult **res)
{
	return ra_db_query(d->db, "overview", SQL_OVERVIEW, 0, NULL, res);
}

/* Every domain's OU allow list (code, domain, ou), for the screen. */
enum ra_err
ra_desk_allowlists(struct ra_desk *d, PGresult **res)
{
	return ra_db_query(d->db, "allow lists", SQL_ALLOW_ALL, 0, NULL, res);
}

void
ra_desk_free(struct ra_desk *d)
{
	OPENSSL_cleanse(d->said, sizeof(d->said));
	if (d->letter != NULL) {
		OPENSSL_cleanse(d->letter, strlen(d->letter));
		free(d->letter);
		d->letter = NULL;
	}
}

/*
 * setupcheck.c: is an installed ra ready to run?  Walks what ra.conf
 * names and what the database holds, in the order of ra(7), and says for
 * each thing what is still missing and which command puts it right.  It
 * looks, never changes: ra-setup(8) runs it last, an administrator runs
 * it after any change (ops.cgi check).
 */
#include <sys/stat.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ra.h"
#include "domain.h"

/* The Unix users of ra(7)'s table: each zone's and each service's. */
static const char *const setup_users[] = {
	"ra-public", "ra-officer", "ra-desk", "ra-tsa", "ra-ocsp", "ra-acme",
	"ra-worker", "ra-mail", "ra-acmeval",
};

/* What the sample leaves for the site to set. */
static const char *const setup_site_keys[] = {
	"Site.URL", "Pki.PublicURL", "Pki.OcspURL", "Mail.From",
	"Apache.ClientCA",
};

/* The kinds an officer's menu offers; ra_officer and server are needed. */
static const struct {
	const char	*kind;
	int		 needed;
} setup_kinds[] = {
	{ "ra_officer", 1 }, { "server", 1 }, { "client", 0 },
	{ "smime", 0 }, { "code_signing", 0 },
};

static const char SQL_CURRENT_CAS[] =
    "SELECT k.kind, c.name, c.slug, coalesce(c.key_path, '') AS key_path,"
    "       c.not_after < now() AS expired"
    "  FROM ra.ca_kind k JOIN ra.ca c USING (ca_id)"
    " WHERE k.current ORDER BY k.kind";

struct setup_report {
	FILE	*out;
	int	 missing;
};

static void
ok(struct setup_report *rp, const char *what)
{
	fprintf(rp->out, "ok       %s\n", what);
}

static void
missing(struct setup_report *rp, const char *what, const char *fix)
{
	fprintf(rp->out, "MISSING  %s\n         -> %s\n", what, fix);
	rp->missing++;
}

/* "path" a directory owned by "user", with no access for others if "priv". */
static void
dir_check(struct setup_report *rp, const char *key, const char *path,
    const char *user, int priv)
{
	struct stat	 st;
	struct passwd	*pw;
	char		 what[4200], fix[4400];

	snprintf(what, sizeof(what), "%s %s: a directory of %s", key,
	    path != NULL ? path : "(unset)", user);
	if (path == NULL) {
		missing(rp, what, "set it in ra.conf (ra.conf(5))");
		return;
	}
	pw = getpwnam(user);
	snprintf(fix, sizeof(fix), "install -d -o %s -m %s %s", user,
	    priv ? "0700" : "0755", path);
	if (stat(path, &st) == -1 || !S_ISDIR(st.st_mode) || pw == NULL ||
	    st.st_uid != pw->pw_uid || (priv && (st.st_mode & 077) != 0))
		missing(rp, what, fix);
	else
		ok(rp, what);
}

/* A CA key file: the worker's alone, read-only (ca.cgi(8), IMPORTING). */
static void
key_check(struct setup_report *rp, const char *name, const char *path)
{
	struct stat	 st;
	struct passwd	*pw = getpwnam("ra-worker");
	char		 what[4200], fix[4400];

	if (path[0] == '\0' || strncmp(path, "pkcs11:", 7) == 0)
		return;
	snprintf(what, sizeof(what), "the key of %s, %s: ra-worker's, mode "
	    "0400", name, path);
	snprintf(fix, sizeof(fix), "chown ra-worker: %s && chmod 0400 %s",
	    path, path);
	if (stat(path, &st) == -1 || pw == NULL || st.st_uid != pw->pw_uid ||
	    (st.st_mode & 077) != 0)
		missing(rp, what, fix);
	else
		ok(rp, what);
}

/* "dir"/<slug><ext>, a file published for relying parties. */
static void
published_check(struct setup_report *rp, const char *dir, const char *slug,
    const char *ext, const char *fix)
{
	struct stat	 st;
	char		 what[4200];
	int		 present;

	snprintf(what, sizeof(what), "%s/%s%s", dir, slug, ext);
	present = stat(what, &st) == 0 && st.st_size > 0;
	strncat(what, " published", sizeof(what) - strlen(what) - 1);
	if (present)
		ok(rp, what);
	else
		missing(rp, what, fix);
}

static void
conf_keys(struct setup_report *rp, const struct ra_conf *c)
{
	const char	*v;
	char		 what[600];
	size_t		 i;

	for (i = 0; i < RA_NITEMS(setup_site_keys); i++) {
		v = ra_conf_get(c, setup_site_keys[i]);
		snprintf(what, sizeof(what), "%s = %s", setup_site_keys[i],
		    v != NULL ? v : "(unset)");
		if (v == NULL || strstr(v, "example.ac.jp") != NULL)
			missing(rp, what, "set this site's value in ra.conf "
			    "(ra.conf(5); the sample's example.ac.jp is not it)");
		else
			ok(rp, what);
	}
}

static void
users(struct setup_report *rp)
{
	char	 what[80], fix[200];
	size_t	 i;

	for (i = 0; i < RA_NITEMS(setup_users); i++) {
		snprintf(what, sizeof(what), "Unix user %s", setup_users[i]);
		snprintf(fix, sizeof(fix), "ra-setup (or useradd --system "
		    "--user-group --no-create-home --shell /usr/sbin/nologin "
		    "%s)", setup_users[i]);
		if (getpwnam(setup_users[i]) == NULL)
			missing(rp, what, fix);
		else
			ok(rp, what);
	}
}

static void
files(struct setup_report *rp, const struct ra_conf *c)
{
	const char	*v;
	char		 what[4200], prog[4096];
	struct stat	 st;

	v = ra_conf_get(c, "Apache.ClientCA");
	snprintf(what, sizeof(what), "the client-CA bundle Apache trusts, %s",
	    v != NULL ? v : "(Apache.ClientCA unset)");
	if (v == NULL || stat(v, &st) == -1 || st.st_size == 0)
		missing(rp, what, "import the RA-officer CA, then "
		    "ca.cgi client-ca-bundle --reload");
	else
		ok(rp, what);
	v = ra_conf_get(c, "Mail.Sendmail");
	snprintf(prog, sizeof(prog), "%.*s", v != NULL ?
	    (int)strcspn(v, " \t") : 0, v != NULL ? v : "");
	snprintf(what, sizeof(what), "Mail.Sendmail %s: a program",
	    prog[0] != '\0' ? prog : "(unset)");
	if (prog[0] == '\0' || access(prog, X_OK) == -1)
		missing(rp, what, "install a sendmail-compatible MTA "
		    "(Debian: apt-get install exim4-daemon-light) or point "
		    "Mail.Sendmail at one (mail.cgi(8))");
	else
		ok(rp, what);
}

static void
cas(struct setup_report *rp, const struct ra_conf *c, PGconn *db)
{
	PGresult	*res = NULL;
	const char	*crldir = ra_conf_get(c, "Paths.Crl"), *kind;
	char		 what[600], fix[600];
	size_t		 k;
	int		 i, found;

	if (ra_db_run(db, "current CAs", SQL_CURRENT_CAS, &res, NULL, 0) !=
	    RA_OK) {
		missing(rp, "the CA catalogue (ra.ca)", "ops.cgi migrate");
		return;
	}
	for (k = 0; k < RA_NITEMS(setup_kinds); k++) {
		kind = setup_kinds[k].kind;
		for (found = -1, i = 0; i < PQntuples(res); i++)
			if (strcmp(ra_get_text(res, i, "kind"), kind) == 0)
				found = i;
		snprintf(what, sizeof(what), "a current CA for %s certificates",
		    kind);
		snprintf(fix, sizeof(fix), "ca.cgi import ... --kind %s "
		    "--current (ra(7), CERTIFICATE AUTHORITIES)", kind);
		if (found < 0) {
			if (setup_kinds[k].needed)
				missing(rp, what, fix);
			else	/* its menu item refuses until one is in */
				fprintf(rp->out, "none     %s\n", what);
			continue;
		}
		snprintf(what, sizeof(what), "the current CA for %s "
		    "certificates, %s", kind, ra_get_text(res, found, "name"));
		if (strcmp(ra_get_text(res, found, "expired"), "t") == 0)
			missing(rp, what, "it has expired: roll over to a new "
			    "CA (ra(7), CA ROLLOVER)");
		else if (ra_get_text(res, found, "key_path")[0] == '\0')
			missing(rp, what, "it has no key for the worker: "
			    "import it again with --key");
		else
			ok(rp, what);
		key_check(rp, ra_get_text(res, found, "name"),
		    ra_get_text(res, found, "key_path"));
		if (crldir == NULL)
			continue;
		published_check(rp, crldir, ra_get_text(res, found, "slug"),
		    ".crt", "ca.cgi import publishes it; copy the CA "
		    "certificate there as DER");
		published_check(rp, crldir, ra_get_text(res, found, "slug"),
		    ".crl", "runuser -u ra-worker -- worker.cgi crl");
	}
	PQclear(res);
}

/*
 * Print a line for each thing checked, "ok" or "MISSING" with the command
 * that supplies it; "*nmissing" how many are missing.  "db" is the
 * owner's connection, NULL when it could not be made (said, and counted).
 */
enum ra_err
ra_setup_check(const struct ra_conf *c, PGconn *db, FILE *out,
    int *nmissing)
{
	struct setup_report	 rp = { out, 0 };
	const char		*keyp;
	char			*dir = NULL, *slash;
	FILE			*sink = NULL;
	int			 pending = 0;
	enum ra_err		 er = RA_OK;

	fprintf(out, "ra.conf %s\n", c->path);
	conf_keys(&rp, c);
	users(&rp);
	dir_check(&rp, "Paths.Crl", ra_conf_get(c, "Paths.Crl"), "ra-worker",
	    0);
	dir_check(&rp, "Worker.KeyDir", ra_conf_get(c, "Worker.KeyDir"),
	    "ra-worker", 1);
	dir_check(&rp, "Audit.CheckpointDir", ra_conf_get(c,
	    "Audit.CheckpointDir"), "ra-worker", 0);
	if ((keyp = ra_conf_get(c, "Audit.Key")) != NULL &&
	    (dir = strdup(keyp)) != NULL && (slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		dir_check(&rp, "Audit.Key's directory", dir, "ra-worker", 1);
	}
	free(dir);
	files(&rp, c);
	if (db == NULL) {
		missing(&rp, "the database, as its owner (Db.Admin)",
		    "ra-setup; or createuser --createrole ra_owner, createdb "
		    "--owner ra_owner ra and the pg_hba/pg_ident lines of ra(7)");
		goto out;
	}
	if ((sink = fopen("/dev/null", "w")) == NULL) {
		er = RA_ESYS;
		goto out;
	}
	if ((er = ra_migrate_status(db, ra_conf_get(c, "Paths.Schema"), sink,
	    &pending)) != RA_OK)
		goto out;
	if (pending > 0) {
		missing(&rp, "the schema: migrations pending", "ops.cgi migrate");
		goto out;
	}
	ok(&rp, "the schema: every migration applied");
	cas(&rp, c, db);
out:
	if (sink != NULL)
		fclose(sink);
	fprintf(out, "%d thing(s) missing\n", rp.missing);
	*nmissing = rp.missing;
	return er;
}

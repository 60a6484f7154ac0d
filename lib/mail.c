/*
 * mail.c: the mail outbox.  A mail is a row (ra.mail) written in the same
 * transaction as the change that causes it: template name, recipients and
 * the data.  ra_mail_send_one() delivers: the message is rendered and
 * S/MIME-signed once, stored, then handed to the configured sendmail
 * command (fork/exec, no shell), and retried with backoff while the MTA
 * is down.  The Message-ID is the row's, so a resend after a crash at the
 * wrong instant is recognisable as the same mail.
 */
#include <sys/wait.h>

#include <errno.h>
#include <iconv.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>

#include <ClearSilver.h>

#include "ra.h"
#include "domain.h"

#define SENDMAIL_ARGS	16

static const char SQL_QUEUE[] =
    "INSERT INTO ra.mail (template, recipients, data)"
    " VALUES ($1, pg_catalog.string_to_array($2, ','),"
    "  pg_catalog.jsonb_object($3::text[], $4::text[]))"
    " RETURNING mail_id";
static const char SQL_DUE[] =
    "SELECT mail_id, template, pg_catalog.array_to_string(recipients, ','),"
    "       message, attempts"
    "  FROM ra.mail"
    " WHERE state = 'pending' AND next_attempt_at <= pg_catalog.now()"
    " ORDER BY mail_id LIMIT 1 FOR UPDATE SKIP LOCKED";
static const char SQL_DATA[] =
    "SELECT key, value FROM ra.mail, pg_catalog.jsonb_each_text(data)"
    " WHERE mail_id = $1::bigint";
static const char SQL_RENDERED[] =
    "UPDATE ra.mail SET message = $2::bytea WHERE mail_id = $1::bigint";
/*
 * Delivered: the message and the one-time URL in its data (key "URL",
 * the only place a token travels in clear) are not kept; what remains
 * says who got which mail when.
 */
static const char SQL_SENT[] =
    "UPDATE ra.mail SET state = 'sent', sent_at = pg_catalog.now(),"
    "       attempts = attempts + 1, last_error = NULL,"
    "       message = NULL, data = data - 'URL'"
    " WHERE mail_id = $1::bigint";
/* Backoff: 1, 2, 4 ... minutes, at most an hour; then failed. */
static const char SQL_RETRY[] =
    "UPDATE ra.mail SET attempts = attempts + 1, last_error = $2,"
    "       state = CASE WHEN attempts + 1 >= $3::integer"
    "                    THEN 'failed' ELSE 'pending' END,"
    /* Given up: the one-time URL goes as on delivery (SQL_SENT). */
    "       message = CASE WHEN attempts + 1 >= $3::integer"
    "                      THEN NULL ELSE message END,"
    "       data = CASE WHEN attempts + 1 >= $3::integer"
    "                   THEN data - 'URL' ELSE data END,"
    "       next_attempt_at = pg_catalog.now() + least(interval '1 hour',"
    "         interval '1 minute' * power(2, attempts) * $4::integer / 60)"
    " WHERE mail_id = $1::bigint";

/*
 * Queue a mail inside the caller's transaction.  "to" is a comma-separated
 * list of addresses; "kv" the template's data (Mail.<key>).
 */
enum ra_err
ra_mail_queue(PGconn *db, const char *tmpl, const char *to,
    const struct ra_kv *kv, size_t nkv)
{
	struct ra_pgarr	 keys, vals;
	const char	*param[4];
	size_t		 i;
	enum ra_err	 er = RA_ENOMEM;

	memset(&keys, 0, sizeof(keys));
	memset(&vals, 0, sizeof(vals));
	for (i = 0; i < nkv; i++)
		if (!ra_pgarr_add(&keys, kv[i].k) ||
		    !ra_pgarr_add(&vals, kv[i].v != NULL ? kv[i].v : ""))
			goto out;
	param[0] = tmpl;
	param[1] = to;
	if ((param[2] = ra_pgarr_str(&keys)) == NULL ||
	    (param[3] = ra_pgarr_str(&vals)) == NULL)
		goto out;
	er = ra_db_command(db, "queue mail", SQL_QUEUE, 4, param);
out:
	ra_pgarr_free(&keys);
	ra_pgarr_free(&vals);
	return er;
}

/*
 * UTF-8 to "charset" (caller frees); NULL when some character has no
 * encoding there.  The mails' ISO-2022-JP, the ZIPs' CP932.
 */
char *
ra_recode(const char *s, const char *charset)
{
	iconv_t	 cd;
	char	*in = (char *)s, *out, *o;
	size_t	 inleft = strlen(s), outleft, sz;

	if ((cd = iconv_open(charset, "UTF-8")) == (iconv_t)-1)
		return NULL;
	sz = 4 * inleft + 16;
	if ((out = malloc(sz)) == NULL) {
		iconv_close(cd);
		return NULL;
	}
	o = out;
	outleft = sz - 1;
	if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1 ||
	    iconv(cd, NULL, NULL, &o, &outleft) == (size_t)-1) {
		free(out);
		iconv_close(cd);
		return NULL;
	}
	*o = '\0';
	iconv_close(cd);
	return out;
}

/* "=?charset?B?...?=" for a header; caller frees. */
static char *
encoded_word(const char *text, const char *charset)
{
	unsigned char	*b64;
	char		*w;
	size_t		 n = strlen(text);

	if ((b64 = malloc(4 * (n / 3 + 1) + 1)) == NULL)
		return NULL;
	EVP_EncodeBlock(b64, (const unsigned char *)text, (int)n);
	if (asprintf(&w, "=?%s?B?%s?=", charset, b64) < 0)
		w = NULL;
	free(b64);
	return w;
}

/* Text with LF line ends to CRLF, as S/MIME signs it; caller frees. */
static char *
crlf(const char *s)
{
	char	*out, *o;

	if ((out = malloc(2 * strlen(s) + 1)) == NULL)
		return NULL;
	for (o = out; *s != '\0'; s++) {
		if (*s == '\n' && (o == out || o[-1] != '\r'))
			*o++ = '\r';
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

/* Sign "entity" (a MIME part) into a multipart/signed body; caller frees. */
static enum ra_err
smime_sign(const struct ra_conf *c, const char *entity, char **out)
{
	const char	*cpath = ra_conf_get(c, "Mail.SignerCert");
	const char	*kpath = ra_conf_get(c, "Mail.SignerKey");
	STACK_OF(X509)	*chain = NULL;
	X509		*crt = NULL, *x;
	EVP_PKEY	*key = NULL;
	PKCS7		*p7 = NULL;
	BIO		*in = NULL, *mem = NULL;
	FILE		*fp = NULL;
	char		*p;
	long		 n;
	enum ra_err	 er = RA_ECRYPTO;

	*out = NULL;
	if (cpath == NULL || kpath == NULL)
		return RA_ENOTFOUND;		/* unsigned by configuration */
	if ((fp = fopen(cpath, "r")) == NULL ||
	    (crt = PEM_read_X509(fp, NULL, NULL, NULL)) == NULL ||
	    (chain = sk_X509_new_null()) == NULL) {
		ra_warnx("mail signer %s: unreadable", cpath);
		goto out;
	}
	/* The rest of the file is the signer's chain, sent along. */
	while ((x = PEM_read_X509(fp, NULL, NULL, NULL)) != NULL)
		if (!sk_X509_push(chain, x)) {
			X509_free(x);
			goto out;
		}
	ERR_clear_error();		/* the loop ends on "no start line" */
	fclose(fp);
	if ((fp = fopen(kpath, "r")) == NULL ||
	    (key = PEM_read_PrivateKey(fp, NULL, NULL, NULL)) == NULL) {
		ra_warnx("mail signer key %s: unreadable", kpath);
		goto out;
	}
	if ((in = BIO_new_mem_buf(entity, -1)) == NULL ||
	    (mem = BIO_new(BIO_s_mem())) == NULL ||
	    (p7 = PKCS7_sign(crt, key, chain, in,
	    PKCS7_DETACHED | PKCS7_BINARY)) == NULL ||
	    BIO_reset(in) <= 0 ||
	    !SMIME_write_PKCS7(mem, p7, in, PKCS7_DETACHED | PKCS7_BINARY) ||
	    (n = BIO_get_mem_data(mem, &p)) <= 0 ||
	    (*out = strndup(p, (size_t)n)) == NULL) {
		ra_warnx("mail could not be signed with %s", cpath);
		ERR_print_errors_fp(stderr);
		goto out;
	}
	er = RA_OK;
out:
	if (fp != NULL)
		fclose(fp);
	PKCS7_free(p7);
	BIO_free(in);
	BIO_free(mem);
	EVP_PKEY_free(key);
	X509_free(crt);
	sk_X509_pop_free(chain, X509_free);
	return er;
}

/*
 * "text" (UTF-8, CRLF lines) as base64 in lines of 76, RFC 2045 6.8;
 * caller frees.  Shift_JIS as the downloads are, so a spreadsheet opens
 * it as one of them; "*charset" says which it became: UTF-8 when some
 * character has no Shift_JIS (CP932) code.
 */
static char *
attach_b64(const char *text, const char **charset)
{
	char		*enc, *out, *o;
	size_t		 n, i, k;

	*charset = "Shift_JIS";
	if ((enc = ra_recode(text, "CP932")) == NULL) {
		*charset = "UTF-8";
		if ((enc = strdup(text)) == NULL)
			return NULL;
	}
	n = strlen(enc);
	if ((out = malloc(4 * (n / 57 + 1) * 20 + 1)) == NULL) {
		free(enc);
		return NULL;
	}
	for (o = out, i = 0; i < n; i += k) {
		k = n - i < 57 ? n - i : 57;	/* 57 bytes: 76 characters */
		o += EVP_EncodeBlock((unsigned char *)o,
		    (const unsigned char *)enc + i, (int)k);
		*o++ = '\n';
	}
	*o = '\0';
	free(enc);
	return out;
}

/*
 * The MIME entity of mail "id": the text part alone, or with a TSV
 * attached (multipart/mixed); LF line ends.  Caller frees.
 */
static char *
mail_entity(const char *id, const char *charset, const char *text,
    const char *tsv, const char *tsvname)
{
	const char	*tcs;
	char		*p, *b64;

	if (tsv == NULL) {
		if (asprintf(&p, "Content-Type: text/plain; charset=%s\n"
		    "Content-Transfer-Encoding: %s\n\n%s", charset,
		    strcmp(charset, "UTF-8") == 0 ? "8bit" : "7bit", text) < 0)
			p = NULL;
		return p;
	}
	if ((b64 = attach_b64(tsv, &tcs)) == NULL)
		return NULL;
	/* Base64 and our text never hold the boundary's "=_". */
	if (asprintf(&p, "Content-Type: multipart/mixed; "
	    "boundary=\"=_ra-mail-%s\"\n\n"
	    "--=_ra-mail-%s\n"
	    "Content-Type: text/plain; charset=%s\n"
	    "Content-Transfer-Encoding: %s\n\n%s\n"
	    "--=_ra-mail-%s\n"
	    "Content-Type: text/tab-separated-values; charset=%s; name=\"%s\"\n"
	    "Content-Disposition: attachment; filename=\"%s\"\n"
	    "Content-Transfer-Encoding: base64\n\n%s"
	    "--=_ra-mail-%s--\n", id, id, charset,
	    strcmp(charset, "UTF-8") == 0 ? "8bit" : "7bit", text, id, tcs,
	    tsvname, tsvname, b64, id) < 0)
		p = NULL;
	free(b64);
	return p;
}

/*
 * The whole RFC 5322 message of mail "id": the template's first line is
 * the subject, the rest the body.  ISO-2022-JP unless the configuration
 * says UTF-8 or the text has characters ISO-2022-JP lacks.
 */
static enum ra_err
mail_render(PGconn *db, const struct ra_conf *c, const char *id,
    const char *tmpl, const char *to, char **msg)
{
	PGresult	*res = NULL;
	HDF		*hdf = NULL;
	const char	*param[1] = { id }, *charset, *from, *tsv = NULL,
			*tsvname = "list.tsv";
	char		 name[128], key[160], date[64], host[64], *text = NULL,
			*body, *subj = NULL, *word = NULL, *enc = NULL,
			*entity = NULL, *signedmsg = NULL, *p;
	time_t		 now = time(NULL);
	struct tm	 tm;
	int		 i;
	enum ra_err	 er;

	*msg = NULL;
	if (hdf_init(&hdf) != STATUS_OK)
		return RA_ENOMEM;
	if ((er = ra_db_query(db, "mail data", SQL_DATA, 1, param, &res)) !=
	    RA_OK)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		if (strcmp(PQgetvalue(res, i, 0), RA_MAIL_ATTACH_TSV) == 0) {
			tsv = PQgetvalue(res, i, 1);
			continue;
		}
		if (strcmp(PQgetvalue(res, i, 0), RA_MAIL_ATTACH_NAME) == 0 &&
		    strspn(PQgetvalue(res, i, 1), "abcdefghijklmnopqrstuvwxyz"
		    "0123456789-.") == strlen(PQgetvalue(res, i, 1)))
			tsvname = PQgetvalue(res, i, 1);
		snprintf(key, sizeof(key), "Mail.%s", PQgetvalue(res, i, 0));
		hdf_set_value(hdf, key, PQgetvalue(res, i, 1));
	}
	hdf_copy(hdf, "Site", hdf_get_obj(c->hdf, "Site"));
	snprintf(name, sizeof(name), "mail/%s.cs", tmpl);
	if ((er = ra_render_text(hdf, ra_conf_get(c, "Paths.Templates"), name,
	    &text)) != RA_OK)
		goto out;
	if ((body = strchr(text, '\n')) == NULL) {
		ra_warnx("mail template %s: no subject line", name);
		er = RA_ERENDER;
		goto out;
	}
	*body++ = '\0';
	charset = ra_conf_get(c, "Mail.Charset");
	if (charset == NULL || strcasecmp(charset, "UTF-8") != 0) {
		charset = "ISO-2022-JP";
		if ((subj = ra_recode(text, charset)) == NULL ||
		    (enc = ra_recode(body, charset)) == NULL) {
			free(subj);
			subj = enc = NULL;
		}
	}
	if (enc == NULL) {
		charset = "UTF-8";
		if ((subj = strdup(text)) == NULL ||
		    (enc = strdup(body)) == NULL) {
			er = RA_ENOMEM;
			goto out;
		}
	}
	if ((word = encoded_word(subj, charset)) == NULL ||
	    (p = mail_entity(id, charset, enc, tsv, tsvname)) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	entity = crlf(p);
	free(p);
	if (entity == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	if ((er = smime_sign(c, entity, &signedmsg)) == RA_ENOTFOUND) {
		if (asprintf(&signedmsg, "MIME-Version: 1.0\r\n%s", entity) < 0)
			signedmsg = NULL;
		er = signedmsg == NULL ? RA_ENOMEM : RA_OK;
	}
	if (er != RA_OK)
		goto out;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	from = ra_conf_get(c, "Mail.From");
	if (asprintf(msg, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n"
	    "Message-ID: <ra-mail-%s@%s>\r\n%s", from != NULL ? from :
	    "ra@localhost", to, word, date, id, host, signedmsg) < 0) {
		*msg = NULL;
		er = RA_ENOMEM;
	}
out:
	PQclear(res);
	hdf_destroy(&hdf);
	free(text);
	free(subj);
	free(enc);
	free(word);
	free(entity);
	free(signedmsg);
	return er;
}

/*
 * Hand "msg" to the sendmail command (split on spaces, run without a
 * shell).  0 on success; otherwise "err" says why.
 */
static int
sendmail(const char *cmd, const char *msg, size_t len, char *err,
    size_t errsz)
{
	char	*copy, *argv[SENDMAIL_ARGS + 1], *save = NULL, *t;
	int	 fds[2], status, argc = 0;
	pid_t	 pid;
	ssize_t	 n;
	size_t	 off = 0;
	struct sigaction sa, old;

	if ((copy = strdup(cmd)) == NULL)
		return -1;
	for (t = strtok_r(copy, " ", &save); t != NULL && argc < SENDMAIL_ARGS;
	    t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	if (argc == 0 || pipe(fds) == -1) {
		snprintf(err, errsz, "no sendmail command");
		free(copy);
		return -1;
	}
	/* A sendmail that dies early must not kill us with SIGPIPE. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old);
	if ((pid = fork()) == 0) {
		dup2(fds[0], 0);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[0]);
	while (pid > 0 && off < len &&
	    ((n = write(fds[1], msg + off, len - off)) > 0 || errno == EINTR))
		if (n > 0)
			off += (size_t)n;
	close(fds[1]);
	status = -1;
	if (pid > 0)
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	sigaction(SIGPIPE, &old, NULL);
	free(copy);
	if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    off == len)
		return 0;
	snprintf(err, errsz, "%s exited with %d", argv[0] != NULL ? cmd : "?",
	    pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return -1;
}

/*
 * Deliver one due mail.  Returns 1 if one was handled (sent or put off),
 * 0 if none is due, -1 on a database error.
 */
int
ra_mail_send_one(PGconn *db, const struct ra_conf *c)
{
	PGresult	*res = NULL;
	unsigned char	*stored = NULL;
	size_t		 len = 0;
	const char	*param[4], *cmd;
	char		 err[256], *msg = NULL, *hex = NULL, max[16], unit[16];
	int		 rc = -1;

	if (ra_db_begin(db) != RA_OK)
		return -1;
	if (ra_db_query(db, "due mail", SQL_DUE, 0, NULL, &res) != RA_OK)
		goto out;
	if (PQntuples(res) == 0) {
		rc = 0;
		goto out;
	}
	param[0] = PQgetvalue(res, 0, 0);
	if (!PQgetisnull(res, 0, 3)) {
		/* Rendered by an earlier attempt: resend the same bytes. */
		if (ra_bytea_get(res, 0, 3, &stored, &len) != RA_OK)
			goto out;
		msg = strndup((char *)stored, len);
	} else if (mail_render(db, c, param[0], PQgetvalue(res, 0, 1),
	    PQgetvalue(res, 0, 2), &msg) == RA_OK && msg != NULL) {
		if ((hex = ra_bytea_hex((unsigned char *)msg, strlen(msg))) ==
		    NULL)
			goto out;
		param[1] = hex;
		if (ra_db_command(db, "mail rendered", SQL_RENDERED, 2, param) !=
		    RA_OK)
			goto out;
	}
	if ((cmd = ra_conf_get(c, "Mail.Sendmail")) == NULL)
		cmd = "/usr/sbin/sendmail -t -i";
	if (msg == NULL)
		snprintf(err, sizeof(err), "could not be rendered (see log)");
	if (msg != NULL && sendmail(cmd, msg, strlen(msg), err,
	    sizeof(err)) == 0) {
		if (ra_db_command(db, "mail sent", SQL_SENT, 1, param) != RA_OK)
			goto out;
	} else {
		snprintf(max, sizeof(max), "%d",
		    ra_conf_int(c, "Mail.MaxAttempts", 20));
		snprintf(unit, sizeof(unit), "%d",
		    ra_conf_int(c, "Mail.RetrySeconds", 60) < 1 ? 1 :
		    ra_conf_int(c, "Mail.RetrySeconds", 60));
		ra_warnx("mail %s: %s; %s", param[0], err,
		    atoi(PQgetvalue(res, 0, 4)) + 1 >= atoi(max) ?
		    "given up (Mail.MaxAttempts)" : "will retry");
		param[1] = err;
		param[2] = max;
		param[3] = unit;
		if (ra_db_command(db, "mail retry", SQL_RETRY, 4, param) != RA_OK)
			goto out;
	}
	rc = ra_db_commit(db) == RA_OK ? 1 : -1;
out:
	if (rc != 1)
		ra_db_rollback(db);
	PQclear(res);
	PQfreemem(stored);
	free(msg);
	free(hex);
	return rc;
}

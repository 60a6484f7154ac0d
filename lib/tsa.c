/*
 * tsa.c: ra's own RFC 3161 time-stamp authority, on OpenSSL's TS_RESP_CTX.
 * Runs in the tsa zone only (tsa.cgi, as the Unix user ra-tsa), with its
 * own key and certificate (Tsa.Key, Tsa.Cert, Tsa.Chain in ra.conf): it
 * never sees a CA key.  What it checks, from the CA/B Forum's code-signing
 * requirements as the reference §10.5 sums them up:
 *
 *   at start	the certificate has a critical extendedKeyUsage of
 *		timeStamping alone, digitalSignature, a validity of at most
 *		135 months, and the key is its key; else it does not start;
 *   per stamp	the key is used no later than 15 months after the
 *		certificate's notBefore, within the certificate's validity;
 *		else the answer is a rejection saying so.
 *
 * Serial numbers come from PostgreSQL (ra.tsa_serial), so they are unique
 * across every process at once, and every answer, granted or refused, is
 * a row of ra.tsa_stamp before it leaves: a stamp that cannot be logged
 * is not handed out.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "ra.h"
#include "domain.h"

#define TSA_KEY_MONTHS		15	/* key use after notBefore, at most */
#define TSA_CERT_MONTHS		135	/* certificate validity, at most */
#define TSA_LOG_NONCE_MAX	20000	/* hex digits: ra.tsa_stamp's CHECK */

/* Why a stamp is refused before it is made (serial_cb says so). */
enum tsa_refuse {
	TSA_REFUSE_NONE = 0,
	TSA_REFUSE_KEY_AGE,	/* past notBefore + 15 months */
	TSA_REFUSE_NOT_YET,	/* before notBefore */
	TSA_REFUSE_EXPIRED,	/* past notAfter */
	TSA_REFUSE_SERIAL,	/* PostgreSQL gave no serial */
	TSA_REFUSE_LOG,		/* the stamp could not be logged */
	TSA_REFUSE__MAX
};

/* The status string a client sees; status and failure info are below. */
static const char *const tsa_refuse_text[] = {
	[TSA_REFUSE_NONE]	= NULL,
	[TSA_REFUSE_KEY_AGE]	= "TSA key is older than 15 months after its "
				  "certificate's notBefore; it may no longer "
				  "sign (CA/B Forum CSBR 6.3.2)",
	[TSA_REFUSE_NOT_YET]	= "TSA certificate is not valid yet",
	[TSA_REFUSE_EXPIRED]	= "TSA certificate has expired",
	[TSA_REFUSE_SERIAL]	= "no serial number available "
				  "(database unreachable)",
	[TSA_REFUSE_LOG]	= "time stamp could not be logged; not issued",
};
_Static_assert(RA_NITEMS(tsa_refuse_text) == TSA_REFUSE__MAX,
    "tsa_refuse_text[] out of sync with enum tsa_refuse");

/* Key age is the policy's rejection; the rest are the TSA's failures. */
static const int tsa_refuse_failure[] = {
	[TSA_REFUSE_NONE]	= -1,
	[TSA_REFUSE_KEY_AGE]	= TS_INFO_SYSTEM_FAILURE,
	[TSA_REFUSE_NOT_YET]	= TS_INFO_SYSTEM_FAILURE,
	[TSA_REFUSE_EXPIRED]	= TS_INFO_SYSTEM_FAILURE,
	[TSA_REFUSE_SERIAL]	= TS_INFO_SYSTEM_FAILURE,
	[TSA_REFUSE_LOG]	= TS_INFO_SYSTEM_FAILURE,
};
_Static_assert(RA_NITEMS(tsa_refuse_failure) == TSA_REFUSE__MAX,
    "tsa_refuse_failure[] out of sync with enum tsa_refuse");

/* PKIFailureInfo bits (RFC 3161 §2.4.2) by name, as ra.tsa_stamp spells them. */
static const struct {
	int		 bit;
	const char	*name;
} tsa_failures[] = {
	{ TS_INFO_BAD_ALG,		"badAlg" },
	{ TS_INFO_BAD_REQUEST,		"badRequest" },
	{ TS_INFO_BAD_DATA_FORMAT,	"badDataFormat" },
	{ TS_INFO_TIME_NOT_AVAILABLE,	"timeNotAvailable" },
	{ TS_INFO_UNACCEPTED_POLICY,	"unacceptedPolicy" },
	{ TS_INFO_UNACCEPTED_EXTENSION,	"unacceptedExtension" },
	{ TS_INFO_ADD_INFO_NOT_AVAILABLE, "addInfoNotAvailable" },
	{ TS_INFO_SYSTEM_FAILURE,	"systemFailure" },
};

/* PKIStatus values 0..5, as ra.tsa_stamp spells them. */
static const char *const tsa_status_names[] = {
	[TS_STATUS_GRANTED]			= "granted",
	[TS_STATUS_GRANTED_WITH_MODS]		= "grantedWithMods",
	[TS_STATUS_REJECTION]			= "rejection",
	[TS_STATUS_WAITING]			= "waiting",
	[TS_STATUS_REVOCATION_WARNING]		= "revocationWarning",
	[TS_STATUS_REVOCATION_NOTIFICATION]	= "revocationNotification",
};

struct ra_tsa {
	TS_RESP_CTX	*ctx;
	X509		*cert;
	EVP_PKEY	*key;
	STACK_OF(X509)	*chain;
	ASN1_OBJECT	*policy;
	unsigned char	 cert_sha256[32];
	time_t		 not_before, not_after, key_until;
	/* per reply, for serial_cb */
	PGconn		*db;
	enum tsa_refuse	 refuse;	/* set: the callback refuses */
	enum tsa_refuse	 refused;	/* what it refused for */
};

static void
tsa_ssl_warn(const char *what)
{
	unsigned long	 e;
	char		 buf[256];

	if ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		ra_warnx("tsa: %s: %s", what, buf);
	} else
		ra_warnx("tsa: %s", what);
	ERR_clear_error();
}

/*
 * "t" plus "months" calendar months (UTC), or -1.  A day the target
 * month lacks is its last day (31 March + 15 months is 30 June, not
 * 1 July): timegm alone would roll it over into the next month and
 * grant the key, or the certificate, up to three days more.
 */
static time_t
add_months(const ASN1_TIME *t, int months)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	struct tm	 tm;
	int		 m, y, last;

	if (months < 0 || !ASN1_TIME_to_tm(t, &tm))
		return -1;
	m = tm.tm_mon + months;
	tm.tm_year += m / 12;
	tm.tm_mon = m % 12;
	y = tm.tm_year + 1900;
	last = mdays[tm.tm_mon] + (tm.tm_mon == 1 &&
	    (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
	if (tm.tm_mday > last)
		tm.tm_mday = last;
	return timegm(&tm);
}

static time_t
asn1_time_t(const ASN1_TIME *t)
{
	struct tm	 tm;

	if (!ASN1_TIME_to_tm(t, &tm))
		return -1;
	return timegm(&tm);
}

/*
 * The certificate rules a TSA must meet before it signs anything; each
 * failure is named, so an operator knows what to fix.
 */
static enum ra_err
tsa_check_cert(const char *path, X509 *crt, EVP_PKEY *key)
{
	X509_EXTENSION		*ext;
	EXTENDED_KEY_USAGE	*eku = NULL;
	const ASN1_TIME		*nb, *na;
	time_t			 limit, t_na;
	int			 i;

	if ((i = X509_get_ext_by_NID(crt, NID_ext_key_usage, -1)) < 0 ||
	    (ext = X509_get_ext(crt, i)) == NULL) {
		ra_warnx("tsa: %s: no extendedKeyUsage; a TSA certificate "
		    "needs a critical timeStamping EKU", path);
		return RA_ECONF;
	}
	if (!X509_EXTENSION_get_critical(ext)) {
		ra_warnx("tsa: %s: extendedKeyUsage is not critical "
		    "(RFC 3161 2.3 requires it)", path);
		return RA_ECONF;
	}
	/*
	 * OpenSSL's flags ignore purposes it does not know, so "alone" is
	 * counted in the extension itself (RFC 3161 2.3: only one
	 * KeyPurposeId).
	 */
	if (X509_get_extended_key_usage(crt) != XKU_TIMESTAMP ||
	    (eku = X509_get_ext_d2i(crt, NID_ext_key_usage, NULL, NULL)) ==
	    NULL || sk_ASN1_OBJECT_num(eku) != 1) {
		sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
		ERR_clear_error();
		ra_warnx("tsa: %s: extendedKeyUsage must be timeStamping "
		    "alone", path);
		return RA_ECONF;
	}
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	/* Without the extension X509_get_key_usage says "every usage". */
	if ((X509_get_extension_flags(crt) & EXFLAG_KUSAGE) == 0 ||
	    (X509_get_key_usage(crt) & KU_DIGITAL_SIGNATURE) == 0) {
		ra_warnx("tsa: %s: no keyUsage with digitalSignature", path);
		return RA_ECONF;
	}
	nb = X509_get0_notBefore(crt);
	na = X509_get0_notAfter(crt);
	if ((limit = add_months(nb, TSA_CERT_MONTHS)) == -1 ||
	    (t_na = asn1_time_t(na)) == -1) {
		ra_warnx("tsa: %s: unreadable validity", path);
		return RA_ECONF;
	}
	if (t_na > limit) {
		ra_warnx("tsa: %s: valid for more than %d months; a TSA "
		    "certificate may be valid for %d months at most", path,
		    TSA_CERT_MONTHS, TSA_CERT_MONTHS);
		return RA_ECONF;
	}
	if (X509_check_private_key(crt, key) != 1) {
		ERR_clear_error();
		ra_warnx("tsa: %s: Tsa.Key is not this certificate's key", path);
		return RA_ECONF;
	}
	return RA_OK;
}

static ASN1_INTEGER *
tsa_refusal(TS_RESP_CTX *ctx, enum tsa_refuse why)
{
	(void)TS_RESP_CTX_set_status_info(ctx, TS_STATUS_REJECTION,
	    tsa_refuse_text[why]);
	(void)TS_RESP_CTX_add_failure_info(ctx, tsa_refuse_failure[why]);
	return NULL;
}

/* Whether the key and certificate may sign at "now", or why not. */
static enum tsa_refuse
tsa_clock(const struct ra_tsa *t, time_t now)
{
	if (now > t->key_until)
		return TSA_REFUSE_KEY_AGE;
	if (now < t->not_before)
		return TSA_REFUSE_NOT_YET;
	if (now > t->not_after)
		return TSA_REFUSE_EXPIRED;
	return TSA_REFUSE_NONE;
}

static const char SQL_SERIAL[] =
    "SELECT pg_catalog.nextval('ra.tsa_serial') AS serial";

/*
 * OpenSSL asks for the serial once the request passed its own checks
 * (version, digest, policy): the last moment before signing, so the key
 * and certificate checks are here too.  NULL refuses, with the status
 * set; a returned serial is freed by OpenSSL.
 */
static ASN1_INTEGER *
serial_cb(TS_RESP_CTX *ctx, void *arg)
{
	struct ra_tsa	*t = arg;
	ASN1_INTEGER	*n;
	time_t		 now = time(NULL);
	int64_t		 serial;

	t->refused = t->refuse != TSA_REFUSE_NONE ? t->refuse :
	    tsa_clock(t, now);
	if (t->refused == TSA_REFUSE_NONE && (t->db == NULL ||
	    ra_db_run_i64(t->db, "tsa serial", SQL_SERIAL, "serial", &serial,
	    NULL, 0) != RA_OK || serial < 1))
		t->refused = TSA_REFUSE_SERIAL;
	if (t->refused != TSA_REFUSE_NONE) {
		if (t->refused != TSA_REFUSE_LOG)
			ra_warnx("tsa: refused: %s", tsa_refuse_text[t->refused]);
		return tsa_refusal(ctx, t->refused);
	}
	if ((n = ASN1_INTEGER_new()) == NULL ||
	    !ASN1_INTEGER_set_int64(n, serial)) {
		ASN1_INTEGER_free(n);
		t->refused = TSA_REFUSE_SERIAL;
		return tsa_refusal(ctx, t->refused);
	}
	return n;
}

/* A PEM file of certificates, in order; caller frees. */
static enum ra_err
read_chain(const char *path, STACK_OF(X509) **out)
{
	STACK_OF(X509)	*sk = NULL;
	X509		*x;
	FILE		*fp;
	enum ra_err	 er = RA_ECONF;

	*out = NULL;
	if ((fp = fopen(path, "r")) == NULL) {
		ra_warnx("tsa: %s: %s", path, strerror(errno));
		return RA_ECONF;
	}
	if ((sk = sk_X509_new_null()) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	while ((x = PEM_read_X509(fp, NULL, NULL, NULL)) != NULL)
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			er = RA_ENOMEM;
			goto out;
		}
	ERR_clear_error();		/* the end of the file */
	if (sk_X509_num(sk) == 0) {
		ra_warnx("tsa: %s: no certificate in it", path);
		goto out;
	}
	*out = sk;
	sk = NULL;
	er = RA_OK;
out:
	sk_X509_pop_free(sk, X509_free);
	fclose(fp);
	return er;
}

/* Tsa.Accuracy.{Seconds,Millis,Micros}: 0..999 each beyond seconds. */
static enum ra_err
tsa_accuracy(const struct ra_conf *c, TS_RESP_CTX *ctx)
{
	int	 s = ra_conf_int(c, "Tsa.Accuracy.Seconds", 1);
	int	 ms = ra_conf_int(c, "Tsa.Accuracy.Millis", 0);
	int	 us = ra_conf_int(c, "Tsa.Accuracy.Micros", 0);

	if (s < 0 || ms < 0 || ms > 999 || us < 0 || us > 999) {
		ra_warnx("config %s: Tsa.Accuracy: Seconds >= 0, Millis and "
		    "Micros 0..999", c->path);
		return RA_ECONF;
	}
	if (s == 0 && ms == 0 && us == 0)
		return RA_OK;		/* no accuracy claimed */
	return TS_RESP_CTX_set_accuracy(ctx, s, ms, us) ? RA_OK : RA_ECRYPTO;
}

static enum ra_err
tsa_ctx(const struct ra_conf *c, struct ra_tsa *t)
{
	if ((t->ctx = TS_RESP_CTX_new()) == NULL)
		return RA_ENOMEM;
	/* The request's digest: SHA-256 or SHA-384, anything else badAlg. */
	if (!TS_RESP_CTX_set_signer_cert(t->ctx, t->cert) ||
	    !TS_RESP_CTX_set_signer_key(t->ctx, t->key) ||
	    !TS_RESP_CTX_set_signer_digest(t->ctx, EVP_sha256()) ||
	    !TS_RESP_CTX_set_ess_cert_id_digest(t->ctx, EVP_sha256()) ||
	    !TS_RESP_CTX_set_def_policy(t->ctx, t->policy) ||
	    !TS_RESP_CTX_add_md(t->ctx, EVP_sha256()) ||
	    !TS_RESP_CTX_add_md(t->ctx, EVP_sha384()) ||
	    (t->chain != NULL && !TS_RESP_CTX_set_certs(t->ctx, t->chain))) {
		tsa_ssl_warn("response context");
		return RA_ECRYPTO;
	}
	TS_RESP_CTX_set_serial_cb(t->ctx, serial_cb, t);
	return tsa_accuracy(c, t->ctx);
}

/*
 * Load the TSA's key, certificate and chain named in "c", check the
 * certificate (tsa_check_cert) and make the response context.  On RA_OK
 * "*out" is the caller's (ra_tsa_free).
 */
enum ra_err
ra_tsa_open(const struct ra_conf *c, struct ra_tsa **out)
{
	struct ra_tsa	*t;
	const char	*keyp, *crtp, *chainp, *pol;
	FILE		*fp;
	unsigned int	 n;
	enum ra_err	 er = RA_ECONF;

	*out = NULL;
	keyp = ra_conf_get(c, "Tsa.Key");
	crtp = ra_conf_get(c, "Tsa.Cert");
	chainp = ra_conf_get(c, "Tsa.Chain");
	pol = ra_conf_get(c, "Tsa.Policy");
	if (keyp == NULL || crtp == NULL || pol == NULL) {
		ra_warnx("config %s: Tsa.Key, Tsa.Cert and Tsa.Policy are "
		    "required by the time-stamp authority", c->path);
		return RA_ECONF;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return RA_ENOMEM;
	if ((t->policy = OBJ_txt2obj(pol, 1)) == NULL) {
		ERR_clear_error();
		ra_warnx("config %s: Tsa.Policy %s is not an OID", c->path, pol);
		goto out;
	}
	if ((t->cert = ra_pem_read_cert(crtp)) == NULL) {
		ra_warnx("tsa: %s: no certificate could be read", crtp);
		goto out;
	}
	if ((fp = fopen(keyp, "r")) == NULL) {
		ra_warnx("tsa: %s: %s", keyp, strerror(errno));
		goto out;
	}
	t->key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	if (t->key == NULL) {
		tsa_ssl_warn(keyp);
		goto out;
	}
	if ((er = tsa_check_cert(crtp, t->cert, t->key)) != RA_OK ||
	    (chainp != NULL && (er = read_chain(chainp, &t->chain)) != RA_OK))
		goto out;
	er = RA_ECONF;
	t->not_before = asn1_time_t(X509_get0_notBefore(t->cert));
	t->not_after = asn1_time_t(X509_get0_notAfter(t->cert));
	t->key_until = add_months(X509_get0_notBefore(t->cert),
	    TSA_KEY_MONTHS);
	if (t->not_before == -1 || t->not_after == -1 || t->key_until == -1 ||
	    !X509_digest(t->cert, EVP_sha256(), t->cert_sha256, &n) ||
	    n != sizeof(t->cert_sha256))
		goto out;
	if ((er = tsa_ctx(c, t)) != RA_OK)
		goto out;
	*out = t;
	t = NULL;
out:
	ra_tsa_free(t);
	return er;
}

void
ra_tsa_free(struct ra_tsa *t)
{
	if (t == NULL)
		return;
	TS_RESP_CTX_free(t->ctx);
	X509_free(t->cert);
	EVP_PKEY_free(t->key);
	sk_X509_pop_free(t->chain, X509_free);
	ASN1_OBJECT_free(t->policy);
	free(t);
}

/*
 * The certificate's subject, its dates and until when the key may sign;
 * 1 when it may sign now, 0 when every stamp would be refused.
 */
int
ra_tsa_describe(const struct ra_tsa *t, FILE *fp)
{
	char		 subj[512], d[3][32];
	const time_t	*w[3] = { &t->not_before, &t->not_after, &t->key_until };
	enum tsa_refuse	 why = tsa_clock(t, time(NULL));
	size_t		 i;

	X509_NAME_oneline(X509_get_subject_name(t->cert), subj, sizeof(subj));
	for (i = 0; i < 3; i++)
		strftime(d[i], sizeof(d[i]), "%Y-%m-%d %H:%M:%SZ",
		    gmtime(w[i]));
	fprintf(fp, "TSA certificate: %s\nvalid:           %s .. %s\n"
	    "key signs until: %s (%d months after notBefore)\nstate:           %s\n",
	    subj, d[0], d[1], d[2], TSA_KEY_MONTHS,
	    why == TSA_REFUSE_KEY_AGE ? "REFUSING: key too old, make a new "
	    "key and certificate" : why == TSA_REFUSE_NOT_YET ? "REFUSING: "
	    "certificate not valid yet" : why == TSA_REFUSE_EXPIRED ?
	    "REFUSING: certificate expired, make a new key and certificate" :
	    "ready");
	return why == TSA_REFUSE_NONE;
}

/* What one answer was, read back from the response for the log. */
struct tsa_log {
	const char	*status, *failure;
	char		*status_text;		/* OPENSSL_malloc'd or NULL */
	char		 serial[24], gen_time[40], policy[128];
	char		 imprint_alg[64];
	unsigned char	 imprint[EVP_MAX_MD_SIZE];
	size_t		 imprint_len;
	char		*nonce;			/* OPENSSL_malloc'd or NULL */
	unsigned char	 token_sha256[32];
	int		 has_token;
};

static void
log_clear(struct tsa_log *l)
{
	OPENSSL_free(l->status_text);
	OPENSSL_free(l->nonce);
	memset(l, 0, sizeof(*l));
}

/* Imprint, nonce and requested policy, from the request as sent. */
static void
log_request(struct tsa_log *l, const unsigned char *req, size_t len)
{
	const unsigned char	*p = req;
	TS_REQ			*q;
	TS_MSG_IMPRINT		*mi;
	ASN1_OCTET_STRING	*h;
	const ASN1_INTEGER	*nonce;
	ASN1_OBJECT		*pol;
	BIGNUM			*bn;
	int			 nid;

	if (len > LONG_MAX || (q = d2i_TS_REQ(NULL, &p, (long)len)) == NULL) {
		ERR_clear_error();
		return;		/* garbage: the log says badDataFormat only */
	}
	if ((mi = TS_REQ_get_msg_imprint(q)) != NULL) {
		const ASN1_OBJECT *obj;

		X509_ALGOR_get0(&obj, NULL, NULL, TS_MSG_IMPRINT_get_algo(mi));
		if ((nid = OBJ_obj2nid(obj)) != NID_undef)
			snprintf(l->imprint_alg, sizeof(l->imprint_alg), "%s",
			    OBJ_nid2ln(nid));
		else
			OBJ_obj2txt(l->imprint_alg, sizeof(l->imprint_alg),
			    obj, 1);
		h = TS_MSG_IMPRINT_get_msg(mi);
		if (h != NULL && ASN1_STRING_length(h) > 0 &&
		    (size_t)ASN1_STRING_length(h) <= sizeof(l->imprint)) {
			l->imprint_len = (size_t)ASN1_STRING_length(h);
			memcpy(l->imprint, ASN1_STRING_get0_data(h),
			    l->imprint_len);
		}
	}
	/*
	 * A nonce or policy too long for ra.tsa_stamp's CHECKs is left out
	 * of the row rather than losing the row: every answer is logged.
	 */
	if ((nonce = TS_REQ_get_nonce(q)) != NULL &&
	    (bn = ASN1_INTEGER_to_BN(nonce, NULL)) != NULL) {
		l->nonce = BN_bn2hex(bn);
		BN_free(bn);
		if (l->nonce != NULL && strlen(l->nonce) > TSA_LOG_NONCE_MAX) {
			OPENSSL_free(l->nonce);
			l->nonce = NULL;
		}
	}
	if ((pol = TS_REQ_get_policy_id(q)) != NULL &&
	    OBJ_obj2txt(l->policy, sizeof(l->policy), pol, 1) >=
	    (int)sizeof(l->policy))
		l->policy[0] = '\0';
	TS_REQ_free(q);
	ERR_clear_error();
}

/* Status, failure, text, and for a token its serial, time and hash. */
static enum ra_err
log_response(struct tsa_log *l, TS_RESP *resp)
{
	TS_STATUS_INFO			*si = TS_RESP_get_status_info(resp);
	const STACK_OF(ASN1_UTF8STRING)	*text;
	const ASN1_BIT_STRING		*fi;
	TS_TST_INFO			*tst;
	PKCS7				*tok;
	const ASN1_GENERALIZEDTIME	*gt;
	unsigned char			*der = NULL;
	struct tm			 tm;
	int64_t				 sn;
	long				 st;
	int				 len;
	size_t				 i;

	if (si == NULL ||
	    (st = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(si))) < 0 ||
	    st >= (long)RA_NITEMS(tsa_status_names))
		return RA_ECRYPTO;
	l->status = tsa_status_names[st];
	if ((text = TS_STATUS_INFO_get0_text(si)) != NULL &&
	    sk_ASN1_UTF8STRING_num(text) > 0)
		(void)ASN1_STRING_to_UTF8((unsigned char **)&l->status_text,
		    sk_ASN1_UTF8STRING_value(text, 0));
	if ((fi = TS_STATUS_INFO_get0_failure_info(si)) != NULL)
		for (i = 0; i < RA_NITEMS(tsa_failures); i++)
			if (ASN1_BIT_STRING_get_bit(fi, tsa_failures[i].bit)) {
				l->failure = tsa_failures[i].name;
				break;
			}
	if ((tst = TS_RESP_get_tst_info(resp)) == NULL ||
	    (tok = TS_RESP_get_token(resp)) == NULL)
		return RA_OK;
	if (!ASN1_INTEGER_get_int64(&sn, TS_TST_INFO_get_serial(tst)))
		return RA_ECRYPTO;
	snprintf(l->serial, sizeof(l->serial), "%lld", (long long)sn);
	if ((gt = TS_TST_INFO_get_time(tst)) == NULL ||
	    !ASN1_TIME_to_tm(gt, &tm))
		return RA_ECRYPTO;
	strftime(l->gen_time, sizeof(l->gen_time), "%Y-%m-%d %H:%M:%S+00",
	    &tm);
	OBJ_obj2txt(l->policy, sizeof(l->policy),
	    TS_TST_INFO_get_policy_id(tst), 1);
	if ((len = i2d_PKCS7(tok, &der)) <= 0)
		return RA_ECRYPTO;
	SHA256(der, (size_t)len, l->token_sha256);
	OPENSSL_free(der);
	l->has_token = 1;
	return RA_OK;
}

static const char SQL_LOG[] =
    "INSERT INTO ra.tsa_stamp (serial, gen_time, imprint_alg, imprint,"
    "  nonce, policy, status, failure, status_text, token_sha256,"
    "  tsa_cert_sha256)"
    " VALUES ($1::bigint, $2::timestamptz, $3, $4, $5, $6, $7, $8, $9,"
    "  $10, $11)";

static enum ra_err
log_write(PGconn *db, const struct ra_tsa *t, const struct tsa_log *l)
{
	return ra_db_run(db, "tsa log", SQL_LOG, NULL, RA_ARGS(
	    RA_TEXT(l->has_token ? l->serial : NULL),
	    RA_TEXT(l->has_token ? l->gen_time : NULL),
	    RA_TEXT(l->imprint_alg[0] != '\0' ? l->imprint_alg : NULL),
	    RA_BYTES(l->imprint_len > 0 ? l->imprint : NULL, l->imprint_len),
	    RA_TEXT(l->nonce),
	    RA_TEXT(l->policy[0] != '\0' ? l->policy : NULL),
	    RA_TEXT(l->status),
	    RA_TEXT(l->failure),
	    RA_TEXT(l->status_text),
	    RA_BYTES(l->has_token ? l->token_sha256 : NULL,
		l->has_token ? sizeof(l->token_sha256) : 0),
	    RA_BYTES(t->cert_sha256, sizeof(t->cert_sha256))));
}

/* One response to the request "req", with "t->refuse" in force. */
static TS_RESP *
tsa_make(struct ra_tsa *t, const unsigned char *req, size_t len)
{
	BIO	*in;
	TS_RESP	*resp;

	if (len > INT_MAX || (in = BIO_new_mem_buf(req, (int)len)) == NULL)
		return NULL;
	t->refused = TSA_REFUSE_NONE;
	resp = TS_RESP_create_response(t->ctx, in);
	BIO_free(in);
	ERR_clear_error();	/* a refused request leaves its reasons here */
	return resp;
}

/*
 * Answer the DER TimeStampReq "req" (any bytes: garbage gets a
 * badDataFormat rejection) with a DER TimeStampResp in "*resp" (the
 * caller's, OPENSSL_free), logged in ra.tsa_stamp through "db" first;
 * "*status" is its PKIStatus name.  An error return means there is no
 * answer at all (out of memory, the TSA cannot sign).
 */
enum ra_err
ra_tsa_reply(struct ra_tsa *t, PGconn *db, const unsigned char *req,
    size_t len, unsigned char **resp, size_t *resplen, const char **status)
{
	struct tsa_log	 l;
	TS_RESP		*r = NULL;
	int		 n, logged;
	enum ra_err	 er = RA_ECRYPTO;

	*resp = NULL;
	*resplen = 0;
	*status = NULL;
	memset(&l, 0, sizeof(l));
	t->db = db;
	t->refuse = TSA_REFUSE_NONE;
	if ((r = tsa_make(t, req, len)) == NULL)
		goto out;
	log_request(&l, req, len);
	if ((er = log_response(&l, r)) != RA_OK)
		goto out;
	logged = db != NULL && log_write(db, t, &l) == RA_OK;
	if (!logged && !l.has_token)
		/* A refusal grants nothing: it goes out all the same. */
		ra_warnx("tsa: %s (%s) could not be logged", l.status,
		    l.status_text != NULL ? l.status_text : "-");
	else if (!logged) {
		/* An unlogged stamp does not go out: the request refused. */
		ra_warnx("tsa: stamp %s could not be logged; refused instead",
		    l.serial);
		TS_RESP_free(r);
		t->refuse = TSA_REFUSE_LOG;
		if ((r = tsa_make(t, req, len)) == NULL) {
			er = RA_ECRYPTO;
			goto out;
		}
		log_clear(&l);
		if ((er = log_response(&l, r)) != RA_OK)
			goto out;
	}
	er = RA_ECRYPTO;
	if ((n = i2d_TS_RESP(r, resp)) <= 0)
		goto out;
	*resplen = (size_t)n;
	*status = l.status;		/* a constant of tsa_status_names */
	er = RA_OK;
out:
	if (er != RA_OK)
		tsa_ssl_warn("no response could be made");
	t->db = NULL;
	t->refuse = TSA_REFUSE_NONE;
	log_clear(&l);
	TS_RESP_free(r);
	return er;
}

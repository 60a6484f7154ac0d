/*
 * upload.h: what the upload driver (upload.c) shares with the row rules
 * of each certificate kind (upload-server.c, upload-client.c,
 * upload-codesign.c), of ⑤ (upload-admin.c) and of ⑫'s ACME
 * applications (upload-acme.c).  Inside libra only; ra.h
 * and domain.h come first.
 */
#ifndef RA_UPLOAD_H
#define RA_UPLOAD_H

/* Our codes for the [I] checks the reference leaves unnumbered (§5.1). */
enum {
	E_DN = 206,		/* the DN's own format */
	E_EXISTS = 212,		/* DN (CN) already issued: use renewal */
	E_C = 220, E_O, E_STL, E_CN_FQDN, E_DOMAIN, E_PROFILE, E_CSR,
	E_CSR_DN, E_KEY, E_DUP, E_SERIAL, E_OTHER, E_SERIAL_DN, E_REASON,
	E_REVOKED, E_RENEWED,
	/* 236 is the TSV reader's (RA_TSV_EFORMULA) */
	E_HOST = 237,		/* no host name: a trailing dot, a wildcard */
	E_METHOD = 240, E_MAIL_CN, E_PIN, E_P12NAME,
	/* ⑤ (upload-admin.c); 206, 212, 220-235 keep their meaning there */
	E_ADMIN_KIND = 250,	/* no user administrator (an RA certificate) */
	E_ADMIN_DN,		/* column 1 is not the certificate's DN */
	E_ADMIN_EXPIRED,	/* the certificate has expired */
	/* ⑫ (upload-acme.c); 201-217, 224, 225, 231 keep their meaning */
	E_ACME_FQDN = 260,	/* not a host name */
	E_ACME_WILDCARD,	/* a wildcard: http-01 cannot prove one */
	E_ACME_COUNT,		/* not 1 to 8 FQDNs */
	E_ACME_TAKEN,		/* in another live application already */
	E_OU = 371		/* OU not on the allow list */
};

/*
 * Row messages more than one kind gives, each "日本語。(English.)" on one
 * line: the Japanese first (the reference's own words where §5.1 has
 * them), then the English in parentheses.  The arguments are given once
 * for each language.
 */
#define M_DN_FORMAT	"%sがDN情報のフォーマットに準じていません。(The " \
	"subject DN is not a DN: write it as CN=..., OU=..., O=..., L=..., " \
	"ST=..., C=JP, in this order.)"
#define M_DN_SPACES	"%sの値の先頭・末尾に空白、または連続した空白が" \
	"あります。空白を取り除いてください。(A value in the subject DN " \
	"starts or ends with a space, or holds two spaces in a row: remove " \
	"them.)"
#define M_C_JP		"CはJPでなければなりません。(C must be JP.)"
#define M_O_NAME	"Oは機関の英語名（%s）でなければなりません。(O " \
	"must be the institution's English name, %s.)"
#define M_STL		"STとLは機関に登録された値でなければなりません" \
	"（%s）。(ST and L must be the values registered for the " \
	"institution: %s.)"
#define M_DOMAIN	"%sは登録担当者のドメイン配下ではありません。" \
	"(%s is not under a domain registered for you as RA officer.)"
#define M_NOT_FOUND	"%sの証明書が存在しません。シリアル番号を確認して" \
	"ください。(No certificate has the serial number %s: check it.)"
#define M_UNREADABLE	"%sの証明書を読めません。運用担当者に連絡して" \
	"ください。(Certificate %s cannot be read: tell the operators.)"
#define M_NOT_OURS	"%sは自機関の%sではありません。(%s is not a %s " \
	"of your institution.)"
#define M_PROFILE_OF	"%sは%sのプロファイルではありません。(Profile %s " \
	"is not one for a %s.)"
#define M_SERIAL_CN	"%sの証明書の主体者DN(CN)が一致しません。(The CN " \
	"of certificate %s is not the CN of the subject DN in column 1.)"
#define M_SERIAL_OU	"%sの証明書の主体者DN(OU)が一致しません。(The OU " \
	"of certificate %s is not the OU of the subject DN in column 1.)"
#define M_REVOKED	"%sはすでに失効しています。(Certificate %s is " \
	"already revoked.)"
#define M_RENEWED	"%sの証明書はすでに更新されています。新しい証明書の" \
	"シリアル番号を指定してください。(Certificate %s has already been " \
	"renewed: give the serial number of the new one.)"
#define M_DUP_FILE	"%sはファイル内で重複しています。1行にまとめて" \
	"ください。(%s appears more than once in the file: keep one row.)"
#define M_DUP_FILE_AT	"%sはファイル内で重複しています（%d行目）。(%s " \
	"appears twice in the file, also on line %d.)"
#define M_EXISTS	"指定したDNはすでに存在しています。更新申請で申請して" \
	"ください。(This DN has been issued already: apply for a renewal " \
	"instead.)"
#define M_OU_BAD	"主体者DNのOUが許可リストとして登録された値と一致" \
	"しません。(An OU of the subject DN is not on the allow list: have " \
	"it registered, or leave that OU out.)"
#define M_NO_STORE	"%sを登録できません。もう一度アップロードして" \
	"ください。(The %s could not be stored: upload the file again.)"

/*
 * What a file's rows need from the database, asked for all rows at once
 * before the rows are checked (upload-batch.c), so a row costs no round
 * trip: per row, its CSR parsed and its signature checked once, and the
 * answers of the kind's queries; per file, the profiles.
 */
struct ra_upload_pre {
	X509_REQ	*csr;		/* parsed, verified; NULL: csr_why */
	char		*csr_why;	/* why not, when tried */
	int		 csr_tried;
	int		 has_key;	/* sha: SHA-256 of the CSR's SPKI */
	unsigned char	 sha[32];
	long		 prev_key;	/* an earlier row, same key; -1 */
	int		 key_used;	/* SQL_KEY_USED, before the file */
	int		 issued;	/* the kind's 212 query */
	long		 prev_name;	/* an earlier row, same DN; -1 */
	long		 first_p12;	/* ③: first row, same P12; -1 */
	int		 ou_bad;	/* an OU not on the allow list */
	int		 queued;	/* deferred: in the file's INSERT */
	size_t		 errors;	/* the reader's, to go again */
};

struct ra_upload_cprof {
	int			 id;
	enum ra_err		 er;	/* of ra_profile_load */
	struct ra_profile	 p;
};

struct ra_upload_batch {
	struct ra_upload_pre	*pre;		/* one per row */
	size_t			 n;
	int			 fast;		/* answers used, INSERT held */
	int			 csr_col;	/* the CSRs; -1 none */
	int			 row_by_row;	/* the prefetch says so */
	struct ra_upload_cprof	*prof;
	size_t			 nprof;
	struct ra_reqbulk	 bulk;
	size_t			 e_n, e_dropped;	/* the reader's errors */
};

/* One row being processed. */
struct ra_upload_row {
	struct ra_upload_ctx		*ctx;
	const struct ra_tsv_format	*fmt;
	struct ra_tsv_row		*row;
	const struct ra_tsv		*t;	/* the whole file */
	size_t				 i;	/* row's index in it */
	struct ra_tsv_errors		*e;
	const char			*lbl;	/* label of the DN column */
	enum ra_err			 failed; /* not the row's: the upload's */
	struct ra_upload_batch		*b;	/* NULL: row by row */
};

/*
 * What makes an upload a server, a client or a ⑤ one.  A kind does the
 * actions it has a callback for: issue (also renew), revoke, update.
 */
struct ra_upload_rules {
	const char			*kind;		/* ra.batch.kind; "": none */
	const char			*event;		/* audit event */
	const struct ra_tsv_format	*fmt;
	int				 dup_issue;	/* once per file; -1 */
	int				 dup_revoke;
	void	(*issue)(struct ra_upload_row *, enum ra_tsv_action);
	void	(*revoke)(struct ra_upload_row *);
	void	(*update)(struct ra_upload_row *);
	const char			*batch_action;	/* NULL: the action's */
	/*
	 * An issue file's queries for all rows at once (ra_upload_pre);
	 * NULL: row by row.  Only for a kind whose issue rows write
	 * nothing but their request.
	 */
	enum ra_err (*prefetch)(struct ra_upload_ctx *, const struct ra_tsv *,
	    struct ra_upload_batch *);
};

extern const struct ra_upload_rules ra_upload_server_rules;
extern const struct ra_upload_rules ra_upload_client_rules;
extern const struct ra_upload_rules ra_upload_codesign_rules;
extern const struct ra_upload_rules ra_upload_admin_rules;
extern const struct ra_upload_rules ra_upload_acme_rules;

/* The certificate a renew or revoke row names (column 4). */
struct ra_upload_old {
	int64_t		 cert_id, institution_id;
	int		 renewed;	/* renewed, or a renewal pending */
	int		 revoked;	/* in ra.revocation */
	char		 kind[32], cn[257], subject_dn[1025];
};

void	 ra_upload_error(struct ra_upload_row *, int, int, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
void	 ra_upload_dn_error(struct ra_upload_row *, int, const char *);
int	 ra_upload_dn_order_ok(const X509_NAME *);
int	 ra_upload_value_is(const X509_NAME *, int, const char *);
int	 ra_upload_spaces_ok(const X509_NAME *);
int	 ra_upload_officer_domain(const struct ra_upload_ctx *, const char *);
int	 ra_upload_old_cert(struct ra_upload_row *, int, struct ra_upload_old *);
const char *ra_upload_reason(int, int);
void	 ra_upload_revoke(struct ra_upload_row *, int, int, int, int64_t);

/* upload-batch.c */
enum ra_err	 ra_upload_batch_init(struct ra_upload_batch *,
		    const struct ra_tsv *);
void		 ra_upload_batch_free(struct ra_upload_batch *);
enum ra_err	 ra_upload_batch_profile(PGconn *, struct ra_upload_batch *,
		    int, struct ra_profile *);
enum ra_err	 ra_upload_profile(struct ra_upload_row *, int,
		    struct ra_profile *);
enum ra_err	 ra_upload_csr(struct ra_upload_row *, const char *,
		    X509_REQ **, char *, size_t);
void		 ra_upload_csr_free(struct ra_upload_row *, X509_REQ *);
enum ra_err	 ra_upload_csrs(struct ra_upload_batch *,
		    const struct ra_tsv *, int, size_t, size_t);
enum ra_err	 ra_upload_keys(PGconn *, struct ra_upload_batch *, size_t,
		    size_t);
int		 ra_upload_key_used(const struct ra_upload_row *);
int		 ra_upload_name_queued(const struct ra_upload_row *);
enum ra_upload_fact { RA_FACT_KEY_USED, RA_FACT_ISSUED, RA_FACT_OU_BAD };
enum ra_err	 ra_upload_mark(PGconn *, const char *, const char *,
		    const struct ra_arg *, size_t, const size_t *, size_t,
		    struct ra_upload_batch *, enum ra_upload_fact);

/* upload-frame.c: the server frame's columns (§2.3.2), ① and ⑪ */
enum {
	RA_FRAME_DN = 0, RA_FRAME_PROFILE, RA_FRAME_3, RA_FRAME_SERIAL,
	RA_FRAME_REASON, RA_FRAME_COMMENT, RA_FRAME_CSR, RA_FRAME_ADMIN,
	RA_FRAME_AFFIL, RA_FRAME_MAIL
};

/* A certificate kind of the server frame. */
struct ra_upload_frame {
	const char	*kind;		/* ra.certificate.kind */
	const char	*name_ja;	/* in row errors: "サーバ証明書" */
	const char	*name_en;	/* their English part: "server certificate" */
	int		 by_domain;	/* its CN a host under the officer's domains */
};

int	 ra_upload_frame_csr(struct ra_upload_row *,
	    const struct ra_upload_frame *, const X509_NAME *,
	    struct ra_profile *, X509_REQ **);
int	 ra_upload_frame_old(struct ra_upload_row *,
	    const struct ra_upload_frame *, const char *, int, int64_t *);
void	 ra_upload_frame_request(struct ra_upload_row *, enum ra_tsv_action,
	    const struct ra_profile *, const X509_NAME *, X509_REQ *, int64_t,
	    struct ra_newreq *);
void	 ra_upload_frame_revoke(struct ra_upload_row *,
	    const struct ra_upload_frame *);
void	 ra_upload_frame_prefetch(struct ra_upload_batch *);

#endif /* RA_UPLOAD_H */

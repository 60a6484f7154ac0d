/*
 * dn.c: subject names as users write them, "CN=...,OU=...,O=...,L=...,
 * ST=...,C=JP" (most specific first, reference §2.1), to and from
 * X509_NAME in certificate order (C first).  Values may contain commas,
 * so a component ends only where ",TYPE=" of a known type begins.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>

#include "ra.h"
#include "domain.h"

#define DN_MAX_RDN	16

static const struct {
	const char	*type;	/* as written */
	int		 nid;
} dn_types[] = {
	{ "CN", NID_commonName },
	{ "OU", NID_organizationalUnitName },
	{ "O", NID_organizationName },
	{ "L", NID_localityName },
	{ "ST", NID_stateOrProvinceName },
	{ "C", NID_countryName },
};

/* Index in dn_types of "TYPE=" at p, or -1. */
static int
dn_type_at(const char *p)
{
	size_t	 i, n;

	for (i = 0; i < RA_NITEMS(dn_types); i++) {
		n = strlen(dn_types[i].type);
		if (strncmp(p, dn_types[i].type, n) == 0 && p[n] == '=')
			return (int)i;
	}
	return -1;
}

/*
 * Parse "s" into "*out" (caller frees, X509_NAME_free).  Syntax only:
 * which attributes a certificate may carry is the profile's business.
 */
enum ra_err
ra_dn_parse(const char *s, X509_NAME **out, char *why, size_t whysz)
{
	const char	*val[DN_MAX_RDN], *end[DN_MAX_RDN], *p;
	int		 type[DN_MAX_RDN], n = 0, t, i;
	X509_NAME	*name = NULL;
	char		*v;

	*out = NULL;
	for (p = s; *p != '\0'; ) {
		if ((t = dn_type_at(p)) < 0 || n == DN_MAX_RDN) {
			ra_msgf(why, whysz, n == DN_MAX_RDN ?
			    "too many attributes" :
			    "\"%.20s\" does not start with CN=, OU=, O=, L=, "
			    "ST= or C=", p);
			return RA_EINPUT;
		}
		type[n] = t;
		val[n] = p + strlen(dn_types[t].type) + 1;
		for (p = val[n]; *p != '\0'; p++)
			if (*p == ',' && dn_type_at(p + 1) >= 0)
				break;
		end[n] = p;
		if (end[n] == val[n]) {
			ra_msgf(why, whysz, "%s= has no value",
			    dn_types[t].type);
			return RA_EINPUT;
		}
		n++;
		if (*p == ',')
			p++;
	}
	if (n == 0) {
		ra_msgf(why, whysz, "the DN is empty");
		return RA_EINPUT;
	}
	if ((name = X509_NAME_new()) == NULL)
		return RA_ENOMEM;
	for (i = n - 1; i >= 0; i--) {
		if ((v = strndup(val[i], (size_t)(end[i] - val[i]))) == NULL) {
			X509_NAME_free(name);
			return RA_ENOMEM;
		}
		if (!X509_NAME_add_entry_by_NID(name, dn_types[type[i]].nid,
		    MBSTRING_UTF8, (unsigned char *)v, -1, -1, 0)) {
			ra_msgf(why, whysz, "%s=%s is not a valid value",
			    dn_types[type[i]].type, v);
			free(v);
			X509_NAME_free(name);
			return RA_EINPUT;
		}
		free(v);
	}
	*out = name;
	return RA_OK;
}

/* RFC 2253 text, UTF-8 not escaped; caller frees.  NULL on error. */
char *
ra_dn_text(const X509_NAME *name)
{
	BIO	*bio;
	char	*p, *s = NULL;
	long	 n;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return NULL;
	if (X509_NAME_print_ex(bio, name, 0,
	    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0 &&
	    (n = BIO_get_mem_data(bio, &p)) >= 0)
		s = strndup(p, (size_t)n);
	BIO_free(bio);
	return s;
}

/* The last (most specific) value of "nid" in "name", copied; or NULL. */
char *
ra_dn_get(const X509_NAME *name, int nid)
{
	const ASN1_STRING	*as;
	unsigned char		*u = NULL;
	char			*s;
	int			 i, last = -1, n;

	while ((i = X509_NAME_get_index_by_NID(name, nid, last)) >= 0)
		last = i;
	if (last < 0)
		return NULL;
	as = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last));
	if ((n = ASN1_STRING_to_UTF8(&u, as)) < 0)
		return NULL;
	s = strndup((char *)u, (size_t)n);
	OPENSSL_free(u);
	return s;
}

/*
 * The OUs of a DN in TSV order (CN first), joined by commas: what tells
 * apart two client certificates of one CN (§2.1).  "" for none.
 */
void
ra_dn_ous(const X509_NAME *name, char *buf, size_t sz)
{
	X509_NAME_ENTRY	*ent;
	char		*v;
	size_t		 n;
	int		 i;

	*buf = '\0';
	for (i = X509_NAME_entry_count(name) - 1; i >= 0; i--) {
		ent = X509_NAME_get_entry(name, i);
		if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(ent)) !=
		    NID_organizationalUnitName ||
		    ASN1_STRING_to_UTF8((unsigned char **)&v,
		    X509_NAME_ENTRY_get_data(ent)) < 0)
			continue;
		n = strlen(buf);
		snprintf(buf + n, sz - n, "%s%s", n > 0 ? "," : "", v);
		OPENSSL_free(v);
	}
}

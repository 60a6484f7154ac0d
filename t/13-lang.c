/*
 * The page's language: a switch beats the remembered cookie, which beats
 * Accept-Language, which beats Japanese; q-values weigh; nothing of
 * another language or malformed leaks through.  And a page renders in
 * each language from the real templates, with no string missing.
 */
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>

#include "ra.h"
#include "web.h"
#include "tap.h"

static void
pick(const char *chosen, const char *cookie, const char *accept,
    const char *want, const char *what)
{
	const char	*got = ra_lang_pick(chosen, cookie, accept);

	ok(strcmp(got, want) == 0, "%s: %s", what, got);
}

static char *
page_in(const char *lang)
{
	HDF	*page = NULL;
	char	*out = NULL;

	if (hdf_init(&page) != STATUS_OK)
		return NULL;
	hdf_set_value(page, "Lang", lang);
	hdf_set_value(page, "Site.Name", "電子証明書自動発行支援システム");
	hdf_set_value(page, "Site.NameEn", "Certificate issuance support");
	hdf_set_value(page, "Error.Status", "503");
	if (ra_render_buf(page, "templates", "error.cs", &out) != RA_OK)
		out = NULL;
	hdf_destroy(&page);
	return out;
}

int
main(void)
{
	char	*ja, *en;
	char	 cookie[96];

	pick(NULL, NULL, NULL, "ja", "nothing said: Japanese");
	pick(NULL, NULL, "en-US,en;q=0.9", "en", "an English browser");
	pick(NULL, NULL, "ja,en-US;q=0.9,en;q=0.8", "ja", "a Japanese one");
	pick(NULL, NULL, "en;q=0.5, ja;q=0.8", "ja", "q-values weigh");
	pick(NULL, NULL, "fr-FR,fr;q=0.9,en;q=0.3", "en", "French first, then English");
	pick(NULL, NULL, "de, fr", "ja", "neither of ours: Japanese");
	pick(NULL, NULL, "en;q=0", "ja", "q=0 is not acceptable");
	pick(NULL, NULL, "EN-gb", "en", "case does not matter");
	pick(NULL, NULL, "eng, english", "ja", "en must be the whole primary tag");
	pick(NULL, NULL, ";;;,,q=,en;q=x", "ja", "garbage is passed over");
	pick(NULL, NULL, "*", "ja", "a wildcard is our default");
	pick(NULL, "en", "ja", "en", "the remembered choice beats the browser");
	pick(NULL, "xx", "en", "en", "a cookie not ours is passed over");
	pick("ja", "en", "en", "ja", "the switch beats both");
	pick("EN", NULL, NULL, "ja", "the switch takes our names exactly");
	ok(ra_lang_known("en") != NULL && ra_lang_known("en-US") == NULL &&
	    ra_lang_known(NULL) == NULL, "ra_lang_known takes ours only");
	ra_lang_cookie(cookie, sizeof(cookie), "en");
	ok(strncmp(cookie, "ra_lang=en; Path=/;", 19) == 0 &&
	    strstr(cookie, "Secure") != NULL &&
	    strstr(cookie, "SameSite=Lax") != NULL, "the cookie: %s", cookie);

	ja = page_in("ja");
	en = page_in("en");
	ok(ja != NULL && en != NULL, "error.cs renders in both");
	ok(ja != NULL && strstr(ja, "<html lang=\"ja\">") != NULL &&
	    strstr(ja, "システムが一時的に利用できません") != NULL &&
	    strstr(ja, "<p class=\"en\" lang=\"en\">The system is temporarily "
	    "unavailable.") != NULL, "Japanese first, English beside it");
	ok(en != NULL && strstr(en, "<html lang=\"en\">") != NULL &&
	    strstr(en, "<p>The system is temporarily unavailable.") != NULL &&
	    strstr(en, "システム") == NULL, "the English page has no Japanese");
	ok(ja != NULL && en != NULL && strstr(ja, "[[missing") == NULL &&
	    strstr(en, "[[missing") == NULL, "no string is missing");
	ok(en != NULL && strstr(en, "日本語</a>") != NULL,
	    "the English page links to the Japanese one");
	free(ja);
	free(en);
	return tap_done();
}

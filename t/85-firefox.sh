#!/bin/sh
# Firefox too (issue 17; the manual's own procedure 2-3-2, Firefox 68 and
# later): Debian's firefox-esr, headless, with a fresh profile.  The RA
# officer's P12 from STEP1-3 is imported into the profile's NSS database
# with pk12util, the demo root trusted there, and the profile's
# security.default_personal_cert picks the certificate when Apache asks:
# the login and the menu, asserted on the DOM (t/browser/firefox.py reads
# it over WebDriver BiDi) and kept as t/artefacts/firefox-menu.png.
. "$(dirname "$0")/lib.sh"
command -v firefox-esr >/dev/null || bail "firefox-esr is not installed (conf/packages)"
/usr/bin/python3 -c 'import websocket' 2>/dev/null ||
    bail "python3-websocket is not installed (conf/packages)"
stack_up
officer_with_cert 1,2,7,10

firefox_profile "$T/ff-officer" "$CACERT" "$OFFICER_P12" "$OFFICER_PASS"
ok $? "the RA P12 imports into a fresh Firefox profile (pk12util)"
mkdir -p "$top/t/artefacts"
rm -f "$top/t/artefacts/firefox-menu.png"
dom=$(firefox "$T/ff-officer" "$URL/ra/lra/login.cgi" "$top/t/artefacts/firefox-menu.png" 2>"$T/ff.err")
ok $? "Firefox logs in with the certificate, choosing it by itself" ||
    sed 's/^/# /' "$T/ff.err" "$T/ff-officer/firefox.log" | tail -n 20
has "$(printf '%s\n' "$dom" | head -n 1)" "$URL/ra/lra/menu.cgi" "and is sent on to the menu"
has "$dom" "山田太郎 様" "which greets the officer"
has "$dom" 'id="if-7"' "with the permitted interfaces"
hasnt "$dom" 'id="if-3"' "and without the others"
[ -s "$top/t/artefacts/firefox-menu.png" ] &&
    [ "$(head -c 8 "$top/t/artefacts/firefox-menu.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
ok $? "a screenshot of the menu is kept as t/artefacts/firefox-menu.png"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'login' AND outcome = 'ok'")" 1 \
    "the login is audited"

# Without a certificate in the profile, the same URL is refused: the
# login above was the certificate's, not the browser's.
firefox_profile "$T/ff-none" "$CACERT"
dom=$(firefox "$T/ff-none" "$URL/ra/lra/login.cgi" 2>/dev/null)
hasnt "$dom" "山田太郎 様" "a profile without the certificate does not reach the menu"

done_testing

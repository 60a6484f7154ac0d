#!/bin/sh
# The RA-officer login in a real browser: headless Chromium with the P12
# imported into its NSS database (stack.md §5, route A), a screenshot of
# the menu kept in t/artefacts/menu.png.
. "$(dirname "$0")/lib.sh"
command -v chromium >/dev/null || bail "chromium is not installed (conf/packages)"
stack_up
officer_with_cert 1,2,7,10

policy=/etc/chromium/policies/managed/ra-test-$$.json
cleanup() { rm -f "$policy"; stack_down; }
trap cleanup EXIT

HOME=$T/chrome-home
export HOME
nss=sql:$HOME/.pki/nssdb
mkdir -p "$HOME/.pki/nssdb"
certutil -N -d "$nss" --empty-password &&
pk12util -i "$OFFICER_P12" -d "$nss" -W "$OFFICER_PASS" >/dev/null &&
certutil -A -d "$nss" -n "ra Demo Root CA" -t "C,," -i "$CACERT"
ok $? "the RA P12 imports into Chromium's NSS database"
# Headless Chromium has no certificate chooser: without this managed policy
# it waits forever.  The policy is machine-wide, so it goes when we do.
mkdir -p /etc/chromium/policies/managed
cat >"$policy" <<JSON
{ "AutoSelectCertificateForUrls": [
  "{\"pattern\":\"https://localhost:$RA_PORT\",\"filter\":{\"ISSUER\":{\"CN\":\"ra Demo RA Officer CA\"}}}" ] }
JSON

browse() {	# browse NAME FLAG... URL (NAME: a fresh browser profile)
	ud=$T/ud-$1
	shift
	timeout -k 5 60 chromium --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --disable-background-networking --disable-component-update \
	    --disable-sync --user-data-dir="$ud" --window-size=1100,900 "$@" 2>/dev/null
}
dom=$(browse dom --dump-dom "$URL/ra/lra/login.cgi")
ok $? "Chromium logs in with the certificate"
has "$dom" "山田太郎 様" "and lands on the menu"
has "$dom" 'id="if-7"' "with the permitted interfaces"
hasnt "$dom" 'id="if-3"' "and without the others"

mkdir -p "$top/t/artefacts"
rm -f "$top/t/artefacts/menu.png"
browse shot --screenshot="$top/t/artefacts/menu.png" "$URL/ra/lra/login.cgi" >/dev/null
[ -s "$top/t/artefacts/menu.png" ]
ok $? "a screenshot of the menu is kept as t/artefacts/menu.png"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'login' AND outcome = 'ok'")" 2 \
    "both browser logins are audited"

done_testing

#!/bin/sh
# The RA-officer login in a real browser: headless Chromium with the P12
# imported into its NSS database (stack.md §5, route A), a screenshot of
# the menu kept in t/artefacts/menu.png.
. "$(dirname "$0")/lib.sh"
command -v chromium >/dev/null || bail "chromium is not installed (conf/packages)"
stack_up
officer_with_cert 1,2,7,10

chromium_with_cert
ok $? "the RA P12 imports into Chromium's NSS database"

browse() {	# browse NAME FLAG... URL (NAME: a fresh browser profile)
	ud=$T/ud-$1
	shift
	timeout -k 5 60 chromium --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --disable-background-networking --disable-component-update \
	    --disable-sync --accept-lang=ja --user-data-dir="$ud" --window-size=1100,900 "$@" 2>/dev/null
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

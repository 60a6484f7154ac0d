# t/lib.sh -- TAP helpers and a private ra stack for the shell tests.
# Source it; call stack_up to get a running stack on free ports in a fresh
# directory ($T), torn down on exit whatever happens.  KEEP=1 keeps $T.

top=$(cd "$(dirname "$0")/.." && pwd)
tap_n=0
tap_bad=0

ok() {	# ok STATUS DESCRIPTION
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_bad=$((tap_bad + 1))
	fi
}

is() {	# is GOT WANT DESCRIPTION
	[ "$1" = "$2" ]
	ok $? "$3"
	[ "$1" = "$2" ] || printf '#   got:  %s\n#   want: %s\n' "$1" "$2"
}

has() {	# has TEXT FIXED-STRING DESCRIPTION
	printf '%s' "$1" | grep -qF -- "$2"
	ok $? "$3"
}

hasnt() {	# hasnt TEXT FIXED-STRING DESCRIPTION
	! printf '%s' "$1" | grep -qF -- "$2"
	ok $? "$3"
}

bail() {
	echo "Bail out! $*"
	exit 1
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_bad" -eq 0 ]
}

free_port() {
	perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1,
	    LocalAddr => "127.0.0.1", LocalPort => 0, ReuseAddr => 1)->sockport'
}

stack_down() {
	[ -n "${T:-}" ] || return 0
	make -s -C "$top" stop VAR="$T/var" >>"$T/stop.log" 2>&1 ||
	    echo "# stack stop failed: $(tail -n 3 "$T/stop.log")"
	# make check-asan reads the stack's logs after the test.
	if [ -n "${RA_KEEP_LOGS:-}" ]; then
		mkdir -p "$RA_KEEP_LOGS/${T##*/}" && cp "$T"/var/log/*.log "$RA_KEEP_LOGS/${T##*/}/"
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "# kept $T"; else rm -rf "$T"; fi
	T=
}

# Start again what of the stack is not running (its own start, no new
# install), as after a test stopped or killed one of its daemons.
stack_start() {
	RA_DEMO=0 make -s -C "$top" start VAR="$T/var" >>"$T/start.log" 2>&1 ||
	    bail "stack start failed: $(tail -n 5 "$T/start.log")"
}

# Start the stack's worker again as the stack starts it (after a kill).
worker_restart() {
	make -s -C "$top" start-worker VAR="$T/var" >>"$T/start.log" 2>&1 ||
	    bail "worker start failed: $(tail -n 5 "$T/start.log")"
}

# Run SQL as the database owner; prints unaligned rows.
sql() {
	psql -h "$T/var/pgsock" -U postgres -d ra -Atq -v ON_ERROR_STOP=1 -c "$1"
}

stack_up() {
	T=$(mktemp -d /tmp/ra-test.XXXXXX) || bail "mktemp"
	chmod 0755 "$T"		# Apache's children (www-data) read below it
	trap stack_down EXIT
	trap 'exit 1' INT TERM
	RA_PORT=$(free_port)
	RA_HTTP_PORT=$(free_port)
	RA_SMTP_PORT=$(free_port)
	export RA_PORT RA_HTTP_PORT RA_SMTP_PORT
	# where the ACME validator fetches http-01 answers (an ACME client's port)
	RA_ACME_HTTP_PORT=$(free_port)
	export RA_ACME_HTTP_PORT
	# RA_TOKEN=1: the issuing CAs' keys in a SoftHSM2 token (t/68, t/69).
	RA_DEMO=0 RA_TOKEN=${RA_TOKEN:-0} make -s -C "$top" run VAR="$T/var" >"$T/run.log" 2>&1 ||
	    bail "make run failed: $(tail -n 5 "$T/run.log")"
	RA_CONF=$T/var/ra.conf
	export RA_CONF
	CGIDIR=$T/var/root$(make -s --no-print-directory -C "$top" print-cgidir)
	PUBLICDIR=$CGIDIR/public
	OFFICERDIR=$CGIDIR/officer
	DESKDIR=$CGIDIR/desk
	TOOLSDIR=$CGIDIR/tools
	URL=https://localhost:$RA_PORT
	CACERT=$T/var/pki/root-ca.crt
}

# Run a command of the installed tree as the issuance worker's user.
as_worker() {
	runuser -u ra-worker -- env RA_CONF="$RA_CONF" "$@"
}

# Run a command of the installed tree as mail delivery's user.
as_mailer() {
	runuser -u ra-mail -- env RA_CONF="$RA_CONF" "$@"
}

# Stop the worker "make run" started, so a test can drive its own.
worker_stop() {
	pid=$(cat "$T/var/run/worker.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	rm -f "$T/var/run/worker.pid"
}

# An active institution for requests: code, O, ST, L.
institution_add() {
	sql "INSERT INTO ra.institution (code, name_ja, name_en, st, l, status, usage_from, usage_until)
	     VALUES ('$1', '$1', '$2', '$3', '$4', 'active', '2026-01-01', '2030-12-31')"
}

# An institution (nii), an officer with the interfaces in $1 and their RA
# certificate fetched through the real flow (desk, mail, PIN, STEP1-3).
# Sets OFFICER_P12 (a file) and OFFICER_PASS.
officer_with_cert() {
	d=$DESKDIR/desk.cgi
	cu="curl -sS --cacert $CACERT"
	"$d" institution-add --code nii --name-ja 国立情報学研究所 \
	    --name-en "National Institute of Informatics" --st Tokyo --l Chiyoda-ku \
	    --from 2026-01-01 --until 2030-12-31 >/dev/null &&
	"$d" domain-add --institution nii --domain nii.ac.jp >/dev/null &&
	"$d" officer-add --institution nii --name-ja 山田太郎 --romaji "Taro Yamada" \
	    --mail taro@nii.ac.jp --phone 03-1234-5678 --domains nii.ac.jp \
	    --interfaces "$1" >/dev/null || bail "desk registration failed"
	mails_settle
	f=$(grep -l '^To: taro@nii.ac.jp' "$T/var/mail/maildir/new/"* | tail -n 1)
	openssl smime -verify -noverify -in "$f" -out "$T/m.body" 2>/dev/null
	tok=$(tr -d '\r' <"$T/m.body" | grep -o 'raget.cgi?t=[A-Za-z0-9_-]*' | cut -d= -f2)
	pin=$("$d" pin-issue --officer 1 | sed 's/.*: //')
	page=$($cu -d "t=$tok&step=pin&pin=$pin" "$URL/ra/raget.cgi")
	s=$(printf '%s' "$page" | sed -n 's/.*name="s" value="\([^"]*\)".*/\1/p')
	OFFICER_PASS=$(printf '%s' "$page" | sed -n 's/.*id="p12pin">\([^<]*\)<.*/\1/p')
	$cu -o /dev/null -d "t=$tok&s=$s&step=issue&pass=$OFFICER_PASS" "$URL/ra/raget.cgi"
	i=0
	until [ "$(sql "SELECT state FROM ra.request WHERE kind = 'ra_officer'")" = done ] ||
	    [ $i -ge 600 ]; do sleep 0.1; i=$((i + 1)); done
	OFFICER_P12=$T/officer.p12
	$cu -o "$OFFICER_P12" -d "t=$tok&s=$s&step=download&pass=$OFFICER_PASS&format=modern" \
	    "$URL/ra/raget.cgi"
	openssl pkcs12 -in "$OFFICER_P12" -passin "pass:$OFFICER_PASS" -noout 2>/dev/null ||
	    bail "no RA certificate came out of the flow"
}

# Deliver the outbox now and wait until no mail is due: the stack's own
# mail daemon may hold one at this very moment, so sending once is not
# enough to know it went out.
mails_settle() {
	i=0
	while [ $i -lt 50 ]; do
		as_mailer "$TOOLSDIR/mail.cgi" send >/dev/null 2>>"$T/deliver.log"
		[ "$(sql "SELECT count(*) FROM ra.mail WHERE state = 'pending'
		           AND next_attempt_at <= now()")" = 0 ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

# firefox_profile DIR CA [P12 PASS]: a fresh Firefox profile (its NSS
# database made by certutil, as the manual's 2-3-2 imports into Firefox)
# trusting CA, holding P12 when given, and choosing the certificate by
# itself when a server asks (headless Firefox has no chooser to answer).
firefox_profile() {
	mkdir -p "$1" &&
	certutil -N -d "sql:$1" --empty-password &&
	certutil -A -d "sql:$1" -n "test CA" -t "C,," -i "$2" || return 1
	if [ $# -ge 4 ]; then
		pk12util -i "$3" -d "sql:$1" -W "$4" >/dev/null || return 1
	fi
	cat >"$1/user.js" <<'JS'
user_pref("security.default_personal_cert", "Select Automatically");
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("app.update.disabledForTesting", true);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("browser.safebrowsing.update.enabled", false);
user_pref("intl.accept_languages", "ja, en");
JS
}
# firefox PROFILE URL [PNG]: the page's address, then its DOM (t/browser/firefox.py).
firefox() { timeout -k 5 90 /usr/bin/python3 "$top/t/browser/firefox.py" "$@"; }

# Headless Chromium with the RA officer's certificate: the P12 in a fresh
# NSS database under $HOME (Chromium on Linux reads only $HOME/.pki/nssdb),
# the demo root trusted, and the managed policy that picks the certificate:
# headless Chromium has no chooser and without the policy waits forever
# (stack.md §5).  The policy is machine-wide, so it goes when the test does.
chromium_with_cert() {
	CHROMIUM_POLICY=/etc/chromium/policies/managed/ra-test-$$.json
	trap 'rm -f "$CHROMIUM_POLICY"; stack_down' EXIT
	HOME=$T/chrome-home
	export HOME
	nss=sql:$HOME/.pki/nssdb
	mkdir -p "$HOME/.pki/nssdb"
	certutil -N -d "$nss" --empty-password &&
	pk12util -i "$OFFICER_P12" -d "$nss" -W "$OFFICER_PASS" >/dev/null &&
	certutil -A -d "$nss" -n "ra Demo Root CA" -t "C,," -i "$CACERT" || return 1
	mkdir -p /etc/chromium/policies/managed
	cat >"$CHROMIUM_POLICY" <<JSON
{ "AutoSelectCertificateForUrls": [
  "{\"pattern\":\"https://localhost:$RA_PORT\",\"filter\":{\"ISSUER\":{\"CN\":\"ra Demo RA Officer CA\"}}}" ] }
JSON
}

# The text of a mail of the sink, signature checked, decoded from ISO-2022-JP.
mail_text() {
	openssl smime -verify -in "$1" -CAfile "$CACERT" 2>/dev/null |
	    iconv -f ISO-2022-JP -t UTF-8 2>/dev/null | tr -d '\r' | sed '1,/^$/d'
}

# The newest mail (by its outbox id) to $1 whose subject contains $2.
mail_to() {
	r=$(mail_to_ "$@")
	[ -n "$r" ] && echo "$r"
}
mail_to_() {
	for f in $(grep -l "^To: .*$1" "$T/var/mail/maildir/new/"* 2>/dev/null); do
		echo "$(sed -n 's/^Message-ID: <ra-mail-\([0-9]*\)@.*/\1/p' "$f") $f"
	done | sort -rn | while read -r id f; do
		s=$(sed -n 's/^Subject: =?ISO-2022-JP?B?\(.*\)?=\r*$/\1/p' "$f" | base64 -d 2>/dev/null |
		    iconv -f ISO-2022-JP -t UTF-8 2>/dev/null)
		case $s in *"$2"*) echo "$f"; return 0 ;; esac
	done
}

# Whether the one-time URL $1 is, in ra.access_token, one that SQL
# condition $2 holds for (t: the token, r: its request); by its hash,
# which is all the database keeps of a token.
url_is() {
	h=$(printf '%s' "${1##*t=}" | sha256sum | cut -c1-64)
	[ "$(sql "SELECT count(*) FROM ra.access_token t LEFT JOIN ra.request r USING (request_id)
	          WHERE t.token_sha256 = '\\x$h' AND ($2)")" = 1 ]
}

# The M1 URL, among the mails to $1, of the PIN URL condition $2 names.
m1_where() {
	for f in $(grep -l "^To: .*$1" "$T/var/mail/maildir/new/"* 2>/dev/null); do
		u=$(m1_url "$f")
		[ -n "$u" ] && url_is "$u" "$2" && { echo "$u"; return 0; }
	done
	return 1
}

# What an integrator reads off the client mails (reference §10.4), with
# the regular expressions of their tools: M1's URL is the line after the
# 本日から line; M2's after 証明書取得URL：.
m1_url() { mail_text "$1" | grep -A1 '^本日から１ヶ月以内に以下のアクセスPIN取得URLへアクセスし' | sed -n '2s/ *$//p'; }
m2_url() { mail_text "$1" | sed -n 's/^証明書取得URL：\([^ ]*\) $/\1/p' | head -n 1; }
tok_of() { printf '%s' "$1" | sed 's/.*?t=//'; }

# The client TSV of the Kyoto integrator: 15 columns, CP932, CRLF.
# crow DN PROFILE METHOD SERIAL P12NAME USER MAIL [PIN]
crow() {
	printf '%s\t%s\t%s\t%s\t\t\t\t京大 管理者\t情報環境機構\tadmin@kyoto-u.ac.jp\t%s\t%s\t情報学研究科\t%s\t%s\r\n' \
	    "$1" "$2" "$3" "$4" "$6" "$5" "$7" "${8:-}"
}

# The service desk's operator for a test: a client certificate ra issued
# (institution ops, made here), registered as NAME with the shell login
# that runs the test, so the screen's and the shell's audit rows name the
# same certificate.  Sets FP (its SHA-256, as the audit writes it) and OP
# (curl's options); desk_post sends a same-origin POST to the desk.
desk_operator_up() {	# desk_operator_up NAME
	"$DESKDIR/desk.cgi" institution-add --code ops --name-ja サービス窓口 \
	    --name-en "UPKI Service Desk" --st Tokyo --l Chiyoda-ku \
	    --from 2026-01-01 --until 2030-12-31 >/dev/null
	desk_cert "$1" "$T/desk"
	"$DESKDIR/desk.cgi" operator-add --name "$1" --cert "$T/desk.pem" \
	    --unix-user "$(id -un)" >"$T/operator.out" || bail "desk operator not registered"
	FP=$(fp_of "$T/desk.pem")
	OP="--cert-type P12 --cert $T/desk.p12:desk-secret-1"
}
desk_cert() {	# desk_cert NAME FILE-PREFIX: PREFIX.p12 (desk-secret-1), PREFIX.pem
	_o=$(echo "desk-secret-1" | "$TOOLSDIR/ca.cgi" request --institution ops --profile 14 \
	    --subject "CN=$1,O=UPKI Service Desk,C=JP" --secret-stdin --wait 20)
	_r=$(printf '%s' "$_o" | sed -n '1s/request \([0-9]*\) queued/\1/p')
	echo "desk-secret-1" | "$TOOLSDIR/ca.cgi" p12 --request "$_r" --format modern --out "$2.p12"
	openssl pkcs12 -in "$2.p12" -passin pass:desk-secret-1 -nokeys -clcerts 2>/dev/null |
	    openssl x509 >"$2.pem"
}
fp_of() { openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f; }
desk_post() {
	curl -sS --cacert "$CACERT" $OP -H "Origin: https://localhost:$RA_PORT" "$@" \
	    "$URL/ra/desk/desk.cgi"
}

# An RA certificate fetched through the real flow from the newest
# retrieval mail to MAIL, with a PIN the desk issues now: OUT.p12, its
# password in OUT.pass, the certificate in OUT.pem.
ra_cert_fetch() {	# ra_cert_fetch MAIL OFFICER OUT
	_cu="curl -sS --cacert $CACERT"
	mails_settle
	_f=$(mail_to "$1" 登録担当者用証明書発行受付通知)
	_tok=$(mail_text "$_f" | grep -o 'raget.cgi?t=[A-Za-z0-9_-]*' | cut -d= -f2)
	_pin=$("$DESKDIR/desk.cgi" pin-issue --officer "$2" | sed 's/.*: //')
	_page=$($_cu -d "t=$_tok&step=pin&pin=$_pin" "$URL/ra/raget.cgi")
	_s=$(printf '%s' "$_page" | sed -n 's/.*name="s" value="\([^"]*\)".*/\1/p')
	_pass=$(printf '%s' "$_page" | sed -n 's/.*id="p12pin">\([^<]*\)<.*/\1/p')
	$_cu -o /dev/null -d "t=$_tok&s=$_s&step=issue" "$URL/ra/raget.cgi"
	_i=0
	until [ "$(sql "SELECT count(*) FROM ra.request WHERE kind = 'ra_officer' AND state = 'queued'")" = 0 ] ||
	    [ $_i -ge 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	$_cu -o "$3.p12" -d "t=$_tok&s=$_s&step=download&pass=$_pass&format=modern" "$URL/ra/raget.cgi"
	printf '%s' "$_pass" >"$3.pass"
	openssl pkcs12 -in "$3.p12" -passin "pass:$_pass" -nokeys -clcerts 2>/dev/null |
	    openssl x509 >"$3.pem" 2>/dev/null
}
# The serial ra stored for the certificate OUT.pem.
ra_cert_serial() { sql "SELECT serial FROM ra.certificate WHERE encode(sha256(der), 'hex') = '$(fp_of "$1.pem")'"; }
# The HTTP status of login.cgi with the RA certificate OUT (cookies to JAR).
ra_login() {	# ra_login OUT [JAR]
	curl -sS --cacert "$CACERT" --cert-type P12 --cert "$1.p12:$(cat "$1.pass")" \
	    ${2:+-c "$2"} -o /dev/null -w '%{http_code}' "$URL/ra/lra/login.cgi"
}
# EXPR over the newest audit row of EVENT.
audit_last() {	# audit_last EVENT EXPR
	sql "SELECT $2 FROM ra.audit a WHERE event = '$1' ORDER BY audit_id DESC LIMIT 1"
}

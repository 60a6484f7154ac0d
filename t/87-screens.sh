#!/bin/sh
# Every screen in both languages, as a user sees it: headless Chromium
# with the officer's RA certificate (and the desk operator's for the
# desk), the language chosen once by the switch and remembered; each page
# kept as t/artefacts/screens/NAME.LANG.png.  A page fails on an HTTP
# error, a ClearSilver error, a string missing in either language
# ([[missing key]]), markup escaped into text or template code left in it,
# the wrong <html lang>, or Japanese text left on an English page (other
# than the names the database holds).  The language itself: Accept-Language
# picks it, the switch overrides it and is remembered, and a one-time URL
# keeps its token across the switch.
. "$(dirname "$0")/lib.sh"
command -v chromium >/dev/null || bail "chromium is not installed (conf/packages)"
stack_up
officer_with_cert 1,2,3,4,5,6,7,8,9,11,12
O="National Institute of Informatics"
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
CU="curl -sS --cacert $CACERT --cert-type P12 --cert $OFFICER_P12:$OFFICER_PASS"
cu="curl -sS --cacert $CACERT"
shots=$top/t/artefacts/screens
rm -rf "$shots"
mkdir -p "$shots"

# Something on every screen: a server and a client certificate issued
# (their one-time URLs), a second officer waiting for their RA certificate.
csr=$(openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
    -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=www.nii.ac.jp" 2>/dev/null | tr -d '\n')
printf 'CN=www.nii.ac.jp,%s\t22\t\t\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\twww.nii.ac.jp\tApache\t\r\n' \
    "$DN" "$csr" | iconv -f UTF-8 -t CP932 >"$T/server.tsv"
{ printf 'CN=sato.001,%s\t14\t1\t\t\t\t\t国立 管理者\t情報基盤センター\tadmin@nii.ac.jp\t佐藤 一郎\tNIIcert-001\t情報学研究科\tsato@nii.ac.jp\t\r\n' "$DN"
  printf 'CN=suzuki.002,%s\t14\t1\t\t\t\t\t国立 管理者\t情報基盤センター\tadmin@nii.ac.jp\t鈴木 次郎\tNIIcert-002\t工学部\tsuzuki@nii.ac.jp\t\r\n' "$DN"
} | iconv -f UTF-8 -t CP932 >"$T/client.tsv"
"$OFFICERDIR/server.cgi" --officer 1 --action issue --mode abort "$T/server.tsv" >/dev/null
"$OFFICERDIR/client.cgi" --officer 1 --action issue --mode abort "$T/client.tsv" >/dev/null
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
"$DESKDIR/desk.cgi" officer-add --institution nii --name-ja 鈴木花子 --romaji "Hanako Suzuki" \
    --mail hanako@nii.ac.jp --phone 03-1234-5679 --domains nii.ac.jp --interfaces 1 >/dev/null
mails_settle
certget=$(for f in $(grep -l '^To: yamada@nii.ac.jp' "$T/var/mail/maildir/new/"*); do mail_text "$f"; done |
    grep -o 'https://[^ ]*certget.cgi?t=[A-Za-z0-9_-]*' | head -n 1)
# sato's PIN taken (which opens the certificate URL); suzuki's not yet.
$cu -o /dev/null -d "t=$(tok_of "$(m1_where admin@nii.ac.jp "r.cn = 'sato.001'")")" "$URL/ra/pinget.cgi"
pinget=$(m1_where admin@nii.ac.jp "r.cn = 'suzuki.002'")
mails_settle
cliget=$(m2_url "$(mail_to sato@nii.ac.jp "[UPKI] クライアント証明書発行受付通知")")
raget=$(mail_text "$(mail_to hanako@nii.ac.jp 登録担当者用証明書発行受付通知)" |
    grep -o 'https://[^ ]*raget.cgi?t=[A-Za-z0-9_-]*' | head -n 1)
for u in "$certget" "$pinget" "$cliget" "$raget"; do
	case $u in https://*\?t=*) ;; *) bail "a one-time URL did not come: '$u'" ;; esac
done
path_of() { printf '%s' "${1#https://*/}" | sed 's|^|/|'; }

# The language, by curl: what the browser would be told.
page=$($cu -H 'Accept-Language: en-US,en;q=0.9' "$URL/ra/index.cgi")
has "$page" '<html lang="en">' "Accept-Language: en gives the English front page"
hasnt "$page" "参加機関" "with no Japanese heading"
page=$($cu "$URL/ra/index.cgi")
has "$page" '<html lang="ja">' "no Accept-Language: Japanese"
has "$page" '参加機関 <span class="en" lang="en">Participating institutions</span>' \
    "with the English beside the Japanese"
hdr=$($cu -D - -o /dev/null -H 'Accept-Language: en' "$URL/ra/index.cgi?lang=ja")
has "$hdr" "Set-Cookie: ra_lang=ja; Path=/;" "the switch is remembered in a cookie"
page=$($cu -b "ra_lang=ja" -H 'Accept-Language: en' "$URL/ra/index.cgi")
has "$page" '<html lang="ja">' "and the cookie beats Accept-Language"
page=$($cu -H 'Accept-Language: en' "$(path_of "$certget" | sed "s|^|$URL|")")
tok=${certget##*t=}
has "$page" "href=\"?t=$tok&amp;lang=ja\"" "a one-time URL's switch keeps its token"
is "$($cu -o /dev/null -w '%{http_code}' "$URL/ra/index.cgi?lang=fr")" 400 \
    "a language not ours is an undeclared field: 400"

# Every screen, by curl, in both languages: status and markup.
OFFICER_PAGES="menu=/ra/lra/menu.cgi server=/ra/lra/server.cgi client=/ra/lra/client.cgi
codesign=/ra/lra/codesign.cgi admin=/ra/lra/admin.cgi alldl=/ra/lra/alldl.cgi
stats=/ra/lra/stats.cgi tsurl=/ra/lra/tsurl.cgi
acme-app=/ra/lra/acme-app.cgi batch=/ra/lra/batch.cgi error=/ra/lra/menu.cgi?x=1"
PUBLIC_PAGES="index=/ra/index.cgi certget=$(path_of "$certget") pinget=$(path_of "$pinget")
cliget=$(path_of "$cliget") raget=$(path_of "$raget") eabget=/ra/eabget.cgi?t=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
JAR=$T/jar
$CU -c "$JAR" -o /dev/null "$URL/ra/lra/login.cgi"
for lang in ja en; do
	for e in $PUBLIC_PAGES $OFFICER_PAGES; do
		n=${e%%=*}
		p=${e#*=}
		code=$($CU -b "$JAR" -H "Accept-Language: $lang" -o "$T/p.html" -w '%{http_code}' "$URL$p")
		case $n in
		error) want=400 ;; eabget) want=404 ;; *) want=200 ;;
		esac
		is "$code" "$want" "$n ($lang): HTTP $want"
		body=$(cat "$T/p.html")
		has "$body" "<html lang=\"$lang\">" "$n ($lang): <html lang=\"$lang\">"
		bad=$(grep -o -e '\[\[missing[^]]*\]\]' -e '<?cs[^>]*' -e '&lt;/\?\(span\|p\|a\|br\|strong\|code\)[ &]' \
		    "$T/p.html" | head -n 3 | tr '\n' ' ')
		is "$bad" "" "$n ($lang): no missing string, no template code, no escaped markup"
	done
done

# The same screens in Chromium, and the desk's with the desk's certificate.
chromium_with_cert
ok $? "the RA P12 imports into Chromium's NSS database"
OFFICER_HOME=$HOME
desk_operator_up "Hanako Desk"
HOME=$T/desk-home
mkdir -p "$HOME/.pki/nssdb"
certutil -N -d "sql:$HOME/.pki/nssdb" --empty-password &&
pk12util -i "$T/desk.p12" -d "sql:$HOME/.pki/nssdb" -W desk-secret-1 >/dev/null &&
certutil -A -d "sql:$HOME/.pki/nssdb" -n "ra Demo Root CA" -t "C,," -i "$CACERT"
ok $? "the desk operator's P12 imports into a second NSS database"
# Each browser has one certificate: the policy may choose any.
cat >"$CHROMIUM_POLICY" <<JSON
{ "AutoSelectCertificateForUrls": [ "{\"pattern\":\"https://localhost:$RA_PORT\",\"filter\":{}}" ] }
JSON
"$DESKDIR/desk.cgi" pin-issue --officer 2 --letter - >"$T/letter.html" 2>/dev/null

ALLOWED="国立情報学研究所|山田太郎|鈴木花子|サービス窓口|佐藤 一郎|鈴木 次郎|国立 管理者|情報基盤センター|情報学研究科|工学部"
screens() {	# screens HOME LANG NAME=URL...: one JSON line per page
	_h=$1 _l=$2
	shift 2
	HOME=$_h timeout -k 5 300 /usr/bin/python3 "$top/t/browser/screens.py" "$URL" "$shots" \
	    "$_l" "$ALLOWED" "$@"
}
for lang in ja en; do
	{
		screens "$OFFICER_HOME" "$lang" login=/ra/lra/login.cgi $OFFICER_PAGES \
		    "upload=upload:/ra/lra/server.cgi:$T/server.tsv" $PUBLIC_PAGES
		# The PIN letter is printed bilingual, whatever the desk reads.
		screens "$HOME" "$lang" desk=/ra/desk/desk.cgi desk-ops=/ra/desk/desk.cgi?view=ops \
		    $([ "$lang" = ja ] && echo "pin-letter=file://$T/letter.html")
	} >"$T/shots.$lang" 2>"$T/shots.$lang.err"
	n=0
	while read -r line; do
		n=$((n + 1))
		name=$(printf '%s' "$line" | python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])')
		got=$(printf '%s' "$line" | python3 -c '
import json, sys
j = json.load(sys.stdin)
bad = []
if j["lang"] != sys.argv[1]: bad.append("lang=" + j["lang"])
if j["missing"]: bad.append("a string missing")
if j["japanese"]: bad.append("Japanese left: " + j["japanese"])
if j["chars"] < 40: bad.append("an empty page")
print(" ".join(bad))' "$lang")
		is "$got" "" "Chromium, $name ($lang): drawn whole, in its language"
		[ -s "$shots/$name.$lang.png" ]
		ok $? "  kept as t/artefacts/screens/$name.$lang.png"
	done <"$T/shots.$lang"
	# login, the officer's pages, the upload, the public pages, the desk's
	# two and (in Japanese) the PIN letter.
	want=$((1 + $(echo $OFFICER_PAGES | wc -w) + 1 + $(echo $PUBLIC_PAGES | wc -w) + 2))
	[ "$lang" = ja ] && want=$((want + 1))
	is "$n" "$want" "every screen was drawn in $lang"
	[ "$n" = "$want" ] || sed 's/^/# /' "$T/shots.$lang.err" | tail -n 20
done
# The menu in English has English menu names.
grep -q '"name":"menu","lang":"en"' "$T/shots.en"
ok $? "the English menu is an English page"

done_testing

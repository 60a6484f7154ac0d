#!/bin/sh
# ⑥ certAll.tsv (alldl.cgi): every certificate the officer's uploads make,
# in the one 46-column layout of ② and ④.  Server certificates under the
# officer's domains and the institution's client, S/MIME and code-signing
# ones; none of another institution, none under a domain of the same
# institution the officer is not registered for, no RA certificate.  Its
# rows are ②'s and ④'s lines byte for byte; Shift_JIS by default, UTF-8
# on request (the same text); the shell's file is the screen's; 403
# without interface ⑥.
. "$(dirname "$0")/lib.sh"
stack_up
officer_with_cert 1,2,4,6,10
CU="curl -sS --cacert $CACERT --cert-type P12 --cert $OFFICER_P12:$OFFICER_PASS"
LRA=$URL/ra/lra
JAR=$T/jar
D=$DESKDIR/desk.cgi
O="National Institute of Informatics"
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
off=1

csr() {	# csr SUBJECT: a one-line PEM CSR, as the TSV tool writes it
	openssl req -new -newkey rsa:2048 -nodes -keyout /dev/null -subj "$1" 2>/dev/null | tr -d '\n'
}
up() {	# up OFFICER FQDN: a server issue row for FQDN, uploaded from the shell
	printf '%s\t21\t\t\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\t%s\tnginx\t\r\n' \
	    "CN=$2,$DN" "$(csr "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=$2")" "$2" |
	    iconv -f UTF-8 -t CP932 >"$T/up.tsv" &&
	"$OFFICERDIR/server.cgi" --officer "$1" --action issue --mode abort "$T/up.tsv" >/dev/null 2>"$T/up.err"
}
creq() {	# creq INSTITUTION PROFILE SUBJECT: a client/S/MIME request, done
	printf 'p12-password-1\n' |
	"$TOOLSDIR/ca.cgi" request --institution "$1" --profile "$2" --subject "$3" \
	    --secret-stdin --wait 60 2>"$T/ca.err" | sed -n 's/^request \([0-9]*\) done.*/\1/p'
}
# copy SERIAL CODE KIND PROFILE CN: a certificate of another kind or
# institution, as the worker would store it (its own serial, key and DER),
# copied from a real one; prints the new serial.  A code-signing request
# names its key protection once migration 014 has the column.
kp=$(sql "SELECT count(*) FROM information_schema.columns
          WHERE table_schema = 'ra' AND table_name = 'request' AND column_name = 'key_protection'")
copy() {
	case $kp$3 in 1code_signing) kpc=", key_protection" kpv=", 'token'" ;; *) kpc= kpv= ;; esac
	sql "WITH r AS (INSERT INTO ra.request (institution_id, action, kind, profile_id, subject_der,
                       subject_dn, state, done_at, cn, admin_name, admin_mail, csr_der, spki_sha256$kpc)
                SELECT institution_id, 'issue', '$3', $4, '\\x3000', 'CN=$5', 'done', now(), '$5',
                       '署名 担当', 'sign@example.jp', '\\x3000',
                       sha256(convert_to('t46 request $2 $5', 'UTF8'))$kpv
                  FROM ra.institution WHERE code = '$2' RETURNING request_id, institution_id)
         INSERT INTO ra.certificate (ca_id, serial, request_id, institution_id, kind, profile_id,
                subject_dn, cn, spki_der, spki_sha256, state, tbs_der, der, not_before, not_after, issued_at)
         SELECT c.ca_id, 10::numeric ^ 30 + r.request_id, r.request_id, r.institution_id, '$3', $4,
                'CN=$5', '$5', '\\x00', sha256(convert_to('t46 ' || r.request_id, 'UTF8')), 'issued', '\\x00',
                c.der || convert_to(r.request_id::text, 'UTF8'), c.not_before, c.not_after, now()
           FROM r, ra.certificate c WHERE c.serial = $1
         RETURNING serial" | head -n 1
}
# get NAME [QUERY]: ⑥ from the screen (NAME.tsv, headers NAME.hdr).
get() { $CU -b "$JAR" -o "$T/$1.tsv" -D "$T/$1.hdr" "$LRA/alldl.cgi${2:+?$2}"; }
# rows FILE: the data lines, sorted, in UTF-8 without CRs.
rows() { tail -n +2 "$1" | tr -d '\r' | LC_ALL=C sort; }
serials() { awk -F'\t' 'NR > 1 { print $24 }' "$1" | tr -d '\r' | LC_ALL=C sort | tr '\n' ' '; }

# --- the data: what ⑥ must list, and what it must not ------------------
"$D" domain-add --institution nii --domain other-nii.ac.jp >/dev/null &&
"$D" officer-add --institution nii --name-ja 別担当 --romaji "Other Officer" --mail other@nii.ac.jp \
    --phone 03-1234-0000 --domains other-nii.ac.jp --interfaces 1,6,10 >/dev/null
ok $? "a second domain of the institution, with an officer of its own (2)"
institution_add kyoto "Kyoto University" Kyoto Kyoto
up $off www.nii.ac.jp; ok $? "a server certificate under the officer's domain"
up 2 www.other-nii.ac.jp; ok $? "one under the institution's other domain, by the other officer"
cl=$(creq nii 5 "CN=Hanako Riyou,O=$O,C=JP")
sm=$(creq nii 7 "CN=hanako@nii.ac.jp")
kc=$(creq kyoto 5 "CN=Jiro Kyodai,O=Kyoto University,C=JP")
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
[ -n "$cl" ] && [ -n "$sm" ] && [ -n "$kc" ]; ok $? "client and S/MIME certificates, one of another institution"
s_www=$(sql "SELECT serial FROM ra.certificate WHERE cn = 'www.nii.ac.jp'")
s_oth=$(sql "SELECT serial FROM ra.certificate WHERE cn = 'www.other-nii.ac.jp'")
s_cl=$(sql "SELECT serial FROM ra.certificate WHERE request_id = $cl")
s_sm=$(sql "SELECT serial FROM ra.certificate WHERE request_id = $sm")
s_kc=$(sql "SELECT serial FROM ra.certificate WHERE request_id = $kc")
[ -n "$s_www" ] && [ -n "$s_oth" ]; ok $? "both server certificates issued"
s_cs=$(copy "$s_cl" nii code_signing 31 "NII Code Signing")
s_kcs=$(copy "$s_cl" kyoto code_signing 31 "Kyoto Code Signing")
s_ksv=$(copy "$s_www" kyoto server 21 "www.nii.ac.jp")
[ -n "$s_cs" ] && [ -n "$s_kcs" ] && [ -n "$s_ksv" ]
ok $? "code-signing certificates of both institutions; kyoto's server row under an FQDN like nii's"
s_ra=$(sql "SELECT serial FROM ra.certificate WHERE kind = 'ra_officer' AND officer_id = $off")
sql "UPDATE ra.request SET user_name = '利用花子', user_mail = 'hanako@nii.ac.jp' WHERE request_id = $cl"

# --- the screen ---------------------------------------------------------
$CU -c "$JAR" -o /dev/null "$LRA/login.cgi"
menu=$($CU -b "$JAR" "$LRA/menu.cgi")
has "$menu" 'href="alldl.cgi"' "the menu links ⑥"
page=$($CU -b "$JAR" "$LRA/alldl.cgi")
has "$page" '<input type="radio" name="enc" value="sjis" checked>' "⑥ offers Shift_JIS, checked ..."
has "$page" 'value="utf8"' "... or UTF-8"

get all "dl=1"
has "$(cat "$T/all.hdr")" 'filename="certAll.tsv"' "⑥ is certAll.tsv"
has "$(cat "$T/all.hdr")" 'charset=Shift_JIS' "in Shift_JIS by default"
iconv -f CP932 -t UTF-8 "$T/all.tsv" >"$T/all.u"
ok $? "the file decodes as CP932"
grep -qF "$(printf '利用花子' | iconv -f UTF-8 -t CP932)" "$T/all.tsv"
ok $? "a Japanese name is in CP932 bytes"
is "$(serials "$T/all.u")" \
    "$(printf '%s\n' "$s_www" "$s_cl" "$s_sm" "$s_cs" | LC_ALL=C sort | tr '\n' ' ')" \
    "rows: the server certificate of the officer's domain, client, S/MIME and code signing of the institution"
for s in "$s_oth" "$s_kc" "$s_kcs" "$s_ksv" "$s_ra"; do
	awk -F'\t' -v s="$s" '$24 "" == s "" { f = 1 } END { exit f }' "$T/all.u"
	ok $? "not $s (another domain, institution, or an RA certificate)"
done
is "$(awk -F'\t' 'NF != 46 { n++ } END { print n + 0 }' "$T/all.u")" 0 "46 fields on every line"
is "$(perl -ne '$n++ unless /\A[^\r]*\r\n\z/; END { print $n + 0 }' "$T/all.tsv")" 0 "CRLF, and no CR elsewhere"
is "$(awk -F'\t' 'NR > 1 { print $10 }' "$T/all.u" | LC_ALL=C sort | tr '\n' ' ')" \
    "client code_signing server smime " "column 10: the four kinds"

# One table, one writer: the header is ②'s, the rows ②'s and ④'s lines.
$CU -b "$JAR" -o "$T/server.tsv" "$LRA/download.cgi"
$CU -b "$JAR" -o "$T/client.tsv" "$LRA/clientdl.cgi"
is "$(head -n 1 "$T/all.tsv" | od -An -tx1)" "$(head -n 1 "$T/server.tsv" | od -An -tx1)" \
    "the header row is ②'s, byte for byte"
head -n 1 "$T/all.u" | grep -q '^発行・更新申請-申請ID	発行・更新申請-操作ID	'
ok $? "and begins with §10.1's labels"
is "$( { rows "$T/server.tsv"; rows "$T/client.tsv"; } | LC_ALL=C sort | od -An -tx1 | md5sum)" \
    "$(rows "$T/all.tsv" | grep -av "	code_signing	" | od -An -tx1 | md5sum)" \
    "the server and client rows are ②'s and ④'s lines, byte for byte"
is "$(awk -F'\t' -v s="$s_cs" '$24 "" == s "" { print $4 "|" $10 "|" $16 }' "$T/all.u")" \
    "CN=NII Code Signing|code_signing|" "a code-signing row: its DN, its kind, no FQDN"

# UTF-8, on request: the same text.
get utf8 "dl=1&enc=utf8"
has "$(cat "$T/utf8.hdr")" 'charset=UTF-8' "UTF-8 on request"
has "$(cat "$T/utf8.hdr")" 'filename="certAll-utf8.tsv"' "under a name of its own"
cmp -s "$T/all.u" "$T/utf8.tsv"
ok $? "the UTF-8 file is the Shift_JIS one, decoded"
iconv -f UTF-8 -t UTF-8 "$T/utf8.tsv" >/dev/null 2>&1
ok $? "and is valid UTF-8"
get sjis "dl=1&enc=sjis"
cmp -s "$T/all.tsv" "$T/sjis.tsv"
ok $? "enc=sjis is the default's file"

# The shell twin.
"$OFFICERDIR/alldl.cgi" --officer $off >"$T/sh.tsv" 2>"$T/sh.err"
ok $? "alldl.cgi --officer from a shell"
cmp -s "$T/all.tsv" "$T/sh.tsv"
ok $? "the same bytes as the screen's"
"$OFFICERDIR/alldl.cgi" --officer $off --utf8 >"$T/sh8.tsv" 2>"$T/sh.err"
cmp -s "$T/utf8.tsv" "$T/sh8.tsv"
ok $? "--utf8: the screen's UTF-8 file"
"$OFFICERDIR/alldl.cgi" --officer $off --latin1 >/dev/null 2>"$T/sh.err"
is "$?" 2 "another flag: usage error"
has "$(cat "$T/sh.err")" "usage: alldl.cgi --officer ID [--utf8]" "and the usage names --utf8"
"$OFFICERDIR/alldl.cgi" --officer 2 >"$T/sh2.tsv" 2>/dev/null
is "$(serials "$T/sh2.tsv" | tr -d '\r')" \
    "$(printf '%s\n' "$s_oth" "$s_cl" "$s_sm" "$s_cs" | LC_ALL=C sort | tr '\n' ' ')" \
    "the other officer's ⑥: his domain's server certificate, the institution's others"

# Bad input, permission, audit.
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/alldl.cgi?dl=1&enc=latin1")" 400 \
    "an unknown encoding: 400"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'all.export' AND officer_id = $off")" 5 \
    "each ⑥ is audited (screen and shell) ..."
is "$(sql "SELECT string_agg(detail->>'charset', ' ' ORDER BY audit_id) FROM ra.audit
           WHERE event = 'all.export' AND officer_id = $off")" \
    "Shift_JIS UTF-8 Shift_JIS Shift_JIS UTF-8" "... with its encoding"
sql "DELETE FROM ra.officer_permission WHERE officer_id = $off AND interface = 6"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/alldl.cgi?dl=1")" 403 "without permission ⑥: 403"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/alldl.cgi")" 403 "the choice page too"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'web.refused'
           AND detail->>'why' = 'no permission for interface 6' AND detail->>'script' = '/ra/lra/alldl.cgi'")" 2 \
    "both refusals audited, with the reason"
hasnt "$($CU -b "$JAR" "$LRA/menu.cgi")" 'alldl.cgi' "and the menu no longer shows ⑥"

done_testing

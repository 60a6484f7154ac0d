#!/bin/sh
# Spreadsheet-safe downloads (issue 13 item 7): a text field a spreadsheet
# would run (first character = + - @) or that holds a CR is refused at
# upload in every format, ① server, ③ client, ⑪ code signing, ⑤ user
# administrator update, with error 236 naming row and column, and nothing
# is queued or changed; the CSR column (PEM, "-----BEGIN") is exempt; the
# downloads ② ④ ⑥ of the valid rows hold no cell a spreadsheet would run.
. "$(dirname "$0")/lib.sh"
stack_up
officer_with_cert 1,2,3,4,5,6,11
O="National Institute of Informatics"
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
off=1
worker_stop
sjis() { iconv -f UTF-8 -t CP932 >"$T/$1"; }
csr() {	# csr NAME CN [KEY]: a one-line PEM CSR, RSA-2048 or KEY (rsa:BITS)
	openssl req -new -newkey "${3:-rsa:2048}" -nodes \
	    -keyout "$T/$1.key" -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=$2" 2>/dev/null | tr -d '\n'
}
# srow DN CN CSR ADMIN AFFIL SOFTWARE: a server issue row
srow() {
	printf '%s\t21\t\t\t\t\t%s\t%s\t%s\tyamada@nii.ac.jp\t%s\t%s\t\r\n' \
	    "$1" "$3" "$4" "$5" "$2" "$6"
}
# csrow DN CSR ADMIN AFFIL: a code-signing issue row
csrow() {
	printf '%s\t31\t\t\t\t\t%s\t%s\t%s\thanako@nii.ac.jp\t\ttoken\t\r\n' "$1" "$2" "$3" "$4"
}
# clrow CN ADMIN AFFIL USER: a client issue row (method 1)
clrow() {
	printf 'CN=%s,%s\t14\t1\t\t\t\t\t%s\t%s\tkanri@nii.ac.jp\t%s\tNIIcert-%s\t研究部\t%s@nii.ac.jp\t\r\n' \
	    "$1" "$DN" "$2" "$3" "$4" "$1" "$1"
}
up() {	# up CGI FILE ACTION: abort mode, result TSV on stdout
	"$OFFICERDIR/$1" --officer "$off" ${3:+--action "$3"} --mode abort "$T/$2" 2>"$T/up.err"
}
nreq() { sql "SELECT count(*) FROM ra.request WHERE kind <> 'ra_officer'"; }
bad() {	# bad OUT LINE CODE:LINE,LABEL WHAT
	printf '%s\n' "$1" | sed -n "${2}p" | grep -qF -- "NG	$3,"
	ok $? "$4"
	printf '%s\n' "$1" | sed -n "${2}p" | grep -qF -- "NG	$3," ||
	    echo "#   got: $(printf '%s\n' "$1" | sed -n "${2}p" | cut -f6-)"
}
HYP='=HYPERLINK("http://evil.example/","クリック")'

# --- the valid rows: one certificate of each kind ---------------------
srow "CN=www.nii.ac.jp,$DN" www.nii.ac.jp "$(csr www www.nii.ac.jp)" 山田太郎 情報基盤センター \
    "Apache httpd 2.4" | sjis ok-server.tsv
up server.cgi ok-server.tsv issue >"$T/ok-server.out"
ok $? "① a valid row (its CSR column starts with -----BEGIN) is accepted"
clrow taro.001 "国立 管理者" 情報基盤センター "国立 太郎" | sjis ok-client.tsv
up client.cgi ok-client.tsv issue >/dev/null
ok $? "③ a valid row is accepted"
csrow "CN=NII Release,$DN" "$(csr cs 'NII Release' rsa:3072)" 山田花子 情報基盤センター | sjis ok-cs.tsv
up codesign.cgi ok-cs.tsv issue >/dev/null
ok $? "⑪ a valid row is accepted"
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null 2>>"$T/worker.log"
is "$(sql "SELECT count(*) FROM ra.certificate WHERE kind <> 'ra_officer' AND state = 'issued'")" 3 \
    "the three are issued"
before=$(nreq)

# --- ① server: each variant refused with row and column ---------------
c=$(csr bad badhost.nii.ac.jp)
B="CN=badhost.nii.ac.jp,$DN"
{ srow "$B" badhost.nii.ac.jp "$c" "$HYP" 情報基盤センター "Apache"
  srow "$B" badhost.nii.ac.jp "$c" 山田太郎 "+81 情報" "Apache"
  srow "$B" badhost.nii.ac.jp "$c" 山田太郎 情報基盤センター "-nginx"
  srow "$B" badhost.nii.ac.jp "$c" "@SUM(1+1)" 情報基盤センター "Apache"
  srow "$B" badhost.nii.ac.jp "$c" "山田$(printf '\r')太郎" 情報基盤センター "Apache"
} | sjis f-server.tsv
out=$(up server.cgi f-server.tsv issue)
[ $? -ne 0 ]; ok $? "① a file of formula rows: exit status not 0"
bad "$out" 1 "236:1,利用管理者氏名" "① =HYPERLINK administrator name refused (236, row 1, column)"
has "$(printf '%s\n' "$out" | sed -n 1p)" "先頭に「=」「+」「-」「@」は使えません" "① and the message says why"
bad "$out" 2 "236:2,利用管理者所属" "① + in the affiliation refused"
bad "$out" 3 "236:3,サーバソフトウェア名・バージョン" "① - in the server software refused"
bad "$out" 4 "236:4,利用管理者氏名" "① @ in the administrator name refused"
bad "$out" 5 "236:5,利用管理者氏名" "① a CR inside a field refused"
has "$(printf '%s\n' "$out" | sed -n 5p)" "タブまたは改行(CR)" "① and the message names the CR"
is "$(nreq)" "$before" "① nothing queued"

# --- ③ client ---------------------------------------------------------
{ clrow jiro.002 "$HYP" 情報基盤センター "国立 次郎"
  clrow jiro.003 "国立 管理者" "+情報" "国立 次郎"
  clrow jiro.004 "国立 管理者" 情報基盤センター "-国立 次郎"
  clrow jiro.005 "@国立" 情報基盤センター "国立 次郎"
} | sjis f-client.tsv
out=$(up client.cgi f-client.tsv issue)
[ $? -ne 0 ]; ok $? "③ a file of formula rows: exit status not 0"
bad "$out" 1 "236:1,利用管理者氏名" "③ =HYPERLINK administrator name refused"
bad "$out" 2 "236:2,利用管理者所属" "③ + in the affiliation refused"
bad "$out" 3 "236:3,利用者氏名" "③ - in the user's name refused"
bad "$out" 4 "236:4,利用管理者氏名" "③ @ in the administrator name refused"
is "$(nreq)" "$before" "③ nothing queued"

# --- ⑪ code signing ---------------------------------------------------
c=$(csr cs2 'NII Tool' rsa:3072)
{ csrow "CN=NII Tool,$DN" "$c" "$HYP" 情報基盤センター
  csrow "CN=NII Tool,$DN" "$c" 山田花子 "+情報"
  csrow "CN=NII Tool,$DN" "$c" 山田花子 "-情報"
  csrow "CN=NII Tool,$DN" "$c" "@山田" 情報基盤センター
} | sjis f-cs.tsv
out=$(up codesign.cgi f-cs.tsv issue)
[ $? -ne 0 ]; ok $? "⑪ a file of formula rows: exit status not 0"
bad "$out" 1 "236:1,利用管理者氏名" "⑪ =HYPERLINK administrator name refused"
bad "$out" 2 "236:2,利用管理者所属" "⑪ + in the affiliation refused"
bad "$out" 3 "236:3,利用管理者所属" "⑪ - in the affiliation refused"
bad "$out" 4 "236:4,利用管理者氏名" "⑪ @ in the administrator name refused"
is "$(nreq)" "$before" "⑪ nothing queued"

# --- ⑤ user administrator update --------------------------------------
www=$(sql "SELECT serial FROM ra.certificate WHERE cn = 'www.nii.ac.jp'")
adm() { sql "SELECT r.admin_name || '|' || (r.attrs->>'affiliation') FROM ra.certificate c
             JOIN ra.request r USING (request_id) WHERE c.cn = 'www.nii.ac.jp'"; }
was=$(adm)
{ printf 'CN=www.nii.ac.jp,%s\t%s\t%s\t情報戦略室\thanako@nii.ac.jp\r\n' "$DN" "$www" "$HYP"
  printf 'CN=www.nii.ac.jp,%s\t%s\t新担当\t+情報\thanako@nii.ac.jp\r\n' "$DN" "$www"
  printf 'CN=www.nii.ac.jp,%s\t%s\t新担当\t-情報\thanako@nii.ac.jp\r\n' "$DN" "$www"
  printf 'CN=www.nii.ac.jp,%s\t%s\t@新担当\t情報戦略室\thanako@nii.ac.jp\r\n' "$DN" "$www"
  printf 'CN=www.nii.ac.jp,%s\t%s\t新担当\t情報戦略室\t-x@nii.ac.jp\r\n' "$DN" "$www"
} | sjis f-admin.tsv
out=$(up admin.cgi f-admin.tsv)
[ $? -ne 0 ]; ok $? "⑤ a file of formula rows: exit status not 0"
bad "$out" 1 "236:1,利用管理者氏名" "⑤ =HYPERLINK administrator name refused"
bad "$out" 2 "236:2,利用管理者所属" "⑤ + in the affiliation refused"
bad "$out" 3 "236:3,利用管理者所属" "⑤ - in the affiliation refused"
bad "$out" 4 "236:4,利用管理者氏名" "⑤ @ in the administrator name refused"
bad "$out" 5 "236:5,利用管理者メールアドレス" "⑤ a mail address starting with - refused"
is "$(adm)" "$was" "⑤ the administrator is unchanged"
is "$(sql "SELECT count(*) FROM ra.admin_change")" 0 "⑤ and no change recorded"

# --- the downloads: no cell a spreadsheet would run -------------------
cells() {	# cells CGI: the cells of the download that start with = + - @ or hold a CR
	"$OFFICERDIR/$1" --officer "$off" | iconv -f CP932 -t UTF-8 | sed 's/\r$//' >"$T/$1.tsv"
	# A whole PEM (base64 between its armour lines) runs nothing: exempt.
	awk -F '\t' '{ for (i = 1; i <= NF; i++)
	    if (($i ~ /^[=+@-]/ || $i ~ /\r/) &&
	        $i !~ /^-----BEGIN [A-Z ]+-----[A-Za-z0-9+\/=]+-----END [A-Z ]+-----$/)
	        print NR ":" i ":" $i }' \
	    "$T/$1.tsv"
}
for dl in download.cgi clientdl.cgi alldl.cgi; do
	got=$(cells $dl)
	is "$got" "" "$dl: no cell starts with = + - @ or holds a CR"
done
has "$(cat "$T/download.cgi.tsv")" "www.nii.ac.jp" "② lists the valid server certificate"
has "$(cat "$T/clientdl.cgi.tsv")" "taro.001" "④ lists the valid client certificate"
has "$(cat "$T/alldl.cgi.tsv")" "NII Release" "⑥ lists the valid code-signing certificate"
done_testing

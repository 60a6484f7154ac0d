#!/bin/sh
# t/fuzz/seeds.sh: remake the committed seed corpora, t/fuzz/corpus/NAME/,
# from the inputs the stack tests use: their TSV rows (t/40, t/50, t/53,
# t/55, t/66), their CSRs (openssl req as t/20 and t/40 make them, PEM,
# one-line PEM, bare base64, DER), their DNs, their requests to /tsa
# (openssl ts -query as t/60) and /ocsp (openssl ocsp -reqout as t/61,
# POST body and GET path), their form posts, and ra.conf as conf/stack
# writes it.  Run by hand when the inputs change; the output is committed
# (a few KB per target), so "make check-fuzz" needs no openssl run.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
C=$top/t/fuzz/corpus
T=$(mktemp -d /tmp/ra-seeds.XXXXXX)
trap 'rm -rf "$T"' EXIT
rm -rf "$C"
for d in tsv dn csr form conf ocsp tsa http; do mkdir -p "$C/$d"; done

O="National Institute of Informatics"
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
KDN="O=Kyoto University,L=Kyoto-shi,ST=Kyoto,C=JP"
ec() {	# ec SUBJECT: a P-256 CSR, PEM, as t/44 makes them
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout /dev/null -subj "$1" 2>/dev/null
}
sjis() { iconv -f UTF-8 -t CP932; }

# csr: each form real users send
ec "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=www.nii.ac.jp" >"$C/csr/pem"
tr -d '\n' <"$C/csr/pem" >"$C/csr/pem-one-line"
sed '1d;$d' "$C/csr/pem" | tr -d '\n' >"$C/csr/base64"
openssl req -in "$C/csr/pem" -outform DER -out "$C/csr/der"
ec "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/OU=Unknown Lab/CN=lab.nii.ac.jp" |
    sed 's/CERTIFICATE REQUEST/NEW CERTIFICATE REQUEST/' >"$C/csr/pem-new-ou"
openssl req -new -newkey rsa:1024 -nodes -keyout /dev/null -outform DER \
    -subj "/CN=weak.nii.ac.jp" -out "$C/csr/der-rsa1024" 2>/dev/null
c1=$(tr -d '\n' <"$C/csr/pem")

# tsv: t/40's server rows (Shift_JIS, CRLF, a blank line), t/50's client
# rows, t/53's code signing, t/55's ⑤, t/66's formula, UTF-8 with a BOM
row() {	# DN PROFILE SERIAL REASON COMMENT CSR FQDN [DNSNAME], as t/40
	printf '%s\t%s\t\t%s\t%s\t%s\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\t%s\tApache httpd 2.4\t%s\r\n' \
	    "$1" "$2" "$3" "$4" "$5" "$6" "$7" "${8:-}"
}
{ row "CN=www.nii.ac.jp,$DN" 21 "" "" "" "$c1" www.nii.ac.jp nii.ac.jp
  printf '\r\n'
  row "CN=mail.nii.ac.jp,$DN" 21 "" "" "" "" mail.nii.ac.jp
} | sjis >"$C/tsv/server-issue-sjis"
{ printf '\357\273\277'
  row "CN=www.nii.ac.jp,$DN" "" 1234567890 4 "鍵の更新" "" "" | tr -d '\r'
} >"$C/tsv/server-revoke-utf8-bom"
{ printf 'CN=taro.001,%s\t14\t1\t\t\t\t\t京大 管理者\t情報基盤センター\tadmin@kyoto-u.ac.jp\t京大 太郎\tNIIcert20261201-001\t研究部\ttaro@kyoto-u.ac.jp\tQx7_vKp2Rm9-LtZa4WbN8c\r\n' "$KDN"
  printf 'CN=hanako@kyoto-u.ac.jp,OU=No 2,%s\t16\t3\t\t\t\t\t甲\t乙\tadmin@kyoto-u.ac.jp\t甲\tp18\t丙\thanako@kyoto-u.ac.jp\r\n' "$KDN"
} | sjis >"$C/tsv/client-issue-sjis"
printf 'CN=taro.001,%s\t\t\t12345\t1\t\t\t\t\tadmin@kyoto-u.ac.jp\t\t\t\ttaro@kyoto-u.ac.jp\t\n' "$KDN" \
    >"$C/tsv/client-revoke-lf"
printf 'CN=Code Signer,%s\t31\t\t\t\t\t%s\t山田花子\t情報基盤センター\thanako@nii.ac.jp\t\tHSM\t\r\n' "$DN" "$c1" |
    sjis >"$C/tsv/codesign-issue-sjis"
printf 'CN=www.nii.ac.jp,%s\t1234567890\t国立 太郎\t研究部\ttaro.001@nii.ac.jp\r\n' "$DN" >"$C/tsv/admin-update"
printf '=HYPERLINK("http://x")\t21\t\t\t\t\t\t+1\t@SUM(A1)\tyamada@nii.ac.jp\twww.nii.ac.jp\t-x\t\r\n' \
    >"$C/tsv/formula"
printf 'ｶﾀｶﾅ\t①\t\t\t\t\t\t～－∥\t\t\t\n' | sjis >"$C/tsv/jis-classes"

# dn: the tests' DNs, and the broken ones they refuse
i=0
for d in "CN=www.nii.ac.jp,$DN" "CN=hanako@kyoto-u.ac.jp,OU=No 2,$KDN" \
    "CN=jiro.003,OU=Graduate School of Informatics,$KDN" \
    "CN=a,b.nii.ac.jp,OU=x,y,O=O,L=L,ST=S,C=JP" "CN= lead,O=$O,C=JP" \
    "CN=www.nii.ac.jp,O=$O,C=JPN" "C=JP,CN=reversed" "CN=,O=x" "XX=1,CN=y" \
    "CN=山田太郎,OU=情報基盤センター,$DN"; do
	i=$((i + 1))
	printf '%s' "$d" >"$C/dn/dn$i"
done

# ocsp: t/61's request (openssl ocsp -reqout), as POST body and GET path
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/ca.key" -out "$T/ca.crt" -subj "/CN=Seed CA" -days 30 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout /dev/null -out "$T/leaf.crt" -subj "/CN=leaf" -days 30 \
    -CA "$T/ca.crt" -CAkey "$T/ca.key" 2>/dev/null
openssl ocsp -issuer "$T/ca.crt" -cert "$T/leaf.crt" -reqout "$C/ocsp/post-nonce" >/dev/null 2>&1
openssl ocsp -issuer "$T/ca.crt" -sha256 -cert "$T/leaf.crt" -serial 12345 -no_nonce \
    -reqout "$C/ocsp/post-two-sha256" >/dev/null 2>&1
printf '/%s' "$(base64 -w0 "$C/ocsp/post-nonce" | sed 's|+|%2B|g; s|/|%2F|g; s|=|%3D|g')" \
    >"$C/ocsp/get-path"

# tsa: t/60's queries (openssl ts -query), SHA-256 with -cert, SHA-384,
# SHA-1 (badAlg), a long policy
printf 'a document\n' >"$T/doc"
openssl ts -query -data "$T/doc" -sha256 -cert -out "$C/tsa/sha256-cert" 2>/dev/null
openssl ts -query -data "$T/doc" -sha384 -out "$C/tsa/sha384" 2>/dev/null
openssl ts -query -data "$T/doc" -sha1 -no_nonce -out "$C/tsa/sha1" 2>/dev/null
openssl ts -query -data "$T/doc" -sha256 -tspolicy 1.2.3.4.5.6.7.8.9.10.11.12 \
    -out "$C/tsa/policy" 2>/dev/null

# form: query string, Content-Type, Cookie (a line each), then the body
B=----fuzzboundary
{ printf '\nmultipart/form-data; boundary=%s\nra_session=abc\n' "$B"
  printf -- '--%s\r\nContent-Disposition: form-data; name="applyType"\r\n\r\n1\r\n' "$B"
  printf -- '--%s\r\nContent-Disposition: form-data; name="errorFlg"\r\n\r\nabort\r\n' "$B"
  printf -- '--%s\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n0123abcd\r\n' "$B"
  printf -- '--%s\r\nContent-Disposition: form-data; name="file"; filename="up.tsv"\r\nContent-Type: text/tab-separated-values\r\n\r\n' "$B"
  printf 'CN=www.nii.ac.jp,O=x,C=JP\t21\r\n'
  printf -- '\r\n--%s--\r\n' "$B"
} >"$C/form/multipart-upload"
printf '\napplication/x-www-form-urlencoded\n\npin=Abc-123_xyz&csrf=00ff&step=confirm&id=42' \
    >"$C/form/urlencoded"
printf 't=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ&step=pin\n\nra_session=1; ra_session=2\n' \
    >"$C/form/query-cookie"
printf 'a.b=1&a=2&a=3\napplication/x-www-form-urlencoded\n\npin=1%%00x' >"$C/form/nul-repeat"

# conf: ra.conf as conf/ra.conf.in has it, and HDF's other syntax
sed -e 's|@confdir@|/etc/ra|g' -e 's|@tmpldir@|/usr/share/ra/templates|g' \
    -e 's|@schemadir@|/usr/share/ra/schema|g' -e 's|@localstatedir@|/var|g' \
    "$top/conf/ra.conf.in" | head -c 3000 >"$C/conf/ra.conf"
cat >"$C/conf/hdf-syntax" <<'HDF'
Db {
  Worker = dbname=ra
  Admin = dbname=ra
}
Paths.Templates = /t
Paths.Schema = /s
Site.Name << EOM
multi
line
EOM
Site.Alias : Site.Name
Mail.ExpiryDays = 60,30,7
Limits.RequestBytes = 99999999999
Download.P12 = legacy
HDF

# http: answers to the ACME validator's fetch, as t/79's server (Python's
# http.server) and other servers send them
K=LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI
printf 'HTTP/1.0 200 OK\r\nServer: BaseHTTP/0.6 Python/3.11.2\r\nContent-Type: text/plain\r\nContent-Length: 87\r\nConnection: close\r\n\r\n%s' \
    "$K" >"$C/http/ok-content-length"
printf 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n2b\r\n%s\r\n2C\r\n%s\r\n0\r\n\r\n' \
    "${K%%.*}" ".${K#*.}" >"$C/http/ok-chunked"
printf 'HTTP/1.1 302 Found\r\nLocation: http://other.nii.ac.jp:5002/.well-known/acme-challenge/abc\r\nContent-Length: 0\r\n\r\n' \
    >"$C/http/redirect"
printf 'HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n\r\nnot found\n' >"$C/http/404"
printf 'HTTP/1.1 200 OK\r\nDate: Wed, 02 Dec 2026 05:00:00 GMT\r\n\r\nbody until close\n' >"$C/http/until-close"
printf 'SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n' >"$C/http/not-http"

du -sb "$C"/*

#!/bin/sh
# Pre-issuance linting (issue 13): every profile's output passes the lint
# table through ca.cgi lint; one bad certificate per lint, made here with
# OpenSSL under a throwaway CA, is caught with the right id; the worker
# refuses a request whose certificate fails a lint and signs nothing.
. "$(dirname "$0")/lib.sh"
stack_up
officer_with_cert 1,2,10,11

CA=$TOOLSDIR/ca.cgi
O="National Institute of Informatics"
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
pem_of() {	# pem_of SQL-WHERE OUT: the stored certificate as PEM
	sql "SELECT encode(der, 'base64') FROM ra.certificate WHERE $1" |
	    base64 -d | openssl x509 -inform DER -out "$2"
}
lint_clean() {	# lint_clean FILE DESCRIPTION [--kind K]
	f=$1 d=$2; shift 2
	out=$("$CA" lint "$f" "$@" 2>&1)
	ok $? "$d: ca.cgi lint exits 0"
	has "$out" ": clean as" "$d: no error"
	hasnt "$out" "warning " "$d: no warning either"
}

# --- every profile, through the real paths ---------------------------------
openssl req -new -newkey rsa:2048 -nodes -keyout /dev/null -out "$T/rsa.csr" \
    -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=www.nii.ac.jp" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
    -out "$T/ec.csr" -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=ec.nii.ac.jp" 2>/dev/null
"$CA" request --institution nii --profile 21 --subject "CN=www.nii.ac.jp,$DN" \
    --csr "$T/rsa.csr" --wait 20 >/dev/null
ok $? "profile 21 issued"
"$CA" request --institution nii --profile 22 --subject "CN=ec.nii.ac.jp,$DN" \
    --csr "$T/ec.csr" --wait 20 >/dev/null
ok $? "profile 22 issued"
for p in 5 13 14; do
	echo "client-secret-$p" | "$CA" request --institution nii --profile $p \
	    --subject "CN=taro-$p,OU=Research,$DN" --secret-stdin --wait 20 >/dev/null
	ok $? "profile $p issued"
done
for p in 7 15 16; do
	echo "smime-secret-$p" | "$CA" request --institution nii --profile $p \
	    --subject "CN=taro$p@nii.ac.jp" --secret-stdin --wait 20 >/dev/null
	ok $? "profile $p issued"
done
csr=$(openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
    -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=Signer" 2>/dev/null | tr -d '\n')
printf 'CN=Signer,%s\t31\t\t\t\t\t%s\t山田花子\t情報基盤センター\thanako@nii.ac.jp\t\thsm\t\r\n' \
    "$DN" "$csr" | iconv -f UTF-8 -t CP932 >"$T/cs.tsv"
"$OFFICERDIR/codesign.cgi" --officer 1 --action issue --mode abort "$T/cs.tsv" >"$T/cs.out" 2>&1
ok $? "profile 31 queued through codesign.cgi"
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
for p in 1 5 13 14 7 15 16 21 22 31; do
	is "$(sql "SELECT count(*) FROM ra.certificate WHERE profile_id = $p AND state = 'issued'")" 1 \
	    "one certificate of profile $p"
	pem_of "profile_id = $p" "$T/p$p.pem"
	# The EKU cannot tell an RA-officer certificate from a client one.
	lint_clean "$T/p$p.pem" "profile $p" \
	    --kind "$(sql "SELECT kind FROM ra.profile WHERE profile_id = $p")"
	is "$(sql "SELECT lint FROM ra.certificate WHERE profile_id = $p")" "[]" \
	    "profile $p: the empty lint result is stored with the certificate"
done
pol() { openssl x509 -in "$1" -noout -ext certificatePolicies 2>/dev/null | sed -n 's/.*Policy: //p' | tr '\n' ' '; }
is "$(pol "$T/p21.pem")" "2.23.140.1.2.2 " "server: OV policy OID"
is "$(pol "$T/p15.pem")" "2.23.140.1.5.1.3 " "S/MIME: Mailbox-validated Strict"
is "$(pol "$T/p31.pem")" "2.23.140.1.4.1 " "code signing: the CSBR OID"
has "$(pol "$T/p5.pem")" "2.25." "client: the site's own (placeholder) arc"
has "$(pol "$T/p1.pem")" "2.25." "RA officer: the site's own (placeholder) arc"

# --- one bad certificate per lint ---------------------------------------------
B=$T/bad
mkdir "$B"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$B/ca.key" -out "$B/ca.crt" -days 30 \
    -subj "/CN=Throwaway Test CA" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null || bail "throwaway CA"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$B/leaf.key" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$B/weak.key" 2>/dev/null
cat >"$B/req.cnf" <<'CNF'
[req]
distinguished_name = dn
string_mask = default
[dn]
CNF
GOODSUBJ="/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Example/CN=www.example.jp"
# ext KEY=VALUE...: the good server extensions with KEY replaced (VALUE
# empty: dropped), one line each, for -extfile.
ext() {
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
	    "keyUsage=critical,digitalSignature,keyEncipherment" \
	    "extendedKeyUsage=serverAuth" "certificatePolicies=2.23.140.1.2.2" \
	    "subjectAltName=DNS:www.example.jp" \
	    "authorityInfoAccess=caIssuers;URI:http://ca.example.jp/ca.crt" \
	    "crlDistributionPoints=URI:http://ca.example.jp/ca.crl" >"$B/ext"
	for kv in "$@"; do
		k=${kv%%=*}
		grep -v "^$k=" "$B/ext" >"$B/ext.new"; mv "$B/ext.new" "$B/ext"
		[ -n "${kv#*=}" ] && printf '%s\n' "$kv" >>"$B/ext"
	done
}
# mk NAME [-subj S] [-key K] [-days N] [-serial N] [EXT-OVERRIDES...]
mk() {
	n=$1; shift
	subj=$GOODSUBJ key=$B/leaf.key days=90 serial=
	while :; do
		case ${1:-} in
		-subj) subj=$2; shift 2 ;;
		-key) key=$2; shift 2 ;;
		-days) days=$2; shift 2 ;;
		-serial) serial="-set_serial $2"; shift 2 ;;
		*) break ;;
		esac
	done
	ext "$@"
	openssl req -new -config "$B/req.cnf" -key "$key" -subj "$subj" -out "$B/$n.csr" 2>/dev/null &&
	openssl x509 -req -in "$B/$n.csr" -CA "$B/ca.crt" -CAkey "$B/ca.key" -days "$days" \
	    $serial -extfile "$B/ext" -out "$B/$n.pem" 2>"$B/$n.err" ||
	    echo "# could not make $n: $(cat "$B/$n.err")"
}
caught() {	# caught NAME LINT-ID [--kind K]
	n=$1 id=$2; shift 2
	out=$("$CA" lint "$B/$n.pem" "$@" 2>&1)
	st=$?
	is "$st" 1 "$n: ca.cgi lint exits 1"
	has "$out" "error $id (" "$n: caught as $id"
}

mk good
lint_clean "$B/good.pem" "the throwaway CA's good server certificate"

mk validity -days 400;			caught validity validity_max
mk serial0 -serial 0;			caught serial0 serial_positive
mk serialneg -serial -123456789012345678901234567;	caught serialneg serial_positive
mk serialshort -serial 12345;		caught serialshort serial_entropy
mk seriallong -serial 0x7f0102030405060708090a0b0c0d0e0f10111213141516
caught seriallong serial_length
mk nosan subjectAltName=;		caught nosan san_present
mk sancn subjectAltName=DNS:other.example.jp;	caught sancn san_contains_cn
mk ou -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Example/OU=Web/CN=www.example.jp"
caught ou subject_no_ou
mk weak -key "$B/weak.key";		caught weak key_allowed
mk eku extendedKeyUsage=serverAuth,codeSigning;	caught eku eku_kind
mk ku keyUsage=critical,keyEncipherment;	caught ku key_usage_kind
mk nopol certificatePolicies=;		caught nopol policies_present
mk brpol certificatePolicies=1.2.3.4;	caught brpol policy_br_oid
mk noaia authorityInfoAccess=;		caught noaia aia_ca_issuers
mk nocdp crlDistributionPoints=;	caught nocdp crl_dp
mk order -subj "/C=JP/O=Example/ST=Tokyo/L=Chiyoda-ku/CN=www.example.jp"
caught order subject_order
mk charset -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=A&B Example/CN=www.example.jp"
caught charset subject_charset
mk ca basicConstraints=critical,CA:TRUE;	caught ca bc_leaf
# A duplicate: an unknown extension 2.5.29.99 renamed basicConstraints
# (2.5.29.19) in the DER; the signature breaks, which no lint looks at.
mk dup 2.5.29.99=DER:3000
openssl x509 -in "$B/dup.pem" -outform DER |
    perl -0777 -pe 's/\x06\x03\x55\x1d\x63/\x06\x03\x55\x1d\x13/' |
    openssl x509 -inform DER -out "$B/dup2.pem" 2>/dev/null
caught dup2 ext_unique
# Kinds: an S/MIME certificate must not be a server one, nor the reverse.
caught good eku_kind --kind smime
caught good policy_br_oid --kind code_signing

"$CA" lint "$B/missing.pem" >/dev/null 2>&1
is "$?" 1 "an unreadable file: exit 1"
"$CA" lint "$B/good.pem" --kind nonsense >/dev/null 2>&1
is "$?" 2 "an unknown --kind: usage, exit 2"

# --- the worker refuses what fails a lint, and signs nothing -----------------
# A profile like 21 whose policy list was emptied (a new id: the worker
# caches profiles it has seen).
sql "INSERT INTO ra.profile SELECT (pg_catalog.jsonb_populate_record(NULL::ra.profile,
        pg_catalog.to_jsonb(p) || '{\"profile_id\": 99, \"policies\": \"\",
        \"name_ja\": \"方針なし\", \"name_en\": \"no policies\"}')).*
       FROM ra.profile p WHERE profile_id = 21" || bail "profile 99"
openssl req -new -newkey rsa:2048 -nodes -keyout /dev/null -out "$T/nopol.csr" \
    -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=nopol.nii.ac.jp" 2>/dev/null
"$CA" request --institution nii --profile 99 --subject "CN=nopol.nii.ac.jp,$DN" \
    --csr "$T/nopol.csr" --wait 20 >"$T/nopol.out" 2>&1
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
is "$(sql "SELECT state FROM ra.request WHERE profile_id = 99")" failed "the request failed"
err=$(sql "SELECT error FROM ra.request WHERE profile_id = 99")
has "$err" "pre-issuance lint policies_present (RFC 5280 4.2.1.4 / TLS BR 7.1.2.7.9): no certificatePolicies" \
    "with the lint's id, source and reason"
is "$(sql "SELECT count(*) FROM ra.certificate WHERE profile_id = 99")" 0 "no certificate, not even reserved"
is "$(sql "SELECT outcome || ' ' || (detail->'findings'->0->>'id') FROM ra.audit WHERE event = 'cert.lint'")" \
    "refused policies_present" "the refusal is audited with its findings"

done_testing

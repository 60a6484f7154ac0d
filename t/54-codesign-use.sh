#!/bin/sh
# Code-signing certificates from ra in the tools that use them: a Windows
# PE file signed with osslsigncode and accepted by osslsigncode verify
# against ra's root; a jar signed with jarsigner and verified (-strict)
# against a trust store holding ra's root.  The certificates come the
# real way: a ⑪ upload, the worker, the user administrator's URL (M6).
#
# Both signatures are time-stamped by ra's own RFC 3161 responder (tsa.cgi,
# plain HTTP as signing tools use it; TSA_URL= empty signs without), and
# both tools check the stamp.  Only options osslsigncode 2.5 (Debian 12)
# has are used.
. "$(dirname "$0")/lib.sh"
stack_up
D=$DESKDIR/desk.cgi
O="National Institute of Informatics"
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
TSA_URL=${TSA_URL-http://localhost:$RA_HTTP_PORT/tsa}
OSSLSIGNCODE=${OSSLSIGNCODE:-osslsigncode}	# another build to try, e.g. 2.5
"$D" institution-add --code nii --name-ja 国立情報学研究所 --name-en "$O" --st Tokyo --l Chiyoda-ku \
    --from 2026-01-01 --until 2030-12-31 >/dev/null
"$D" domain-add --institution nii --domain nii.ac.jp >/dev/null
off=$("$D" officer-add --institution nii --name-ja 山田太郎 --romaji "Taro Yamada" --mail taro@nii.ac.jp \
    --phone 03-1234-5678 --domains nii.ac.jp --interfaces 11 | sed -n 's/^officer \([0-9]*\) .*/\1/p')

# Two subscribers: a P-256 key (osslsigncode), an RSA-3072 key (jarsigner).
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/pe.key" \
    -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=NII Windows Tools" -out "$T/pe.csr" 2>/dev/null
openssl req -new -newkey rsa:3072 -nodes -keyout "$T/jar.key" \
    -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=NII Java Tools" -out "$T/jar.csr" 2>/dev/null
{ printf 'CN=NII Windows Tools,%s\t31\t\t\t\t\t%s\t山田花子\t情報基盤センター\thanako@nii.ac.jp\t\ttoken\t\r\n' \
    "$DN" "$(tr -d '\n' <"$T/pe.csr")"
  printf 'CN=NII Java Tools,%s\t31\t\t\t\t\t%s\t山田花子\t情報基盤センター\thanako@nii.ac.jp\t\thsm\t\r\n' \
    "$DN" "$(tr -d '\n' <"$T/jar.csr")"
} >"$T/cs.tsv"
"$OFFICERDIR/codesign.cgi" --officer "$off" --action issue --mode abort "$T/cs.tsv" >/dev/null 2>&1
ok $? "both code-signing rows are accepted"
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
mails_settle

# Each certificate with its chain, from the user administrator's URLs.
for f in $(grep -l '^To: hanako@nii.ac.jp' "$T/var/mail/maildir/new/"*); do
	link=$(mail_text "$f" | grep -o 'https://[^ ]*certget.cgi?t=[A-Za-z0-9_-]*' | head -n 1)
	[ -n "$link" ] || continue
	curl -sS --cacert "$CACERT" -o "$T/got.pem" "$link&f=chain"
	case $(openssl x509 -in "$T/got.pem" -noout -subject -nameopt RFC2253) in
	*"CN=NII Windows Tools"*) mv "$T/got.pem" "$T/pe-chain.pem" ;;
	*"CN=NII Java Tools"*) mv "$T/got.pem" "$T/jar-chain.pem" ;;
	esac
done
[ -s "$T/pe-chain.pem" ] && [ -s "$T/jar-chain.pem" ]
ok $? "both chains come from certget.cgi"
openssl x509 -in "$T/pe-chain.pem" -noout -ext extendedKeyUsage,keyUsage >"$T/ext" 2>&1
has "$(cat "$T/ext")" "Code Signing" "the PE certificate has EKU codeSigning"

# A Windows PE file, made here: a one-instruction x86-64 console program
# linked by binutils' PE32+ emulation (Debian's ld has i386pep).
printf '.text\n.globl _start\n_start:\n\tret\n' >"$T/hello.s"
as -o "$T/hello.o" "$T/hello.s" && ld -m i386pep --subsystem console -e _start -o "$T/hello.exe" "$T/hello.o"
ok $? "a PE32+ file is linked"
has "$(od -A n -c -N 2 "$T/hello.exe")" "M   Z" "it starts MZ"

set -- -certs "$T/pe-chain.pem" -key "$T/pe.key" -h sha256 -n "ra test" -i https://ra.example/
[ -n "$TSA_URL" ] && set -- "$@" -ts "$TSA_URL"
"$OSSLSIGNCODE" sign "$@" -in "$T/hello.exe" -out "$T/hello-signed.exe" >"$T/sign.log" 2>&1
ok $? "osslsigncode signs the PE file with the code-signing certificate"
set -- -CAfile "$CACERT"
[ -n "$TSA_URL" ] && set -- "$@" -TSA-CAfile "$T/var/pki/tsa-chain.pem"
"$OSSLSIGNCODE" verify "$@" -in "$T/hello-signed.exe" >"$T/verify.log" 2>&1
ok $? "osslsigncode verify accepts the signature against ra's root"
has "$(cat "$T/verify.log")" "Signature verification: ok" "and says so"
has "$(cat "$T/verify.log")" "NII Windows Tools" "naming the signer"
if [ -n "$TSA_URL" ]; then
	has "$(cat "$T/verify.log")" "Timestamp Server Signature verification: ok" \
	    "and the time stamp from ra's TSA, against the TSA's chain"
	has "$(cat "$T/verify.log")" "CN=ra Demo Time-Stamping CA" "issued under ra's time-stamping CA"
fi
# An unrelated root: the same signature does not verify.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/other.key" \
    -out "$T/other.pem" -subj "/CN=Other Root" 2>/dev/null
"$OSSLSIGNCODE" verify -CAfile "$T/other.pem" -in "$T/hello-signed.exe" >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "and refuses it against another root"

# A jar, made with the JDK's jar, signed and verified.
mkdir -p "$T/jar"
printf 'hello from ra\n' >"$T/jar/hello.txt"
(cd "$T/jar" && jar cf "$T/hello.jar" hello.txt)
ok $? "a jar is made"
openssl pkcs12 -export -inkey "$T/jar.key" -in "$T/jar-chain.pem" -name signer \
    -passout pass:changeit -out "$T/signer.p12"
keytool -importcert -noprompt -alias ra-root -file "$CACERT" -keystore "$T/trust.p12" \
    -storetype PKCS12 -storepass changeit >/dev/null 2>&1
set -- -keystore "$T/signer.p12" -storetype PKCS12 -storepass changeit
[ -n "$TSA_URL" ] && set -- "$@" -tsa "$TSA_URL"
jarsigner "$@" -signedjar "$T/hello-signed.jar" "$T/hello.jar" signer >"$T/jarsign.log" 2>&1
ok $? "jarsigner signs the jar with the RSA-3072 code-signing certificate"
jarsigner -verify -strict -verbose -certs -keystore "$T/trust.p12" -storetype PKCS12 \
    -storepass changeit "$T/hello-signed.jar" >"$T/jarverify.log" 2>&1
ok $? "jarsigner -verify -strict accepts it with ra's root as the trust anchor"
has "$(cat "$T/jarverify.log")" "jar verified." "jar verified"
hasnt "$(cat "$T/jarverify.log")" "chain is invalid" "the chain is valid"
has "$(cat "$T/jarverify.log")" "CN=NII Java Tools" "signed by the code-signing certificate"
if [ -n "$TSA_URL" ]; then
	has "$(cat "$T/jarverify.log")" 'Timestamped by "CN=ra Demo Time-Stamping Authority' \
	    "and time-stamped by ra's TSA"
	is "$(sql "SELECT count(*) FROM ra.tsa_stamp WHERE status = 'granted'")" 2 \
	    "ra.tsa_stamp holds the two stamps granted"
fi

done_testing

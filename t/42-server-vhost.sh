#!/bin/sh
# A server certificate issued through ① works where it is meant to: in a
# second Apache virtual host, curl accepts it with the chain, and headless
# Chromium shows the page without a certificate error.
. "$(dirname "$0")/lib.sh"
stack_up
D=$DESKDIR/desk.cgi
O="National Institute of Informatics"
"$D" institution-add --code nii --name-ja 国立情報学研究所 --name-en "$O" --st Tokyo --l Chiyoda-ku \
    --from 2026-01-01 --until 2030-12-31 >/dev/null
"$D" domain-add --institution nii --domain nii.ac.jp >/dev/null
off=$("$D" officer-add --institution nii --name-ja 山田太郎 --romaji "Taro Yamada" --mail taro@nii.ac.jp \
    --phone 03-1234-5678 --domains nii.ac.jp --interfaces 1,2,10 | sed -n 's/^officer \([0-9]*\) .*/\1/p')
csr=$(openssl req -new -newkey rsa:2048 -nodes -keyout "$T/www.key" \
    -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=www.nii.ac.jp" 2>/dev/null | tr -d '\n')
printf 'CN=www.nii.ac.jp,O=%s,L=Chiyoda-ku,ST=Tokyo,C=JP\t21\t\t\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\twww.nii.ac.jp\tApache\twww2.nii.ac.jp\r\n' \
    "$O" "$csr" | iconv -f UTF-8 -t CP932 >"$T/www.tsv"
"$OFFICERDIR/server.cgi" --officer "$off" --action issue "$T/www.tsv" >/dev/null 2>&1
ok $? "the server certificate is requested by TSV"
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
rid=$(sql "SELECT request_id FROM ra.request WHERE kind = 'server'")
"$TOOLSDIR/ca.cgi" cert --request "$rid" >"$T/www-chain.pem"
ok $? "and issued"

# The second virtual host: its own small Apache, the user's key and chain.
port=$(free_port)
mkdir -p "$T/vhost/htdocs" "$T/vhost/run"
echo '<!DOCTYPE html><title>www.nii.ac.jp</title><p id="hello">hello from www.nii.ac.jp</p>' \
    >"$T/vhost/htdocs/index.html"
chmod -R a+rX "$T/vhost"
cat >"$T/vhost/httpd.conf" <<CONF
ServerRoot "/etc/apache2"
PidFile $T/vhost/run/httpd.pid
DefaultRuntimeDir $T/vhost/run
Mutex file:$T/vhost/run default
ErrorLog $T/vhost/error.log
ServerName www.nii.ac.jp
Listen 127.0.0.1:$port
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so
LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
User www-data
Group www-data
TypesConfig /etc/mime.types
DocumentRoot $T/vhost/htdocs
<Directory $T/vhost/htdocs>
    Require all granted
</Directory>
SSLSessionCache shmcb:$T/vhost/run/ssl_scache(512000)
<VirtualHost 127.0.0.1:$port>
    ServerName www.nii.ac.jp
    SSLEngine on
    SSLProtocol -all +TLSv1.2 +TLSv1.3
    SSLCertificateFile $T/www-chain.pem
    SSLCertificateKeyFile $T/www.key
</VirtualHost>
CONF
apache2 -f "$T/vhost/httpd.conf" -k start
ok $? "a second Apache virtual host starts with the issued certificate"
vhost_stop() {
	apache2 -f "$T/vhost/httpd.conf" -k stop 2>/dev/null
	i=0
	while [ -f "$T/vhost/run/httpd.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}
trap 'vhost_stop; stack_down' EXIT
sleep 0.5

page=$(curl -sS --cacert "$CACERT" --resolve "www.nii.ac.jp:$port:127.0.0.1" "https://www.nii.ac.jp:$port/")
ok $? "curl accepts it, with the chain the server sends"
has "$page" "hello from www.nii.ac.jp" "and gets the page"
page=$(curl -sS --cacert "$CACERT" --resolve "www2.nii.ac.jp:$port:127.0.0.1" "https://www2.nii.ac.jp:$port/")
ok $? "the dNSName from column 13 is valid too"

if command -v chromium >/dev/null; then
	HOME=$T/chrome
	export HOME
	mkdir -p "$HOME/.pki/nssdb"
	certutil -N -d "sql:$HOME/.pki/nssdb" --empty-password
	certutil -A -d "sql:$HOME/.pki/nssdb" -n "ra Demo Root CA" -t "C,," -i "$CACERT"
	dom=$(timeout -k 5 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	    --disable-background-networking --disable-component-update --disable-sync \
	    --user-data-dir="$T/ud" --host-resolver-rules="MAP www.nii.ac.jp 127.0.0.1" \
	    --dump-dom "https://www.nii.ac.jp:$port/" 2>/dev/null)
	has "$dom" "hello from www.nii.ac.jp" "headless Chromium shows the page: no certificate error"
fi

done_testing

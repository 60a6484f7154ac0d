#!/bin/sh
# The ACME http-01 challenge validator (acmeval.cgi, user ra-acmeval, role
# ra_acmeval): challenges set up with SQL as the database owner (the ACME
# server is another part's), their answers served by a small HTTP server
# on the stack's RA_ACME_HTTP_PORT.  The right key authorization makes the
# challenge, its authorization and its order valid/ready, also through
# redirects (to https: too, certificate unchecked); a wrong body, a 404,
# a server that never answers, a redirect loop and redirects to ports or
# addresses the map does not allow make them invalid with the RFC 8555
# problem of each; two validators at once validate each challenge once;
# a claim older than a minute is taken over, a fresh one is not; the
# daily failure limit holds against 25 callers at once; the validator's
# role cannot read the EAB key.
. "$(dirname "$0")/lib.sh"
stack_up
P=$RA_ACME_HTTP_PORT
VAL=$TOOLSDIR/acmeval.cgi
W=$T/www
mkdir -p "$W"

# --- the answering server ----------------------------------------------
# Plain HTTP, and TLS on the same port when the client starts with a TLS
# handshake (for https: redirects), with a self-signed certificate.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj /CN=tls.nii.ac.jp -keyout "$T/srv.key" -out "$T/srv.crt" 2>/dev/null
cat >"$T/srv.py" <<'PY'
import os, socket, ssl, sys, time, http.server
root, port, log, crt, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
tls.load_cert_chain(crt, key)
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def log_message(self, *a):
        pass
    def out(self, code, body, hdrs):
        self.send_response(code)
        for k, v in hdrs.items():
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(body)))
        self.send_header('Connection', 'close')
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        with open(log, 'a') as f:
            f.write('%s %s%s\n' % (self.headers.get('Host'), self.path,
                ' tls' if isinstance(self.connection, ssl.SSLSocket) else ''))
        if self.path.startswith('/loop/'):
            return self.out(302, b'', {'Location': '/loop/%d' % (int(self.path[6:]) + 1)})
        base = os.path.join(root, os.path.basename(self.path))
        if os.path.exists(base + '.hang'):
            time.sleep(30)
            return
        if os.path.exists(base + '.redirect'):
            with open(base + '.redirect') as f:
                return self.out(302, b'', {'Location': f.read().strip()})
        if os.path.isfile(base):
            with open(base, 'rb') as f:
                return self.out(200, f.read(), {'Content-Type': 'text/plain'})
        self.out(404, b'not found\n', {})
class S(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    def get_request(self):
        sock, addr = self.socket.accept()
        sock.settimeout(2)
        try:
            first = sock.recv(1, socket.MSG_PEEK)
            if first == b'\x16':
                sock = tls.wrap_socket(sock, server_side=True)
        except OSError:
            pass
        sock.settimeout(None)
        return sock, addr
S(('127.0.0.1', port), H).serve_forever()
PY
/usr/bin/python3 "$T/srv.py" "$W" "$P" "$T/srv.log" "$T/srv.crt" "$T/srv.key" 2>"$T/srv.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null; stack_down' EXIT
i=0
until curl -s -o /dev/null "http://127.0.0.1:$P/" || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done

# --- an account of a known key ----------------------------------------
"$DESKDIR/desk.cgi" institution-add --code nii --name-ja 国立情報学研究所 \
    --name-en "National Institute of Informatics" --st Tokyo --l Chiyoda-ku \
    --from 2026-01-01 --until 2030-12-31 >/dev/null &&
"$DESKDIR/desk.cgi" domain-add --institution nii --domain nii.ac.jp >/dev/null &&
"$DESKDIR/desk.cgi" officer-add --institution nii --name-ja 山田太郎 --romaji "Taro Yamada" \
    --mail taro@nii.ac.jp --phone 03-1234-5678 --domains nii.ac.jp --interfaces 1,12 \
    >/dev/null || bail "desk registration failed"
account() {	# account KEY-SEED: a new application and account; prints its id
	sql "WITH ap AS (INSERT INTO ra.acme_application (institution_id, officer_id,
	       admin_name, admin_org, admin_mail, fqdns, profile_id, eab_kid, eab_hmac)
	     SELECT institution_id, officer_id, '山田太郎', '情報基盤センター',
	       'yamada@nii.ac.jp', ARRAY['www.nii.ac.jp'], 41,
	       'kid-$1-' || md5('$1'), sha256('hmac-$1'::bytea)
	       FROM ra.officer LIMIT 1 RETURNING application_id)
	     INSERT INTO ra.acme_account (application_id, jwk_sha256, jwk)
	     SELECT application_id, sha256('$1'::bytea), '{\"kty\":\"EC\"}' FROM ap
	     RETURNING account_id"
}
ACCT=$(account key-one)
THUMB=$(printf key-one | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=')
tok() { openssl rand -base64 32 | tr '+/' '-_' | tr -d '=\n'; }
# chal ACCOUNT NAME TOKEN [STATUS]: an order for NAME, its authorization and
# challenge (processing unless STATUS); prints the challenge's id
chal() {
	sql "WITH o AS (INSERT INTO ra.acme_order (account_id, identifiers, expires_at)
	       VALUES ($1, ARRAY['$2'], now() + interval '7 days') RETURNING order_id),
	     a AS (INSERT INTO ra.acme_authz (order_id, identifier, expires_at)
	       SELECT order_id, '$2', now() + interval '7 days' FROM o RETURNING authz_id)
	     INSERT INTO ra.acme_challenge (authz_id, type, token, status, requested_at)
	     SELECT authz_id, 'http-01', '$3', '${4:-processing}', now() FROM a
	     RETURNING challenge_id"
}
col() { sql "SELECT $2 FROM ra.acme_challenge ch JOIN ra.acme_authz az USING (authz_id)
             JOIN ra.acme_order o USING (order_id) WHERE ch.challenge_id = $1"; }

# --- the stack's validator (acmeval.cgi run) --------------------------
pid=$(cat "$T/var/run/acmeval.pid" 2>/dev/null)
is "$(ps -o user= -p "${pid:-0}" 2>/dev/null)" ra-acmeval "make run started acmeval.cgi run as ra-acmeval"
t0=$(tok)
printf '%s.%s\n' "$t0" "$THUMB" >"$W/$t0"
c0=$(chal "$ACCT" run.nii.ac.jp "$t0" pending)
sql "UPDATE ra.acme_challenge SET status = 'processing', requested_at = now() WHERE challenge_id = $c0"
i=0
until [ "$(col "$c0" ch.status)" != processing ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
is "$(col "$c0" "ch.status || ' ' || az.status || ' ' || o.status")" "valid valid ready" \
    "the running validator validated a challenge moved to processing"
grep -q "^run.nii.ac.jp /.well-known/acme-challenge/$t0\$" "$T/srv.log"
ok $? "it fetched /.well-known/acme-challenge/TOKEN with Host: the identifier"
# PostgreSQL goes away and comes back: the validator reconnects, listens again.
PGBIN=$(pg_config --bindir 2>/dev/null || true)
[ -x "$PGBIN/pg_ctl" ] || PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T/var/pg" -m fast -w stop >/dev/null
sleep 1
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T/var/pg" -l "$T/var/log/postgres.log" \
    -w -o "-k $T/var/pgsock -c listen_addresses='' -p 5432 -c fsync=off" start >/dev/null
i=0
until grep -q 'database connection back' "$T/var/log/acmeval.log" || [ $i -ge 100 ]; do
	sleep 0.1; i=$((i + 1))
done
grep -q 'database connection back' "$T/var/log/acmeval.log"
ok $? "after PostgreSQL went away and came back the validator reconnected"
t1=$(tok)
printf '%s.%s\n' "$t1" "$THUMB" >"$W/$t1"
c1=$(chal "$ACCT" again.nii.ac.jp "$t1")
i=0
until [ "$(col "$c1" ch.status)" != processing ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
is "$(col "$c1" ch.status)" valid "and validates again"
kill "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
rm -f "$T/var/run/acmeval.pid"
grep -q 'stopped' "$T/var/log/acmeval.log"; ok $? "SIGTERM stops it"

# --- one run of "once" over every kind of answer ----------------------
# FetchTimeout 2 s; bad.nii.ac.jp maps to a documentation address.
cp "$RA_CONF" "$T/val.conf"
printf 'Acme.FetchTimeout = 2\nAcme.Resolve.9 = bad.nii.ac.jp 192.0.2.10\n' >>"$T/val.conf"
chmod 0644 "$T/val.conf"
once() { runuser -u ra-acmeval -- env RA_CONF="$T/val.conf" "$VAL" once 2>>"$T/once.err"; }

tg=$(tok); printf '%s.%s\n' "$tg" "$THUMB" >"$W/$tg"
cg=$(chal "$ACCT" www.nii.ac.jp "$tg")
tw=$(tok); printf 'not-the-key-authorization\n' >"$W/$tw"
cw=$(chal "$ACCT" wrong.nii.ac.jp "$tw")
tn=$(tok)
cn=$(chal "$ACCT" none.nii.ac.jp "$tn")
th=$(tok); : >"$W/$th.hang"
ch=$(chal "$ACCT" hang.nii.ac.jp "$th")
tl=$(tok); echo /loop/0 >"$W/$tl.redirect"
cl=$(chal "$ACCT" loop.nii.ac.jp "$tl")
ti=$(tok); echo "http://10.1.2.3:$P/.well-known/acme-challenge/$ti" >"$W/$ti.redirect"
ci=$(chal "$ACCT" lit.nii.ac.jp "$ti")
tb=$(tok); echo "http://bad.nii.ac.jp:$P/x" >"$W/$tb.redirect"
cb=$(chal "$ACCT" tobad.nii.ac.jp "$tb")
te=$(tok); echo "http://evil.example.org/x" >"$W/$te.redirect"
ce=$(chal "$ACCT" toevil.nii.ac.jp "$te")
ts=$(tok); t3=$(tok)
echo "https://tls.nii.ac.jp:$P/.well-known/acme-challenge/$t3" >"$W/$ts.redirect"
printf '%s.%s' "$ts" "$THUMB" >"$W/$t3"
cs=$(chal "$ACCT" secure.nii.ac.jp "$ts")
tp=$(tok); echo "http://www.nii.ac.jp:1/x" >"$W/$tp.redirect"
cp=$(chal "$ACCT" port.nii.ac.jp "$tp")
tr=$(tok); t2=$(tok)
echo "http://other.nii.ac.jp:$P/.well-known/acme-challenge/$t2" >"$W/$tr.redirect"
printf '%s.%s' "$tr" "$THUMB" >"$W/$t2"
cr=$(chal "$ACCT" moved.nii.ac.jp "$tr")
tx=$(tok)
cx=$(chal "$ACCT" www.example.com "$tx")
tk=$(tok); printf '%s.%s' "$tk" "$THUMB" >"$W/$tk"
ck=$(chal "$ACCT" www.nii.ac.jp "$tk")
sql "UPDATE ra.acme_challenge SET claimed_by = 'acmeval:gone:1', claimed_at = now() - interval '2 minutes'
      WHERE challenge_id = $ck"
tq=$(tok); printf '%s.%s' "$tq" "$THUMB" >"$W/$tq"
cq=$(chal "$ACCT" www.nii.ac.jp "$tq")
sql "UPDATE ra.acme_challenge SET claimed_by = 'acmeval:gone:3', attempts = 3,
       claimed_at = now() - interval '2 minutes' WHERE challenge_id = $cq"
tf=$(tok); printf '%s.%s' "$tf" "$THUMB" >"$W/$tf"
cf=$(chal "$ACCT" www.nii.ac.jp "$tf")
sql "UPDATE ra.acme_challenge SET claimed_by = 'acmeval:busy:1', claimed_at = now()
      WHERE challenge_id = $cf"
out=$(once)
ok $? "acmeval.cgi once: exit status 0"
is "$out" "14 challenge(s) validated" "acmeval.cgi once validated what waited, then exited"

is "$(col "$cg" "ch.status || ' ' || az.status || ' ' || o.status")" "valid valid ready" \
    "the key authorization: challenge valid, authorization valid, order ready"
is "$(col "$cg" "(ch.validated_at IS NOT NULL)::text || ' ' || coalesce(ch.error::text, 'none')")" \
    "true none" "validated_at set, no error"
is "$(col "$cw" "ch.status || ' ' || az.status || ' ' || o.status || ' ' || (ch.error->>'type')")" \
    "invalid invalid invalid urn:ietf:params:acme:error:incorrectResponse" \
    "a wrong body: incorrectResponse, authorization and order invalid"
has "$(col "$cw" "ch.error->>'detail'")" '"not-the-key-authorization" is not the key authorization' \
    "the detail quotes the body"
is "$(col "$cw" "o.error->>'type'")" "urn:ietf:params:acme:error:incorrectResponse" \
    "the order carries the problem"
is "$(col "$cn" "ch.status || ' ' || (ch.error->>'type')")" \
    "invalid urn:ietf:params:acme:error:unauthorized" "a 404: invalid, unauthorized"
has "$(col "$cn" "ch.error->>'detail'")" "answered HTTP 404" "the detail names the status code"
is "$(col "$ch" "ch.status || ' ' || (ch.error->>'type')")" \
    "invalid urn:ietf:params:acme:error:connection" "a server that never answers: connection"
has "$(col "$ch" "ch.error->>'detail'")" "timed out" "the detail says it timed out"
is "$(col "$cl" "ch.status || ' ' || (ch.error->>'type')")" \
    "invalid urn:ietf:params:acme:error:connection" "a redirect loop: connection"
has "$(col "$cl" "ch.error->>'detail'")" "too many redirects: more than 10" "after 10 redirects"
is "$(grep -c ' /loop/' "$T/srv.log")" 10 "ten redirects followed, no more"
is "$(col "$ci" "ch.status || ' ' || (ch.error->>'type')")" \
    "invalid urn:ietf:params:acme:error:connection" "a redirect to an IP literal: refused"
has "$(col "$ci" "ch.error->>'detail'")" "refused to connect to the IP address 10.1.2.3" \
    "the detail names the address"
has "$(col "$cb" "ch.error->>'detail'")" "refused to connect to 192.0.2.10 for bad.nii.ac.jp" \
    "a redirect to a name mapped to a non-loopback address: refused"
is "$(col "$ce" "ch.status || ' ' || (ch.error->>'type')")" \
    "invalid urn:ietf:params:acme:error:dns" "a redirect to a name not in the map: dns"
has "$(col "$ce" "ch.error->>'detail'")" "evil.example.org does not resolve" "the detail names it"
is "$(col "$cs" "ch.status || ' ' || o.status")" "valid ready" \
    "an https redirect is followed, the self-signed certificate not checked"
grep -q "^tls.nii.ac.jp /.well-known/acme-challenge/$t3 tls\$" "$T/srv.log"
ok $? "over TLS, with Host: the redirect's host"
is "$(col "$cp" "ch.status || ' ' || (ch.error->>'type')")" \
    "invalid urn:ietf:params:acme:error:connection" "a redirect to another port: refused"
has "$(col "$cp" "ch.error->>'detail'")" "port 1 is not 80, 443 or $P" "the detail names the port"
is "$(col "$cr" "ch.status || ' ' || o.status")" "valid ready" \
    "a redirect to another mapped name with the right body is followed"
grep -q "^other.nii.ac.jp /.well-known/acme-challenge/$t2\$" "$T/srv.log"
ok $? "with Host: the redirect's host"
is "$(col "$cx" "ch.status || ' ' || (ch.error->>'type')")" \
    "invalid urn:ietf:params:acme:error:dns" "an identifier not in the map: dns"
is "$(col "$ck" "ch.status || ' ' || (ch.claimed_by LIKE 'acmeval:%:%' AND ch.claimed_by <> 'acmeval:gone:1')::text")" \
    "valid true" "a claim older than a minute is taken over"
is "$(col "$cf" "ch.status || ' ' || ch.claimed_by")" "processing acmeval:busy:1" \
    "a fresh claim of another validator is left alone"
is "$(col "$cq" "ch.status || ' ' || ch.attempts || ' ' || (ch.error->>'type')")" \
    "invalid 4 urn:ietf:params:acme:error:serverInternal" \
    "a challenge three validators stopped on is given up, not taken a fourth time"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'acme.validate'")" 16 \
    "every validation audited (acme.validate)"
is "$(sql "SELECT outcome FROM ra.audit WHERE event = 'acme.validate'
           AND detail->>'challenge_id' = '$cw'")" fail "a failed one as fail"
is "$(sql "SELECT outcome || ' ' || (detail->>'identifier') FROM ra.audit WHERE event = 'acme.validate'
           AND detail->>'challenge_id' = '$cg'")" "ok www.nii.ac.jp" "a good one as ok"
is "$(sql "SELECT ra.acme_failures_today($ACCT)")" 10 \
    "the ten failures count against the account today"

# --- an order of two names is ready when both are valid ---------------
ta=$(tok); printf '%s.%s' "$ta" "$THUMB" >"$W/$ta"
tc=$(tok); printf '%s.%s' "$tc" "$THUMB" >"$W/$tc"
oid=$(sql "INSERT INTO ra.acme_order (account_id, identifiers, expires_at)
           VALUES ($ACCT, ARRAY['a.nii.ac.jp', 'c.nii.ac.jp'], now() + interval '7 days')
           RETURNING order_id")
sql "WITH a AS (INSERT INTO ra.acme_authz (order_id, identifier, expires_at)
       VALUES ($oid, 'a.nii.ac.jp', now() + interval '7 days'),
              ($oid, 'c.nii.ac.jp', now() + interval '7 days') RETURNING authz_id, identifier)
     INSERT INTO ra.acme_challenge (authz_id, type, token, status, requested_at)
     SELECT authz_id, 'http-01', CASE identifier WHEN 'a.nii.ac.jp' THEN '$ta' ELSE '$tc' END,
            CASE identifier WHEN 'a.nii.ac.jp' THEN 'processing' ELSE 'pending' END, now() FROM a" >/dev/null
once >/dev/null
is "$(sql "SELECT status FROM ra.acme_order WHERE order_id = $oid")" pending \
    "one of two authorizations valid: the order is still pending"
sql "UPDATE ra.acme_challenge SET status = 'processing' WHERE token = '$tc'"
once >/dev/null
is "$(sql "SELECT status FROM ra.acme_order WHERE order_id = $oid")" ready "both: ready"

# --- two validators at once on twenty challenges ----------------------
n=0
while [ $n -lt 20 ]; do
	t=$(tok); printf '%s.%s' "$t" "$THUMB" >"$W/$t"
	chal "$ACCT" "many$n.nii.ac.jp" "$t" pending >/dev/null
	n=$((n + 1))
done
sql "UPDATE ra.acme_challenge SET status = 'processing', requested_at = now() WHERE status = 'pending'
       AND authz_id IN (SELECT authz_id FROM ra.acme_authz WHERE identifier LIKE 'many%')"
once >"$T/v1.out" &
v1=$!
once >"$T/v2.out" &
v2=$!
wait $v1
r1=$?
wait $v2
is "$r1 $?" "0 0" "both exit 0"
is "$(sql "SELECT count(*) FROM ra.acme_challenge ch JOIN ra.acme_authz az USING (authz_id)
           WHERE az.identifier LIKE 'many%' AND ch.status = 'valid'")" 20 "two validators: all twenty valid"
is "$(sql "SELECT count(*) || ' ' || count(DISTINCT detail->>'challenge_id') FROM ra.audit
           WHERE event = 'acme.validate' AND detail->>'identifier' LIKE 'many%'")" "20 20" \
    "each validated exactly once (one audit row each)"
echo "# validator 1: $(cat "$T/v1.out"); validator 2: $(cat "$T/v2.out")"

# --- the daily limit (ra.acme_may_validate, Acme.FailedPerDay) ---------
# fail ACCOUNT N: N failed validations of the account today
fails() {
	sql "WITH o AS (INSERT INTO ra.acme_order (account_id, identifiers, expires_at, status)
	       SELECT $1, ARRAY['f' || g || '.nii.ac.jp'], now() + interval '7 days', 'invalid'
	         FROM generate_series(1, $2) g RETURNING order_id, identifiers[1] AS name),
	     a AS (INSERT INTO ra.acme_authz (order_id, identifier, expires_at, status)
	       SELECT order_id, name, now() + interval '7 days', 'invalid' FROM o RETURNING authz_id)
	     INSERT INTO ra.acme_challenge (authz_id, type, token, status, requested_at, validated_at)
	     SELECT authz_id, 'http-01', substr(md5(random()::text) || md5(random()::text), 1, 43),
	            'invalid', now(), ra.clock() FROM a" >/dev/null
}
A2=$(account key-two)
fails "$A2" 19
is "$(sql "SELECT ra.acme_may_validate($A2, 20)")" t "19 failures today: one more may be validated"
fails "$A2" 1
is "$(sql "SELECT ra.acme_may_validate($A2, 20)")" f "20 failures today: refused"
sql "UPDATE ra.acme_challenge SET validated_at = ra.clock() - interval '1 day'
      WHERE authz_id IN (SELECT authz_id FROM ra.acme_authz az JOIN ra.acme_order o USING (order_id)
                          WHERE o.account_id = $A2)"
is "$(sql "SELECT ra.acme_may_validate($A2, 20)")" t "yesterday's failures do not count"
A3=$(account key-three)
fails "$A3" 19
n=0
while [ $n -lt 25 ]; do
	chal "$A3" "race$n.nii.ac.jp" "$(tok)" pending >/dev/null
	n=$((n + 1))
done
pids=
for id in $(sql "SELECT ch.challenge_id FROM ra.acme_challenge ch JOIN ra.acme_authz az USING (authz_id)
                 WHERE az.identifier LIKE 'race%'"); do
	sql "UPDATE ra.acme_challenge SET status = 'processing', requested_at = now()
	      WHERE challenge_id = $id AND ra.acme_may_validate($A3, 20)" >/dev/null &
	pids="$pids $!"
done
wait $pids	# not the answering server's
is "$(sql "SELECT count(*) FROM ra.acme_challenge ch JOIN ra.acme_authz az USING (authz_id)
           WHERE az.identifier LIKE 'race%' AND ch.status = 'processing'")" 1 \
    "25 answers at once of an account at 19 failures: one goes through"
is "$(sql "SELECT ra.acme_may_validate($A3, 20)")" f "and the next is refused while it is validated"
sql "UPDATE ra.acme_account SET status = 'deactivated' WHERE account_id = $A2"
is "$(sql "SELECT ra.acme_may_validate($A2, 20)")" f "a deactivated account may not"

# --- what the validator's role may not --------------------------------
asval() { runuser -u ra-acmeval -- psql -h "$T/var/pgsock" -U ra_acmeval -d ra -Atq -c "$1" 2>&1; }
has "$(asval "SELECT eab_hmac FROM ra.acme_application")" "permission denied" \
    "ra_acmeval cannot read ra.acme_application.eab_hmac"
has "$(asval "SELECT jwk FROM ra.acme_account")" "permission denied" "nor an account's key"
has "$(asval "UPDATE ra.acme_account SET status = 'valid'")" "permission denied" "nor change an account"
has "$(asval "SELECT ra.acme_may_validate(1, 20)")" "permission denied" \
    "the limit check is the ACME server's (ra_acme), not the validator's"
is "$(sql "SELECT has_function_privilege('ra_acme', 'ra.acme_may_validate(bigint, integer)', 'EXECUTE')")" t \
    "ra_acme may call ra.acme_may_validate"

done_testing

#!/bin/sh
# Bad input to the foundation: config missing or incomplete, database down,
# a migration that fails or was edited.  Each gives one clear line naming
# the file or the SQLSTATE, a non-zero exit, and changes nothing.
. "$(dirname "$0")/lib.sh"
stack_up

# --- configuration -------------------------------------------------------
err=$(RA_CONF=$T/none.conf "$TOOLSDIR/ops.cgi" status 2>&1 >/dev/null)
rc=$?
[ $rc -ne 0 ]; ok $? "missing config: exit status $rc"
is "$(printf '%s\n' "$err" | wc -l)" 1 "missing config: one line"
has "$err" "$T/none.conf: No such file or directory" "missing config: names the file"

grep -v 'Admin =' "$RA_CONF" >"$T/noadmin.conf"
err=$(RA_CONF=$T/noadmin.conf "$TOOLSDIR/ops.cgi" migrate 2>&1 >/dev/null)
[ $? -ne 0 ]; ok $? "incomplete config: non-zero exit"
has "$err" "Db.Admin is not set" "incomplete config: names the key"

cp "$RA_CONF" "$T/unreadable.conf"
chmod 0600 "$T/unreadable.conf"
err=$(runuser -u www-data -- env RA_CONF="$T/unreadable.conf" "$PUBLICDIR/index.cgi" 2>&1 >/dev/null)
[ $? -ne 0 ]; ok $? "unreadable config: non-zero exit"
has "$err" "unreadable.conf: Permission denied" "unreadable config: says why"

err=$("$TOOLSDIR/ops.cgi" frobnicate 2>&1 >/dev/null)
is $? 2 "unknown command: exit status 2"
has "$err" "usage: ops.cgi" "unknown command: usage"

# --- migrations ----------------------------------------------------------
out=$("$TOOLSDIR/ops.cgi" migrate 2>&1)
ok $? "migrate again"
has "$out" "0 migration(s) applied" "applied migrations are not applied twice"
has "$("$TOOLSDIR/ops.cgi" status)" "0 migration(s) pending" "status: nothing pending"

schema=$(sed -n 's/^ *Schema = //p' "$RA_CONF")
mkdir "$T/schema"
cp "$schema"/*.sql "$T/schema/"
cat >"$T/schema/099-broken.sql" <<'SQL'
CREATE TABLE ra.half_done (x integer);
INSERT INTO ra.half_done VALUES (1);
-- the next statement fails: nothing of this file may remain
INSERT INTO ra.no_such_table VALUES (1);
SQL
sed "s|Schema = .*|Schema = $T/schema|" "$RA_CONF" >"$T/broken.conf"
has "$(RA_CONF=$T/broken.conf "$TOOLSDIR/ops.cgi" status)" "099-broken.sql	pending" \
    "status lists the new migration as pending"
err=$(RA_CONF=$T/broken.conf "$TOOLSDIR/ops.cgi" migrate 2>&1 >/dev/null)
[ $? -ne 0 ]; ok $? "failing migration: non-zero exit"
is "$(printf '%s\n' "$err" | wc -l)" 1 "failing migration: one line"
has "$err" "migration 099-broken.sql rolled back: statement 3 (line 4): SQLSTATE 42P01" \
    "failing migration: names file, statement, line and SQLSTATE"
is "$(sql "SELECT to_regclass('ra.half_done') IS NULL")" t "failing migration: its table is rolled back"
is "$(sql "SELECT count(*) FROM ra.schema_migration WHERE version = 99")" 0 \
    "failing migration: not recorded"

rm "$T/schema/099-broken.sql"
echo "-- edited after it was applied" >>"$T/schema/001-core.sql"
err=$(RA_CONF=$T/broken.conf "$TOOLSDIR/ops.cgi" migrate 2>&1 >/dev/null)
[ $? -ne 0 ]; ok $? "edited applied migration: refused"
has "$err" "001-core.sql: differs from the applied version" "edited applied migration: says which"
has "$(RA_CONF=$T/broken.conf "$TOOLSDIR/ops.cgi" status)" "001-core.sql	CHANGED since applied" \
    "status shows the edited file"

# --- hostile forms: every field declared, once, whole -------------------
code() { curl -sS --cacert "$CACERT" -o /dev/null -w '%{http_code}' "$@"; }
tok=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
is "$(code "$URL/ra/raget.cgi?t=$tok&t=$tok")" 400 "a repeated field: 400"
is "$(code "$URL/ra/index.cgi?debug=1")" 400 "an undeclared field: 400"
is "$(code "$URL/ra/raget.cgi?t=$tok%00x")" 400 "%00 in the query string: 400"
is "$(code -d "t=$tok&step=pin&pin=secret%00junk" "$URL/ra/raget.cgi")" 400 \
    "%00 in a urlencoded form field: 400, not a value cut at the NUL"
is "$(code "$URL/ra/certget.cgi?t.x=1")" 400 "a dotted (structured) name: 400"
is "$(code -H 'Content-Type: multipart/form-data' --data-binary x "$URL/ra/index.cgi")" 400 \
    "multipart/form-data without a boundary: 400, not a crashed CGI (t/fuzz/regress/form/)"
is "$(sql "SELECT string_agg(detail->>'why', '|' ORDER BY audit_id) FROM ra.audit WHERE event = 'web.refused'")" \
    "field repeated or structured: t|undeclared field: debug|NUL (%00) in the query string|NUL (%00) in a form field|field repeated or structured: t|multipart Content-Type without a usable boundary" \
    "each refusal is audited with what was wrong"
# Refused before its body was read: unless the CGI reads it anyway, its
# socket to Apache is reset and the answer lost, for about one in five.
head -c 8192 /dev/zero | tr '\0' x >"$T/body"
codes=$(for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	code -H 'Content-Type: multipart/form-data' --data-binary @"$T/body" "$URL/ra/index.cgi"
	code --data-binary @"$T/body" "$URL/ra/index.cgi?x=%00"
done 2>&1 | tr -d '\n')
is "$codes" "$(printf '400%.0s' $(seq 40))" "refused before the body was read: the answer arrives, 40 times out of 40"
page=$(curl -sS --cacert "$CACERT" -d "t=$tok&step=pin&pin=secret" "$URL/ra/raget.cgi")
hasnt "$page" "システムエラー" "a well-formed form still goes through (its own answer)"

# --- database down -------------------------------------------------------
runuser -u postgres -- "$(pg_config --bindir)/pg_ctl" -D "$T/var/pg" -m fast -w stop >/dev/null
err=$("$PUBLICDIR/index.cgi" 2>&1 >/dev/null)
[ $? -ne 0 ]; ok $? "database down: shell run fails"
is "$(printf '%s\n' "$err" | wc -l)" 1 "database down: one line"
has "$err" "SQLSTATE 08006" "database down: names the SQLSTATE"
body=$(curl -sS --cacert "$CACERT" -w '\n%{http_code}' "$URL/ra/index.cgi")
has "$body" "503" "database down: the web answers 503"
has "$body" "システムが一時的に利用できません" "database down: with a page that says so"

done_testing

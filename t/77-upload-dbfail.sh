#!/bin/sh
# A database failure in one row of a ③ client upload is the upload's
# error, as in a server file (57a3c73): the officer is told the upload
# failed and nothing of the file is stored, never a row error with no
# text while the other rows are queued.  The failure is made by a trigger
# that raises for one CN, so nothing depends on the machine's speed.
. "$(dirname "$0")/lib.sh"
stack_up
D=$DESKDIR/desk.cgi
C=$OFFICERDIR/client.cgi
O="Kyoto University"
DN="O=$O,L=Kyoto,ST=Kyoto,C=JP"
"$D" institution-add --code kyoto --name-ja 京都大学 --name-en "$O" --st Kyoto --l Kyoto \
    --from 2026-01-01 --until 2030-12-31 >/dev/null
"$D" domain-add --institution kyoto --domain kyoto-u.ac.jp >/dev/null
off=$("$D" officer-add --institution kyoto --name-ja 京大担当 --romaji "Kyodai Tanto" \
    --mail ra@kyoto-u.ac.jp --phone 075-000-0000 --domains kyoto-u.ac.jp \
    --interfaces 3,4,10 | sed -n 's/^officer \([0-9]*\) .*/\1/p')
worker_stop
sql "CREATE FUNCTION public.boom() RETURNS trigger LANGUAGE plpgsql AS
     \$\$BEGIN IF NEW.cn = 'boom.002' THEN RAISE EXCEPTION 'injected'; END IF;
     RETURN NEW; END\$\$;
     CREATE TRIGGER boom BEFORE INSERT ON ra.request FOR EACH ROW
     EXECUTE FUNCTION public.boom()" >/dev/null
{ crow "CN=taro.001,$DN" 14 1 "" NIIcert20261201-001 "京大 太郎" taro@kyoto-u.ac.jp
  crow "CN=boom.002,$DN" 14 1 "" NIIcert20261201-002 "京大 次郎" jiro@kyoto-u.ac.jp
  crow "CN=saburo.003,$DN" 14 1 "" NIIcert20261201-003 "京大 三郎" saburo@kyoto-u.ac.jp
} | iconv -f UTF-8 -t CP932 >"$T/f.tsv"
out=$("$C" --officer "$off" --action issue --mode partial "$T/f.tsv" 2>"$T/up.err")
rc=$?
[ "$rc" -ne 0 ]
ok $? "the upload fails (exit $rc)"
hasnt "$out" "	OK	" "no result TSV reports rows done"
is "$(sql "SELECT count(*) FROM ra.request")" 0 "no row of the file is queued"
is "$(sql "SELECT count(*) FROM ra.batch WHERE rows_ok > 0")" 0 "no batch counts rows as done"
done_testing

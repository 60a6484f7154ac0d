#!/bin/sh
# The worker, the one process that holds CA keys, confines itself once
# they are loaded: no new privileges, a seccomp filter; after that it can
# neither run a program nor create a file, and still signs.  And the code
# that signs is in the worker's binary only.
. "$(dirname "$0")/lib.sh"
stack_up

pid=$(cat "$T/var/run/worker.pid")
[ -n "$pid" ]; ok $? "the running worker ($pid)"
is "$(readlink "/proc/$pid/exe")" "$TOOLSDIR/worker.cgi" "the pid file names the worker itself"
is "$(stat -c %U "/proc/$pid")" ra-worker "which runs as ra-worker"
st=$(cat "/proc/$pid/status")
has "$st" "NoNewPrivs:	1" "runs with no new privileges"
has "$st" "Seccomp:	2" "under a seccomp filter"

out=$(as_worker "$TOOLSDIR/worker.cgi" sandbox-check 2>&1)
ok $? "worker.cgi sandbox-check: every check holds"
has "$out" "create /tmp/ra-sandbox-check." "it tries to create a file"
has "$out" ": Operation not permitted" "which is refused"
has "$out" "exec /bin/false: Operation not permitted" "running a program is refused"
has "$out" "read /etc/passwd: allowed" "reading still works (CA keys are re-read on SIGHUP)"
is "$(ls /tmp/ra-sandbox-check.* 2>/dev/null | wc -l)" 0 "no file was left"

institution_add nii "National Institute of Informatics" Tokyo Chiyoda-ku
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
    -out "$T/r.csr" -subj "/CN=www.nii.ac.jp" 2>/dev/null
out=$("$TOOLSDIR/ca.cgi" request --institution nii --profile 22 --csr "$T/r.csr" \
    --subject "CN=www.nii.ac.jp,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP" --wait 20)
has "$out" "done: serial" "the confined worker still issues"
kill -HUP "$pid"
i=0
until grep -q "reloaded" "$T/var/log/worker.log" || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
has "$(cat "$T/var/log/worker.log")" "reloaded, " "and re-reads its CA keys on SIGHUP"

# Only the worker links the signing code (lib/ca.h, lib/sandbox.c).
for f in "$PUBLICDIR"/*.cgi "$OFFICERDIR"/*.cgi "$DESKDIR"/*.cgi "$TOOLSDIR"/*.cgi; do
	case $f in */worker.cgi) continue ;; esac
	if nm "$f" 2>/dev/null | grep -qE ' T (ra_signers_load|ra_tbs_sign|ra_worker_batch|ra_sandbox_worker)$'; then
		echo "# $f links the signing code"
		bad=1
	fi
done
[ -z "${bad:-}" ]; ok $? "no binary but the worker links the signing code"
nm "$TOOLSDIR/worker.cgi" | grep -q ' T ra_tbs_sign$'; ok $? "(the worker does)"

done_testing

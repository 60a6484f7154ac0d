#!/bin/sh
# make install DESTDIR=... installs a usable tree: binaries, templates,
# schema, configuration samples and man pages, at the configured paths.
. "$(dirname "$0")/lib.sh"

D=$(mktemp -d /tmp/ra-install.XXXXXX) || bail "mktemp"
trap 'rm -rf "$D"' EXIT
make -s -C "$top" install DESTDIR="$D" >"$D.log" 2>&1
ok $? "make install DESTDIR=$D"
rm -f "$D.log"

v() { make -s --no-print-directory -C "$top" "print-$1"; }
cgidir=$(v cgidir); tmpldir=$(v tmpldir); schemadir=$(v schemadir)
confdir=$(v confdir); mandir=$(v mandir); sbindir=$(v sbindir)

# One directory per zone, each with its own programs only.
for z in public:index,raget,certget,pinget,cliget,eabget officer:login,menu,screen,logout,server,client,download,clientdl,admin,codesign,codesigndl,tsurl,alldl,allowdl,stats,acme-app,batch \
    desk:desk tsa:tsa ocsp:ocsp acme:acme tools:ca,ops,worker,mail,acmeval; do
	dir=$D$cgidir/${z%%:*}
	want=$(echo "${z#*:}" | tr ',' '\n' | sed 's/$/.cgi/' | sort | tr '\n' ' ')
	is "$(ls "$dir" | sort | tr '\n' ' ')" "$want" "zone ${z%%:*}: exactly its programs"
done
[ -x "$D$cgidir/tools/ops.cgi" ]; ok $? "the tools are executable"
for f in "$tmpldir/index.cs" "$tmpldir/error.cs" "$schemadir/001-core.sql" \
    "$confdir/ra.conf.sample" "$confdir/httpd-ra.conf" "$confdir/httpd-tsa.conf" \
    "$confdir/httpd-pub.conf" "$(v datadir)/ra/zones" \
    "$mandir/man5/ra.conf.5" "$mandir/man8/ops.cgi.8" "$mandir/man8/index.cgi.8"; do
	[ -f "$D$f" ]; ok $? "installed $f"
done
[ -x "$D$sbindir/ra-setup" ]; ok $? "ra-setup is installed in $sbindir"
has "$(cat "$D$sbindir/ra-setup")" "confdir=$confdir" "and names the configured paths"
is "$(find "$D" -name '*.o' -o -name '*.c' -o -name '*.a' | wc -l)" 0 "no build products or sources"

sample=$(cat "$D$confdir/ra.conf.sample")
has "$sample" "Templates = $tmpldir" "the sample names the installed templates"
has "$sample" "Schema = $schemadir" "and the installed schema"
# Every directory the sample names for the worker to write or read keys in
# is there, so the first "worker.cgi crl" has its directory.
# (Worker.KeyDir is the first KeyDir; Audit.Key's directory.)
sample_dir() { printf '%s\n' "$sample" | sed -n "s/^  $1 = //p" | head -n 1; }
keydir=$(sample_dir KeyDir)
for dir in "$(sample_dir Crl)" "$keydir" "$(sample_dir CheckpointDir)" \
    "$(dirname "$(sample_dir Key)")"; do
	[ -n "$dir" ] && [ -d "$D$dir" ]; ok $? "the sample's $dir is made"
done
is "$(stat -c %a "$D$keydir")" 700 "the CA key directory is 0700"
# A signer whose files an install does not make would hold every mail back.
printf '%s\n' "$sample" | grep -q '^ *Signer\(Cert\|Key\) ='
is $? 1 "the sample leaves the mail signer unset (mails unsigned until it is set)"

# The installed binaries run with a config naming the installed tree; with
# no database they fail cleanly, with the SQLSTATE, not a crash.
sed -e "s|$tmpldir|$D$tmpldir|" -e "s|$schemadir|$D$schemadir|" \
    -e "s|host=/var/run/postgresql|host=$D/nowhere|" "$D$confdir/ra.conf.sample" >"$D/ra.conf"
err=$(RA_CONF=$D/ra.conf "$D$cgidir/tools/ops.cgi" status 2>&1)
is $? 1 "installed ops.cgi without a database: exit status 1"
has "$err" "SQLSTATE 08006" "and says the database is unreachable"
out=$(RA_CONF=$D/ra.conf "$D$cgidir/tools/ops.cgi" check 2>/dev/null)
is $? 1 "ops.cgi check on a bare install: exit status 1"
has "$out" "MISSING  Site.URL = https://ra.example.ac.jp/ra" "it names the sample's Site.URL as still to set"
has "$out" "MISSING  the database, as its owner (Db.Admin)" "and the database it cannot reach"
man -l "$D$mandir/man5/ra.conf.5" >/dev/null 2>&1
ok $? "ra.conf(5) renders"
# Built for /etc (the README's --sysconfdir=/etc), the man pages say /etc/ra.
make -s -C "$top" install DESTDIR="$D/etc-build" sysconfdir=/etc >/dev/null 2>&1
page=$(cat "$D/etc-build$mandir/man5/ra.conf.5" "$D/etc-build$mandir/man8/ca.cgi.8")
has "$page" "/etc/ra/ra.conf" "installed for --sysconfdir=/etc, the man pages name /etc/ra"
has "$(cat "$D/etc-build$(v datadir)/ra/crontab")" "RA_CONF=/etc/ra/ra.conf" "and so does the crontab"
hasnt "$page" "/usr/local/etc/ra" "and not the default"

# The services' systemd units, installed with the configured paths: each
# runs an installed program under its own user with the configured
# ra.conf (systemd-analyze verify, where systemd is installed).
units=$D/etc-build$(v systemddir)
for u in ra-worker:worker:ra-worker ra-mailer:mail:ra-mail ra-acmeval:acmeval:ra-acmeval; do
	f=$units/${u%%:*}.service
	prog=$(printf '%s' "$u" | cut -d: -f2) user=${u##*:}
	[ -f "$f" ]; ok $? "${u%%:*}.service is installed"
	has "$(cat "$f")" "ExecStart=$cgidir/tools/$prog.cgi run" "it runs the installed $prog.cgi"
	[ -x "$D/etc-build$cgidir/tools/$prog.cgi" ]; ok $? "which is there"
	has "$(cat "$f")" "User=$user" "as $user"
	has "$(cat "$f")" "Environment=RA_CONF=/etc/ra/ra.conf" "with the configured ra.conf"
	if command -v systemd-analyze >/dev/null; then
		sed "s|ExecStart=|ExecStart=$D/etc-build|" "$f" >"$D/${f##*/}"
		out=$(systemd-analyze verify "$D/${f##*/}" 2>&1)
		hasnt "$out" "${u%%:*}.service:" "systemd-analyze verify finds nothing in it"
	fi
done

# A plain "make" needs only conf/packages' build part and names what it
# misses; make run and check install the whole list.
is "$(v DEPS)" "sh conf/deps --check build" "a plain make checks the build packages only"
L=$D/packages
printf '## build\ngcc\nra-no-such-package\n## test\nra-no-such-test-package # why\n' >"$L"
out=$(DEPS_LIST=$L sh "$top/conf/deps" --check build 2>&1)
is $? 1 "deps --check build: a missing build package fails"
has "$out" "ra-no-such-package" "and is named"
has "$out" "apt-get install --no-install-recommends ra-no-such-package" "with the line that installs it"
hasnt "$out" "ra-no-such-test-package" "a test package is not asked for"
out=$(DEPS_LIST=$L sh "$top/conf/deps" --check 2>&1)
has "$out" "ra-no-such-package ra-no-such-test-package" "without a section, the whole list"
build=$(awk '/^## / { sec = $2 } { sub(/#.*/, "") } NF && sec == "build"' "$top/conf/packages")
hasnt "$build" "chromium" "the build part has no browser"
hasnt "$build" "apache2" "nor the local stack"

done_testing

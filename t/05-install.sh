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
confdir=$(v confdir); mandir=$(v mandir)

# One directory per zone, each with its own programs only.
for z in public:index,raget,certget,pinget,cliget,eabget officer:login,menu,screen,logout,server,client,download,clientdl,admin,codesign,codesigndl,tsurl,alldl,allowdl,stats,acme-app \
    desk:desk tsa:tsa ocsp:ocsp acme:acme tools:ca,ops,worker,mail,acmeval; do
	dir=$D$cgidir/${z%%:*}
	want=$(echo "${z#*:}" | tr ',' '\n' | sed 's/$/.cgi/' | sort | tr '\n' ' ')
	is "$(ls "$dir" | sort | tr '\n' ' ')" "$want" "zone ${z%%:*}: exactly its programs"
done
[ -x "$D$cgidir/tools/ops.cgi" ]; ok $? "the tools are executable"
for f in "$tmpldir/index.cs" "$tmpldir/error.cs" "$schemadir/001-core.sql" \
    "$confdir/ra.conf.sample" "$confdir/httpd-ra.conf" "$confdir/httpd-tsa.conf" \
    "$mandir/man5/ra.conf.5" "$mandir/man8/ops.cgi.8" "$mandir/man8/index.cgi.8"; do
	[ -f "$D$f" ]; ok $? "installed $f"
done
is "$(find "$D" -name '*.o' -o -name '*.c' -o -name '*.a' | wc -l)" 0 "no build products or sources"

sample=$(cat "$D$confdir/ra.conf.sample")
has "$sample" "Templates = $tmpldir" "the sample names the installed templates"
has "$sample" "Schema = $schemadir" "and the installed schema"

# The installed binaries run with a config naming the installed tree; with
# no database they fail cleanly, with the SQLSTATE, not a crash.
sed -e "s|$tmpldir|$D$tmpldir|" -e "s|$schemadir|$D$schemadir|" \
    -e "s|host=/var/run/postgresql|host=$D/nowhere|" "$D$confdir/ra.conf.sample" >"$D/ra.conf"
err=$(RA_CONF=$D/ra.conf "$D$cgidir/tools/ops.cgi" status 2>&1)
is $? 1 "installed ops.cgi without a database: exit status 1"
has "$err" "SQLSTATE 08006" "and says the database is unreachable"
man -l "$D$mandir/man5/ra.conf.5" >/dev/null 2>&1
ok $? "ra.conf(5) renders"

done_testing

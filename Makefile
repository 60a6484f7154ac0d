# ra -- top-level Makefile (committed; GNU make).
#
# On a fresh clone config.mk does not exist: the rules below check the
# Debian packages (conf/deps: the build ones for "make", all of them for
# make run, check and bench, which install what is missing), run
# autoreconf and ./configure, and make restarts with the result.  Nothing
# else has to be run by hand.

include config.mk

VERSION		= 0.1.0
VAR		?= $(CURDIR)/var

# Where things live once installed; the same names go into ra.conf.sample.
# One directory per trust zone, each holding only its own binaries, so
# Apache's ScriptAlias for one zone cannot reach another's programs; the
# shell-only tools (CA, operations, worker, mail) sit outside every alias.
# A service zone (the time-stamp authority, the OCSP responder) is one more.
cgidir		= $(libexecdir)/ra
publicdir	= $(cgidir)/public
officerdir	= $(cgidir)/officer
deskdir		= $(cgidir)/desk
tsadir		= $(cgidir)/tsa
ocspdir		= $(cgidir)/ocsp
acmedir		= $(cgidir)/acme
toolsdir	= $(cgidir)/tools
tmpldir		= $(datadir)/ra/templates
schemadir	= $(datadir)/ra/schema
confdir		= $(sysconfdir)/ra
# What the worker's user alone writes or reads (ra.conf.sample's
# Audit.CheckpointDir and Audit.Key's directory, Paths.Crl, Worker.KeyDir):
# install makes them and gives them to ra-worker when it exists, so the
# first "worker.cgi crl" has its directory.
ckptdir		= $(localstatedir)/ra/checkpoints
crldir		= $(localstatedir)/ra/crl
keydir		= $(localstatedir)/ra/pki/private
auditdir	= $(localstatedir)/ra/pki/audit
# The services' systemd units (conf/systemd): the local stack, on machines
# without systemd, starts the same programs as processes (conf/stack).
systemddir	= $(prefix)/lib/systemd/system
UNITS		= $(sort $(wildcard conf/systemd/*.service))

# A field a table leaves out is zero by the C rule, and the tables rely on
# it (struct ra_field's kind is RA_FIELD_TEXT unless a file): clang would
# warn on every such line, gcc does not for designated initialisers.
WARN		= -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith \
		  -Wmissing-prototypes -Wmissing-declarations -Wstrict-prototypes \
		  -Wno-unused-parameter -Wno-missing-field-initializers
RA_CPPFLAGS	= -D_GNU_SOURCE $(HARDEN_CPPFLAGS) -Ilib $(SSL_CFLAGS) $(PQ_CFLAGS) $(CS_CFLAGS) $(ZIP_CFLAGS) $(SECCOMP_CFLAGS) \
		  -DRA_CONF_DEFAULT='"$(confdir)/ra.conf"' \
		  -DRA_VERSION='"$(VERSION)"'
# Hardening is part of every build, not a flag to remember: fortified libc
# calls, stack canaries, position-independent executables and a read-only
# GOT bound at start (full RELRO), so a memory-safety bug in a parser that
# reads hostile input has less to work with.  WERROR=-Werror for CI
# (make check-build); a user's newer compiler may warn where ours did not.
HARDEN_CPPFLAGS	= -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2
HARDEN_CFLAGS	= -fstack-protector-strong -fPIE
HARDEN_LDFLAGS	= -pie -Wl,-z,relro -Wl,-z,now
WERROR		?=
ALL_CFLAGS	= -std=c11 $(WARN) $(WERROR) $(HARDEN_CFLAGS) $(CFLAGS)
ALL_LDFLAGS	= $(HARDEN_LDFLAGS) $(LDFLAGS)
ALL_LIBS	= lib/libra.a $(CS_LIBS) $(PQ_LIBS) $(SSL_LIBS) $(ZIP_LIBS) $(LIBS)

LIB_SRCS	= $(sort $(wildcard lib/*.c))
LIB_OBJS	= $(LIB_SRCS:.c=.o)
CGI_SRCS	= $(sort $(wildcard cgi-bin/*.c))
CGIS		= $(CGI_SRCS:.c=.cgi)
ZONE_PUBLIC	= index raget certget pinget cliget eabget
ZONE_OFFICER	= login menu screen logout server client download clientdl admin codesign codesigndl tsurl alldl allowdl stats acme-app batch
ZONE_DESK	= desk
ZONE_TSA	= tsa
ZONE_OCSP	= ocsp
ZONE_ACME	= acme
ZONE_TOOLS	= ca ops worker mail acmeval
zone_cgis	= $(patsubst %,cgi-bin/%.cgi,$(1))
# t/tools/: programs the shell tests use (t/78's ACME client), not tests.
TEST_TOOLS	= t/tools/acmejws
TEST_CSRCS	= $(sort $(wildcard t/*.c))
TEST_CBINS	= $(TEST_CSRCS:.c=.t)
TEMPLATES	= $(sort $(wildcard templates/*.cs templates/mail/*.cs templates/lang/*.hdf templates/lang/*/*.hdf))
SCHEMA		= $(sort $(wildcard schema/*.sql))
MAN5		= $(sort $(wildcard man/*.5))
MAN8		= $(sort $(wildcard man/*.8))
MAN7		= $(sort $(wildcard man/*.7))

.PHONY: all install uninstall run start start-worker stop status check check-clean check-guide check-asan check-build check-valgrind lint bench soak clean distclean deps

all: $(CGIS) ra.conf.sample

config.mk: config.mk.in configure
	if [ -x config.status ]; then ./config.status --recheck && ./config.status; \
	else ./configure; fi

# A plain "make" (or make install) on a server needs only conf/packages'
# build part, and names what is missing; the goals that bring up the
# local stack or its tests install the whole list first.
STACK_GOALS	= run start start-worker check check-% lint bench soak deps
DEPS		= $(if $(filter $(STACK_GOALS),$(MAKECMDGOALS)),sh conf/deps,sh conf/deps --check build)

configure: configure.ac
	$(DEPS)
	autoreconf -fi

deps:
	sh conf/deps

lib/%.o: lib/%.c lib/ra.h lib/ca.h lib/domain.h lib/web.h lib/upload.h lib/lint.h lib/acme.h lib/acmeval.h lib/acme-app.h config.mk
	$(CC) $(CPPFLAGS) $(RA_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

lib/libra.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $(LIB_OBJS)

cgi-bin/%.cgi: cgi-bin/%.c lib/libra.a
	$(CC) $(CPPFLAGS) $(RA_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(ALL_LIBS) $(EXTRA_LIBS)

# Only the worker confines itself (lib/sandbox.c), so only it links libseccomp.
cgi-bin/worker.cgi: EXTRA_LIBS = $(SECCOMP_LIBS)

t/%.t: t/%.c t/tap.h lib/libra.a
	$(CC) $(CPPFLAGS) $(RA_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(ALL_LIBS)

$(TEST_TOOLS): %: %.c lib/libra.a
	$(CC) $(CPPFLAGS) $(RA_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(ALL_LIBS)

# The sample configuration names the installed paths.
ra.conf.sample: conf/ra.conf.in config.mk
	sed -e 's|@confdir@|$(confdir)|g' -e 's|@tmpldir@|$(tmpldir)|g' \
	    -e 's|@schemadir@|$(schemadir)|g' -e 's|@localstatedir@|$(localstatedir)|g' \
	    conf/ra.conf.in > $@

# The man pages and the systemd units name the default paths; installed,
# they name the configured ones (--sysconfdir=/etc: /etc/ra).
INSTALLED_PATHS	= -e 's|/usr/local/etc/ra|$(confdir)|g' \
		  -e 's|/usr/local/libexec/ra|$(cgidir)|g' \
		  -e 's|/usr/local/share/ra|$(datadir)/ra|g' \
		  -e 's|/usr/local/var/ra|$(localstatedir)/ra|g'

install: all
	@test "$(sort $(CGIS))" = "$(sort $(call zone_cgis,$(ZONE_PUBLIC) \
	    $(ZONE_OFFICER) $(ZONE_DESK) $(ZONE_TSA) $(ZONE_OCSP) $(ZONE_ACME) $(ZONE_TOOLS)))" || \
	    { echo "Makefile: every cgi-bin program must be in exactly one ZONE_ list"; exit 1; }
	$(INSTALL) -d $(DESTDIR)$(publicdir) $(DESTDIR)$(officerdir) \
	    $(DESTDIR)$(deskdir) $(DESTDIR)$(tsadir) $(DESTDIR)$(ocspdir) \
	    $(DESTDIR)$(acmedir) \
	    $(DESTDIR)$(toolsdir) \
	    $(DESTDIR)$(tmpldir) \
	    $(DESTDIR)$(schemadir) $(DESTDIR)$(confdir) $(DESTDIR)$(mandir)/man5 \
	    $(DESTDIR)$(mandir)/man7 $(DESTDIR)$(mandir)/man8
	$(INSTALL) -m 0755 $(call zone_cgis,$(ZONE_PUBLIC)) $(DESTDIR)$(publicdir)
	$(INSTALL) -m 0755 $(call zone_cgis,$(ZONE_OFFICER)) $(DESTDIR)$(officerdir)
	$(INSTALL) -m 0755 $(call zone_cgis,$(ZONE_DESK)) $(DESTDIR)$(deskdir)
	$(INSTALL) -m 0755 $(call zone_cgis,$(ZONE_TSA)) $(DESTDIR)$(tsadir)
	$(INSTALL) -m 0755 $(call zone_cgis,$(ZONE_OCSP)) $(DESTDIR)$(ocspdir)
	$(INSTALL) -m 0755 $(call zone_cgis,$(ZONE_ACME)) $(DESTDIR)$(acmedir)
	$(INSTALL) -m 0755 $(call zone_cgis,$(ZONE_TOOLS)) $(DESTDIR)$(toolsdir)
	$(INSTALL) -d $(DESTDIR)$(tmpldir)/mail $(DESTDIR)$(tmpldir)/lang/ja \
	    $(DESTDIR)$(tmpldir)/lang/en
	$(INSTALL) -m 0644 $(wildcard templates/*.cs) $(DESTDIR)$(tmpldir)
	$(INSTALL) -m 0644 $(wildcard templates/mail/*.cs) $(DESTDIR)$(tmpldir)/mail
	$(INSTALL) -m 0644 $(wildcard templates/lang/*.hdf) $(DESTDIR)$(tmpldir)/lang
	$(INSTALL) -m 0644 $(wildcard templates/lang/ja/*.hdf) $(DESTDIR)$(tmpldir)/lang/ja
	$(INSTALL) -m 0644 $(wildcard templates/lang/en/*.hdf) $(DESTDIR)$(tmpldir)/lang/en
	$(INSTALL) -m 0644 $(SCHEMA) $(DESTDIR)$(schemadir)
	$(INSTALL) -m 0644 ra.conf.sample conf/httpd-ra.conf conf/httpd-tsa.conf \
	    conf/httpd-ocsp.conf conf/httpd-pub.conf \
	    conf/httpd-acme.conf \
	    $(DESTDIR)$(confdir)
	for f in $(MAN5) $(MAN7) $(MAN8); do \
	    sed $(INSTALLED_PATHS) "$$f" >$(DESTDIR)$(mandir)/man$${f##*.}/$${f##*/} && \
	    chmod 0644 $(DESTDIR)$(mandir)/man$${f##*.}/$${f##*/} || exit 1; done
	$(INSTALL) -d $(DESTDIR)$(sbindir)
	sed $(INSTALLED_PATHS) conf/ra-setup >$(DESTDIR)$(sbindir)/ra-setup && \
	    chmod 0755 $(DESTDIR)$(sbindir)/ra-setup
	$(INSTALL) -m 0644 conf/zones $(DESTDIR)$(datadir)/ra/zones
	sed $(INSTALLED_PATHS) conf/crontab >$(DESTDIR)$(datadir)/ra/crontab && \
	    chmod 0644 $(DESTDIR)$(datadir)/ra/crontab
	$(INSTALL) -d $(DESTDIR)$(systemddir)
	for f in $(UNITS); do \
	    sed $(INSTALLED_PATHS) "$$f" >$(DESTDIR)$(systemddir)/$${f##*/} && \
	    chmod 0644 $(DESTDIR)$(systemddir)/$${f##*/} || exit 1; done
	$(INSTALL) -d -m 0755 $(DESTDIR)$(ckptdir) $(DESTDIR)$(crldir)
	$(INSTALL) -d -m 0700 $(DESTDIR)$(keydir) $(DESTDIR)$(auditdir)
	if [ "$$(id -u)" -eq 0 ] && id ra-worker >/dev/null 2>&1; then \
	    chown ra-worker $(DESTDIR)$(ckptdir) $(DESTDIR)$(crldir) \
	        $(DESTDIR)$(keydir) $(DESTDIR)$(auditdir); fi

uninstall:
	rm -f $(addprefix $(DESTDIR)$(publicdir)/,$(notdir $(call zone_cgis,$(ZONE_PUBLIC))))
	rm -f $(addprefix $(DESTDIR)$(officerdir)/,$(notdir $(call zone_cgis,$(ZONE_OFFICER))))
	rm -f $(addprefix $(DESTDIR)$(deskdir)/,$(notdir $(call zone_cgis,$(ZONE_DESK))))
	rm -f $(addprefix $(DESTDIR)$(tsadir)/,$(notdir $(call zone_cgis,$(ZONE_TSA))))
	rm -f $(addprefix $(DESTDIR)$(ocspdir)/,$(notdir $(call zone_cgis,$(ZONE_OCSP))))
	rm -f $(addprefix $(DESTDIR)$(acmedir)/,$(notdir $(call zone_cgis,$(ZONE_ACME))))
	rm -f $(addprefix $(DESTDIR)$(toolsdir)/,$(notdir $(call zone_cgis,$(ZONE_TOOLS))))
	rm -f $(patsubst templates/%,$(DESTDIR)$(tmpldir)/%,$(TEMPLATES))
	rm -f $(addprefix $(DESTDIR)$(schemadir)/,$(notdir $(SCHEMA)))
	rm -f $(DESTDIR)$(confdir)/ra.conf.sample $(DESTDIR)$(confdir)/httpd-ra.conf \
	    $(DESTDIR)$(confdir)/httpd-tsa.conf $(DESTDIR)$(confdir)/httpd-ocsp.conf \
	    $(DESTDIR)$(confdir)/httpd-pub.conf $(DESTDIR)$(confdir)/httpd-acme.conf
	rm -f $(addprefix $(DESTDIR)$(mandir)/man5/,$(notdir $(MAN5)))
	rm -f $(addprefix $(DESTDIR)$(mandir)/man7/,$(notdir $(MAN7)))
	rm -f $(addprefix $(DESTDIR)$(mandir)/man8/,$(notdir $(MAN8)))
	rm -f $(addprefix $(DESTDIR)$(systemddir)/,$(notdir $(UNITS)))
	rm -f $(DESTDIR)$(sbindir)/ra-setup $(DESTDIR)$(datadir)/ra/zones \
	    $(DESTDIR)$(datadir)/ra/crontab

# The local stack runs the installed tree under $(VAR)/root, as an
# administrator's install would, so "make run" also exercises "make install".
STACK_ENV	= RA_ROOT=$(VAR)/root RA_CGIDIR=$(VAR)/root$(cgidir) \
		  RA_TOOLSDIR=$(VAR)/root$(toolsdir) RA_DESKDIR=$(VAR)/root$(deskdir) \
		  RA_TMPLDIR=$(VAR)/root$(tmpldir) RA_SCHEMADIR=$(VAR)/root$(schemadir) \
		  RA_HTTPD_CONF=$(VAR)/root$(confdir)/httpd-ra.conf

run: deps all
	$(MAKE) install DESTDIR=$(VAR)/root
	$(STACK_ENV) sh conf/stack start $(VAR)

# Start again what of a stack "make run" made is not running, without a
# new install: the fault tests restart a killed worker or a stopped sink.
start:
	$(STACK_ENV) sh conf/stack start $(VAR)

start-worker:
	$(STACK_ENV) sh conf/stack start-worker $(VAR)

stop:
	sh conf/stack stop $(VAR)

status:
	sh conf/stack status $(VAR)

# The stack tests run two at a time (each has its own ports and
# directory), after the first two made the system users alone; those that
# drive Chromium take turns, as its certificate policy is machine-wide.
TEST_FIRST	= t/05-install.sh t/10-stack.sh
TEST_STACK	= $(filter-out $(TEST_FIRST),$(sort $(wildcard t/[0-9]*.sh)))
TEST_BROWSER	= $(shell grep -l chromium t/[0-9]*.sh | tr '\n' ',' | sed 's/,$$//')
check: deps all $(TEST_CBINS)
	prove -e '' $(sort $(TEST_CBINS)) $(TEST_FIRST)
	prove -e '' -j2 --rules='seq=t/{$(subst t/,,$(TEST_BROWSER))}' \
	    --rules='par=**' $(TEST_STACK)
	$(MAKE) lint
	$(MAKE) check-build
	$(MAKE) check-asan
	$(MAKE) check-fuzz

# cppcheck, gcc -fanalyzer and clang --analyze; conf/lint.supp holds the
# findings that are not defects, each with its reason.
lint: deps config.mk
	sh conf/lint $(CPPFLAGS) $(RA_CPPFLAGS)

# The unit tests and a smoke run of the stack built with ASan and UBSan.
check-asan: deps config.mk
	sh conf/check-asan

# gcc and clang with -Werror, each program checked for PIE, full RELRO,
# stack protector and fortify (conf/check-build).
check-build: deps config.mk
	sh conf/check-build

# The integration suite's CGI runs under valgrind memcheck (slow: not part
# of make check; VG_TESTS picks the stack tests).
check-valgrind: deps config.mk
	sh conf/check-valgrind

# libFuzzer with ASan and UBSan (t/fuzz/fuzz.mk builds, conf/fuzz runs):
#   make fuzz		each target in t/fuzz/ for FUZZ_SECONDS (60), FUZZ_JOBS
#			(2) at a time, from its corpus in fuzz-build/corpus/;
#			prints executions, exec/s, corpus, coverage, crashes
#			per target; a crash fails it, its input left in
#			fuzz-build/out/NAME/
#   make check-fuzz	the smoke run of "make check": every committed corpus
#			and regression input (t/fuzz/corpus/, t/fuzz/regress/)
#			replayed, then each target for 10 s
include t/fuzz/fuzz.mk

# The same "make check", in a minimal Debian 12 root with nothing but make and
# git installed by hand, on the committed HEAD (.ci/clean-room; needs root).
check-clean:
	sh .ci/clean-room check

# ra(7)'s install steps, word for word, twice, in a bare Debian 12 with
# its own apache2 and postgresql, then an officer's first certificate
# (.ci/clean-room guide, t/tools/guide-test; needs root, about 10 minutes).
check-guide:
	sh .ci/clean-room guide

BENCH_TOOLS	= bench/mkreq bench/mkcrl
$(BENCH_TOOLS): %: %.c lib/libra.a
	$(CC) $(CPPFLAGS) $(RA_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(ALL_LIBS)

# Every figure of issue 16 on one private stack, each the median of
# BENCH_RUNS (5) runs next to its baseline of the same run: one table on
# standard output and as TSV in $(VAR)/bench/ (bench/run, bench/README).
bench: deps all $(BENCH_TOOLS)
	BENCH_OUT=$(VAR)/bench sh bench/run

# A bounded mixed load on a private stack for SOAK_SECONDS (ten minutes),
# then its assertions: every answer as expected, every row issued, RSS flat,
# no mail lost or doubled, audit-verify intact.  It prints the figures and
# keeps them in $(VAR)/soak/*.tsv; too long for "make check" (bench/soak.sh).
SOAK_SECONDS	?= 600
soak: deps all
	SOAK_SECONDS=$(SOAK_SECONDS) SOAK_OUT=$(VAR)/soak sh bench/soak.sh

clean:
	rm -f lib/*.o lib/libra.a $(CGIS) t/*.t $(TEST_TOOLS) ra.conf.sample $(BENCH_TOOLS)

distclean: clean
	rm -rf config.mk config.h config.log config.status autom4te.cache configure config.h.in config.h.in~

# For the tests: print a variable as make sees it (make -s print-cgidir).
print-%:
	@echo '$($*)'

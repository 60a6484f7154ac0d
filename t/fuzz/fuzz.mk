# t/fuzz/fuzz.mk: the libFuzzer build, included by the Makefile.  Its own
# object directory ($(FUZZ_DIR), not the tree's lib/*.o): lib/ compiled by
# clang with -fsanitize=fuzzer-no-link,address,undefined, each target
# t/fuzz/NAME.c linked with -fsanitize=fuzzer,address,undefined into
# $(FUZZ_DIR)/fuzz-NAME, against the system ClearSilver, libpq, OpenSSL.
# conf/fuzz runs them ("make fuzz", "make check-fuzz").

FUZZ_CC		= clang
FUZZ_DIR	= fuzz-build
FUZZ_SECONDS	?= 60
FUZZ_JOBS	?= 2
FUZZ_SAN	= -fsanitize=address,undefined -fno-sanitize-recover=undefined \
		  -fno-omit-frame-pointer
FUZZ_CFLAGS	= -std=c11 $(WARN) -O1 -g $(FUZZ_SAN)
FUZZ_SRCS	= $(sort $(wildcard t/fuzz/*.c))
FUZZ_BINS	= $(patsubst t/fuzz/%.c,$(FUZZ_DIR)/fuzz-%,$(FUZZ_SRCS))
FUZZ_OBJS	= $(patsubst lib/%.c,$(FUZZ_DIR)/lib/%.o,$(LIB_SRCS))

.PHONY: fuzz check-fuzz fuzz-bins fuzz-clean

$(FUZZ_DIR)/lib/%.o: lib/%.c lib/ra.h lib/ca.h lib/domain.h lib/web.h lib/upload.h lib/lint.h lib/acme.h lib/acmeval.h config.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(RA_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/libra.a: $(FUZZ_OBJS)
	rm -f $@
	ar rcs $@ $(FUZZ_OBJS)

$(FUZZ_DIR)/fuzz-%: t/fuzz/%.c t/fuzz/fuzz.h $(FUZZ_DIR)/libra.a
	$(FUZZ_CC) $(CPPFLAGS) $(RA_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
	    $(FUZZ_DIR)/libra.a $(CS_LIBS) $(PQ_LIBS) $(SSL_LIBS) $(ZIP_LIBS) $(LIBS)

fuzz-bins: $(FUZZ_BINS)

fuzz: deps config.mk
	$(MAKE) -s -j$(FUZZ_JOBS) fuzz-bins
	FUZZ_DIR=$(FUZZ_DIR) FUZZ_JOBS=$(FUZZ_JOBS) sh conf/fuzz run $(FUZZ_SECONDS)

check-fuzz: deps config.mk
	$(MAKE) -s -j$(FUZZ_JOBS) fuzz-bins
	FUZZ_DIR=$(FUZZ_DIR) FUZZ_JOBS=$(FUZZ_JOBS) sh conf/fuzz smoke 10

fuzz-clean:
	rm -rf $(FUZZ_DIR)
clean: fuzz-clean

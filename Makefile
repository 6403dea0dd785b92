# certstream.h - build, test, fuzz, bench. `make help` lists the targets.
CC      ?= cc
CXX     ?= c++
CLANG   ?= clang
PY      ?= /usr/bin/python3
OPT     ?= -O2 -g
WARN     = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wconversion -Werror
CFLAGS  ?= -std=c99 $(OPT) $(WARN)
SAN     ?=
B       ?= build
LDLIBS  ?= -lbearssl

TEST_C   = $(wildcard tests/test_*.c)
TEST_BIN = $(patsubst tests/%.c,$(B)/%,$(TEST_C))
TEST_SCR = $(wildcard tests/test_*.sh tests/test_*.py)

.PHONY: all help test check asan ubsan sanitize cxx freestanding nosimd link \
        symbols musl musl-static matrix firmware examples fuzz fuzz-smoke \
        afl bench bench-inflate bench-match demo soak soak-state clean

all: $(B)/cs-extract $(B)/certstream examples

EXAMPLES = $(patsubst examples/%.c,$(B)/examples/%,$(wildcard examples/*.c))
examples: $(EXAMPLES)
$(B)/examples/%: examples/%.c certstream.h
	@mkdir -p $(B)/examples
	$(CC) $(CFLAGS) $(SAN) -o $@ $< $(LDLIBS)

help:
	@echo "make              build/cs-extract"
	@echo "make test         unit, split, conformance, differential tests"
	@echo "make check        test + asan + ubsan + nosimd + cxx + freestanding + link + symbols + musl + fuzz-smoke"
	@echo "make asan|ubsan   the tests under AddressSanitizer / UBSan (clang)"
	@echo "make sanitize     both in one build (what CI runs)"
	@echo "make fuzz         libFuzzer for FUZZ_SECONDS (default 60) per target"
	@echo "make bench        throughput vs memchr, simdjson, yajl; the CT decoders"
	@echo "make bench-inflate  gzip decoding vs zlib on CT data"
	@echo "make bench-match  watchlist names/s for 1..100,000 patterns"
	@echo "make demo         cs-extract on a generated feed"

$(B)/cs-extract: tools/cs_extract.c certstream.h
	@mkdir -p $(B)
	$(CC) $(CFLAGS) $(SAN) -o $@ tools/cs_extract.c

$(B)/certstream: examples/certstream.c certstream.h
	@mkdir -p $(B)
	$(CC) $(CFLAGS) $(SAN) -o $@ examples/certstream.c $(LDLIBS)

$(B)/test_%: tests/test_%.c tests/test.h tests/util.h $(wildcard tests/ref_*.h) certstream.h
	@mkdir -p $(B)
	$(CC) $(CFLAGS) $(SAN) -o $@ $< -lm $(LDLIBS)

# what [1h] reads from certificates, for tests/test_der_diff.py
$(B)/der_dump: tests/der_dump.c certstream.h
	@mkdir -p $(B)
	$(CC) $(CFLAGS) $(SAN) -o $@ tests/der_dump.c

test: $(B)/cs-extract $(B)/certstream $(B)/der_dump $(B)/examples/ct_follow $(TEST_BIN)
	@CS_BUILD=$(B) bash tests/run.sh $(TEST_BIN) $(TEST_SCR)

# Sanitizers: the C tests, built by clang into their own folder, and the
# scripts that drive the client binary through every protocol and TLS
# path (the regression replay builds its own sanitizer variants, and the
# long network runs stay in `make test`).
SANFLAGS = -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_SCR = tests/test_ws_conformance.py tests/test_tls.py \
          tests/test_cs_extract.sh
asan:
	$(MAKE) test CC=$(CLANG) B=build/asan OPT="-O1 -g" \
	    SAN="-fsanitize=address $(SANFLAGS)" TEST_SCR="$(SAN_SCR)"
ubsan:
	$(MAKE) test CC=$(CLANG) B=build/ubsan OPT="-O1 -g" \
	    SAN="-fsanitize=undefined,integer -fno-sanitize=unsigned-integer-overflow,unsigned-shift-base $(SANFLAGS)" \
	    TEST_SCR="$(SAN_SCR)"

# Both in one build, as CI runs them (one pass instead of two).
sanitize:
	$(MAKE) test CC=$(CLANG) B=build/san OPT="-O1 -g" \
	    SAN="-fsanitize=address,undefined,integer -fno-sanitize=unsigned-integer-overflow,unsigned-shift-base $(SANFLAGS)" \
	    TEST_SCR="$(SAN_SCR)"

# The portable (no SSE2) string scanner, tested like the default one.
nosimd:
	$(MAKE) test B=build/nosimd OPT="-O2 -g -DCS_NO_SIMD -DCS_NO_INT128" \
	    TEST_SCR="tests/test_conformance.py tests/test_diff_python.py \
	    tests/test_cs_extract.sh tests/test_ws_conformance.py"

# The implementation compiles as C++11, warning-clean.
cxx: tests/compile_cxx.cpp certstream.h
	@mkdir -p build
	$(CXX) -std=c++11 -O2 -Wall -Wextra -Wpedantic -Werror \
	    -o build/compile_cxx tests/compile_cxx.cpp $(LDLIBS)
	./build/compile_cxx

# One implementing file plus declaration-only users; and two private
# CERTSTREAM_STATIC copies with different limits in one program.
link:
	@mkdir -p build
	$(CC) $(CFLAGS) -o build/two_tu tests/two_tu_a.c tests/two_tu_b.c $(LDLIBS)
	./build/two_tu
	$(CC) $(CFLAGS) -o build/static_ab tests/static_a.c tests/static_b.c $(LDLIBS)
	./build/static_ab
	$(CC) $(CFLAGS) -DCS_NO_ERROR_STRINGS -DCS_NO_SIMD -o build/two_tu_nostr \
	    tests/impl.c tests/two_tu_b.c $(LDLIBS)
	./build/two_tu_nostr
	$(CC) $(CFLAGS) -DCERTSTREAM_NO_TLS -o build/certstream-notls \
	    examples/certstream.c
	./build/certstream-notls --url wss://example.org/ 2>&1 \
	    | grep -q 'needs TLS'
	@echo "notls: OK (ws:// only, no BearSSL linked; wss:// refused)"

# The implementation exports exactly the public API and keeps no writable
# data (no globals, no statics that change; .data.rel.ro holds constant
# tables of pointers, read-only once relocated).
symbols:
	@mkdir -p build
	$(CC) -std=c99 -O2 -c -o build/impl.o tests/impl.c
	nm -g --defined-only build/impl.o | awk '{print $$3}' | sort \
	    | diff -u tests/exported-symbols.txt -
	@if objdump -t build/impl.o | awk '$$4 ~ /^(\.data|\.bss|\*COM\*)/ \
	    && $$4 !~ /^\.data\.rel\.ro/' | grep .; then \
	    echo "symbols: writable data above"; exit 1; fi
	@echo "symbols: OK"

# The certstream command as a fully static musl binary (BearSSL and musl
# built from Debian's sources), under 320 KiB, with end-to-end TLS checks.
musl-static:
	bash tools/musl_static.sh $${MUSL_STATIC_SUITE:+--suite}

# The firmware build: POSIX off, TLS on, for a Cortex-M4 (fw/README.md).
firmware:
	bash fw/build.sh

# Every switch combination compiles, with gcc, clang and g++.
matrix:
	bash tools/matrix.sh

# Static binaries with musl, as firmware and small tools build them.
musl:
	@mkdir -p build/musl
	musl-gcc -std=c99 -O2 -static -Wall -Wextra -Werror \
	    -o build/musl/cs-extract tools/cs_extract.c
	musl-gcc -std=c99 -O2 -static -Wall -Wextra -Werror \
	    -o build/musl/json_only examples/json_only.c
	file build/musl/cs-extract build/musl/json_only | tee build/musl/file.txt
	@grep -c 'statically linked' build/musl/file.txt | grep -qx 2
	printf '{"message_type":"dns_entries","data":["a.example"]}\n' \
	    | build/musl/cs-extract | grep -q '"domains":\["a.example"\]'
	@echo "musl: OK (static, and it runs)"

# The core needs no libc: hooks given, -ffreestanding, no SIMD headers.
freestanding: tests/freestanding.c certstream.h
	@mkdir -p build
	$(CC) -std=c99 -O2 -ffreestanding -nostdlib \
	    -fno-tree-loop-distribute-patterns -Wall -Wextra -Wpedantic \
	    -Werror -c -o build/freestanding.o tests/freestanding.c
	@if nm build/freestanding.o | grep -E ' U ' ; then \
	    echo "freestanding: undefined symbols above"; exit 1; fi
	@echo "freestanding: OK (no undefined symbols)"

fuzz:
	bash fuzz/run.sh fuzz $${FUZZ_SECONDS:-60}
# A longer soak than the test run's (SOAK_SECONDS, default 300).
soak: $(B)/certstream
	SOAK_SECONDS=$${SOAK_SECONDS:-300} CS_BUILD=$(B) /usr/bin/python3 \
	    tests/test_soak.py

# --state under kill -9: STATE_ROUNDS rounds (the test run's: 10).
soak-state: $(B)/certstream
	STATE_ROUNDS=$${STATE_ROUNDS:-100} CERTSTREAM=$(B)/certstream \
	    /usr/bin/python3 tests/test_state.py

fuzz-smoke:
	bash fuzz/run.sh fuzz $${FUZZ_SECONDS:-20}
afl:
	bash fuzz/afl.sh

bench: bench-match
	bash bench/run.sh
	@mkdir -p $(B) && $(CC) -std=c99 -O2 -DCERTSTREAM_NO_TLS -o $(B)/bench_ct bench/bench_ct.c && $(B)/bench_ct
	@mkdir -p $(B) && $(CC) -std=c99 -O2 -g -o $(B)/bench_jtok bench/bench_jtok.c && $(B)/bench_jtok
	$(MAKE) $(B)/examples/ct_follow && CS_BUILD=$(B) $(PY) bench/verify_cost.py 16384 3
	@if [ -f bench/e2e.sh ]; then bash bench/e2e.sh; fi
	$(CC) -std=c99 -O2 -o $(B)/bench_der bench/bench_der.c && $(B)/bench_der
	$(MAKE) bench-inflate

# gzip: cs_inflate vs zlib (when zlib.h is there) on a CT data tile and the
# log list, gzipped by Python at level 6 (bench/bench_inflate.c).
CT = ../shared/ct
bench-inflate: bench/bench_inflate.c certstream.h
	@if [ ! -f $(CT)/navigli2025h2/tile/data/000 ]; then \
	    echo "bench-inflate: SKIPPED ($(CT) is absent)"; exit 0; fi; \
	mkdir -p $(B)/bench/inflate && \
	$(PY) -c 'import gzip, sys; [open(sys.argv[1] + "/" + o, "wb").write(gzip.compress(open(i, "rb").read(), 6)) for i, o in zip(sys.argv[2::2], sys.argv[3::2])]' \
	    $(B)/bench/inflate $(CT)/navigli2025h2/tile/data/000 tile000.gz \
	    $(CT)/loglist/log_list.json log_list.json.gz && \
	z=$$([ -f /usr/include/zlib.h ] && echo "-DBENCH_ZLIB -lz"); \
	$(CC) -std=c99 -O2 -g -Wall -Wextra -o $(B)/bench/bench_inflate \
	    bench/bench_inflate.c $$z && \
	$(B)/bench/bench_inflate $(B)/bench/inflate/tile000.gz \
	    $(B)/bench/inflate/log_list.json.gz

# The watchlist matcher: names/s against 1..100,000 patterns of each kind.
bench-match: bench/bench_match.c certstream.h
	@mkdir -p $(B)/bench
	$(CC) -std=c99 -O2 -g -Wall -Wextra -o $(B)/bench/bench_match \
	    bench/bench_match.c
	$(B)/bench/bench_match

demo: $(B)/cs-extract
	bash tools/demo.sh

check: test asan ubsan cxx freestanding nosimd link symbols musl musl-static \
       matrix examples fuzz-smoke

clean:
	rm -rf build

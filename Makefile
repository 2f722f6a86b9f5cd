# lrf - learning-rate range test as a suite of small programs.
# make; make check; make install PREFIX=/usr/local DESTDIR=; make deps

# The version every program answers to --version, and that command.sh
# and suggestion.json name: this line only.
VERSION	 = 0.1.0

PREFIX	?= /usr/local
BINDIR	 = $(PREFIX)/bin
MANDIR	 = $(PREFIX)/share/man
# lrf.py, the Python module of trainers of one's own (lrf(7)): a fixed
# data directory, not a site-packages one (which depends on the Python
# version and the distribution's layout); lrf-find puts it on the
# trainer's PYTHONPATH, elsewhere PYTHONPATH=$(PYDIR).
PYDIR	 = $(PREFIX)/share/lrf/python
# bash-completion loads a command's completion from a file of its name
COMPDIR	 = $(PREFIX)/share/bash-completion/completions

CC	?= cc
CFLAGS	?= -O2 -g
WARN	 = -Wall -Wextra
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -DLRF_VERSION=\"$(VERSION)\" -iquote lib
LDLIBS	 = -lyaml -lopenblas -lturbojpeg -lspng -ldeflate -lz -ljansson -lcrypto -lm -lpthread
ALL_CFLAGS = -std=c11 $(WARN) -fno-math-errno $(CFLAGS) -MMD -MP

# make check SANITIZE=1: AddressSanitizer and UBSan; any finding fails the
# program (undefined behaviour does not just print and go on).
ifdef SANITIZE
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all
LDFLAGS	+= -fsanitize=address,undefined
SAN_ENV	 = ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86 \
	   UBSAN_OPTIONS=print_stacktrace=1:exitcode=87
endif

LIB_SRC	 = $(wildcard lib/*.c)
LIB_OBJ	 = $(LIB_SRC:.c=.o)
PROGS	 = $(patsubst %.c,%,$(wildcard cmd/lrf-*.c))
UNIT	 = $(patsubst %.c,%.t,$(wildcard tests/unit/*.c))
TOOLS	 = tests/curvecmp tests/blasinfo tests/mkimages
MAN	 = $(wildcard man/*.[1-9])

# Data-parallel lrf-train (lib/dist.h): lrf-train-mpi is lrf-train linked
# with lib/mpi/dist.c by mpicc, built only where mpicc is; lrf-train itself
# never links libmpi, and execs its -mpi twin when a launcher starts it as
# one of several processes.
MPICC	?= mpicc
HAVE_MPI := $(shell command -v $(MPICC) >/dev/null 2>&1 && echo yes)
ifeq ($(HAVE_MPI),yes)
MPI_PROGS = cmd/lrf-train-mpi
else
MPI_PROGS =
$(info make: no $(MPICC): building lrf-train without MPI (no lrf-train-mpi; install libopenmpi-dev for data-parallel runs))
endif

# Debian packages the suite builds, runs and tests with (time and strace:
# tests/cmd/longstream.t measures peak memory, faults.t watches fsync;
# jansson parses the JSON header of safetensors files; libturbojpeg and
# libspng decode image folders; libdeflate inflates gzip'd IDX files;
# libcrypto (libssl-dev) hashes a run's data for its fingerprint;
# python3 runs the tests of lib/python/lrf.py, standard library only;
# locales holds the sources from which tests/cmd/locale.t makes a
# decimal-comma locale with localedef).
DEBS	 = build-essential libyaml-dev libopenblas-dev zlib1g-dev libdeflate-dev \
	   libssl-dev \
	   libjansson-dev libturbojpeg0-dev libspng-dev gnuplot-nox perl \
	   mandoc jq dataset-fashion-mnist time strace python3 locales \
	   openmpi-bin libopenmpi-dev parallel slurm-wlm munge

all: $(PROGS) $(MPI_PROGS) lib/completion/lrf.bash

# The bash completion, made from every program's -h (options, and the
# values of those whose description lists them), so it cannot drift.
lib/completion/lrf.bash: $(PROGS) lib/completion/mkcomplete
	sh lib/completion/mkcomplete $(PROGS) > $@.$$$$ && mv -f $@.$$$$ $@

# The flags of the last build: when they change (SANITIZE=1, other CFLAGS)
# everything is rebuilt, so a sanitized and a plain build never mix objects.
# It is remade only when they differ from those it holds, so that an
# up-to-date build is one to make -q all too (tests/cmd/readme.t asks).
BUILD_FLAGS = $(CC) $(ALL_CFLAGS) $(CPPFLAGS) $(LDFLAGS) $(LDLIBS)
ifneq ($(strip $(BUILD_FLAGS)),$(strip $(shell cat .build-flags 2>/dev/null)))
.build-flags: FORCE
endif
.build-flags:
	@echo '$(BUILD_FLAGS)' > $@.$$$$ && mv -f $@.$$$$ $@
$(LIB_OBJ) $(PROGS) $(MPI_PROGS) lib/mpi/dist.o $(UNIT) $(TOOLS): .build-flags
FORCE:

# Every output is written under a temporary name and renamed, so that an
# interrupted or concurrent build never leaves a half-written file; -MT
# names the real target in the dependency file.
lib/%.o: lib/%.c
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -MF lib/$*.d -MT $@ -c -o $@.$$$$ $< && mv -f $@.$$$$ $@

# The elementwise loops of the network core (and the image resample's
# integer rows) are written to be vectorised; gcc -O2 does so only when
# asked (and without trapping math, which lets it if-convert relu and
# friends).  The results are the same IEEE operations.
lib/net.o lib/netact.o lib/netpass.o lib/netres.o lib/opt.o lib/conv.o lib/img.o: \
	ALL_CFLAGS += -ftree-vectorize -fno-trapping-math

lib/liblrf.a: $(LIB_OBJ)
	$(AR) rcs $@.$$$$ $(LIB_OBJ) && mv -f $@.$$$$ $@

cmd/lrf-%: cmd/lrf-%.c lib/liblrf.a
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -MF cmd/lrf-$*.d -MT $@ $(LDFLAGS) -o $@.$$$$ $< lib/liblrf.a $(LDLIBS) && mv -f $@.$$$$ $@

lib/mpi/dist.o: lib/mpi/dist.c
	$(MPICC) $(ALL_CFLAGS) $(CPPFLAGS) -MF lib/mpi/dist.d -MT $@ -c -o $@.$$$$ $< && mv -f $@.$$$$ $@

# lib/mpi/dist.o first: its dist_* are the ones linked, liblrf.a's dist.o
# (one process) is then never pulled in.
cmd/lrf-train-mpi: cmd/lrf-train.c lib/mpi/dist.o lib/liblrf.a
	$(MPICC) $(ALL_CFLAGS) $(CPPFLAGS) -MF cmd/lrf-train-mpi.d -MT $@ $(LDFLAGS) -o $@.$$$$ $< lib/mpi/dist.o lib/liblrf.a $(LDLIBS) && mv -f $@.$$$$ $@

tests/unit/%.t: tests/unit/%.c lib/liblrf.a
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -MF tests/unit/$*.d -MT $@ -iquote tests $(LDFLAGS) -o $@.$$$$ $< lib/liblrf.a $(LDLIBS) && mv -f $@.$$$$ $@

# The suite's own tools: curvecmp compares two loss curves up to where
# they stop being comparable (tests/curve.h), blasinfo names the OpenBLAS
# kernel in use (tests/kernels).
tests/%: tests/%.c lib/liblrf.a
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -MF tests/$*.d -MT $@ -iquote tests $(LDFLAGS) -o $@.$$$$ $< lib/liblrf.a $(LDLIBS) && mv -f $@.$$$$ $@

check: all $(UNIT) $(TOOLS)
	$(SAN_ENV) prove -e '' $(UNIT) $(wildcard tests/cmd/*.t)

# make check (and make crosscheck where torch is installed) under every
# OpenBLAS kernel this CPU can run, and one BLAS thread: one line each.
check-kernels: all $(UNIT) $(TOOLS)
	sh tests/kernels

# Every unit test, the hostile-input table and a representative run of
# every program under valgrind (a plain build: valgrind and ASan do not mix).
memcheck: all $(UNIT)
	sh tests/memcheck/run $(UNIT)
check-valgrind: memcheck

# cppcheck and clang-tidy (.clang-tidy says which checks and why), one
# file at a time, the static analyzer function by function.
lint:
	cppcheck -q --std=c11 --enable=warning,portability,performance \
		--inline-suppr --error-exitcode=1 -D_POSIX_C_SOURCE=200809L \
		-DLRF_VERSION=\"$(VERSION)\" \
		-Ilib lib cmd
	@st=0; for f in lib/*.c cmd/*.c; do \
		out=$$(clang-tidy -quiet $$f -- -std=c11 $(CPPFLAGS) -Xclang \
		    -analyzer-config -Xclang ipa=none 2>&1) || st=1; \
		printf '%s\n' "$$out" | grep -v '^[0-9]* warnings generated\.$$' \
		    || true; \
	done; exit $$st

# libFuzzer harnesses (clang), ASan+UBSan, FUZZ_SECONDS each.
FUZZ_SECONDS ?= 60
FUZZ_CC	 = clang
FUZZ_CFLAGS = -std=c11 $(WARN) -g -O1 -fno-omit-frame-pointer \
	   -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OBJ = $(patsubst lib/%.c,tests/fuzz/obj/%.o,$(LIB_SRC))
FUZZERS	 = $(patsubst tests/fuzz/fuzz_%.c,tests/fuzz/fuzz-%, \
	   $(wildcard tests/fuzz/fuzz_*.c))

tests/fuzz/obj/%.o: lib/%.c
	@mkdir -p tests/fuzz/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(CPPFLAGS) \
		-MMD -MP -MF tests/fuzz/obj/$*.d -c -o $@ $<

tests/fuzz/fuzz-%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(CPPFLAGS) \
		-MMD -MP -MF tests/fuzz/fuzz-$*.d -o $@ $< $(FUZZ_OBJ) $(LDLIBS)

fuzz:
	@sh tests/fuzz/run -c $(FUZZ_CC)
	$(MAKE) $(FUZZERS)
	sh tests/fuzz/run -t $(FUZZ_SECONDS) $(FUZZERS)

deps:
	@missing=$$($(MAKE) -s --no-print-directory deps-missing); \
	if [ -z "$$missing" ]; then echo "deps: all installed"; exit 0; fi; \
	echo "deps: installing $$missing"; \
	sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	$$sudo apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing

# The packages of DEBS not installed, one a line (none: make deps has
# nothing to do).
deps-missing:
	@for p in $(DEBS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(PYDIR)
	cp $(PROGS) $(MPI_PROGS) $(DESTDIR)$(BINDIR)/
	cp lib/python/lrf.py $(DESTDIR)$(PYDIR)/
	for m in $(MAN); do \
		s=$${m##*.}; cp $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	mkdir -p $(DESTDIR)$(COMPDIR)
	for p in $(PROGS); do \
		cp lib/completion/lrf.bash $(DESTDIR)$(COMPDIR)/$${p##*/}; done

# Speed figures and the PyTorch cross-check (need python3-torch: not part of check).
bench: all
	sh bench/run
	sh bench/cnn
	sh bench/streams
	sh bench/rangetest
	sh bench/mpi
	sh bench/resnet
	sh bench/dnnl

# examples/slurm/ on a one-node Slurm started and stopped here (munged,
# slurmctld, slurmd; skipped with the reason when they cannot start).
check-slurm: all $(TOOLS)
	prove -e '' tests/slurm/check

# Data-parallel lrf-train alone: steps/s for 1 and 2 processes, and the
# model of the step time at 8, 64 and 512 (bench/mpi).
bench-mpi: all
	sh bench/mpi

crosscheck: all $(TOOLS)
	sh bench/crosscheck

# How good the suggestions are (bench/quality/README): regret of every
# rule on measured landscapes.  Cached in bench/quality/cache; seeded
# from ../shared/quality when it is there.  Not part of check.
quality: all
	sh bench/quality/run

lint-man:
	mandoc -Tlint -Wwarning $(MAN)

clean:
	rm -f lib/*.o lib/*.d lib/liblrf.a $(PROGS) cmd/*.d lib/completion/lrf.bash \
		lib/mpi/*.o lib/mpi/*.d cmd/lrf-train-mpi \
		tests/unit/*.t tests/unit/*.d $(TOOLS) tests/*.d .build-flags
	rm -rf tests/fuzz/obj tests/fuzz/fuzz-[a-z]* tests/fuzz/work

.PHONY: deps-missing all check check-kernels deps install clean lint-man bench \
	crosscheck memcheck check-valgrind lint fuzz quality bench-mpi check-slurm \
	FORCE
.SECONDARY: $(LIB_OBJ) $(FUZZ_OBJ)

-include $(wildcard lib/*.d lib/mpi/*.d cmd/*.d tests/*.d tests/unit/*.d \
	tests/fuzz/obj/*.d tests/fuzz/*.d)

# lrf - learning-rate range test as a suite of small programs.
# make; make check; make install PREFIX=/usr/local DESTDIR=; make deps

PREFIX	?= /usr/local
BINDIR	 = $(PREFIX)/bin
MANDIR	 = $(PREFIX)/share/man

CC	?= cc
CFLAGS	?= -O2 -g
WARN	 = -Wall -Wextra
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -iquote lib
LDLIBS	 = -lyaml -lopenblas -lz -lm -lpthread
ALL_CFLAGS = -std=c11 $(WARN) -fno-math-errno $(CFLAGS) -MMD -MP

ifdef SANITIZE
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS	+= -fsanitize=address,undefined
endif

LIB_SRC	 = $(wildcard lib/*.c)
LIB_OBJ	 = $(LIB_SRC:.c=.o)
PROGS	 = $(patsubst %.c,%,$(wildcard cmd/lrf-*.c))
UNIT	 = $(patsubst %.c,%.t,$(wildcard tests/unit/*.c))
MAN	 = $(wildcard man/*.[1-9])

# Debian packages the suite builds, runs and tests with.
DEBS	 = build-essential libyaml-dev libopenblas-dev zlib1g-dev gnuplot-nox \
	   perl mandoc jq dataset-fashion-mnist

all: $(PROGS)

# Every output is written under a temporary name and renamed, so that an
# interrupted or concurrent build never leaves a half-written file.
lib/%.o: lib/%.c
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -MF lib/$*.d -c -o $@.$$$$ $< && mv -f $@.$$$$ $@

# The elementwise loops of the network core are written to be vectorised;
# gcc -O2 does so only when asked (and without trapping math, which lets it
# if-convert relu and friends).  The results are the same IEEE operations.
lib/net.o lib/opt.o: ALL_CFLAGS += -ftree-vectorize -fno-trapping-math

lib/liblrf.a: $(LIB_OBJ)
	$(AR) rcs $@.$$$$ $(LIB_OBJ) && mv -f $@.$$$$ $@

cmd/lrf-%: cmd/lrf-%.c lib/liblrf.a
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -MF cmd/lrf-$*.d $(LDFLAGS) -o $@.$$$$ $< lib/liblrf.a $(LDLIBS) && mv -f $@.$$$$ $@

tests/unit/%.t: tests/unit/%.c lib/liblrf.a
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -MF tests/unit/$*.d -iquote tests $(LDFLAGS) -o $@.$$$$ $< lib/liblrf.a $(LDLIBS) && mv -f $@.$$$$ $@

check: all $(UNIT)
	prove -e '' $(UNIT) $(wildcard tests/cmd/*.t)

deps:
	@missing=$$(for p in $(DEBS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "deps: all installed"; exit 0; fi; \
	echo "deps: installing $$missing"; \
	sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	$$sudo apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	cp $(PROGS) $(DESTDIR)$(BINDIR)/
	for m in $(MAN); do \
		s=$${m##*.}; cp $$m $(DESTDIR)$(MANDIR)/man$$s/; done

# Speed figures and the PyTorch cross-check (need python3-torch: not part of check).
bench: all
	sh bench/run

crosscheck: all
	sh bench/crosscheck

lint-man:
	mandoc -Tlint -Wwarning $(MAN)

clean:
	rm -f lib/*.o lib/*.d lib/liblrf.a $(PROGS) cmd/*.d \
		tests/unit/*.t tests/unit/*.d

.PHONY: all check deps install clean lint-man bench crosscheck
.SECONDARY: $(LIB_OBJ)

-include $(wildcard lib/*.d cmd/*.d tests/unit/*.d)

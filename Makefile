# obsenv - GNU Make, C17. `make`, `make check` (as root: unit + end-to-end),
# `make install` (DESTDIR, PREFIX, POLICY_PATH honoured; installs setuid root).

VERSION     := 0.1
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
SYSCONFDIR  ?= /etc
POLICY_PATH ?= $(SYSCONFDIR)/obsenv/policy.yaml
SUDO_PATH   ?= /usr/bin/sudo
BUILD       ?= build

CC      ?= cc
PKGS    := libgit2 yaml-0.1 libseccomp libcap
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))

WARN     := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wvla -Wcast-qual -Wwrite-strings -Wconversion -Wno-sign-conversion
HARDEN   := -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fstack-clash-protection \
            -fcf-protection -fPIE
OPT      ?= -O2 -g
CFLAGS   ?=
LDFLAGS  ?=
ALL_CFLAGS  := -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) $(HARDEN) $(PKG_CFLAGS) \
               -DPOLICY_PATH='"$(POLICY_PATH)"' -DSUDO_PATH='"$(SUDO_PATH)"' \
               -DOBSENV_VERSION='"$(VERSION)"' $(CFLAGS)
ALL_LDFLAGS := -pie -Wl,-z,relro,-z,now,-z,noexecstack,--as-needed $(LDFLAGS)

LIB_SRC := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/*.c)
# Tests build argv arrays from string literals.
TEST_CFLAGS := -Wno-write-strings -Wno-cast-qual -Wno-discarded-qualifiers

.PHONY: all check test unit e2e install clean deps demo
all: $(BUILD)/obsenv obsenv

obsenv: $(BUILD)/obsenv
	cp $< $@

$(BUILD)/%.o: src/%.c $(wildcard src/*.h) Makefile
	@mkdir -p $(BUILD)
	@echo "  CC $<"; $(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obsenv: $(BUILD)/main.o $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Test programs: never installed anywhere but a test prefix.
$(BUILD)/unit: $(UNIT_SRC) $(LIB_OBJ) $(wildcard tests/unit/*.h)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -Isrc $(ALL_LDFLAGS) -o $@ $(UNIT_SRC) $(LIB_OBJ) $(PKG_LIBS) -lcriterion

$(BUILD)/probe: tests/e2e/probe.c $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -Isrc $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/logsink: tests/e2e/logsink.c
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

$(BUILD)/execv0: tests/e2e/execv0.c
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

unit: $(BUILD)/unit
	$(BUILD)/unit --jobs 2

# The end-to-end suite builds its own obsenv whose compiled-in policy path
# lies in a temporary prefix, installs it setuid root there and runs it as
# real users. It must run as root.
e2e:
	bash tests/e2e/run.sh

check test: all unit e2e

install: $(BUILD)/obsenv
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 4755 $(if $(DESTDIR),,-o root -g root) $(BUILD)/obsenv $(DESTDIR)$(BINDIR)/obsenv
	install -m 0644 man/obsenv.8 $(DESTDIR)$(MANDIR)/man8/obsenv.8
	install -m 0644 man/obsenv-policy.5 $(DESTDIR)$(MANDIR)/man5/obsenv-policy.5

# Debian 12 (as root). EL9: dnf install gcc make libgit2-devel libyaml-devel
# libcap-devel libseccomp-devel criterion-devel sudo util-linux git.
DEB_PKGS := gcc make pkg-config libgit2-dev libyaml-dev libcap-dev libseccomp-dev \
            libcriterion-dev sudo util-linux git mandoc hyperfine jq
deps:
	DEBIAN_FRONTEND=noninteractive apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(DEB_PKGS)

demo: all
	bash tests/demo.sh

clean:
	rm -rf build obsenv

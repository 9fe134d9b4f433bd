# obsenv - GNU Make, C17. `make`, `make check` (as root: unit + end-to-end),
# `make install` (DESTDIR, PREFIX, POLICY_PATH honoured; installs setuid root).

VERSION     := 0.1
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR  ?= /etc
POLICY_PATH ?= $(SYSCONFDIR)/obsenv/policy.yaml
SUDO_PATH   ?= /usr/bin/sudo
BUILD       ?= build

CC      ?= cc
PKGS    := libgit2 yaml-0.1 libseccomp libcap
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
# libgit2 is not linked: git/repo.c loads it with dlopen, by soname, only for the
# actions that need it, so that rollback and status never pay for it. -pthread:
# a pull removes the trees earlier runs set aside in a thread (store/sweeper.c).
PKG_LIBS   := $(shell pkg-config --libs yaml-0.1 libcap) -ldl -pthread
# libseccomp compiles the filter at build time (src/confine/sandbox_gen.c); obsenv
# loads the compiled program and is not linked with it. The unit tests are.
SECCOMP_LIBS := $(shell pkg-config --libs libseccomp)
# The audit records also go to the journal as fields (src/door/journal.c)
# when libsystemd is there at build time; SYSTEMD=0 builds without it, and
# the records go to syslog alone, as they do on a machine without journald.
SYSTEMD ?= $(shell pkg-config --exists libsystemd && echo 1 || echo 0)
ifeq ($(SYSTEMD),1)
PKG_CFLAGS += $(shell pkg-config --cflags libsystemd) -DHAVE_SYSTEMD
PKG_LIBS   += $(shell pkg-config --libs libsystemd)
endif
GIT_SONAME := $(shell readelf -dW $$(pkg-config --variable=libdir libgit2)/libgit2.so 2>/dev/null | \
                sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')

WARN     := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wvla -Wcast-qual -Wwrite-strings -Wconversion -Wno-sign-conversion
HARDEN   := -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fstack-clash-protection \
            -fcf-protection -fPIE
OPT      ?= -O2 -g
CFLAGS   ?=
LDFLAGS  ?=
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# SAN_LOG_DIR=<dir>: an ASan+UBSan obsenv with its sanitizer options
# compiled in (tests/e2e/sanopts.c), for `make e2e-asan` only. Never install
# it anywhere but a test prefix: a sanitizer runtime in a setuid binary
# reads its options from the caller's environment before main() runs.
ifneq ($(SAN_LOG_DIR),)
OPT     := -O1 -g $(SAN)
LDFLAGS += $(SAN)
SAN_OBJ := $(BUILD)/sanopts.o
endif
ALL_CFLAGS  := -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) $(HARDEN) $(PKG_CFLAGS) \
               -DPOLICY_PATH='"$(POLICY_PATH)"' -DSUDO_PATH='"$(SUDO_PATH)"' \
               -DOBSENV_VERSION='"$(VERSION)"' -DGIT_SONAME='"$(GIT_SONAME)"' -I$(BUILD)/gen $(CFLAGS)
ALL_LDFLAGS := -pie -Wl,-z,relro,-z,now,-z,noexecstack,--as-needed $(LDFLAGS)

# src/ is in folders by layer, lowest first; a file may include its own
# folder and the folders before it, never one after (`make layers`).
LAYERS  := core policy confine door store git act
LIB_SRC := $(filter-out src/confine/sandbox_rules.c src/confine/sandbox_gen.c,$(wildcard $(LAYERS:%=src/%/*.c)))
ALL_SRC := src/main.c $(wildcard $(LAYERS:%=src/%/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/%.o)
RULES_OBJ := $(BUILD)/confine/sandbox_rules.o $(BUILD)/core/err.o $(BUILD)/core/str.o
BPF_H := $(BUILD)/gen/sandbox_bpf.h
UNIT_SRC := $(wildcard tests/unit/*.c)
# Tests build argv arrays from string literals.
TEST_CFLAGS := -Wno-write-strings -Wno-cast-qual -Wno-discarded-qualifiers

.PHONY: all check test unit e2e e2e-asan install clean deps demo demo-check lint asan valgrind hardening dist rpm rpmcheck fuzz check-fuzz layers
all: $(BUILD)/obsenv obsenv

obsenv: $(BUILD)/obsenv
	cp $< $@

# The compiled-in paths and flags: a change to any of them rebuilds
# everything, so that no object keeps an old POLICY_PATH.
FLAGS_STAMP := $(BUILD)/flags.stamp
FLAGS_NOW := $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(PKG_LIBS)
ifneq ($(file <$(FLAGS_STAMP)),$(FLAGS_NOW))
$(shell mkdir -p $(BUILD))
$(file >$(FLAGS_STAMP),$(FLAGS_NOW))
endif

# Headers are tracked by the compiler (-MMD); the layer check runs before
# anything is compiled, so a wrong-way include fails the build.
$(BUILD)/%.o: src/%.c $(FLAGS_STAMP) | $(BUILD)/layers.ok
	@mkdir -p $(dir $@)
	@echo "  CC $<"; $(CC) $(ALL_CFLAGS) -Isrc -MMD -MP -c -o $@ $<
-include $(ALL_SRC:src/%.c=$(BUILD)/%.d)

layers: $(BUILD)/layers.ok
$(BUILD)/layers.ok: tests/layers.sh $(ALL_SRC) $(wildcard $(LAYERS:%=src/%/*.h))
	@mkdir -p $(BUILD)
	bash tests/layers.sh $(LAYERS) && touch $@

$(BUILD)/obsenv: $(BUILD)/main.o $(LIB_OBJ) $(SAN_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The seccomp filter, compiled once here from src/confine/sandbox_rules.c.
$(BUILD)/sandbox_gen: $(BUILD)/confine/sandbox_gen.o $(RULES_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SECCOMP_LIBS)
$(BPF_H): $(BUILD)/sandbox_gen
	@mkdir -p $(BUILD)/gen
	$(BUILD)/sandbox_gen >$@.tmp && mv $@.tmp $@
$(BUILD)/confine/sandbox.o: $(BPF_H)

$(BUILD)/sanopts.o: tests/e2e/sanopts.c $(FLAGS_STAMP)
	@mkdir -p $(BUILD)
	$(CC) $(ALL_CFLAGS) -DSAN_LOG_DIR='"$(SAN_LOG_DIR)"' -c -o $@ $<

# Test programs: never installed anywhere but a test prefix.
$(BUILD)/unit: $(UNIT_SRC) $(LIB_OBJ) $(BUILD)/confine/sandbox_rules.o $(wildcard tests/unit/*.h)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -Isrc $(ALL_LDFLAGS) -o $@ $(UNIT_SRC) $(LIB_OBJ) \
		$(BUILD)/confine/sandbox_rules.o $(PKG_LIBS) $(SECCOMP_LIBS) -lcriterion

$(BUILD)/probe: tests/e2e/probe.c $(LIB_OBJ) $(SAN_OBJ)
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

# The same suite against an ASan+UBSan build (see SAN_LOG_DIR below); its
# last test fails on any sanitizer report. It repeats the random-kill and
# reader tests fewer times (t_75: 60 kills and 150 switches, not 200 and
# 500; t_76: 12 killed pulls and rollbacks, not 40; t_88: 20 restore-setups
# against the symlink swapper, not 60): it looks for memory errors, not
# rare moments, which the plain pass keeps looking for.
e2e-asan:
	E2E_SANITIZE=1 bash tests/e2e/run.sh

# The fuzz run in check is short (CHECK_FUZZ_SECONDS per target); `make
# fuzz` alone runs FUZZ_SECONDS (60) each, longer runs are reported in
# SECURITY.md.
CHECK_FUZZ_SECONDS ?= 25
# The stages run one after another, each followed by a line "# stage X
# took N s": the suite's time is bounded (under 30 minutes on two cores).
CHECK_STAGES := all hardening lint unit asan valgrind e2e e2e-asan demo-check rpmcheck check-fuzz
check test:
	@for s in $(CHECK_STAGES); do \
		t0=$$(date +%s); $(MAKE) --no-print-directory $$s || exit 1; \
		echo "# stage $$s took $$(($$(date +%s) - t0)) s"; \
	done
check-fuzz:
	$(MAKE) -s fuzz FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS)

# The unit tests under ASan+UBSan and valgrind (the end-to-end suite runs
# under ASan+UBSan through e2e-asan). Valgrind cannot follow a loaded seccomp filter, so the
# sandbox tests run natively and under ASan only. LeakSanitizer cannot stop
# a process that is non-dumpable or forbids ptrace (privs and sandbox tests).
asan:
	$(MAKE) -s BUILD=$(BUILD)/asan OPT="-O1 -g $(SAN)" LDFLAGS="$(SAN)" $(BUILD)/asan/unit
	ASAN_OPTIONS=detect_leaks=1 $(BUILD)/asan/unit --jobs 2 --filter '!(privs/*|sandbox/*)'
	ASAN_OPTIONS=detect_leaks=0 $(BUILD)/asan/unit --jobs 2 --filter '@(privs/*|sandbox/*)'

# Criterion runs each test in a process of its own, whose valgrind exit
# status never reaches the runner: a report there was printed and the test
# still passed. Each process writes its report to a file of its own
# (so that two tests at a time do not mix theirs), and any report fails.
VG_LOGS := $(abspath $(BUILD))/valgrind
# The localfetch, build and describe tests spend their time in the git
# command, making remotes (traced, each process takes seconds, and git's
# own leaks would count): they run natively and under ASan.
valgrind: $(BUILD)/unit
	@rm -rf $(VG_LOGS) && mkdir -p $(VG_LOGS)
	valgrind -q --vgdb=no --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
		--trace-children=yes --log-file=$(VG_LOGS)/%p.log $(BUILD)/unit --jobs 2 --filter '!(sandbox/*|localfetch/*|build/*|describe/*)'
	@r=$$(grep -l . $(VG_LOGS)/*.log); [ -z "$$r" ] || { cat $$r; echo "valgrind: the reports above"; exit 1; }

# The shipped binary: PIE, full RELRO, BIND_NOW, no executable stack, stack
# protector and FORTIFY in use, no RPATH/RUNPATH.
hardening: $(BUILD)/obsenv
	@readelf -hW $< | grep -q 'Type:.*DYN' || { echo "hardening: not PIE"; exit 1; }
	@readelf -lW $< | grep -q GNU_RELRO || { echo "hardening: no RELRO"; exit 1; }
	@readelf -dW $< | grep -q 'FLAGS.*BIND_NOW' || { echo "hardening: no BIND_NOW"; exit 1; }
	@readelf -lW $< | grep GNU_STACK | grep -qv RWE || { echo "hardening: executable stack"; exit 1; }
	@nm -D $< | grep -q __stack_chk_fail || { echo "hardening: no stack protector"; exit 1; }
	@nm -D $< | grep -q '_chk@' || { echo "hardening: no FORTIFY"; exit 1; }
	@! readelf -dW $< | grep -qE 'RPATH|RUNPATH' || { echo "hardening: RPATH/RUNPATH set"; exit 1; }
	@echo "hardening: PIE, full RELRO, BIND_NOW, NX stack, stack protector, FORTIFY, no RPATH"

LINT_DEFS := -std=c17 -D_GNU_SOURCE -Isrc $(PKG_CFLAGS) -DPOLICY_PATH='"x"' -DSUDO_PATH='"y"' -DOBSENV_VERSION='"z"' \
             -I$(BUILD)/gen
# The slow checkers run a file at a time, one per core; lint removes the
# stamps first, so every file is checked on every run.
NPROC := $(shell nproc 2>/dev/null || echo 1)
LINT_STAMPS := $(ALL_SRC:src/%.c=$(BUILD)/lint/%.tidy) $(ALL_SRC:src/%.c=$(BUILD)/lint/%.fan)
$(BUILD)/lint/%.tidy: src/%.c $(BPF_H)
	@mkdir -p $(dir $@)
	@out=$$(clang-tidy --quiet $< -- $(LINT_DEFS) 2>&1) || { echo "$$out"; exit 1; }; touch $@
$(BUILD)/lint/%.fan: src/%.c $(BPF_H)
	@mkdir -p $(dir $@)
	@$(CC) $(LINT_DEFS) -fanalyzer -O1 -Wall -Wextra -Werror -c -o /dev/null $< && touch $@
lint: $(BPF_H)
	cppcheck --quiet --enable=warning,portability --std=c11 --error-exitcode=1 \
		--suppress=missingIncludeSystem -Isrc -I$(BUILD)/gen src/
	@rm -rf $(BUILD)/lint && $(MAKE) -s -j$(NPROC) $(LINT_STAMPS) && echo "clang-tidy, gcc -fanalyzer: clean"
	mandoc -T lint -W warning man/obsenv.8 man/obsenv-policy.5

install: $(BUILD)/obsenv
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 4755 $(if $(DESTDIR),,-o root -g root) $(BUILD)/obsenv $(DESTDIR)$(BINDIR)/obsenv
	install -m 0644 man/obsenv.8 $(DESTDIR)$(MANDIR)/man8/obsenv.8
	install -m 0644 man/obsenv-policy.5 $(DESTDIR)$(MANDIR)/man5/obsenv-policy.5
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/bin/obsenv|$(BINDIR)/obsenv|' packaging/systemd/obsenv-pull.service \
		>$(DESTDIR)$(UNITDIR)/obsenv-pull.service
	install -m 0644 packaging/systemd/obsenv-pull.timer $(DESTDIR)$(UNITDIR)/obsenv-pull.timer
	chmod 0644 $(DESTDIR)$(UNITDIR)/obsenv-pull.service

# libFuzzer targets (clang, ASan+UBSan), each run FUZZ_SECONDS on its
# checked-in seeds (tests/fuzz/corpus/<target>, read only); new inputs go
# to $(BUILD)/fuzz/corpus-<target>, crashes to $(BUILD)/fuzz/. Every crash
# found becomes a seed and a regression test.
FUZZ_TARGETS := policy basefile args names cycle audit gen lastpull
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -std=c17 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
                -fno-sanitize-recover=undefined $(PKG_CFLAGS) -Isrc -DPOLICY_PATH='"x"' -DSUDO_PATH='"y"' \
                -DOBSENV_VERSION='"z"' -DGIT_SONAME='"$(GIT_SONAME)"' -I$(BUILD)/gen
FUZZ_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/fuzz/%.o)
$(BUILD)/fuzz/confine/sandbox.o: $(BPF_H)
$(BUILD)/fuzz/%.o: src/%.c $(wildcard $(LAYERS:%=src/%/*.h)) | $(BUILD)/layers.ok
	@mkdir -p $(dir $@)
	@$(FUZZ_CC) $(FUZZ_FLAGS) -c -o $@ $<
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(PKG_LIBS)
fuzz: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
	bash tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The source tarball of what is committed (CI builds from a clean clone).
dist:
	@mkdir -p $(BUILD)
	git archive --format=tar.gz --prefix=obsenv-$(VERSION)/ -o $(BUILD)/obsenv-$(VERSION).tar.gz HEAD
	@echo "$(BUILD)/obsenv-$(VERSION).tar.gz"

# The RPM, from that tarball. rpmbuild runs on Debian too (package rpm);
# --nodeps there, since Debian's rpm database knows no EL9 packages.
RPMTOP := $(abspath $(BUILD))/rpm
rpm: dist
	rm -rf $(RPMTOP) && mkdir -p $(RPMTOP)/SOURCES
	cp $(BUILD)/obsenv-$(VERSION).tar.gz packaging/rpm/obsenv.sysusers $(RPMTOP)/SOURCES/
	rpmbuild -bb $(if $(wildcard /etc/debian_version),--nodeps) --define "_topdir $(RPMTOP)" \
		packaging/rpm/obsenv.spec
	@ls $(RPMTOP)/RPMS/*/obsenv-$(VERSION)-*.rpm

# Modes and owners of every file in the RPM, as a sysadmin would check them.
rpmcheck: rpm
	bash tests/rpm/check.sh $(RPMTOP)/RPMS/*/obsenv-$(VERSION)-*.rpm

# Debian 12 (as root). EL9: dnf install gcc make libgit2-devel libyaml-devel
# libcap-devel libseccomp-devel criterion-devel sudo util-linux git.
DEB_PKGS := gcc libc6-dev make pkg-config libgit2-dev libyaml-dev libcap-dev libseccomp-dev \
            libcriterion-dev sudo util-linux mount passwd git openssh-server openssh-client mandoc cppcheck clang-tidy \
            valgrind binutils python3 hyperfine jq rpm cpio bash-completion clang openssl ca-certificates curl \
            strace xfsprogs libsystemd-dev systemd rsyslog
deps:
	DEBIAN_FRONTEND=noninteractive apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(DEB_PKGS)

demo: all
	bash tests/demo.sh

# The demo as a test: exit 0, the job shown, nothing left behind.
demo-check: all
	bash tests/demo-check.sh

clean:
	rm -rf $(BUILD) build obsenv

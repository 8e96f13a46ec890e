# contrastd - contrast temperature therapy daemon
#
#   make            build build/contrastd and build/contrastctl (a missing
#                   package stops it, named: run make deps)
#   make deps       install the Debian packages that are missing (as root)
#   make demo       make deps, then a full therapy session on the simulated plant
#   make check      make deps, then unit, sanitizer, process and system tests
#   make bench      benchmarks, side by side with their baselines
#   make fuzz       the libFuzzer targets, FUZZ_SECONDS each (default 20; clang)
#   make check-bare SUITE=bookworm|trixie   make demo and make check in a fresh
#                   clone inside a bare Debian root (debootstrap; needs root)
#   make check-kernel  the daemon on a real kernel (gpio-sim, ti-ads1015) under QEMU
#   make install    PREFIX=/usr/local DESTDIR=
#
# CPPFLAGS, CFLAGS and LDFLAGS from the command line or the environment go on
# every compile and link line (dpkg-buildflags' hardening flags included).

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR ?= /lib/systemd/system
SYSUSERSDIR ?= /usr/lib/sysusers.d
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UDEVRULESDIR ?= /lib/udev/rules.d
DESTDIR ?=

BUILD   ?= build
CC      ?= cc
CFLAGS  ?= -O2 -g
WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	    -Wpointer-arith -Wformat=2 -Wvla -Wundef
BASE_CPPFLAGS := -D_GNU_SOURCE -Isrc
BASE_CFLAGS := -std=c11 -pthread $(WARNINGS) -MMD -MP
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# Debian 12 / Raspberry Pi OS packages the build, the tests and the demo need.
DEB_PACKAGES := build-essential pkg-config libinih-dev libiio-dev libgpiod-dev \
	libsystemd-dev libcmocka-dev libjson-c-dev iiod util-linux procps systemd iproute2 python3 \
	groff-base man-db
# What only make check needs beyond that: clang and libFuzzer's runtime
# (libclang-rt-dev, the suite's version) for the fuzzers' bounded run. Not for make demo:
# a Raspberry Pi that runs the device need not carry a second compiler.
CHECK_DEB_PACKAGES := clang libclang-rt-dev

# make check-kernel: the test kernel, QEMU, the guest's shell and libgpiod 2's source.
KERNEL_DEB_PACKAGES := qemu-system-x86 linux-source-6.1 busybox-static bc bison flex libelf-dev \
	libssl-dev cpio xz-utils
APT_INSTALL_FLAGS ?=

# The libraries, by their pkg-config names, and the Debian package of each
# (a new library: its name in a list, and its deb_of_ row).
PKGS      := inih libiio libgpiod libsystemd
CTL_PKGS  := inih json-c
TEST_PKGS := cmocka json-c
deb_of_inih       := libinih-dev
deb_of_libiio     := libiio-dev
deb_of_libgpiod   := libgpiod-dev
deb_of_libsystemd := libsystemd-dev
deb_of_cmocka     := libcmocka-dev
deb_of_json-c     := libjson-c-dev

# $(call pkg,OPTION,NAMES): pkg-config OPTION NAMES, or stop with the names
# pkg-config cannot find and the packages to install. Expanded only by the
# recipes that compile or link, so make deps and make clean work without.
pkg_missing = $(strip $(foreach p,$(1),$(if $(shell pkg-config --exists $(p) 2>/dev/null && echo y),,$(p))))
pkg = $(if $(shell command -v pkg-config),,$(error pkg-config not found: install pkg-config (make deps)))$\
	$(if $(call pkg_missing,$(2)),$(error pkg-config: $(call pkg_missing,$(2)) not found: $\
	install $(foreach p,$(call pkg_missing,$(2)),$(or $(deb_of_$(p)),$(p).pc's package)) (make deps)))$\
	$(shell pkg-config $(1) $(2))
# Each asked once, on first use.
PKG_CFLAGS  = $(eval PKG_CFLAGS := $$(call pkg,--cflags,$$(PKGS)))$(PKG_CFLAGS)
PKG_LIBS    = $(eval PKG_LIBS := $$(call pkg,--libs,$$(PKGS)))$(PKG_LIBS)
CTL_CFLAGS  = $(eval CTL_CFLAGS := $$(call pkg,--cflags,$$(CTL_PKGS)))$(CTL_CFLAGS)
CTL_LIBS    = $(eval CTL_LIBS := $$(call pkg,--libs,$$(CTL_PKGS)))$(CTL_LIBS)
TEST_CFLAGS = $(eval TEST_CFLAGS := $$(call pkg,--cflags,$$(TEST_PKGS)))$(TEST_CFLAGS)
TEST_LIBS   = $(eval TEST_LIBS := $$(call pkg,--libs,$$(TEST_PKGS)))$(TEST_LIBS)
LDLIBS    := -lm -pthread

# libgpiod changed its API in 2.0: one adapter per API behind src/hw/gpio_lines.h
# (src/hw/gpio_lines_v1.c, gpio_lines_v2.c), chosen by the version pkg-config reports.
GPIOD_VERSION := $(shell pkg-config --modversion libgpiod 2>/dev/null)
GPIOD_API     := $(if $(filter 0.% 1.%,$(GPIOD_VERSION)),v1,v2)
GPIOD_OTHER   := $(if $(filter v1,$(GPIOD_API)),v2,v1)

# libgpiod 2 where the machine has 1.x (Debian 12): Debian 13's source built
# as a static library under $(BUILD)/libgpiod2 (tests/kernel/libgpiod2.sh),
# and a second build against it in $(GPIOD2_BUILD). Once it is there, make
# check runs the v2 adapter's unit tests too.
GPIOD2_DIR    := $(BUILD)/libgpiod2
GPIOD2_BUILD  := $(BUILD)/gpiod2
GPIOD2_TESTS  := $(if $(and $(filter v1,$(GPIOD_API)),$(wildcard $(GPIOD2_DIR)/install/lib/libgpiod.a)), \
	$(GPIOD2_BUILD)/tests/test_gpio_mock_v2 $(GPIOD2_BUILD)/tests-san/test_gpio_mock_v2)
gpiod2_make   = PKG_CONFIG_PATH=$(abspath $(GPIOD2_DIR))/install/lib/pkgconfig \
	$(MAKE) --no-print-directory BUILD=$(GPIOD2_BUILD)

# The functional core, then the shell. Every .c except the programs' mains
# goes into the objects that the daemon and every test link.
CORE_SRC  := $(sort $(wildcard src/core/*.c))
SHELL_SRC := $(filter-out src/hw/gpio_lines_$(GPIOD_OTHER).c, \
	$(sort $(wildcard src/lib/*.c src/hw/*.c src/sim/*.c src/daemon/*.c)))
MAIN_SRC  := src/daemon/main.c
CTL_SRC   := $(sort $(wildcard src/ctl/*.c))
CTL_MAIN  := src/ctl/contrastctl.c
# What contrastctl links besides its own code: the protocol table, nothing of the daemon.
CTL_USES  := src/lib/protocol.c src/lib/duration.c
LIB_SRC   := $(CORE_SRC) $(filter-out $(MAIN_SRC),$(SHELL_SRC))

LIB_OBJ      := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
LIB_OBJ_SAN  := $(LIB_SRC:%.c=$(BUILD)/san/%.o)
MAIN_OBJ     := $(MAIN_SRC:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ_SAN := $(MAIN_SRC:%.c=$(BUILD)/san/%.o)
CTL_OBJ      := $(CTL_SRC:%.c=$(BUILD)/obj/%.o) $(CTL_USES:%.c=$(BUILD)/obj/%.o)
# The tests link contrastctl's objects too, all but its main (the reply reader, the docs).
CTL_LIB_SRC      := $(filter-out $(CTL_MAIN),$(CTL_SRC))
CTL_TEST_OBJ     := $(CTL_LIB_SRC:%.c=$(BUILD)/obj/%.o)
CTL_TEST_OBJ_SAN := $(CTL_LIB_SRC:%.c=$(BUILD)/san/%.o)

UNIT_SRC  := $(filter-out tests/unit/test_gpio_mock_$(GPIOD_OTHER).c,$(sort $(wildcard tests/unit/test_*.c)))
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_SAN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests-san/%)
# A test may need extra link flags (e.g. -Wl,--wrap= mocks): tests/unit/NAME.ldflags
test_ldflags = $(shell cat tests/unit/$(1).ldflags 2>/dev/null)

BINS := $(BUILD)/contrastd $(BUILD)/contrastd-san $(if $(CTL_SRC),$(BUILD)/contrastctl)

.PHONY: all deps demo check check-bare bench install clean unit-tests docs-commands fuzz fuzz-build \
	check-kernel kernel-deps libgpiod2 FORCE
# Keep the test objects: make would delete them as intermediates after the run.
.SECONDARY:
all: $(BUILD)/contrastd $(if $(CTL_SRC),$(BUILD)/contrastctl)

# Install what is missing (as root), or say exactly what to run. Silent
# and quick when everything is there. Only make deps, make demo and make
# check run it; compiling never does.
deps:
	@if ! command -v dpkg-query >/dev/null 2>&1; then \
		echo "deps: not a Debian system; install: $(DEB_PACKAGES) $(DEPS_EXTRA)"; exit 0; fi; \
	missing=""; \
	for p in $(DEB_PACKAGES) $(DEPS_EXTRA); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "deps: installing$$missing"; \
			apt-get -o Acquire::Retries=5 update && DEBIAN_FRONTEND=noninteractive \
				apt-get -o Acquire::Retries=5 install -y $(APT_INSTALL_FLAGS) $$missing || exit 1; \
		else \
			echo "deps: missing Debian packages:$$missing"; \
			echo "deps: run: sudo apt-get update && sudo apt-get install -y$$missing"; \
			exit 1; \
		fi; \
	fi

# The unit tests' own objects also need cmocka's flags.
$(BUILD)/obj/tests/unit/%.o $(BUILD)/san/tests/unit/%.o: EXTRA_CFLAGS = $(TEST_CFLAGS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CPPFLAGS) $(CPPFLAGS) $(BASE_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) $(EXTRA_CFLAGS) -c $< -o $@

$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CPPFLAGS) $(CPPFLAGS) $(BASE_CFLAGS) $(CFLAGS) $(SAN_FLAGS) $(PKG_CFLAGS) $(EXTRA_CFLAGS) -c $< -o $@

$(BUILD)/contrastd: $(MAIN_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(BUILD)/contrastd-san: $(MAIN_OBJ_SAN) $(LIB_OBJ_SAN)
	$(CC) $(CFLAGS) $(SAN_FLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

# contrastctl's code includes json-c's headers (the tests get them through TEST_CFLAGS).
$(BUILD)/obj/src/ctl/%.o $(BUILD)/san/src/ctl/%.o: EXTRA_CFLAGS = $(CTL_CFLAGS)

$(BUILD)/contrastctl: $(CTL_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CTL_LIBS) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIB_OBJ) $(CTL_TEST_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(call test_ldflags,$*) $(PKG_LIBS) $(TEST_LIBS) $(LDLIBS)

$(BUILD)/tests-san/%: $(BUILD)/san/tests/unit/%.o $(LIB_OBJ_SAN) $(CTL_TEST_OBJ_SAN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) $(LDFLAGS) -o $@ $^ $(call test_ldflags,$*) $(PKG_LIBS) $(TEST_LIBS) $(LDLIBS)

unit-tests: $(UNIT_BIN) $(UNIT_SAN)

# Harnesses that run the shell against fake kernel trees in a private mount
# namespace (tests/process runs them): the library with the sanitizers and
# tests/hw/fake_gpio_lines.c in place of the libgpiod adapter.
HW_HARNESS := $(BUILD)/tests-hw/read_timing $(BUILD)/tests-hw/rpi_warnings $(BUILD)/tests-hw/charge_pump
$(BUILD)/tests-hw/%: $(BUILD)/san/tests/hw/%.o $(BUILD)/san/tests/hw/fake_gpio_lines.o $(BUILD)/san/tests/hw/ads1015_tree.o \
		$(filter-out $(BUILD)/san/src/hw/gpio_lines%,$(LIB_OBJ_SAN))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

# make demo and make check install what is missing first, then build: in a
# second make, so nothing compiles before the packages are there (-j).
SUBMAKE := $(MAKE) --no-print-directory

# The example program on the simulated plant: the first minutes at 20x so
# a person can follow it, then the rest as fast as the machine can. Its
# state_dir is a fresh private one (a simulated session keeps its dose
# there as the daemon does): a demo never uses up anything.
demo:
	@$(SUBMAKE) deps
	@$(SUBMAKE) $(BUILD)/contrastd
	@dir=$$(mktemp -d) && trap 'rm -rf "$$dir"' EXIT && \
	sed -e '/^[[:space:]]*state_dir[[:space:]]*[=:]/d' -e "s|^\[daemon\]|[daemon]\nstate_dir = $$dir/state|" \
		config/contrastd.conf >"$$dir/demo.conf" && \
	./$(BUILD)/contrastd -c "$$dir/demo.conf" --simulate --speed 20 --fast-after 8 --start

check:
	@$(SUBMAKE) deps DEPS_EXTRA="$(CHECK_DEB_PACKAGES)"
	@$(SUBMAKE) $(BINS) unit-tests $(HW_HARNESS) $(GPIOD2_TESTS)
	@if FUZZ_CC=$(FUZZ_CC) bash tests/fuzz/have_libfuzzer.sh >/dev/null; then $(SUBMAKE) fuzz-build || exit 1; fi
	@CONTRASTD=$(BUILD)/contrastd CONTRASTD_SAN=$(BUILD)/contrastd-san CONTRASTCTL=$(BUILD)/contrastctl \
		BUILD=$(BUILD) bash tests/run.sh $(UNIT_BIN) $(UNIT_SAN) $(GPIOD2_TESTS) \
		$(sort $(wildcard tests/process/test_*.sh))

libgpiod2:
	@bash tests/kernel/libgpiod2.sh $(GPIOD2_DIR)

kernel-deps:
	@$(SUBMAKE) deps DEB_PACKAGES="$(KERNEL_DEB_PACKAGES)" APT_INSTALL_FLAGS=--no-install-recommends

# The daemon on a real kernel under QEMU, built against libgpiod 1 and 2:
# tests/kernel/run.sh and docs/testing.md say what it proves.
check-kernel:
	@$(SUBMAKE) deps
	@$(SUBMAKE) kernel-deps
	@$(SUBMAKE) libgpiod2
	@$(SUBMAKE) all
	+@$(gpiod2_make) $(GPIOD2_BUILD)/contrastd $(GPIOD2_BUILD)/contrastctl \
		$(GPIOD2_BUILD)/tests/test_gpio_mock_v2 $(GPIOD2_BUILD)/tests-san/test_gpio_mock_v2
	@BUILD=$(BUILD) GPIOD2_BUILD=$(GPIOD2_BUILD) bash tests/kernel/run.sh

ifneq ($(GPIOD2_TESTS),)
$(GPIOD2_TESTS): FORCE
	+@$(gpiod2_make) $@
endif

check-bare:
	@BUILD=$(BUILD) bash tests/bare/check-bare.sh $(SUITE)

# The key tables of docs/configuration.md and docs/contrastd.conf.5, written
# in place from the config schema (src/core/config_schema.c).
.PHONY: docs
docs: $(BUILD)/contrastd docs-commands
	@CONTRASTD=$(BUILD)/contrastd bash tests/process/test_docs_keys.sh --update

# The command lists between the marker lines of docs/control.md and
# docs/contrastctl.1, from the protocol table (src/lib/protocol.c).
docs-commands: $(BUILD)/contrastctl
	@for spec in markdown:docs/control.md man:docs/contrastctl.1; do \
		format=$${spec%%:*}; doc=$${spec#*:}; \
		if [ "$$(grep -c -e 'BEGIN generated by contrastctl --list-commands' \
			-e 'END generated by contrastctl --list-commands' $$doc)" != 2 ]; then \
			echo "docs: $$doc needs one BEGIN and one END line for contrastctl --list-commands"; exit 1; fi; \
		./$(BUILD)/contrastctl --list-commands $$format >$(BUILD)/commands.$$format || exit 1; \
		awk -v gen=$(BUILD)/commands.$$format \
			'/BEGIN generated by contrastctl --list-commands/ { print; while ((getline l < gen) > 0) print l; skip = 1; next } \
			 /END generated by contrastctl --list-commands/ { skip = 0 } !skip' $$doc >$$doc.new && \
		mv $$doc.new $$doc && echo "docs: $$doc"; \
	done

# libFuzzer (clang, libclang-rt-14-dev): the config parser and the control
# protocol (tests/fuzz/fuzz_*.c), every shell object built again with
# -fsanitize=fuzzer-no-link,address,undefined. make check runs each for
# 20 s where clang is installed (tests/process/test_fuzz.sh); by hand:
#   make fuzz FUZZ_SECONDS=600
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 20
FUZZ_FLAGS   := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -g
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_OBJ     := $(LIB_SRC:%.c=$(BUILD)/fuzz/obj/%.o)

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(BASE_CPPFLAGS) $(CPPFLAGS) $(filter-out -Werror,$(BASE_CFLAGS)) $(FUZZ_FLAGS) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(BASE_CPPFLAGS) $(CPPFLAGS) $(filter-out -Werror,$(BASE_CFLAGS)) $(FUZZ_FLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) $(LDFLAGS) -o $@ \
		$(filter %.c %.o,$^) $(PKG_LIBS) $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) BUILD=$(BUILD) bash tests/fuzz/run.sh $(FUZZ_BINS)


# make bench: its own objects, built with release flags.
REL_CFLAGS  := -O2 -DNDEBUG
LIB_OBJ_REL := $(LIB_SRC:%.c=$(BUILD)/rel/%.o)
BENCH_HELPERS := $(BUILD)/rel/tests/bench/bench_world.o
BENCH_BINS := $(BUILD)/rel/contrastd $(BUILD)/bench/bench_control $(BUILD)/bench/bench_cost \
	$(BUILD)/bench/bench_loop $(BUILD)/bench/alloc_count.so

$(BUILD)/rel/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CPPFLAGS) $(CPPFLAGS) $(BASE_CFLAGS) $(REL_CFLAGS) $(PKG_CFLAGS) $(EXTRA_CFLAGS) -c $< -o $@

# The envelope corners need the simulated world (struct sim_world) in the plant.
$(BUILD)/rel/tests/bench/bench_world.o: EXTRA_CFLAGS = $(if $(shell grep -l 'struct sim_world {' src/sim/sim_plant.h 2>/dev/null),-DBENCH_HAVE_SIM_WORLD)
$(BUILD)/rel/tests/bench/bench_world.o: src/sim/sim_plant.h

$(BUILD)/rel/contrastd: $(MAIN_SRC:%.c=$(BUILD)/rel/%.o) $(LIB_OBJ_REL)
	$(CC) $(REL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

# A benchmark may need extra link flags (-Wl,--wrap= mocks): tests/bench/NAME.ldflags
$(BUILD)/bench/%: $(BUILD)/rel/tests/bench/%.o $(BENCH_HELPERS) $(LIB_OBJ_REL)
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) $(LDFLAGS) -o $@ $^ $(shell cat tests/bench/$*.ldflags 2>/dev/null) $(PKG_LIBS) $(LDLIBS)

# bench_loop has GPIO lines of its own in place of the libgpiod adapter (either version).
$(BUILD)/bench/bench_loop: $(BUILD)/rel/tests/bench/bench_loop.o $(BENCH_HELPERS) \
		$(filter-out $(BUILD)/rel/src/hw/gpio_lines%,$(LIB_OBJ_REL))
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) $(LDFLAGS) -o $@ $^ $(shell cat tests/bench/bench_loop.ldflags) $(PKG_LIBS) $(LDLIBS)

$(BUILD)/bench/alloc_count.so: tests/bench/alloc_count.c
	@mkdir -p $(dir $@)
	$(CC) -shared -fPIC $(REL_CFLAGS) $(WARNINGS) $(LDFLAGS) -o $@ $< -ldl

bench: $(BENCH_BINS) $(BUILD)/contrastctl
	@BUILD=$(BUILD) CONTRASTD=$(BUILD)/rel/contrastd CONTRASTCTL=$(BUILD)/contrastctl bash tests/bench/run.sh

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR)
	install -m 0755 $(BUILD)/contrastd $(DESTDIR)$(SBINDIR)/contrastd
	if [ -f $(BUILD)/contrastctl ]; then install -m 0755 $(BUILD)/contrastctl $(DESTDIR)$(BINDIR)/contrastctl; fi
	install -d $(DESTDIR)$(SYSCONFDIR)/contrastd
	if [ ! -e $(DESTDIR)$(SYSCONFDIR)/contrastd/contrastd.conf ]; then \
		install -m 0644 config/contrastd.conf $(DESTDIR)$(SYSCONFDIR)/contrastd/contrastd.conf; \
	else echo "install: keeping existing $(DESTDIR)$(SYSCONFDIR)/contrastd/contrastd.conf"; fi
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(UDEVRULESDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		systemd/contrastd.service.in >$(BUILD)/contrastd.service
	install -m 0644 $(BUILD)/contrastd.service $(DESTDIR)$(UNITDIR)/contrastd.service
	install -m 0644 systemd/contrastd.sysusers $(DESTDIR)$(SYSUSERSDIR)/contrastd.conf
	install -m 0644 systemd/60-contrastd-gpio.rules $(DESTDIR)$(UDEVRULESDIR)/60-contrastd-gpio.rules
	install -m 0644 docs/contrastctl.1 $(DESTDIR)$(MANDIR)/man1/contrastctl.1
	install -m 0644 docs/contrastd.conf.5 $(DESTDIR)$(MANDIR)/man5/contrastd.conf.5
	install -m 0644 docs/contrastd.8 $(DESTDIR)$(MANDIR)/man8/contrastd.8
	install -d $(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 config/bash-completion/contrastctl $(DESTDIR)$(BASHCOMPDIR)/contrastctl
	install -m 0644 config/bash-completion/contrastd $(DESTDIR)$(BASHCOMPDIR)/contrastd
	@# On the machine itself (no DESTDIR): the user now, and systemd told of the unit.
	if [ -z "$(DESTDIR)" ] && command -v systemd-sysusers >/dev/null 2>&1; then \
		systemd-sysusers $(SYSUSERSDIR)/contrastd.conf; fi
	if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	@# The chips already there get group gpio now, not at the next boot.
	if [ -z "$(DESTDIR)" ] && [ -d /run/udev ] && command -v udevadm >/dev/null 2>&1; then \
		udevadm control --reload && udevadm trigger --subsystem-match=gpio --action=change; fi

clean:
	rm -rf $(BUILD)

# Only the compilers' dependency files (build/bare holds Debian roots, build/libgpiod2
# a library's build, with their own *.d; build/gpiod2's sub-make reads its own).
-include $(shell find $(BUILD)/obj $(BUILD)/san $(BUILD)/rel -name '*.d' -type f 2>/dev/null)

# SPDX-License-Identifier: GPL-2.0
# hmap: Go's classic hash map as a Linux kernel module.
#
#   make demo          boot the test kernel in QEMU and show the map at work
#   make check         static checks, native tests, one VM boot with KUnit + selftests
#   make               build hmap.ko (+ hmap_kunit.ko) against KDIR
#   make samples       also the sample consumer, samples/hmap_example.ko
#   make deps          install the Debian packages the above need
#   make distro-build  compile against Debian's stock 6.1 headers (W=1)
#   make native-test   the core in userspace under ASan/UBSan
#   make coverage      line coverage of the core from the native tests
#   make vm-shell      interactive shell in the test VM with hmap loaded
#
# KDIR defaults to the cached test kernel (built on first use, ~9 min);
# KDIR=/lib/modules/$(uname -r)/build make   builds for the running host kernel.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
# Without KDIR, the cached test kernel: its directory is keyed by the linux-source-6.12
# version, so it is asked for in the recipe, after deps.sh may have installed that package.
KDIR ?=
TEST_KDIR = "$$($(TOP)/scripts/build-kernel.sh --kdir)"
BUILD_KDIR = $(if $(KDIR),$(KDIR),$(TEST_KDIR))
BUILD := $(TOP)/build

.PHONY: all modules deps kernel distro-build native-test coverage check demo vm-shell clean

all: modules

deps:
	@$(TOP)/scripts/deps.sh

kernel: deps
	@$(TOP)/scripts/build-kernel.sh

# Build against the test kernel only after making sure it exists.
ifeq ($(KDIR),)
modules: kernel
endif
modules:
	$(MAKE) -C $(BUILD_KDIR) M=$(TOP) W=1 modules

distro-build: deps
	@$(TOP)/scripts/distro-build.sh $(DISTRO_KDIR)

native-test: deps
	$(MAKE) -C $(TOP)/tests test

coverage: deps
	$(MAKE) -C $(TOP)/tests coverage

# check.sh and demo.sh install missing packages themselves, quietly, as their first phase.
check:
	@$(TOP)/scripts/check.sh

# The selftests' long campaigns in the test VM (fail-nth, 10^6 fuzzed ioctls, 60 s stress).
.PHONY: soak
soak: kernel
	@$(TOP)/scripts/soak.sh

demo:
	@$(TOP)/scripts/demo.sh

# A real host (as root): hmap.ko for KDIR (default: the running kernel), hmapctl,
# libhmap, headers, pkg-config file, man pages, bash completion, udev rule.
.PHONY: install uninstall dkms dkms-remove
install:
	@$(TOP)/scripts/install.sh install

uninstall:
	@$(TOP)/scripts/install.sh uninstall

# The module through DKMS instead, rebuilt for every kernel installed later.
dkms:
	@$(TOP)/scripts/install.sh dkms

dkms-remove:
	@$(TOP)/scripts/install.sh dkms-remove

# Mutation score of the core against the native tests (~15 min); not in check.
.PHONY: mutation
mutation: deps
	$(MAKE) -C $(TOP)/tests mutation

# The two README commands in a fresh Debian 12 root (debootstrap), ~11 min; not in check.
.PHONY: check-fresh
check-fresh:
	@$(TOP)/scripts/deps.sh --fresh
	@$(TOP)/scripts/check-fresh.sh

# Debian packages (hmap-dkms, hmapctl, libhmap0, libhmap-dev) in build/deb/, with lintian.
.PHONY: deb
deb:
	@$(TOP)/scripts/deps.sh --pkg
	@$(TOP)/scripts/deb.sh

# The sample in-kernel consumer (samples/), on request only.
.PHONY: samples
ifeq ($(KDIR),)
samples: kernel
endif
samples:
	$(MAKE) -C $(BUILD_KDIR) M=$(TOP) W=1 HMAP_SAMPLES=y modules

vm-shell: modules
	@$(TOP)/scripts/vm.sh --shell

# Benchmarks: the native arena (bench/native: hmap's core against
# Go's map, absl, GLib, liburcu; results in bench/results/),
# then the kernel arena (scripts/bench-kernel.sh builds bench/kernel/hmap_bench.ko).
.PHONY: bench bench-quick
bench:
	@$(TOP)/scripts/deps.sh
	@$(TOP)/bench/native/run-native.sh
	@$(TOP)/scripts/bench-kernel.sh

bench-quick:
	@$(TOP)/scripts/deps.sh
	@$(TOP)/bench/native/run-native.sh --quick
	@$(TOP)/scripts/bench-kernel.sh --quick

clean:
	$(MAKE) -C $(BUILD_KDIR) M=$(TOP) clean 2>/dev/null || true
	$(MAKE) -C $(TOP)/tests clean
	$(MAKE) -C $(TOP)/user clean
	$(MAKE) -C $(TOP)/bench/native clean
	$(MAKE) -C $(TOP)/bench/hash clean
	rm -rf $(BUILD)

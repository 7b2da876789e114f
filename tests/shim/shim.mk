# SPDX-License-Identifier: GPL-2.0
# The one userspace shim for kernel code (included by tests/Makefile,
# bench/native/Makefile and bench/hash/Makefile):
#   - hmap_internal.h, kunit/, linux/ and kunit_shim.c: the core (kmod/hmap_*.c)
#     and its KUnit suites against malloc, a fail budget and a leak counter;
#   - kshim.h: the kernel's own lib/siphash.c and lib/xxhash.c, unmodified,
#     from the installed source tree ($(KSRC)), built here as $(SHIM_SIPHASH)
#     and $(SHIM_XXHASH) with code generation close to an x86_64 kernel's.
# If the tree is not extracted, only the files needed are taken from the
# linux-source-6.12 tarball into $(SHIM_B).

SHIM := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
SHIM_TOP := $(abspath $(SHIM)/../..)
SHIM_B := $(SHIM)/build
SHIM_LIBSH := . $(SHIM_TOP)/scripts/lib.sh
KSRC ?= $(shell bash -c '$(SHIM_LIBSH) && ksrc_dir')
KSRC_VERSION := $(shell bash -c '$(SHIM_LIBSH) && ksrc_version')
KSRC_TARBALL := $(shell bash -c '$(SHIM_LIBSH) && echo "$$KSRC_TARBALL"')

# The core's include path: the shim's hmap_internal.h replaces kmod's.
SHIM_CORE_INC := -I$(SHIM) -I$(SHIM_TOP)/kmod -I$(SHIM_TOP)/include
SHIM_CORE_DEPS := $(wildcard $(SHIM_TOP)/kmod/hmap_core.c $(SHIM_TOP)/kmod/hmap_grow.c \
		  $(SHIM_TOP)/kmod/hmap_iter.c $(SHIM_TOP)/kmod/hmap_validate.c \
		  $(SHIM_TOP)/kmod/hmap_core.h $(SHIM_TOP)/kmod/hmap_bucket.h \
		  $(SHIM_TOP)/kmod/hmap_mixhash.h $(SHIM_TOP)/kmod/hmap_lookup.h) \
		  $(SHIM_TOP)/include/linux/hmap_types.h $(SHIM)/hmap_internal.h \
		  $(SHIM)/linux/siphash.h
# The core as one translation unit (the shim first, then kmod's files).
SHIM_CORE_SRC := $(SHIM)/hmap_core_user.c

# Code generation close to an x86_64 kernel build: -O2, no SSE/MMX/AVX,
# no strict aliasing, no red zone, not PIE.
SHIM_KFLAGS := -O2 -fno-strict-aliasing -fno-common -fno-pie -mno-red-zone \
	       -mno-mmx -mno-sse -mno-sse2 -mno-3dnow -mno-avx
# kshim.h by quotes only (-iquote): <linux/siphash.h> must be the kernel's here.
SHIM_KINC := -I$(SHIM_B)/kinc -iquote $(SHIM) -I$(SHIM_B)/ksrc/include -idirafter $(SHIM_B)/ksrc

# Kernel headers the hash code includes that kshim.h stands in for.
SHIM_STUBS := linux/types.h linux/kernel.h linux/unaligned.h linux/errno.h \
	      linux/compiler.h linux/module.h linux/string.h linux/bitops.h \
	      linux/dcache.h linux/unaligned/packed_struct.h asm/word-at-a-time.h
SHIM_KSRC_FILES := lib/siphash.c lib/xxhash.c include/linux/siphash.h \
		   include/linux/xxhash.h include/linux/jhash.h

SHIM_SIPHASH := $(SHIM_B)/ksiphash.o
SHIM_XXHASH := $(SHIM_B)/kxxhash.o
SHIM_KDEPS := $(SHIM_B)/ksrc.stamp $(SHIM_B)/kinc.stamp $(SHIM)/kshim.h $(SHIM)/shim.mk

.PHONY: FORCE
FORCE:

# $(SHIM_B)/ksrc: a link to the kernel tree, or the needed files from the tarball.
$(SHIM_B)/ksrc.stamp: FORCE
	@mkdir -p $(SHIM_B)
	@if [ -f "$(KSRC)/lib/siphash.c" ]; then \
		want="$(KSRC)"; \
	else \
		want="$(SHIM_B)/ksrc-extract/linux-source-6.12"; \
		if [ ! -f "$$want/lib/siphash.c" ]; then \
			[ -n "$(KSRC_TARBALL)" ] || { echo "shim: no kernel tree at '$(KSRC)' and no /usr/src/linux-source-6.12.tar.*; run 'make deps' or pass KSRC=" >&2; exit 1; }; \
			echo "shim: extracting $(SHIM_KSRC_FILES) from $(KSRC_TARBALL)" >&2; \
			mkdir -p $(SHIM_B)/ksrc-extract; \
			tar -C $(SHIM_B)/ksrc-extract -xf "$(KSRC_TARBALL)" $(addprefix linux-source-6.12/,$(SHIM_KSRC_FILES)) || exit 1; \
		fi; \
	fi; \
	if [ "$$(readlink $(SHIM_B)/ksrc)" != "$$want" ]; then ln -sfn "$$want" $(SHIM_B)/ksrc; fi; \
	if [ "$$(cat $@ 2>/dev/null)" != "$$want" ]; then echo "$$want" > $@; fi

$(SHIM_B)/kinc.stamp: $(SHIM)/shim.mk
	@for h in $(SHIM_STUBS); do \
		mkdir -p $(SHIM_B)/kinc/$$(dirname $$h); \
		echo '#include "kshim.h"' > $(SHIM_B)/kinc/$$h; \
	done
	@touch $@

$(SHIM_SIPHASH) $(SHIM_XXHASH): $(SHIM_B)/%.o: $(SHIM)/%.c $(SHIM_KDEPS)
	$(CC) $(SHIM_KFLAGS) -Wall $(SHIM_KINC) -c -o $@ $<

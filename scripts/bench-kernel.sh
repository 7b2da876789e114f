#!/usr/bin/env bash
# The kernel arena of `make bench`: hmap_bench.ko (hmap vs rhashtable vs a fixed hashtable.h
# table, insert latency while growing, sharded write scaling) and the payload's *_bench
# programs (hmap ioctls vs bpf(2)), in a QEMU guest running the bench kernel: the test
# kernel's config without KASAN/lockdep/kmemleak, built -O2 (scripts/kernel-bench.config).
#   bench-kernel.sh [--quick]    results: bench/results/kernel.md
#                                (--quick: build/quick/kernel.md)
# QEMU TCG executes the kernel faithfully but models no caches: read ratios, not ns.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

quick=${1:-}
top=$HMAP_TOP
build=$top/build
tree=$build/bench-tree
out=$top/bench/results/kernel.md
# Quick runs, like run-native.sh --quick, leave the committed results alone.
[ "$quick" = --quick ] && out=$build/quick/kernel.md
export HMAP_KCONFIG=$top/scripts/kernel-bench.config
kdir=$(kernel_dir)

if [ "$quick" = --quick ]; then
	args="sizes=1000,10000,100000 reps=5 latency_n=100000 scale_n=50000"
	prog_args=10000
else
	# About 5 minutes under TCG, most of it 10^6 (the hint-less fixed
	# table is skipped there: see fixed_nohint_max in hmap_bench.c).
	args="sizes=1000,10000,100000,1000000 reps=5 latency_n=1000000 scale_n=200000"
	prog_args=100000
fi
args=${HMAP_BENCH_ARGS:-$args}
prog_args=${HMAP_BENCH_PROG_ARGS:-$prog_args}

"$top/scripts/build-kernel.sh"
echo "bench-kernel: building the modules for the bench kernel" >&2
# A fresh copy each time: no object built for the test kernel may leak in.
rm -rf "$tree"
kbuild_copy "$tree"
make -s -C "$kdir" M="$tree" HMAP_BENCH=y modules >"$build/bench-modules.log" 2>&1 ||
	{ tail -n 20 "$build/bench-modules.log" >&2; exit 1; }

echo "bench-kernel: running in the VM ($args); this takes a few minutes under TCG" >&2
log=$build/vm-bench.log
rm -f "$log"
HMAP_KDIR=$kdir HMAP_KO_DIR=$tree HMAP_VM_LOG=$log HMAP_BENCH_ARGS="$args" \
	HMAP_BENCH_PROG_ARGS=$prog_args \
	HMAP_VM_TIMEOUT=${HMAP_VM_TIMEOUT:-3600} "$top/scripts/vm.sh" --bench &
vm=$!
# Progress: the newest step the guest reported, whenever it changes.
start=$(date +%s)
last=
while kill -0 "$vm" 2>/dev/null; do
	sleep 2
	now=$(grep -aoE 'hmap_bench progress: .*|HMAP-BENCH: \| [0-9]+ \| [^|]+\|' "$log" 2>/dev/null |
		tail -n 1 | sed -E 's/^hmap_bench progress: //; s/^HMAP-BENCH: \| ([0-9]+) \| ([^|]+)\|/syscall arena: n=\1, \2/; s/ +$//') || true
	if [ -n "$now" ] && [ "$now" != "$last" ]; then
		printf '  bench-kernel: %4ds  %s\n' $(($(date +%s) - start)) "$now" >&2
		last=$now
	fi
done
wait "$vm"

grep -q 'hmap_bench: done' "$log" || { echo "bench-kernel: no results in $log" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
{
	echo "# Kernel arena"
	echo
	echo "$(date -u +%F), Linux $(ksrc_version) bench kernel under QEMU TCG (-smp 2), host CPU:"
	echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-). Module args: $args."
	echo "TCG models no caches: compare ratios within a row group, not absolute ns."
	echo "Plots: kernel-arena.png, kernel-syscall.png. Without a hint the fixed table has 1024"
	echo "heads (DECLARE_HASHTABLE(t, 10)); above fixed_nohint_max=100000 that pass is skipped."
	echo "rhashtable grows and shrinks in a worker, which may run on the other vCPU; hmap grows"
	echo "inline, in the inserting thread, as Go's map does."
	echo
	# Drop the printk timestamp and the prefix; keep the markdown.
	sed -nE 's/^\[[ 0-9.]+\] (hmap_bench: |HMAP-BENCH: )//p' "$log" | grep -v '^done$' |
		sed -E 's/^(##.*)/\n\1\n/'
} >"$out"
plots=$(python3 "$top/bench/kernel/kernel_plot.py" "$out" | tr '\n' ' ') ||
	echo "bench-kernel: no plots (gnuplot missing?)" >&2
echo "bench-kernel: results in $out${plots:+, plots: $plots}" >&2
cat "$out"

#!/usr/bin/env bash
# The kernel arena of `make bench`, in two kernels:
#   - User-Mode Linux (scripts/uml.sh --bench): hmap_bench.ko, hmap vs rhashtable vs a fixed
#     hashtable.h table at each size, and insert latency while a map grows. UML runs the
#     kernel on the host CPU, so caches are real: this is the in-kernel result. One CPU.
#   - QEMU TCG (-smp 2, the bench kernel: the test kernel's config without KASAN/lockdep/
#     kmemleak, -O2, scripts/kernel-bench.config): what needs SMP or a real syscall path,
#     sharded write scaling and hmap ioctls vs bpf(2). TCG models no caches: read ratios.
#   bench-kernel.sh [--quick]    results: bench/results/kernel.md (--quick: build/quick/kernel.md)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

quick=${1:-}
top=$HMAP_TOP
build=$top/build
tree=$build/bench-tree
out=$top/bench/results/kernel.md
# Quick runs, like run-native.sh --quick, leave the committed results alone.
[ "$quick" = --quick ] && out=$build/quick/kernel.md

if [ "$quick" = --quick ]; then
	uml_args="sizes=1000,10000,100000 reps=5 latency_n=100000 scale_n=0"
	tcg_args="sizes= latency_n=0 scale_n=50000 breakdown=0"
	prog_args=10000
else
	uml_args="sizes=1000,10000,100000,1000000 reps=5 latency_n=1000000 scale_n=0"
	tcg_args="sizes= latency_n=0 scale_n=200000 breakdown=0"
	prog_args=100000
fi
uml_args=${HMAP_BENCH_UML_ARGS:-$uml_args}
tcg_args=${HMAP_BENCH_ARGS:-$tcg_args}
prog_args=${HMAP_BENCH_PROG_ARGS:-$prog_args}

echo "bench-kernel: UML arena ($uml_args)" >&2
uml_start=$(date +%s)
"$top/scripts/uml.sh" --bench $uml_args
uml_log=$build/uml/bench.log
grep -q 'hmap_bench: done' "$uml_log" || { echo "bench-kernel: no results in $uml_log" >&2; exit 1; }
uml_secs=$(($(date +%s) - uml_start))

export HMAP_KCONFIG=$top/scripts/kernel-bench.config
kdir=$(kernel_dir)
"$top/scripts/build-kernel.sh"
echo "bench-kernel: building the modules for the bench kernel" >&2
# A fresh copy each time: no object built for the test kernel may leak in.
rm -rf "$tree"
kbuild_copy "$tree"
make -s -C "$kdir" M="$tree" HMAP_BENCH=y modules >"$build/bench-modules.log" 2>&1 ||
	{ tail -n 20 "$build/bench-modules.log" >&2; exit 1; }

echo "bench-kernel: QEMU TCG part ($tcg_args); a few minutes" >&2
log=$build/vm-bench.log
rm -f "$log"
HMAP_KDIR=$kdir HMAP_KO_DIR=$tree HMAP_VM_LOG=$log HMAP_BENCH_ARGS="$tcg_args" \
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

# The module's markdown, without printk timestamps and prefixes.
tables() {
	tr -d '\r' <"$1" | sed -nE 's/^\[[ 0-9.]+\] (hmap_bench: |HMAP-BENCH: )//p' |
		grep -v '^done$' | grep -v '^shape |' | sed -E 's/^(##.*)/\n\1\n/'
}
mkdir -p "$(dirname "$out")"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
{
	echo "# Kernel arena"
	echo
	echo "$(date -u +%F), Linux $(ksrc_version), host CPU: $cpu."
	echo
	echo "## In kernel, real caches: User-Mode Linux"
	echo
	echo "hmap_bench.ko in a UML kernel (scripts/kernel-uml.config, -O2, one CPU, no preemption;"
	echo "${uml_secs} s). Module args: $uml_args. Each insert phase includes finishing what it"
	echo "left pending: rhashtable resizes in a worker, whose pending work (flush_work) is timed"
	echo "with the inserts; hmap's writes leave bucket arrays above two pages to its work item,"
	echo "whose pending work (hmap_flush()) is timed the same way, and evacuate incrementally, as"
	echo "Go's map does. Without a hint the fixed table has 1024 heads (DECLARE_HASHTABLE(t, 10));"
	echo "above fixed_nohint_max=100000 that pass is skipped. UML's clock ticks in 256 ns steps"
	echo "here, so latencies are timed per batch of 16 inserts. On one CPU without preemption the"
	echo "work items run where the inserting thread calls cond_resched() (every 4096 inserts,"
	echo "outside the timed batches); the presized rows are the control: the same inserts without"
	echo "any growth, which shows the arena's own floor (UML's timer ticks and the host)."
	tables "$uml_log"
	echo
	echo "### Table shapes when the lookups run (after the insert with hint, first repetition)"
	echo
	echo "| n | table | buckets | entries per bucket | chains |"
	echo "|---|---|---|---|---|"
	sed -nE 's/^\[[ 0-9.]+\] hmap_bench: shape (.*)/\1/p' "$uml_log"
	echo
	echo "## SMP and syscalls: QEMU TCG"
	echo
	echo "The bench kernel under QEMU TCG (-smp 2), for what UML cannot show (one CPU, ptrace-based"
	echo "syscalls). Module args: $tcg_args. TCG models no caches: compare ratios within a row"
	echo "group, not absolute ns."
	tables "$log"
} >"$out"
plots=$(python3 "$top/bench/kernel/kernel_plot.py" "$out" | tr '\n' ' ') ||
	echo "bench-kernel: no plots (gnuplot missing?)" >&2
echo "bench-kernel: results in $out${plots:+, plots: $plots}" >&2
cat "$out"

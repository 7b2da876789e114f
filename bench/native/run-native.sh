#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Native benchmark arena: hmap's core (userspace build of kmod/hmap_core.c)
# against Go 1.19's map, absl::flat_hash_map, GLib GHashTable and liburcu
# cds_lfht, plus bench-only variants of hmap (layout and hash questions).
#
#   run-native.sh            full: 10^3..10^7, 5 repetitions
#   run-native.sh --quick    10^3..10^5, 5 repetitions
#
# Options: --reps N  --sizes "1000 10000"  --impls "hmap absl"  --cpu N
#          (taskset pin; --cpu none to not pin)  --out DIR  --no-mem
#          --min-ops N  --max-ops N  --no-build
# Full runs write bench/results/native.md, native-<phase>.png and
# raw/ there; quick runs write build/quick/ unless --out is given.
# Progress goes to stderr; every run's rows to the raw file.  Runs made
# while the other CPUs were busy are retried (BUSY_MAX=0.5, RETRY_PCT=10).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
B=$HERE/build

mode=full
reps=5
sizes=""
impls=""
cpu=""
out=""
mem=1
build=1
min_ops=""
max_ops=""

while [ $# -gt 0 ]; do
	case $1 in
	--quick) mode=quick ;;
	--reps) reps=$2; shift ;;
	--sizes) sizes=$2; shift ;;
	--impls) impls=$2; shift ;;
	--cpu) cpu=$2; shift ;;
	--out) out=$2; shift ;;
	--no-mem) mem=0 ;;
	--no-build) build=0 ;;
	--min-ops) min_ops=$2; shift ;;
	--max-ops) max_ops=$2; shift ;;
	-h|--help) sed -n '2,16p' "$0"; exit 0 ;;
	*) echo "run-native.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

MAIN_IMPLS="hmap go absl glib urcu"
VARIANTS="hmap-mixfn hmap-4k"
if [ "$mode" = quick ]; then
	: "${sizes:=1000 10000 100000}"
	: "${min_ops:=500000}"
	: "${out:=$B/quick}"
else
	: "${sizes:=1000 10000 100000 1000000 10000000}"
	: "${min_ops:=500000}"
	: "${out:=$TOP/bench/results}"
fi
: "${max_ops:=500000}"
if [ -z "$cpu" ]; then
	cpu=$(( $(nproc) - 1 ))
fi
pin=()
if [ "$cpu" != none ] && command -v taskset >/dev/null; then
	pin=(taskset -c "$cpu")
fi

log() { printf '%s\n' "$*" >&2; }
fmt_t() { local s=${1%.*}; printf '%dm%02ds' $((s / 60)) $((s % 60)); }	# seconds

# ---- build ----
t_start=$(date +%s.%N)
if [ "$build" = 1 ]; then
	log "bench: building (make -C bench/native)"
	make -s -C "$HERE" main >&2
	make -s -k -C "$HERE" variants >&2 2>"$B/variants-build.log" || true
fi
want=${impls:-"$MAIN_IMPLS $VARIANTS"}
# Page size.  Go's runtime asks for transparent huge pages for its heap
# (madvise); in the kernel, kvmalloc() maps arrays of 2 MB and more with
# 2 MB pages on x86-64 and smaller ones come from the direct map, itself
# mapped with huge pages.  So every contestant on glibc's malloc runs with
# it asking for them too (THP_ENV: madvise huge pages, and grow the heap
# 64 MB at a time, as Go reserves its heap in 64 MB arenas, so that fresh
# heap memory comes in whole huge pages): the same page size for all.
# hmap-4k is the default hmap binary with glibc's defaults (4 KB pages).
THP_ENV=(env GLIBC_TUNABLES=glibc.malloc.hugetlb=1:glibc.malloc.top_pad=67108864)
bin_of() { case $1 in hmap-4k) echo hmap ;; *) echo "$1" ;; esac; }
run_impls=()
for i in $want; do
	b=$(bin_of "$i")
	if [ "$i" = go ]; then f=$B/bench-go; else f=$B/bench-$b-u64; fi
	if [ -x "$f" ] && { [ "$i" = go ] || [ -x "$B/bench-$b-k16v64" ]; }; then
		run_impls+=("$i")
	else
		log "bench: $i not built, skipped (see $B/variants-build.log)"
		echo "$i" >>"$B/skipped.$$"
	fi
done
[ "${#run_impls[@]}" -gt 0 ] || { log "bench: nothing to run"; exit 1; }

mkdir -p "$out/raw"
raw=$out/raw/native.tsv
meta=$out/raw/native.meta
: >"$raw"

cmd_for() {	# kind impl wl -> command words
	local b
	b=$(bin_of "$2")
	if [ "$2" = go ]; then
		echo "$B/bench-go -wl $3"
	elif [ "$2" = hmap-4k ]; then
		echo "$B/bench-$b-$3 -N $2"
	elif [ "$1" = M ]; then
		echo "${THP_ENV[*]} $B/bench-$b-$3-mem"
	else
		echo "${THP_ENV[*]} $B/bench-$b-$3"
	fi
}

# The variants answer hash and page-size questions about hmap.  To keep the
# full run near 20 minutes, at 10^7 only hmap-4k (16 -> 64, where pages
# matter most) runs; 10^6 is already far beyond the caches.
skip_variant() {	# impl wl n
	[ "$3" -ge 10000000 ] || return 1
	case $1 in
	hmap-4k) [ "$2" = u64 ] ;;
	hmap-*) return 0 ;;
	*) return 1 ;;
	esac
}

# ---- plan ----
plan=()
for ((r = 1; r <= reps; r++)); do
	for n in $sizes; do
		for wl in u64 k16v64; do
			# Rotate the order every repetition so that no contestant
			# always runs right after the same neighbour.
			k=${#run_impls[@]}
			for ((j = 0; j < k; j++)); do
				i=${run_impls[$(( (j + r - 1) % k ))]}
				skip_variant "$i" "$wl" "$n" && continue
				plan+=("T $r $n $wl $i")
			done
		done
	done
done
# Insert latency growing from empty (L, hmap and Go, up to 10^6) and hmap's
# batch calls against its single calls (B, up to 10^6): every repetition.
for ((r = 1; r <= reps; r++)); do
	for n in $sizes; do
		[ "$n" -le 1000000 ] || continue
		for wl in u64 k16v64; do
			for i in hmap go; do
				case " ${run_impls[*]} " in *" $i "*) ;; *) continue ;; esac
				if [ "$n" = 1000000 ]; then plan+=("L $r $n $wl $i"); fi
			done
			case " ${run_impls[*]} " in *" hmap "*) plan+=("B $r $n $wl hmap") ;; esac
		done
	done
done
if [ "$mem" = 1 ]; then
	for n in $sizes; do
		for wl in u64 k16v64; do
			for i in "${run_impls[@]}"; do
				# Same layout and allocations as the default.
				case $i in hmap-mixfn|hmap-4k) continue ;; esac
				skip_variant "$i" "$wl" "$n" && continue
				plan+=("M 1 $n $wl $i")
			done
		done
	done
fi

{
	echo "mode=$mode"
	echo "reps=$reps"
	echo "sizes=$sizes"
	echo "impls=${run_impls[*]}"
	echo "min_ops=$min_ops"
	echo "max_ops=$max_ops"
	echo "pin=${pin[*]:-none}"
	echo "malloc_env=${THP_ENV[*]:1}"
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') ($(nproc) online CPUs)"
	echo "cpu_family=$(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' ') model $(grep -m1 '^model[[:space:]]*:' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')"
	echo "caches=$(lscpu 2>/dev/null | awk -F: '/L1d|L2|L3/ {gsub(/^ +/, "", $2); printf "%s %s; ", $1, $2}')"
	echo "mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "kernel=$(uname -r)"
	echo "gcc=$(gcc -dumpfullversion 2>/dev/null)"
	echo "go=$(/usr/lib/go-1.19/bin/go version 2>/dev/null | awk '{print $3}')"
	for p in libabsl-dev libglib2.0-dev liburcu-dev golang-1.19-go; do
		echo "pkg_$p=$(dpkg-query -W -f '${Version}' "$p" 2>/dev/null || echo '?')"
	done
	echo "commit=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo '?')"
	echo "core_dirty=$(git -C "$TOP" status --porcelain -- kmod/hmap_core.c kmod/hmap_core.h 2>/dev/null | wc -l)"
	echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$meta"

# ---- run ----
# Contention guard.  Other sessions' QEMU guests come and go on this VM;
# a busy sibling CPU can double a pinned run's CPU time (shared core or
# caches).  Every timed run records how busy the other CPUs were while it
# ran (/proc/stat); runs above BUSY_MAX are retried after the plan,
# shortest first, within a time budget of RETRY_PCT% of the plan's time.
# The report uses, per repetition, the attempt with the least contention.
BUSY_MAX=${BUSY_MAX:-0.5}
RETRY_PCT=${RETRY_PCT:-10}
others_jiffies() {	# -> "busy total" summed over the CPUs we are not pinned to
	awk -v me="cpu$cpu" '$1 ~ /^cpu[0-9]+$/ && $1 != me {
		t = 0; for (k = 2; k <= NF; k++) t += $k
		busy += t - $5 - $6; total += t
	} END { print busy + 0, total + 0 }' /proc/stat
}

total=${#plan[@]}
log "bench: $mode run, ${#run_impls[@]} contestants (${run_impls[*]}), sizes $sizes, $reps reps, $total runs, pinned: ${pin[*]:-no}"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
declare -A est	# ms per (kind n wl impl), from its first run
keys=()
for ((p = 0; p < total; p++)); do
	read -r kind r n wl i <<<"${plan[$p]}"
	keys[p]="$kind $n $wl $i"
done
fails=0
retry=()	# "duration_ms plan_index" of contended timed runs
declare -A attempts
t_run0=$(now_ms)

# run_one INDEX: run plan[INDEX] once; sets dt (ms) and busy.
run_one() {
	local kind r n wl i b0 t0 b1 t1 a
	read -r kind r n wl i <<<"${plan[$1]}"
	read -ra cmd <<<"$(cmd_for "$kind" "$i" "$wl")"
	if [ "$kind" = M ]; then
		args=(-n "$n" -m)
		# Deleting 10^7 entries once more costs minutes: shown up to 10^6.
		[ "$n" -lt 10000000 ] || args+=(-s)
	elif [ "$kind" = L ]; then
		args=(-n "$n" -r "$r" -l)
	elif [ "$kind" = B ]; then
		args=(-n "$n" -r "$r" -b)
	else
		args=(-n "$n" -r "$r" -o "$min_ops" -x "$max_ops")
	fi
	a=$(( ${attempts[$1]:-0} + 1 ))
	attempts[$1]=$a
	read -r b0 t0 <<<"$(others_jiffies)"
	local s0
	s0=$(now_ms)
	# Latency runs are not pinned: hmap's worker thread (the module's
	# work item) and Go's runtime threads get the other CPU, as they would.
	local p=("${pin[@]}")
	[ "$kind" = L ] && p=()
	if ! timeout 900 "${p[@]}" "${cmd[@]}" "${args[@]}" </dev/null >"$B/run.out" 2>"$B/last-run.err"; then
		fails=$((fails + 1))
		printf 'F\t%s\t%s\t%s\t%s\t%s\n' "$i" "$wl" "$n" "$r" "$kind" >>"$raw"
		log "bench: FAILED: ${cmd[*]} ${args[*]}: $(tail -n 2 "$B/last-run.err" | tr '\n' ' ')"
	fi
	dt=$(( $(now_ms) - s0 ))
	read -r b1 t1 <<<"$(others_jiffies)"
	busy=$(awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.2f", (t > 0 ? b / t : 0) }')
	# Timed rows get two more columns: attempt and contention.
	awk -v a="$a" -v c="$busy" -F'\t' -v OFS='\t' \
		'$1 == "R" { print $0, a, c; next } { print }' "$B/run.out" >>"$raw"
}

progress() {	# label index
	local kind r n wl i what
	read -r kind r n wl i <<<"${plan[$2]}"
	case $kind in M) what=mem ;; L) what=lat ;; B) what=batch ;; *) what=time ;; esac
	printf '[%s] %-4s rep %d/%d n=%-8s %-6s %-10s %6.1fs  busy %s   elapsed %s  eta ~%s\n' \
		"$1" "$what" "$r" "$reps" "$n" "$wl" "$i" "$(echo "scale=1; $dt / 1000" | bc)" \
		"$busy" "$(fmt_t $(( ($(now_ms) - t_run0) / 1000 )))" "$(fmt_t $((rem / 1000)))" >&2
}

for ((p = 0; p < total; p++)); do
	run_one "$p"
	[ -n "${est[${keys[p]}]:-}" ] || est[${keys[p]}]=$dt
	if [ "${keys[p]%% *}" = T ] && [ "${#pin[@]}" -gt 0 ] &&
	   awk -v b="$busy" -v m="$BUSY_MAX" 'BEGIN { exit !(b > m) }'; then
		retry+=("$dt $p")
	fi
	# ETA: remaining runs at the cost of their first repetition.
	rem=0
	for ((q = p + 1; q < total; q++)); do
		rem=$((rem + ${est[${keys[q]}]:-$dt}))
	done
	progress "$(printf '%3d/%d' $((p + 1)) "$total")" "$p"
done

# Retry contended runs, shortest first, within the budget.
budget=$(( ($(now_ms) - t_run0) * RETRY_PCT / 100 ))
spent=0
nretried=0
if [ "${#retry[@]}" -gt 0 ]; then
	log "bench: ${#retry[@]} timed runs ran while other CPUs were > ${BUSY_MAX} busy; retrying within $(fmt_t $((budget / 1000)))"
	while read -r d p; do
		[ $((spent + d)) -le "$budget" ] || continue
		rem=$((budget - spent - d))
		run_one "$p"
		spent=$((spent + dt))
		nretried=$((nretried + 1))
		progress "retry" "$p"
	done < <(printf '%s\n' "${retry[@]}" | sort -n)
fi
t_end=$(date +%s.%N)
{
	echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "runtime_s=$(echo "$t_end - $t_start" | bc)"
	echo "failures=$fails"
	echo "contended=${#retry[@]}"
	echo "retried=$nretried"
	echo "busy_max=$BUSY_MAX"
	echo "retry_pct=$RETRY_PCT"
	if [ -f "$B/skipped.$$" ]; then
		echo "skipped=$(tr '\n' ' ' <"$B/skipped.$$")"
		rm -f "$B/skipped.$$"
	fi
} >>"$meta"

log "bench: writing report to $out"
python3 "$HERE/report.py" --raw "$raw" --meta "$meta" --out "$out"
log "bench: done in $(fmt_t "$(echo "$t_end - $t_start" | bc)"): $out/native.md"
[ "$fails" = 0 ]

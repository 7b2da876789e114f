#!/usr/bin/env bash
# Static checks of the kernel code, each one TAP test case on stdout (details in build/static/):
#   checkpatch  checkpatch.pl --strict over kmod/ tests/kunit/ include/ bench/kernel/ samples/
#   sparse+W=1  a fresh build (C=1 W=1) of a copy of the tree: no sparse or compiler warning
#   kernel-doc  kernel-doc -Wall over kmod/*.c include/linux/*.h: no output at all
# The tools come from the kernel source tree the test kernel is built from, never from the repo.
# Exit status: non-zero if any check failed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

top=$HMAP_TOP
ksrc=$(ksrc_dir)
kdir=${HMAP_KDIR:-$(kernel_dir)}
out=$top/build/static
need_cmd sparse sparse || exit 1
need_cmd perl perl || exit 1
rm -rf "$out"
mkdir -p "$out"
cd "$top"

echo "1..3"
n=0
failed=0
# report NAME LOG: the check failed if LOG is non-empty; show its first lines.
report() {
	n=$((n + 1))
	if [ -s "$2" ]; then
		echo "not ok $n $1"
		sed -n '1,25s/^/#   /p' "$2"
		[ "$(wc -l <"$2")" -le 25 ] || echo "#   ... ($(wc -l <"$2") lines, see $2)"
		failed=$((failed + 1))
	else
		echo "ok $n $1"
	fi
}

# Work on a copy: a fresh build recompiles every file, so a warning cannot hide behind an
# up-to-date .o; and checkpatch, run in a git work tree, drops a camelcase cache file there.
tree=$out/tree
kbuild_copy "$tree"
cd "$tree"

mapfile -t srcs < <(find kmod tests/kunit include bench/kernel samples -name '*.[ch]' 2>/dev/null | sort)

# checkpatch picks up the repo's .checkpatch.conf, if any, from the working directory.
if [ "${#srcs[@]}" -eq 0 ]; then
	echo "no sources under kmod/ tests/kunit/ include/ bench/kernel/ samples/" >"$out/checkpatch.log"
else
	# Non-zero exit on any finding, and on a checkpatch failure of its own (kept in the log).
	if ! "$ksrc/scripts/checkpatch.pl" --no-tree --strict --terse --show-types -f "${srcs[@]}" \
		>"$out/checkpatch.out" 2>&1; then
		grep -vE '^total: ' "$out/checkpatch.out" >"$out/checkpatch.log" ||
			echo "checkpatch.pl failed without a finding" >"$out/checkpatch.log"
	fi
fi
report checkpatch "$out/checkpatch.log"

if make -C "$kdir" M="$tree" HMAP_BENCH=y HMAP_SAMPLES=y C=1 W=1 modules >"$out/sparse.out" 2>&1; then
	grep -E 'warning:|error:|WARNING:' "$out/sparse.out" >"$out/sparse.log" || true
else
	{
		echo "build failed:"
		grep -E 'warning:|error:|WARNING:|Error' "$out/sparse.out" || tail -n 20 "$out/sparse.out"
	} >"$out/sparse.log"
fi
sed -i "s|$tree/||g" "$out/sparse.log"
report "sparse + W=1 build" "$out/sparse.log"

mapfile -t docsrcs < <(find kmod include/linux -maxdepth 1 -name '*.[ch]' ! -path 'kmod/*.h' 2>/dev/null | sort)
if [ "${#docsrcs[@]}" -eq 0 ]; then
	echo "no kmod/*.c or include/linux/*.h" >"$out/kernel-doc.log"
else
	"$ksrc/scripts/kernel-doc" -none -Wall "${docsrcs[@]}" >"$out/kernel-doc.log" 2>&1 || true
fi
report kernel-doc "$out/kernel-doc.log"

[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# `make check`: the one test command. Phases: deps, test kernel (cached), modules (also against
# Debian's stock 6.1 headers), static checks,
# native userspace tests, the userspace product (build, man lint, completion), the KUnit suites in
# User-Mode Linux (real caches, one CPU; its kernel cached too), one QEMU VM boot (KUnit at module
# load, ioctl selftests, unload, kmemleak),
# then a scan of the whole console for kernel splats. Logs go to build/; the output is phase
# headers, failures, and a last line "N passed, N failed" over every KUnit case, selftest case,
# native test case, static check and pipeline step (build, boot, load/unload, clean console).
# Exit status: non-zero on any failure, splat, or missing test output.
set -euo pipefail
# Always the checker kernel (KASAN, lockdep, kmemleak), never e.g. the bench fragment.
unset HMAP_KCONFIG
. "$(dirname "$0")/lib.sh"

top=$HMAP_TOP
build=$top/build
mkdir -p "$build"
t0=$(date +%s)
passed=0
failed=0

phase() { printf '== [%4ds] %s\n' $(($(date +%s) - t0)) "$*"; }
pass() { passed=$((passed + ${1:-1})); }
fail() {
	failed=$((failed + 1))
	echo "  FAIL: $*"
}
# Print the last lines of a log after a failure.
show_tail() { tail -n "${2:-20}" "$1" | sed 's/^/    | /'; }
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}

# Count TAP result lines (timestamps already stripped) of one test program's output.
# Usage: count_tap NAME FILE EXIT_STATUS [quiet]. Skips count as neither passed nor failed.
count_tap() {
	local name=$1 file=$2 rc=$3 ok nok skip plan
	ok=$(grep -cE '^ok [0-9]+' "$file" || true)
	skip=$(grep -cE '^ok [0-9]+.*# (SKIP|skip)' "$file" || true)
	nok=$(grep -cE '^not ok [0-9]+' "$file" || true)
	pass $((ok - skip))
	failed=$((failed + nok))
	[ "${4:-}" = quiet ] || grep -E '^not ok [0-9]+' "$file" | sed "s/^/  FAIL: $name: /" || true
	# A crash part-way leaves fewer results than the plan line announced.
	plan=$(sed -nE 's/^1\.\.([0-9]+).*/\1/p' "$file" | tail -n 1)
	if [ -n "$plan" ] && [ $((ok + nok)) -lt "$plan" ]; then
		fail "$name: $((ok + nok)) results of $plan planned"
	elif [ "$rc" != 0 ] && [ "$nok" -eq 0 ]; then
		fail "$name exited with status $rc"
	fi
	printf '  %s: %d passed, %d failed, %d skipped\n' "$name" $((ok - skip)) "$nok" "$skip"
}

# Parse one module's KTAP with the kernel's kunit.py and count its cases.
# Usage: count_kunit LABEL KTAP_FILE
count_kunit() {
	local label=$1 ktap=$2 parsed=${2%.log}.parsed summary p f
	python3 "$ksrc/tools/testing/kunit/kunit.py" parse "$ktap" >"$parsed" 2>&1 || true
	summary=$(grep -o 'Testing complete\..*' "$parsed" | tail -n 1)
	if [ -z "$summary" ]; then
		fail "kunit.py could not parse $ktap"
		return
	fi
	num() { echo "$summary" | grep -oE "$1: [0-9]+" | grep -oE '[0-9]+' || echo 0; }
	p=$(num passed)
	f=$(($(num failed) + $(num crashed) + $(num errors)))
	pass "$p"
	failed=$((failed + f))
	echo "  $label: ${summary#Testing complete. }"
	# On failure show kunit.py's account of it: failed cases with their messages.
	[ "$f" -eq 0 ] || grep -vE '\[PASSED\]|={20}|^\[[0-9:]+\] *$|Testing complete' \
		"$parsed" | head -n 40 | sed -E 's/^\[[0-9:]+\] /    | /'
	[ "$p" -gt 0 ] || [ "$f" -gt 0 ] || fail "$label ran no KUnit test case"
}

phase "deps (a first run installs Debian packages: a few minutes)"
if ! "$top/scripts/deps.sh" >"$build/deps.log" 2>&1; then
	fail "make deps"
	show_tail "$build/deps.log"
	finish
fi
# Both are keyed by the linux-source-6.12 version: known only once deps.sh installed it.
ksrc=$(ksrc_dir)
kdir=$(kernel_dir)

phase "test kernel ($kdir)"
if ! "$top/scripts/build-kernel.sh"; then
	fail "test kernel build"
	finish
fi

phase "modules (W=1)"
modules_ok=1
if make -C "$kdir" M="$top" W=1 modules >"$build/modules.log" 2>&1; then
	pass
else
	modules_ok=0
	fail "make modules; see $build/modules.log"
	grep -E 'error|Error' "$build/modules.log" | head -n 20 | sed 's/^/    | /'
fi

# What DKMS builds on a stock Debian 12: the same sources against its 6.1 headers.
phase "modules against Debian's stock 6.1 headers (W=1, make distro-build)"
if "$top/scripts/distro-build.sh" >"$build/distro.log" 2>&1; then
	pass
else
	fail "make distro-build; see $build/distro.log and $build/distro-build.log"
	show_tail "$build/distro.log" 10
fi

phase "static checks (checkpatch, sparse + W=1, kernel-doc)"
rc=0
"$top/scripts/static-checks.sh" >"$build/static.log" 2>&1 || rc=$?
# Each failed check followed by its findings.
sed -nE 's/^not ok [0-9]+ (.*)/  FAIL: static: \1/p; s/^#   /      /p' "$build/static.log"
count_tap "static" "$build/static.log" "$rc" quiet

phase "native tests (make -C tests test)"
rc=0
make -C "$top/tests" test >"$build/native.log" 2>&1 || rc=$?
count_tap "native" "$build/native.log" "$rc"
[ "$rc" -eq 0 ] || show_tail "$build/native.log" 10

phase "product: libhmap and hmapctl build, man pages lint, bash completion"
if make -C "$top/user" product >"$build/product.log" 2>&1; then
	pass
else
	fail "make -C user product; see $build/product.log"
	show_tail "$build/product.log" 10
fi
if make -s -C "$top/user" man-lint >"$build/man-lint.log" 2>&1; then
	pass
else
	fail "man-lint: mandoc or groff found problems"
	show_tail "$build/man-lint.log" 10
fi
rc=0
make -s -C "$top/user" completion-test >"$build/completion.log" 2>&1 || rc=$?
count_tap "completion" "$build/completion.log" "$rc"

phase "UML: KUnit on real caches, one CPU (kernel cached like the test kernel)"
if "$top/scripts/uml.sh" --kunit 2>"$build/uml-run.log"; then
	pass
	ktap=$build/uml-kunit.log
	# hmap_kunit's KTAP: from its insmod to the next line of /init.
	sed -n '/^uml-init: insmod \/hmap_kunit.ko$/,/^uml-init: \(done\|FAILED\)$/p' \
		"$top/build/uml/kunit.log" >"$ktap"
	if grep -q 'KTAP version' "$ktap"; then
		count_kunit "kunit hmap_kunit (UML)" "$ktap"
	else
		fail "no KUnit output from hmap_kunit in UML ($top/build/uml/kunit.log)"
	fi
	grep -nE "$splat_re" "$top/build/uml/kunit.log" |
		head -n 10 | sed 's/^/    | /' | grep . && fail "kernel splats on the UML console"
else
	fail "UML run: $(tail -n 1 "$build/uml-run.log")"
fi

phase "VM: boot, KUnit, selftests, unload, kmemleak"
if [ "$modules_ok" -eq 0 ]; then
	fail "VM run skipped: modules did not build"
	finish
fi
vmlog=$build/vm-test.log
if "$top/scripts/vm.sh" --test 2>"$build/vm-run.log"; then
	pass
	echo "  $(tail -n 1 "$build/vm-run.log")"
else
	fail "VM run: $(tail -n 1 "$build/vm-run.log")"
fi
[ -f "$vmlog" ] || finish
# The serial console ends lines with CR LF; keep one copy with printk timestamps (for kunit.py)
# and one without (for TAP and marker matching).
console=$build/vm-test.console
plain=$build/vm-test.plain
tr -d '\r' <"$vmlog" >"$console"
sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' "$console" >"$plain"

# Load/unload steps the guest reported.
while read -r verdict what; do
	if [ "$verdict" = ok ]; then pass; else fail "guest: $what"; fi
done < <(sed -nE 's/^HMAP-VM: step (ok|fail) (.*)/\1 \2/p' "$plain")

# KUnit: each module's KTAP lies between the guest's markers (the kernel's own boot-time
# "KTAP version 1 / 1..0" header would otherwise be taken for the start); kunit.py parses it.
for mod in $(sed -nE 's/^HMAP-VM: ktap-begin (.*)/\1/p' "$plain"); do
	ktap=$build/kunit-$mod.log
	# Keep the timestamps: kunit.py strips the prefix it finds before "KTAP version".
	sed -n "/HMAP-VM: ktap-begin $mod\$/,/HMAP-VM: ktap-end $mod\$/p" "$console" >"$ktap"
	if ! grep -q 'KTAP version' "$ktap"; then
		# An extra module need not have KUnit suites; hmap_kunit must.
		[ "$mod" = hmap_kunit ] && fail "no KUnit output from $mod"
		continue
	fi
	count_kunit "kunit $mod" "$ktap"
done
grep -q '^HMAP-VM: ktap-begin hmap_kunit$' "$plain" || fail "hmap_kunit.ko was never loaded"

# Selftests (kselftest harness TAP), each between begin/end markers with its exit status.
nself=0
for t in $(sed -nE 's/^HMAP-VM: selftest-begin (.*)/\1/p' "$plain"); do
	nself=$((nself + 1))
	out=$build/selftest-$t.log
	sed -n "/^HMAP-VM: selftest-begin $t\$/,/^HMAP-VM: selftest-end $t /p" "$plain" >"$out"
	rc=$(sed -nE "s/^HMAP-VM: selftest-end $t exit=([0-9]+)/\1/p" "$out")
	[ -n "$rc" ] || rc="(no end marker: guest died)"
	count_tap "selftest $t" "$out" "$rc"
done
[ "$nself" -gt 0 ] || echo "  selftests: none in tests/build/vm"

# Any splat fails the run even if every test passed.
splats=$build/splats.log
grep -nE "$splat_re" \
	"$console" >"$splats" || true
if [ -s "$splats" ]; then
	fail "kernel splats on the console ($(wc -l <"$splats") lines; all in $splats):"
	head -n 30 "$splats" | sed 's/^/    | /'
	first=$(head -n 1 "$splats" | cut -d: -f1)
	echo "  first splat in context ($console:$first):"
	sed -n "${first},$((first + 24))p" "$console" | sed 's/^/    | /'
else
	pass
	echo "  console: no splats"
fi
if ! grep -q '^HMAP-VM: kmemleak-end unloaded' "$plain"; then
	fail "kmemleak scan did not run"
fi

phase "done"
finish

#!/usr/bin/env bash
# `make demo`: build whatever is missing, boot the test kernel in QEMU, show hmap at work.
# The guest runs tests/build/vm/demo.sh if the payload has one (hmapctl session),
# otherwise the KUnit suites, whose results are shown per suite.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

top=$HMAP_TOP
build=$top/build
mkdir -p "$build"

say() { echo "demo: $*"; }

say "checking build dependencies (log: build/deps.log)"
"$top/scripts/deps.sh" >"$build/deps.log" 2>&1 || {
	tail -n 20 "$build/deps.log" >&2
	exit 1
}
# Both are keyed by the linux-source-6.12 version: known only once deps.sh installed it.
kdir=$(kernel_dir)
ksrc=$(ksrc_dir)
if [ ! -f "$kdir/.hmap-ready" ]; then
	say "the first run builds a Linux 6.12 test kernel with KASAN, lockdep and KUnit:"
	say "4 to 9 minutes on 2 cores, once (cached in $kdir). Later runs take about a minute."
fi
"$top/scripts/build-kernel.sh"
say "building hmap.ko, hmap_dev.ko and hmap_kunit.ko (log: build/modules.log)"
make -C "$kdir" M="$top" W=1 modules >"$build/modules.log" 2>&1 || {
	grep -E 'error|Error' "$build/modules.log" | head -n 20 >&2
	exit 1
}

say "booting the test kernel under QEMU (TCG, no KVM here): about 20 s"
log=$build/vm-demo.log
"$top/scripts/vm.sh" --demo
console=$build/vm-demo.console
tr -d '\r' <"$log" >"$console"
echo

if grep -q 'HMAP-VM: demo-begin' "$console"; then
	say "output of demo.sh in the VM:"
	sed -n '/HMAP-VM: demo-begin/,/HMAP-VM: demo-end/p' "$console" | sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' |
		grep -v '^HMAP-VM: ' | sed 's/^/  /'
	rc=$(sed -nE 's/.*HMAP-VM: demo-end exit=([0-9]+)/\1/p' "$console")
	[ "$rc" = 0 ] || {
		say "demo.sh exited with status ${rc:-unknown}"
		exit 1
	}
	exit 0
fi

# No demo script yet: the KUnit run, summarised per suite from kunit.py's JSON.
ktap=$build/kunit-demo.log
sed -n '/HMAP-VM: ktap-begin hmap_kunit$/,/HMAP-VM: ktap-end hmap_kunit$/p' "$console" >"$ktap"
rc=0
python3 "$ksrc/tools/testing/kunit/kunit.py" parse --json="$build/kunit-demo.json" "$ktap" \
	>"$build/kunit-demo.parsed" 2>&1 || rc=$?
if [ ! -s "$build/kunit-demo.json" ]; then
	say "no KUnit results in $log"
	exit 1
fi
say "KUnit suites run inside the VM (hmap_kunit.ko, loaded with insmod):"
python3 - "$build/kunit-demo.json" <<'EOF'
import json, sys

def leaves(group):
    """(passed, failed, skipped) over a group's test cases, parameterised ones included."""
    p = f = s = 0
    for case in group["test_cases"]:
        st = case["status"]
        p, f, s = p + (st == "PASS"), f + (st not in ("PASS", "SKIP")), s + (st == "SKIP")
    for sub in group["sub_groups"]:
        sp, sf, ss = leaves(sub)
        p, f, s = p + sp, f + sf, s + ss
    return p, f, s

top = json.load(open(sys.argv[1]))
for suite in top["sub_groups"]:
    p, f, s = leaves(suite)
    verdict = "FAILED" if f else "ok"
    extra = f", {s} skipped" if s else ""
    print(f"  {suite['name']:<32} {p:4d} passed, {f} failed{extra}  {verdict}")
EOF
grep -o 'Testing complete\..*' "$build/kunit-demo.parsed" | sed 's/^/  /'
say "full console log: $log"
exit "$rc"

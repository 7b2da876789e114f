#!/usr/bin/env bash
# make soak: the test VM with the selftests' long campaigns (HMAP_SOAK=1 in the guest):
# fail-nth over every allocating command, 10^6 fuzzed ioctls, 60 s of four-process
# stress, the memcg limit; then KUnit, the other selftests, unload and kmemleak as in
# make check. Prints each campaign's figures; exit status 0 only if every selftest passed
# and the console shows no splat.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
top=$HMAP_TOP
log=$top/build/vm-soak.log

make -s -C "$top" modules >/dev/null
make -s -C "$top/tests" vm-bin >/dev/null
start=$(date +%s)
HMAP_SOAK=1 HMAP_VM_LOG=$log HMAP_VM_TIMEOUT=${HMAP_VM_TIMEOUT:-1800} "$top/scripts/vm.sh" --test
echo "soak: $(($(date +%s) - start)) s in the VM; log: $log"
grep -a 'CAMPAIGN' "$log" | sed -E 's/^\[[ 0-9.]+\] *#? ?//' || true
fail=0
grep -aE 'selftest-end .* exit=[1-9]' "$log" && fail=1
if grep -aqE "$splat_re" "$log"; then
	echo "soak: splat on the console:"
	grep -aE "$splat_re" "$log" | head -n 20
	fail=1
else
	echo "soak: console: no splats"
fi
exit $fail

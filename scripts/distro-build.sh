#!/usr/bin/env bash
# Build hmap.ko against Debian's stock kernel headers (6.1, what a user of this machine runs),
# W=1, from a fresh copy of the sources so every file is recompiled. Any warning is a failure.
#   distro-build.sh [HEADERS_DIR]   default: /usr/src/linux-headers-*-amd64
set -euo pipefail
. "$(dirname "$0")/lib.sh"

top=$HMAP_TOP
hdr=${1:-}
[ -n "$hdr" ] || hdr=$(find /usr/src -maxdepth 1 -name 'linux-headers-*-amd64' | sort -V | tail -n 1)
if [ -z "$hdr" ] || [ ! -f "$hdr/Makefile" ]; then
	echo "distro-build: no /usr/src/linux-headers-*-amd64 (make deps installs linux-headers-amd64)" >&2
	exit 1
fi
out=$top/build/distro
log=$top/build/distro-build.log
rm -rf "$out"
kbuild_copy "$out"

echo "distro-build: $(basename "$hdr") W=1 (log: $log)"
rc=0
make -C "$hdr" M="$out" HMAP_BENCH=y HMAP_SAMPLES=y W=1 modules >"$log" 2>&1 || rc=$?
# The stock headers come prebuilt, so every warning in the log is about hmap's code.
if grep -E 'warning:|error:|WARNING:' "$log" | sed "s|$out/||" >&2; then
	rc=1
elif [ "$rc" -ne 0 ]; then
	tail -n 20 "$log" >&2
fi
if [ "$rc" -ne 0 ]; then
	echo "distro-build: FAILED against $(basename "$hdr")" >&2
	exit 1
fi
echo "distro-build: ok: $(cd "$out" && ls -- *.ko | tr '\n' ' ')"

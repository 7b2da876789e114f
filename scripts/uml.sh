#!/usr/bin/env bash
# Run hmap's modules in User-Mode Linux: a 6.12 kernel (scripts/kernel-uml.config, built once and
# cached like the test kernel) that runs as a host process on the real CPU, so caches and memory
# latency are real; uniprocessor, no preemption. The root is a host directory (hostfs) whose /init
# (scripts/uml-init.c, built with the kernel's nolibc) loads the modules listed for it and powers off.
#
#   uml.sh --kunit          hmap.ko, hmap_dev.ko, hmap_kunit.ko: the KUnit suites run while it loads
#   uml.sh --bench [ARGS]   hmap.ko, hmap_bench.ko ARGS: the kernel arena of `make bench`
#
# The console goes to build/uml/<mode>.log. Environment: HMAP_UML_MEM (default 3G),
# HMAP_UML_TIMEOUT (seconds, default 900).
# Exit status: 0 if every module loaded and the kernel powered off, 1 otherwise.
set -euo pipefail
HMAP_KCONFIG=$(cd "$(dirname "$0")" && pwd)/kernel-uml.config
export HMAP_KCONFIG
. "$(dirname "$0")/lib.sh"

mode=${1:-}
case "$mode" in
--kunit | --bench) mode=${mode#--} ;;
*)
	echo "usage: $0 --kunit | --bench [module parameters]" >&2
	exit 2
	;;
esac
shift
top=$HMAP_TOP
out=$top/build/uml
log=$out/$mode.log
die() {
	echo "uml: $*" >&2
	exit 1
}

"$top/scripts/build-kernel.sh"
kdir=$(kernel_dir)
ksrc=$(ksrc_dir)
[ -x "$kdir/linux" ] || die "no UML kernel at $kdir/linux"

# Modules from a copy of the sources: objects of the x86_64 builds must not mix in.
mkdir -p "$out"
kbuild_copy "$out/src"
extra=()
[ "$mode" = bench ] && extra=(HMAP_BENCH=y)
make -C "$kdir" ARCH=um M="$out/src" "${extra[@]}" modules >"$out/modules.log" 2>&1 ||
	{ tail -n 20 "$out/modules.log" >&2; die "module build failed (log: $out/modules.log)"; }

root=$out/root
rm -rf "$root"
mkdir -p "$root"
cc -static -nostdlib -fno-stack-protector -O2 -Wall -Wextra \
	-include "$ksrc/tools/include/nolibc/nolibc.h" -I"$ksrc/tools/include/nolibc" \
	-o "$root/init" "$top/scripts/uml-init.c" -lgcc ||
	die "could not build scripts/uml-init.c against $ksrc/tools/include/nolibc"
case "$mode" in
kunit) kos=(hmap hmap_dev hmap_kunit) ;;
bench) kos=(hmap hmap_bench) ;;
esac
: >"$root/modules.list"
for ko in "${kos[@]}"; do
	cp "$out/src/$ko.ko" "$root/"
	if [ "$ko" = hmap_bench ]; then
		echo "/$ko.ko $*" >>"$root/modules.list"
	else
		echo "/$ko.ko" >>"$root/modules.list"
	fi
done

mkdir -p "$out/umid"
rc=0
timeout "${HMAP_UML_TIMEOUT:-900}" "$kdir/linux" mem="${HMAP_UML_MEM:-3G}" uml_dir="$out/umid" \
	rootfstype=hostfs rootflags="$root" rw init=/init con=null con0=fd:0,fd:1 \
	</dev/null >"$log.raw" 2>&1 || rc=$?
# The console ends lines with CR LF.
tr -d '\r' <"$log.raw" >"$log"
rm -f "$log.raw"
if [ "$rc" -ne 0 ]; then
	die "the UML kernel exited with status $rc (console: $log)"
fi
grep -q '^uml-init: done' "$log" || die "a module did not load (console: $log)"

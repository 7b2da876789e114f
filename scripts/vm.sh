#!/usr/bin/env bash
# Boot the cached test kernel under QEMU (TCG) with a busybox initramfs holding hmap.ko, hmap_dev.ko,
# hmap_kunit.ko, the VM payload of tests/Makefile and scripts/vm-init.sh as /init.
#
#   vm.sh --test    load the modules (KUnit runs at load), run the *_test selftests, unload,
#                   kmemleak scan, power off. Console log: build/vm-test.log
#   vm.sh --demo    run the payload's demo.sh if there is one, else the KUnit suites
#   vm.sh --shell   interactive busybox shell on the console with hmap.ko and hmap_dev.ko loaded
#   vm.sh --bench   load hmap_bench.ko (kernel arena) with HMAP_BENCH_ARGS, run the payload's
#                   *_bench programs with HMAP_BENCH_PROG_ARGS; usually with HMAP_KDIR and
#                   HMAP_KO_DIR of the bench kernel
#
# Environment: HMAP_KO_DIR (where the .ko files are, default the repo top),
# HMAP_EXTRA_KO ("a.ko b.ko": more modules to load after hmap_kunit.ko, e.g. to prove a red run),
# HMAP_SOAK=1 (the selftests' long campaigns, see make soak),
# HMAP_VM_TIMEOUT (seconds, default 900), HMAP_VM_MEM (default 2G), HMAP_VM_LOG (log path).
# Exit status: 0 if the guest ran to its end, 1 otherwise (timeout, panic, missing files).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:-}
case "$mode" in
--test | --demo | --shell | --bench) mode=${mode#--} ;;
*)
	echo "usage: $0 --test|--demo|--shell|--bench" >&2
	exit 2
	;;
esac

top=$HMAP_TOP
kdir=${HMAP_KDIR:-$(kernel_dir)}
kodir=${HMAP_KO_DIR:-$top}
build=$top/build
log=${HMAP_VM_LOG:-$build/vm-$mode.log}
timeout_s=${HMAP_VM_TIMEOUT:-900}
bzimage=$kdir/arch/x86/boot/bzImage

die() {
	echo "vm: $*" >&2
	exit 1
}
need_cmd qemu-system-x86_64 qemu-system-x86 || exit 1
need_cmd cpio cpio || exit 1
[ -f "$bzimage" ] || die "no test kernel at $bzimage (run 'make kernel')"
# The bench kernel has no KUnit: it needs the benchmark module instead.
kos="hmap.ko hmap_dev.ko hmap_kunit.ko"
[ "$mode" = bench ] && kos="hmap.ko hmap_dev.ko hmap_bench.ko"
for ko in $kos; do
	[ -f "$kodir/$ko" ] || die "$kodir/$ko missing (run 'make modules')"
done

mkdir -p "$build"
# The guest payload: statically linked programs (tests/Makefile vm-bin).
payload=$top/tests/build/vm
make -C "$top/tests" vm-bin >"$build/vm-bin.log" 2>&1 ||
	die "make -C tests vm-bin failed; see $build/vm-bin.log"

# Assemble the initramfs from scratch each time (about a second): no stale payload survives.
root=$build/vm/root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,etc,root,lib/hmap/extra,opt/hmap}
# busybox-static's binary: the initramfs has no shared libraries.
[ -x /bin/busybox ] || die "/bin/busybox missing (make deps installs busybox-static)"
cp /bin/busybox "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list-full); do
	[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
install -m 0755 "$top/scripts/vm-init.sh" "$root/init"
for ko in $kos; do
	cp "$kodir/$ko" "$root/lib/hmap/"
done
extra_names=""
for ko in ${HMAP_EXTRA_KO:-}; do
	[ -f "$ko" ] || die "HMAP_EXTRA_KO: $ko not found"
	cp "$ko" "$root/lib/hmap/extra/"
	extra_names="$extra_names $(basename "$ko")"
done
if [ -d "$payload" ]; then
	cp -a "$payload/." "$root/opt/hmap/"
fi
printf 'MODE=%s\nEXTRA_KO="%s"\nBENCH_ARGS="%s"\nBENCH_PROG_ARGS="%s"\nSOAK="%s"\n' "$mode" \
	"${extra_names# }" "${HMAP_BENCH_ARGS:-}" "${HMAP_BENCH_PROG_ARGS:-}" "${HMAP_SOAK:-}" \
	>"$root/etc/hmap-vm.conf"
initrd=$build/vm/initramfs.cpio.gz
(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$initrd"

# printk.devkmsg=on: the guest writes all its output through /dev/kmsg, never rate-limited.
append="console=ttyS0 panic=-1 printk.devkmsg=on kunit.enable=1"
qemu=(qemu-system-x86_64 -accel tcg -smp 2 -m "${HMAP_VM_MEM:-2G}" -nographic -no-reboot
	-kernel "$bzimage" -initrd "$initrd" -append "$append")
# Benchmarks: fault the guest's RAM in on the host before boot, so the first
# table to touch fresh guest pages does not pay the host's page faults.
[ "$mode" = bench ] && qemu+=(-mem-prealloc)

if [ "$mode" = shell ]; then
	echo "vm: booting the test kernel (TCG, ~15 s); console log: $log" >&2
	"${qemu[@]}" | tee "$log"
	exit 0
else
	start=$(date +%s)
	rc=0
	# The guest powers itself off; timeout is the backstop for a hung kernel.
	timeout -k 10 "$timeout_s" "${qemu[@]}" </dev/null >"$log" 2>&1 || rc=$?
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "vm: guest did not finish within ${timeout_s}s (HMAP_VM_TIMEOUT); log: $log" >&2
		exit 1
	fi
	[ "$rc" -eq 0 ] || die "qemu exited with status $rc; log: $log"
	echo "vm: $mode run took $(($(date +%s) - start))s; log: $log" >&2
fi
grep -q 'HMAP-VM: done' "$log" || die "the guest did not reach its end (panic or crash?); log: $log"

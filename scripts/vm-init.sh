#!/bin/sh
# /init of the hmap test VM (busybox ash, PID 1). scripts/vm.sh copies it into the initramfs next
# to /etc/hmap-vm.conf (MODE, EXTRA_KO). Everything the host parses goes through /dev/kmsg, so it
# reaches the serial console in one ordered stream with the kernel's own messages (a tty write
# and a printk can overtake each other; two printks cannot). Marker lines start with "HMAP-VM: ".
export PATH=/opt/hmap:/bin:/sbin:/usr/bin:/usr/sbin
mount -t devtmpfs dev /dev
# The initramfs has no /dev/console node: reopen the console now that devtmpfs is up.
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmp /tmp
. /etc/hmap-vm.conf

mark() { printf 'HMAP-VM: %s\n' "$*" >/dev/kmsg; }

# Copy a file to the kernel log line by line (empty lines kept as a lone space).
to_kmsg() {
	while IFS= read -r l || [ -n "$l" ]; do
		printf '%s\n' "${l:- }" >/dev/kmsg
	done <"$1"
}

# step NAME CMD...: run CMD, report "step ok|fail NAME" for the host to count.
step() {
	name=$1
	shift
	if "$@" >/tmp/step.out 2>&1; then
		mark "step ok $name"
	else
		rc=$?
		to_kmsg /tmp/step.out
		mark "step fail $name (exit $rc)"
	fi
}

# insmod a module whose KUnit suites run during the load; the markers bound its KTAP output.
load_kunit() {
	mark "ktap-begin $(basename "$1" .ko)"
	step "insmod $(basename "$1")" insmod "$1"
	mark "ktap-end $(basename "$1" .ko)"
}

run_selftests() {
	for t in /opt/hmap/*_test; do
		[ -x "$t" ] || continue
		n=$(basename "$t")
		mark "selftest-begin $n"
		HMAP_SOAK=$SOAK "$t" >/tmp/selftest.out 2>&1
		rc=$?
		to_kmsg /tmp/selftest.out
		mark "selftest-end $n exit=$rc"
	done
}

# kmemleak reports an object only if it is older than 5 s and unchanged since the previous
# scan (a new object's first scan only records its checksum): hence scan, pause, scan.
# Reading the report while hmap is still loaded gives symbolised backtraces; the pass after
# unloading catches what the exit paths leak. Usage: kmemleak_check LABEL
kmemleak_check() {
	k=/sys/kernel/debug/kmemleak
	if [ ! -w $k ]; then
		mark "kmemleak unavailable"
		return
	fi
	echo scan >$k
	sleep 5
	echo scan >$k
	cat $k >/tmp/kmemleak.out
	mark "kmemleak-begin $1"
	to_kmsg /tmp/kmemleak.out
	mark "kmemleak-end $1"
}

unload_all() {
	for m in $EXTRA_KO; do
		rmmod "$(basename "$m" .ko)" 2>/dev/null
	done
	step "rmmod hmap_kunit" rmmod hmap_kunit
	# A mounted hmapfs holds hmap_dev (as a mounted bpffs would hold bpf).
	step "umount /sys/fs/hmap" umount /sys/fs/hmap
	step "rmmod hmap_dev" rmmod hmap_dev
	step "rmmod hmap" rmmod hmap
}

mark "init start mode=$MODE kernel=$(uname -r)"
step "insmod hmap.ko" insmod /lib/hmap/hmap.ko
step "insmod hmap_dev.ko" insmod /lib/hmap/hmap_dev.ko
# hmap_dev.ko makes the mount point, as the kernel does /sys/fs/bpf for bpffs.
step "mount hmapfs" mount -t hmap none /sys/fs/hmap

case "$MODE" in
test)
	load_kunit /lib/hmap/hmap_kunit.ko
	for m in $EXTRA_KO; do
		load_kunit "/lib/hmap/extra/$m"
	done
	run_selftests
	kmemleak_check loaded
	unload_all
	kmemleak_check unloaded
	;;
demo)
	if [ -f /opt/hmap/demo.sh ]; then
		mark "demo-begin"
		sh /opt/hmap/demo.sh >/tmp/demo.out 2>&1
		rc=$?
		to_kmsg /tmp/demo.out
		mark "demo-end exit=$rc"
	else
		load_kunit /lib/hmap/hmap_kunit.ko
	fi
	;;
bench)
	# hmap_bench prints its tables while loading and holds nothing afterwards.
	step "insmod hmap_bench.ko" insmod /lib/hmap/hmap_bench.ko $BENCH_ARGS
	rmmod hmap_bench
	for b in /opt/hmap/*_bench; do
		[ -x "$b" ] || continue
		mark "bench-begin $(basename "$b")"
		"$b" $BENCH_PROG_ARGS >/tmp/bench.out 2>&1
		to_kmsg /tmp/bench.out
		mark "bench-end $(basename "$b") exit=$?"
	done
	;;
shell)
	cat >/etc/profile <<-'EOF'
		export PATH=/opt/hmap:/bin:/sbin:/usr/bin:/usr/sbin PS1='hmap-vm# '
		# PID 1 is this script, not busybox init; QEMU has -no-reboot, so a reboot ends it.
		alias poweroff='reboot -f' reboot='reboot -f' halt='reboot -f'
	EOF
	echo
	echo "hmap test VM: hmap.ko and hmap_dev.ko are loaded; /lib/hmap has hmap_kunit.ko, /opt/hmap the tools."
	echo "Leave with 'poweroff' or Ctrl-D (Ctrl-A x kills QEMU)."
	setsid cttyhack sh -l
	;;
esac

mark "done"
sync
# QEMU's ACPI tables need PCI, which the test kernel lacks, so ACPI power-off is unavailable
# ("System halted"). A reboot ends QEMU instead: it runs with -no-reboot.
reboot -f

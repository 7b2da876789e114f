#!/usr/bin/env bash
# `make check-fresh`: the README's two commands on a fresh Debian 12, not on this machine.
# Builds a minimal Debian 12 root with debootstrap (minbase, plus git, make and gcc, which
# the README assumes), clones HEAD into it (committed work only), and runs `make demo`,
# then `make check` inside it as root, printing each one's wall time and result. Nothing
# this machine installed or cached is visible inside: the test kernel is built there.
# About 11 minutes on 2 idle cores (10m48s measured). Not part of `make check`.
#
#   check-fresh.sh [--keep]   --keep leaves the root in build/fresh for a look inside
#   check-fresh.sh --deb      instead: install the packages of `make deb` (build/deb/*.deb)
#                             with apt into a fresh root; check dkms status, hmapctl --help,
#                             man hmapctl, and a program built with pkg-config libhmap
# Environment: HMAP_FRESH_DIR (default build/fresh), HMAP_MIRROR (default deb.debian.org).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

top=$HMAP_TOP
dir=${HMAP_FRESH_DIR:-$top/build/fresh}
root=$dir/root
mirror=${HMAP_MIRROR:-http://deb.debian.org/debian}
keep=0
mode=commands
case "${1:-}" in
--keep) keep=1 ;;
--deb) mode=deb ;;
esac

[ "$(id -u)" -eq 0 ] || {
	echo "check-fresh: needs root (debootstrap, chroot, mounts)" >&2
	exit 1
}
need_cmd debootstrap debootstrap
need_cmd git git

mounts=(proc sys dev dev/pts)
cleanup() {
	local m i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		m=$root/${mounts[i]}
		mountpoint -q "$m" && umount -l "$m"
	done
	[ "$keep" -eq 1 ] || rm -rf "$root"
}
trap cleanup EXIT

say() { printf 'check-fresh: %s\n' "$*"; }
# Run a bash command line in the root, with a clean environment.
in_chroot() {
	chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive bash -c "$*"
}
t() { date +%s; }

# The packages as a Debian user gets them: apt resolves their dependencies and
# recommends (dkms, the headers of the root's kernel), DKMS builds hmap.ko for them.
deb_check() {
	local debs=("$top"/build/deb/*.deb) f fails=0
	[ -f "${debs[0]}" ] || {
		echo "check-fresh: no build/deb/*.deb: run 'make deb' first" >&2
		exit 1
	}
	mkdir -p "$root/root/debs"
	cp "${debs[@]}" "$root/root/debs/"
	say "apt install ./debs/*.deb man-db pkg-config (log: $dir/deb-install.log)"
	local s
	s=$(t)
	# The kernel headers come as dkms's recommendation (linux-headers-amd64), as on a host.
	in_chroot 'apt-get update -qq && apt-get install -y -q man-db pkg-config &&
		cd /root/debs && apt-get install -y -q ./*.deb' >"$dir/deb-install.log" 2>&1 || {
		tail -n 30 "$dir/deb-install.log" >&2
		say "apt install FAILED"
		exit 1
	}
	say "installed in $(($(t) - s)) s"
	check_in_root() {
		local what=$1
		shift
		if in_chroot "$*" >"$dir/step.log" 2>&1; then
			say "ok: $what"
		else
			say "FAILED: $what"
			fails=$((fails + 1))
		fi
		sed 's/^/  | /' "$dir/step.log" | head -n 12
	}
	check_in_root "dkms status shows hmap installed for the root's kernel" \
		'dkms status hmap | tee /dev/stderr | grep -E "hmap/[0-9.]+, [0-9.]+-[0-9]+-amd64, x86_64: installed"'
	check_in_root "the module and its udev rule" \
		'ls /lib/modules/*/updates/dkms/hmap.ko /lib/modules/*/updates/dkms/hmap_dev.ko && cat /lib/udev/rules.d/60-hmap.rules | grep GROUP && getent group hmap'
	check_in_root "hmapctl --help" 'hmapctl --help | head -n 3 && hmapctl --version'
	check_in_root "man hmapctl, man libhmap" \
		'MANWIDTH=80 man hmapctl | head -n 5 && MANWIDTH=80 man 3 libhmap | head -n 5'
	cat >"$root/root/v.c" <<'C'
#include <hmap.h>
#include <stdio.h>
int main(void) { printf("libhmap %s; create: %d\n", hmap_version(), hmap_create(&(struct hmap_create_opts){ .key_size = 4, .value_size = 4 })); return 0; }
C
	check_in_root "a program built with pkg-config libhmap (no /dev/hmap in a chroot: -ENOENT)" \
		'cd /root && gcc -o v v.c $(pkg-config --cflags --libs libhmap) && ./v && ldd ./v | grep libhmap'
	say "packages: $((5 - fails)) of 5 checks passed"
	[ "$fails" -eq 0 ]
}

rm -rf "$dir"
mkdir -p "$dir"
say "debootstrap bookworm (minbase + git make gcc) into $root (log: $dir/debootstrap.log)"
t0=$(t)
debootstrap --variant=minbase --include=git,make,gcc bookworm "$root" "$mirror" \
	>"$dir/debootstrap.log" 2>&1 || {
	tail -n 20 "$dir/debootstrap.log" >&2
	exit 1
}
# A Debian 12 install's apt sources: the release, its updates and security.
cat >"$root/etc/apt/sources.list" <<SRC
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SRC
cp /etc/resolv.conf "$root/etc/resolv.conf"
say "root ready in $(($(t) - t0)) s"

mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"

if [ "$mode" = deb ]; then
	deb_check
	exit
fi

git clone -q --no-local "$top" "$root/root/hmap"
say "cloned $(git -C "$top" rev-parse --short HEAD) to /root/hmap"

rc=0
results=()
for cmd in "make demo" "make check"; do
	log=$dir/${cmd#make }.log
	say "$cmd (log: $log)"
	s=$(t)
	r=0
	in_chroot "cd /root/hmap && $cmd" 2>&1 | tee "$log" | sed 's/^/  | /' || r=$?
	results+=("$(printf '%-10s %5d s  %s' "$cmd" $(($(t) - s)) "$([ "$r" -eq 0 ] && echo passed || echo "FAILED (exit $r)")")")
	[ "$r" -eq 0 ] || rc=1
done
say "summary (fresh Debian 12 root, $(nproc) CPUs):"
printf '  %s\n' "${results[@]}"
exit "$rc"

#!/usr/bin/env bash
# `make install` / `make uninstall` for a real host, as root.
#
#   install.sh install     hmap.ko and hmap_dev.ko for KDIR (default: the running kernel's headers),
#                          hmapctl, libhmap (shared with soname, static), its headers and
#                          pkg-config file, man pages, bash completion, and a udev rule
#                          that gives /dev/hmap to the group "hmap" (created if missing)
#   install.sh uninstall   remove exactly what install put there
#   install.sh dkms        the module sources to /usr/src/hmap-VERSION, then dkms add,
#                          build and install for the running kernel (DKMS rebuilds it for
#                          every kernel installed later)
#   install.sh dkms-remove dkms remove --all, and the sources
#
# Environment: KDIR (kernel build tree), PREFIX (default /usr/local), UDEVDIR (default
# /etc/udev/rules.d). install records every file it wrote in
# PREFIX/share/hmap/install-manifest; uninstall reads it back.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

top=$HMAP_TOP
version=$(cat "$top/scripts/pkg/VERSION")
PREFIX=${PREFIX:-/usr/local}
UDEVDIR=${UDEVDIR:-/etc/udev/rules.d}
manifest=$PREFIX/share/hmap/install-manifest
stage=$top/build/install-root

die() {
	echo "install: $*" >&2
	exit 1
}

need_root() {
	[ "$(id -u)" -eq 0 ] || die "run as root (sudo make $1)"
}

# KDIR, or the running kernel's headers; the kernel release the module is for.
kernel_tree() {
	local kdir=${KDIR:-/lib/modules/$(uname -r)/build}
	[ -f "$kdir/Makefile" ] ||
		die "no kernel build tree at $kdir: install linux-headers-$(uname -r), or pass KDIR=<tree>"
	echo "$kdir"
}

# The release the module's vermagic will carry (Debian's headers keep the upstream version
# in include/config/kernel.release, the package's in utsrelease.h).
kernel_release() {
	local f=$1/include/generated/utsrelease.h rel
	[ -f "$f" ] || die "$f is missing: is $1 a prepared kernel build tree?"
	rel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$f")
	[ -n "$rel" ] || die "no UTS_RELEASE in $f"
	echo "$rel"
}

# Reload udev rules and re-apply them to an existing /dev/hmap, when udev runs.
udev_reload() {
	command -v udevadm >/dev/null 2>&1 || return 0
	udevadm control --reload 2>/dev/null || return 0
	[ -e /dev/hmap ] && udevadm trigger --subsystem-match=misc --sysname-match=hmap 2>/dev/null
	return 0
}

do_install() {
	need_root install
	need_cmd make make
	need_cmd cc gcc
	local kdir kver f
	kdir=$(kernel_tree)
	kver=$(kernel_release "$kdir")
	[ ! -f "$manifest" ] || die "hmap is already installed ($manifest); make uninstall first"

	echo "install: hmap.ko and hmap_dev.ko for Linux $kver (from $kdir)"
	rm -rf "$top/build/install-ko" "$stage"
	kbuild_copy "$top/build/install-ko"
	make -C "$kdir" M="$top/build/install-ko" HMAP_PRODUCT=y modules >"$top/build/install-ko.log" 2>&1 || {
		tail -n 20 "$top/build/install-ko.log" >&2
		die "module build failed (log: build/install-ko.log)"
	}
	for ko in hmap hmap_dev; do
		install -D -m 0644 "$top/build/install-ko/$ko.ko" "$stage/lib/modules/$kver/extra/$ko.ko"
	done

	echo "install: hmapctl, libhmap, headers, pkg-config, man pages, completion under $PREFIX"
	make -s -C "$top/user" install-product DESTDIR="$stage" PREFIX="$PREFIX" >/dev/null
	install -D -m 0644 "$top/scripts/pkg/60-hmap.rules" "$stage$UDEVDIR/60-hmap.rules"

	# Record, then copy: the manifest lists files and symlinks, not directories.
	local tmp=$top/build/install-manifest
	(cd "$stage" && find . ! -type d | sed 's|^\.||' | sort) >"$tmp"
	echo "$manifest" >>"$tmp"
	mkdir -p "$stage$(dirname "$manifest")"
	mv "$tmp" "$stage$manifest"
	if ! getent group hmap >/dev/null; then
		groupadd --system hmap
		echo "group:hmap" >>"$stage$manifest"
		echo "install: created the system group hmap"
	fi
	echo "kver:$kver" >>"$stage$manifest"
	# Directories that do not exist yet are recorded too, so uninstall removes just those.
	local d
	grep '^/' "$stage$manifest" | xargs -n1 dirname | sort -u | while IFS= read -r d; do
		while [ ! -d "$d" ]; do
			echo "dir:$d"
			d=$(dirname "$d")
		done
	done | sort -u >"$tmp.dirs"
	cat "$tmp.dirs" >>"$stage$manifest"
	rm -f "$tmp.dirs"
	while IFS= read -r f; do
		case "$f" in /*) ;; *) continue ;; esac
		mkdir -p "$(dirname "$f")"
		cp -a "$stage$f" "$f"
	done <"$stage$manifest"

	# depmod's indexes are new files where no module tree was (kernel headers alone):
	# recorded, so that uninstall removes them instead of leaving them behind.
	local before
	before=$(ls "/lib/modules/$kver"/modules.* 2>/dev/null || true)
	depmod -a "$kver"
	for f in "/lib/modules/$kver"/modules.*; do
		grep -qxF "$f" <<<"$before" || echo "$f" >>"$manifest"
	done
	command -v ldconfig >/dev/null 2>&1 && ldconfig
	udev_reload
	echo "install: done ($(grep -c '^/' "$manifest") files, listed in $manifest)"
	echo "install: 'modprobe hmap_dev' loads /dev/hmap (and hmap.ko); add users to the group hmap to let them use /dev/hmap"
}

do_uninstall() {
	need_root uninstall
	[ -f "$manifest" ] || die "nothing to uninstall: no $manifest"
	local f d kver=""
	# Read it all before removing it: the manifest is one of the files it lists.
	local list
	list=$(cat "$manifest")
	while IFS= read -r f; do
		case "$f" in
		/*) rm -f "$f" ;;
		kver:*) kver=${f#kver:} ;;
		esac
	done <<<"$list"
	# The directories install created, deepest first (left alone if something else is in them).
	sed -n 's/^dir://p' <<<"$list" | sort -r | while IFS= read -r d; do
		rmdir "$d" 2>/dev/null || echo "uninstall: kept $d (not empty)"
	done
	if grep -qx 'group:hmap' <<<"$list" && getent group hmap >/dev/null; then
		groupdel hmap
		echo "uninstall: removed the group hmap (install had created it)"
	fi
	# A module tree that was there before install keeps up-to-date indexes.
	[ -z "$kver" ] || [ ! -f "/lib/modules/$kver/modules.dep" ] || depmod -a "$kver"
	command -v ldconfig >/dev/null 2>&1 && ldconfig
	udev_reload
	echo "uninstall: done"
}

dkms_src=/usr/src/hmap-$version

do_dkms() {
	need_root dkms
	need_cmd dkms dkms
	[ ! -e "$dkms_src" ] || die "$dkms_src exists; make dkms-remove first"
	mkdir -p "$dkms_src"
	(cd "$top" && cp -a --parents Kbuild include kmod "$dkms_src/")
	# Built only outside HMAP_PRODUCT=y: not part of what DKMS builds.
	rm "$dkms_src/bench/kernel/hmap_bench.c" "$dkms_src/samples/hmap_example.c"
	sed "s/#MODULE_VERSION#/$version/" "$top/scripts/pkg/dkms.conf" >"$dkms_src/dkms.conf"
	dkms add -m hmap -v "$version"
	dkms install -m hmap -v "$version" ${KVER:+-k "$KVER"}
}

do_dkms_remove() {
	need_root dkms-remove
	need_cmd dkms dkms
	dkms remove -m hmap -v "$version" --all 2>/dev/null || true
	rm -rf "$dkms_src"
}

case "${1:-}" in
install) do_install ;;
uninstall) do_uninstall ;;
dkms) do_dkms ;;
dkms-remove) do_dkms_remove ;;
*)
	echo "usage: $0 install|uninstall|dkms|dkms-remove" >&2
	exit 2
	;;
esac

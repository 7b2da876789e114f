#!/usr/bin/env bash
# Build (once) a Linux 6.12 kernel from the linux-source-6.12 package, configured from
# scripts/kernel.config (or the fragment named by HMAP_KCONFIG) on top of tinyconfig. A fragment
# with a "# hmap-arch: um" line builds User-Mode Linux instead of x86_64. The result is cached
# under $HMAP_CACHE keyed by the fragment and kernel version, so changes to hmap itself never
# rebuild it.
#   build-kernel.sh           build if missing, print nothing else on success
#   build-kernel.sh --kdir    print the build directory (KDIR for out-of-tree modules)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# All in a function: bash then parses the whole script before running it,
# so editing this file during a (long) build cannot derail that build.
main() {
	kdir=$(kernel_dir)
	arch=$(kernel_arch)
	if [ "${1:-}" = "--kdir" ]; then
			echo "$kdir"
			exit 0
	fi
	[ -f "$kdir/.hmap-ready" ] && exit 0

	# One build at a time: a second caller waits, then finds the cache ready.
	mkdir -p "$HMAP_CACHE"
	exec 9>"$HMAP_CACHE/build.lock"
	flock 9
	[ -f "$kdir/.hmap-ready" ] && exit 0

	if [ -z "$KSRC_TARBALL" ]; then
			echo "build-kernel: /usr/src/linux-source-6.12.tar.* not found; run 'make deps'" >&2
			exit 1
	fi

	src=$(ksrc_dir)
	if [ ! -f "$src/Makefile" ]; then
			echo "build-kernel: extracting $(basename "$KSRC_TARBALL") to $(dirname "$src")" >&2
			rm -rf "$(dirname "$src")"
			mkdir -p "$(dirname "$src")"
			tar -C "$(dirname "$src")" -xf "$KSRC_TARBALL"
	fi

	if [ "$arch" = um ] &&
		! patch -s -d "$src" -p1 -R --dry-run -f <"$HMAP_TOP/scripts/uml-xstate.patch" >/dev/null 2>&1; then
			patch -s -d "$src" -p1 -f <"$HMAP_TOP/scripts/uml-xstate.patch"
	fi

	echo "build-kernel: first build of Linux $(ksrc_version) with $(basename "$HMAP_KCONFIG")," >&2
	if [ "$arch" = um ]; then
		echo "build-kernel: User-Mode Linux, about 1.5 minutes on 2 cores (81 s measured); cached in $kdir" >&2
	else
		echo "build-kernel: 4 to 9 minutes on 2 cores (233 s measured idle); cached in $kdir" >&2
	fi
	rm -rf "$kdir"
	mkdir -p "$kdir"
	image=bzImage
	[ "$arch" = um ] && image=linux
	mk() { make -C "$src" O="$kdir" ARCH="$arch" "$@"; }
	mk -s tinyconfig >/dev/null

	# Apply the fragment with scripts/config, then let olddefconfig resolve dependencies.
	args=()
	while IFS= read -r line; do
			case "$line" in ''|'#'*) continue ;; esac
			opt=${line%%=*}
			val=${line#*=}
			case "$val" in
			y) args+=(--enable "${opt#CONFIG_}") ;;
			n) args+=(--disable "${opt#CONFIG_}") ;;
			*) args+=(--set-val "${opt#CONFIG_}" "$val") ;;
			esac
	done <"$HMAP_KCONFIG"
	"$src/scripts/config" --file "$kdir/.config" "${args[@]}"
	mk -s olddefconfig >/dev/null

	# olddefconfig silently drops options whose dependencies are missing: refuse that.
	missing=0
	while IFS= read -r line; do
			case "$line" in ''|'#'*) continue ;; esac
			opt=${line%%=*}
			val=${line#*=}
			if [ "$val" = n ]; then
				grep -qx "$opt=y" "$kdir/.config" || continue
			else
				grep -qx "$opt=$val" "$kdir/.config" && continue
			fi
			echo "build-kernel: $line did not survive olddefconfig" >&2
			missing=1
	done <"$HMAP_KCONFIG"
	[ "$missing" -eq 0 ] || exit 1

	jobs=$(($(nproc) + 1))
	with_progress "kernel $image" "$kdir/build.log" mk -j"$jobs" "$image" modules_prepare
	# modules produces Module.symvers, without which external modules fail modpost.
	with_progress "kernel modules" "$kdir/modules.log" mk -j"$jobs" modules
	touch "$kdir/.hmap-ready"
}

main "$@"; exit

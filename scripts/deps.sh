#!/usr/bin/env bash
# Install, only when missing, every Debian package that building and testing hmap needs.
# Needs root, or sudo; prints what is missing and how to get it otherwise.
#   deps.sh           what make check, demo, bench and the builds need
#   deps.sh --pkg     also what make deb and make dkms need
#   deps.sh --fresh   also debootstrap, for make check-fresh
set -euo pipefail
pkgs=(
	build-essential make gcc flex bison bc libelf-dev libssl-dev dwarves cpio kmod rsync xz-utils
	linux-source-6.12 linux-headers-amd64 sparse python3 perl
	qemu-system-x86 busybox-static patch
	clang llvm libclang-rt-14-dev gcovr
	golang-1.19-go libabsl-dev libglib2.0-dev liburcu-dev gnuplot-nox pkg-config
	mandoc groff-base
)
case "${1:-}" in
--pkg) pkgs+=(dpkg-dev debhelper dh-dkms dkms lintian fakeroot) ;;
--fresh) pkgs+=(debootstrap) ;;
'') ;;
*)
	echo "usage: $0 [--pkg|--fresh]" >&2
	exit 2
	;;
esac
installed() {
	local st
	st=$(dpkg-query -W -f '${Status}' "$1" 2>/dev/null || true)
	[ "$st" = "install ok installed" ]
}
missing=()
for p in "${pkgs[@]}"; do
	installed "$p" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
	echo "deps: all ${#pkgs[@]} packages present"
	exit 0
fi
echo "deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "deps: missing Debian packages: ${missing[*]}" >&2
		echo "deps: run 'make deps' as root (or install sudo), or: apt-get install ${missing[*]}" >&2
		exit 1
	fi
	sudo=sudo
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done" >&2

#!/usr/bin/env bash
# Install, only when missing, every Debian package that building and testing hmap needs.
set -euo pipefail
pkgs=(
	build-essential make gcc flex bison bc libelf-dev libssl-dev dwarves cpio kmod rsync
	linux-source-6.12 linux-headers-amd64 sparse python3 perl
	qemu-system-x86 busybox-static
	clang llvm libclang-rt-14-dev gcovr
	golang-1.19-go libabsl-dev libglib2.0-dev liburcu-dev gnuplot-nox pkg-config
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
	echo "deps: all ${#pkgs[@]} packages present"
	exit 0
fi
echo "deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"

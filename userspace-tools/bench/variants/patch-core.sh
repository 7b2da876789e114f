#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Make a patched copy of kmod/hmap_core.{c,h} for a bench-only variant.
#   patch-core.sh al64  KMOD OUT   buckets padded to a multiple of 64 bytes,
#                                  arrays and overflow buckets 64-byte aligned
#   patch-core.sh mix   KMOD OUT   mixhash.h as the built-in hash (inlined,
#                                  fixed-width paths), in place of hsiphash
# Each edit must match exactly once; otherwise the variant is not built
# (the core changed under us) and the bench reports it as missing.
set -euo pipefail
variant=$1 kmod=$2 out=$3
mkdir -p "$out"
cp "$kmod/hmap_core.c" "$kmod/hmap_core.h" "$out/"

# edit FILE PERL-SUBSTITUTION: apply it, require exactly one match.
edit() {
	local n
	n=$(perl -0ne "\$n = () = ($2); print \$n" "$1" 2>/dev/null || echo 0)
	perl -0pi -e "$3" "$1"
	if [ "$n" != 1 ]; then
		echo "patch-core.sh: $variant: pattern matched $n times in $1: $2" >&2
		exit 1
	fi
}

case $variant in
al64)
	edit "$out/hmap_core.c" 'm/h->bucket_size = h->ovf_off \+ sizeof\(void \*\);/g' \
		's/h->bucket_size = h->ovf_off \+ sizeof\(void \*\);/h->bucket_size = ALIGN(h->ovf_off + sizeof(void *), 64);/'
	edit "$out/hmap_core.c" 'm/struct hmap_ovf \{\n\tstruct hmap_ovf \*next;\n\tu8 bucket\[\] __aligned\(8\);/g' \
		's/(struct hmap_ovf \{\n\tstruct hmap_ovf \*next;\n\tu8 bucket\[\]) __aligned\(8\);/$1 __aligned(64);/'
	edit "$out/hmap_core.h" 'm/\tu32 nbuckets;\n\tu8 data\[\] __aligned\(8\);/g' \
		's/(\tu32 nbuckets;\n\tu8 data\[\]) __aligned\(8\);/$1 __aligned(64);/'
	;;
mix)
	edit "$out/hmap_core.c" 'm/#include "hmap_core.h"\n/g' \
		's/(#include "hmap_core.h"\n)/$1#include "mixhash.h"\n/'
	edit "$out/hmap_core.c" 'm/\tu32 w\[4\], v;\n\n\tif \(unlikely\(h->hashfn\)\)\n\t\treturn h->hashfn\(key, ksize, h->hkey.key\[0\]\);\n/g' \
		's/(\tu32 w\[4\], v;\n\n\tif \(unlikely\(h->hashfn\)\)\n\t\treturn h->hashfn\(key, ksize, h->hkey.key\[0\]\);\n)/$1\treturn mixhash(key, ksize, h->hkey.key[0]);\n/'
	;;
*)
	echo "patch-core.sh: unknown variant $variant" >&2
	exit 2
	;;
esac

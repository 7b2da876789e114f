#!/usr/bin/env bash
# `make deb`: the Debian packages hmap-dkms, hmapctl, libhmap0 and libhmap-dev, built
# with dpkg-buildpackage and debhelper (dh-dkms) from the files git tracks, then lintian.
# The packaging lives in scripts/pkg/debian (the top level of the tree is fixed); it is
# placed at debian/ of a copy in build/deb/hmap-VERSION. Results in build/deb/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

top=$HMAP_TOP
version=$(cat "$top/scripts/pkg/VERSION")
out=$top/build/deb
src=$out/hmap-$version
for c in dpkg-buildpackage:dpkg-dev dh:debhelper dh_dkms:dh-dkms lintian:lintian fakeroot:fakeroot git:git; do
	need_cmd "${c%%:*}" "${c#*:}"
done
changelog_version=$(dpkg-parsechangelog -l "$top/scripts/pkg/debian/changelog" -S Version)
[ "$changelog_version" = "$version" ] || {
	echo "deb: scripts/pkg/debian/changelog is at $changelog_version, scripts/pkg/VERSION at $version" >&2
	exit 1
}

rm -rf "$out"
mkdir -p "$src"
# Tracked files as they are in the work tree (committed or not), nothing built.
(
	cd "$top"
	git ls-files --cached --others --exclude-standard | while IFS= read -r f; do
		[ ! -e "$f" ] || printf '%s\0' "$f"
	done | xargs -0 cp -a --parents -t "$src"
)
rm -rf "$src/debian"
cp -a "$top/scripts/pkg/debian" "$src/debian"

echo "deb: dpkg-buildpackage in $src (log: $out/build.log)"
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 || {
	tail -n 30 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed" >&2
	exit 1
}
ls "$out"/*.deb | sed 's|.*/|deb: built |'

changes=$(ls "$out"/hmap_"$version"_*.changes)
rc=0
lintian --display-info --pedantic "$changes" >"$out/lintian.log" 2>&1 || rc=$?
errors=$(grep -c '^E: ' "$out/lintian.log" || true)
warnings=$(grep -c '^W: ' "$out/lintian.log" || true)
sed 's/^/  /' "$out/lintian.log"
echo "deb: lintian: $errors errors, $warnings warnings (log: $out/lintian.log)"
[ "$errors" -eq 0 ] && [ "$rc" -eq 0 ]

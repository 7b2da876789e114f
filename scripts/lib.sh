# Shared helpers for the hmap pipeline scripts (sourced, not executed).
# shellcheck shell=bash

HMAP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HMAP_CACHE=${HMAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hmap}
# Everything below runs under the callers' `set -euo pipefail`, before `make deps` may have
# installed anything: no command substitution here may fail when a package is missing.

# The Debian kernel source tarball, or nothing when linux-source-6.12 is not installed.
ksrc_tarball() {
	local f
	for f in /usr/src/linux-source-6.12.tar.*; do
		[ -f "$f" ] && echo "$f" && return 0
	done
	return 0
}
KSRC_TARBALL=${KSRC_TARBALL:-$(ksrc_tarball)}

# Installed version of linux-source-6.12, or "unknown". Callers that key caches on it
# (kernel_dir, ksrc_dir) must ask after deps.sh has run, not before.
ksrc_version() {
	local v
	v=$(dpkg-query -W -f '${Status} ${Version}' linux-source-6.12 2>/dev/null || true)
	case "$v" in
	'install ok installed '*) echo "${v##* }" ;;
	*) echo unknown ;;
	esac
}

# Fail with what is missing and what installs it when a command is not on PATH.
# Usage: need_cmd COMMAND PACKAGE
need_cmd() {
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "hmap: '$1' not found; 'make deps' installs it (Debian package $2)" >&2
	return 1
}

# Kernel source tree, extracted once from the Debian tarball.
ksrc_dir() {
	echo "$HMAP_CACHE/src-$(ksrc_version)/linux-source-6.12"
}

# The config fragment: the test kernel's, or HMAP_KCONFIG (e.g. the bench kernel's).
HMAP_KCONFIG=${HMAP_KCONFIG:-$HMAP_TOP/scripts/kernel.config}

# Cache key: the config fragment plus the exact kernel source version.
kernel_key() {
	{
		cat "$HMAP_KCONFIG"
		ksrc_version
		if [ "$(kernel_arch)" = um ]; then cat "$HMAP_TOP/scripts/uml-xstate.patch"; fi
	} | sha256sum | cut -c1-16
}

# The kernel's ARCH: x86_64, or what the fragment's "# hmap-arch:" line names (um).
kernel_arch() {
	local a
	a=$(sed -n 's/^# hmap-arch: *//p' "$HMAP_KCONFIG")
	echo "${a:-x86_64}"
}

kernel_dir() {
	echo "$HMAP_CACHE/kernel-$(kernel_key)"
}

# Copy what Kbuild builds from (kmod, include, the KUnit suites, the kernel bench
# module, the sample) to DEST, without objects: builds for another kernel, or
# checks that must compile every file afresh, use such a copy.
# Usage: kbuild_copy DEST
kbuild_copy() {
	mkdir -p "$1"
	(cd "$HMAP_TOP" && rsync -aR --delete --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='.*.cmd' --exclude=modules.order --exclude=Module.symvers \
		--exclude='.checkpatch-camelcase.*' \
		Kbuild kmod include tests/kunit bench/kernel samples "$1/")
}

# Run a long command quietly, printing a progress line every 15 s.
# Usage: with_progress LABEL LOGFILE cmd...
with_progress() {
	local label=$1 log=$2 start pid rc
	shift 2
	start=$(date +%s)
	"$@" >"$log" 2>&1 &
	pid=$!
	# Poll every second (short steps end promptly), report every 15 s.
	local ticks=0
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		ticks=$((ticks + 1))
		[ $((ticks % 15)) -eq 0 ] && kill -0 "$pid" 2>/dev/null &&
			printf '  %s: %ds elapsed (log: %s)\n' "$label" $(($(date +%s) - start)) "$log" >&2
	done
	wait "$pid"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "  $label FAILED (exit $rc); last lines of $log:" >&2
		tail -n 30 "$log" >&2
		return "$rc"
	fi
	printf '  %s: done in %ds\n' "$label" $(($(date +%s) - start)) >&2
}

# What on a kernel console means something went wrong (check.sh, soak.sh).
splat_re='KASAN|BUG:|WARNING:|Oops|Kernel panic|general protection fault|Call Trace|UBSAN|possible recursive locking|inconsistent lock state|circular locking|suspicious RCU usage|lock held when returning|bad unlock balance|held lock freed|DEBUG_LOCKS_WARN_ON|unreferenced object|suspected memory leak|list_(add|del) corruption|refcount_t: |soft lockup|hung_task|blocked for more than|rcu.*stall'

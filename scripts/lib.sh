# Shared helpers for the hmap pipeline scripts (sourced, not executed).
# shellcheck shell=bash

HMAP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HMAP_CACHE=${HMAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hmap}
KSRC_TARBALL=${KSRC_TARBALL:-$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n 1)}

ksrc_version() {
	dpkg-query -W -f '${Version}' linux-source-6.12 2>/dev/null || echo unknown
}

# Kernel source tree, extracted once from the Debian tarball.
ksrc_dir() {
	echo "$HMAP_CACHE/src-$(ksrc_version)/linux-source-6.12"
}

# The config fragment: the test kernel's, or HMAP_KCONFIG (e.g. the bench kernel's).
HMAP_KCONFIG=${HMAP_KCONFIG:-$HMAP_TOP/scripts/kernel.config}

# Cache key: the config fragment plus the exact kernel source version.
kernel_key() {
	{ cat "$HMAP_KCONFIG"; ksrc_version; } | sha256sum | cut -c1-16
}

kernel_dir() {
	echo "$HMAP_CACHE/kernel-$(kernel_key)"
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

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck source-path=SCRIPTDIR
#
# Tests hmapctl.bash-completion without a kernel: the map NAMEs come from a
# made-up hmapfs, a directory tree that _hmapctl_fs points to, and each case
# sets COMP_WORDS/COMP_CWORD as bash would for a command line, calls _hmapctl
# and compares COMPREPLY (sorted) with what is expected. "hmapctl" is a
# function that complains on stderr, which fails the case: the completion
# must not run it. Prints TAP; exits 1 if a case fails.
#
#   completion_test.sh [COMPLETION_FILE]   (default: hmapctl.bash-completion here)
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
completion=${1:-$here/hmapctl.bash-completion}
# shellcheck source=hmapctl.bash-completion
. "$completion" || { echo "Bail out! cannot source $completion"; exit 1; }

# shellcheck disable=SC2317 # called by a completion that runs hmapctl
hmapctl()
{
    echo "hmapctl $* was run" >&2
    return 1
}

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# The made-up hmapfs: maps users and demo, app/cache in a directory with a
# subdirectory, an empty directory.
fs=$tmp/hmap
mkdir -p "$fs/app/sub" "$fs/empty" || exit 1
touch "$fs/users" "$fs/demo" "$fs/app/cache" || exit 1
_hmapctl_fs=$fs

export LC_ALL=C
errf=$tmp/stderr
n=0
failed=0
types="hex s16 s32 s64 s8 str u16 u32 u64 u8"
verbs="clear count create delete drain dump fill help list lookup open pop rm show stats unlink update"

# check DESCRIPTION LINE EXPECTED: LINE is the command line up to the cursor
# (a trailing space: completing a new, empty word); EXPECTED the words, in any order.
check()
{
    local desc=$1 line=$2 expected=$3 got err
    local -a want
    read -r -a COMP_WORDS <<<"$line"
    [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$line
    COMP_POINT=${#line}
    COMPREPLY=()
    _hmapctl hmapctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>"$errf"
    err=$(<"$errf")
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
    got=${got% }
    got=${got# }
    read -r -a want <<<"$expected"
    expected=$(printf '%s\n' "${want[@]}" | sort | tr '\n' ' ')
    expected=${expected% }
    n=$((n + 1))
    if [[ $got == "$expected" && -z $err ]]; then
        echo "ok $n - $desc"
    else
        echo "not ok $n - $desc"
        echo "#   line:     '$line'"
        echo "#   expected: '$expected'"
        echo "#   got:      '$got'"
        [[ -z $err ]] || echo "#   stderr:   '$err'"
        failed=$((failed + 1))
    fi
}

echo "1..31"
check "the object" "hmapctl " "map"
check "global options" "hmapctl -" "--help --json --pretty --version -V -h -j -p"
check "options not repeated" "hmapctl -j -" "--help --json --pretty --version -V -h -p"
check "verbs" "hmapctl map " "$verbs"
check "verb prefix" "hmapctl -j ma up" "update"
check "rm, the only verb starting with r" "hmapctl map r" "rm"
check "map names: files and directories of hmapfs" "hmapctl map lookup " "app/ demo empty/ users"
check "map names by prefix, abbreviated verb" "hmapctl m sh u" "users"
check "map names in a directory" "hmapctl -p map dump app/" "app/cache app/sub/"
check "a directory by prefix" "hmapctl map stats ap" "app/"
check "map names for unlink" "hmapctl map unlink d" "demo"
check "map names for rm" "hmapctl map rm " "app/ demo empty/ users"
check "create: only directories for a new NAME" "hmapctl map create " "app/ empty/"
check "create: subdirectories" "hmapctl map create app/" "app/sub/"
check "list: a directory" "hmapctl map list " "app/ empty/"
check "list: nothing after DIR" "hmapctl map list app " ""
check "an absolute path" "hmapctl map show $fs/us" "$fs/users"
cd "$fs" || exit 1
check "a path from the working directory" "hmapctl map count ./de" "./demo"
cd - >/dev/null || exit 1
_hmapctl_fs=$tmp/none
check "no hmapfs: no names, nothing printed" "hmapctl map count " ""
_hmapctl_fs=$fs/empty
check "no maps" "hmapctl map clear " ""
_hmapctl_fs=$fs
check "key keyword" "hmapctl map update users " "key"
check "type words for key DATA" "hmapctl map update users key " "$types"
check "no completion for a NUMBER" "hmapctl map lookup users key u32 " ""
check "after key DATA: more items or value" "hmapctl map upd users key u32 7 " "$types value"
check "after value DATA: update modes" "hmapctl map update users key hex 07 00 00 00 value u64 1000 " "$types any exist noexist"
check "update mode by prefix" "hmapctl map update users k str bob v u64 1 no" "noexist"
check "create keywords left" "hmapctl map create new key 4 mode 0644 " "entries hint shards value"
check "fill keywords and modes" "hmapctl map fill demo 1000 " "any batch every exist noexist start"
check "drain keywords left, no modes" "hmapctl map drain demo 1000 start 5 " "batch every"
check "show rdonly" "hmapctl map show users " "rdonly"
check "nothing after --help" "hmapctl map dump --help " ""

if (( failed )); then
    echo "# $failed of $n failed"
    exit 1
fi
exit 0

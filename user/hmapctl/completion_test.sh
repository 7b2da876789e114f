#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck source-path=SCRIPTDIR
#
# Tests hmapctl.bash-completion without a kernel: "hmapctl" is a shell
# function printing a made-up "map list" (text, JSON, pretty JSON, or a
# failure), and each case sets COMP_WORDS/COMP_CWORD as bash would for a
# command line, calls _hmapctl and compares COMPREPLY (sorted) with what is
# expected. Prints TAP; exits 1 if a case fails.
#
#   completion_test.sh [COMPLETION_FILE]   (default: hmapctl.bash-completion here)
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
completion=${1:-$here/hmapctl.bash-completion}
# shellcheck source=hmapctl.bash-completion
. "$completion" || { echo "Bail out! cannot source $completion"; exit 1; }

# What the stub prints for "map list": text, json, pretty, fail, none.
list_kind=text

# The stub hmapctl: users and demo can be opened; an anonymous map and the
# unlinked "old" cannot.
# shellcheck disable=SC2317 # called by the completion
hmapctl()
{
    local json=0
    [[ ${1-} == -j || ${1-} == -p ]] && json=1
    case $list_kind in
    fail)
        # What the real one does without /dev/hmap.
        if (( json )); then
            echo '{"error":"/dev/hmap: No such file or directory (is the hmap module loaded?)"}'
        else
            echo 'Error: /dev/hmap: No such file or directory (is the hmap module loaded?)' >&2
        fi
        return 1
        ;;
    none)
        if (( json )); then echo '[]'; else echo 'no maps'; fi
        ;;
    json | text)
        if [[ $list_kind == json ]] && (( json )); then
            echo '[{"id":1,"name":"users","linked":true,"bytes_key":4,"bytes_value":8,"count":1,"max_entries":1000,"shards":1,"mode":"0644","uid":0,"gid":0},{"id":2,"name":null,"linked":false,"bytes_key":8,"bytes_value":0,"count":0,"max_entries":16777216,"shards":1,"mode":"0000","uid":0,"gid":0},{"id":3,"name":"old","linked":false,"bytes_key":4,"bytes_value":4,"count":0,"max_entries":100,"shards":4,"mode":"0600","uid":1000,"gid":1000},{"id":4,"name":"demo","linked":true,"bytes_key":8,"bytes_value":8,"count":0,"max_entries":16777216,"shards":1,"mode":"0600","uid":0,"gid":0}]'
        else
            # An hmapctl that answers in text whatever it is asked.
            cat <<'EOF'
1: name users  key 4B  value 8B  count 1  max_entries 1000  mode 0644  owner 0:0
2: (anonymous)  key 8B  value 0B  count 0  max_entries 16777216
3: name old (unlinked)  key 4B  value 4B  count 0  max_entries 100  shards 4  mode 0600  owner 1000:1000
4: name demo  key 8B  value 8B  count 0  max_entries 16777216  mode 0600  owner 0:0
EOF
        fi
        ;;
    pretty)
        cat <<'EOF'
[{
        "id": 1,
        "name": "users",
        "linked": true,
        "bytes_key": 4
    },{
        "id": 3,
        "name": "old",
        "linked": false
    },{
        "id": 4,
        "name": "demo",
        "linked": true
    }
]
EOF
        ;;
    esac
    return 0
}

export LC_ALL=C
errf=$(mktemp) || exit 1
trap 'rm -f "$errf"' EXIT
n=0
failed=0
types="hex s16 s32 s64 s8 str u16 u32 u64 u8"
verbs="clear count create delete drain dump fill help list lookup open pop show stats unlink update"

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

echo "1..22"
check "the object" "hmapctl " "map"
check "global options" "hmapctl -" "--help --json --pretty --version -V -h -j -p"
check "options not repeated" "hmapctl -j -" "--help --json --pretty --version -V -h -p"
check "verbs" "hmapctl map " "$verbs"
check "verb prefix" "hmapctl -j ma up" "update"
check "map names, text list" "hmapctl map lookup " "demo users"
list_kind=json
check "map names, JSON list" "hmapctl -p map dump " "demo users"
check "map names by prefix, abbreviated verb" "hmapctl m sh u" "users"
list_kind=pretty
check "map names, pretty JSON list" "hmapctl map stats " "demo users"
list_kind=fail
check "hmapctl failing: no names, nothing printed" "hmapctl map count " ""
list_kind=none
check "no maps" "hmapctl map clear " ""
list_kind=text
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

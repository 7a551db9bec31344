#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-completion.sh COMPLETION_FILE: sources the bash completion and checks what it offers, with and
# without bash-completion's helpers (when installed), against a stub podctl that lists two pods.
set -uo pipefail
file=$(realpath "$1")
stubdir=$(mktemp -d)
trap 'rm -rf "$stubdir"' EXIT
# A stub podctl on PATH: the completion asks `podctl get pods -o name` for pod names.
cat >"$stubdir/podctl" <<'STUB'
#!/bin/sh
[ "$*" = "get pods -o name" ] && printf 'pod/web\npod/worker\n'
[ "$*" = "get pods -n kube -o name" ] && printf 'pod/dns\n'
exit 0
STUB
chmod +x "$stubdir/podctl"
touch "$stubdir/pod.yaml"

fail=0
# complete LINE: the completions of LINE (words split on spaces; a trailing space starts an empty word).
complete_line() {
        local helpers=$1 line=$2
        PATH=$stubdir:$PATH bash --norc --noprofile -c '
                [[ $1 == yes ]] && source /usr/share/bash-completion/bash_completion
                source "$2"
                read -ra COMP_WORDS <<<"$3"
                [[ $3 == *" " ]] && COMP_WORDS+=("")
                COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                COMP_LINE=$3
                COMP_POINT=${#COMP_LINE}
                _podctl podctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "
        ' _ "$helpers" "$file" "$line"
}

check() {
        local line=$1 want=$2 helpers got
        for helpers in no yes; do
                if [[ $helpers == yes && ! -f /usr/share/bash-completion/bash_completion ]]; then
                        continue
                fi
                got=$(cd "$stubdir" && complete_line "$helpers" "$line")
                if [[ "$got" != "$want" ]]; then
                        echo "FAIL ($helpers helpers) '$line': got '$got', want '$want'"
                        fail=1
                else
                        echo "ok ($helpers helpers) '$line' -> '$got'"
                fi
        done
}

check "podctl g" "get "
check "podctl " "apply delete describe get logs render validate "
check "podctl get pods -" "--all-namespaces --help --namespace= --no-headers --output= --selector= --watch -A -l -n -o -w "
check "podctl get pods w" "web worker "
check "podctl get pods -n kube " "dns "
check "podctl get " "events pods "
check "podctl delete pod " "web worker "
check "podctl logs w" "web worker "
check "podctl apply -f pod." "pod.yaml "
check "podctl get pods -o y" "yaml "
check "podctl --v" "--version "
exit $fail

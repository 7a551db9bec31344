#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Golden tests of podctl: runs `podctl validate`/`podctl render` over tests/data and manifests/ and compares
# exit status, stdout and stderr with the expected files next to each manifest.
#
#   run-golden.sh PODCTL [invalid|valid|manifests|warn|cli|all] [HOOK-PATH]
#
#   invalid    tests/data/invalid/X.yaml: exit 1, empty stdout, stderr == X.expected
#   valid      tests/data/valid/X.{yaml,yml,json}: validate exits 0; with X.render, render's stdout == X.render
#              (rendered with a fixed pod UID; the build's hook helper path reads @POD_HOOK@, so the files
#              do not depend on the install prefix)
#   manifests  every example in manifests/ validates
#   warn       --validate=warn on tests/data/invalid/*unknown-field*.yaml exits 0 and prints the same
#              findings as warnings
#   cli        exit codes of usage errors (2), --help, --version, and stdin named <stdin>
#
# UPDATE_GOLDEN=1 rewrites X.expected and X.render from the actual output instead of comparing; review the
# result with `git diff`.
set -uo pipefail

if [[ $# -lt 1 ]]; then
        echo "usage: $0 PODCTL [invalid|valid|manifests|warn|cli|all]" >&2
        exit 2
fi
podctl=$(realpath "$1")
what=${2:-all}
hook_path=${3:-}
render_uid=00000000-0000-4000-8000-000000000000
update=${UPDATE_GOLDEN:-0}

# Run from the source root so the file names in diagnostics read tests/data/invalid/X.yaml.
cd "$(dirname "$(realpath "$0")")/../.." || exit 2

passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { passed=$((passed + 1)); }
fail() {
        failed=$((failed + 1))
        echo "FAIL: $*"
}

# compare NAME EXPECTED-FILE ACTUAL-FILE: equal, or a diff (or, with UPDATE_GOLDEN=1, an update).
compare() {
        local name=$1 expected=$2 actual=$3
        if [[ $update == 1 ]]; then
                if ! cmp -s "$expected" "$actual" 2>/dev/null; then
                        cp "$actual" "$expected"
                        echo "UPDATED: $expected"
                fi
                return 0
        fi
        if [[ ! -f $expected ]]; then
                echo "FAIL: $name: $expected is missing; actual output:"
                sed 's/^/    /' "$actual"
                return 1
        fi
        if ! diff -u --label "$expected" --label "actual" "$expected" "$actual"; then
                echo "FAIL: $name: output differs from $expected"
                return 1
        fi
        return 0
}

run_invalid() {
        local f base rc
        for f in tests/data/invalid/*.yaml; do
                [[ -e $f ]] || continue
                base=${f%.yaml}
                "$podctl" validate "$f" >"$tmp/out" 2>"$tmp/err"
                rc=$?
                if [[ $rc -ne 1 ]]; then
                        fail "$f: podctl validate exited $rc, expected 1"
                        sed 's/^/    /' "$tmp/err"
                        continue
                fi
                if [[ -s $tmp/out ]]; then
                        fail "$f: podctl validate printed to stdout:"
                        sed 's/^/    /' "$tmp/out"
                        continue
                fi
                if compare "$f" "$base.expected" "$tmp/err"; then pass; else failed=$((failed + 1)); fi
        done
}

run_valid() {
        local f base rc
        for f in tests/data/valid/*.yaml tests/data/valid/*.yml tests/data/valid/*.json; do
                [[ -e $f ]] || continue
                base=${f%.*}
                "$podctl" validate "$f" >"$tmp/out" 2>"$tmp/err"
                rc=$?
                if [[ $rc -ne 0 ]]; then
                        fail "$f: podctl validate exited $rc, expected 0"
                        sed 's/^/    /' "$tmp/err"
                        continue
                fi
                pass
                "$podctl" render --pod-uid="$render_uid" "$f" >"$tmp/out" 2>"$tmp/err"
                rc=$?
                if [[ -n $hook_path ]]; then
                        sed -i "s|$hook_path|@POD_HOOK@|g" "$tmp/out"
                fi
                # Without a golden file, render only has to finish (a valid pod may still not plan).
                if [[ ! -f $base.render ]]; then
                        if [[ $rc -ne 0 && $rc -ne 1 ]]; then
                                fail "$f: podctl render exited $rc (crashed?)"
                                sed 's/^/    /' "$tmp/err"
                        fi
                        continue
                fi
                if [[ $rc -ne 0 ]]; then
                        fail "$f: podctl render exited $rc, expected 0"
                        sed 's/^/    /' "$tmp/err"
                        continue
                fi
                if compare "$f (render)" "$base.render" "$tmp/out"; then pass; else failed=$((failed + 1)); fi
        done
}

run_manifests() {
        local f rc
        "$podctl" validate manifests/ >"$tmp/out" 2>"$tmp/err"
        rc=$?
        if [[ $rc -ne 0 ]]; then
                fail "manifests/: podctl validate exited $rc, expected 0"
                sed 's/^/    /' "$tmp/err"
        else
                pass
        fi
        # The examples are what people try first: each must also render.
        for f in manifests/*.yaml; do
                "$podctl" render "$f" >"$tmp/out" 2>"$tmp/err"
                rc=$?
                if [[ $rc -ne 0 || ! -s $tmp/out ]]; then
                        fail "$f: podctl render exited $rc, expected 0 and units on stdout"
                        sed 's/^/    /' "$tmp/err"
                else
                        pass
                fi
        done
}

run_warn() {
        local f base rc
        for f in tests/data/invalid/*unknown-field*.yaml; do
                [[ -e $f ]] || continue
                base=${f%.yaml}
                if [[ ! -f $base.expected ]]; then
                        fail "$f: $base.expected is missing"
                        continue
                fi
                "$podctl" validate --validate=warn "$f" >"$tmp/out" 2>"$tmp/err"
                rc=$?
                if [[ $rc -ne 0 ]]; then
                        fail "$f: podctl validate --validate=warn exited $rc, expected 0"
                        sed 's/^/    /' "$tmp/err"
                        continue
                fi
                # The same findings, errors now as warnings: FILE:LINE:COL: warning: PATH: message.
                sed -E '/^[^:]*:[0-9]+:[0-9]+: warning: /! s/^([^:]*:[0-9]+:[0-9]+: )/\1warning: /' \
                        "$base.expected" >"$tmp/expected-warn"
                if [[ $update == 1 ]]; then
                        pass # derived from X.expected, nothing to rewrite
                        continue
                fi
                if diff -u --label "$base.expected (as warnings)" --label actual "$tmp/expected-warn" "$tmp/err"; then
                        pass
                else
                        fail "$f: --validate=warn output differs"
                fi
        done
}

# expect_exit RC ARGS…: podctl ARGS exits RC and, for usage errors, prints nothing to stdout.
expect_exit() {
        local want=$1 rc
        shift
        "$podctl" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
        rc=$?
        if [[ $rc -ne $want ]]; then
                fail "podctl $*: exited $rc, expected $want"
                sed 's/^/    /' "$tmp/err"
        elif [[ $want -eq 2 && -s $tmp/out ]]; then
                fail "podctl $*: usage error printed to stdout"
        else
                pass
        fi
}

run_cli() {
        local f
        expect_exit 2 no-such-command
        expect_exit 2 --no-such-flag
        expect_exit 2
        expect_exit 2 validate
        expect_exit 2 validate --no-such-flag manifests/web.yaml
        expect_exit 2 validate --validate=maybe manifests/web.yaml
        expect_exit 2 render
        expect_exit 2 render manifests/web.yaml manifests/probes.yaml
        expect_exit 2 render manifests/
        expect_exit 0 --help
        expect_exit 0 validate --help
        expect_exit 0 render --help
        expect_exit 0 validate --validate=false manifests/web.yaml
        expect_exit 1 validate no/such/file.yaml
        expect_exit 0 --version
        if grep -qE '^podctl [0-9]' "$tmp/out"; then pass; else fail "podctl --version printed: $(cat "$tmp/out")"; fi
        # Standard input is named <stdin> in findings.
        for f in tests/data/invalid/*.yaml; do
                [[ -f ${f%.yaml}.expected ]] || continue
                "$podctl" validate - <"$f" >"$tmp/out" 2>"$tmp/err"
                sed "s|^$f:|<stdin>:|" "${f%.yaml}.expected" >"$tmp/expected-stdin"
                if diff -u --label "${f%.yaml}.expected (as <stdin>)" --label actual "$tmp/expected-stdin" "$tmp/err"; then
                        pass
                else
                        fail "podctl validate - < $f: findings differ"
                fi
                break
        done
}

case $what in
        invalid) run_invalid ;;
        valid) run_valid ;;
        manifests) run_manifests ;;
        warn) run_warn ;;
        cli) run_cli ;;
        all) run_invalid; run_valid; run_manifests; run_warn; run_cli ;;
        *) echo "unknown test group \"$what\"" >&2; exit 2 ;;
esac

echo "$passed passed, $failed failed"
if [[ $failed -ne 0 ]]; then
        exit 1
fi
# Nothing to check (e.g. no *unknown-field* manifest yet): tell meson it was skipped, not passed.
if [[ $passed -eq 0 ]]; then
        exit 77
fi
exit 0

#!/bin/bash
# usage: expect-check-failure.sh CHECKER PLUGIN CHECK [TEXT] [-- CHECKER-OPTIONS...]
# Passes when volcrypt-plugin-check rejects PLUGIN: it exits 1 and prints a line
# "FAIL CHECK: ..." (containing TEXT when given). Shows the checker's output either way.
# With EXPECT_ABSENT set in the environment, that text must appear nowhere in the output
# (a secret the checker found must be named, never shown).
set -uo pipefail
checker=$1 plugin=$2 check=$3 text=${4:-}
shift 4 2>/dev/null || shift $#
[[ ${1:-} == -- ]] && shift

output=$("$checker" "$@" "$plugin" 2>&1)
status=$?
printf '%s\n' "$output"
if ((status != 1)); then
  echo "expected exit status 1, got $status" >&2
  exit 1
fi
line=$(grep -m1 -F "FAIL $check: " <<<"$output") || {
  echo "expected a line 'FAIL $check: ...'" >&2
  exit 1
}
if [[ -n $text && $line != *"$text"* ]]; then
  echo "expected '$text' in: $line" >&2
  exit 1
fi
if [[ -n ${EXPECT_ABSENT:-} ]] && grep -qF -- "$EXPECT_ABSENT" <<<"$output"; then
  echo "the checker's output shows '$EXPECT_ABSENT'" >&2
  exit 1
fi
echo "rejected as expected: $line"

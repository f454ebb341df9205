#!/bin/bash
# usage: expect-check-pass.sh CHECKER PLUGIN CHECK TEXT
# Passes when volcrypt-plugin-check prints "PASS CHECK (...)" with TEXT in its note: how
# a check passed (prepared, or failed cleanly) shows what the kit's host answered.
set -uo pipefail
checker=$1 plugin=$2 check=$3 text=$4

output=$("$checker" "$plugin" 2>&1)
printf '%s\n' "$output"
line=$(grep -m1 -F "PASS $check (" <<<"$output") || {
  echo "expected a line 'PASS $check (...)'" >&2
  exit 1
}
if [[ $line != *"$text"* ]]; then
  echo "expected '$text' in: $line" >&2
  exit 1
fi
echo "passed as expected: $line"

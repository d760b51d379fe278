#!/usr/bin/env bash
# No .cc file under compiler/ops, compiler/quantization or simulator/ exceeds MAX lines, except
# those in the allowlist (which may only shrink: a listed file that fits fails the test too, so
# it is taken off the list).
# Arguments: MAX ALLOWLIST FILE...
set -uo pipefail
max=$1
allowlist=$2
shift 2
mapfile -t allowed < <(grep -v '^#' "$allowlist" | sed '/^$/d')
is_allowed() {
  local f
  for f in "${allowed[@]}"; do [[ "$1" == "$f" ]] && return 0; done
  return 1
}
failed=0
largest=0
for file in "$@"; do
  lines=$(wc -l < "$file")
  ((lines > largest)) && largest=$lines
  if ((lines > max)); then
    if is_allowed "$file"; then
      echo "file-size: $file $lines lines (allowlisted; split it and take it off the list)"
    else
      echo "FAIL: $file has $lines lines, more than $max"
      failed=$((failed + 1))
    fi
  elif is_allowed "$file"; then
    echo "FAIL: $file has $lines lines and is allowlisted: remove it from $allowlist"
    failed=$((failed + 1))
  fi
done
for f in "${allowed[@]}"; do
  found=0
  for file in "$@"; do [[ "$file" == "$f" ]] && found=1; done
  if ((found == 0)); then
    echo "FAIL: $allowlist names $f, which is not a checked file: remove it"
    failed=$((failed + 1))
  fi
done
echo "file-size: $# files checked (max $max lines), ${#allowed[@]} allowlisted, $failed failures"
((failed == 0))

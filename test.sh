#!/usr/bin/env bash
# Runs the whole DaprVideo test suite (installing missing system packages first) and ends with
# a line "N passed, N failed". `./test.sh --fast` leaves out the tests marked [Trait("Speed", "Slow")]:
# those needing Ceph, Redis or Chromium and the end-to-end pipeline runs; it needs only the runtime packages.
set -uo pipefail
cd "$(dirname "$0")"
packages=test
filter=()
if [ "${1:-}" = --fast ]; then
  shift
  packages=runtime
  filter=(--filter "Speed!=Slow")
fi
scripts/require-packages.sh "$packages" || exit $?

log=$(mktemp)
dotnet test DaprVideo.sln -c Release --nologo "${filter[@]}" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# dotnet test prints one "Failed: a, Passed: b, Skipped: c, Total: d" line per test assembly.
read -r passed failed skipped < <(grep -Eo 'Failed: *[0-9]+, Passed: *[0-9]+, Skipped: *[0-9]+' "$log" |
  awk -F'[:,] *' '{f+=$2; p+=$4; s+=$6} END {print p+0, f+0, s+0}')
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # build or runner failure
echo
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"

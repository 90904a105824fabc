#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# CI step "vfio-pci backend in a QEMU guest" (called by .ci/run).
#
# Runs the vfio-guest test (run.sh: installs what it lacks, builds the test
# program in build-vfio, boots the guest) and then the harness's self-test
# (selftest.sh: four ways of breaking a run, each of which must be reported
# as a failure). Ends with one plain line, the sum of both:
#     N passed, M failed
# When this host cannot run the test (no QEMU or kernel package reachable,
# not Debian/x86_64/root) it says so and is skipped, not passed:
#     0 passed, 0 failed (skipped: <reason>)
# with exit status 0, or 1 if WD_VFIO_GUEST_REQUIRE=1 is set.
# Exit status: 0 everything passed (or skipped), 1 otherwise.

set -u
set -o pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T0=$(date +%s.%N)
elapsed() {
    awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }'
}
counts() {  # file -> "passed failed" from its last summary line
    grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1 |
        sed -E 's/^([0-9]+) passed, ([0-9]+) failed.*/\1 \2/'
}

out1=$(mktemp)
out2=$(mktemp)
trap 'rm -f "$out1" "$out2"' EXIT

echo "-- vfio-guest: the guest test (test/vfio-guest/run.sh)"
"$HERE/run.sh" 2>&1 | tee "$out1"
rc1=${PIPESTATUS[0]}
if [ "$rc1" = 77 ]; then
    reason=$(sed -n 's/^0 passed, 0 failed (skipped: \(.*\))$/\1/p' "$out1" | tail -n 1)
    echo "-- vfio-guest: SKIPPED on this host: ${reason:-unknown reason} ($(elapsed) s)"
    if [ "${WD_VFIO_GUEST_REQUIRE:-0}" = 1 ]; then
        echo "-- vfio-guest: WD_VFIO_GUEST_REQUIRE=1: a skip counts as a failure"
        echo "0 passed, 1 failed (skipped but required: ${reason:-unknown reason})"
        exit 1
    fi
    echo "0 passed, 0 failed (skipped: ${reason:-unknown reason})"
    exit 0
fi
t1=$(elapsed)

echo "-- vfio-guest: the harness's self-test (test/vfio-guest/selftest.sh)"
"$HERE/selftest.sh" 2>&1 | tee "$out2"
rc2=${PIPESTATUS[0]}

read -r p1 f1 <<< "$(counts "$out1")"
read -r p2 f2 <<< "$(counts "$out2")"
p1=${p1:-0} f1=${f1:-0} p2=${p2:-0} f2=${f2:-0}
# A script that failed without counting a failure still fails the step.
[ "$rc1" = 0 ] || [ "$f1" -gt 0 ] || f1=1
[ "$rc2" = 0 ] || [ "$f2" -gt 0 ] || f2=1
status=0
[ "$rc1" = 0 ] && [ "$rc2" = 0 ] || status=1

echo "-- vfio-guest: guest test $p1 passed, $f1 failed (exit $rc1, $t1 s); self-test $p2 passed," \
    "$f2 failed (exit $rc2); step wall time $(elapsed) s"
echo "$((p1 + p2)) passed, $((f1 + f2)) failed"
exit $status

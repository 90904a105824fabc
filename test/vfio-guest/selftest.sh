#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Self-test of the vfio-guest harness: break one step on purpose and check
# that run.sh reports a failure, for the right reason, for each way a guest
# run can go wrong:
#
#   nobm     the test program clears bus mastering after attach: the MSI,
#            DMA and interrupt-wakeup checks must fail (guest exit 3);
#   dma4096  the program starts a 4096-byte edu DMA: QEMU 7.2 aborts (134);
#   panic    /init exits: the kernel panics and QEMU exits 0 (-no-reboot)
#            without the guest's PASS line;
#   hang     /init hangs: only the timeout ends QEMU (124).
#
# "hang" runs in the background while the others run one after the other:
# once booted, its guest idles (about 2% of a core), so it costs wall time
# but no CPU.
#
# usage: selftest.sh [case...]     (default: all four)
# Prints "SELFTEST PASS|FAIL <case>: ..." per case and ends with
# "N passed, M failed". Exit status: 0 all cases behaved, 1 otherwise,
# 77 if run.sh cannot run on this host (skipped).

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HANG_TIMEOUT=${WD_VFIO_GUEST_HANG_TIMEOUT:-25}
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(hang nobm dma4096 panic)
for c in "${cases[@]}"; do
    case $c in
    nobm|dma4096|panic|hang) ;;
    *) echo "selftest.sh: unknown case '$c'" >&2; exit 2 ;;
    esac
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

args_of() {
    case $1 in
    nobm) echo "--break nobm" ;;
    dma4096) echo "--break dma4096" ;;
    panic) echo "--mode panic" ;;
    hang) echo "--mode hang --timeout $HANG_TIMEOUT" ;;
    esac
}

# What the output of a correctly failing run must contain (extended regexps).
wants_of() {
    case $1 in
    nobm)
        echo 'RESULT FAIL msi_eventfd: .*no MSI'
        echo 'RESULT FAIL dma_hugepage:'
        echo 'RESULT FAIL recv_sync_irq_wakeup: .*no MSI ever woke it'
        echo 'the guest reported failure'
        ;;
    dma4096)
        echo 'hardware error: EDU: DMA range'
        echo 'QEMU aborted'
        ;;
    panic) echo 'did not report success' ;;
    hang) echo "timed out after $HANG_TIMEOUT s" ;;
    esac
}

start_case() {
    # shellcheck disable=SC2046
    "$HERE/run.sh" --quiet --no-install $(args_of "$1") > "$tmp/$1.out" 2>&1
    echo $? > "$tmp/$1.rc"
}

bg_pid=
for c in "${cases[@]}"; do
    if [ "$c" = hang ] && [ ${#cases[@]} -gt 1 ]; then
        start_case hang &
        bg_pid=$!
    fi
done
for c in "${cases[@]}"; do
    [ "$c" = hang ] && [ -n "$bg_pid" ] && continue
    start_case "$c"
done
[ -z "$bg_pid" ] || wait "$bg_pid"

pass=0
fail=0
for c in "${cases[@]}"; do
    out=$tmp/$c.out
    rc=$(cat "$tmp/$c.rc")
    echo "== selftest $c: run.sh $(args_of "$c") (must fail)"
    sed 's/^/   /' "$out"
    if [ "$rc" = 77 ]; then
        grep -E '^0 passed, 0 failed \(skipped' "$out" | tail -n 1
        exit 77
    fi
    why=
    last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
    nfail=$(echo "$last" | sed -n 's/^[0-9]* passed, \([0-9]*\) failed.*/\1/p')
    [ "$rc" = 1 ] || why="run.sh exited $rc, expected 1"
    [ -n "$why" ] || [ "${nfail:-0}" -ge 1 ] || why="the summary line '$last' shows no failure"
    while read -r w; do
        [ -n "$why" ] || grep -qE "$w" "$out" || why="no line matching '$w'"
    done < <(wants_of "$c")
    if [ -z "$why" ]; then
        pass=$((pass + 1))
        echo "SELFTEST PASS $c: reported as a failure ($last)"
    else
        fail=$((fail + 1))
        echo "SELFTEST FAIL $c: $why"
    fi
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]

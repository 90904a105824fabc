#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Issue 4's figure: submitting-core TSC ticks per 4 KiB stateless request
# at burst 32 against the model's store engine (wd-perf --mode cyclecount,
# enqueue + dequeue), for one build or several compared. On a shared
# machine one run says little and the load drifts within minutes, so the
# builds' runs alternate A B B A ... (the second of two back-to-back runs
# of one binary tends to be faster), and the table gives medians and
# ranges over all runs, and how many runs were at or below the target.
#
#   bench/cyclecount_ab.sh [-r rounds] [-s segments] [-t target] [-o raw.txt]
#                          BUILD_DIR [BUILD_DIR...]
#
#   -r  rounds (default 6): each build runs 2 x rounds times with two builds
#       (A B B A per round pair), rounds times with one
#   -s  mbuf segments per request (default 1: flat buffers; issue 4: 1 and 4)
#   -t  target in ticks (default: 300 flat, 450 with segments, issue 4's)
#   -o  keep the raw per-run rows (build enq deq p50enq p50deq errors)
# Environment: WD_EAL_ARGS replaces the EAL arguments below.
set -euo pipefail

rounds=6
segs=1
target=
raw=
while getopts "r:s:t:o:h" opt; do
    case $opt in
    r) rounds=$OPTARG ;;
    s) segs=$OPTARG ;;
    t) target=$OPTARG ;;
    o) raw=$OPTARG ;;
    *) sed -n '3,20p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { sed -n '3,20p' "$0" >&2; exit 2; }
case $rounds$segs$target in
*[!0-9]*) echo "cyclecount_ab: -r, -s and -t take numbers" >&2; exit 2 ;;
esac
[ "$rounds" -ge 1 ] || { echo "cyclecount_ab: -r must be at least 1" >&2; exit 2; }
if [ -z "$target" ]; then
    target=300
    [ "$segs" -gt 1 ] && target=450
fi
command -v python3 >/dev/null || { echo "cyclecount_ab: needs python3" >&2; exit 2; }
builds=("$@")
for b in "${builds[@]}"; do
    if [ ! -x "$b/app/wd-perf/wd-perf" ]; then
        echo "cyclecount_ab: $b/app/wd-perf/wd-perf is not built" >&2
        exit 2
    fi
done

# shellcheck source=bench/eal_args.sh
. "$(dirname "$0")/eal_args.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rows=$tmp/rows
: > "$rows"

# One run of build $1; appends "index enq deq p50enq p50deq errors" to $rows.
run_one() {
    local i=$1 b=${builds[$1]}
    if ! "$b/app/wd-perf/wd-perf" "${eal[@]}" -- --dev model:engine=store,cpus=0 \
        --mode cyclecount --op compress --size 4K --burst 32 --iterations 20 --no-progress \
        --segments "$segs" --json "$tmp/run.json" > "$tmp/run.log" 2>&1; then
        echo "cyclecount_ab: wd-perf of $b failed:" >&2
        tail -n 5 "$tmp/run.log" >&2
        exit 1
    fi
    python3 - "$tmp/run.json" "$i" >> "$rows" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))[0]
print(sys.argv[2], *('%.1f' % (r[k] or 0) for k in
      ('enq_cycles_per_op', 'deq_cycles_per_op', 'enq_cycles_p50', 'deq_cycles_p50')),
      r['errors'])
PY
}

n=${#builds[@]}
done_runs=0
for ((r = 0; r < rounds; r++)); do
    # A B ... then ... B A: each build runs first and last equally often
    order=()
    for ((i = 0; i < n; i++)); do order+=("$i"); done
    [ "$n" -gt 1 ] && for ((i = n - 1; i >= 0; i--)); do order+=("$i"); done
    for i in "${order[@]}"; do
        run_one "$i"
    done
    done_runs=$((done_runs + (n > 1 ? 2 : 1)))
    printf 'round %d of %d: %d runs per build\n' $((r + 1)) "$rounds" "$done_runs" >&2
done
[ -n "$raw" ] && cp "$rows" "$raw"

python3 - "$rows" "$target" "$segs" "${builds[@]}" <<'PY'
import statistics as st, sys
rows, target, segs, builds = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4:]
data = {}
for line in open(rows):
    f = line.split()
    data.setdefault(int(f[0]), []).append([float(x) for x in f[1:]])
print('4 KiB stateless compression, burst 32, model store engine, %s'
      % ('flat buffers' if segs == '1' else segs + '-segment chains'))
print('ticks per request (medians, ranges over all runs); target %d' % target)
print('| build | runs | enqueue | dequeue | total (cyc/op) | p50 enq / p50 deq '
      '| runs <= target | errors |')
print('|---|---|---|---|---|---|---|---|')
def mr(v):
    return '%.0f (%.0f..%.0f)' % (st.median(v), min(v), max(v))
for i, b in enumerate(builds):
    r = data.get(i, [])
    if not r:
        continue
    tot = [x[0] + x[1] for x in r]
    print('| %s | %d | %s | %s | **%s** | %.0f / %.0f | %d of %d | %d |' % (
        b, len(r), mr([x[0] for x in r]), mr([x[1] for x in r]), mr(tot),
        st.median([x[2] for x in r]), st.median([x[3] for x in r]),
        sum(t <= target for t in tot), len(r), sum(x[4] for x in r)))
PY

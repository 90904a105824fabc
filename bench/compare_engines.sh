#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The model's store engine, the model's real engine (ISA-L, or zlib in a
# build without it) and the software engine side by side, 4 KiB and 64 KiB
# requests, with wd-perf:
#
#   bench/compare_engines.sh [BUILD_DIR] [OUT_DIR] [extra wd-perf options...]
#
# Each run lasts 2 s (cyclecount: 3 passes) unless the extra options say
# how long (--duration or --iterations); give BUILD_DIR and OUT_DIR first
# when passing extra options.
# Writes OUT_DIR (default: BUILD_DIR/bench-results, outside the sources)
# /{throughput,latency,cyclecount}.{txt,json,csv} and, when
# matplotlib is installed (Debian: python3-matplotlib), a PNG of each.
# Environment: WD_EAL_ARGS replaces the EAL arguments below.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
out=${2:-$build/bench-results}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && shift
perf=$build/app/wd-perf/wd-perf
[ -x "$perf" ] || { echo "compare_engines: $perf is not built" >&2; exit 2; }
mkdir -p "$out"

# shellcheck source=bench/eal_args.sh
. "$here/bench/eal_args.sh"
devs=(--dev model:engine=store --dev model:engine=real --dev sw)

# the run length, unless the extra options give one
own_length=false
for a in "$@"; do
    case $a in --duration|--duration=*|--iterations|--iterations=*) own_length=true ;; esac
done

for mode in throughput latency cyclecount; do
    extra=(--duration 2)
    [ "$mode" = cyclecount ] && extra=(--iterations 3)
    $own_length && extra=()
    echo "== $mode"
    "$perf" "${eal[@]}" -- "${devs[@]}" --mode "$mode" --size 4K,64K "${extra[@]}" \
        --json "$out/$mode.json" --csv "$out/$mode.csv" "$@" | tee "$out/$mode.txt"
    if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
        /usr/bin/python3 "$here/bench/plot_wd_perf.py" "$out/$mode.csv" -o "$out/$mode.png" \
            --title "wd-perf $mode: model store vs model real vs sw"
    else
        echo "notice: no PNG (apt-get install python3-matplotlib)" >&2
    fi
done

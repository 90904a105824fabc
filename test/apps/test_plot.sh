#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# bench/plot_wd_perf.py on a tiny CSV written by wd-perf (software engine):
# the script must run and write a PNG. Skipped (77) only when matplotlib
# is not installed (scripts/quickstart.sh installs python3-matplotlib).
set -eu
py=/usr/bin/python3
if ! "$py" -c 'import matplotlib' 2>/dev/null; then
    echo "matplotlib is not installed (python3-matplotlib): skipped"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$WD_BUILD_ROOT/app/wd-perf/wd-perf" --no-pci -l 0 -m 256 -- --dev sw --size 1K,4K \
    --iterations 1 --no-progress --quiet --csv "$tmp/r.csv"
test -s "$tmp/r.csv"
"$py" "$WD_SOURCE_ROOT/bench/plot_wd_perf.py" "$tmp/r.csv" -o "$tmp/r.png" --title test
# a PNG file: \211 P N G
head -c 4 "$tmp/r.png" | od -An -c | grep -q 'P   N   G'
echo "plot written: $(wc -c < "$tmp/r.png") bytes"

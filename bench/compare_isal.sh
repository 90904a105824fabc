#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# wd_comp's software engine against DPDK's compress_isal PMD, side by side:
# the same input file, the same op size (segment size x max SGL segments),
# level 1, raw deflate, one worker lcore doing the work while the main
# lcore waits (both tools: -l <main>,<lcore>), the same measuring method
# (dpdk-test-compress-perf --ptest throughput for the PMD; comp_bench,
# which reproduces that method on wd_comp, for us). Runs alternate between
# the two tools so that machine load hits both alike; the table gives, in
# Gbps of uncompressed data, the best run (the least disturbed one: on a
# shared machine the fairest figure of what each stack can do), the
# median and the range of the repetitions.
#
# usage: bench/compare_isal.sh [-b build_dir] [-f input_file] [-s "4096 32768"]
#                              [-m max_sgl_segs] [-r repetitions] [-i iterations]
#                              [-l lcore] [-d device_spec] [-o out.md]
#
# Without -f the input is the whole corpus (../shared/corpus or
# $WD_CORPUS_DIR) concatenated into a temporary file.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=$root/build
file=
segs="4096 32768"
maxsegs=1
reps=11
iters=
lcore=1
dev=sw
out=

while getopts "b:f:s:m:r:i:l:d:o:h" opt; do
    case $opt in
    b) build=$OPTARG ;;
    f) file=$OPTARG ;;
    s) segs=$OPTARG ;;
    m) maxsegs=$OPTARG ;;
    r) reps=$OPTARG ;;
    i) iters=$OPTARG ;;
    l) lcore=$OPTARG ;;
    d) dev=$OPTARG ;;
    o) out=$OPTARG ;;
    *) sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done

for v in "$reps" "$maxsegs" "$lcore" ${iters:+"$iters"} $segs; do
    case $v in ''|*[!0-9]*)
        echo "compare_isal: -r, -m, -l, -i and -s take numbers, not '$v'" >&2; exit 2 ;;
    esac
done
if [ -z "$segs" ] || [ "$reps" -lt 1 ] || [ "$maxsegs" -lt 1 ]; then
    echo "compare_isal: -s needs a size, -r and -m at least 1" >&2
    exit 2
fi

bench=$build/test/comp/comp_bench
perf=$(command -v dpdk-test-compress-perf || true)
if [ ! -x "$bench" ]; then
    echo "comp_bench not found in $build (build the project first, or give -b)" >&2
    exit 1
fi
if [ -z "$perf" ]; then
    echo "dpdk-test-compress-perf not found (Debian package dpdk-dev)" >&2
    exit 1
fi

tmpdir=$(mktemp -d /tmp/wd_bench.XXXXXX)
trap 'rm -rf "$tmpdir"' EXIT
if [ -z "$file" ]; then
    corpus=${WD_CORPUS_DIR:-$root/../shared/corpus}
    if [ ! -d "$corpus" ]; then
        echo "no input file and no corpus at $corpus: give -f" >&2
        exit 1
    fi
    file=$tmpdir/corpus.bin
    cat "$corpus"/alice29.txt "$corpus"/asyoulik.txt "$corpus"/fireworks.jpeg \
        "$corpus"/geo.protodata "$corpus"/html "$corpus"/html_x_4 "$corpus"/kppkn.gtb \
        "$corpus"/lcet10.txt "$corpus"/paper-100k.pdf "$corpus"/plrabn12.txt \
        "$corpus"/urls.10K > "$file"
fi
size=$(stat -c %s "$file")
# about 30 MB of input per measured run unless told otherwise: short runs,
# many of them, so that some run undisturbed on a busy machine
[ -n "$iters" ] || iters=$(( (30000000 + size - 1) / size ))

# hugepages if there are enough free, else plain memory (both tools run either way)
free_hp=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
mem="-m 256 --in-memory"
if [ "$free_hp" -lt 160 ]; then
    # EAL 22.11 refuses --in-memory with --no-huge: no shared config instead
    mem="-m 256 --no-huge --no-shconf"
    echo "notice: few free hugepages ($free_hp): running with --no-huge" >&2
fi
eal_common="--no-pci --no-telemetry --log-level=lib.eal:error $mem"

# "Comp [Gbps]" and "Decomp [Gbps]" of the result line: level, size, ratio, comp, decomp
result() { awk 'f && NF == 6 { print $3, $4, $5, $6; exit } /Comp \[Gbps\]/ { f = 1 }' "$1"; }

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2];
                                             else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
range() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s", lo, hi }'; }
best() { sort -g | tail -n 1; }

main_lcore=0
[ "$lcore" -ne 0 ] || main_lcore=1

{
echo "# wd_comp software engine vs DPDK compress_isal"
echo
echo "- input: $(basename "$file"), $size bytes; raw deflate, level 1, no checksum"
echo "- ops of segment size x $maxsegs segment(s); burst 32; $iters iterations per run; $reps runs each, alternating"
echo "- one worker lcore ($lcore) measures, the main lcore ($main_lcore) waits, for both tools; DPDK $(dpkg-query -W -f '${Version}' dpdk-dev 2>/dev/null || echo '?'), ISA-L $(dpkg-query -W -f '${Version}' libisal2 2>/dev/null || echo '?')"
echo "- $(nproc) CPUs, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| op size | engine | ratio % | compress Gbps: best / median (range) | decompress Gbps: best / median (range) |"
echo "|---|---|---|---|---|"
} > "$tmpdir/table.md"

for seg in $segs; do
    : > "$tmpdir/pmd.txt"
    : > "$tmpdir/ours.txt"
    for ((r = 1; r <= reps; r++)); do
        if ! "$perf" -l "$main_lcore,$lcore" --vdev compress_isal $eal_common -- \
            --driver-name compress_isal --input-file "$file" --seg-sz "$seg" \
            --max-num-sgl-segs "$maxsegs" --compress-level 1 --num-iter "$iters" \
            --ptest throughput > "$tmpdir/pmd.log" 2>&1; then
            echo "dpdk-test-compress-perf failed:" >&2
            tail -5 "$tmpdir/pmd.log" >&2
            exit 1
        fi
        result "$tmpdir/pmd.log" >> "$tmpdir/pmd.txt"
        if ! "$bench" -l "$main_lcore,$lcore" --iova-mode=va $eal_common -- --dev "$dev" \
            --input-file "$file" --seg-sz "$seg" --max-num-sgl-segs "$maxsegs" \
            --compress-level 1 --num-iter "$iters" > "$tmpdir/ours.log" 2>&1; then
            echo "comp_bench failed:" >&2
            tail -5 "$tmpdir/ours.log" >&2
            exit 1
        fi
        result "$tmpdir/ours.log" >> "$tmpdir/ours.txt"
        echo "seg $seg run $r: compress_isal $(tail -1 "$tmpdir/pmd.txt") | wd_comp $(tail -1 "$tmpdir/ours.txt")" >&2
    done
    for who in pmd ours; do
        name=$([ $who = pmd ] && echo "DPDK compress_isal" || echo "wd_comp $dev")
        ratio=$(awk '{ print $2 }' "$tmpdir/$who.txt" | head -1)
        cb=$(awk '{ print $3 }' "$tmpdir/$who.txt" | best)
        db=$(awk '{ print $4 }' "$tmpdir/$who.txt" | best)
        cm=$(awk '{ print $3 }' "$tmpdir/$who.txt" | median)
        cr=$(awk '{ print $3 }' "$tmpdir/$who.txt" | range)
        dm=$(awk '{ print $4 }' "$tmpdir/$who.txt" | median)
        dr=$(awk '{ print $4 }' "$tmpdir/$who.txt" | range)
        echo "| $((seg * maxsegs)) B | $name | $ratio | **$cb** / $cm ($cr) | **$db** / $dm ($dr) |" >> "$tmpdir/table.md"
    done
done

cat "$tmpdir/table.md"
if [ -n "$out" ]; then
    cp "$tmpdir/table.md" "$out"
fi

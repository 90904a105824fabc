#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Source rules that a compiler does not check (doc/development.md):
#  1. libraries, drivers and the model never print to stdout/stderr and
#     never exit the process;
#  2. no vendor knowledge in lib/, no model knowledge in drivers/;
#  3. no DPDK driver-SDK headers copied into the tree;
#  4. every C file starts with an SPDX line;
#  5. no line of a tracked .c/.h is wider than 100 columns (tabs = 8).
# Comment lines are not checked for rules 1-2.
set -u
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root" || exit 2
fail=0
report() { echo "style: $*"; fail=1; }

code_lines() {  # file -> "lineno:text" of lines that are not comments
    awk '
        /\/\*/ { inc = 1 }
        { if (!inc && $0 !~ /^[[:space:]]*\/\//) printf "%d:%s\n", NR, $0 }
        /\*\// { inc = 0 }
    ' "$1"
}

libfiles=$(find lib drivers model -name '*.[ch]' 2>/dev/null | sort)
for f in $libfiles; do
    code_lines "$f" | grep -E '(^|[^a-z_.>])(printf|puts|putchar|perror|exit|_exit|abort|rte_exit|rte_panic)[[:space:]]*\(' \
        | while IFS= read -r l; do report "$f:${l%%:*}: prints or exits: ${l#*:}"; done
    code_lines "$f" | grep -E 'fprintf[[:space:]]*\([[:space:]]*(stdout|stderr)' \
        | while IFS= read -r l; do report "$f:${l%%:*}: prints to stdout/stderr: ${l#*:}"; done
done
# the subshells above cannot set fail: recount
if [ -n "$libfiles" ]; then
    n=$(for f in $libfiles; do
            code_lines "$f" | grep -cE '(^|[^a-z_.>])(printf|puts|putchar|perror|exit|_exit|abort|rte_exit|rte_panic)[[:space:]]*\(|fprintf[[:space:]]*\([[:space:]]*(stdout|stderr)'
        done | awk '{s += $1} END {print s + 0}')
    [ "$n" -eq 0 ] || fail=1
fi

for f in $(find lib -name '*.[ch]' | sort); do
    if code_lines "$f" | grep -qiE 'hisi|huawei|kunpeng|0x19e5|hzip_'; then
        report "$f: vendor knowledge in lib/: $(code_lines "$f" | grep -iE 'hisi|huawei|kunpeng|0x19e5|hzip_' | head -1)"
    fi
done
for f in $(find drivers -name '*.[ch]' 2>/dev/null | sort); do
    if code_lines "$f" | grep -qE 'hzip_model|hzm_|model/hisi_zip|WD_BUS_MODEL|WD_DEV_F_MODEL'; then
        report "$f: model knowledge in drivers/: $(code_lines "$f" | grep -E 'hzip_model|hzm_|model/hisi_zip|WD_BUS_MODEL|WD_DEV_F_MODEL' | head -1)"
    fi
done

if git ls-files 2>/dev/null | grep -qE '(^|/)(rte_compressdev_pmd|bus_pci_driver|bus_vdev_driver|rte_compressdev_internal|eal_private)\.h$'; then
    report "DPDK driver-SDK or internal headers are in the tree"
fi

for f in $(git ls-files '*.c' '*.h' 2>/dev/null); do
    head -n 1 "$f" | grep -q 'SPDX-License-Identifier' || report "$f: first line is not SPDX"
done

long=$(git ls-files '*.c' '*.h' 2>/dev/null | while IFS= read -r f; do
            expand -t 8 "$f" | awk -v f="$f" 'length($0) > 100 {
                printf "%s:%d: %d columns\n", f, NR, length($0) }'
        done)
if [ -n "$long" ]; then
    while IFS= read -r l; do report "$l (over 100)"; done <<< "$long"
fi

if [ $fail -eq 0 ]; then
    echo "style: all checks passed"
fi
exit $fail

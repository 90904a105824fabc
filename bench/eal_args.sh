# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Sourced by the bench scripts: sets the array `eal` to the EAL arguments
# of a wd-perf run (lcores 0-1 when there are two CPUs, hugepages when at
# least 256 free 2 MiB pages are mounted, else --no-huge). WD_EAL_ARGS
# replaces them.

if [ -n "${WD_EAL_ARGS:-}" ]; then
    # shellcheck disable=SC2206,SC2034
    eal=($WD_EAL_ARGS)
    return 0
fi
lcores=0
[ "$(nproc)" -ge 2 ] && lcores=0-1
free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
if grep -q " hugetlbfs " /proc/mounts && [ "$free" -ge 256 ]; then
    mem=(-m 512 --in-memory)
else
    echo "notice: not enough free 2 MiB hugepages: EAL runs with --no-huge" >&2
    mem=(-m 512 --no-huge --no-shconf)
fi
# shellcheck disable=SC2034
eal=(-l "$lcores" --no-pci --iova-mode=va --log-level=lib.eal:error "${mem[@]}")

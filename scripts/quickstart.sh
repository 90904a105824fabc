#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The README's quick start, on a fresh Debian 12 machine:
#
#   scripts/quickstart.sh demo [wd-perf options...]   set up, build, run wd-perf
#   scripts/quickstart.sh test [meson test options]   set up, build, run all tests
#
# Set-up: installs the Debian packages it needs (apt-get, as root or with
# sudo), builds with meson into ./build (or $WD_BUILD_DIR), reserves 2 MiB
# hugepages and mounts hugetlbfs when it can, and falls back to EAL's
# --no-huge (with a notice) when it cannot.
#
# Environment: WD_BUILD_DIR (default build), WD_HUGEPAGES (pages to reserve,
# default 1024 = 2 GiB), WD_MESON_OPTS (extra meson setup options),
# WD_SKIP_APT=1 (do not install packages).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
build=${WD_BUILD_DIR:-build}
pages=${WD_HUGEPAGES:-1024}
cmd=${1:-}
[ $# -gt 0 ] && shift

usage() {
    echo "usage: $0 demo [wd-perf options...] | test [meson test options...]" >&2
    exit 2
}
case "$cmd" in demo|test) ;; *) usage ;; esac

say() { printf '== %s\n' "$*"; }

# "test" always ends with a summary line, also when the set-up fails
summary_done=0
# shellcheck disable=SC2317  # called by the EXIT trap
on_exit() {
    local st=$?
    [ "$summary_done" = 1 ] || [ "$st" -eq 0 ] ||
        echo "0 passed, 1 failed (set-up failed, exit $st)"
}
if [ "$cmd" = test ]; then trap on_exit EXIT; fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
fi
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif [ -n "$SUDO" ]; then $SUDO "$@"; else return 1; fi
}

# ---- packages ----------------------------------------------------------------
packages=(build-essential pkg-config meson ninja-build python3 gzip
          libdpdk-dev dpdk-dev libisal-dev libcmocka-dev libnuma-dev zlib1g-dev
          libpcap-dev doxygen python3-matplotlib)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] && [ "${WD_SKIP_APT:-0}" != 1 ]; then
    say "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -q >/dev/null ||
        { echo "error: apt-get update failed (needs root or sudo, and a package" \
               "mirror; WD_SKIP_APT=1 skips the packages)" >&2; exit 1; }
    as_root apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
        { echo "error: apt-get install ${missing[*]} failed" >&2; exit 1; }
fi

# ---- build -------------------------------------------------------------------
if [ ! -f "$build/build.ninja" ]; then
    say "configuring $build"
    # meson writes its errors to stdout: show them when it fails
    # shellcheck disable=SC2086
    if ! setup_out=$(meson setup "$build" -Dwerror=true ${WD_MESON_OPTS:-} 2>&1); then
        printf '%s\n' "$setup_out" | tail -n 20 >&2
        echo "error: meson setup $build failed" >&2
        exit 1
    fi
fi
say "building"
ninja -C "$build" >/dev/null || { ninja -C "$build"; exit 1; }

# ---- hugepages ----------------------------------------------------------------
hp=/sys/kernel/mm/hugepages/hugepages-2048kB
huge_ok=0
if [ -d "$hp" ]; then
    have=$(cat "$hp/nr_hugepages")
    if [ "$have" -lt "$pages" ]; then
        echo "$pages" | as_root tee "$hp/nr_hugepages" >/dev/null 2>&1 || true
    fi
    if ! grep -q " hugetlbfs " /proc/mounts; then
        as_root mkdir -p /dev/hugepages 2>/dev/null &&
            as_root mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null || true
    fi
    free=$(cat "$hp/free_hugepages")
    if grep -q " hugetlbfs " /proc/mounts && [ "$free" -ge 128 ]; then
        huge_ok=1
    fi
fi
if [ $huge_ok = 1 ]; then
    say "hugepages: $(cat "$hp/free_hugepages") free 2 MiB pages, hugetlbfs mounted"
    eal_mem=(--in-memory -m 512)
else
    echo "notice: cannot reserve 2 MiB hugepages or mount hugetlbfs (need root):" \
         "running EAL with --no-huge (slower, fine for the model)"
    # EAL 22.11 refuses --in-memory with --no-huge: no shared config instead
    eal_mem=(--no-huge --no-shconf -m 512)
fi

# ---- run ----------------------------------------------------------------------
if [ "$cmd" = demo ]; then
    lcores=0
    [ "$(nproc)" -ge 2 ] && lcores=0-1
    # Scan the PCI bus only when a ZIP function (19e5:a250 PF, a251 VF) is
    # bound to vfio-pci; otherwise EAL's own drivers complain about the
    # machine's other devices and wd-perf uses the device model anyway.
    pci=(--no-pci)
    for d in /sys/bus/pci/devices/*; do
        [ -e "$d/vendor" ] || continue
        if [ "$(cat "$d/vendor")" = 0x19e5 ] &&
           grep -qE '^0xa25[01]$' "$d/device" &&
           [ "$(basename "$(readlink -f "$d/driver" 2>/dev/null)")" = vfio-pci ]; then
            pci=()
            break
        fi
    done
    say "wd-perf on the default device"
    exec "$build/app/wd-perf/wd-perf" -l "$lcores" --iova-mode=va \
        --log-level=lib.eal:error --log-level=lib.telemetry:error \
        "${eal_mem[@]}" "${pci[@]}" -- "$@"
fi

say "running the test suite"
export WD_TEST_EAL_ARGS="${WD_TEST_EAL_ARGS:-}"
# a log left by an earlier run must not be counted as this one's
rm -f "$build/meson-logs/testlog.json"
set +e
meson test -C "$build" --print-errorlogs --num-processes 2 "$@"
rc=$?
set -e
summary_done=1
# A plain summary line, for people and for CI; the exit status follows it.
python3 - "$build/meson-logs/testlog.json" "$rc" <<'EOF' || [ "$rc" -ne 0 ] || rc=1
import json, sys
rc = int(sys.argv[2])
passed = failed = skipped = 0
try:
    with open(sys.argv[1]) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line).get("result", "")
            if r in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif r == "SKIP":
                skipped += 1
            else:
                failed += 1
except OSError:
    failed += 1     # no test ran
# meson test failed without a failed test (bad option, rebuild failed...)
if rc != 0 and failed == 0:
    failed = 1
extra = f" ({skipped} skipped)" if skipped else ""
print(f"{passed} passed, {failed} failed{extra}")
sys.exit(1 if failed else 0)
EOF
exit $rc

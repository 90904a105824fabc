#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build for arm64 (the Kunpeng 920's architecture) on an x86-64 Debian 12
# machine, with -Werror, against Debian's arm64 DPDK 22.11, and run tests
# of the driver and the model under qemu-user:
#
#   scripts/cross-arm64.sh build                 set up, cross-build
#   scripts/cross-arm64.sh test [meson test args] set up, build, run tests
#                                                (default: --suite model
#                                                 --suite driver)
#
# Set-up (as root or with sudo): arm64 is added to dpkg's architectures,
# the cross compiler and qemu-user-static are installed (amd64 packages),
# and Debian's arm64 packages the build needs (DPDK, ISA-L, zlib, libnuma,
# cmocka, libpcap, jansson and their dependencies) are downloaded and
# unpacked into $WD_ARM64_DIR/sysroot, not installed: the arm64 -dev
# packages of DPDK and ISA-L cannot be installed next to the amd64 ones.
# Tests run under qemu-aarch64 with the sysroot as its library prefix
# (QEMU_LD_PREFIX). Under qemu-user the arm64 code paths run (barriers,
# plain SGL stores, the mailbox's stp, the generic timer), but with the
# host's memory ordering: this checks the build and the logic on arm64,
# not the ordering of a weakly ordered CPU.
#
# Ends with "N passed, N failed"; when the set-up cannot be done here (no
# package mirror, not Debian/x86-64), "0 passed, 0 failed (skipped: why)"
# and exit status 77.
# Environment: WD_ARM64_DIR (default build-arm64), WD_SKIP_APT=1.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here" || exit 2
out=${WD_ARM64_DIR:-build-arm64}
mkdir -p "$out"
out=$(cd "$out" && pwd)
root=$out/sysroot
cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in build|test) ;; *)
    sed -n '3,28p' "$0" >&2
    exit 2 ;;
esac

say() { printf -- '-- arm64: %s\n' "$*"; }
skip() {
    say "SKIPPED: $*"
    echo "0 passed, 0 failed (skipped: $*)"
    exit 77
}
fail() {
    say "FAILED: $*"
    echo "0 passed, 1 failed"
    exit 1
}

SUDO=
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif [ -n "$SUDO" ]; then $SUDO "$@"; else return 1; fi
}

[ "$(uname -m)" = x86_64 ] || skip "the host is $(uname -m), not x86_64"
[ -r /etc/debian_version ] || skip "not a Debian host"

# ---- packages of the host (amd64) and the arm64 architecture ----------------
if [ "${WD_SKIP_APT:-0}" != 1 ]; then
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        as_root dpkg --add-architecture arm64 || skip "cannot add arm64 to dpkg (not root)"
        as_root apt-get update -q >/dev/null 2>&1 || skip "apt-get update failed"
    fi
    need=()
    for p in gcc-aarch64-linux-gnu qemu-user-static meson ninja-build pkg-config; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need+=("$p")
    done
    if [ ${#need[@]} -gt 0 ]; then
        say "installing ${need[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-remove \
            --no-install-recommends "${need[@]}" >"$out/apt.log" 2>&1 ||
            { tail -n 5 "$out/apt.log" >&2; skip "cannot install ${need[*]}"; }
    fi
fi
command -v aarch64-linux-gnu-gcc >/dev/null || skip "no aarch64-linux-gnu-gcc"
command -v qemu-aarch64-static >/dev/null || skip "no qemu-aarch64-static"

# ---- the sysroot: Debian's arm64 packages, unpacked --------------------------
pkgs=(libdpdk-dev libisal-dev zlib1g-dev libnuma-dev libcmocka-dev libpcap-dev
      libjansson-dev libc6-dev)
if [ ! -f "$root/.complete" ]; then
    say "arm64 sysroot: resolving ${pkgs[*]}"
    rm -rf "$root" "$out/debs"
    mkdir -p "$root" "$out/debs"
    # every arm64 package the -dev packages depend on (apt-cache names them
    # pkg:arm64; virtual ones in <>, and the amd64 and arch-independent
    # tools of maintainer scripts, are left out)
    names=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
            --no-breaks --no-replaces --no-enhances "${pkgs[@]/%/:arm64}" 2>/dev/null |
            grep -E '^[a-z0-9][^ ]*:arm64$' | sort -u)
    [ -n "$names" ] || skip "apt knows no arm64 packages (no arm64 package lists)"
    # shellcheck disable=SC2086
    (cd "$out/debs" && apt-get download $names >"$out/download.log" 2>&1) ||
        { tail -n 3 "$out/download.log" >&2; skip "cannot download the arm64 packages"; }
    for p in "${pkgs[@]}"; do
        ls "$out/debs/${p}"_*_arm64.deb >/dev/null 2>&1 || skip "cannot download $p:arm64"
    done
    say "unpacking $(find "$out/debs" -name "*.deb" | wc -l) packages"
    for f in "$out"/debs/*.deb; do
        dpkg-deb -x "$f" "$root" || fail "cannot unpack $f"
    done
    # absolute links (libz.so -> /lib/...) must point into the sysroot
    find "$root" -type l -lname '/*' | while read -r l; do
        ln -sfn "$root$(readlink "$l")" "$l"
    done
    touch "$root/.complete"
fi

# ---- build --------------------------------------------------------------------
cat >"$out/arm64.cross" <<EOF
[binaries]
c = 'aarch64-linux-gnu-gcc'
ar = 'aarch64-linux-gnu-ar'
strip = 'aarch64-linux-gnu-strip'
pkgconfig = 'pkg-config'
exe_wrapper = ['qemu-aarch64-static', '-L', '$root']

[properties]
sys_root = '$root'
pkg_config_libdir = ['$root/usr/lib/aarch64-linux-gnu/pkgconfig', '$root/usr/share/pkgconfig']

[built-in options]
c_args = ['--sysroot=$root']
c_link_args = ['--sysroot=$root', '-L$root/usr/lib/aarch64-linux-gnu',
               '-Wl,-rpath-link,$root/usr/lib/aarch64-linux-gnu:$root/lib/aarch64-linux-gnu']

[host_machine]
system = 'linux'
cpu_family = 'aarch64'
cpu = 'armv8-a'
endian = 'little'
EOF
if [ ! -f "$out/build/build.ninja" ]; then
    say "meson setup (cross file $out/arm64.cross)"
    meson setup "$out/build" --cross-file "$out/arm64.cross" -Dwerror=true \
        >"$out/setup.log" 2>&1 || { tail -n 20 "$out/setup.log"; fail "meson setup"; }
fi
say "building with -Werror"
ninja -C "$out/build" >"$out/build.log" 2>&1 || {
    grep -E 'error|warning' "$out/build.log" | head -n 20
    fail "the arm64 build (log: $out/build.log)"
}
aarch64-linux-gnu-readelf -h "$out/build/app/wd-perf/wd-perf" | grep -q 'Machine:.*AArch64' ||
    fail "wd-perf is not an arm64 binary"
say "built $out/build (AArch64 ELF)"
if [ "$cmd" = build ]; then
    echo "1 passed, 0 failed"
    exit 0
fi

# ---- tests under qemu-user ------------------------------------------------------
[ $# -gt 0 ] || set -- --suite model --suite driver
export QEMU_LD_PREFIX=$root      # also for programs the tests start themselves
say "meson test $* (under qemu-aarch64)"
log=$out/test.log
meson test -C "$out/build" --no-rebuild -t 10 --print-errorlogs "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
bad=0
for k in Fail "Unexpected Pass" Timeout; do
    n=$(sed -n "s/^$k: *\([0-9]*\).*/\1/p" "$log" | tail -n 1)
    bad=$((bad + ${n:-0}))
done
[ -n "$ok" ] || { ok=0; bad=$((bad + 1)); }
[ "$rc" -eq 0 ] || [ "$bad" -gt 0 ] || bad=1
echo "$((ok + 1)) passed, $bad failed (arm64: the build, and $ok tests under qemu-user)"
[ "$bad" -eq 0 ]

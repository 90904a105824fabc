#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The vfio-guest test: boot Debian's kernel in a QEMU guest (TCG) with an
# emulated Intel IOMMU and QEMU's edu device, and run lib/wd_core's
# vfio-pci backend against it (test/vfio-guest/vfio_guest_test.c).
# See doc/vfio-guest.md.
#
# usage: run.sh [--break nobm|dma4096] [--mode hang|panic] [--timeout SECONDS]
#               [--quiet] [--no-install]
#
# Environment:
#   WD_VFIO_GUEST_BUILD    build directory (default <source>/build-vfio; an existing
#                          meson build directory is used as is, only the test
#                          program is (re)built in it)
#   WD_VFIO_GUEST_CACHE    download cache (default /var/cache/wd-vfio-guest)
#   WD_VFIO_GUEST_TIMEOUT  guest time limit in seconds (default 120)
#
# What it does: installs what it lacks (qemu-system-x86 without recommended
# packages, busybox-static, cpio, kmod), downloads the Debian kernel that
# linux-image-amd64 currently depends on and unpacks it into a temporary
# folder (never installed; vmlinuz and the VFIO modules are cached per kernel
# release), builds the test program, packs an initramfs and boots it.
#
# The verdict comes from QEMU's exit code: 0 with the guest's PASS line is a
# pass; 3 (the guest wrote to isa-debug-exit), 124 (timeout), 134 (QEMU
# aborted) and anything else are failures, as is 0 without the PASS line
# (e.g. a kernel panic with -no-reboot). The last line printed is always
# "N passed, M failed" (the guest's checks), with "(skipped: <reason>)"
# when this host cannot run the test.
#
# Exit status: 0 pass, 1 fail, 77 skipped (this host cannot run it).

set -u
set -o pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${WD_VFIO_GUEST_BUILD:-$SRC/build-vfio}
CACHE=${WD_VFIO_GUEST_CACHE:-/var/cache/wd-vfio-guest}
TIMEOUT=${WD_VFIO_GUEST_TIMEOUT:-120}
BREAK=
MODE=
QUIET=0
INSTALL=1

while [ $# -gt 0 ]; do
    case "$1" in
    --break) BREAK=$2; shift 2 ;;
    --mode) MODE=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --quiet) QUIET=1; shift ;;
    --no-install) INSTALL=0; shift ;;
    -h|--help) sed -n '3,33p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
case "$BREAK" in ''|nobm|dma4096) ;; *) echo "run.sh: bad --break '$BREAK'" >&2; exit 2 ;; esac
case "$MODE" in ''|hang|panic) ;; *) echo "run.sh: bad --mode '$MODE'" >&2; exit 2 ;; esac

T0=$(date +%s.%N)
say() {
    echo "vfio-guest: $*"
}
elapsed() {
    awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}
skip() {
    say "SKIPPED: $*"
    echo "0 passed, 0 failed (skipped: $*)"
    exit 77
}
broken() {
    say "FAIL: $*"
    echo "0 passed, 1 failed ($*)"
    exit 1
}

# ---- host packages -----------------------------------------------------------

APT_UPDATED=0
apt_update() {
    [ "$APT_UPDATED" = 1 ] && return 0
    APT_UPDATED=1
    say "apt-get update"
    apt-get -q -o DPkg::Lock::Timeout=300 update > "$APTLOG" 2>&1
}

# Install packages, refreshing the package lists once if needed.
apt_install() {
    local env=(DEBIAN_FRONTEND=noninteractive)
    say "installing $* (without recommended packages)"
    if ! env "${env[@]}" apt-get install -y -q --no-install-recommends \
            -o DPkg::Lock::Timeout=300 "$@" > "$APTLOG" 2>&1; then
        apt_update
        env "${env[@]}" apt-get install -y -q --no-install-recommends \
            -o DPkg::Lock::Timeout=300 "$@" >> "$APTLOG" 2>&1
    fi
}

[ "$(id -u)" = 0 ] || skip "needs root (apt-get, mknod)"
if ! command -v apt-get > /dev/null || ! command -v dpkg-deb > /dev/null; then
    skip "not a Debian host (no apt-get/dpkg-deb)"
fi
[ "$(uname -m)" = x86_64 ] || skip "needs an x86_64 host (the guest runs this host's build)"

mkdir -p "$CACHE" || broken "cannot create the cache folder $CACHE"
APTLOG=$CACHE/apt.log

need=()
command -v qemu-system-x86_64 > /dev/null || need+=(qemu-system-x86)
command -v cpio > /dev/null || need+=(cpio)
{ command -v modprobe && command -v depmod; } > /dev/null 2>&1 ||
    [ -x /sbin/modprobe ] || need+=(kmod)
BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
    [ "$INSTALL" = 1 ] || skip "missing ${need[*]} and --no-install given"
    apt_install "${need[@]}" || {
        tail -n 5 "$APTLOG" | sed 's/^/  apt: /'
        skip "cannot install ${need[*]} (no package reachable)"
    }
    BUSYBOX=$(command -v busybox || true)
fi
PATH=$PATH:/sbin:/usr/sbin
for c in qemu-system-x86_64 cpio modprobe depmod; do
    command -v $c > /dev/null || skip "$c is not available after installing"
done
[ -n "$BUSYBOX" ] || skip "busybox is not available after installing"
QEMU_VER=$(qemu-system-x86_64 --version | head -n 1)
for d in edu intel-iommu pcie-root-port isa-debug-exit; do
    qemu-system-x86_64 -device help 2>/dev/null | grep -q "name \"$d\"" ||
        skip "$QEMU_VER has no '$d' device"
done

# ---- the Debian kernel, unpacked, not installed --------------------------------

# Serialise concurrent runs on the cache.
exec 9> "$CACHE/.lock"
flock 9

kernel_pkg() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}
KPKG=$(kernel_pkg)
if [ -z "$KPKG" ]; then
    apt_update
    KPKG=$(kernel_pkg)
fi
if [ -z "$KPKG" ]; then
    # Offline: fall back to the newest kernel already in the cache.
    KDIR=$(find "$CACHE" -maxdepth 2 -path "$CACHE/kernel-*/complete" ! -path '*.new/*' |
        sort -V | tail -n 1)
    KDIR=${KDIR%/complete}
    [ -n "$KDIR" ] || skip "no Debian kernel package found (apt-cache depends linux-image-amd64)"
    KREL=${KDIR##*/kernel-}
    say "no kernel package in the apt lists; using the cached $KREL"
else
    KREL=${KPKG#linux-image-}
    KDIR=$CACHE/kernel-$KREL
fi

if [ ! -f "$KDIR/complete" ]; then
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/wd-vfio-kernel.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    say "downloading $KPKG (apt-get download, unpacked with dpkg-deb -x, not installed)"
    if ! (cd "$tmp" && apt-get download -q "$KPKG" > "$APTLOG" 2>&1); then
        apt_update
        (cd "$tmp" && apt-get download -q "$KPKG" >> "$APTLOG" 2>&1) ||
            skip "cannot download the kernel package $KPKG"
    fi
    dpkg-deb -x "$tmp"/*.deb "$tmp/root" || broken "cannot unpack $KPKG"
    [ -f "$tmp/root/boot/vmlinuz-$KREL" ] || broken "$KPKG has no boot/vmlinuz-$KREL"
    grep -q '^CONFIG_VFIO_PCI=[ym]' "$tmp/root/boot/config-$KREL" ||
        skip "kernel $KREL has no VFIO_PCI"
    depmod -b "$tmp/root" "$KREL" || broken "depmod failed on $KREL"
    rm -rf "$KDIR.new"
    mkdir -p "$KDIR.new/modules"
    cp "$tmp/root/boot/vmlinuz-$KREL" "$KDIR.new/vmlinuz"
    : > "$KDIR.new/modules/order"
    # vfio_iommu_type1 is loaded on demand by vfio (request_module): list it too.
    for m in vfio_iommu_type1 vfio-pci; do
        modprobe -d "$tmp/root" -S "$KREL" --show-depends "$m" ||
            broken "cannot resolve the module $m of $KREL"
    done > "$tmp/deps"
    while read -r kind path _; do
        [ "$kind" = insmod ] || continue
        name=$(basename "$path")
        case "$name" in
        *.ko.xz) xz -dc "$path" > "$KDIR.new/modules/${name%.xz}"; name=${name%.xz} ;;
        *.ko.zst) zstd -qdc "$path" > "$KDIR.new/modules/${name%.zst}"; name=${name%.zst} ;;
        *) cp "$path" "$KDIR.new/modules/$name" ;;
        esac || broken "cannot copy $name"
        grep -qx "$name" "$KDIR.new/modules/order" || echo "$name" >> "$KDIR.new/modules/order"
    done < "$tmp/deps"
    grep -q '^vfio-pci.ko$' "$KDIR.new/modules/order" || broken "vfio-pci.ko not found in $KPKG"
    echo "$KPKG" > "$KDIR.new/package"
    touch "$KDIR.new/complete"
    rm -rf "$KDIR"
    mv "$KDIR.new" "$KDIR"
    rm -rf "$tmp"
    trap - EXIT
fi
flock -u 9
say "kernel $KREL ($(tr '\n' ' ' < "$KDIR/modules/order"))"

# ---- the test program ------------------------------------------------------------

PROG=$BUILD/test/vfio-guest/wd-vfio-guest
mkdir -p "$BUILD" || broken "cannot create $BUILD"
exec 8> "$BUILD/.vfio-guest-build.lock"
flock 8     # concurrent runs (selftest.sh) share the build directory
if [ ! -f "$BUILD/build.ninja" ]; then
    say "configuring $BUILD"
    meson setup "$BUILD" "$SRC" -Dwerror=true > "$CACHE/meson-setup.log" 2>&1 || {
        tail -n 20 "$CACHE/meson-setup.log"
        broken "meson setup failed"
    }
fi
ninja -C "$BUILD" -j2 test/vfio-guest/wd-vfio-guest > "$CACHE/ninja.log" 2>&1 || {
    tail -n 30 "$CACHE/ninja.log"
    broken "building the test program failed"
}
[ -x "$PROG" ] || broken "$PROG was not built"
flock -u 8

# ---- the initramfs -----------------------------------------------------------------

WORK=$(mktemp -d "$BUILD/vfio-guest.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/root
mkdir -p "$ROOT"/{bin,dev,proc,sys,tmp,var/run,lib/modules}
cp "$BUSYBOX" "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"    # the interpreter of /init
cp "$PROG" "$ROOT/bin/wd-vfio-guest"
cp "$SRC/test/vfio-guest/init.sh" "$ROOT/init"
chmod 755 "$ROOT/init" "$ROOT/bin/busybox" "$ROOT/bin/wd-vfio-guest"
cp "$KDIR"/modules/*.ko "$KDIR/modules/order" "$ROOT/lib/modules/"
mknod "$ROOT/dev/console" c 5 1 || broken "mknod /dev/console failed"

# Shared libraries at the paths ldd reports, plus libgcc_s.so.1, which
# glibc dlopen()s for pthread_cancel (rte_eal_cleanup) and ldd cannot see.
copy_lib() {
    mkdir -p "$ROOT$(dirname "$1")"
    cp -L "$1" "$ROOT$1"
}
for bin in "$ROOT/bin/busybox" "$ROOT/bin/wd-vfio-guest"; do
    ldd "$bin" 2>/dev/null | awk '/=> \// { print $3 } /^\t\// { print $1 }' |
        while read -r lib; do copy_lib "$lib"; done
done
GCC_S=$(gcc -print-file-name=libgcc_s.so.1 2>/dev/null)
[ -f "$GCC_S" ] || GCC_S=$(ls /lib/x86_64-linux-gnu/libgcc_s.so.1 2>/dev/null)
[ -f "$GCC_S" ] || broken "libgcc_s.so.1 not found"
mkdir -p "$ROOT/lib/x86_64-linux-gnu"
cp -L "$GCC_S" "$ROOT/lib/x86_64-linux-gnu/libgcc_s.so.1"
(cd "$ROOT" && find . | cpio -o -H newc --quiet) > "$WORK/initrd.cpio" ||
    broken "cpio failed"
say "initramfs $(($(stat -c %s "$WORK/initrd.cpio") / 1024)) KiB; prepared in $(elapsed) s"

# ---- boot ----------------------------------------------------------------------------

APPEND="console=ttyS0 intel_iommu=on loglevel=3 panic=-1"
[ -n "$BREAK" ] && APPEND="$APPEND wdvg_break=$BREAK"
[ -n "$MODE" ] && APPEND="$APPEND wdvg_mode=$MODE"
LOG=$BUILD/vfio-guest${BREAK:+-$BREAK}${MODE:+-$MODE}.log

# TCG (no KVM needed); -cpu max for DPDK's -march=corei7; -smp 1 is faster
# on 2 host cores; edu behind a root port so that VFIO can reset it; a
# 64-bit edu DMA mask for IOVAs above 4 GiB; a 48-bit IOMMU so that
# wd_dma_map() can map malloc'ed memory at IOVA = VA.
# shellcheck disable=SC2054  # commas belong to QEMU's option syntax
QEMU=(qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m 1G
    -M q35,kernel-irqchip=split
    -device intel-iommu,intremap=on,caching-mode=on,aw-bits=48
    -device pcie-root-port,id=rp0,bus=pcie.0,chassis=1,slot=1
    -device edu,bus=rp0,dma_mask=0xffffffffffffffff
    -device isa-debug-exit,iobase=0xf4,iosize=0x04
    -kernel "$KDIR/vmlinuz" -initrd "$WORK/initrd.cpio"
    -append "$APPEND"
    -display none -serial stdio -no-reboot -nic none)

say "booting ($QEMU_VER, timeout ${TIMEOUT} s${BREAK:+, break $BREAK}${MODE:+, mode $MODE})"
ulimit -c 0
TB=$(date +%s.%N)
if [ "$QUIET" = 1 ]; then
    timeout --kill-after=10 "$TIMEOUT" "${QEMU[@]}" < /dev/null > "$LOG" 2>&1
    rc=$?
else
    timeout --kill-after=10 "$TIMEOUT" "${QEMU[@]}" < /dev/null 2>&1 |
        tee "$LOG" | sed -u 's/\r$//; s/^/  | /'
    rc=${PIPESTATUS[0]}
fi
BOOT_S=$(awk -v a="$TB" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
tr -d '\r' < "$LOG" > "$LOG.tmp" && mv "$LOG.tmp" "$LOG"

# ---- verdict -------------------------------------------------------------------------

passed=$(grep -c '^RESULT PASS ' "$LOG")
failed=$(grep -c '^RESULT FAIL ' "$LOG")
verdict=fail
case $rc in
0)
    if grep -q '^WD-VFIO-GUEST: PASS' "$LOG" && [ "$failed" = 0 ] && [ "$passed" -gt 0 ]; then
        verdict=pass
        why="all $passed checks passed"
    else
        why="QEMU exited 0 but the guest did not report success (kernel panic or /init died?)"
    fi
    ;;
3) why="the guest reported failure (isa-debug-exit)" ;;
124|137) why="timed out after $TIMEOUT s" ;;
134) why="QEMU aborted (SIGABRT, exit 134)" ;;
*) why="QEMU exited with status $rc" ;;
esac
if [ $verdict = fail ] && [ "$failed" = 0 ]; then
    failed=1    # the run itself
fi
if [ "$QUIET" = 1 ] && [ $verdict = fail ]; then
    grep -E '^(RESULT FAIL|WD-VFIO-GUEST|qemu|Kernel panic|EDU)' "$LOG" | sed 's/^/  | /'
fi
grep '^RESULT FAIL ' "$LOG" | sed 's/^/  /'
say "${verdict^^}: $why; guest run $BOOT_S s, total $(elapsed) s; log $LOG"
echo "$passed passed, $failed failed"
[ $verdict = pass ]

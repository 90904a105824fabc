#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# /init of the vfio-guest initramfs (busybox sh), built by run.sh.
#
# Loads the VFIO modules, finds QEMU's edu device by vendor/device id (bus
# numbers move), binds it to vfio-pci, reserves hugepages and runs the
# test program. It reports back through QEMU's exit code: on success it
# prints "WD-VFIO-GUEST: PASS" and powers off (QEMU exits 0); on any
# failure it writes to the isa-debug-exit port (QEMU exits 3). It never
# returns: a dying /init would panic the kernel, and with panic=-1 and
# -no-reboot QEMU would exit 0, which is why run.sh also wants the PASS
# line.
#
# Kernel command line switches (for run.sh's self-test):
#   wdvg_break=nobm|dma4096   passed to the program as WD_VFIO_GUEST_BREAK
#   wdvg_mode=hang|panic      /init hangs (timeout) or exits (kernel panic)

/bin/busybox mkdir -p /proc /sys /dev /tmp /var/run /dev/hugepages
/bin/busybox --install -s /bin
export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/hugepages

uptime_s() {
    cut -d' ' -f1 /proc/uptime
}

result() {
    echo "RESULT $1 $2: $3"
}

poweroff_now() {
    echo o > /proc/sysrq-trigger
    while :; do sleep 60; done
}

# Tell QEMU we failed: isa-debug-exit at 0xf4 makes it exit (1 << 1) | 1 = 3.
fail() {
    echo "WD-VFIO-GUEST: FAIL: $*"
    printf '\001' | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
    # Without isa-debug-exit: power off without the PASS line (run.sh fails it).
    poweroff_now
}

param() {
    for w in $(cat /proc/cmdline); do
        case "$w" in
        "$1="*) echo "${w#*=}"; return ;;
        esac
    done
}

echo "vfio-guest: /init reached at $(uptime_s) s"
case "$(param wdvg_mode)" in
panic)
    echo "NOTE: wdvg_mode=panic: /init exits; the kernel panics and QEMU exits 0"
    exit 1
    ;;
hang)
    echo "NOTE: wdvg_mode=hang: /init hangs; only the harness's timeout ends QEMU"
    while :; do sleep 60; done
    ;;
esac

# VFIO modules, in dependency order (run.sh resolved it with modprobe).
while read -r m; do
    insmod "/lib/modules/$m" || fail "insmod $m"
done < /lib/modules/order

bdf=
for d in /sys/bus/pci/devices/*; do
    if [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ]; then
        bdf=${d##*/}
    fi
done
[ -n "$bdf" ] || fail "no edu (1234:11e8) device in /sys/bus/pci/devices"
dev=/sys/bus/pci/devices/$bdf
[ -e "$dev/iommu_group" ] || fail "$bdf has no IOMMU group (is intel_iommu=on set?)"
grp=$(basename "$(readlink "$dev/iommu_group")")

echo vfio-pci > "$dev/driver_override" || fail "cannot set driver_override of $bdf"
echo "$bdf" > /sys/bus/pci/drivers_probe
i=0
while [ ! -e "/dev/vfio/$grp" ] && [ $i -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done
[ -e "/dev/vfio/$grp" ] || fail "/dev/vfio/$grp did not appear after binding $bdf to vfio-pci"
drv=$(basename "$(readlink "$dev/driver")")
[ "$drv" = vfio-pci ] || fail "$bdf is bound to '$drv', not vfio-pci"
result PASS vfio_bind "edu $bdf bound to vfio-pci, IOMMU group $grp, at $(uptime_s) s"

mount -t hugetlbfs nodev /dev/hugepages || fail "cannot mount hugetlbfs"
echo 128 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
hp=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)
[ "$hp" -ge 64 ] || fail "only $hp hugepages"

WD_VFIO_GUEST_BREAK=$(param wdvg_break) /bin/wd-vfio-guest "$bdf"
rc=$?
echo "vfio-guest: test program exited with $rc at $(uptime_s) s"
echo "vfio-guest: kernel messages about the IOMMU and VFIO:"
dmesg | grep -E 'DMAR|vfio' | grep -v -E 'DMAR-IR|Intel\(R\) Virtualization' | tail -n 12 |
    sed 's/^/  dmesg: /'
if [ "$rc" -ne 0 ]; then
    fail "test program exited with status $rc"
fi
echo "WD-VFIO-GUEST: PASS"
poweroff_now

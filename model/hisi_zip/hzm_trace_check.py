#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Compare a device-model trace (model:trace=PATH) with the PF initialisation
sequence of reference section 9.3.

Usage: hzm_trace_check.py TRACE [--vf] [--quiet] [--strict]

Each step of 9.3 is a set of register writes (or mailbox commands, VFT
operations, doorbells). A step passes when all its items appear in the trace
after the previous step; the items of one step may come in any order. The
script prints one line per step and, at the end, the writes it did not
expect (registers no step mentions), so a driver's init can be read side by
side with the reference. Steps a driver may skip (18 and 21 for a polling
driver, 22 when no queue was created) are reported but not required, unless
--strict is given: then every step must be there, in order. Exit status: 0
all required steps found in order, 1 otherwise, 2 usage or unreadable trace.

Trace lines (see model/hisi_zip/hzm_trace.c):
  <us> W32 0x100040 0x00000001 QM_MEM_START_INIT
  <us> R32 0x100044 0x00000001 QM_MEM_INIT_DONE
  <us> W64 0x001000 0x... DOORBELL_SQ_CQ ; SQ qn=3 rand=0x0000 index=5 priority=0
  <us> MB cmd=SQC(0) op=write qn=3 base=0x... status=0
  <us> VFT write SQC function=0 data=0x... (base=0 count=64 valid=1)
"""
import re
import sys

ANY = None


def w(off, val=ANY, mask=None):
    return ("W", off, val, mask)


def r(off, val, mask):
    return ("R", off, val, mask)


def mb(cmd):
    return ("MB", cmd)


def vft(kind):
    return ("VFT", kind)


def db(kind, index):
    return ("DB", kind, index)


# (step, description, required, items); values from reference 9.3
PF_STEPS = [
    ("4", "memory init: MEM_START_INIT, poll MEM_INIT_DONE", True,
     [w(0x100040, 1), r(0x100044, 1, 1)]),
    ("5", "QM AXI user domain", True,
     [w(0x100088, 0x40001070), w(0x100090, 0xfffffffe), w(0x100098, 0x40001070),
      w(0x1000a0, 0xfffffffe), w(0x1000a8, 0xffffffff)]),
    ("6", "QM AXI cache", True, [w(0x1000ac, 0xffff), w(0x1000b0, 0xffffffff)]),
    ("7", "disable BME-triggered FLR", True, [w(0x1000cc), w(0x1000d0, 0xffffffff)]),
    ("8", "ZIP port cache", True,
     [w(0x301040, 0xffffffff), w(0x301044, 0xffffffff), w(0x301060, 0xffffffff),
      w(0x301064, 0xffffffff)]),
    ("9", "ZIP user domain", True,
     [w(0x301110, 0x40001070), w(0x301140, 0x40001070), w(0x301128, 0x40001070, 0xfffffffe),
      w(0x301134, 0x40001070, 0xfffffffe), w(0x30111c, 0x40001070, 0xfffffffe)]),
    ("10", "enable cores (v2: 0x000100FF)", True, [w(0x301004, 0x000100ff)]),
    ("11", "SQC/CQC cache and write-back", True, [w(0x100050, 0x0813, 0x0813)]),
    ("14", "QM error configuration", True,
     [w(0x100000), w(0x1000ec), w(0x1000f8, 1), w(0x1000f4), w(0x1000f0), w(0x100004)]),
    ("15", "ZIP error configuration", True,
     [w(0x3010a0), w(0x301160), w(0x301168), w(0x301164), w(0x30100c, 0x4000, 0x4000),
      w(0x3010a4)]),
    ("17", "PF VFT: SQC then CQC for function 0", True, [vft("SQC"), vft("CQC")]),
    ("18", "EQC, AEQC (a polling driver may skip them)", False, [mb("EQC"), mb("AEQC")]),
    ("19", "SQC_BT, CQC_BT", True, [mb("SQC_BT"), mb("CQC_BT")]),
    ("21", "interrupts: AEQ and EQ doorbells (head 0), EQ/AEQ masks", False,
     [db("AEQ", 0), db("EQ", 0), w(0x00000c), w(0x000004)]),
    ("22a", "per queue: SQC (mailbox cmd 0)", False, [mb("SQC")]),
    ("22b", "... then its CQC (mailbox cmd 1)", False, [mb("CQC")]),
]

VF_STEPS = [
    ("9.3a", "VF: read the VFT (mailbox cmd 6)", True, [mb("SQC_VFT")]),
    ("18", "EQC, AEQC", False, [mb("EQC"), mb("AEQC")]),
    ("19", "SQC_BT, CQC_BT", True, [mb("SQC_BT"), mb("CQC_BT")]),
    ("21", "interrupts: AEQ and EQ doorbells (head 0), EQ/AEQ masks", False,
     [db("AEQ", 0), db("EQ", 0), w(0x00000c), w(0x000004)]),
    ("22a", "per queue: SQC (mailbox cmd 0)", False, [mb("SQC")]),
    ("22b", "... then its CQC (mailbox cmd 1)", False, [mb("CQC")]),
]

# registers of the VFT protocol [5.5]: their effect is the "VFT write" trace line
VFT_PROTOCOL = {0x100054, 0x100058, 0x10005c, 0x100060, 0x100064, 0x100068, 0x10006c}

RE_MMIO = re.compile(r"^\d+ ([RW])(32|64|128) 0x([0-9a-f]+) 0x([0-9a-f]+)(?: 0x[0-9a-f]+)? (\S+)")
RE_DB = re.compile(r"; (SQ|CQ|EQ|AEQ) qn=(\d+) rand=0x[0-9a-f]+ index=(\d+) priority=(\d+)")
RE_MB = re.compile(r"^\d+ MB cmd=([A-Z_?]+)\(\d+\) op=(read|write) qn=(\d+) base=0x[0-9a-f]+ "
                   r"status=(\d+)")
RE_VFT = re.compile(r"^\d+ VFT (write|read) (SQC|CQC) function=(\d+)")


def parse(path):
    """Return the trace as a list of events (dicts), successful commands only."""
    events = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            m = RE_MMIO.match(line)
            if m:
                kind, _, off, val, name = m.groups()
                dbm = RE_DB.search(line)
                if dbm and kind == "W":
                    events.append({"t": "DB", "kind": dbm.group(1), "index": int(dbm.group(3)),
                                   "n": n})
                else:
                    events.append({"t": kind, "off": int(off, 16), "val": int(val, 16),
                                   "name": name, "n": n})
                continue
            m = RE_MB.match(line)
            if m:
                if m.group(4) == "0":
                    events.append({"t": "MB", "cmd": m.group(1), "op": m.group(2), "n": n})
                continue
            m = RE_VFT.match(line)
            if m and m.group(1) == "write" and m.group(3) == "0":
                events.append({"t": "VFT", "kind": m.group(2), "n": n})
    return events


def matches(item, ev):
    if item[0] != ev["t"]:
        return False
    if item[0] in ("W", "R"):
        _, off, val, mask = item
        if ev["off"] != off:
            return False
        if val is None:
            return True
        mask = 0xffffffff if mask is None else mask
        return (ev["val"] & mask) == (val & mask)
    if item[0] == "MB":
        return ev["cmd"] == item[1] and (ev["op"] == "write" or item[1] == "SQC_VFT")
    if item[0] == "VFT":
        return ev["kind"] == item[1]
    return ev["kind"] == item[1] and ev["index"] == item[2]


def check(events, steps, quiet, strict=False):
    pos = 0
    ok = True
    for step, desc, required, items in steps:
        required = required or strict
        found = []
        for item in items:
            idx = next((i for i in range(pos, len(events)) if matches(item, events[i])), None)
            found.append(idx)
        if all(i is not None for i in found):
            lines = ",".join(str(events[i]["n"]) for i in sorted(found))
            if not quiet:
                print(f"step {step:>5}: OK       {desc} (trace lines {lines})")
            pos = max(found) + 1
        else:
            missing = [items[k] for k, i in enumerate(found) if i is None]
            state = "MISSING " if required else "skipped "
            if not quiet or required:
                print(f"step {step:>5}: {state} {desc}: not found after the previous step: "
                      + ", ".join(describe(m) for m in missing))
            if required:
                ok = False
    if not quiet:
        known = {item[1] for _, _, _, items in steps for item in items if item[0] == "W"}
        known |= VFT_PROTOCOL | {0x000300, 0x000308}   # shown as VFT / MB lines
        extra = [e for e in events if e["t"] == "W" and e["off"] not in known]
        if extra:
            print("writes no 9.3 step mentions (queue setup, driver extras):")
            for e in extra[:40]:
                print(f"  line {e['n']}: 0x{e['off']:06x} <- 0x{e['val']:08x} {e['name']}")
            if len(extra) > 40:
                print(f"  ... {len(extra) - 40} more")
    return ok


def describe(item):
    if item[0] in ("W", "R"):
        v = "any" if item[2] is None else f"0x{item[2]:x}"
        return f"{'write' if item[0] == 'W' else 'read'} 0x{item[1]:06x}={v}"
    if item[0] == "MB":
        return f"mailbox {item[1]}"
    if item[0] == "VFT":
        return f"VFT write {item[1]} function 0"
    return f"{item[1]} doorbell index {item[2]}"


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    opts = [a for a in argv[1:] if a.startswith("--")]
    if len(args) != 1 or any(o not in ("--vf", "--quiet", "--strict") for o in opts):
        usage = next(ln for ln in __doc__.splitlines() if ln.startswith("Usage:"))
        print(usage, file=sys.stderr)
        return 2
    try:
        events = parse(args[0])
    except OSError as e:
        print(f"cannot read {args[0]}: {e}", file=sys.stderr)
        return 2
    steps = VF_STEPS if "--vf" in argv else PF_STEPS
    ok = check(events, steps, "--quiet" in argv, "--strict" in argv)
    print("9.3 sequence: " + ("complete" if ok else "INCOMPLETE"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

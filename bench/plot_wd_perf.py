#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Plot wd-perf CSV results (wd-perf ... -- --csv FILE) to a PNG.

    bench/plot_wd_perf.py RESULTS.csv [MORE.csv ...] [-o OUT.png] [--title TEXT]

One line per (device, direction), request size on the x axis (log 2):
  * top: throughput in Gbps of uncompressed data (compress: data in,
    decompress: data out), from the aggregate rows (lcore "all");
  * bottom: p50 and p99 latency in microseconds when the runs measured it
    (every mode but cyclecount), else TSC ticks per op (cyclecount).

Needs matplotlib: on Debian `apt-get install python3-matplotlib` and run
with /usr/bin/python3 (the script's first line), not a virtualenv's python.
"""

import argparse
import csv
import sys


def die(msg):
    print(f"plot_wd_perf: {msg}", file=sys.stderr)
    sys.exit(2)


def load(paths):
    rows = []
    for path in paths:
        try:
            with open(path, newline="") as f:
                for row in csv.DictReader(f):
                    rows.append(row)
        except OSError as e:
            die(f"{path}: {e.strerror}")
        except csv.Error as e:
            die(f"{path}: not a CSV file ({e})")
    if not rows:
        die("no rows in the input")
    need = {"device", "label", "lcore", "op", "size", "gbps_in", "gbps_out", "mode"}
    missing = need - set(rows[0].keys())
    if missing:
        die("not wd-perf CSV output (missing columns: " + ", ".join(sorted(missing)) + ")")
    return [r for r in rows if r["lcore"] == "all"]


def num(row, key):
    v = row.get(key, "")
    try:
        return float(v) if v != "" else None
    except ValueError:
        return None


def size_label(s):
    s = int(s)
    if s >= 1 << 20 and s % (1 << 20) == 0:
        return f"{s >> 20}M"
    if s >= 1024 and s % 1024 == 0:
        return f"{s >> 10}K"
    return str(s)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", nargs="+", help="wd-perf --csv output file(s)")
    ap.add_argument("-o", "--output", default="wd-perf.png", help="PNG to write")
    ap.add_argument("--title", default=None, help="figure title")
    args = ap.parse_args()

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        die("matplotlib is missing: on Debian, `apt-get install python3-matplotlib` and "
            "run this script with /usr/bin/python3")

    rows = load(args.csv)
    if not rows:
        die("no aggregate rows (lcore \"all\") in the input")

    series = {}
    for r in rows:
        key = (r.get("label") or r["device"], r["op"])
        series.setdefault(key, []).append(r)
    sizes = sorted({int(float(r["size"])) for r in rows})
    modes = sorted({r["mode"] for r in rows})

    has_tp = any(num(r, "gbps_in") is not None for r in rows)
    if has_tp:
        fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 9), sharex=True)
    else:
        fig, ax2 = plt.subplots(1, 1, figsize=(9, 5.5))
        ax1 = None
    styles = {"compress": "-", "decompress": "--"}
    for (label, op), rs in sorted(series.items()):
        rs.sort(key=lambda r: float(r["size"]))
        xs = [float(r["size"]) for r in rs]
        col = "gbps_in" if op == "compress" else "gbps_out"
        ys = [num(r, col) for r in rs]
        if ax1 is not None and any(y is not None for y in ys):
            ax1.plot(xs, [y if y is not None else float("nan") for y in ys],
                     styles.get(op, "-"), marker="o", label=f"{label} {op}")
        p50 = [num(r, "lat_p50_us") for r in rs]
        p99 = [num(r, "lat_p99_us") for r in rs]
        cyc = [num(r, "cycles_per_op") for r in rs]
        if any(v is not None for v in p50):
            line = ax2.plot(xs, [v if v is not None else float("nan") for v in p50],
                            styles.get(op, "-"), marker="o", label=f"{label} {op} p50")
            ax2.plot(xs, [v if v is not None else float("nan") for v in p99], ":",
                     marker="^", color=line[0].get_color(), label=f"{label} {op} p99")
        elif any(v is not None for v in cyc):
            ax2.plot(xs, [v if v is not None else float("nan") for v in cyc],
                     styles.get(op, "-"), marker="s", label=f"{label} {op}")

    title = args.title or "wd-perf: " + ", ".join(modes)
    if ax1 is not None:
        ax1.set_ylabel("Gbps of uncompressed data")
        ax1.set_title(title)
        ax1.grid(True, which="both", alpha=0.3)
        if ax1.lines:
            ax1.legend(fontsize="x-small", ncol=2)
    else:
        ax2.set_title(title)
    if any("p50" in (ln.get_label() or "") for ln in ax2.lines):
        ax2.set_ylabel("latency, microseconds (p50 solid/dashed, p99 dotted)")
    else:
        ax2.set_ylabel("TSC ticks per op (enqueue + dequeue)")
    if ax2.lines:
        ax2.set_yscale("log")
    ax2.grid(True, which="both", alpha=0.3)
    if ax2.lines:
        ax2.legend(fontsize="x-small", ncol=2)
    ax2.set_xscale("log", base=2)
    ax2.set_xticks(sizes)
    ax2.set_xticklabels([size_label(s) for s in sizes])
    ax2.set_xlabel("request size, bytes")
    fig.tight_layout()
    try:
        fig.savefig(args.output, dpi=110)
    except OSError as e:
        die(f"{args.output}: {e.strerror}")
    print(f"plot_wd_perf: wrote {args.output}")


if __name__ == "__main__":
    main()

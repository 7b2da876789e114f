#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Plot the kernel arena: ns/op against size, one panel per phase.

Reads the markdown tables bench-kernel.sh wrote into kernel.md:
  ## kernel arena ...   | n | phase | table | median | min | max | x hmap |
  ## syscall arena ...  | n | phase | api | median | min | max | x hmap |
and writes kernel-arena.png and kernel-syscall.png next to it (gnuplot).
Rows whose median is not a number (a skipped cell) are left out.
"""
import argparse
import collections
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "native"))
from report import COLORS, run_gnuplot  # noqa: E402



def parse(path):
    """Return {section: {(phase, who): [(n, med, lo, hi)]}} with the order seen."""
    sections = collections.OrderedDict()
    cur = None
    for line in open(path):
        line = line.strip()
        if line.startswith("## "):
            title = line[3:]
            cur = None
            for key in ("kernel arena", "syscall arena"):
                if title.startswith(key):
                    cur = sections.setdefault(key, collections.OrderedDict())
            continue
        if cur is None or not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) < 6 or not cells[0].isdigit():
            continue
        try:
            n, med, lo, hi = int(cells[0]), float(cells[3]), float(cells[4]), float(cells[5])
        except ValueError:
            continue
        cur.setdefault((cells[1], cells[2]), []).append((n, med, lo, hi))
    return sections


def plot(rows, out, title, cols=3):
    phases = list(collections.OrderedDict.fromkeys(p for p, _ in rows))
    who = list(collections.OrderedDict.fromkeys(w for _, w in rows))
    sizes = sorted({r[0] for v in rows.values() for r in v})
    if not phases or not sizes:
        return False
    tmp = tempfile.mkdtemp(prefix="hmap-kplot-")
    nrows = (len(phases) + cols - 1) // cols
    script = [
        "set terminal pngcairo size %d,%d font 'sans,10'" % (520 * cols, 400 * nrows),
        "set output '%s'" % out,
        "set multiplot layout %d,%d title '%s' noenhanced" % (nrows, cols, title),
        "set logscale xy", "set grid", "set key top left font ',8'",
        "set xlabel 'entries'", "set ylabel 'ns/op (median, bars: min..max)'",
        "set format x '10^{%L}'",
        "set xrange [%g:%g]" % (sizes[0] / 2, sizes[-1] * 2),
    ]
    for ph in phases:
        plots = []
        for k, w in enumerate(who):
            pts = rows.get((ph, w))
            if not pts:
                continue
            dat = os.path.join(tmp, "%d-%d.dat" % (phases.index(ph), k))
            with open(dat, "w") as f:
                for p in sorted(pts):
                    f.write("%d %g %g %g\n" % p)
            plots.append("'%s' using 1:2:3:4 with yerrorlines lw %d pt %d lc rgb '%s' "
                         "title '%s' noenhanced" % (dat, 3 if k == 0 else 2, k + 5,
                                                   COLORS[k % len(COLORS)], w))
        script.append("set title '%s' noenhanced" % ph)
        if plots:
            script.append("plot " + ", ".join(plots))
    script.append("unset multiplot")
    return run_gnuplot(tmp, script, "kernel_plot")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kernel_md")
    a = ap.parse_args()
    if not shutil.which("gnuplot"):
        print("kernel_plot: gnuplot not found, no PNGs", file=sys.stderr)
        return 1
    outdir = os.path.dirname(os.path.abspath(a.kernel_md))
    secs = parse(a.kernel_md)
    made = []
    for key, fname, title in (
            ("kernel arena", "kernel-arena.png",
             "kernel arena (QEMU TCG, no cache model): u64 -> u64, ns/op"),
            ("syscall arena", "kernel-syscall.png",
             "syscall arena (QEMU TCG): hmap ioctls vs bpf(2), u64 -> u64, ns/op")):
        if key in secs and plot(secs[key], os.path.join(outdir, fname), title):
            made.append(fname)
    for f in made:
        print(f)
    return 0 if made else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn run-native.sh's raw rows into native.md and gnuplot PNGs.

Raw rows (tab-separated):
  R impl wl n rep phase ns_per_op iters checksum   one timed phase
  M impl wl n metric bytes_per_entry                one memory figure
  F impl wl n rep kind                              a run that failed
"""
import argparse
import collections
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

PHASES = ["insert_nohint", "insert_hint", "lookup_hit", "lookup_miss",
          "mixed", "delete_all"]
PHASE_TITLE = {
    "insert_nohint": "insert without hint",
    "insert_hint": "insert with hint",
    "lookup_hit": "lookup hit",
    "lookup_miss": "lookup miss",
    "mixed": "mixed 90/10",
    "delete_all": "delete all",
}
WLS = ["u64", "k16v64"]
WL_TITLE = {"u64": "u64 → u64", "k16v64": "16-byte key → 64-byte value"}
MAIN = ["hmap", "go", "absl", "glib", "urcu"]
VARIANTS = ["hmap-mixfn", "hmap-4k"]
IMPL_TITLE = {
    "hmap": "hmap",
    "go": "Go 1.19 map",
    "absl": "absl::flat_hash_map",
    "glib": "GLib GHashTable",
    "urcu": "liburcu cds_lfht",
    "hmap-mixfn": "hmap, mixhash as hashfn",
    "hmap-4k": "hmap, 4 KB pages",
}
MEM_METRICS = [
    ("nohint_end", "end of insert without hint"),
    ("nohint_peak", "peak during insert without hint"),
    ("hint_end", "end of insert with hint"),
    ("hint_peak", "peak during insert with hint"),
    ("nohint_after_delete", "left after deleting all, map grown without hint"),
    ("after_delete", "left after deleting all"),
]


def sz(n):
    e = int(math.floor(math.log10(n) + 1e-9))
    m = n // 10 ** e
    if m * 10 ** e == n:
        return "10^%d" % e if m == 1 else "%d·10^%d" % (m, e)
    return str(n)


def fnum(x):
    if x >= 1000:
        return "%.0f" % x
    if x >= 100:
        return "%.0f" % x
    if x >= 10:
        return "%.1f" % x
    return "%.2f" % x


def geomean(xs):
    xs = [x for x in xs if x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


class Data:
    def __init__(self, path, busy_max=0.5):
        self.t = collections.defaultdict(list)      # (impl, wl, n, phase) -> [ns]
        self.chk = collections.defaultdict(set)     # (wl, n, phase) -> {(impl, chk)}
        self.mem = {}                               # (impl, wl, n, metric) -> bpe
        self.busy = collections.defaultdict(list)   # (impl, wl, n) -> [busy of reps used]
        self.fail = []
        self.sizes = set()
        self.impls = set()
        self.busy_max = busy_max
        self.lat = collections.defaultdict(list)    # (impl, wl, n, phase) -> [(p50, p99, p999, max, total)]
        self.batch = collections.defaultdict(list)  # (wl, n, phase) -> [(single, batch)]
        runs = collections.defaultdict(dict)        # (impl, wl, n, rep) -> {attempt: [busy, rows]}
        for line in open(path):
            f = line.rstrip("\n").split("\t")
            if f[0] == "R" and len(f) in (9, 10, 12):
                impl, wl, n, rep = f[1], f[2], int(f[3]), int(f[4])
                attempt, busy = (int(f[10]), float(f[11])) if len(f) == 12 else (1, 0.0)
                a = runs[(impl, wl, n, rep)].setdefault(attempt, [busy, []])
                a[1].append((f[5], float(f[6]), f[8]))
            elif f[0] == "M" and len(f) == 6:
                self.mem[(f[1], f[2], int(f[3]), f[4])] = float(f[5])
                self.sizes.add(int(f[3]))
                self.impls.add(f[1])
            elif f[0] == "L" and len(f) == 12:
                self.lat[(f[1], f[2], int(f[3]), f[5])].append(
                    tuple(float(x) for x in f[7:12]))
            elif f[0] == "B" and len(f) == 8:
                self.batch[(f[2], int(f[3]), f[5])].append((float(f[6]), float(f[7])))
            elif f[0] == "F":
                self.fail.append(f[1:])
        # Of a run's attempts (retries under contention), use the quietest.
        self.retried = 0
        for (impl, wl, n, rep), atts in runs.items():
            self.retried += len(atts) - 1
            busy, rows = min(atts.values(), key=lambda a: a[0])
            self.busy[(impl, wl, n)].append(busy)
            for phase, ns, chk in rows:
                self.t[(impl, wl, n, phase)].append(ns)
                self.chk[(wl, n, phase)].add((impl, chk))
            self.sizes.add(n)
            self.impls.add(impl)
        self.sizes = sorted(self.sizes)

    def contended(self, impl, wl, n):
        """Repetitions used for this cell that ran with busy sibling CPUs."""
        return sum(b > self.busy_max for b in self.busy.get((impl, wl, n), []))

    def stat(self, impl, wl, n, phase):
        v = self.t.get((impl, wl, n, phase))
        if not v:
            return None
        return statistics.median(v), min(v), max(v), len(v)

    def checksum_problems(self):
        bad = []
        for (wl, n, phase), s in sorted(self.chk.items()):
            if len({c for _, c in s}) > 1:
                bad.append("%s n=%s %s: %s" % (wl, n, phase, ", ".join(
                    "%s=%s" % ic for ic in sorted(s))))
        return bad


def cell(d, impl, base, wl, n, phase):
    s = d.stat(impl, wl, n, phase)
    if s is None:
        return "—"
    med, lo, hi, cnt = s
    txt = "%s [%s–%s]" % (fnum(med), fnum(lo), fnum(hi))
    if 2 * d.contended(impl, wl, n) >= cnt:
        txt += "†"
    if impl == base:
        return "**%s**" % txt
    b = d.stat(base, wl, n, phase)
    if b is None:
        return txt
    return "%s ×%.2f" % (txt, med / b[0])


def time_table(d, impls, base, wl):
    out = ["| phase | n | " + " | ".join(IMPL_TITLE[i] for i in impls) + " |",
           "|---|---|" + "---|" * len(impls)]
    for phase in PHASES:
        for n in d.sizes:
            if all(d.stat(i, wl, n, phase) is None for i in impls):
                continue
            out.append("| %s | %s | %s |" % (PHASE_TITLE[phase], sz(n), " | ".join(
                cell(d, i, base, wl, n, phase) for i in impls)))
    return "\n".join(out)


def ratio_summary(d, impls, base, wl):
    """Geometric mean over sizes of impl/base, per phase."""
    out = ["| phase | " + " | ".join(IMPL_TITLE[i] for i in impls) + " |",
           "|---|" + "---|" * len(impls)]
    for phase in PHASES:
        cells = []
        for i in impls:
            rs = []
            for n in d.sizes:
                a, b = d.stat(i, wl, n, phase), d.stat(base, wl, n, phase)
                if a and b:
                    rs.append(a[0] / b[0])
            g = geomean(rs)
            cells.append("—" if g is None else "×%.2f (%s)" % (
                g, ", ".join("%.2f" % r for r in rs)))
        out.append("| %s | %s |" % (PHASE_TITLE[phase], " | ".join(cells)))
    return "\n".join(out)


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def latency_table(d):
    out = ["| workload | contestant | inserts | p50 | p99 | p99.9 | max | p99.9 / p50 | "
           "max / p50 | ns per insert |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for (impl, wl, n, phase) in sorted(d.lat, key=lambda k: (k[1] != "u64", k[2], k[0] != "hmap", k[3])):
        rows = d.lat[(impl, wl, n, phase)]
        c = [med([r[k] for r in rows]) for k in range(5)]
        out.append("| %s | %s%s | %s | %.1f µs | %.1f µs | %.1f µs | %.2f ms | %.0f | %.0f | %.0f |" % (
            WL_TITLE[wl], IMPL_TITLE.get(impl, impl),
            ", presized (control)" if phase == "insert_hint" else ", growing from empty",
            sz(n), c[0] / 1e3, c[1] / 1e3, c[2] / 1e3, c[3] / 1e6, c[2] / c[0], c[3] / c[0], c[4]))
    return "\n".join(out)


def batch_table(d):
    out = ["| workload | n | phase | single | batch | single ÷ batch |",
           "|---|---|---|---|---|---|"]
    for (wl, n, phase) in sorted(d.batch, key=lambda k: (k[0] != "u64", k[1], k[2])):
        rows = d.batch[(wl, n, phase)]
        one, many = med([r[0] for r in rows]), med([r[1] for r in rows])
        out.append("| %s | %s | %s | %.1f | %.1f | %.2f |" % (
            WL_TITLE[wl], sz(n), PHASE_TITLE.get(phase, phase), one, many, one / many))
    return "\n".join(out)


def mem_table(d, impls, wl):
    sizes = d.sizes
    out = ["| contestant | bytes/entry | " + " | ".join(sz(n) for n in sizes) + " |",
           "|---|---|" + "---|" * len(sizes)]
    for i in impls:
        for metric, title in MEM_METRICS:
            vals = [d.mem.get((i, wl, n, metric)) for n in sizes]
            if all(v is None for v in vals):
                continue
            out.append("| %s | %s | %s |" % (IMPL_TITLE[i], title, " | ".join(
                "—" if v is None else "%.1f" % v for v in vals)))
        # hmap's own count (hmap_core_stats().bytes) next to malloc's.
        for metric in ("nohint_self", "hint_self"):
            vals = [d.mem.get((i, wl, n, metric)) for n in sizes]
            if any(v is not None for v in vals):
                what = "hmap_core_stats().bytes, end of insert " + (
                    "without" if metric.startswith("nohint") else "with") + " hint"
                out.append("| %s | %s | %s |" % (IMPL_TITLE[i], what, " | ".join(
                    "—" if v is None else "%.1f" % v for v in vals)))
    return "\n".join(out)


COLORS = ["#000000", "#009e73", "#0072b2", "#e69f00", "#d55e00", "#cc79a7", "#56b4e9"]


def plot(d, outdir, impls, wls, fname, title_fn, phases, cols):
    gp = shutil.which("gnuplot")
    if not gp:
        print("report: gnuplot not found, no PNGs", file=sys.stderr)
        return None
    tmp = tempfile.mkdtemp(prefix="hmap-bench-plot-")
    panels = [(wl, ph) for wl in wls for ph in phases]
    rows = (len(panels) + cols - 1) // cols
    script = [
        "set terminal pngcairo size %d,%d font 'sans,10'" % (560 * cols, 420 * rows),
        "set output '%s'" % os.path.join(outdir, fname),
        "set multiplot layout %d,%d title '%s' noenhanced" % (rows, cols, title_fn()),
        "set logscale xy", "set grid", "set key top left font ',8'",
        "set xlabel 'entries'", "set ylabel 'ns/op (median, bars: min..max)'",
        "set format x '10^{%L}'", "set xrange [%g:%g]" % (
            min(d.sizes) / 2, max(d.sizes) * 2),
    ]
    for wl, ph in panels:
        plots = []
        for k, i in enumerate(impls):
            rows_ = [(n,) + d.stat(i, wl, n, ph)[:3] for n in d.sizes
                     if d.stat(i, wl, n, ph)]
            if not rows_:
                continue
            dat = os.path.join(tmp, "%s-%s-%s.dat" % (wl, ph, i))
            with open(dat, "w") as f:
                for r in rows_:
                    f.write("%d %g %g %g\n" % r)
            plots.append("'%s' using 1:2:3:4 with yerrorlines lw %d pt %d lc rgb '%s' "
                         "title '%s' noenhanced" % (dat, 3 if i == "hmap" else 2, k + 5,
                                                   COLORS[k % len(COLORS)], IMPL_TITLE[i]))
        script.append("set title '%s, %s' noenhanced" % (PHASE_TITLE[ph], WL_TITLE[wl]))
        if plots:
            script.append("plot " + ", ".join(plots))
    script.append("unset multiplot")
    return fname if run_gnuplot(tmp, script, "report") else None


def run_gnuplot(tmp, script, who):
    """Run the gnuplot @script (lines) beside its data in @tmp, then remove @tmp."""
    path = os.path.join(tmp, "plot.gp")
    with open(path, "w") as f:
        f.write("\n".join(script) + "\n")
    r = subprocess.run(["gnuplot", path], capture_output=True, text=True)
    shutil.rmtree(tmp, ignore_errors=True)
    if r.returncode:
        print("%s: gnuplot failed: %s" % (who, r.stderr), file=sys.stderr)
    return r.returncode == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--meta", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    meta = {}
    for line in open(a.meta):
        if "=" in line:
            k, v = line.rstrip("\n").split("=", 1)
            meta[k] = v
    d = Data(a.raw, float(meta.get("busy_max", "0.5")))
    main_impls = [i for i in MAIN if i in d.impls]
    var_impls = ["hmap"] + [i for i in VARIANTS if i in d.impls] if "hmap" in d.impls else []
    bad = d.checksum_problems()

    pngs = []
    for ph in PHASES:
        f = plot(d, a.out, main_impls, WLS, "native-%s.png" % ph,
                 lambda ph=ph: "native arena: %s" % PHASE_TITLE[ph], [ph], 2)
        if f:
            pngs.append(f)
    if len(var_impls) > 1:
        for wl in WLS:
            f = plot(d, a.out, var_impls, [wl], "native-variants-%s.png" % wl,
                     lambda wl=wl: "hmap variants, %s" % WL_TITLE[wl], PHASES, 3)
            if f:
                pngs.append(f)

    L = []
    L.append("# Native arena: hmap against Go, absl, GLib and liburcu\n")
    L.append("Generated by `bench/native/run-native.sh` (%s run) on %s; "
             "raw rows in `raw/native.tsv`, run parameters in `raw/native.meta`. "
             "Regenerate with `make bench` (full) or `make bench-quick`.\n" %
             (meta.get("mode", "?"), meta.get("date", "?")))
    L.append("## Machine\n")
    L.append("- CPU: %s, family %s; %s" % (meta.get("cpu"), meta.get("cpu_family"),
                                            meta.get("caches", "").strip("; ")))
    L.append("- Memory: %s; kernel %s; a shared, noisy VM (load average %s at the "
             "start, %s at the end)" % (meta.get("mem"), meta.get("kernel"),
                                        meta.get("load_start"), meta.get("load_end")))
    L.append("- Compilers and libraries: gcc %s, %s; libabsl-dev %s, libglib2.0-dev %s, "
             "liburcu-dev %s" % (meta.get("gcc"), meta.get("go"),
                                 meta.get("pkg_libabsl-dev"), meta.get("pkg_libglib2.0-dev"),
                                 meta.get("pkg_liburcu-dev")))
    L.append("- hmap core at commit %s%s" % (meta.get("commit"),
             " (kmod/hmap_core.[ch] modified in the work tree)"
             if meta.get("core_dirty", "0") != "0" else ""))
    L.append("- Every run pinned with `%s`; %s repetitions, interleaved (all contestants "
             "and sizes once per repetition, order rotated); total runtime %.0f s\n" % (
                 meta.get("pin"), meta.get("reps"), float(meta.get("runtime_s", "0"))))

    L.append("## Method\n")
    L.append("""- **Same workload everywhere.** Keys are random 64-bit words from splitmix64 with a
  fixed seed (a 16-byte key is two consecutive words); the value of a key is a fixed
  function of it. `driver.h` (C/C++) and `go/main.go` generate the same keys, shuffles
  and mixed-operation stream; every run prints a checksum of the values it looked up,
  and the checksums of all contestants agree%s.
- **Phases** (one process per contestant, size and repetition): *insert without hint*
  (empty map, insert n keys); *insert with hint* (presized for n); *lookup hit* (keys in
  a shuffled order); *lookup miss* (keys from another seed); *mixed 90/10* (90%% lookups
  of random live keys, 5%% inserts of new keys, 5%% deletes of random live keys, stream
  generated beforehand by simulating the set); *delete all* (the live set, shuffled).
  Lookups read word 0 of the value.
- **Time** is CPU time of the whole process (`CLOCK_PROCESS_CPUTIME_ID`: all threads,
  user and system, so page faults, Go's GC workers and liburcu's grace periods count),
  minus the calibrated cost of reading that clock; ns/op = phase CPU time / operations.
  CPU time rather than wall time because this VM is shared (other sessions' QEMU guests
  kept both CPUs busy): time the CPU spent on other processes is not counted, though their
  cache and memory-bandwidth pressure still is. Wall ns/op is in the raw rows too.
- **Op counts.** Maps below %s entries repeat a phase (rebuilding the map, untimed, when
  the phase changed it) until about %s operations ran; maps above %s run that many
  lookups / mixed operations (a random sample of keys); inserts and delete-all always
  cover every key. Generating keys and streams and destroying maps is not timed.
- **Warm-up.** Every process builds the map once, untimed, before its timed inserts (Go
  drops that map and runs `runtime.GC()`). This VM reports free memory to its host
  (`page_reporting.page_reporting_order=11` on the guest's command line), which takes the
  pages back a few seconds after they are freed: first touching such memory costs a host
  fault. Without the warm-up, growing 10^6 u64 keys from empty took hmap 130-145 ns per
  insert run right after another run and 220-290 after 20 s idle, Go 196-235 and 370: the
  insert cells of large maps measured how long the VM had been idle. With it, 129-156
  and 196-220 either way (2026-12-01). The warm-up does not equalise everything: Go's
  runtime keeps the heap it grew, while glibc hands arrays above its mmap threshold
  back to the kernel when they are freed, so hmap's timed 10^7 build still takes fresh
  pages and Go's does not.
- **Statistics.** Each cell: median [min–max] over the repetitions, ns/op. For peers,
  ×r = peer median ÷ hmap median: **r > 1 means hmap is faster**.
- **Contention guard.** Other sessions' QEMU guests come and go on this 2-CPU VM, and a
  busy sibling CPU can double a pinned run's CPU time. Each timed run records how busy
  the other CPU was meanwhile; runs above %s were retried after the plan, shortest first,
  within %s%% of the plan's time, and each repetition uses its quietest attempt. This run:
  %s of %s timed runs contended, %s retried. † marks cells where at least half of the
  repetitions used still ran contended.
- **hmap** = `kmod/hmap_core.c` compiled in userspace at -O2 (-fno-strict-aliasing) through
  the same shim the native tests use (`tests/shim/hmap_core_user.c`), in its own
  translation unit so every operation is a real call (as a module calling the exported
  API); default hash: mixhash (`kmod/hmap_mixhash.h`), seeded per map (hsiphash, the
  kernel's `lib/siphash.c` compiled with kernel flags, only after a flood); default layout (144-byte buckets for
  u64 → u64, 656 bytes for 16 → 64). No benchmark-only defaults. The arena calls the core
  directly: no locks, RCU or copy-out of the module's API layer; but as in the module,
  writes leave bucket arrays above two pages to a worker thread (the module's work item),
  which allocates them, faults their pages in (as vmalloc does) and hands them back, and
  runs the RCU callbacks that free old arrays; its CPU time counts. The presized array is
  faulted in at creation, as the kernel's `kvzalloc()` and Go's `make` do.
- **Page size.** Go's runtime asks for transparent huge pages for its heap (`madvise`;
  its 10^7 maps showed `AnonHugePages` ≈ RSS). In the kernel, `kvmalloc()` passes
  `VM_ALLOW_HUGE_VMAP` and x86-64 maps vmalloc areas of 2 MB and more with 2 MB pages
  (`mm/util.c`, `mm/vmalloc.c`); smaller arrays come from kmalloc's direct map, itself
  mapped with huge pages (or from vmalloc, which maps every page when it allocates): a
  module's bucket arrays take no page faults at all. So every
  contestant on glibc's malloc (hmap, absl, GLib, liburcu) runs with
  `GLIBC_TUNABLES=%s`: malloc asks for transparent huge pages too (`hugetlb=1`) and
  grows its heap 64 MB at a time (`top_pad`, as Go reserves its heap in 64 MB arenas),
  so that fresh heap memory comes in whole huge pages: one page size for all. The
  *4 KB pages* variant below shows hmap with glibc's defaults (in this VM a 4 KB page
  fault costs microseconds, which is most of what growing a large map from empty paid
  there). Memory figures (bytes malloc handed out) do not depend on it.
- **Go 1.19** (`golang-1.19-go`): `map[uint64]uint64` and `map[[2]uint64][8]uint64`,
  `make(map, n)` for the hint, GOGC default, GOMAXPROCS 1 (pinned); dropping a map plus
  `runtime.GC()` is the untimed destroy. The Go map uses the AES-NI hash.
- **absl::flat_hash_map** (Swiss table): default `absl::Hash`, hint = `reserve(n)`,
  g++ -O2, operations inlined into the driver loop as in C++ user code.
- **GLib GHashTable**: keys and values by pointer, as its users do: one `g_new` box per
  entry holding key and value (freed by the table's value-destroy function on removal),
  `g_int64_hash`/`g_int64_equal` for u64 keys, a two-word `g_int64_hash` combination and
  `memcmp` for 16-byte keys. GHashTable has no size hint, so *insert with hint* is "—".
- **liburcu cds_lfht**, memb flavour (`urcu.h`, `_LGPL_SOURCE`), presized to
  2^ceil(log2 n) buckets without resizing; every operation under `rcu_read_lock` as the
  API requires; one malloc'ed node per entry; `cds_lfht_add_unique`; seeded mixhash as
  hash (cds_lfht takes the caller's). Deleted nodes wait on a private list and a phase
  that deleted ends with one `synchronize_rcu()` and frees them (timed), as a bulk deleter
  would: `call_rcu()`'s worker sleeps 10 ms between batches, so each `rcu_barrier()` cost
  ≥ 10 ms and repeating small phases took minutes.
  Only the presized table is measured: with `CDS_LFHT_AUTO_RESIZE` the resize runs in a
  worker thread that, on one CPU, falls far behind (10^6 inserts from 1 bucket: 3.8 µs
  per insert with `CDS_LFHT_ACCOUNTING`; without it, not done after 10 minutes).
- **Bytes per entry.** One extra, untimed run per contestant and size: the C/C++
  contestants are linked with `memcount.c`, which replaces malloc by symbol interposition
  and counts `malloc_usable_size` of live blocks (so allocator rounding counts, chunk
  headers do not), including allocations inside shared libraries; *peak* is the high-water
  mark during the insert phase, *end* the live bytes after it, minus the live bytes before
  the map was created; *left after deleting all* (a shrink test) is measured up to 10^6
  only. For hmap `hmap_core_stats().bytes` is shown as well. Go:
  `runtime.GC()` then `MemStats.HeapAlloc` minus the baseline; the peak is the largest
  value over samples taken halfway through every evacuation (when Go's old and new arrays
  are both live) and on a geometric ladder of counts.
""" % (
        "" if not bad else " — **except the cases listed under Problems**",
        sz(int(meta.get("min_ops", "1"))), sz(int(meta.get("min_ops", "1"))),
        sz(int(meta.get("max_ops", "1"))),
        meta.get("busy_max", "0.5"), meta.get("retry_pct", "10"), meta.get("contended", "?"),
        sum(len(v) for v in d.busy.values()), meta.get("retried", "?"),
        meta.get("malloc_env", "GLIBC_TUNABLES=?").split("=", 1)[-1]))

    for wl in WLS:
        L.append("## ns/op, %s\n" % WL_TITLE[wl])
        L.append(time_table(d, main_impls, "hmap", wl) + "\n")
        L.append("Geometric mean over sizes of peer ÷ hmap (per-size ratios in parentheses, "
                 "smallest size first):\n")
        L.append(ratio_summary(d, [i for i in main_impls if i != "hmap"], "hmap", wl) + "\n")
    if pngs:
        L.append("Plots: " + ", ".join("[%s](%s)" % (p, p) for p in pngs) + "\n")

    if d.lat:
        L.append("## Insert latency while growing\n")
        L.append("Latency mode (`-l`): insert the n keys into a map growing from empty, timing "
                 "each batch of 16 consecutive inserts with `CLOCK_MONOTONIC` (wall time: what a "
                 "caller waits); then the same into a presized map, the control, which never "
                 "grows. Not pinned: hmap's worker and Go's runtime threads get the other CPU. "
                 "Median over the repetitions of each statistic. The control shows this VM's own "
                 "floor: a pure-CPU loop of the same median length measured p99.9 at 8–15× and "
                 "max at 40–400× its median here.\n")
        L.append(latency_table(d) + "\n")
    if d.batch:
        L.append("## hmap batch calls against single calls\n")
        L.append("Batch mode (`-b`): the same keys through hmap's single-key calls and through "
                 "batches of 256 that work as `hmap_lookup_batch()` and friends do in the module "
                 "(per chunk of 16 keys: hash all, prefetch their buckets, probe, prefetch the "
                 "values found, copy out): insert into a map presized for n, look up every key "
                 "in a shuffled order, delete every key. CPU ns per key, median over the "
                 "repetitions; pinned like the timed runs.\n")
        L.append(batch_table(d) + "\n")

    L.append("## Bytes per entry\n")
    for wl in WLS:
        L.append("### %s\n" % WL_TITLE[wl])
        L.append(mem_table(d, [i for i in main_impls + VARIANTS
                               if i in d.impls and i not in ("hmap-mixfn", "hmap-4k")],
                              wl) + "\n")

    if len(var_impls) > 1:
        L.append("## hmap variants: hash function and page size\n")
        L.append("""Bench-only builds of the same core, as rows next to the default (×r = variant ÷
default: **r < 1 means the variant is faster**):

- *mixhash as hashfn*: the unmodified core with `hmap_core_params.hashfn = mixhash`, the
  way a user can choose it today (an indirect call per hash).
- *4 KB pages*: the default binary run with glibc's malloc defaults, without the
  huge-page settings every other C/C++ run has (see *Page size* above): what the core
  costs in a userspace process on 4 KB pages. Memory figures are unchanged.
""")
        if meta.get("mode") == "full":
            L.append("At 10^7 (runtime budget) only 4 KB pages (16 → 64, where pages matter "
                     "most) run; 10^6 is already far beyond the caches.\n")
        L.append("The patched-core variants (64 B-aligned buckets, mixhash built in) were "
                 "retired in the layout change; their last figures are in the results "
                 "measured at commit 0a66da0 (git show 0a66da0:userspace-tools/bench/results/native.md).\n")
        for wl in WLS:
            L.append("### %s\n" % WL_TITLE[wl])
            L.append(time_table(d, var_impls, "hmap", wl) + "\n")
            L.append("Geometric mean over sizes of variant ÷ default:\n")
            L.append(ratio_summary(d, var_impls[1:], "hmap", wl) + "\n")

    probs = []
    if bad:
        probs.append("Checksums disagree:\n\n" + "\n".join("- " + b for b in bad))
    if d.fail:
        probs.append("Failed runs:\n\n" + "\n".join("- " + " ".join(f) for f in d.fail))
    if meta.get("skipped"):
        probs.append("Not built: " + meta["skipped"])
    if probs:
        L.append("## Problems\n")
        L.append("\n\n".join(probs) + "\n")

    with open(os.path.join(a.out, "native.md"), "w") as f:
        f.write("\n".join(L))
    if bad:
        print("report: checksums disagree:\n" + "\n".join(bad), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

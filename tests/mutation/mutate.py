#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Mutation testing of the hmap core (kmod/hmap_lookup.h, hmap_{core,grow,iter,validate}.c)
with the native tests.

Each mutant changes one operator of a copy of one core file; the core is
compiled as one translation unit with that copy in place of the file, with
the KUnit suites (through the userspace shim) and the differential test,
and the mutant is killed if either fails, crashes or times out. kmod/ is
only read, never written.

Tracepoint calls are not mutated: the userspace build stubs them, and the
VM's hmap_trace_test checks their events.

Operator classes:
  cmp-boundary  <  <=  >  >=  shifted by one (< to <=, ...)
  cmp-negate    a comparison replaced by its negation (== to !=, < to >=, ...)
  logical       && and || swapped
  not           a ! removed
  arith         + -, * /, ++ --, += -= swapped
  bitwise       & |, << >>, ^ | swapped
  constant      an integer literal or a size constant changed by one
  sentinel      a tophash sentinel swapped for its neighbour
  bool          true and false swapped
  minmax        min and max swapped
  stmt-delete   an expression statement deleted

Mutants are generated in a fixed order, so the score is reproducible; with
--sample N a seeded sample of N is run instead (and the report says so).
Surviving mutants judged equivalent are listed in equivalent.txt by id.
"""
import argparse
import hashlib
import os
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.dirname(HERE)
TOP = os.path.dirname(TOOLS)

CLASSES = ["cmp-boundary", "cmp-negate", "logical", "not", "arith", "bitwise",
           "constant", "sentinel", "bool", "minmax", "stmt-delete"]

# ---- source masking: comments, string literals and tracepoints never mutate ----

TRACE_RE = re.compile(r"\btrace_\w+\(")


def mask(src):
    """Copy of @src with comments, string/char literals and tracepoint calls blanked.

    Tracepoints are stubs in the userspace build (tests/shim/hmap_internal.h),
    so no native test can see their arguments: the VM's hmap_trace_test does.
    """
    out = list(src)
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        m = TRACE_RE.match(src, i) if c == "t" else None
        if m and (i == 0 or not (src[i - 1].isalnum() or src[i - 1] == "_")):
            depth, j = 0, m.end() - 1
            while j < n:
                depth += {"(": 1, ")": -1}.get(src[j], 0)
                j += 1
                if depth == 0:
                    break
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
        elif src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            for k in range(i + 1, min(j, n)):
                out[k] = " "
            i = j + 1
        else:
            i += 1
    return "".join(out)


# ---- where mutants may go ----

DECL_RE = re.compile(r"^(const\s+)?(struct\s+|enum\s+|unsigned\s+)?\w+\s+\**\w+\s*(=|;|\[|,)")
KEYWORDS = {"if", "for", "while", "switch", "case", "default", "return", "else",
            "do", "break", "continue", "goto"}
FUNC_RE = re.compile(r"^[A-Za-z_][\w\s\*]*?\b(\w+)\(")


class Line:
    def __init__(self, no, start, text, mtext):
        self.no, self.start, self.text, self.mtext = no, start, text, mtext
        self.func = None       # enclosing function, or "#define"
        self.mutable = False


def scan_lines(src, msrc):
    lines, pos = [], 0
    for no, (t, m) in enumerate(zip(src.split("\n"), msrc.split("\n")), 1):
        lines.append(Line(no, pos, t, m))
        pos += len(t) + 1
    depth, func = 0, None
    for ln in lines:
        m = ln.mtext
        if m.startswith("#"):
            if re.match(r"#\s*define\s", m):
                ln.func, ln.mutable = "#define", True
            continue
        if depth == 0:
            fm = FUNC_RE.match(m)
            if fm and not m.rstrip().endswith(";"):
                func = fm.group(1)
        if depth > 0 and func:
            ln.func, ln.mutable = func, True
        # A function header's continuation lines stay outside.
        depth += m.count("{") - m.count("}")
        if depth == 0 and m.startswith("}"):
            func = None
        if depth == 0 and ("struct " in m or "enum " in m) and "(" not in m:
            func = None
    return lines


# ---- mutant generation ----

class Mutant:
    def __init__(self, cls, start, end, repl, line):
        self.cls, self.start, self.end, self.repl, self.line = cls, start, end, repl, line
        self.id = None
        self.result = None     # killed-by string, "survived", or "stillborn"

    def describe(self, src):
        ln = self.line
        a, b = self.start - ln.start, self.end - ln.start
        new = ln.text[:a] + self.repl + ln.text[b:] if b <= len(ln.text) else \
            (ln.text[:a] + self.repl).split("\n")[0]
        return ln.text.strip(), " ".join(new.split())

    def apply(self, src):
        return src[:self.start] + self.repl + src[self.end:]


CMP_BOUNDARY = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}
CMP_NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
ARITH = {"+": "-", "-": "+", "*": "/", "/": "*", "+=": "-=", "-=": "+="}
BITWISE = {"&": "|", "|": "&", "<<": ">>", ">>": "<<", "^": "|", "&=": "|=",
           "|=": "&="}
SENTINELS = {
    "HMAP_EMPTY_REST": ["HMAP_EMPTY_ONE"],
    "HMAP_EMPTY_ONE": ["HMAP_EMPTY_REST", "HMAP_EVACUATED_X"],
    "HMAP_EVACUATED_X": ["HMAP_EVACUATED_Y", "HMAP_EMPTY_ONE"],
    "HMAP_EVACUATED_Y": ["HMAP_EVACUATED_X", "HMAP_EVACUATED_EMPTY"],
    "HMAP_EVACUATED_EMPTY": ["HMAP_EVACUATED_Y", "HMAP_MIN_TOPHASH"],
    "HMAP_MIN_TOPHASH": ["HMAP_EVACUATED_EMPTY", "(HMAP_MIN_TOPHASH + 1)"],
}
SIZE_CONSTS = ["HMAP_SLOTS", "HMAP_MAX_INLINE", "HMAP_B_MAX", "HMAP_LOAD_NUM",
               "HMAP_LOAD_DEN", "HMAP_NOVERFLOW_EXACT_B", "HMAP_KEY_SIZE_MAX",
               "HMAP_VALUE_SIZE_MAX", "HMAP_DEFERRED_MIN_BYTES", "HMAP_UPDATE_EXIST",
               "HMAP_UPDATE_NOEXIST"]

# Binary operators are spaced in kernel style; that tells them from unary
# ones and from -> and #include <...>.
BINOP_RE = re.compile(r"(?<=[\w\)\]]) (<<=|>>=|<=|>=|==|!=|<<|>>|&&|\|\||\+=|-=|&=|\|=|[<>+\-*/&|^]) (?=[\w\(!~\-*&])")
INT_RE = re.compile(r"(?<![\w.])(0x[0-9a-fA-F]+|\d+)([uUlL]*)(?![\w.])")
WORD_RE = re.compile(r"\b[A-Za-z_]\w*\b")
INCDEC_RE = re.compile(r"(\+\+|--)")
NOT_RE = re.compile(r"!(?!=)")


def gen_mutants(src, lines):
    muts = []
    for ln in lines:
        if not ln.mutable:
            continue
        m = ln.mtext
        base = ln.start
        if ln.func == "#define":
            body = re.match(r"#\s*define\s+\w+(\([^)]*\))?", m).end()
        else:
            body = 0
        # Operators.
        for mo in BINOP_RE.finditer(m, body):
            op = mo.group(1)
            s, e = base + mo.start(1), base + mo.end(1)
            if op in CMP_BOUNDARY:
                muts.append(Mutant("cmp-boundary", s, e, CMP_BOUNDARY[op], ln))
            if op in CMP_NEGATE:
                muts.append(Mutant("cmp-negate", s, e, CMP_NEGATE[op], ln))
            if op in ("&&", "||"):
                muts.append(Mutant("logical", s, e, "||" if op == "&&" else "&&", ln))
            if op in ARITH:
                muts.append(Mutant("arith", s, e, ARITH[op], ln))
            if op in BITWISE:
                muts.append(Mutant("bitwise", s, e, BITWISE[op], ln))
        for mo in INCDEC_RE.finditer(m, body):
            op = mo.group(1)
            muts.append(Mutant("arith", base + mo.start(), base + mo.end(),
                               "--" if op == "++" else "++", ln))
        for mo in NOT_RE.finditer(m, body):
            muts.append(Mutant("not", base + mo.start(), base + mo.end(), "", ln))
        # Integer literals (not inside identifiers; array sizes included).
        for mo in INT_RE.finditer(m, body):
            txt, suf = mo.group(1), mo.group(2)
            v = int(txt, 0)
            s, e = base + mo.start(), base + mo.end()
            news = [v + 1] + ([v - 1] if v > 0 else [])
            if v > 1 and v == 1 << (v.bit_length() - 1):
                news = [v * 2, v // 2]
            for nv in news:
                rep = (hex(nv) if txt.startswith("0x") else str(nv)) + suf
                muts.append(Mutant("constant", s, e, rep, ln))
        for mo in WORD_RE.finditer(m, body):
            w = mo.group(0)
            s, e = base + mo.start(), base + mo.end()
            if w in SENTINELS:
                for r in SENTINELS[w]:
                    muts.append(Mutant("sentinel", s, e, r, ln))
            elif w in SIZE_CONSTS:
                for d in ("+ 1", "- 1"):
                    muts.append(Mutant("constant", s, e, "(%s %s)" % (w, d), ln))
            elif w in ("true", "false"):
                muts.append(Mutant("bool", s, e, "false" if w == "true" else "true", ln))
            elif w in ("min", "max") and m[mo.end():mo.end() + 1] == "(":
                muts.append(Mutant("minmax", s, e, "max" if w == "min" else "min", ln))
    muts += gen_stmt_deletions(src, lines)
    return muts


def gen_stmt_deletions(src, lines):
    """Delete expression statements (not declarations, jumps or returns)."""
    muts = []
    prev_end = "{"
    i = 0
    while i < len(lines):
        ln = lines[i]
        m = ln.mtext.strip()
        if not m:
            i += 1
            continue
        if not ln.mutable or ln.func == "#define" or m.startswith("#"):
            prev_end = m[-1:] if m else prev_end
            i += 1
            continue
        first = re.match(r"[\w*]+", m)
        starts_stmt = prev_end in (";", "{", "}", ")") or m.startswith("else") \
            or prev_end == ":"
        is_stmt = (starts_stmt and first and first.group(0) not in KEYWORDS
                   and not DECL_RE.match(m) and not m.startswith("}")
                   and not m.endswith(":") and not m.endswith("{"))
        # Find the statement's end: balanced parentheses and a final ';'.
        j, depth, text = i, 0, ""
        while j < len(lines):
            t = lines[j].mtext
            depth += t.count("(") - t.count(")")
            text += t
            if depth == 0 and t.rstrip().endswith(";"):
                break
            if t.rstrip().endswith("{") or t.rstrip().endswith("}"):
                j = -1
                break
            j += 1
        if is_stmt and j >= i and "{" not in text and "?" not in m[:1]:
            s = ln.start + (len(ln.mtext) - len(ln.mtext.lstrip()))
            end_ln = lines[j]
            e = end_ln.start + len(end_ln.mtext.rstrip())
            nl = src[s:e].count("\n")
            muts.append(Mutant("stmt-delete", s, e, ";" + "\n" * nl, ln))
        last = lines[j] if j >= i else ln
        prev_end = last.mtext.strip()[-1:] or prev_end
        i = (j if j >= i else i) + 1
    return muts


def assign_ids(muts, src):
    seen = {}
    for mu in muts:
        old, new = mu.describe(src)
        key = "%s|%s|%s|%s" % (mu.line.func, mu.cls, old, new)
        seen[key] = seen.get(key, 0) + 1
        key += "|%d" % seen[key]
        mu.id = hashlib.sha1(key.encode()).hexdigest()[:10]


# ---- building and running ----

class Runner:
    def __init__(self, args):
        self.args = args
        self.work = tempfile.mkdtemp(prefix="hmap-mutation-")
        self.cflags = shlex.split(args.cflags)
        self.procs = set()

    def cleanup(self):
        for p in list(self.procs):
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(self.work, ignore_errors=True)

    def run(self, cmd, timeout, cwd=None):
        p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.add(p)
        try:
            out, _ = p.communicate(timeout=timeout)
            return p.returncode, out.decode(errors="replace")
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            return None, ""
        finally:
            self.procs.discard(p)

    def cc(self, out, srcs, link=False, timeout=120):
        cmd = [self.args.cc] + self.cflags + (["-o", out] if link else ["-c", "-o", out]) + srcs
        if link:
            cmd += self.args.ldlibs
        rc, log = self.run(cmd, timeout)
        if rc != 0:
            raise RuntimeError("%s failed:\n%s" % (" ".join(cmd), log))

    def prepare(self):
        """Objects that do not include hmap_core.c are built once."""
        a = self.args
        self.objs = {}
        for name, srcfile in [("shim", a.shim)] + [(os.path.basename(s)[:-2], s) for s in a.kunit]:
            o = os.path.join(self.work, name + ".o")
            self.cc(o, [srcfile])
            self.objs[name] = o
        self.difftest_o = os.path.join(self.work, "difftest.o")
        self.cc(self.difftest_o, [a.difftest])

    def build(self, wdir, mutated=None, text=None):
        """Build with @text in place of core file @mutated (None: as is)."""
        os.makedirs(wdir, exist_ok=True)
        incs = [os.path.join(self.args.shimdir, "hmap_internal.h")]
        for path in self.args.core:
            if path == mutated:
                path = os.path.join(wdir, os.path.basename(path))
                with open(path, "w") as f:
                    f.write(text)
            incs.append(path)
        # The shim's hmap_internal.h first, as shim/hmap_core_user.c does.
        wrapper = os.path.join(wdir, "core_user.c")
        with open(wrapper, "w") as f:
            f.write("".join('#include "%s"\n' % i for i in incs))
        core_o = os.path.join(wdir, "core.o")
        self.cc(core_o, [wrapper])
        kn = os.path.join(wdir, "kunit_native")
        dt = os.path.join(wdir, "difftest")
        self.cc(kn, [core_o, self.args.siphash] + list(self.objs.values()), link=True)
        self.cc(dt, [core_o, self.args.siphash, self.difftest_o], link=True)
        return kn, dt

    def test(self, kn, dt, timeout):
        """None if every test passes, else what failed."""
        rc, out = self.run([kn], timeout)
        if rc is None:
            return "timeout"
        if rc != 0:
            failed = [ln.split(None, 3)[3] for ln in out.splitlines()
                      if ln.startswith("not ok ")]
            return "kunit" + (": " + ", ".join(failed) if failed else " (crashed)")
        rc, out = self.run([dt, str(self.args.diff_ops), str(self.args.diff_seeds)], timeout)
        if rc is None:
            return "timeout"
        if rc != 0:
            return "difftest"
        return None

    def mutant(self, srcs, mu, timeout, slot):
        wdir = os.path.join(self.work, "w%d" % slot)
        try:
            kn, dt = self.build(wdir, mu.file, mu.apply(srcs[mu.file]))
        except RuntimeError:
            return "stillborn"
        killed = self.test(kn, dt, timeout)
        return killed or "survived"


def read_equivalent(path):
    eq = {}
    if not os.path.exists(path):
        return eq
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            mid, _, reason = line.partition(" ")
            eq[mid] = reason.strip()
    return eq


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--core", nargs="+",
                    default=[os.path.join(TOP, "kmod", f) for f in
                             ("hmap_lookup.h", "hmap_core.c", "hmap_grow.c", "hmap_iter.c",
                              "hmap_validate.c")],
                    help="the core's files, in the order the unity build includes them "
                    "(a header first: its include guard keeps a mutated copy in place)")
    ap.add_argument("--cc", default=os.environ.get("CC", "gcc"))
    ap.add_argument("--cflags", default="-std=gnu11 -g -O1 -no-pie -w "
                    "-fsanitize=address,undefined -fno-sanitize-recover=all "
                    "-I%s/shim -I%s/kmod -I%s/include" % (TOOLS, TOP, TOP))
    ap.add_argument("--ldlibs", nargs="*", default=[])
    ap.add_argument("--siphash", default=os.path.join(TOOLS, "shim/build/ksiphash.o"))
    ap.add_argument("--shim", default=os.path.join(TOOLS, "shim/kunit_shim.c"))
    ap.add_argument("--shimdir", default=os.path.join(TOOLS, "shim"))
    ap.add_argument("--difftest", default=os.path.join(TOOLS, "native/hmap_difftest.c"))
    ap.add_argument("--kunit", nargs="*", default=None,
                    help="KUnit sources (default: the Makefile's set)")
    ap.add_argument("--equivalent", default=os.path.join(HERE, "equivalent.txt"))
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=0,
                    help="seconds per test program (default: 20x baseline, >= 10)")
    ap.add_argument("--diff-ops", type=int, default=100000)
    ap.add_argument("--diff-seeds", type=int, default=2)
    ap.add_argument("--sample", type=int, default=0, help="run a seeded sample of N mutants")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--class", dest="only_class", action="append",
                    help="only this operator class (repeatable)")
    ap.add_argument("--function", action="append", help="only mutants in this function")
    ap.add_argument("--file", action="append",
                    help="only mutants in this core file (basename, repeatable)")
    ap.add_argument("--id", action="append", help="only the mutant with this id")
    ap.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    ap.add_argument("--show", metavar="ID", help="print the diff of one mutant")
    ap.add_argument("--min-score", type=float, default=0,
                    help="fail if the score (%%) is below this")
    ap.add_argument("--log", metavar="FILE",
                    help="write each mutant's fate (and the failing KUnit cases) to FILE")
    ap.add_argument("--all-survivors", action="store_true",
                    help="also list survivors judged equivalent")
    args = ap.parse_args()
    if args.kunit is None:
        kd = os.path.join(TOOLS, "kunit")
        args.kunit = sorted(os.path.join(kd, f) for f in os.listdir(kd)
                            if f.endswith("_kunit.c") and f not in
                            ("hmap_api_kunit.c", "hmap_concurrency_kunit.c"))
        args.kunit.append(os.path.join(kd, "hmap_test_util.c"))

    srcs, digests, muts = {}, {}, []
    for path in args.core:
        with open(path) as f:
            srcs[path] = f.read()
        digests[path] = hashlib.sha1(srcs[path].encode()).hexdigest()
        fmuts = gen_mutants(srcs[path], scan_lines(srcs[path], mask(srcs[path])))
        fmuts.sort(key=lambda mu: (mu.start, mu.cls, mu.repl))
        assign_ids(fmuts, srcs[path])
        for mu in fmuts:
            mu.file = path
        muts += fmuts
    order = {path: k for k, path in enumerate(args.core)}

    def where(mu):
        return "%s:%d" % (os.path.basename(mu.file), mu.line.no)

    if args.show:
        for mu in muts:
            if mu.id == args.show:
                old, new = mu.describe(srcs[mu.file])
                print("%s %s %s [%s]\n- %s\n+ %s" % (mu.id, where(mu), mu.line.func,
                      mu.cls, old, new))
                return 0
        print("no mutant %s" % args.show, file=sys.stderr)
        return 1

    sel = muts
    if args.only_class:
        sel = [mu for mu in sel if mu.cls in args.only_class]
    if args.function:
        sel = [mu for mu in sel if mu.line.func in args.function]
    if args.file:
        sel = [mu for mu in sel if os.path.basename(mu.file) in args.file]
    if args.id:
        sel = [mu for mu in sel if mu.id in args.id]
    sampled = ""
    if args.sample and args.sample < len(sel):
        sel = sorted(random.Random(args.seed).sample(sel, args.sample),
                     key=lambda mu: (order[mu.file], mu.start))
        sampled = " (seeded sample %d of %d, seed %d)" % (len(sel), len(muts), args.seed)

    if args.list:
        for mu in sel:
            old, new = mu.describe(srcs[mu.file])
            print("%s %-20s %-24s %-12s %s  =>  %s" % (mu.id, where(mu), mu.line.func,
                                                       mu.cls, old, new))
        print("%d mutants%s" % (len(sel), sampled))
        return 0

    # Ctrl-C or a kill ends the run cleanly: children killed, copies removed.
    def interrupt(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    runner = Runner(args)
    t0 = time.time()
    interrupted = False
    try:
        runner.prepare()
        tb = time.time()
        kn, dt = runner.build(os.path.join(runner.work, "base"))
        tr = time.time()
        bad = runner.test(kn, dt, 600)
        if bad:
            print("mutation: the unmutated core fails its tests (%s); fix that first" % bad,
                  file=sys.stderr)
            return 2
        base_run, base_build = time.time() - tr, tr - tb
        timeout = args.timeout or max(10.0, 20 * base_run)
        print("mutation: %d mutants of %s%s, %d jobs, build %.1fs + tests %.1fs each, "
              "timeout %.0fs" % (len(sel), " ".join(os.path.relpath(p, TOP) for p in args.core),
                                 sampled,
                                 args.jobs, base_build, base_run, timeout), flush=True)
        slots = list(range(args.jobs))
        done = 0
        with ThreadPoolExecutor(max_workers=args.jobs) as ex:
            pending = {}
            it = iter(sel)

            def submit():
                mu = next(it, None)
                if mu is None:
                    return
                slot = slots.pop()
                pending[ex.submit(runner.mutant, srcs, mu, timeout, slot)] = (mu, slot)

            for _ in range(args.jobs):
                submit()
            while pending:
                fut = next(as_completed(pending))
                mu, slot = pending.pop(fut)
                mu.result = fut.result()
                slots.append(slot)
                submit()
                done += 1
                if sys.stdout.isatty() or done % 50 == 0:
                    print("  %d/%d  %.0fs" % (done, len(sel), time.time() - t0),
                          end="\r" if sys.stdout.isatty() else "\n", flush=True)
    except KeyboardInterrupt:
        interrupted = True
        print("\nmutation: interrupted", file=sys.stderr)
    finally:
        runner.cleanup()
        for path in args.core:
            with open(path) as f:
                assert hashlib.sha1(f.read().encode()).hexdigest() == digests[path], \
                    "%s changed during the run" % path
    if interrupted:
        return 130

    # ---- report ----
    eq = read_equivalent(args.equivalent)
    if args.log:
        with open(args.log, "w") as f:
            for mu in sel:
                old, new = mu.describe(srcs[mu.file])
                f.write("%s %s %s [%s] %s\n    - %s\n    + %s\n" % (
                    mu.id, where(mu), mu.line.func, mu.cls, mu.result, old, new))
    print()
    rows = {c: [0, 0, 0, 0] for c in CLASSES}   # killed, survived, equivalent, stillborn
    survivors, equivalents = [], []
    for mu in sel:
        r = rows[mu.cls]
        if mu.result == "stillborn":
            r[3] += 1
        elif mu.result == "survived":
            if mu.id in eq:
                r[2] += 1
                equivalents.append(mu)
            else:
                r[1] += 1
                survivors.append(mu)
        else:
            r[0] += 1
    print("%-13s %7s %7s %7s %9s %7s" % ("class", "killed", "alive", "equiv", "stillborn",
                                         "score"))
    tot = [0, 0, 0, 0]
    for c in CLASSES:
        r = rows[c]
        if not sum(r):
            continue
        tot = [a + b for a, b in zip(tot, r)]
        live = r[0] + r[1]
        print("%-13s %7d %7d %7d %9d %6.1f%%" % (c, r[0], r[1], r[2], r[3],
                                                 100.0 * r[0] / live if live else 100))
    live = tot[0] + tot[1]
    score = 100.0 * tot[0] / live if live else 100.0
    print("%-13s %7d %7d %7d %9d %6.1f%%" % ("total", tot[0], tot[1], tot[2], tot[3], score))
    print("mutation score: %d of %d non-equivalent mutants killed (%.1f%%)%s; "
          "%d equivalent, %d did not compile; %.0fs" % (tot[0], live, score, sampled,
                                                       tot[2], tot[3], time.time() - t0))
    listed = survivors + (equivalents if args.all_survivors else [])
    if listed:
        print("\nsurviving mutants%s:" % ("" if args.all_survivors else
                                          " not in %s" % os.path.basename(args.equivalent)))
        for mu in sorted(listed, key=lambda mu: (order[mu.file], mu.start)):
            old, new = mu.describe(srcs[mu.file])
            print("  %s %s %s [%s]%s\n      - %s\n      + %s" % (
                mu.id, where(mu), mu.line.func, mu.cls,
                " (equivalent)" if mu.id in eq else "", old, new))
    ids = {mu.id for mu in muts}
    stale = [i for i in eq if i not in ids]
    if stale and not (args.sample or args.only_class or args.function or args.file or
                      args.id):
        print("\n%s: %d ids no longer generated (core changed?): %s" % (
            os.path.basename(args.equivalent), len(stale), " ".join(stale)))
    eq_killed = [mu for mu in sel if mu.id in eq and mu.result not in ("survived", "stillborn")]
    if eq_killed:
        print("\nlisted as equivalent but killed (remove from %s): %s" % (
            os.path.basename(args.equivalent), " ".join(mu.id for mu in eq_killed)))
    if score < args.min_score:
        print("mutation: score %.1f%% is below %.1f%%" % (score, args.min_score))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

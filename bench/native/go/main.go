// SPDX-License-Identifier: GPL-2.0
//
// Go 1.19's built-in map in the native arena: a line-by-line port of
// ../driver.h (same keys, shuffles, mixed stream, phases and row format),
// once for map[uint64]uint64 and once for map[[2]uint64][8]uint64.
// The two runners are written out per type on purpose, not as one generic
// function: what is timed must be the code a user's concrete map compiles
// to (the fast64 paths for uint64 keys), whatever Go does for type
// parameters.
// "Destroying" a map is dropping it and running runtime.GC(), untimed.
// Lookups read word 0 of the value (m[k] / m[k][0]); misses use the
// two-value form.  go delete() reports nothing, so deletes are checked by
// len(m) after the phase; hits by the checksum run-native.sh compares.
//
// Memory mode (-m): live heap (runtime.GC, then MemStats.HeapAlloc minus
// the baseline) at the end of each insert phase; the peak is the largest
// such value over samples taken halfway through every evacuation (Go
// grows at count > 6.5*2^B and evacuates one or two old buckets per
// insert, so old and new arrays are both live then) and at a geometric
// ladder of counts.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"syscall"
	"time"
	"unsafe"
)

const (
	seedKeys  = 0x68617368
	seedMiss  = 0x6d697373
	seedPerm  = 0x7065726d
	seedMixed = 0x6d697864
	seedDel   = 0x64656c65
	c55       = 0x5555555555555555
)

const (
	opLookup = iota
	opInsert
	opDelete
)

type K16 [2]uint64
type V64 [8]uint64

var (
	gN        uint64
	gRep      int
	gWL       string
	gOps      int64
	gMaxOps   uint64
	gNoDelete bool
	gMem      bool
	gLatency  bool
	gImpl     = "go"
)

// Latency mode (-l), as run_latency() in driver.h: grow a map from empty to
// n keys, timing each batch of latBatch inserts with the monotonic clock.
const latBatch = 16

func latencyRows(phase string, lat []uint64, total uint64) {
	nb := uint64(len(lat))
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	fmt.Printf("L\t%s\t%s\t%d\t%d\t%s\t%d\t%d\t%d\t%d\t%d\t%.1f\n", gImpl, gWL, gN, gRep, phase, latBatch,
		lat[nb/2], lat[nb*99/100], lat[nb*999/1000], lat[nb-1],
		float64(total)/float64(nb*latBatch))
}

func phaseName(hint int) string {
	if hint > 0 {
		return "insert_hint"
	}
	return "insert_nohint"
}

func latU64() {
	n := gN
	keys := make([]uint64, n)
	s := uint64(seedKeys)
	for i := range keys {
		keys[i] = genU64(&s)
	}
	lat := make([]uint64, n/latBatch)
	for _, hint := range []int{0, int(n)} {
		var total uint64
		m := make(map[uint64]uint64, hint)
		for b := range lat {
			t0 := time.Now()
			for _, k := range keys[b*latBatch : (b+1)*latBatch] {
				m[k] = valU64(k)
			}
			d := uint64(time.Since(t0).Nanoseconds())
			lat[b] = d
			total += d
		}
		runtime.KeepAlive(m)
		latencyRows(phaseName(hint), lat, total)
	}
}

func latK16() {
	n := gN
	keys := make([]K16, n)
	vals := make([]V64, n)
	s := uint64(seedKeys)
	for i := range keys {
		keys[i] = genK16(&s)
		vals[i] = valK16(keys[i])
	}
	lat := make([]uint64, n/latBatch)
	for _, hint := range []int{0, int(n)} {
		var total uint64
		m := make(map[K16]V64, hint)
		for b := range lat {
			t0 := time.Now()
			for i := b * latBatch; i < (b+1)*latBatch; i++ {
				m[keys[i]] = vals[i]
			}
			d := uint64(time.Since(t0).Nanoseconds())
			lat[b] = d
			total += d
		}
		runtime.KeepAlive(m)
		latencyRows(phaseName(hint), lat, total)
	}
}

func smNext(s *uint64) uint64 {
	*s += 0x9e3779b97f4a7c15
	z := *s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func genU64(s *uint64) uint64 { return smNext(s) }
func genK16(s *uint64) K16 {
	a := smNext(s)
	b := smNext(s)
	return K16{a, b}
}

func valU64(k uint64) uint64 { return k ^ c55 }

// warmUp builds the map once, untimed, and drops it, as driver.h does
// before its timed inserts (see there).
func warmUp[K comparable, V any](keys []K, val func(K) V) {
	m := make(map[K]V)
	for _, k := range keys {
		m[k] = val(k)
	}
	runtime.KeepAlive(m) // dead from here: the GC below frees it
	runtime.GC()
}
func valK16(k K16) (v V64) {
	for j := uint64(0); j < 8; j++ {
		v[j] = (k[0] ^ c55) + j*k[1]
	}
	return
}

func shuffle[T any](a []T, seed uint64) {
	s := seed
	for i := uint64(len(a)); i > 1; i-- {
		j := smNext(&s) % i
		a[i-1], a[j] = a[j], a[i-1]
	}
}

// shufflePrefix: Fisher-Yates on the first k positions (a random sample).
func shufflePrefix[T any](a []T, k uint64, seed uint64) {
	s := seed
	n := uint64(len(a))
	for i := uint64(0); i < k && i+1 < n; i++ {
		j := i + smNext(&s)%(n-i)
		a[i], a[j] = a[j], a[i]
	}
}

type op[K any] struct {
	t uint32
	k K
}

// mixedGen mirrors driver.h's mixed_gen: simulate the live set.
func mixedGen[K any](keys []K, nops uint64, ks *uint64, gen func(*uint64) K) ([]op[K], []K) {
	n := uint64(len(keys))
	live := make([]K, n, n+nops/8+64)
	copy(live, keys)
	ops := make([]op[K], nops)
	s := uint64(seedMixed)
	for i := uint64(0); i < nops; i++ {
		r := smNext(&s) % 100
		L := uint64(len(live))
		if r < 90 {
			ops[i] = op[K]{opLookup, live[smNext(&s)%L]}
		} else if r < 95 {
			k := gen(ks)
			ops[i] = op[K]{opInsert, k}
			live = append(live, k)
		} else {
			j := smNext(&s) % L
			ops[i] = op[K]{opDelete, live[j]}
			live[j] = live[L-1]
			live = live[:L-1]
		}
	}
	return ops, live
}

func die(what string) {
	fmt.Fprintf(os.Stderr, "bench: %s %s n=%d: %s\n", gImpl, gWL, gN, what)
	os.Exit(3)
}

// Timing as in driver.h: process CPU time (all threads: GC workers
// included), minus the calibrated cost of reading that clock; wall time
// goes to the raw rows too.
type timer struct {
	cpu, wall, c0 uint64
	w0            time.Time
}

var clockCost uint64

func cpuNs() uint64 {
	var ts syscall.Timespec
	// CLOCK_PROCESS_CPUTIME_ID = 2
	syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, 2, uintptr(unsafe.Pointer(&ts)), 0)
	return uint64(ts.Sec)*1000000000 + uint64(ts.Nsec)
}

func calibrate() {
	d := make([]uint64, 64)
	for i := range d {
		a := cpuNs()
		b := cpuNs()
		d[i] = b - a
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	clockCost = d[32]
}

func (t *timer) start() {
	t.w0 = time.Now()
	t.c0 = cpuNs()
}

func (t *timer) stop() {
	c := cpuNs() - t.c0
	t.wall += uint64(time.Since(t.w0).Nanoseconds())
	if c > clockCost {
		t.cpu += c - clockCost
	}
}

func row(phase string, t *timer, ops uint64, iters int64, chk uint64) {
	fmt.Printf("R\t%s\t%s\t%d\t%d\t%s\t%.3f\t%d\t%016x\t%.3f\n", gImpl, gWL, gN, gRep,
		phase, float64(t.cpu)/float64(ops), iters, chk, float64(t.wall)/float64(ops))
}

func mrow(metric string, bpe float64) {
	fmt.Printf("M\t%s\t%s\t%d\t%s\t%.2f\n", gImpl, gWL, gN, metric, bpe)
}

func itersFor(n uint64) int64 {
	it := (gOps + int64(n) - 1) / int64(n)
	if it < 1 {
		it = 1
	}
	return it
}

func heapLive() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// Sample points for the peak: halfway through each evacuation, and a
// geometric ladder.
func samplePoints(n uint64, hint bool) map[uint64]bool {
	pts := map[uint64]bool{n: true}
	if !hint {
		for B := uint(0); ; B++ {
			g := uint64(13) * ((uint64(1) << B) / 2)
			if g < 8 {
				g = 8
			}
			p := g + 1 + (uint64(1)<<B)/2
			if p >= n {
				break
			}
			pts[p] = true
		}
	}
	for c := uint64(16); c < n; c = c + c/4 {
		pts[c] = true
	}
	return pts
}

// ---------------- u64 -> u64 ----------------

func buildU64(keys []uint64, hint int) map[uint64]uint64 {
	m := make(map[uint64]uint64, hint)
	for _, k := range keys {
		m[k] = valU64(k)
	}
	return m
}

func runU64() {
	n := gN
	iters := itersFor(n)
	nq := n
	if nq > gMaxOps {
		nq = gMaxOps
	}
	keys := make([]uint64, n)
	ks := uint64(seedKeys)
	for i := range keys {
		keys[i] = genU64(&ks)
	}
	var t timer
	var chk uint64

	warmUp(keys, valU64)

	t = timer{}
	for it := int64(0); it < iters; it++ {
		t.start()
		m := make(map[uint64]uint64)
		for _, k := range keys {
			m[k] = valU64(k)
		}
		t.stop()
		runtime.KeepAlive(m)
		m = nil
		runtime.GC()
	}
	row("insert_nohint", &t, n*uint64(iters), iters, n)

	var m map[uint64]uint64
	t = timer{}
	for it := int64(0); it < iters; it++ {
		if it > 0 {
			m = nil
			runtime.GC()
		}
		t.start()
		m = make(map[uint64]uint64, n)
		for _, k := range keys {
			m[k] = valU64(k)
		}
		t.stop()
	}
	row("insert_hint", &t, n*uint64(iters), iters, n)

	q := make([]uint64, n)
	copy(q, keys)
	shufflePrefix(q, nq, seedPerm)
	t = timer{}
	t.start()
	for it := int64(0); it < iters; it++ {
		chk = 0
		for _, k := range q[:nq] {
			chk += m[k]
		}
	}
	t.stop()
	row("lookup_hit", &t, nq*uint64(iters), iters, chk)
	q = nil

	mk := make([]uint64, nq)
	ms := uint64(seedMiss)
	for i := range mk {
		mk[i] = genU64(&ms)
	}
	t = timer{}
	chk = 0
	t.start()
	for it := int64(0); it < iters; it++ {
		for _, k := range mk {
			if _, ok := m[k]; ok {
				chk++
			}
		}
	}
	t.stop()
	if chk != 0 {
		die("lookup_miss hit")
	}
	row("lookup_miss", &t, nq*uint64(iters), iters, chk)
	mk = nil

	ops, live := mixedGen(keys, nq, &ks, genU64)
	t = timer{}
	for it := int64(0); it < iters; it++ {
		if it > 0 {
			m = nil
			runtime.GC()
			m = buildU64(keys, int(n))
		}
		chk = 0
		t.start()
		for i := range ops {
			o := &ops[i]
			switch o.t {
			case opLookup:
				chk += m[o.k]
			case opInsert:
				m[o.k] = valU64(o.k)
			default:
				delete(m, o.k)
			}
		}
		t.stop()
		if len(m) != len(live) {
			die("mixed: wrong count")
		}
	}
	row("mixed", &t, nq*uint64(iters), iters, chk)
	ops = nil

	shuffle(live, seedDel)
	t = timer{}
	for it := int64(0); it < iters; it++ {
		if it > 0 {
			m = nil
			runtime.GC()
			m = buildU64(live, int(n))
		}
		t.start()
		for _, k := range live {
			delete(m, k)
		}
		t.stop()
		if len(m) != 0 {
			die("delete_all: map not empty")
		}
	}
	row("delete_all", &t, uint64(len(live))*uint64(iters), iters, uint64(len(live)))
}

func memU64() {
	n := gN
	keys := make([]uint64, n)
	ks := uint64(seedKeys)
	for i := range keys {
		keys[i] = genU64(&ks)
	}
	var m map[uint64]uint64
	var base uint64
	// Allocated before the baseline and kept alive to the end, so that
	// they are not counted as the map's.
	ptsNoHint, ptsHint := samplePoints(n, false), samplePoints(n, true)
	for _, hint := range []bool{false, true} {
		pts := ptsNoHint
		if hint {
			pts = ptsHint
		}
		m = nil
		base = heapLive()
		var peak uint64
		h := 0
		if hint {
			h = int(n)
		}
		m = make(map[uint64]uint64, h)
		for i, k := range keys {
			m[k] = valU64(k)
			if pts[uint64(i+1)] {
				if b := heapLive() - base; b > peak {
					peak = b
				}
			}
		}
		end := heapLive() - base
		if end > peak {
			peak = end
		}
		tag := "nohint"
		if hint {
			tag = "hint"
		}
		mrow(tag+"_end", float64(end)/float64(n))
		mrow(tag+"_peak", float64(peak)/float64(n))
	}
	if gNoDelete {
		runtime.KeepAlive(ptsNoHint)
		runtime.KeepAlive(ptsHint)
		return
	}
	shuffle(keys, seedPerm)
	for _, k := range keys {
		delete(m, k)
	}
	if len(m) != 0 {
		die("delete: map not empty")
	}
	mrow("after_delete", float64(heapLive()-base)/float64(n))
	runtime.KeepAlive(m)
	runtime.KeepAlive(keys)
	runtime.KeepAlive(ptsNoHint)
	runtime.KeepAlive(ptsHint)
}

// ---------------- 16 B -> 64 B ----------------

func buildK16(keys []K16, hint int) map[K16]V64 {
	m := make(map[K16]V64, hint)
	for _, k := range keys {
		m[k] = valK16(k)
	}
	return m
}

func runK16() {
	n := gN
	iters := itersFor(n)
	nq := n
	if nq > gMaxOps {
		nq = gMaxOps
	}
	keys := make([]K16, n)
	ks := uint64(seedKeys)
	for i := range keys {
		keys[i] = genK16(&ks)
	}
	var t timer
	var chk uint64

	warmUp(keys, valK16)

	t = timer{}
	for it := int64(0); it < iters; it++ {
		t.start()
		m := make(map[K16]V64)
		for _, k := range keys {
			m[k] = valK16(k)
		}
		t.stop()
		runtime.KeepAlive(m)
		m = nil
		runtime.GC()
	}
	row("insert_nohint", &t, n*uint64(iters), iters, n)

	var m map[K16]V64
	t = timer{}
	for it := int64(0); it < iters; it++ {
		if it > 0 {
			m = nil
			runtime.GC()
		}
		t.start()
		m = make(map[K16]V64, n)
		for _, k := range keys {
			m[k] = valK16(k)
		}
		t.stop()
	}
	row("insert_hint", &t, n*uint64(iters), iters, n)

	q := make([]K16, n)
	copy(q, keys)
	shufflePrefix(q, nq, seedPerm)
	t = timer{}
	t.start()
	for it := int64(0); it < iters; it++ {
		chk = 0
		for i := range q[:nq] {
			chk += m[q[i]][0]
		}
	}
	t.stop()
	row("lookup_hit", &t, nq*uint64(iters), iters, chk)
	q = nil

	mk := make([]K16, nq)
	ms := uint64(seedMiss)
	for i := range mk {
		mk[i] = genK16(&ms)
	}
	t = timer{}
	chk = 0
	t.start()
	for it := int64(0); it < iters; it++ {
		for i := range mk {
			if _, ok := m[mk[i]]; ok {
				chk++
			}
		}
	}
	t.stop()
	if chk != 0 {
		die("lookup_miss hit")
	}
	row("lookup_miss", &t, nq*uint64(iters), iters, chk)
	mk = nil

	ops, live := mixedGen(keys, nq, &ks, genK16)
	t = timer{}
	for it := int64(0); it < iters; it++ {
		if it > 0 {
			m = nil
			runtime.GC()
			m = buildK16(keys, int(n))
		}
		chk = 0
		t.start()
		for i := range ops {
			o := &ops[i]
			switch o.t {
			case opLookup:
				chk += m[o.k][0]
			case opInsert:
				m[o.k] = valK16(o.k)
			default:
				delete(m, o.k)
			}
		}
		t.stop()
		if len(m) != len(live) {
			die("mixed: wrong count")
		}
	}
	row("mixed", &t, nq*uint64(iters), iters, chk)
	ops = nil

	shuffle(live, seedDel)
	t = timer{}
	for it := int64(0); it < iters; it++ {
		if it > 0 {
			m = nil
			runtime.GC()
			m = buildK16(live, int(n))
		}
		t.start()
		for i := range live {
			delete(m, live[i])
		}
		t.stop()
		if len(m) != 0 {
			die("delete_all: map not empty")
		}
	}
	row("delete_all", &t, uint64(len(live))*uint64(iters), iters, uint64(len(live)))
}

func memK16() {
	n := gN
	keys := make([]K16, n)
	ks := uint64(seedKeys)
	for i := range keys {
		keys[i] = genK16(&ks)
	}
	var m map[K16]V64
	var base uint64
	// Allocated before the baseline and kept alive to the end, so that
	// they are not counted as the map's.
	ptsNoHint, ptsHint := samplePoints(n, false), samplePoints(n, true)
	for _, hint := range []bool{false, true} {
		pts := ptsNoHint
		if hint {
			pts = ptsHint
		}
		m = nil
		base = heapLive()
		var peak uint64
		h := 0
		if hint {
			h = int(n)
		}
		m = make(map[K16]V64, h)
		for i, k := range keys {
			m[k] = valK16(k)
			if pts[uint64(i+1)] {
				if b := heapLive() - base; b > peak {
					peak = b
				}
			}
		}
		end := heapLive() - base
		if end > peak {
			peak = end
		}
		tag := "nohint"
		if hint {
			tag = "hint"
		}
		mrow(tag+"_end", float64(end)/float64(n))
		mrow(tag+"_peak", float64(peak)/float64(n))
	}
	if gNoDelete {
		runtime.KeepAlive(ptsNoHint)
		runtime.KeepAlive(ptsHint)
		return
	}
	shuffle(keys, seedPerm)
	for i := range keys {
		delete(m, keys[i])
	}
	if len(m) != 0 {
		die("delete: map not empty")
	}
	mrow("after_delete", float64(heapLive()-base)/float64(n))
	runtime.KeepAlive(m)
	runtime.KeepAlive(keys)
	runtime.KeepAlive(ptsNoHint)
	runtime.KeepAlive(ptsHint)
}

func main() {
	n := flag.Uint64("n", 0, "entries")
	flag.IntVar(&gRep, "r", 0, "repetition number (printed)")
	flag.Int64Var(&gOps, "o", 1000000, "minimum operations per phase")
	flag.Uint64Var(&gMaxOps, "x", 1000000, "lookup/mixed operations for larger maps")
	flag.StringVar(&gImpl, "N", "go", "contestant name in the rows")
	flag.BoolVar(&gNoDelete, "s", false, "memory mode: skip the delete-all measurement")
	flag.BoolVar(&gMem, "m", false, "memory mode")
	flag.BoolVar(&gLatency, "l", false, "latency mode: insert batches of 16, growing from empty")
	flag.StringVar(&gWL, "wl", "u64", "workload: u64 or k16v64")
	flag.Parse()
	gN = *n
	if gMaxOps < 1 {
		gMaxOps = 1
	}
	if gN == 0 || (gLatency && gN < latBatch) || (gWL != "u64" && gWL != "k16v64") {
		fmt.Fprintln(os.Stderr, "usage: bench-go -wl u64|k16v64 -n N [-r REP] [-o MIN_OPS] [-x MAX_OPS] [-N NAME] [-m [-s] | -l]")
		os.Exit(2)
	}
	calibrate()
	switch {
	case gWL == "u64" && gLatency:
		latU64()
	case gLatency:
		latK16()
	case gWL == "u64" && gMem:
		memU64()
	case gWL == "u64":
		runU64()
	case gMem:
		memK16()
	default:
		runK16()
	}
}

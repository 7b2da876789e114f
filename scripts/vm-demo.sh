#!/bin/sh
# hmap demo, run inside the test VM by `make demo`: a map is created and
# pinned as a file in hmapfs, loaded with 200000 keys while we watch it grow,
# queried, dumped, mostly emptied again while we watch it shrink, and removed.
set -e
export PATH=/opt/hmap:$PATH

say() { printf '\n== %s\n' "$*"; }
run() {
	printf '$ %s\n' "$*"
	"$@"
}

say "A map pinned as a file: 8-byte keys, 8-byte values. It outlives each hmapctl call."
echo "hmapctl mounts hmapfs on /sys/fs/hmap if need be; 'demo' is /sys/fs/hmap/demo."
run hmapctl map create demo key 8 value 8
run ls -l /sys/fs/hmap
run hmapctl map list

say "Load 100000 keys (key i, value i) in batches, printing the map's shape."
echo "B is log2 of the bucket count; a bucket holds 8 entries, and more spill"
echo "into chained overflow buckets."
run hmapctl map fill demo 100000 every 25000

say "Watch one doubling: past 6.5 keys per bucket (106496 keys at B=14) the"
echo "map needs 2^15 buckets. A kernel work item allocates them ahead, while"
echo "the writes go on (from 7/8 of that load); the write that reaches it starts"
echo "the doubling, and each later write moves a couple of old buckets over"
echo "('evacuated'): no single insert pays for the new array or the whole copy."
run hmapctl map fill demo 16000 start 100000 every 2000
run hmapctl map fill demo 84000 start 116000

say "The map now"
run hmapctl map stats demo

say "Lookups"
run hmapctl map lookup demo key u64 4242
run hmapctl map update demo key u64 4242 value u64 99 exist
run hmapctl map lookup demo key u64 4242
printf '$ hmapctl map lookup demo key u64 999999\n'
hmapctl map lookup demo key u64 999999 || echo "(exit status $?: not found)"
run hmapctl -j map lookup demo key u64 7

say "A dump streams every entry; here the first 4, then the total."
printf '$ hmapctl map dump demo | head -n 4\n'
hmapctl map dump demo | head -n 4
printf '$ hmapctl map dump demo | tail -n 1\n'
hmapctl map dump demo | tail -n 1

say "Delete 190000 keys, watching the shape and the memory."
echo "Below 13/16 of a key per bucket (1/8 of the load that grows it) the map"
echo "halves its array, as incrementally as it doubled: B comes back down."
run hmapctl map drain demo 190000 every 38000
echo "A shrink that the deletes left unfinished is finished by the kernel once"
echo "they stop (after 100 ms), one halving after another:"
run sleep 2
run hmapctl map stats demo

say "Remove the file: the map is freed (no process has it open)."
run hmapctl map unlink demo
run hmapctl map list

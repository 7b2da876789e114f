/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints for watching an hmap grow and shrink, fired by the core where
 * each event happens (hmap_grow.c, and hmap_core.c for a resize a clear
 * abandons). Included through hmap_internal.h, whose userspace stand-in
 * stubs them; hmap_api.c creates them.
 *   echo 1 > /sys/kernel/tracing/events/hmap/enable; cat /sys/kernel/tracing/trace_pipe
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM hmap

#if !defined(_HMAP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _HMAP_TRACE_H

#include <linux/tracepoint.h>

/*
 * How a TP_printk() names the resize of its __entry from old_b to new_b:
 * an expression, not a function call, so that tools that parse the print
 * format can evaluate it.
 */
#define HMAP_RESIZE_KIND						\
	(__entry->same_size ? "same-size" :				\
	 __entry->new_b > __entry->old_b ? "double" : "halve")

TRACE_EVENT(hmap_grow_start,
	    TP_PROTO(u32 id, u8 old_b, u8 new_b, bool same_size,
		     unsigned long count),
	    TP_ARGS(id, old_b, new_b, same_size, count),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u8, old_b)
			     __field(u8, new_b)
			     __field(bool, same_size)
			     __field(unsigned long, count)),
	    TP_fast_assign(__entry->id = id;
			   __entry->old_b = old_b;
			   __entry->new_b = new_b;
			   __entry->same_size = same_size;
			   __entry->count = count;),
	    TP_printk("map=%u B=%u->%u %s count=%lu", __entry->id,
		      __entry->old_b, __entry->new_b,
		      HMAP_RESIZE_KIND,
		      __entry->count)
);

/* One unit evacuated: old bucket @unit of a growth, or pair @unit of a shrink. */
TRACE_EVENT(hmap_evacuate,
	    TP_PROTO(u32 id, u8 old_b, u8 new_b, bool same_size, u64 moved,
		     unsigned long unit),
	    TP_ARGS(id, old_b, new_b, same_size, moved, unit),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u8, old_b)
			     __field(u8, new_b)
			     __field(bool, same_size)
			     __field(u64, moved)
			     __field(unsigned long, unit)),
	    TP_fast_assign(__entry->id = id;
			   __entry->old_b = old_b;
			   __entry->new_b = new_b;
			   __entry->same_size = same_size;
			   __entry->moved = moved;
			   __entry->unit = unit;),
	    TP_printk("map=%u B=%u->%u %s moved=%llu unit=%lu",
		      __entry->id, __entry->old_b, __entry->new_b,
		      HMAP_RESIZE_KIND,
		      __entry->moved, __entry->unit)
);

TRACE_EVENT(hmap_grow_done,
	    TP_PROTO(u32 id, u8 old_b, u8 new_b, bool same_size),
	    TP_ARGS(id, old_b, new_b, same_size),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u8, old_b)
			     __field(u8, new_b)
			     __field(bool, same_size)),
	    TP_fast_assign(__entry->id = id;
			   __entry->old_b = old_b;
			   __entry->new_b = new_b;
			   __entry->same_size = same_size;),
	    TP_printk("map=%u B=%u->%u %s", __entry->id, __entry->old_b,
		      __entry->new_b,
		      HMAP_RESIZE_KIND)
);

#endif /* _HMAP_TRACE_H */

/* Out of tree: the header is found through the module's include path. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE hmap_trace
#include <trace/define_trace.h>

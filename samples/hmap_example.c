// SPDX-License-Identifier: GPL-2.0
/*
 * hmap_example: the idiomatic use of hmap from a module, in one minute.
 * It counts events per key, looks one up, walks the map and cleans up.
 */
#include <linux/hmap.h>
#include <linux/module.h>

static int __init hmap_example_init(void)
{
	struct hmap_params params = {
		.key_size = sizeof(u32),	/* e.g. a PID */
		.value_size = sizeof(u64),	/* an event count */
	};
	struct hmap_iter it;
	struct hmap *map;
	u32 pid;
	u64 count;
	int err = 0;

	map = hmap_create(&params, GFP_KERNEL);
	if (IS_ERR(map))
		return PTR_ERR(map);

	/* Count 1000 events spread over 10 PIDs: read, add, write back. */
	for (pid = 0; pid < 1000; pid++) {
		u32 key = 100 + pid % 10;

		if (hmap_lookup(map, &key, &count))
			count = 0;
		count++;
		err = hmap_update(map, &key, &count, HMAP_UPDATE_ANY, GFP_KERNEL);
		if (err)
			goto out;
	}

	pid = 103;
	if (!hmap_lookup(map, &pid, &count))
		pr_info("hmap_example: pid %u saw %llu events\n", pid, count);

	/* Walk every entry; writes in between would be safe too. */
	hmap_iter_start(map, &it);
	while (hmap_iter_next(&it, &pid, &count))
		pr_info("hmap_example: %u -> %llu\n", pid, count);
	hmap_iter_end(&it);

	pr_info("hmap_example: %lu keys\n", hmap_len(map));
out:
	hmap_destroy(map);
	return err;
}

static void __exit hmap_example_exit(void)
{
}

module_init(hmap_example_init);
module_exit(hmap_example_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hmap example consumer");
MODULE_IMPORT_NS(HMAP_NS);

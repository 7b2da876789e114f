// SPDX-License-Identifier: GPL-2.0
/*
 * hmap module: Go's classic hash map for kernel and userspace users.
 */
#include <linux/module.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hmap: Go's classic bucket hash map with incremental growth");

/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in: the shim's hmap_internal.h defines what the core uses. */
#ifndef _HMAP_SHIM_LINUX_WORKQUEUE_H
#define _HMAP_SHIM_LINUX_WORKQUEUE_H
#endif

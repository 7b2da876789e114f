/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /dev/hmap and map descriptors (kmod/hmap_chardev.c), called from the
 * module's init and exit.
 */
#ifndef _HMAP_CHARDEV_H
#define _HMAP_CHARDEV_H

int hmap_chardev_init(void);
void hmap_chardev_exit(void);

#endif /* _HMAP_CHARDEV_H */

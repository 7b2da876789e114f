// SPDX-License-Identifier: GPL-2.0
/*
 * The hmap tracepoints fire when a map grows or shrinks: enable
 * events/hmap, grow a map through /dev/hmap (or drain it, or grow it
 * through open(2) of its pinned file), and find hmap_grow_start,
 * hmap_evacuate and hmap_grow_done for that map's id in the trace buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hmap.h"
#include "kselftest_harness.h"

static const char *tracefs(void)
{
	struct stat st;

	if (!stat("/sys/kernel/tracing/events/hmap", &st))
		return "/sys/kernel/tracing";
	mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
	if (!stat("/sys/kernel/tracing/events/hmap", &st))
		return "/sys/kernel/tracing";
	if (!stat("/sys/kernel/debug/tracing/events/hmap", &st))
		return "/sys/kernel/debug/tracing";
	return NULL;
}

static int write_file(const char *dir, const char *file, const char *val)
{
	char path[256];
	int fd, ok;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

/* Lines of @event for map @id that also contain @word. */
static int count_events_with(const char *dir, const char *event,
			     unsigned int id, const char *word)
{
	char path[256], line[512], needle[64];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", dir);
	snprintf(needle, sizeof(needle), "%s: map=%u ", event, id);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) && strstr(line, word);
	fclose(f);
	return n;
}

/* Count trace lines of @event for map @id. */
static int count_events(const char *dir, const char *event, unsigned int id)
{
	return count_events_with(dir, event, id, "");
}

TEST(growth_emits_grow_evacuate_done)
{
	struct hmap_create_opts o = { .key_size = 8, .value_size = 8 };
	struct hmap_ioc_info info;
	const char *dir = tracefs();
	uint64_t k;
	int fd;

	if (!dir)
		SKIP(return, "no tracefs with hmap events");
	ASSERT_EQ(0, write_file(dir, "trace", ""));
	ASSERT_EQ(0, write_file(dir, "events/hmap/enable", "1"));
	fd = hmap_create(&o);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hmap_info(fd, &info));
	/* 3000 keys: doublings from B = 0 to B = 9, each evacuated in turn. */
	for (k = 0; k < 3000; k++)
		ASSERT_EQ(0, hmap_update(fd, &k, &k, HMAP_UPDATE_ANY));
	ASSERT_EQ(0, write_file(dir, "events/hmap/enable", "0"));
	EXPECT_EQ(9, count_events(dir, "hmap_grow_start", info.id));
	/* Each finished, including those that start and end in one write. */
	EXPECT_EQ(9, count_events(dir, "hmap_grow_done", info.id));
	EXPECT_LT(0, count_events(dir, "hmap_evacuate", info.id));
	close(fd);
}

TEST(shrink_emits_halving_events)
{
	struct hmap_create_opts o = { .key_size = 8, .value_size = 8 };
	struct hmap_ioc_info info;
	const char *dir = tracefs();
	uint64_t k;
	int fd;

	if (!dir)
		SKIP(return, "no tracefs with hmap events");
	fd = hmap_create(&o);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hmap_info(fd, &info));
	for (k = 0; k < 3000; k++)
		ASSERT_EQ(0, hmap_update(fd, &k, &k, HMAP_UPDATE_ANY));
	ASSERT_EQ(0, write_file(dir, "trace", ""));
	ASSERT_EQ(0, write_file(dir, "events/hmap/enable", "1"));
	/* Down to 10 keys: B = 9 halves at 416, 208, 104, 52, 26, 13 keys. */
	for (k = 10; k < 3000; k++)
		ASSERT_EQ(0, hmap_delete(fd, &k));
	/*
	 * Deletes start the shrinks to small arrays themselves and leave
	 * larger ones to the map's work item, one after another: 10 s at most.
	 */
	for (k = 0; k < 100; k++) {
		if (count_events_with(dir, "hmap_grow_start", info.id, " halve ") >= 5)
			break;
		usleep(100 * 1000);
	}
	ASSERT_EQ(0, write_file(dir, "events/hmap/enable", "0"));
	EXPECT_LE(5, count_events_with(dir, "hmap_grow_start", info.id, " halve "));
	EXPECT_EQ(0, count_events_with(dir, "hmap_grow_start", info.id, " double "));
	EXPECT_LT(0, count_events_with(dir, "hmap_evacuate", info.id, " halve "));
	close(fd);
}

/*
 * A descriptor from open(2) of the map's file reports the id the map's
 * events carry, and works on that map.
 */
TEST(growth_through_pinned_file_is_traced)
{
	struct hmap_create_opts o = { .key_size = 8, .value_size = 8 };
	struct hmap_ioc_info info, info2;
	const char *dir = tracefs();
	char path[64];
	uint64_t k;
	int fd;

	if (!dir)
		SKIP(return, "no tracefs with hmap events");
	snprintf(path, sizeof(path), HMAPFS_PATH "/trace-%d", getpid());
	fd = hmap_create(&o);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hmap_info(fd, &info));
	ASSERT_EQ(0, hmap_pin(fd, path, 0600));
	close(fd);
	fd = hmap_open(path, 0);
	/* The descriptor keeps the map: nothing is left to clean up. */
	EXPECT_EQ(0, unlink(path));
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hmap_info(fd, &info2));
	EXPECT_EQ(info.id, info2.id);
	ASSERT_EQ(0, write_file(dir, "trace", ""));
	ASSERT_EQ(0, write_file(dir, "events/hmap/enable", "1"));
	for (k = 0; k < 3000; k++)
		ASSERT_EQ(0, hmap_update(fd, &k, &k, HMAP_UPDATE_ANY));
	ASSERT_EQ(0, write_file(dir, "events/hmap/enable", "0"));
	EXPECT_EQ(9, count_events(dir, "hmap_grow_start", info.id));
	EXPECT_EQ(9, count_events(dir, "hmap_grow_done", info.id));
	close(fd);
}

TEST_HARNESS_MAIN

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A memory cgroup of a selftest's own, to see a map's memory charged and
 * uncharged: with no list of maps, that is how a test sees a map freed.
 * A map stays charged to the cgroup it was made in after the process has
 * gone back home. Shared by the selftests that need it.
 */
#ifndef HMAP_MEMCG_H
#define HMAP_MEMCG_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define CG		"/sys/fs/cgroup"
#define MEMCG_PATH_LEN	256

struct memcg {
	char dir[MEMCG_PATH_LEN];	/* empty: none made */
	char home[MEMCG_PATH_LEN];	/* cgroup.procs of where the process came from */
};

/* Write @s to the cgroup file @path; true on success. */
static inline bool memcg_write(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok;
}

/* Make a cgroup named after @tag and move this process into it. */
static inline bool memcg_enter(struct memcg *cg, const char *tag)
{
	char line[MEMCG_PATH_LEN], procs[MEMCG_PATH_LEN + 16];
	FILE *f;

	mkdir(CG, 0755);
	if (access(CG "/cgroup.controllers", F_OK))
		mount("cgroup2", CG, "cgroup2", 0, NULL);
	if (!memcg_write(CG "/cgroup.subtree_control", "+memory"))
		return false;
	snprintf(cg->home, sizeof(cg->home), CG "/cgroup.procs");
	f = fopen("/proc/self/cgroup", "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = 0;
			if (!strncmp(line, "0::/", 4) && line[4])
				snprintf(cg->home, sizeof(cg->home),
					 CG "%.200s/cgroup.procs", line + 3);
		}
		fclose(f);
	}
	snprintf(cg->dir, sizeof(cg->dir), CG "/hmap-%s-%d", tag, getpid());
	if (mkdir(cg->dir, 0755) && errno != EEXIST) {
		cg->dir[0] = 0;
		return false;
	}
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg->dir);
	return memcg_write(procs, "0");
}

/* Back home: what the process allocates from now on is not charged here. */
static inline void memcg_leave(struct memcg *cg)
{
	if (cg->dir[0])
		memcg_write(cg->home, "0");
}

static inline long long memcg_current(const struct memcg *cg)
{
	char path[MEMCG_PATH_LEN + 16];
	long long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.current", cg->dir);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%lld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/*
 * memory.current once it is at most @limit, or after 20 s. Bucket arrays
 * are freed after an RCU grace period, by work that may wait seconds.
 */
static inline long long memcg_wait_below(const struct memcg *cg,
					 long long limit)
{
	long long cur = -1;
	int i;

	for (i = 0; i < 400; i++) {
		cur = memcg_current(cg);
		if (cur < 0 || cur <= limit)
			break;
		usleep(50 * 1000);
	}
	return cur;
}

static inline void memcg_remove(struct memcg *cg)
{
	if (!cg->dir[0])
		return;
	memcg_leave(cg);
	rmdir(cg->dir);
	cg->dir[0] = 0;
}

#endif /* HMAP_MEMCG_H */

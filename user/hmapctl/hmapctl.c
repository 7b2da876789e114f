// SPDX-License-Identifier: GPL-2.0
/*
 * hmapctl: create, inspect and modify hmap maps from the shell.
 *
 * The grammar follows bpftool's "map" commands. Since each invocation is a
 * new process, maps are files in an hmapfs, as bpftool pins BPF maps in
 * bpffs: a NAME is a path under HMAPFS_PATH (mounted there if need be)
 * unless it starts with '/' or '.'. Keys and values are typed values or
 * bytes. Run "hmapctl --help" for the grammar, "hmapctl map VERB --help"
 * for a verb.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "hmap.h"

/* The package version, from scripts/pkg/VERSION via the Makefile. */
#ifndef HMAP_VERSION
#define HMAP_VERSION "unknown"
#endif

/* Exit statuses. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* the kernel or the system refused */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_NOTFOUND = 3,	/* no such key, or no such map */
};

static bool json, pretty;

/* ---- JSON output ---- */

#define JSON_DEPTH_MAX	16

static int jdepth;
static bool jfirst[JSON_DEPTH_MAX];	/* nothing printed yet at this depth */
static char jcloser[JSON_DEPTH_MAX];	/* ']' or '}' */

static void j_indent(void)
{
	if (pretty)
		printf("\n%*s", jdepth * 4, "");
}

static void j_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Separator, indentation and "name": before a value. */
static void j_key(const char *name)
{
	if (jdepth > 0) {
		if (!jfirst[jdepth])
			putchar(',');
		jfirst[jdepth] = false;
		j_indent();
	}
	if (name) {
		j_string(name);
		fputs(pretty ? ": " : ":", stdout);
	}
}

static void j_end_value(void)
{
	if (!jdepth)
		putchar('\n');
}

/* Open an object ('{') or an array ('['). */
static void j_open(const char *name, char c)
{
	j_key(name);
	putchar(c);
	jdepth++;
	jfirst[jdepth] = true;
	jcloser[jdepth] = c == '{' ? '}' : ']';
}

static void j_close(void)
{
	bool empty = jfirst[jdepth];
	char c = jcloser[jdepth];

	jdepth--;
	if (!empty)
		j_indent();
	putchar(c);
	j_end_value();
}

static void j_u64(const char *name, uint64_t v)
{
	j_key(name);
	printf("%" PRIu64, v);
	j_end_value();
}

static void j_double(const char *name, double v)
{
	j_key(name);
	printf("%.3f", v);
	j_end_value();
}

static void j_str(const char *name, const char *s)
{
	j_key(name);
	j_string(s);
	j_end_value();
}

static void j_bool(const char *name, bool b)
{
	j_key(name);
	fputs(b ? "true" : "false", stdout);
	j_end_value();
}

static void j_null(const char *name)
{
	j_key(name);
	fputs("null", stdout);
	j_end_value();
}

/* Bytes as bpftool prints them: ["0x01","0x02"]. */
static void j_bytes(const char *name, const uint8_t *b, size_t n)
{
	size_t i;

	j_key(name);
	putchar('[');
	for (i = 0; i < n; i++)
		printf("%s\"0x%02x\"", i ? "," : "", b[i]);
	putchar(']');
	j_end_value();
}

/* ---- errors ---- */

/* Report an error (stderr, or {"error": ...} in JSON mode); return @code. */
static int __attribute__((format(printf, 2, 3))) fail(int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!json) {
		fflush(stdout);
		fprintf(stderr, "Error: %s\n", msg);
		return code;
	}
	/* Close whatever was being printed, then the error object. */
	while (jdepth > 0)
		j_close();
	j_open(NULL, '{');
	j_str("error", msg);
	j_close();
	return code;
}

static int fail_errno(int err, const char *what)
{
	return fail(err == -ENOENT ? EXIT_NOTFOUND : EXIT_FAIL, "%s: %s", what,
		    strerror(-err));
}

/* ---- command line ---- */

static int argc_left;
static char **argv_left;

static char *peek_arg(void)
{
	return argc_left > 0 ? *argv_left : NULL;
}

static char *next_arg(void)
{
	if (argc_left <= 0)
		return NULL;
	argc_left--;
	return *argv_left++;
}

/* Is @arg a non-empty prefix of @word? (bpftool's keyword matching) */
static bool is_prefix(const char *arg, const char *word)
{
	return arg && *arg && !strncmp(arg, word, strlen(arg));
}

static bool is_help(const char *arg)
{
	return arg && (!strcmp(arg, "help") || !strcmp(arg, "--help") ||
		       !strcmp(arg, "-h"));
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

static bool parse_s64(const char *s, int64_t *v)
{
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	*v = strtoll(s, &end, 0);
	return !errno && !*end;
}

/* The next argument as a number named @what, within @max. */
static int arg_u64(const char *what, uint64_t max, uint64_t *v)
{
	char *s = next_arg();

	if (!s)
		return fail(EXIT_USAGE, "%s: missing number", what);
	if (!parse_u64(s, v))
		return fail(EXIT_USAGE, "%s: '%s' is not a number", what, s);
	if (*v > max)
		return fail(EXIT_USAGE, "%s: %s is above %" PRIu64, what, s,
			    max);
	return 0;
}

/* An update mode word (any, exist, noexist) at the front, if any. */
static bool arg_update_mode(uint32_t *how)
{
	const char *s = peek_arg();

	if (!s)
		return false;
	if (is_prefix(s, "any"))
		*how = HMAP_UPDATE_ANY;
	else if (is_prefix(s, "noexist"))
		*how = HMAP_UPDATE_NOEXIST;
	else if (is_prefix(s, "exist"))
		*how = HMAP_UPDATE_EXIST;
	else
		return false;
	next_arg();
	return true;
}

/* Keywords that end a DATA list. */
static bool ends_data(const char *s)
{
	static const char *const words[] = {
		"value", "any", "exist", "noexist",
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(s, words[i]))
			return true;
	return false;
}

static bool is_hex_string(const char *s)
{
	size_t n = strlen(s), i;

	if (!n || n % 2)
		return false;
	for (i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	return true;
}

/* Append @n bytes to @out (@size bytes, @len used); false if it overflows. */
static bool put_bytes(uint8_t *out, size_t size, size_t *len, const void *b,
		      size_t n)
{
	if (*len + n > size) {
		*len += n;
		return false;
	}
	memcpy(out + *len, b, n);
	*len += n;
	return true;
}

static const struct {
	const char *name;
	unsigned int bytes;
	bool is_signed;
} num_types[] = {
	{ "u8", 1, false }, { "u16", 2, false }, { "u32", 4, false },
	{ "u64", 8, false }, { "s8", 1, true }, { "s16", 2, true },
	{ "s32", 4, true }, { "s64", 8, true },
};

/* One typed number ("u32 5"); @type is the type word already consumed. */
static int parse_number_item(const char *what, unsigned int t, uint8_t *out,
			     size_t size, size_t *len)
{
	unsigned int bits = num_types[t].bytes * 8;
	char *s = next_arg();
	uint64_t u;
	int64_t v;

	if (!s)
		return fail(EXIT_USAGE, "%s: %s needs a number", what,
			    num_types[t].name);
	if (num_types[t].is_signed) {
		if (!parse_s64(s, &v) ||
		    (bits < 64 && (v < -(1LL << (bits - 1)) ||
				   v >= (1LL << (bits - 1)))))
			return fail(EXIT_USAGE, "%s: '%s' is not an %s", what,
				    s, num_types[t].name);
		u = (uint64_t)v;
	} else if (!parse_u64(s, &u) || (bits < 64 && u >> bits)) {
		return fail(EXIT_USAGE, "%s: '%s' is not a %s", what, s,
			    num_types[t].name);
	}
	/* Little-endian machines: the low bytes come first. */
	put_bytes(out, size, len, &u, num_types[t].bytes);
	return 0;
}

static int parse_hex_items(const char *what, uint8_t *out, size_t size,
			   size_t *len)
{
	const char *s;
	unsigned int byte;
	size_t i;
	int n = 0;

	while ((s = peek_arg()) && !ends_data(s) && is_hex_string(s)) {
		next_arg();
		for (i = 0; s[i]; i += 2, n++) {
			sscanf(s + i, "%2x", &byte);
			put_bytes(out, size, len, &(uint8_t){ byte }, 1);
		}
	}
	if (!n)
		return fail(EXIT_USAGE, "%s: hex needs bytes, e.g. hex 01 02 or hex 0102",
			    what);
	return 0;
}

/*
 * DATA := ITEM... where ITEM := { u8|u16|u32|u64|s8|s16|s32|s64 NUMBER |
 * str STRING | hex HEX... | BYTE }. The items must fill exactly @size
 * bytes, except that a str item lets the rest be zero-padded.
 */
static int parse_data(const char *what, uint8_t *out, size_t size)
{
	bool padded = false;
	size_t len = 0;
	const char *s;
	uint64_t byte;
	unsigned int t;
	int ret;

	memset(out, 0, size);
	while ((s = peek_arg()) && !ends_data(s) && (len < size || !len)) {
		next_arg();
		for (t = 0; t < sizeof(num_types) / sizeof(num_types[0]); t++)
			if (!strcmp(s, num_types[t].name))
				break;
		if (t < sizeof(num_types) / sizeof(num_types[0])) {
			ret = parse_number_item(what, t, out, size, &len);
		} else if (!strcmp(s, "str")) {
			s = next_arg();
			if (!s)
				return fail(EXIT_USAGE, "%s: str needs a string", what);
			put_bytes(out, size, &len, s, strlen(s));
			padded = true;
			ret = 0;
		} else if (!strcmp(s, "hex")) {
			ret = parse_hex_items(what, out, size, &len);
		} else if (parse_u64(s, &byte) && byte <= 255) {
			put_bytes(out, size, &len, &(uint8_t){ byte }, 1);
			ret = 0;
		} else {
			return fail(EXIT_USAGE,
				    "%s: '%s' is not a byte or a type (u8..u64, s8..s64, str, hex)",
				    what, s);
		}
		if (ret)
			return ret;
	}
	if (!len)
		return fail(EXIT_USAGE, "%s: missing DATA (e.g. u32 5, str foo, hex 01 02)",
			    what);
	if (len > size)
		return fail(EXIT_USAGE, "%s: the map's %ss are %zu bytes, DATA gives %zu",
			    what, what, size, len);
	if (len < size && !padded)
		return fail(EXIT_USAGE,
			    "%s: the map's %ss are %zu bytes, DATA gives %zu (use a wider type, or str to pad)",
			    what, what, size, len);
	return 0;
}

/* "WORD DATA": the keyword and the data that follows it. */
static int parse_keyword_data(const char *word, uint8_t *out, size_t size)
{
	const char *s = next_arg();

	if (!s || !is_prefix(s, word))
		return fail(EXIT_USAGE, "expected '%s DATA', got '%s'", word,
			    s ? s : "nothing");
	return parse_data(word, out, size);
}

static int no_more_args(void)
{
	if (peek_arg())
		return fail(EXIT_USAGE, "unexpected '%s'", peek_arg());
	return 0;
}

/* ---- printing ---- */

/* Printable text followed only by NULs? */
static bool looks_like_string(const uint8_t *b, size_t n)
{
	size_t i = 0;

	while (i < n && b[i] >= 0x20 && b[i] < 0x7f)
		i++;
	if (!i)
		return false;
	for (; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void print_hex(const uint8_t *b, size_t n, size_t max)
{
	size_t i;

	for (i = 0; i < n && i < max; i++)
		printf("%s%02x", i ? " " : "", b[i]);
	if (n > max)
		printf(" ... (%zu bytes)", n);
}

/* Bytes, plus what they probably mean: "05 00 00 00 (5)". */
static void print_data(const uint8_t *b, size_t n, size_t max)
{
	uint64_t v = 0;

	print_hex(b, n, max);
	if (n == 1 || n == 2 || n == 4 || n == 8) {
		memcpy(&v, b, n);
		printf(" (%" PRIu64 ")", v);
	} else if (looks_like_string(b, n)) {
		printf(" (\"%.*s\")", (int)strnlen((const char *)b, n), b);
	}
}

static void print_entry(const uint8_t *key, size_t ks, const uint8_t *value,
			size_t vs, size_t max)
{
	if (json) {
		j_open(NULL, '{');
		j_bytes("key", key, ks);
		if (value)
			j_bytes("value", value, vs);
		j_close();
		return;
	}
	fputs("key: ", stdout);
	print_data(key, ks, max);
	if (value && vs) {
		fputs(ks + vs > 24 ? "\nvalue: " : "  value: ", stdout);
		print_data(value, vs, max);
	}
	putchar('\n');
}

/* "12.3 KiB" */
static const char *human_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = b;
	unsigned int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (!u)
		snprintf(buf, len, "%" PRIu64 " B", b);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

/* ---- maps ---- */

/* A map as hmapctl shows it: the name it was reached by, its file, INFO. */
struct map {
	const char *name;	/* NAME as given, or relative to a listed DIR */
	char path[PATH_MAX];	/* its file */
	int fd;
	struct hmap_ioc_info info;
	struct stat st;		/* the file's mode and owner */
};

/*
 * One line, or one object, per map. @denied: why the map could not be
 * opened (then only its file's mode and owner are known), or NULL.
 */
static void print_map(const struct map *m, const char *denied)
{
	const struct hmap_ioc_info *in = &m->info;
	char mode[8];

	snprintf(mode, sizeof(mode), "%04o", (unsigned int)(m->st.st_mode & 07777));
	if (json) {
		j_open(NULL, '{');
		if (denied)
			j_null("id");
		else
			j_u64("id", in->id);
		j_str("name", m->name);
		j_str("path", m->path);
		if (denied) {
			j_null("bytes_key");
			j_null("bytes_value");
			j_null("count");
			j_null("max_entries");
			j_null("shards");
		} else {
			j_u64("bytes_key", in->key_size);
			j_u64("bytes_value", in->value_size);
			j_u64("count", in->count);
			j_u64("max_entries", in->max_entries);
			j_u64("shards", 1u << in->shard_bits);
		}
		j_str("mode", mode);
		j_u64("uid", m->st.st_uid);
		j_u64("gid", m->st.st_gid);
		if (!denied && (in->info_flags & HMAP_INFO_RDONLY))
			j_bool("rdonly", true);
		j_close();
		return;
	}
	if (denied) {
		printf("-: name %s  (cannot open: %s)", m->name, denied);
	} else {
		printf("%u: name %s  key %uB  value %uB  count %" PRIu64
		       "  max_entries %" PRIu64, in->id, m->name, in->key_size,
		       in->value_size, (uint64_t)in->count,
		       (uint64_t)in->max_entries);
		if (in->shard_bits)
			printf("  shards %u", 1u << in->shard_bits);
	}
	printf("  mode %s  owner %u:%u\n", mode, (unsigned int)m->st.st_uid,
	       (unsigned int)m->st.st_gid);
}

static int check_device(void)
{
	if (access(HMAP_DEV_PATH, F_OK))
		return fail(EXIT_FAIL, "%s: %s (is the hmap module loaded?)",
			    HMAP_DEV_PATH, strerror(errno));
	return 0;
}

/*
 * Make sure an hmapfs is mounted at HMAPFS_PATH, mounting one if not, as
 * bpftool does for bpffs. The module makes the mount point: without it,
 * the module is not loaded.
 */
static int mount_hmapfs(void)
{
	struct statfs sf;
	int dir, ret = 0;

	if (statfs(HMAPFS_PATH, &sf))
		return fail(EXIT_FAIL, "%s: %s%s", HMAPFS_PATH, strerror(errno),
			    errno == ENOENT ? " (is the hmap module loaded?)" : "");
	if (sf.f_type == HMAPFS_MAGIC)
		return 0;
	/*
	 * Every mount is a new, empty instance: two hmapctl mounting at once
	 * would hide what the first one's caller pins. Mount under a lock on
	 * the mount point, and only if nobody did in the meantime (a mount
	 * made meanwhile is what the path, not the descriptor, now reaches).
	 */
	dir = open(HMAPFS_PATH, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return fail(EXIT_FAIL, "%s: %s", HMAPFS_PATH, strerror(errno));
	flock(dir, LOCK_EX);	/* without it, mount anyway */
	if (statfs(HMAPFS_PATH, &sf))
		ret = fail(EXIT_FAIL, "%s: %s", HMAPFS_PATH, strerror(errno));
	else if (sf.f_type != HMAPFS_MAGIC &&
		 mount("hmap", HMAPFS_PATH, "hmap", 0, NULL))
		ret = fail(EXIT_FAIL, "no hmapfs at %s, and mounting one failed: %s%s",
			   HMAPFS_PATH, strerror(errno),
			   errno == EPERM ? " (only root may: mount -t hmap hmap " HMAPFS_PATH ")" :
			   errno == ENODEV ? " (is the hmap module loaded?)" : "");
	close(dir);
	return ret;
}

static bool is_plain_path(const char *name)
{
	return name[0] == '/' || name[0] == '.';
}

/*
 * The file of the map (or directory) @name: under HMAPFS_PATH, mounted
 * there if need be, unless @name starts with '/' or '.': an ordinary path.
 */
static int map_path(const char *name, char *path, size_t size)
{
	int n;

	if (!*name)
		return fail(EXIT_USAGE, "empty map NAME");
	if (is_plain_path(name))
		n = snprintf(path, size, "%s", name);
	else
		n = snprintf(path, size, "%s/%s", HMAPFS_PATH, name);
	if (n < 0 || (size_t)n >= size)
		return fail(EXIT_USAGE, "'%s': %s", name, strerror(ENAMETOOLONG));
	return is_plain_path(name) ? 0 : mount_hmapfs();
}

static int not_in_hmapfs(const char *name)
{
	return fail(EXIT_USAGE, "'%s' is not in an hmapfs (maps are files under %s)",
		    name, HMAPFS_PATH);
}

/*
 * Open the map named by the next argument; fill @m. Only files of an
 * hmapfs are opened: whatever else NAME is, opening it could have effects.
 */
static int open_map(bool rdonly, struct map *m)
{
	struct statfs sf;
	int ret;

	m->fd = -1;
	m->name = next_arg();
	if (!m->name)
		return fail(EXIT_USAGE, "missing map NAME");
	ret = map_path(m->name, m->path, sizeof(m->path));
	if (ret)
		return ret;
	if (statfs(m->path, &sf))
		ret = -errno;
	else if (sf.f_type != HMAPFS_MAGIC)
		return not_in_hmapfs(m->name);
	else
		ret = hmap_open(m->path, rdonly);
	if (ret == -ENOENT)
		return fail(EXIT_NOTFOUND, "no map named '%s' (see 'hmapctl map list')",
			    m->name);
	if (ret == -EACCES)
		return fail(EXIT_FAIL, "map '%s': permission denied%s", m->name,
			    rdonly ? "" : " (for read-only access, the verb must only read)");
	if (ret == -EISDIR)
		return fail(EXIT_USAGE, "'%s' is a directory, not a map", m->name);
	if (ret < 0)
		return fail(EXIT_FAIL, "'%s': %s", m->name, strerror(-ret));
	m->fd = ret;
	ret = 0;
	if (fstat(m->fd, &m->st))
		ret = fail(EXIT_FAIL, "'%s': %s", m->name, strerror(errno));
	else if (S_ISDIR(m->st.st_mode))
		ret = fail(EXIT_USAGE, "'%s' is a directory, not a map", m->name);
	if (!ret) {
		ret = hmap_info(m->fd, &m->info);
		if (ret == -ENOTTY)
			ret = fail(EXIT_USAGE, "'%s' is not a map", m->name);
		else if (ret < 0)
			ret = fail_errno(ret, "info");
	}
	if (ret) {
		close(m->fd);
		m->fd = -1;
	}
	return ret;
}

/* ---- verbs ---- */

struct verb {
	const char *name;
	int (*run)(void);
	const char *usage;
	const char *help;
};

static int do_create(void)
{
	struct hmap_create_opts o = { 0 };
	bool have_key = false, have_value = false, have_mode = false;
	char path[PATH_MAX];
	uint32_t mode = 0600;
	const char *name, *s;
	struct stat st;
	uint64_t v;
	int fd, ret;

	name = next_arg();
	if (!name)
		return fail(EXIT_USAGE, "missing map NAME");
	while ((s = next_arg())) {
		if (is_prefix(s, "key")) {
			ret = arg_u64("key", HMAP_KEY_SIZE_MAX, &v);
			o.key_size = v;
			have_key = true;
		} else if (is_prefix(s, "value")) {
			ret = arg_u64("value", HMAP_VALUE_SIZE_MAX, &v);
			o.value_size = v;
			have_value = true;
		} else if (is_prefix(s, "entries")) {
			ret = arg_u64("entries", UINT64_MAX, &o.max_entries);
		} else if (is_prefix(s, "hint")) {
			ret = arg_u64("hint", UINT64_MAX, &o.size_hint);
		} else if (is_prefix(s, "shards")) {
			ret = arg_u64("shards (bits)", HMAP_SHARD_BITS_MAX, &v);
			o.shard_bits = v;
		} else if (is_prefix(s, "mode")) {
			s = next_arg();
			if (!s || !*s || strspn(s, "01234567") != strlen(s) ||
			    strtoul(s, NULL, 8) > 0777)
				return fail(EXIT_USAGE, "mode: '%s' is not an octal mode like 0600",
					    s ? s : "");
			mode = strtoul(s, NULL, 8);
			have_mode = true;
			ret = 0;
		} else {
			return fail(EXIT_USAGE, "create: unknown '%s'", s);
		}
		if (ret)
			return ret;
	}
	if (!have_key || !have_value)
		return fail(EXIT_USAGE, "create: 'key SIZE' and 'value SIZE' are required");
	if (!o.key_size)
		return fail(EXIT_USAGE, "key: the size must be at least 1");
	ret = map_path(name, path, sizeof(path));
	if (!ret)
		ret = check_device();
	if (ret)
		return ret;
	fd = hmap_create(&o);
	if (fd == -E2BIG)
		return fail(EXIT_FAIL, "create: entries above the module's limit (/sys/module/hmap_dev/parameters/max_entries_limit)");
	if (fd < 0)
		return fail_errno(fd, "create");
	/* A mode given is the file's, as with mkdir -m: no umask. */
	if (have_mode)
		umask(0);
	ret = hmap_pin(fd, path, mode);
	/* The file holds the map now; or nothing does, and this frees it. */
	close(fd);
	if (ret == -EEXIST) {
		if (!lstat(path, &st) && S_ISREG(st.st_mode))
			return fail(EXIT_FAIL, "a map named '%s' exists already", name);
		return fail(EXIT_FAIL, "'%s' exists already (not a map)", name);
	}
	if (ret == -EPERM)	/* the descriptor is read-write: the directory */
		return not_in_hmapfs(name);
	if (ret == -ENOENT)
		return fail(EXIT_FAIL, "create '%s': its directory does not exist (mkdir it first)",
			    name);
	if (ret == -EACCES)
		return fail(EXIT_FAIL, "create '%s': permission denied (its directory must be writable)",
			    name);
	if (ret < 0)
		return fail(EXIT_FAIL, "create '%s': %s", name, strerror(-ret));
	if (json)
		j_null(NULL);
	return 0;
}

static int do_show(void)
{
	bool rdonly = false;
	struct map m;
	int ret;

	if (!peek_arg())
		return fail(EXIT_USAGE, "missing map NAME (or use 'map list')");
	if (argc_left > 1 && is_prefix(argv_left[1], "rdonly"))
		rdonly = true;
	ret = open_map(rdonly, &m);
	if (ret)
		return ret;
	if (rdonly)
		next_arg();
	ret = no_more_args();
	if (!ret)
		print_map(&m, NULL);
	close(m.fd);
	return ret;
}

/* Subdirectory levels that "map list" descends at most. */
#define LIST_DEPTH_MAX	32

struct list_walk {
	char path[PATH_MAX];	/* the directory being read, then each entry */
	size_t rel;		/* where names relative to the listed DIR begin */
	unsigned int maps;	/* described so far */
};

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Describe the map whose file is w->path (@st, from lstat). A map that
 * cannot be opened (EACCES: its mode denies reading) is still described,
 * by its file's mode and owner.
 */
static void list_map(struct list_walk *w, const struct stat *st)
{
	struct map m = { .name = w->path + w->rel, .st = *st };
	const char *denied = NULL;
	int fd, ret;

	snprintf(m.path, sizeof(m.path), "%s", w->path);
	fd = hmap_open(m.path, true);
	if (fd == -ENOENT)
		return;		/* removed meanwhile */
	if (fd < 0) {
		denied = strerror(-fd);
	} else {
		ret = hmap_info(fd, &m.info);
		if (ret < 0)
			denied = strerror(-ret);
		/* Read-only is how this call opened it, not a property of the map. */
		m.info.info_flags &= ~HMAP_INFO_RDONLY;
		close(fd);
	}
	print_map(&m, denied);
	w->maps++;
}

/*
 * Describe the maps of directory @d, whose path w->path is @len characters,
 * and depth first those of its subdirectories, in the order of their names.
 * Only directories of an hmapfs are read, and only their files are opened.
 * Closes @d.
 */
static int list_dir(struct list_walk *w, DIR *d, size_t len, unsigned int depth)
{
	char **names = NULL, **more;
	size_t n = 0, room = 0, i, nlen;
	struct dirent *de;
	struct statfs sf;
	bool oom = false;
	struct stat st;
	DIR *sub;
	int ret = 0;

	if (fstatfs(dirfd(d), &sf) || sf.f_type != HMAPFS_MAGIC) {
		closedir(d);	/* something mounted on an hmapfs directory */
		return 0;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == room) {
			room = room ? 2 * room : 64;
			more = realloc(names, room * sizeof(*names));
			oom = !more;
			if (oom)
				break;
			names = more;
		}
		names[n] = strdup(de->d_name);
		oom = !names[n];
		if (oom)
			break;
		n++;
	}
	closedir(d);
	if (oom) {
		ret = fail(EXIT_FAIL, "out of memory");
		goto out;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n && !ret; i++) {
		nlen = strlen(names[i]);
		if (len + 1 + nlen >= sizeof(w->path))
			continue;
		w->path[len] = '/';
		memcpy(w->path + len + 1, names[i], nlen + 1);
		if (lstat(w->path, &st))
			continue;	/* removed meanwhile */
		if (S_ISREG(st.st_mode)) {
			list_map(w, &st);
		} else if (S_ISDIR(st.st_mode) && depth < LIST_DEPTH_MAX) {
			sub = opendir(w->path);
			if (sub)
				ret = list_dir(w, sub, len + 1 + nlen, depth + 1);
			else if (errno != ENOENT)
				fprintf(stderr, "Warning: %s: %s\n", w->path,
					strerror(errno));
		}
	}
	w->path[len] = '\0';
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

static int do_list(void)
{
	const char *dir = next_arg();
	struct list_walk w;
	struct statfs sf;
	size_t len;
	DIR *d;
	int ret = no_more_args();

	if (ret)
		return ret;
	if (dir) {
		ret = map_path(dir, w.path, sizeof(w.path));
	} else {
		dir = HMAPFS_PATH;
		snprintf(w.path, sizeof(w.path), "%s", HMAPFS_PATH);
		ret = mount_hmapfs();
	}
	if (ret)
		return ret;
	if (statfs(w.path, &sf)) {
		if (errno == ENOENT)
			return fail(EXIT_NOTFOUND, "no directory '%s'", dir);
		return fail(EXIT_FAIL, "'%s': %s", dir, strerror(errno));
	}
	if (sf.f_type != HMAPFS_MAGIC)
		return not_in_hmapfs(dir);
	d = opendir(w.path);
	if (!d && errno == ENOTDIR)
		return fail(EXIT_USAGE, "'%s' is not a directory (for one map: 'hmapctl map show %s')",
			    dir, dir);
	if (!d)
		return fail(EXIT_FAIL, "'%s': %s", dir, strerror(errno));
	len = strlen(w.path);
	while (len > 1 && w.path[len - 1] == '/')
		w.path[--len] = '\0';
	w.rel = len + 1;
	w.maps = 0;
	if (json)
		j_open(NULL, '[');
	ret = list_dir(&w, d, len, 0);
	if (ret)
		return ret;
	if (json)
		j_close();
	else if (!w.maps)
		printf("no maps\n");
	return 0;
}

/* The common shape of update, lookup, delete and pop. */
static int do_elem(const char *verb, bool write, bool with_value)
{
	struct map m;
	uint32_t how = HMAP_UPDATE_ANY;
	uint8_t *key = NULL, *value = NULL;
	int ret;

	ret = open_map(!write, &m);
	if (ret)
		return ret;
	key = malloc(m.info.key_size);
	value = malloc(m.info.value_size + 1);
	if (!key || !value) {
		ret = fail(EXIT_FAIL, "out of memory");
		goto out;
	}
	ret = parse_keyword_data("key", key, m.info.key_size);
	if (!ret && with_value) {
		if (m.info.value_size)
			ret = parse_keyword_data("value", value, m.info.value_size);
		arg_update_mode(&how);
	}
	if (!ret)
		ret = no_more_args();
	if (ret)
		goto out;

	if (!strcmp(verb, "update"))
		ret = hmap_update(m.fd, key, value, how);
	else if (!strcmp(verb, "delete"))
		ret = hmap_delete(m.fd, key);
	else if (!strcmp(verb, "lookup"))
		ret = hmap_lookup(m.fd, key, value);
	else
		ret = hmap_lookup_and_delete(m.fd, key, value);

	if (ret == -ENOENT && !strcmp(verb, "lookup") && json) {
		j_null(NULL);	/* bpftool's answer for a miss */
		ret = EXIT_NOTFOUND;
	} else if (ret == -ENOENT) {
		ret = fail(EXIT_NOTFOUND, "%s: key not found", verb);
	} else if (ret == -EEXIST) {
		ret = fail(EXIT_FAIL, "update: the key exists (noexist was given)");
	} else if (ret == -E2BIG) {
		ret = fail(EXIT_FAIL, "update: the map is full (max_entries %" PRIu64 ")",
			   (uint64_t)m.info.max_entries);
	} else if (ret == -EPERM) {
		ret = fail(EXIT_FAIL, "%s: the map was opened read-only", verb);
	} else if (ret < 0) {
		ret = fail_errno(ret, verb);
	} else if (!write || !strcmp(verb, "pop")) {
		print_entry(key, m.info.key_size, value, m.info.value_size,
			    SIZE_MAX);
	} else if (json) {
		j_null(NULL);
	}
out:
	free(key);
	free(value);
	close(m.fd);
	return ret;
}

static int do_update(void)
{
	return do_elem("update", true, true);
}

static int do_lookup(void)
{
	return do_elem("lookup", false, false);
}

static int do_delete(void)
{
	return do_elem("delete", true, false);
}

static int do_pop(void)
{
	return do_elem("pop", true, false);
}

/* Dump in chunks of @chunk entries, printing as they come. */
static int do_dump(void)
{
	struct map m;
	uint64_t chunk = 256, cursor = 0, total = 0;
	uint8_t *keys, *values;
	uint32_t n, i;
	const char *s;
	int ret;

	ret = open_map(true, &m);
	if (ret)
		return ret;
	while (!ret && (s = next_arg())) {
		if (is_prefix(s, "chunk"))
			ret = arg_u64("chunk", 1u << 20, &chunk);
		else
			ret = fail(EXIT_USAGE, "dump: unknown '%s'", s);
	}
	if (!ret && !chunk)
		ret = fail(EXIT_USAGE, "chunk: must be at least 1");
	if (ret) {
		close(m.fd);
		return ret;
	}
	keys = malloc(chunk * m.info.key_size);
	values = malloc(chunk * m.info.value_size + 1);
	if (!keys || !values) {
		ret = fail(EXIT_FAIL, "out of memory");
		goto out;
	}
	if (json)
		j_open(NULL, '[');
	do {
		n = chunk;
		ret = hmap_dump(m.fd, &cursor, keys, values, &n);
		if (ret < 0) {
			ret = fail_errno(ret, "dump");
			goto out;
		}
		for (i = 0; i < n; i++)
			print_entry(keys + (size_t)i * m.info.key_size,
				    m.info.key_size,
				    values + (size_t)i * m.info.value_size,
				    m.info.value_size, 32);
		total += n;
	} while (cursor);
	if (json)
		j_close();
	else
		printf("Found %" PRIu64 " element%s\n", total,
		       total == 1 ? "" : "s");
out:
	free(keys);
	free(values);
	close(m.fd);
	return ret;
}

static int do_count(void)
{
	struct map m;
	uint64_t count;
	int ret;

	ret = open_map(true, &m);
	if (ret)
		return ret;
	ret = no_more_args();
	if (!ret) {
		ret = hmap_count(m.fd, &count);
		if (ret < 0)
			ret = fail_errno(ret, "count");
		else if (json)
			j_u64(NULL, count);
		else
			printf("%" PRIu64 "\n", count);
	}
	close(m.fd);
	return ret;
}

#define BAR_WIDTH	40

static void print_stats_text(const struct map *m,
			     const struct hmap_ioc_stats *st)
{
	const struct hmap_ioc_info *in = &m->info;
	static const char *const lens[HMAP_CHAIN_HIST_LEN] = {
		"1", "2", "3", "4", "5", "6", "7", "8+",
	};
	uint64_t max = 0, width;
	char buf[32];
	unsigned int i;

	printf("map %s (id %u): %" PRIu64 " entries, %u-byte keys, %u-byte values\n",
	       m->name, in->id,
	       (uint64_t)st->count, in->key_size, in->value_size);
	printf("  B           %u (%" PRIu64 " bucket%s", st->B,
	       (uint64_t)st->buckets, st->buckets == 1 ? "" : "s");
	if (st->shards > 1)
		printf(" in %u shards", st->shards);
	printf(", %" PRIu64 " overflow)\n", (uint64_t)st->overflow);
	if (st->state & HMAP_STATS_GROWING)
		printf("  %s yes, %s: %" PRIu64 " of %" PRIu64
		       " old buckets evacuated (%" PRIu64 "%%)\n",
		       st->state & HMAP_STATS_SHRINKING ? "shrinking  " : "growing    ",
		       st->state & HMAP_STATS_SAME_SIZE ? "same size" :
		       st->state & HMAP_STATS_SHRINKING ? "halving" : "doubling",
		       (uint64_t)st->nevacuate, (uint64_t)st->old_buckets,
		       (uint64_t)(st->old_buckets ? st->nevacuate * 100 / st->old_buckets : 0));
	else
		printf("  growing     no\n");
	printf("  hash        %s\n", st->state & HMAP_STATS_FLOODED ?
	       "hsiphash (a flood of colliding keys was seen)" : "mixhash");
	printf("  growths     %" PRIu64 "\n", (uint64_t)st->growths);
	printf("  shrinks     %" PRIu64 "\n", (uint64_t)st->shrinks);
	if (st->bytes < 1024)
		printf("  memory      %" PRIu64 " bytes\n", (uint64_t)st->bytes);
	else
		printf("  memory      %s (%" PRIu64 " bytes)\n",
		       human_bytes(st->bytes, buf, sizeof(buf)),
		       (uint64_t)st->bytes);
	printf("  chains      length: buckets\n");
	for (i = 0; i < HMAP_CHAIN_HIST_LEN; i++)
		if (st->chain_hist[i] > max)
			max = st->chain_hist[i];
	for (i = 0; i < HMAP_CHAIN_HIST_LEN; i++) {
		width = max ? (st->chain_hist[i] * BAR_WIDTH + max - 1) / max : 0;
		printf("    %-3s %10" PRIu64 " %.*s\n", lens[i],
		       (uint64_t)st->chain_hist[i], (int)width,
		       "########################################");
	}
}

static void print_stats_json(const struct map *m,
			     const struct hmap_ioc_stats *st)
{
	unsigned int i;

	j_open(NULL, '{');
	j_u64("id", m->info.id);
	j_str("name", m->name);
	j_str("path", m->path);
	j_u64("count", st->count);
	j_u64("B", st->B);
	j_u64("buckets", st->buckets);
	j_u64("overflow", st->overflow);
	j_bool("growing", st->state & HMAP_STATS_GROWING);
	j_bool("same_size", st->state & HMAP_STATS_SAME_SIZE);
	j_bool("shrinking", st->state & HMAP_STATS_SHRINKING);
	j_bool("flooded", st->state & HMAP_STATS_FLOODED);
	j_u64("old_buckets", st->old_buckets);
	j_u64("nevacuate", st->nevacuate);
	j_u64("growths", st->growths);
	j_u64("shrinks", st->shrinks);
	j_u64("bytes", st->bytes);
	j_u64("shards", st->shards);
	j_open("chain_hist", '[');
	for (i = 0; i < HMAP_CHAIN_HIST_LEN; i++)
		j_u64(NULL, st->chain_hist[i]);
	j_close();
	j_close();
}

static int do_stats(void)
{
	struct map m;
	struct hmap_ioc_stats st;
	int ret;

	ret = open_map(true, &m);
	if (ret)
		return ret;
	ret = no_more_args();
	if (!ret) {
		ret = hmap_stats(m.fd, &st);
		if (ret < 0)
			ret = fail_errno(ret, "stats");
		else if (json)
			print_stats_json(&m, &st);
		else
			print_stats_text(&m, &st);
	}
	close(m.fd);
	return ret;
}

static int do_clear(void)
{
	struct map m;
	int ret;

	ret = open_map(false, &m);
	if (ret)
		return ret;
	ret = no_more_args();
	if (!ret) {
		ret = hmap_clear(m.fd);
		if (ret < 0)
			ret = fail_errno(ret, "clear");
		else if (json)
			j_null(NULL);
	}
	close(m.fd);
	return ret;
}

/*
 * Remove the map's file, which must be in an hmapfs: the directory is
 * checked on the descriptor that the removal goes through.
 */
static int do_unlink(void)
{
	const char *name = next_arg(), *base;
	char path[PATH_MAX], *slash;
	struct statfs sf;
	int dir, ret;

	if (!name)
		return fail(EXIT_USAGE, "missing map NAME");
	ret = no_more_args();
	if (!ret)
		ret = map_path(name, path, sizeof(path));
	if (ret)
		return ret;
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return fail(EXIT_USAGE, "'%s' names a directory, not a map", name);
	if (!slash) {
		dir = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	} else if (slash == path) {
		dir = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	} else {
		*slash = '\0';
		dir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		*slash = '/';
	}
	if (dir < 0 && errno == ENOENT)
		return fail(EXIT_NOTFOUND, "no map named '%s'", name);
	if (dir < 0)
		return fail(EXIT_FAIL, "unlink '%s': %s", name, strerror(errno));
	if (fstatfs(dir, &sf))
		ret = fail(EXIT_FAIL, "unlink '%s': %s", name, strerror(errno));
	else if (sf.f_type != HMAPFS_MAGIC)
		ret = not_in_hmapfs(name);
	else if (unlinkat(dir, base, 0))
		ret = -errno;
	close(dir);
	if (ret == -ENOENT)
		return fail(EXIT_NOTFOUND, "no map named '%s'", name);
	if (ret == -EISDIR)
		return fail(EXIT_USAGE, "'%s' is a directory, not a map (rmdir removes it)",
			    name);
	if (ret == -EPERM)	/* a sticky directory, as the hmapfs root is */
		return fail(EXIT_FAIL, "unlink '%s': only its owner (or root) may", name);
	if (ret == -EACCES)
		return fail(EXIT_FAIL, "unlink '%s': permission denied (its directory must be writable)",
			    name);
	if (ret < 0)
		return fail(EXIT_FAIL, "unlink '%s': %s", name, strerror(-ret));
	if (ret)
		return ret;
	if (json)
		j_null(NULL);
	return 0;
}

/* ---- fill and drain: bulk helpers for demos and tests ---- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Key or value number @i in @size bytes: little-endian, zero-padded. */
static void encode(uint8_t *dst, uint32_t size, uint64_t i)
{
	memset(dst, 0, size);
	memcpy(dst, &i, size < 8 ? size : 8);
}

static void progress_header(void)
{
	if (!json)
		printf("%10s %3s %9s %9s  %-21s %10s\n", "keys", "B", "buckets",
		       "overflow", "resizing (evacuated)", "memory");
}

static void progress_row(int fd, uint64_t done)
{
	struct hmap_ioc_stats st;
	char buf[32], grow[32];

	if (hmap_stats(fd, &st) < 0)
		return;
	if (json) {
		j_open(NULL, '{');
		j_u64("done", done);
		j_u64("count", st.count);
		j_u64("B", st.B);
		j_u64("buckets", st.buckets);
		j_u64("overflow", st.overflow);
		j_bool("growing", st.state & HMAP_STATS_GROWING);
		j_bool("shrinking", st.state & HMAP_STATS_SHRINKING);
		j_u64("old_buckets", st.old_buckets);
		j_u64("nevacuate", st.nevacuate);
		j_u64("bytes", st.bytes);
		j_close();
		return;
	}
	if (st.state & HMAP_STATS_GROWING)
		snprintf(grow, sizeof(grow), "%s %" PRIu64 "/%" PRIu64,
			 st.state & HMAP_STATS_SHRINKING ? "halving" :
			 st.state & HMAP_STATS_SAME_SIZE ? "same size" : "doubling",
			 (uint64_t)st.nevacuate, (uint64_t)st.old_buckets);
	else
		snprintf(grow, sizeof(grow), "no");
	printf("%10" PRIu64 " %3u %9" PRIu64 " %9" PRIu64 "  %-21s %10s\n",
	       (uint64_t)st.count, st.B, (uint64_t)st.buckets,
	       (uint64_t)st.overflow, grow, human_bytes(st.bytes, buf, sizeof(buf)));
}

struct bulk {
	uint64_t count, start, batch, every;
	uint32_t how;
};

static int parse_bulk(const char *verb, struct bulk *b, bool with_mode)
{
	const char *s;
	int ret;

	*b = (struct bulk){ .batch = 4096 };
	ret = arg_u64("COUNT", UINT64_MAX, &b->count);
	while (!ret && (s = peek_arg())) {
		if (with_mode && arg_update_mode(&b->how))
			continue;
		next_arg();
		if (is_prefix(s, "start"))
			ret = arg_u64("start", UINT64_MAX, &b->start);
		else if (is_prefix(s, "batch"))
			ret = arg_u64("batch", 1u << 20, &b->batch);
		else if (is_prefix(s, "every"))
			ret = arg_u64("every", UINT64_MAX, &b->every);
		else
			ret = fail(EXIT_USAGE, "%s: unknown '%s'", verb, s);
	}
	if (!ret && !b->batch)
		ret = fail(EXIT_USAGE, "batch: must be at least 1");
	if (!ret && b->every && b->every < b->batch)
		b->batch = b->every;
	return ret;
}

/*
 * Insert (fill) or delete (drain) keys start..start+count-1 in batches;
 * key i has value i. Every @every keys, print a line of statistics.
 */
static int bulk(bool fill, const char *verb)
{
	uint64_t done = 0, missing = 0, next_row, i;
	struct map m;
	uint8_t *keys = NULL, *values = NULL;
	double t0 = now();
	struct bulk b;
	uint32_t n, k;
	int ret;

	ret = open_map(false, &m);
	if (ret)
		return ret;
	ret = parse_bulk(verb, &b, fill);
	if (ret)
		goto out;
	keys = malloc(b.batch * m.info.key_size);
	values = malloc(b.batch * m.info.value_size + 1);
	if (!keys || !values) {
		ret = fail(EXIT_FAIL, "out of memory");
		goto out;
	}
	if (json) {
		j_open(NULL, '{');
		if (b.every)
			j_open("progress", '[');
	}
	if (b.every)
		progress_header();
	next_row = b.every;
	while (done < b.count) {
		n = b.count - done < b.batch ? b.count - done : b.batch;
		/* Stop at the next progress line, so lines fall on multiples. */
		if (b.every && n > next_row - done)
			n = next_row - done;
		for (k = 0; k < n; k++) {
			i = b.start + done + k;
			encode(keys + (size_t)k * m.info.key_size, m.info.key_size, i);
			if (fill)
				encode(values + (size_t)k * m.info.value_size,
				       m.info.value_size, i);
		}
		k = n;
		ret = fill ? hmap_update_batch(m.fd, keys, values, &k, b.how) :
			     hmap_delete_batch(m.fd, keys, &k);
		if (ret == -ENOENT && !fill) {
			/* Absent keys are skipped: count them, go on. */
			missing++;
			k++;
		} else if (ret < 0) {
			done += k;
			ret = fail_errno(ret, fill ? "fill" : "drain");
			goto out;
		}
		done += k;
		ret = 0;
		if (b.every && done >= next_row) {
			progress_row(m.fd, done);
			while (next_row <= done)
				next_row += b.every;
		}
	}
	if (json) {
		if (b.every)
			j_close();
		j_u64(fill ? "inserted" : "deleted", done - missing);
		if (!fill)
			j_u64("missing", missing);
		j_double("seconds", now() - t0);
		j_close();
	} else {
		printf("%s %" PRIu64 " keys in %.2f s", fill ? "inserted" : "deleted",
		       done - missing, now() - t0);
		if (missing)
			printf(" (%" PRIu64 " were absent)", missing);
		putchar('\n');
	}
out:
	free(keys);
	free(values);
	close(m.fd);
	return ret;
}

static int do_fill(void)
{
	return bulk(true, "fill");
}

static int do_drain(void)
{
	return bulk(false, "drain");
}

static int do_help(void);

static const struct verb verbs[] = {
	{ "create", do_create,
	  "map create NAME key SIZE value SIZE [entries MAX] [hint N] [shards BITS] [mode MODE]",
	  "Create a map and pin it as the file NAME, which keeps it until 'map unlink'.\n"
	  "SIZE in bytes: key 1..512, value 0..65536. entries caps the entries\n"
	  "(default 16777216), hint sizes the first bucket array, shards BITS splits\n"
	  "the map into 2^BITS locks, mode is the file's mode (default 0600).\n"
	  "Example: hmapctl map create users key 4 value 8 mode 0644\n" },
	{ "show", do_show, "map show NAME [rdonly]",
	  "Open a map by name and describe it (id, sizes, count, file mode, owner).\n"
	  "rdonly opens it for reading only, as a reader without write access must.\n" },
	{ "open", do_show, "map open NAME [rdonly]",
	  "Same as 'map show': check that the map opens, and describe it.\n" },
	{ "list", do_list, "map list [DIR]",
	  "Describe the maps in DIR (default " HMAPFS_PATH ") and its subdirectories,\n"
	  "by name; those the caller may not open by their file's mode and owner.\n" },
	{ "update", do_update,
	  "map update NAME key DATA value DATA [any|exist|noexist]",
	  "Insert or replace an entry. any (default): either; noexist: insert\n"
	  "only; exist: replace only.\n"
	  "Example: hmapctl map update users key u32 7 value u64 1000 noexist\n" },
	{ "lookup", do_lookup, "map lookup NAME key DATA",
	  "Print the entry for a key (exit status 3 if absent).\n"
	  "Example: hmapctl map lookup users key u32 7\n" },
	{ "delete", do_delete, "map delete NAME key DATA",
	  "Remove an entry (exit status 3 if absent).\n" },
	{ "pop", do_pop, "map pop NAME key DATA",
	  "Look up and remove an entry in one step; print it.\n" },
	{ "dump", do_dump, "map dump NAME [chunk N]",
	  "Print every entry, N (default 256) per call to the kernel, as they\n"
	  "come. Each key present for the whole dump appears once, even while\n"
	  "others insert and the map grows.\n" },
	{ "count", do_count, "map count NAME", "Print the number of entries.\n" },
	{ "stats", do_stats, "map stats NAME",
	  "Show the map's shape: B (log2 of buckets), overflow buckets, growth\n"
	  "and evacuation progress, memory, and bucket chain lengths as bars.\n" },
	{ "clear", do_clear, "map clear NAME", "Remove every entry.\n" },
	{ "unlink", do_unlink, "map unlink NAME",
	  "Remove the map's file; the map goes when no other file or open\n"
	  "descriptor refers to it.\n" },
	{ "rm", do_unlink, "map rm NAME", "Same as 'map unlink'.\n" },
	{ "fill", do_fill,
	  "map fill NAME COUNT [start S] [batch N] [every E] [any|exist|noexist]",
	  "Insert COUNT keys S, S+1, ... (default S=0; each key i encoded as a\n"
	  "little-endian integer in the key size, with value i) with batches of\n"
	  "N (default 4096) per call. every E prints the map's shape each E keys.\n"
	  "Example: hmapctl map fill demo 200000 every 25000\n" },
	{ "drain", do_drain, "map drain NAME COUNT [start S] [batch N] [every E]",
	  "Delete the keys 'map fill' inserts (absent ones are counted, skipped).\n" },
	{ "help", do_help, "map help", "Show this help.\n" },
};

#define NR_VERBS	(sizeof(verbs) / sizeof(verbs[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: hmapctl [OPTIONS] map VERB ARGS...\n"
		"       hmapctl map VERB --help\n\n");
	for (i = 0; i < NR_VERBS; i++)
		fprintf(f, "  hmapctl %s\n", verbs[i].usage);
	fprintf(f,
		"\n"
		"NAME    := a file under " HMAPFS_PATH " (an hmapfs, mounted if need be),\n"
		"            or a path starting with / or . of a file in another hmapfs\n"
		"DATA    := ITEM...   (filling the map's key or value size exactly)\n"
		"ITEM    := { u8|u16|u32|u64|s8|s16|s32|s64 NUMBER | str STRING |\n"
		"            hex HEX... | BYTE }   (str pads the rest with zeroes)\n"
		"OPTIONS := { -j|--json [-p|--pretty] | -h|--help | -V|--version }\n"
		"Words can be abbreviated (map upd, noex). Exit status: 0 ok,\n"
		"1 failed, 2 usage error, 3 key or map not found.\n");
}

static int do_help(void)
{
	if (json) {
		j_null(NULL);
		return 0;
	}
	usage(stdout);
	return 0;
}

static const struct verb *find_verb(const char *s)
{
	const struct verb *found = NULL;
	size_t i;

	for (i = 0; i < NR_VERBS; i++) {
		if (!strcmp(s, verbs[i].name))
			return &verbs[i];
		if (is_prefix(s, verbs[i].name)) {
			if (found)
				return NULL;	/* ambiguous */
			found = &verbs[i];
		}
	}
	return found;
}

int main(int argc, char **argv)
{
	const struct verb *v;
	const char *s;
	int i;

	argc_left = argc - 1;
	argv_left = argv + 1;
	while ((s = peek_arg()) && s[0] == '-' && s[1]) {
		next_arg();
		if (!strcmp(s, "-j") || !strcmp(s, "--json")) {
			json = true;
		} else if (!strcmp(s, "-p") || !strcmp(s, "--pretty")) {
			json = pretty = true;
		} else if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(s, "-V") || !strcmp(s, "--version")) {
			if (json)
				printf("{\"version\":\"%s\",\"libhmap\":\"%s\"}\n",
				       HMAP_VERSION, hmap_version());
			else
				printf("hmapctl %s (libhmap %s)\n", HMAP_VERSION, hmap_version());
			return EXIT_OK;
		} else {
			usage(stderr);
			return fail(EXIT_USAGE, "unknown option '%s'", s);
		}
	}
	s = next_arg();
	if (!s || is_help(s)) {
		usage(s ? stdout : stderr);
		return s ? EXIT_OK : EXIT_USAGE;
	}
	if (!is_prefix(s, "map"))
		return fail(EXIT_USAGE, "unknown object '%s' (the only one is 'map')", s);
	s = next_arg();
	if (!s || is_help(s)) {
		usage(s ? stdout : stderr);
		return s ? EXIT_OK : EXIT_USAGE;
	}
	v = find_verb(s);
	if (!v)
		return fail(EXIT_USAGE, "unknown or ambiguous verb '%s' (see hmapctl --help)", s);
	/* "map VERB --help" anywhere in the arguments. */
	for (i = 0; i < argc_left; i++) {
		if (!strcmp(argv_left[i], "--help") || !strcmp(argv_left[i], "-h") ||
		    (i == 0 && !strcmp(argv_left[i], "help"))) {
			printf("Usage: hmapctl %s\n\n%s", v->usage, v->help);
			return EXIT_OK;
		}
	}
	return v->run();
}

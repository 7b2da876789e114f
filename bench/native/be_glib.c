// SPDX-License-Identifier: GPL-2.0
/*
 * GLib's GHashTable as its users use it: keys and values by pointer.  Each
 * entry is one g_new() box holding key and value; the table stores a
 * pointer to the key inside the box and the box as value, and frees the
 * box on removal (g_free as value destroy function).  u64 keys use
 * g_int64_hash/g_int64_equal; 16-byte keys a hash combining g_int64_hash
 * of both words and memcmp.  GHashTable has no size hint.
 */
#include <glib.h>

#define BE_NAME "glib"
#define BE_HAS_HINT 0
#define BE_HAS_NOHINT 1
#include "driver.h"

struct ent {
	bkey_t k;
	bval_t v;
};

static GHashTable *T;

#if WL == 1
#define KEY_HASH g_int64_hash
#define KEY_EQUAL g_int64_equal
#else
static guint k16_hash(gconstpointer p)
{
	const gint64 *w = p;

	return g_int64_hash(&w[0]) * 31 + g_int64_hash(&w[1]);
}

static gboolean k16_equal(gconstpointer a, gconstpointer b)
{
	return !memcmp(a, b, sizeof(bkey_t));
}
#define KEY_HASH k16_hash
#define KEY_EQUAL k16_equal
#endif

static void be_init(void)
{
}

static void be_create(size_t hint)
{
	(void)hint;
	T = g_hash_table_new_full(KEY_HASH, KEY_EQUAL, NULL, g_free);
}

static void be_destroy(void)
{
	g_hash_table_destroy(T);
	T = NULL;
}

static void be_insert(const bkey_t *k, const bval_t *v)
{
	struct ent *e = g_new(struct ent, 1);

	e->k = *k;
	e->v = *v;
	g_hash_table_insert(T, &e->k, e);
}

static bool be_lookup(const bkey_t *k, uint64_t *v0)
{
	const struct ent *e = g_hash_table_lookup(T, k);

	if (!e)
		return false;
	*v0 = e->v.w[0];
	return true;
}

static bool be_delete(const bkey_t *k)
{
	return g_hash_table_remove(T, k);
}

static void be_sync(void)
{
}

static uint64_t be_self_bytes(void)
{
	return 0;
}

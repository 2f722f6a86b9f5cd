/*
 * stnet.c - lrf's nets as safetensors (st.h): a layer's tensors named as
 * PyTorch's state_dict names a module's, "<layer>.<tensor>".
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "net.h"
#include "st.h"
#include "wfile.h"

#define NAMESIZE	64	/* a layer's name (24), '.', a tensor's */

/*
 * The items of n's tensors, p into base at each tensor's off (base NULL:
 * the tensors' own floats), and, with nbt, an optional unread
 * "<layer>.num_batches_tracked" after each batchnorm's.  *items and
 * *names (NAMESIZE bytes an item) are allocated; layer[k] (room for the
 * items) gets each item's layer.  Returns the number of items, or -1.
 */
static int
net_items(const struct net *n, float *base, int nbt, const char *path,
    struct st_item **items, char **names, int **layer)
{
	const struct net_layer *L;
	const struct net_tensor *t;
	struct st_item *it;
	char *nm;
	int l, i, j, k, cnt;

	for (cnt = 0, l = 0; l < n->nlayer; l++)
		cnt += n->layer[l].ntensor +
		    (nbt && n->layer[l].type == LAYER_BATCHNORM);
	*items = calloc((size_t)cnt + 1, sizeof **items);
	*names = malloc(((size_t)cnt + 1) * NAMESIZE);
	*layer = malloc(((size_t)cnt + 1) * sizeof **layer);
	if (*items == NULL || *names == NULL || *layer == NULL) {
		free(*items);
		free(*names);
		free(*layer);
		return err_set("%s: out of memory", path);
	}
	for (k = 0, l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		for (i = 0; i < L->ntensor; i++, k++) {
			t = &L->tensor[i];
			it = &(*items)[k];
			nm = *names + (size_t)k * NAMESIZE;
			snprintf(nm, NAMESIZE, "%s.%s", L->name, t->name);
			it->name = nm;
			it->ndim = t->ndim;
			for (j = 0; j < t->ndim; j++)
				it->dim[j] = t->dim[j];
			it->p = base != NULL ? base + t->off : t->p;
			(*layer)[k] = l;
		}
		if (nbt && L->type == LAYER_BATCHNORM) {
			nm = *names + (size_t)k * NAMESIZE;
			snprintf(nm, NAMESIZE, "%s.num_batches_tracked",
			    L->name);
			(*items)[k].name = nm;
			(*items)[k].optional = 1;
			(*layer)[k++] = l;
		}
	}
	return cnt;
}

int
st_net_save(const struct net *n, const char *path)
{
	static const char *const meta[] = { "format", "pt" };
	struct st_item *items;
	char *names;
	int *layer, cnt, rc;

	/* const: base NULL points the items at n's own floats, only read */
	if ((cnt = net_items(n, NULL, 0, path, &items, &names, &layer)) < 0)
		return -1;
	rc = st_save(path, items, cnt, meta, 1);
	free(items);
	free(names);
	free(layer);
	return rc;
}

enum { NEITHER, LRFW, SAFETENSORS };

/*
 * What path holds, by its first bytes: LRFW (or a FIFO or a device,
 * read once as a stream by wfile_load), SAFETENSORS (a '{' at byte 8:
 * st_open says what else is wrong, as a header longer than the file),
 * NEITHER; or -1.
 */
static int
sniff(const char *path)
{
	struct stat sb;
	unsigned char head[9];
	ssize_t k;
	int fd, kind;

	if ((fd = open(path, O_RDONLY)) == -1 || fstat(fd, &sb) == -1) {
		err_set("%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	kind = LRFW;
	if (S_ISREG(sb.st_mode)) {
		k = read(fd, head, sizeof head);
		if (k >= 4 && memcmp(head, WFILE_MAGIC, 4) == 0)
			kind = LRFW;
		else if (k == 9 && head[8] == '{')
			kind = SAFETENSORS;
		else
			kind = NEITHER;
	}
	close(fd);
	return kind;
}

int
st_net_load(struct net *n, const char *path, int partial, int *loaded)
{
	const struct net_layer *L;
	const struct net_tensor *t;
	struct st_file f;
	struct st_item *items;
	float *stage;
	char *names;
	int *layer, *ok, cnt, nl, rc, i, l;

	if ((rc = sniff(path)) == -1)
		return -1;
	if (rc == LRFW)
		return wfile_load(n, path, partial, loaded);
	if (rc == NEITHER)
		return err_set("%s: neither safetensors nor an lrf weights "
		    "file", path);
	if (st_open(&f, path) == -1)
		return -1;
	/* staged in a copy of the model's size (parameters, then running
	 * statistics: a tensor's off), as wfile_load */
	stage = malloc((size_t)(n->nparam + n->nstate > 0 ?
	    n->nparam + n->nstate : 1) * sizeof(float));
	ok = malloc(((size_t)n->nlayer + 1) * sizeof *ok);
	if (stage == NULL || ok == NULL) {
		free(stage);
		free(ok);
		st_close(&f);
		return err_set("%s: out of memory", path);
	}
	items = NULL;
	names = NULL;
	layer = NULL;
	rc = -1;
	if ((cnt = net_items(n, stage, 1, path, &items, &names, &layer)) < 0 ||
	    st_load(&f, items, cnt, partial) == -1)
		goto out;
	/* a layer is read whole or not at all */
	for (l = 0; l < n->nlayer; l++)
		ok[l] = n->layer[l].ntensor > 0;
	for (i = 0; i < cnt; i++)
		if (items[i].p != NULL && items[i].status != ST_LOADED)
			ok[layer[i]] = 0;
	for (nl = 0, l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		if (!ok[l])
			continue;
		for (i = 0; i < L->ntensor; i++) {
			t = &L->tensor[i];
			memcpy(t->p, stage + t->off,
			    (size_t)t->n * sizeof(float));
		}
		nl++;
	}
	if (loaded != NULL)
		for (l = 0; l < n->nlayer; l++)
			loaded[l] = ok[l];
	rc = nl;
out:
	free(items);
	free(names);
	free(layer);
	free(stage);
	free(ok);
	st_close(&f);
	return rc;
}

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

#define RV	"running_var"
#define NBT	"num_batches_tracked"

/* 1 if name ends in "running_var": a batchnorm's, whole or in a block. */
static int
is_rv(const char *name)
{
	size_t n;

	n = strlen(name);
	return n >= strlen(RV) && strcmp(name + n - strlen(RV), RV) == 0 &&
	    (n == strlen(RV) || name[n - strlen(RV) - 1] == '.');
}

/*
 * The items of n's tensors, "<layer>.<tensor>", p into base at each
 * tensor's off (base NULL: the tensors' own floats); with nbt, after
 * each running_var an optional unread item, its name with
 * num_batches_tracked for running_var (PyTorch's int64 scalar, which
 * lrf does not keep: "bn1.num_batches_tracked", and, should a layer
 * hold a block's batchnorms, "layer1.0.downsample.1.num_batches_tracked").
 * *items, *names (the names, one block) and *layer (each item's layer)
 * are allocated.  Returns the number of items, or -1.
 */
static int
net_items(const struct net *n, float *base, int nbt, const char *path,
    struct st_item **items, char **names, int **layer)
{
	const struct net_layer *L;
	const struct net_tensor *t;
	struct st_item *it;
	size_t size, len;
	char *nm;
	int l, i, j, k, cnt;

	cnt = 0;
	size = 1;
	for (l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		for (i = 0; i < L->ntensor; i++) {
			len = strlen(L->name) + 1 + strlen(L->tensor[i].name) +
			    1;
			cnt++;
			size += len;
			if (nbt && is_rv(L->tensor[i].name)) {
				cnt++;
				size += len + strlen(NBT) - strlen(RV);
			}
		}
	}
	*items = calloc((size_t)cnt + 1, sizeof **items);
	*names = malloc(size);
	*layer = malloc(((size_t)cnt + 1) * sizeof **layer);
	if (*items == NULL || *names == NULL || *layer == NULL) {
		free(*items);
		free(*names);
		free(*layer);
		return err_set("%s: out of memory", path);
	}
	nm = *names;
	for (k = 0, l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		for (i = 0; i < L->ntensor; i++) {
			t = &L->tensor[i];
			it = &(*items)[k];
			(*layer)[k++] = l;
			len = strlen(L->name) + 1 + strlen(t->name) + 1;
			snprintf(nm, len, "%s.%s", L->name, t->name);
			it->name = nm;
			nm += len;
			it->ndim = t->ndim;
			for (j = 0; j < t->ndim; j++)
				it->dim[j] = t->dim[j];
			it->p = base != NULL ? base + t->off : t->p;
			if (!nbt || !is_rv(t->name))
				continue;
			/* the same name, num_batches_tracked for running_var */
			len += strlen(NBT) - strlen(RV);
			snprintf(nm, len, "%s.%.*s%s", L->name,
			    (int)(strlen(t->name) - strlen(RV)), t->name, NBT);
			(*items)[k].name = nm;
			(*items)[k].optional = 1;
			(*layer)[k++] = l;
			nm += len;
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

int
st_net_check(const char *path, long long *size)
{
	struct st_file f;
	int rc;

	if ((rc = sniff(path)) == -1)
		return -1;
	if (rc == LRFW)
		return wfile_check(path, size);
	if (rc == NEITHER)
		return err_set("%s: neither safetensors nor an lrf weights "
		    "file", path);
	if (st_open(&f, path) == -1)
		return -1;
	if (size != NULL)
		*size = (long long)f.size;
	st_close(&f);
	return 0;
}

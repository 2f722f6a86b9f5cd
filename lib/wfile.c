/* wfile.c - save and load the weights of a net (format in wfile.h). */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "err.h"
#include "le.h"
#include "net.h"
#include "wfile.h"

#define CHUNK		4096		/* floats converted at a time */
#define MAXCOUNT	(1ULL << 40)	/* floats one tensor may claim */

/* The file's code of each layer type that holds tensors (wfile.h). */
static const struct {
	uint32_t code;
	int	 type;		/* LAYER_* */
} codes[] = {
	{ WFILE_DENSE, LAYER_DENSE },
	{ WFILE_CONV2D, LAYER_CONV2D },
	{ WFILE_BATCHNORM, LAYER_BATCHNORM },
};
#define NCODES	(sizeof(codes) / sizeof(codes[0]))

/* The file's code for a layer type, 0 for a layer without tensors. */
static uint32_t
typecode(int type)
{
	size_t i;

	for (i = 0; i < NCODES; i++)
		if (codes[i].type == type)
			return codes[i].code;
	return 0;
}

/* The name of the layer type of a code, "?" for none. */
static const char *
code_name(uint32_t c)
{
	size_t i;

	for (i = 0; i < NCODES; i++)
		if (codes[i].code == c)
			return cfg_layer_names[codes[i].type];
	return "?";
}

/* A writer that keeps the CRC of what it wrote and its first error. */
struct wr {
	FILE	*fp;
	uLong	 crc;
	int	 err;		/* errno of the first failure, 0 if none */
};

static void
wr_bytes(struct wr *w, const void *p, size_t n)
{
	if (w->err)
		return;
	w->crc = crc32(w->crc, p, (uInt)n);
	if (fwrite(p, 1, n, w->fp) != n)
		w->err = errno ? errno : EIO;
}

static void
wr_u32(struct wr *w, uint32_t v)
{
	unsigned char b[4];

	le_put32(b, v);
	wr_bytes(w, b, 4);
}

static void
wr_floats(struct wr *w, const float *p, long n)
{
	float buf[CHUNK];
	long k;

	while (n > 0 && !w->err) {
		k = n < CHUNK ? n : CHUNK;
		memcpy(buf, p, (size_t)k * sizeof(float));
		le_floats(buf, (size_t)k);
		wr_bytes(w, buf, (size_t)k * sizeof(float));
		p += k;
		n -= k;
	}
}

static void
write_net(struct wr *w, const struct net *n)
{
	const struct net_layer *L;
	const struct net_tensor *t;
	uint32_t nl;
	int l, i, j;

	for (nl = 0, l = 0; l < n->nlayer; l++)
		nl += n->layer[l].ntensor > 0;
	wr_bytes(w, WFILE_MAGIC, 4);
	wr_u32(w, WFILE_VERSION);
	wr_u32(w, nl);
	for (l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		if (L->ntensor == 0)
			continue;
		wr_u32(w, typecode(L->type));
		wr_u32(w, (uint32_t)L->ntensor);
		for (i = 0; i < L->ntensor; i++) {
			t = &L->tensor[i];
			wr_u32(w, (uint32_t)t->ndim);
			for (j = 0; j < t->ndim; j++)
				wr_u32(w, (uint32_t)t->dim[j]);
			wr_floats(w, t->p, t->n);
		}
	}
	{
		unsigned char b[4];

		le_put32(b, (uint32_t)w->crc);
		if (!w->err && fwrite(b, 1, 4, w->fp) != 4)
			w->err = errno ? errno : EIO;
	}
}

int
wfile_save(const struct net *n, const char *path)
{
	struct wr w;
	struct stat st;
	char *tmp;
	mode_t mask;
	size_t len;
	int fd, direct, e;

	/* Devices, FIFOs and the like are written in place. */
	direct = stat(path, &st) == 0 && !S_ISREG(st.st_mode);
	tmp = NULL;
	memset(&w, 0, sizeof w);
	w.crc = crc32(0, Z_NULL, 0);
	if (direct) {
		if ((w.fp = fopen(path, "wb")) == NULL)
			return err_set("%s: %s", path, strerror(errno));
	} else {
		len = strlen(path);
		if ((tmp = malloc(len + 8)) == NULL)
			return err_set("%s: out of memory", path);
		memcpy(tmp, path, len);
		memcpy(tmp + len, ".XXXXXX", 8);
		if ((fd = mkstemp(tmp)) == -1) {
			e = errno;
			free(tmp);
			return err_set("%s: %s", path, strerror(e));
		}
		mask = umask(0);
		umask(mask);
		fchmod(fd, 0666 & ~mask);
		if ((w.fp = fdopen(fd, "wb")) == NULL) {
			e = errno;
			close(fd);
			goto fail;
		}
	}
	errno = 0;
	write_net(&w, n);
	if (!w.err && fflush(w.fp) == EOF)
		w.err = errno ? errno : EIO;
	if (!w.err && !direct && fsync(fileno(w.fp)) == -1)
		w.err = errno;
	if (fclose(w.fp) == EOF && !w.err)
		w.err = errno ? errno : EIO;
	if (w.err) {
		e = w.err;
		goto fail;
	}
	if (!direct) {
		if (rename(tmp, path) == -1) {
			e = errno;
			goto fail;
		}
		free(tmp);
	}
	return 0;

fail:
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	return err_set("%s: %s", path, strerror(e));
}

/* A reader that keeps the CRC of what it read and where it is. */
struct rd {
	FILE	*fp;
	const char *path;
	uLong	 crc;
	long	 off;		/* bytes read */
};

/* Read n bytes: 0, or -1 with "truncated" (or the read error) set. */
static int
rd_bytes(struct rd *r, void *p, size_t n)
{
	size_t got;

	got = fread(p, 1, n, r->fp);
	r->crc = crc32(r->crc, p, (uInt)got);
	r->off += (long)got;
	if (got == n)
		return 0;
	if (ferror(r->fp))
		return err_set("%s: %s", r->path, strerror(errno));
	return err_set("%s: truncated at byte %ld", r->path, r->off);
}

static int
rd_u32(struct rd *r, uint32_t *v)
{
	unsigned char b[4];

	if (rd_bytes(r, b, 4) == -1)
		return -1;
	*v = le_get32(b);
	return 0;
}

/* Read n floats into p, or past them when p is NULL. */
static int
rd_floats(struct rd *r, float *p, uint64_t n)
{
	float buf[CHUNK];
	size_t k;

	while (n > 0) {
		k = n < CHUNK ? (size_t)n : CHUNK;
		if (rd_bytes(r, buf, k * sizeof(float)) == -1)
			return -1;
		if (p != NULL) {
			le_floats(buf, k);
			memcpy(p, buf, k * sizeof(float));
			p += k;
		}
		n -= k;
	}
	return 0;
}

/* "256x784" */
static void
fmtdims(char *buf, size_t size, int ndim, const long *dim)
{
	size_t len;
	int i;

	buf[0] = '\0';
	for (i = 0; i < ndim; i++) {
		len = strlen(buf);
		snprintf(buf + len, size - len, "%s%ld", i ? "x" : "",
		    dim[i]);
	}
}

/*
 * Read the layers and the checksum; tensors that match go to stage, at
 * their offsets (param, then state), and ok[l] = 1 for the model layers
 * read whole.
 */
static int
read_net(struct rd *r, const struct net *n, int partial, float *stage,
    int *ok)
{
	const struct net_layer *L;
	const struct net_tensor *mt;
	unsigned char head[12] = { 0 };
	char fb[64], mb[64];
	uint32_t version, nl, type, nt, nd, crc, v;
	uint64_t count;
	size_t got;
	long dim[4];
	int idx[CFG_MAXLAYERS], nm, k, i, j, l, match, same;

	for (nm = l = 0; l < n->nlayer; l++)
		if (n->layer[l].ntensor > 0)
			idx[nm++] = l;
	got = fread(head, 1, 12, r->fp);
	if (ferror(r->fp))
		return err_set("%s: %s", r->path, strerror(errno));
	if (got < 4 || memcmp(head, WFILE_MAGIC, 4) != 0)
		return err_set("%s: not an lrf weights file", r->path);
	if (got < 12)
		return err_set("%s: truncated at byte %zu", r->path, got);
	r->crc = crc32(r->crc, head, 12);
	r->off = 12;
	version = le_get32(head + 4);
	nl = le_get32(head + 8);
	if (version != WFILE_VERSION)
		return err_set("%s: format version %lu, this lrf reads "
		    "version %d", r->path, (unsigned long)version,
		    WFILE_VERSION);
	if (!partial && nl != (uint32_t)nm)
		return err_set("%s: %lu layer%s with weights, the model has %d",
		    r->path, (unsigned long)nl, nl == 1 ? "" : "s", nm);
	for (k = 0; (uint32_t)k < nl; k++) {
		L = k < nm ? &n->layer[idx[k]] : NULL;
		if (rd_u32(r, &type) == -1 || rd_u32(r, &nt) == -1)
			return -1;
		if (strcmp(code_name(type), "?") == 0)
			return err_set("%s: byte %ld: layer %d of the file has "
			    "the unknown type code %lu", r->path, r->off - 8,
			    k + 1, (unsigned long)type);
		if (nt < 1 || nt > NET_MAXTENSOR)
			return err_set("%s: byte %ld: layer %d of the file "
			    "has %lu tensors", r->path, r->off - 4, k + 1,
			    (unsigned long)nt);
		match = L != NULL && type == typecode(L->type) &&
		    nt == (uint32_t)L->ntensor;
		if (!match && !partial) {
			if (type != typecode(L->type))
				return err_set("%s: layer %d (%s): the file "
				    "has a %s layer here", r->path,
				    idx[k] + 1, L->name, code_name(type));
			return err_set("%s: layer %d (%s): %lu tensors, the "
			    "model has %d", r->path, idx[k] + 1, L->name,
			    (unsigned long)nt, L->ntensor);
		}
		for (i = 0; (uint32_t)i < nt; i++) {
			if (rd_u32(r, &nd) == -1)
				return -1;
			if (nd < 1 || nd > 4)
				return err_set("%s: byte %ld: a tensor of %lu "
				    "dimensions", r->path, r->off - 4,
				    (unsigned long)nd);
			count = 1;
			for (j = 0; (uint32_t)j < nd; j++) {
				if (rd_u32(r, &v) == -1)
					return -1;
				if (v < 1 || v > INT32_MAX ||
				    count > MAXCOUNT / v)
					return err_set("%s: byte %ld: bad "
					    "tensor size", r->path, r->off - 4);
				dim[j] = v;
				count *= v;
			}
			mt = match ? &L->tensor[i] : NULL;
			same = mt != NULL && (int)nd == mt->ndim &&
			    memcmp(dim, mt->dim, nd * sizeof(long)) == 0;
			if (mt != NULL && !same && !partial) {
				fmtdims(fb, sizeof fb, (int)nd, dim);
				fmtdims(mb, sizeof mb, mt->ndim, mt->dim);
				return err_set("%s: layer %d (%s): %s is %s, "
				    "the model wants %s", r->path, idx[k] + 1,
				    L->name, mt->name, fb, mb);
			}
			if (!same)
				match = 0;
			if (rd_floats(r, same ? stage + mt->off : NULL,
			    count) == -1)
				return -1;
		}
		if (match)
			ok[idx[k]] = 1;
	}
	v = (uint32_t)r->crc;
	if (rd_u32(r, &crc) == -1)
		return -1;
	if (crc != v)
		return err_set("%s: checksum mismatch: the file is corrupt",
		    r->path);
	if (fgetc(r->fp) != EOF)
		return err_set("%s: byte %ld: data after the checksum",
		    r->path, r->off);
	if (ferror(r->fp))
		return err_set("%s: %s", r->path, strerror(errno));
	return 0;
}

int
wfile_load(struct net *n, const char *path, int partial, int *loaded)
{
	const struct net_layer *L;
	const struct net_tensor *t;
	struct rd r;
	float *stage;
	int ok[CFG_MAXLAYERS], l, i, cnt, rc;

	memset(ok, 0, sizeof ok);
	memset(&r, 0, sizeof r);
	r.path = path;
	r.crc = crc32(0, Z_NULL, 0);
	if ((r.fp = fopen(path, "rb")) == NULL)
		return err_set("%s: %s", path, strerror(errno));
	/* staged in a copy of the model's size (parameters, then running
	 * statistics: a tensor's off), whatever the file says */
	if ((stage = malloc((size_t)(n->nparam + n->nstate > 0 ?
	    n->nparam + n->nstate : 1) * sizeof(float))) == NULL) {
		fclose(r.fp);
		return err_set("%s: out of memory", path);
	}
	rc = read_net(&r, n, partial, stage, ok);
	fclose(r.fp);
	cnt = 0;
	if (rc == 0) {
		for (l = 0; l < n->nlayer; l++) {
			L = &n->layer[l];
			if (!ok[l])
				continue;
			for (i = 0; i < L->ntensor; i++) {
				t = &L->tensor[i];
				memcpy(t->p, stage + t->off,
				    (size_t)t->n * sizeof(float));
			}
			cnt++;
		}
		if (loaded != NULL)
			for (l = 0; l < n->nlayer; l++)
				loaded[l] = ok[l];
	}
	free(stage);
	return rc == 0 ? cnt : -1;
}

int
wfile_check(const char *path, long long *size)
{
	struct net none;
	struct rd r;
	int rc;

	/* every layer of the file is one the empty model skips, as with
	 * --load-partial: each is read past, the checksum checked */
	memset(&none, 0, sizeof none);
	memset(&r, 0, sizeof r);
	r.path = path;
	r.crc = crc32(0, Z_NULL, 0);
	if ((r.fp = fopen(path, "rb")) == NULL)
		return err_set("%s: %s", path, strerror(errno));
	rc = read_net(&r, &none, 1, NULL, NULL);
	fclose(r.fp);
	if (rc == 0 && size != NULL)
		*size = r.off;
	return rc;
}

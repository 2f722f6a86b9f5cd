/*
 * idx.c - IDX files (the MNIST family), raw or gzip-compressed.
 *
 * An IDX file is a 4-byte magic (0, 0, type, number of dimensions), one
 * big-endian 32-bit size per dimension, then the data.  Only type 0x08
 * (unsigned byte) is read.  Gzip is recognised by its magic (1f 8b), not
 * by the file name.  A gzip'd regular file of one member is inflated
 * whole by libdeflate (several times zlib's speed) into a buffer of the
 * size its trailer gives; anything else (several members, a pipe, bad
 * data, a trailer that lies) goes through zlib's stream, which says
 * what is wrong and where.
 *
 * A big gzip'd file's inflated bytes are kept in the user's cache
 * (rawcache.h): the next run maps them, checked against the gzip
 * trailer's CRC-32, instead of inflating the file again.
 *
 * Nothing is allocated because a header says so: a raw regular file's
 * size is compared with the header before the one allocation; anything
 * else (gzip, a pipe) is read into a buffer that grows with the bytes
 * that actually arrive, up to what the header claims.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <zlib.h>
#include <libdeflate.h>

#include "data.h"
#include "err.h"
#include "rawcache.h"

#define INCHUNK	(256 << 10)	/* compressed bytes read at a time */
#define GROW0	(1 << 20)	/* first size of a growing buffer */

/* A byte source: a file, inflated if it is gzip. */
struct src {
	FILE	*fp;
	const char *name;
	int	 gz;		/* 1: inflate what fp holds */
	int	 zinit;		/* z needs inflateEnd */
	int	 zend;		/* the last gzip member ended */
	z_stream z;
	unsigned char *in;	/* (INCHUNK) compressed input, or the
				   plain bytes peeked at open */
	size_t	 inlen, inpos;	/* plain: peeked bytes not yet delivered */
	unsigned long long cin;	/* compressed bytes read from fp */
	int	 eof;		/* fp is exhausted */
	long long fsize;	/* a plain regular file's size, else -1 */
	unsigned char *mem;	/* (memlen) the file inflated whole, */
	size_t	 memlen, mempos;	/* served from mempos; or NULL */
	size_t	 maplen;	/* mem is the raw copy mapped (maplen
				   bytes), not allocated: 0 */
};

static void
src_close(struct src *s)
{
	if (s->zinit)
		inflateEnd(&s->z);
	free(s->in);
	if (s->maplen > 0)
		munmap(s->mem, s->maplen);
	else
		free(s->mem);
	if (s->fp != NULL)
		fclose(s->fp);
	memset(s, 0, sizeof(*s));
}

/* Read up to n compressed bytes into s->in; 0 at the end of the file. */
static int
src_fill(struct src *s)
{
	size_t k;

	k = fread(s->in, 1, INCHUNK, s->fp);
	if (k < INCHUNK) {
		if (ferror(s->fp))
			return err_set("%s: read error: %s", s->name,
			    strerror(errno));
		s->eof = 1;
	}
	s->z.next_in = s->in;
	s->z.avail_in = k;
	s->cin += k;
	return 0;
}

/*
 * Inflate a gzip'd regular file (its first 2 bytes read) whole with
 * libdeflate: 0 with s->mem set, the file read; or -1, nothing said and
 * fp back after the 2 bytes, for the stream to do it.  The buffer is
 * the trailer's size (ISIZE, the size mod 2^32 of one member), at most
 * what deflate can make of the file's bytes (1032 to 1), so a lying
 * trailer cannot ask for more than the bytes could give.  A raw copy
 * in the cache that the trailer vouches for is taken instead; a file
 * inflated here is copied there.
 * c: (csize) the whole file, mapped.
 */
static int
gz_whole(struct src *s)
{
	struct libdeflate_decompressor *d;
	struct rawcache_key key;
	struct stat st;
	const unsigned char *c;
	unsigned char *out;
	void *map, *raw;
	size_t csize, isize, used, got, rawlen;
	enum libdeflate_result r;

	if (fstat(fileno(s->fp), &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < 18 || (unsigned long long)st.st_size > (1ULL << 32))
		return -1;
	csize = (size_t)st.st_size;
	out = NULL;
	d = NULL;
	map = mmap(NULL, csize, PROT_READ, MAP_PRIVATE, fileno(s->fp), 0);
	if (map == MAP_FAILED) {
		map = NULL;
		goto fail;
	}
	c = map;
	isize = (size_t)c[csize - 4] | (size_t)c[csize - 3] << 8 |
	    (size_t)c[csize - 2] << 16 | (size_t)c[csize - 1] << 24;
	if (isize / 1032 > csize)
		goto fail;
	rawcache_key(&key, &st, c + csize - 8);
	if (rawcache_get(&key, &raw, &rawlen)) {
		munmap(map, csize);
		s->mem = raw;
		s->maplen = rawlen;
		s->memlen = isize;
		s->fsize = (long long)isize;
		return 0;
	}
	if ((out = malloc(isize ? isize : 1)) == NULL ||
	    (d = libdeflate_alloc_decompressor()) == NULL)
		goto fail;
	r = libdeflate_gzip_decompress_ex(d, c, csize, out, isize, &used,
	    &got);
	if (r != LIBDEFLATE_SUCCESS || used != csize || got != isize)
		goto fail;
	libdeflate_free_decompressor(d);
	munmap(map, csize);
	rawcache_put(&key, out, got);
	s->mem = out;
	s->memlen = got;
	s->fsize = (long long)got;	/* the data's size is known */
	return 0;
fail:
	if (d != NULL)
		libdeflate_free_decompressor(d);
	free(out);
	if (map != NULL)
		munmap(map, csize);
	clearerr(s->fp);
	fseek(s->fp, 2, SEEK_SET);	/* a regular file: cannot fail */
	return -1;
}

static int
src_open(struct src *s, const char *name)
{
	struct stat st;
	size_t k;

	memset(s, 0, sizeof(*s));
	s->name = name;
	s->fsize = -1;
	if ((s->fp = fopen(name, "rb")) == NULL)
		return err_set("%s: %s", name, strerror(errno));
	if ((s->in = malloc(INCHUNK)) == NULL) {
		src_close(s);
		return err_set("%s: out of memory", name);
	}
	k = fread(s->in, 1, 2, s->fp);
	if (k < 2 && ferror(s->fp)) {
		err_set("%s: read error: %s", name, strerror(errno));
		src_close(s);
		return -1;
	}
	if (k == 2 && s->in[0] == 0x1f && s->in[1] == 0x8b) {
		if (gz_whole(s) == 0)
			return 0;
		s->gz = 1;
		s->z.next_in = s->in;
		s->z.avail_in = 2;
		s->cin = 2;
		if (inflateInit2(&s->z, 15 + 16) != Z_OK) {
			src_close(s);
			return err_set("%s: out of memory", name);
		}
		s->zinit = 1;
		return 0;
	}
	s->inlen = k;
	if (fstat(fileno(s->fp), &st) == 0 && S_ISREG(st.st_mode))
		s->fsize = st.st_size;
	return 0;
}

/* Inflate up to n bytes into dst; fewer only at the clean end of the
 * last gzip member, followed by the end of the file. */
static long long
gz_read(struct src *s, unsigned char *dst, size_t n)
{
	unsigned long long at;
	int r;

	s->z.next_out = dst;
	s->z.avail_out = n;
	while (s->z.avail_out > 0 && !s->zend) {
		if (s->z.avail_in == 0 && !s->eof && src_fill(s) < 0)
			return -1;
		r = inflate(&s->z, Z_NO_FLUSH);
		at = s->cin - s->z.avail_in;
		if (r == Z_STREAM_END) {
			/* Another gzip member may follow; anything else
			 * is garbage. */
			if (s->z.avail_in == 0 && !s->eof && src_fill(s) < 0)
				return -1;
			if (s->z.avail_in == 0) {
				s->zend = 1;
				break;
			}
			if (s->z.next_in[0] != 0x1f || (s->z.avail_in > 1 &&
			    s->z.next_in[1] != 0x8b))
				return err_set("%s: byte %llu: trailing "
				    "garbage after the gzip data", s->name, at);
			inflateReset(&s->z);
			continue;
		}
		if (r == Z_DATA_ERROR || r == Z_NEED_DICT)
			return err_set("%s: byte %llu: corrupt gzip data (%s)",
			    s->name, at, s->z.msg ? s->z.msg : "bad data");
		if (r == Z_MEM_ERROR)
			return err_set("%s: out of memory", s->name);
		if (r == Z_BUF_ERROR && s->z.avail_in == 0 && s->eof)
			return err_set("%s: truncated gzip data (ends at "
			    "byte %llu)", s->name, s->cin);
		if (r != Z_OK && r != Z_BUF_ERROR)
			return err_set("%s: gzip error %d", s->name, r);
	}
	return (long long)(n - s->z.avail_out);
}

/* Read up to n bytes into dst; fewer only at the end of the data. */
static long long
src_read(struct src *s, unsigned char *dst, size_t n)
{
	size_t k, got;

	if (s->gz)
		return gz_read(s, dst, n);
	if (s->mem != NULL) {
		k = s->memlen - s->mempos;
		if (k > n)
			k = n;
		memcpy(dst, s->mem + s->mempos, k);
		s->mempos += k;
		return (long long)k;
	}
	got = 0;
	if (s->inpos < s->inlen) {
		k = s->inlen - s->inpos;
		if (k > n)
			k = n;
		memcpy(dst, s->in + s->inpos, k);
		s->inpos += k;
		got = k;
	}
	if (got < n) {
		k = fread(dst + got, 1, n - got, s->fp);
		if (k < n - got && ferror(s->fp))
			return err_set("%s: read error: %s", s->name,
			    strerror(errno));
		got += k;
	}
	return (long long)got;
}

/*
 * Read exactly want bytes of data into *out, then make sure nothing
 * follows.  With base NULL, *out is a new buffer for free(3).  Otherwise
 * *out may lie inside the block *base (*maplen 0: for free(3); else
 * mapped, maplen bytes, for munmap).  A buffer filled here grows with
 * what arrives (never past want).
 */
static int
src_readall(struct src *s, size_t want, size_t hdr, unsigned char **out,
    void **base, size_t *maplen)
{
	unsigned char *buf, *nb, c;
	size_t cap, len, ncap, room;
	long long k;

	*out = NULL;
	if (s->mem != NULL && s->memlen - s->mempos == want &&
	    base != NULL) {
		/* inflated whole, or the raw copy mapped: the data are
		 * in place (no second buffer to fault in and copy to) */
		*out = s->mem + s->mempos;
		*base = s->mem;
		*maplen = s->maplen;
		s->mem = NULL;
		s->maplen = 0;
		return 0;
	}
	if (base != NULL) {
		*base = NULL;
		*maplen = 0;
	}
	if (s->mem != NULL && s->memlen - s->mempos == want &&
	    s->maplen == 0) {
		/* inflated whole: the data, moved to the front, are the
		 * buffer */
		memmove(s->mem, s->mem + s->mempos, want);
		*out = s->mem;
		s->mem = NULL;
		return 0;
	}
	if (!s->gz && s->fsize >= (long long)hdr &&
	    (unsigned long long)s->fsize - hdr < want)
		return err_set("%s: header claims %zu bytes of data but only "
		    "%llu follow", s->name, want,
		    (unsigned long long)s->fsize - hdr);
	cap = want;
	if (s->gz || s->fsize < 0)
		cap = want < GROW0 ? want : GROW0;
	if ((buf = malloc(cap ? cap : 1)) == NULL)
		return err_set("%s: out of memory", s->name);
	len = 0;
	for (;;) {
		if (len == cap) {
			if (cap == want)
				break;
			ncap = cap < want / 2 ? cap * 2 : want;
			if ((nb = realloc(buf, ncap)) == NULL) {
				free(buf);
				return err_set("%s: out of memory", s->name);
			}
			buf = nb;
			cap = ncap;
		}
		room = cap - len;
		if ((k = src_read(s, buf + len, room)) < 0) {
			free(buf);
			return -1;
		}
		len += k;
		if ((size_t)k < room)	/* short: the data ended */
			break;
	}
	if (len < want) {
		free(buf);
		return err_set("%s: header claims %zu bytes of data but only "
		    "%zu follow", s->name, want, len);
	}
	if ((k = src_read(s, &c, 1)) != 0) {
		free(buf);
		if (k < 0)
			return -1;
		return err_set("%s: trailing data after the %zu bytes the "
		    "header claims", s->name, want);
	}
	*out = buf;
	return 0;
}

static const char *
idx_typename(int t)
{
	switch (t) {
	case 0x08: return "unsigned byte";
	case 0x09: return "signed byte";
	case 0x0b: return "short";
	case 0x0c: return "int";
	case 0x0d: return "float";
	case 0x0e: return "double";
	}
	return "unknown";
}

/*
 * Read an IDX header: the magic and the dimensions.  mind..maxd
 * dimensions are accepted; what names the file's role in messages.
 * *bytes gets the product of all dimensions, checked against the limit.
 */
static int
idx_header(struct src *s, const char *what, int mind, int maxd,
    unsigned long dims[4], int *nd, size_t *bytes)
{
	unsigned char h[16];
	unsigned long long prod;
	long long k;
	int i, n;

	if ((k = src_read(s, h, 4)) < 0)
		return -1;
	if (k == 0)
		return err_set("%s: empty file", s->name);
	if (k < 4 || h[0] != 0 || h[1] != 0)
		return err_set("%s: not an IDX file (bad magic number)",
		    s->name);
	if (h[2] != 0x08)
		return err_set("%s: IDX type 0x%02x (%s) is not supported, "
		    "only 0x08 (unsigned byte)", s->name, h[2],
		    idx_typename(h[2]));
	n = h[3];
	if (n < mind || n > maxd) {
		if (mind == maxd)
			return err_set("%s: %s need %d dimension%s, not %d",
			    s->name, what, mind, mind == 1 ? "" : "s", n);
		return err_set("%s: %s need %d to %d dimensions, not %d",
		    s->name, what, mind, maxd, n);
	}
	if ((k = src_read(s, h, 4 * n)) < 0)
		return -1;
	if (k < 4 * n)
		return err_set("%s: truncated IDX header", s->name);
	prod = 1;
	for (i = 0; i < n; i++) {
		dims[i] = (unsigned long)h[4 * i] << 24 |
		    (unsigned long)h[4 * i + 1] << 16 |
		    (unsigned long)h[4 * i + 2] << 8 | h[4 * i + 3];
		if (dims[i] == 0)
			return err_set("%s: dimension %d is 0", s->name, i + 1);
		prod *= dims[i];	/* < 2^31 * 2^32: no overflow */
		if (prod > DATA_MAXBYTES)
			return err_set("%s: header claims more than the "
			    "%zu-byte limit of data (dimension %d is %lu)",
			    s->name, DATA_MAXBYTES, i + 1, dims[i]);
	}
	*nd = n;
	*bytes = prod;
	return 0;
}

int
data_load_idx(struct dataset *ds, const struct cfg_data *cd)
{
	struct src s;
	unsigned long ldims[4], dims[4];
	unsigned char *lab;
	size_t nlab, nbytes, i;
	int nd, max;

	/* The labels first: small, and their count checks the images'. */
	if (src_open(&s, cd->labels) < 0)
		return -1;
	if (idx_header(&s, "labels", 1, 1, ldims, &nd, &nlab) < 0 ||
	    src_readall(&s, nlab, 8, &lab, NULL, NULL) < 0) {
		src_close(&s);
		return -1;
	}
	src_close(&s);

	if (src_open(&s, cd->images) < 0) {
		free(lab);
		return -1;
	}
	if (idx_header(&s, "images", 2, 4, dims, &nd, &nbytes) < 0)
		goto fail;
	if (dims[0] != nlab) {
		err_set("%s: %lu images, but %s has %zu labels", cd->images,
		    dims[0], cd->labels, nlab);
		goto fail;
	}
	if (src_readall(&s, nbytes, 4 + 4 * nd, &ds->bytes, &ds->bytebase,
	    &ds->bytemap) < 0)
		goto fail;
	src_close(&s);

	ds->n = dims[0];
	ds->d = nbytes / dims[0];
	if (nd == 2) {
		ds->shape[0] = dims[1];
		ds->shape[1] = ds->shape[2] = 1;
	} else if (nd == 3) {
		ds->shape[0] = 1;
		ds->shape[1] = dims[1];
		ds->shape[2] = dims[2];
	} else {
		ds->shape[0] = dims[1];
		ds->shape[1] = dims[2];
		ds->shape[2] = dims[3];
	}

	if (cd->task == TASK_REGRESSION) {
		if ((ds->t = malloc(nlab * sizeof(*ds->t))) == NULL) {
			free(lab);
			return err_set("%s: out of memory", cd->labels);
		}
		for (i = 0; i < nlab; i++)
			ds->t[i] = lab[i];
		ds->nclasses = 0;
	} else {
		if ((ds->y = malloc(nlab * sizeof(*ds->y))) == NULL) {
			free(lab);
			return err_set("%s: out of memory", cd->labels);
		}
		max = 0;
		for (i = 0; i < nlab; i++) {
			ds->y[i] = lab[i];
			if (lab[i] > max)
				max = lab[i];
		}
		ds->nclasses = max + 1;	/* <= 256 = CFG_MAXCLASSES */
		for (i = 0; i < (size_t)ds->nclasses; i++)
			ds->classval[i] = i;
	}
	free(lab);
	return 0;
fail:
	src_close(&s);
	free(lab);
	return -1;
}

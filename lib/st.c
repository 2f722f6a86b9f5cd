/* st.c - safetensors files (format in st.h), the header through jansson. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "le.h"
#include "st.h"

#define CHUNK		4096		/* values converted at a time */

static const struct {
	const char *name;
	int	 bits;
} dtypes[ST_NDTYPE] = {
	[ST_BOOL] = { "BOOL", 8 },
	[ST_F4] = { "F4", 4 },
	[ST_F6_E2M3] = { "F6_E2M3", 6 },
	[ST_F6_E3M2] = { "F6_E3M2", 6 },
	[ST_U8] = { "U8", 8 },
	[ST_I8] = { "I8", 8 },
	[ST_F8_E5M2] = { "F8_E5M2", 8 },
	[ST_F8_E4M3] = { "F8_E4M3", 8 },
	[ST_F8_E8M0] = { "F8_E8M0", 8 },
	[ST_F8_E4M3FNUZ] = { "F8_E4M3FNUZ", 8 },
	[ST_F8_E5M2FNUZ] = { "F8_E5M2FNUZ", 8 },
	[ST_I16] = { "I16", 16 },
	[ST_U16] = { "U16", 16 },
	[ST_F16] = { "F16", 16 },
	[ST_BF16] = { "BF16", 16 },
	[ST_I32] = { "I32", 32 },
	[ST_U32] = { "U32", 32 },
	[ST_F32] = { "F32", 32 },
	[ST_C64] = { "C64", 64 },
	[ST_F64] = { "F64", 64 },
	[ST_I64] = { "I64", 64 },
	[ST_U64] = { "U64", 64 },
};

const char *
st_dtype_name(int dtype)
{
	return dtype >= 0 && dtype < ST_NDTYPE ? dtypes[dtype].name : "?";
}

int
st_dtype_bits(int dtype)
{
	return dtype >= 0 && dtype < ST_NDTYPE ? dtypes[dtype].bits : 0;
}

static float
bits_float(uint32_t u)
{
	float x;

	memcpy(&x, &u, sizeof x);
	return x;
}

/*
 * Half precision: 1 sign, 5 exponent (bias 15), 10 fraction bits.  A
 * normal value moves its exponent to float's bias 127 (+112); a
 * subnormal m 2^-24 is normalised (every one is a normal float); inf
 * and NaN keep their fraction, NaNs with the quiet bit set (as x86's
 * vcvtph2ps, and so torch, makes them).
 */
static uint32_t
f16_bits(uint16_t h)
{
	uint32_t s, e, m;

	s = (uint32_t)(h & 0x8000) << 16;
	e = (h >> 10) & 0x1f;
	m = h & 0x3ff;
	if (e == 0x1f)
		return s | 0x7f800000 | m << 13 | (m != 0 ? 0x400000 : 0);
	if (e != 0)
		return s | (e + 112) << 23 | m << 13;
	if (m == 0)
		return s;
	for (e = 113; (m & 0x400) == 0; e--)
		m <<= 1;
	return s | e << 23 | (m & 0x3ff) << 13;
}

/* bfloat16 is the top half of a float, NaNs as they are (as torch). */
static uint32_t
bf16_bits(uint16_t h)
{
	return (uint32_t)h << 16;
}

void
st_f16_to_f32(float *dst, const uint16_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = bits_float(f16_bits(src[i]));
}

void
st_bf16_to_f32(float *dst, const uint16_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = bits_float(bf16_bits(src[i]));
}

/* Read n bytes at off: n, or fewer at the end of the file, or -1. */
static ssize_t
preadall(int fd, void *p, size_t n, uint64_t off)
{
	size_t got;
	ssize_t k;

	for (got = 0; got < n; got += (size_t)k) {
		k = pread(fd, (char *)p + got, n - got, (off_t)(off + got));
		if (k == -1 && errno == EINTR) {
			k = 0;
			continue;
		}
		if (k == -1)
			return -1;
		if (k == 0)
			break;
	}
	return (ssize_t)got;
}

/* "[64, 3, 7, 7]", as the header writes a shape */
static const char *
fmtshape(char *buf, size_t size, int ndim, const int64_t *dim)
{
	size_t len;
	int i;

	snprintf(buf, size, "[");
	for (i = 0; i < ndim; i++) {
		len = strlen(buf);
		snprintf(buf + len, size - len, "%s%lld", i ? ", " : "",
		    (long long)dim[i]);
	}
	len = strlen(buf);
	snprintf(buf + len, size - len, "]");
	return buf;
}

/* "1000x512", "a scalar": a shape compared with the model's */
static const char *
fmtdims(char *buf, size_t size, int ndim, const int64_t *dim)
{
	size_t len;
	int i;

	if (ndim == 0)
		snprintf(buf, size, "a scalar");
	else
		buf[0] = '\0';
	for (i = 0; i < ndim; i++) {
		len = strlen(buf);
		snprintf(buf + len, size - len, "%s%lld", i ? "x" : "",
		    (long long)dim[i]);
	}
	return buf;
}

/*
 * jansson stops at a duplicate key just after its closing quote (pos):
 * the key is the JSON string that ends there, from the nearest quote
 * before it that no odd run of backslashes escapes.  jansson decodes it
 * into key (ERR_QUOTESIZE bytes, quoted).  0, or -1 if it is not there.
 */
static int
dupkey(const char *hdr, size_t pos, char *key)
{
	json_error_t je;
	json_t *s;
	size_t j, k;
	int rc;

	if (pos < 2 || hdr[pos - 1] != '"')
		return -1;
	for (j = pos - 2; ; j--) {
		if (hdr[j] == '"') {
			for (k = j; k > 0 && hdr[k - 1] == '\\'; k--)
				;
			if ((j - k) % 2 == 0)
				break;
		}
		if (j == 0)
			return -1;
	}
	if ((s = json_loadb(hdr + j, pos - j, JSON_DECODE_ANY, &je)) == NULL)
		return -1;
	rc = json_is_string(s) ? 0 : -1;
	if (rc == 0)
		err_quote(json_string_value(s), key);
	json_decref(s);
	return rc;
}

/* A jansson error as "path: byte B: header: what near 'token'". */
static int
json_fail(const char *path, const char *hdr, const json_error_t *je)
{
	char text[JSON_ERROR_TEXT_LENGTH], q[ERR_QUOTESIZE], *near, *tok;
	size_t len, pos;

	pos = je->position > 0 ? (size_t)je->position : 0;
	if (json_error_code(je) == json_error_duplicate_key &&
	    dupkey(hdr, pos, q) == 0)
		return err_set("%s: byte %zu: header: duplicate key '%s'", path,
		    8 + pos, q);
	snprintf(text, sizeof text, "%s", je->text);
	if ((near = strstr(text, " near '")) != NULL) {
		*near = '\0';
		tok = near + 7;
		if ((len = strlen(tok)) > 0 && tok[len - 1] == '\'')
			tok[len - 1] = '\0';
		return err_set("%s: byte %zu: header: %s near '%s'", path,
		    8 + pos, text, err_quote(tok, q));
	}
	return err_set("%s: byte %zu: header: %s", path, 8 + pos,
	    err_quote(text, q));
}

static int
dtype_code(const char *s)
{
	int i;

	for (i = 0; i < ST_NDTYPE; i++)
		if (strcmp(s, dtypes[i].name) == 0)
			return i;
	return -1;
}

/* A JSON integer >= 0 into v: 0, or -1. */
static int
getcount(json_t *x, int64_t *v)
{
	if (!json_is_integer(x) || json_integer_value(x) < 0)
		return -1;
	*v = json_integer_value(x);
	return 0;
}

/* One tensor's entry of the header into t; data bytes follow it. */
static int
parse_tensor(const struct st_file *f, struct st_tensor *t, json_t *v,
    uint64_t data)
{
	char q[ERR_QUOTESIZE], q2[ERR_QUOTESIZE], sb[256];
	const char *k, *path;
	json_t *dt, *sh, *off, *x;
	uint64_t n, bits, bytes;
	int64_t o[2];
	size_t i;

	path = f->path;
	err_quote(t->name, q);
	if (!json_is_object(v))
		return err_set("%s: tensor '%s': not an object", path, q);
	json_object_foreach(v, k, x) {
		if (strcmp(k, "dtype") != 0 && strcmp(k, "shape") != 0 &&
		    strcmp(k, "data_offsets") != 0)
			return err_set("%s: tensor '%s': unknown key '%s'",
			    path, q, err_quote(k, q2));
	}
	if ((dt = json_object_get(v, "dtype")) == NULL)
		return err_set("%s: tensor '%s': no dtype", path, q);
	if ((sh = json_object_get(v, "shape")) == NULL)
		return err_set("%s: tensor '%s': no shape", path, q);
	if ((off = json_object_get(v, "data_offsets")) == NULL)
		return err_set("%s: tensor '%s': no data_offsets", path, q);
	if (!json_is_string(dt))
		return err_set("%s: tensor '%s': dtype is not a string", path,
		    q);
	if ((t->dtype = dtype_code(json_string_value(dt))) < 0)
		return err_set("%s: tensor '%s': unknown dtype '%s'", path, q,
		    err_quote(json_string_value(dt), q2));
	if (!json_is_array(sh))
		return err_set("%s: tensor '%s': shape is not a list", path,
		    q);
	if (json_array_size(sh) > ST_MAXDIM)
		return err_set("%s: tensor '%s': shape has %zu dimensions, "
		    "more than %d", path, q, json_array_size(sh), ST_MAXDIM);
	t->ndim = (int)json_array_size(sh);
	n = 1;
	json_array_foreach(sh, i, x) {
		if (getcount(x, &t->dim[i]) == -1)
			return err_set("%s: tensor '%s': shape: dimension %zu "
			    "is not an integer >= 0", path, q, i + 1);
		if (t->dim[i] != 0 && n > UINT64_MAX / (uint64_t)t->dim[i])
			n = UINT64_MAX;	/* overflow, caught below */
		else
			n *= (uint64_t)t->dim[i];
	}
	/* a product that overflowed stays UINT64_MAX unless a 0 follows */
	for (i = 0; i < (size_t)t->ndim; i++)
		if (t->dim[i] == 0)
			n = 0;
	t->n = n;
	if (!json_is_array(off) || json_array_size(off) != 2 ||
	    getcount(json_array_get(off, 0), &o[0]) == -1 ||
	    getcount(json_array_get(off, 1), &o[1]) == -1)
		return err_set("%s: tensor '%s': data_offsets is not [begin, "
		    "end] in integers >= 0", path, q);
	t->begin = (uint64_t)o[0];
	t->end = (uint64_t)o[1];
	if (t->begin > t->end)
		return err_set("%s: tensor '%s': data_offsets [%llu, %llu] end "
		    "before they begin", path, q,
		    (unsigned long long)t->begin, (unsigned long long)t->end);
	bits = (uint64_t)dtypes[t->dtype].bits;
	fmtshape(sb, sizeof sb, t->ndim, t->dim);
	if (n > UINT64_MAX / bits)
		return err_set("%s: tensor '%s': shape %s of %s: too many "
		    "elements", path, q, sb, dtypes[t->dtype].name);
	if (n * bits % 8 != 0)
		return err_set("%s: tensor '%s': shape %s of %s is not a whole "
		    "number of bytes", path, q, sb, dtypes[t->dtype].name);
	bytes = n * bits / 8;
	if (bytes != t->end - t->begin)
		return err_set("%s: tensor '%s': shape %s of %s is %llu bytes, "
		    "data_offsets [%llu, %llu] hold %llu", path, q, sb,
		    dtypes[t->dtype].name, (unsigned long long)bytes,
		    (unsigned long long)t->begin, (unsigned long long)t->end,
		    (unsigned long long)(t->end - t->begin));
	if (t->end > data)
		return err_set("%s: tensor '%s': data_offsets [%llu, %llu] run "
		    "past the end of the data (%llu bytes)", path, q,
		    (unsigned long long)t->begin, (unsigned long long)t->end,
		    (unsigned long long)data);
	return 0;
}

/* A tensor's place in the data, or its name, for sorting. */
struct span {
	uint64_t begin, end;
	int	 i;
};

struct key {
	const char *name;
	int	 i;
};

static int
cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->begin != y->begin)
		return x->begin < y->begin ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return 0;
}

static int
cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/*
 * The tensors sorted by offset must tile [0, data): each begins where
 * the one before ends (empty tensors anywhere in between), the last
 * ends at data.  Fills f->byname.
 */
static int
check_layout(struct st_file *f, uint64_t data)
{
	struct span *s;
	struct key *k;
	const struct st_tensor *a, *b;
	char q[ERR_QUOTESIZE], q2[ERR_QUOTESIZE];
	uint64_t at;
	size_t n;
	int i, rc;

	n = (size_t)f->ntensor;
	if ((s = malloc((n + 1) * sizeof *s)) == NULL)
		return err_set("%s: out of memory", f->path);
	for (i = 0; i < f->ntensor; i++) {
		s[i].begin = f->tensor[i].begin;
		s[i].end = f->tensor[i].end;
		s[i].i = i;
	}
	qsort(s, n, sizeof *s, cmp_span);
	rc = 0;
	for (at = 0, i = 0; i < f->ntensor && rc == 0; i++) {
		if (s[i].begin < at) {
			a = &f->tensor[s[i - 1].i];
			b = &f->tensor[s[i].i];
			rc = err_set("%s: tensors '%s' and '%s' overlap: "
			    "data_offsets [%llu, %llu] and [%llu, %llu]",
			    f->path, err_quote(a->name, q),
			    err_quote(b->name, q2),
			    (unsigned long long)a->begin,
			    (unsigned long long)a->end,
			    (unsigned long long)b->begin,
			    (unsigned long long)b->end);
		} else if (s[i].begin > at)
			rc = err_set("%s: data bytes [%llu, %llu) belong to "
			    "no tensor", f->path, (unsigned long long)at,
			    (unsigned long long)s[i].begin);
		at = s[i].end;
	}
	free(s);
	if (rc == 0 && at != data)
		rc = err_set("%s: data bytes [%llu, %llu) belong to no tensor",
		    f->path, (unsigned long long)at, (unsigned long long)data);
	if (rc == -1)
		return -1;
	if ((k = malloc((n + 1) * sizeof *k)) == NULL)
		return err_set("%s: out of memory", f->path);
	for (i = 0; i < f->ntensor; i++) {
		k[i].name = f->tensor[i].name;
		k[i].i = i;
	}
	qsort(k, n, sizeof *k, cmp_key);
	for (i = 0; i < f->ntensor; i++)
		f->byname[i] = k[i].i;
	free(k);
	return 0;
}

/* The header's object into f: tensors, metadata, their strings. */
static int
parse_header(struct st_file *f, json_t *root, uint64_t data)
{
	char q[ERR_QUOTESIZE];
	const char *k;
	json_t *v, *meta, *x;
	size_t need, len, nt;
	char *s;
	int i;

	meta = json_object_get(root, "__metadata__");
	if (meta != NULL && !json_is_object(meta))
		return err_set("%s: __metadata__ is not an object", f->path);
	need = 1;
	json_object_foreach(root, k, v) {
		need += strlen(k) + 1;
	}
	if (meta != NULL) {
		json_object_foreach(meta, k, x) {
			if (!json_is_string(x))
				return err_set("%s: __metadata__: '%s' is not "
				    "a string", f->path, err_quote(k, q));
			need += strlen(k) + 1 + json_string_length(x) + 1;
		}
	}
	nt = json_object_size(root) - (meta != NULL);
	if (nt > INT_MAX / 2)
		return err_set("%s: %zu tensors, too many", f->path, nt);
	f->ntensor = (int)nt;
	f->nmeta = meta != NULL ? (int)json_object_size(meta) : 0;
	if ((f->strings = malloc(need)) == NULL ||
	    (f->tensor = calloc(nt + 1, sizeof *f->tensor)) == NULL ||
	    (f->byname = calloc(nt + 1, sizeof *f->byname)) == NULL ||
	    (f->meta = calloc(2 * (size_t)f->nmeta + 1, sizeof *f->meta)) ==
	    NULL)
		return err_set("%s: out of memory", f->path);
	s = f->strings;
	i = 0;
	if (meta != NULL) {
		json_object_foreach(meta, k, x) {
			len = strlen(k) + 1;
			f->meta[i++] = memcpy(s, k, len);
			s += len;
			len = json_string_length(x) + 1;
			f->meta[i++] = memcpy(s, json_string_value(x), len);
			s += len;
		}
	}
	i = 0;
	json_object_foreach(root, k, v) {
		if (v == meta)
			continue;
		len = strlen(k) + 1;
		f->tensor[i].name = memcpy(s, k, len);
		s += len;
		if (parse_tensor(f, &f->tensor[i], v, data) == -1)
			return -1;
		i++;
	}
	return check_layout(f, data);
}

int
st_sniff(const unsigned char *head, size_t n, uint64_t size)
{
	uint64_t len;

	if (n < 9 || size < 10)
		return 0;
	len = le_get64(head);
	return len >= 2 && len <= size - 8 && len <= (uint64_t)ST_MAXHEADER &&
	    head[8] == '{';
}

int
st_open(struct st_file *f, const char *path)
{
	struct stat sb;
	json_error_t je;
	json_t *root;
	unsigned char b8[8];
	char *hdr;
	ssize_t got;
	uint64_t len;
	int rc;

	memset(f, 0, sizeof *f);
	f->fd = -1;
	if ((f->path = strdup(path)) == NULL)
		return err_set("%s: out of memory", path);
	hdr = NULL;
	if ((f->fd = open(path, O_RDONLY)) == -1 ||
	    fstat(f->fd, &sb) == -1) {
		rc = err_set("%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		rc = err_set("%s: not a regular file", path);
		goto out;
	}
	f->size = (uint64_t)sb.st_size;
	if ((got = preadall(f->fd, b8, 8, 0)) == -1) {
		rc = err_set("%s: %s", path, strerror(errno));
		goto out;
	}
	if (got < 8) {
		rc = err_set("%s: not a safetensors file (%zd bytes)", path,
		    got);
		goto out;
	}
	len = le_get64(b8);
	if (len > f->size - 8) {
		rc = err_set("%s: not a safetensors file, or truncated (a "
		    "header of %llu bytes in a file of %llu)", path,
		    (unsigned long long)len, (unsigned long long)f->size);
		goto out;
	}
	if (len > (uint64_t)ST_MAXHEADER) {
		rc = err_set("%s: a header of %llu bytes, more than the %ld "
		    "this lrf reads", path, (unsigned long long)len,
		    ST_MAXHEADER);
		goto out;
	}
	f->hlen = len;
	if ((hdr = malloc(len + 1)) == NULL) {
		rc = err_set("%s: out of memory", path);
		goto out;
	}
	if ((got = preadall(f->fd, hdr, len, 8)) == -1) {
		rc = err_set("%s: %s", path, strerror(errno));
		goto out;
	}
	if ((uint64_t)got < len) {
		rc = err_set("%s: truncated at byte %llu", path,
		    (unsigned long long)got + 8);
		goto out;
	}
	if (len == 0 || hdr[0] != '{') {
		rc = err_set("%s: not a safetensors file (the header does not "
		    "start with '{')", path);
		goto out;
	}
	if ((root = json_loadb(hdr, len, JSON_REJECT_DUPLICATES, &je)) ==
	    NULL) {
		rc = json_fail(path, hdr, &je);
		goto out;
	}
	rc = parse_header(f, root, f->size - 8 - len);
	json_decref(root);
out:
	free(hdr);
	if (rc == -1)
		st_close(f);
	return rc;
}

void
st_close(struct st_file *f)
{
	if (f->path != NULL && f->fd >= 0)	/* zeroed: fd 0 is not ours */
		close(f->fd);
	free(f->path);
	free(f->tensor);
	free(f->byname);
	free(f->meta);
	free(f->strings);
	memset(f, 0, sizeof *f);
	f->fd = -1;
}

int
st_find(const struct st_file *f, const char *name)
{
	int lo, hi, mid, c;

	lo = 0;
	hi = f->ntensor - 1;
	while (lo <= hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(name, f->tensor[f->byname[mid]].name);
		if (c == 0)
			return f->byname[mid];
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

const char *
st_meta(const struct st_file *f, const char *key)
{
	int i;

	for (i = 0; i < f->nmeta; i++)
		if (strcmp(f->meta[2 * i], key) == 0)
			return f->meta[2 * i + 1];
	return NULL;
}

/* The read of tensor t came short: say why. */
static int
short_read(const struct st_file *f, const struct st_tensor *t, ssize_t got)
{
	char q[ERR_QUOTESIZE];

	if (got == -1)
		return err_set("%s: %s", f->path, strerror(errno));
	return err_set("%s: tensor '%s': the file ends in its data (it was "
	    "truncated after it was opened)", f->path, err_quote(t->name, q));
}

int
st_read(const struct st_file *f, int i, float *dst)
{
	const struct st_tensor *t;
	unsigned char buf[2 * CHUNK];
	uint16_t h[CHUNK];
	char q[ERR_QUOTESIZE];
	uint64_t off, left;
	size_t k, j, nb;
	ssize_t got;

	t = &f->tensor[i];
	off = 8 + f->hlen + t->begin;
	switch (t->dtype) {
	case ST_F32:
		if (t->n > SIZE_MAX / sizeof(float))
			return err_set("%s: tensor '%s': too large",
			    f->path, err_quote(t->name, q));
		nb = (size_t)t->n * sizeof(float);
		if ((got = preadall(f->fd, dst, nb, off)) != (ssize_t)nb)
			return short_read(f, t, got);
		le_floats(dst, (size_t)t->n);
		return 0;
	case ST_F16:
	case ST_BF16:
		for (left = t->n; left > 0; left -= k, dst += k) {
			k = left < CHUNK ? (size_t)left : CHUNK;
			if ((got = preadall(f->fd, buf, 2 * k, off)) !=
			    (ssize_t)(2 * k))
				return short_read(f, t, got);
			off += 2 * k;
			for (j = 0; j < k; j++)
				h[j] = (uint16_t)(buf[2 * j] |
				    buf[2 * j + 1] << 8);
			if (t->dtype == ST_F16)
				st_f16_to_f32(dst, h, k);
			else
				st_bf16_to_f32(dst, h, k);
		}
		return 0;
	default:
		return err_set("%s: tensor '%s': dtype %s cannot be read as "
		    "float32", f->path, err_quote(t->name, q),
		    dtypes[t->dtype].name);
	}
}

/* An item's shape is a tensor's. */
static int
same_shape(const struct st_item *it, const struct st_tensor *t)
{
	int i;

	if (it->ndim != t->ndim)
		return 0;
	for (i = 0; i < t->ndim; i++)
		if (it->dim[i] != t->dim[i])
			return 0;
	return 1;
}

/* " (and 3 more)", or "" */
static const char *
more(char *buf, size_t size, int n)
{
	if (n > 0)
		snprintf(buf, size, " (and %d more)", n);
	else
		buf[0] = '\0';
	return buf;
}

int
st_load(struct st_file *f, struct st_item *items, int nitem, int partial)
{
	struct st_item *it;
	struct st_tensor *t;
	char q[ERR_QUOTESIZE], fb[256], mb[256], mo[32];
	int64_t d[ST_MAXDIM];
	int i, j, k, nmiss, nshape, nextra, ndtype, first[4], cnt;

	for (k = 0; k < f->ntensor; k++)
		f->tensor[k].used = 0;
	nmiss = nshape = ndtype = 0;
	first[0] = first[1] = first[2] = first[3] = -1;
	for (i = 0; i < nitem; i++) {
		it = &items[i];
		it->status = 0;
		if (it->ndim < 0 || it->ndim > ST_MAXDIM)
			return err_set("%s: tensor '%s': the model's shape has "
			    "%d dimensions", f->path, err_quote(it->name, q),
			    it->ndim);
		if ((k = st_find(f, it->name)) < 0) {
			it->status = ST_MISSING;
			if (!it->optional && nmiss++ == 0)
				first[0] = i;
			continue;
		}
		t = &f->tensor[k];
		if (t->used)
			return err_set("%s: the model has two tensors named "
			    "'%s'", f->path, err_quote(it->name, q));
		t->used = 1;
		if (!same_shape(it, t)) {
			it->status = ST_MISMATCH;
			if (nshape++ == 0)
				first[1] = i;
			continue;
		}
		it->status = it->p != NULL ? ST_LOADED : ST_PRESENT;
		if (it->p != NULL && t->dtype != ST_F32 &&
		    t->dtype != ST_F16 && t->dtype != ST_BF16 &&
		    ndtype++ == 0)
			first[2] = i;
	}
	for (nextra = 0, k = 0; k < f->ntensor; k++)
		if (!f->tensor[k].used && nextra++ == 0)
			first[3] = k;
	if (!partial && nmiss > 0)
		return err_set("%s: tensor '%s' is missing%s", f->path,
		    err_quote(items[first[0]].name, q),
		    more(mo, sizeof mo, nmiss - 1));
	if (!partial && nshape > 0) {
		it = &items[first[1]];
		for (j = 0; j < it->ndim; j++)
			d[j] = it->dim[j];
		t = &f->tensor[st_find(f, it->name)];
		return err_set("%s: tensor '%s' is %s, the model wants %s%s",
		    f->path, err_quote(it->name, q),
		    fmtdims(fb, sizeof fb, t->ndim, t->dim),
		    fmtdims(mb, sizeof mb, it->ndim, d),
		    more(mo, sizeof mo, nshape - 1));
	}
	if (ndtype > 0) {
		t = &f->tensor[st_find(f, items[first[2]].name)];
		return err_set("%s: tensor '%s': dtype %s cannot be read as "
		    "float32%s", f->path, err_quote(t->name, q),
		    dtypes[t->dtype].name, more(mo, sizeof mo, ndtype - 1));
	}
	if (!partial && nextra > 0)
		return err_set("%s: tensor '%s' is not in the model%s",
		    f->path, err_quote(f->tensor[first[3]].name, q),
		    more(mo, sizeof mo, nextra - 1));
	for (cnt = 0, i = 0; i < nitem; i++)
		if (items[i].status == ST_LOADED) {
			if (st_read(f, st_find(f, items[i].name),
			    items[i].p) == -1)
				return -1;
			cnt++;
		}
	return cnt;
}

/* A writer that keeps its first error. */
struct wr {
	FILE	*fp;
	int	 err;		/* errno of the first failure, 0 if none */
};

static void
wr_bytes(struct wr *w, const void *p, size_t n)
{
	if (w->err || n == 0)
		return;
	if (fwrite(p, 1, n, w->fp) != n)
		w->err = errno ? errno : EIO;
}

static void
wr_floats(struct wr *w, const float *p, uint64_t n)
{
	float buf[CHUNK];
	size_t k;

	if (le_native()) {
		wr_bytes(w, p, (size_t)n * sizeof(float));
		return;
	}
	while (n > 0 && !w->err) {
		k = n < CHUNK ? (size_t)n : CHUNK;
		memcpy(buf, p, k * sizeof(float));
		le_floats(buf, k);
		wr_bytes(w, buf, k * sizeof(float));
		p += k;
		n -= k;
	}
}

/* Elements of an item, or -1 for a bad shape or too many. */
static int64_t
item_count(const struct st_item *it)
{
	uint64_t n;
	int i;

	if (it->ndim < 0 || it->ndim > ST_MAXDIM)
		return -1;
	for (n = 1, i = 0; i < it->ndim; i++) {
		if (it->dim[i] < 0)
			return -1;
		if (it->dim[i] > 0 &&
		    n > (uint64_t)(INT64_MAX / 4) / (uint64_t)it->dim[i])
			return -1;
		n *= (uint64_t)it->dim[i];
	}
	return (int64_t)n;
}

/*
 * The header of items and meta, compact, padded with blanks to a
 * multiple of 8 bytes; *len its length.  NULL with a message on error.
 */
static char *
build_header(const char *path, const struct st_item *items, int nitem,
    const char *const *meta, int nmeta, size_t *len)
{
	json_t *root, *m, *t, *sh, *v;
	char q[ERR_QUOTESIZE], *s, *hdr;
	uint64_t off;
	int64_t n;
	size_t l;
	int i, j, bad;

	hdr = NULL;
	if ((root = json_object()) == NULL)
		goto nomem;
	if (nmeta > 0) {
		if ((m = json_object()) == NULL ||
		    json_object_set_new(root, "__metadata__", m) == -1)
			goto nomem;
		for (i = 0; i < nmeta; i++) {
			if (meta[2 * i] == NULL || meta[2 * i + 1] == NULL) {
				err_set("%s: __metadata__: a NULL key or value",
				    path);
				goto fail;
			}
			err_quote(meta[2 * i], q);
			if (json_object_get(m, meta[2 * i]) != NULL) {
				err_set("%s: __metadata__: key '%s' twice",
				    path, q);
				goto fail;
			}
			if ((v = json_string(meta[2 * i + 1])) == NULL ||
			    json_object_set_new(m, meta[2 * i], v) == -1) {
				err_set("%s: __metadata__: key '%s': the key "
				    "or the value is not UTF-8", path, q);
				goto fail;
			}
		}
	}
	for (off = 0, i = 0; i < nitem; i++) {
		err_quote(items[i].name != NULL ? items[i].name : "(null)", q);
		if (items[i].name == NULL ||
		    strcmp(items[i].name, "__metadata__") == 0) {
			err_set("%s: a tensor cannot be named '%s'", path, q);
			goto fail;
		}
		if ((v = json_string(items[i].name)) == NULL) {
			err_set("%s: tensor '%s': the name is not UTF-8", path,
			    q);
			goto fail;
		}
		json_decref(v);
		if (json_object_get(root, items[i].name) != NULL) {
			err_set("%s: two tensors named '%s'", path, q);
			goto fail;
		}
		if ((n = item_count(&items[i])) < 0 ||
		    (n > 0 && items[i].p == NULL) ||
		    off + 4 * (uint64_t)n > (uint64_t)INT64_MAX) {
			err_set("%s: tensor '%s': bad shape, too large, or no "
			    "data", path, q);
			goto fail;
		}
		if ((t = json_object()) == NULL ||
		    json_object_set_new(root, items[i].name, t) == -1 ||
		    (sh = json_array()) == NULL)
			goto nomem;
		bad = json_object_set_new(t, "dtype", json_string("F32"));
		bad |= json_object_set_new(t, "shape", sh);
		for (j = 0; j < items[i].ndim; j++)
			bad |= json_array_append_new(sh,
			    json_integer(items[i].dim[j]));
		bad |= json_object_set_new(t, "data_offsets",
		    json_pack("[II]", (json_int_t)off,
		    (json_int_t)off + 4 * (json_int_t)n));
		if (bad)
			goto nomem;
		off += 4 * (uint64_t)n;
	}
	if ((s = json_dumps(root, JSON_COMPACT)) == NULL)
		goto nomem;
	l = strlen(s);
	if ((hdr = realloc(s, l + 8)) == NULL) {
		free(s);
		goto nomem;
	}
	while (l % 8 != 0)
		hdr[l++] = ' ';
	*len = l;
	if (l > (size_t)ST_MAXHEADER) {
		err_set("%s: a header of %zu bytes, more than %ld", path, l,
		    ST_MAXHEADER);
		free(hdr);
		hdr = NULL;
	}
	json_decref(root);
	return hdr;
nomem:
	err_set("%s: out of memory", path);
fail:
	json_decref(root);
	return NULL;
}

int
st_save(const char *path, const struct st_item *items, int nitem,
    const char *const *meta, int nmeta)
{
	struct wr w;
	struct stat st;
	unsigned char b8[8];
	char *tmp, *hdr;
	mode_t mask;
	size_t len, hlen;
	int fd, direct, e, i;

	if ((hdr = build_header(path, items, nitem, meta, nmeta, &hlen)) ==
	    NULL)
		return -1;
	for (i = 0; i < 8; i++)
		b8[i] = (unsigned char)((uint64_t)hlen >> (8 * i));

	/* Devices, FIFOs and the like are written in place. */
	direct = stat(path, &st) == 0 && !S_ISREG(st.st_mode);
	tmp = NULL;
	memset(&w, 0, sizeof w);
	if (direct) {
		if ((w.fp = fopen(path, "wb")) == NULL) {
			e = errno;
			goto fail;
		}
	} else {
		len = strlen(path);
		if ((tmp = malloc(len + 8)) == NULL) {
			free(hdr);
			return err_set("%s: out of memory", path);
		}
		memcpy(tmp, path, len);
		memcpy(tmp + len, ".XXXXXX", 8);
		if ((fd = mkstemp(tmp)) == -1) {
			e = errno;
			free(tmp);
			tmp = NULL;
			goto fail;
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
	wr_bytes(&w, b8, 8);
	wr_bytes(&w, hdr, hlen);
	for (i = 0; i < nitem; i++)
		wr_floats(&w, items[i].p, (uint64_t)item_count(&items[i]));
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
	if (!direct && rename(tmp, path) == -1) {
		e = errno;
		goto fail;
	}
	free(tmp);
	free(hdr);
	return 0;

fail:
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	free(hdr);
	return err_set("%s: %s", path, strerror(e));
}

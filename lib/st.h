/*
 * st.h - safetensors files: read, write, and fill tensors by name.
 *
 * The format of PyTorch and Hugging Face users (no pickle), all integers
 * little-endian:
 *
 *	N	 8 bytes, unsigned: the length of the header
 *	header	 N bytes of UTF-8 JSON, an object that starts with '{' (and
 *		 may be padded with blanks to N):
 *		   {"__metadata__": {"format": "pt"},		(optional)
 *		    "conv1.weight": {"dtype": "F32", "shape": [64, 3, 7, 7],
 *			"data_offsets": [0, 37632]},
 *		    "bn1.num_batches_tracked": {"dtype": "I64", "shape": [],
 *			"data_offsets": [37632, 37640]}, ...}
 *	data	 the tensors' bytes, little-endian, row-major; a tensor's
 *		 data_offsets [begin, end) count from the first byte after
 *		 the header
 *
 * st_open checks everything the format says, with jansson as the JSON
 * parser: N within the file and at most ST_MAXHEADER; the header is
 * UTF-8 JSON (no NUL escapes) that starts with '{', with no key twice
 * and nothing after it but blanks; "__metadata__", if there, maps
 * strings to strings; every other key is a tensor, an object with
 * exactly "dtype" (one of the names of st_dtype_name), "shape" (at most
 * ST_MAXDIM integers >= 0; [] is a scalar) and "data_offsets" ([begin,
 * end], integers, begin <= end); the product of the shape times the
 * dtype's size (in bits, a whole number of bytes) is end - begin, without
 * overflow; and the tensors, sorted by offset, cover the data exactly:
 * no overlap, no hole, nothing after the last.  Tensors of 0 elements
 * are allowed (begin = end).  Values are not checked: NaN and inf are
 * data.
 *
 * Messages name the file, and the tensor when one is at fault:
 *	"w.safetensors: tensor 'fc.weight': shape [10, 512] of F32 is
 *	20480 bytes, data_offsets [0, 20476] hold 20476"
 *	"w.safetensors: tensors 'fc.weight' and 'fc.bias' overlap:
 *	data_offsets [0, 20480] and [20476, 20516]"
 *	"w.safetensors: byte 61: header: duplicate key 'fc.bias'"
 * Names are quoted as err_quote does (cut, control bytes escaped).
 *
 * Reading: st_open reads the first 8 + N bytes and no more; st_read
 * and st_load read the bytes of the tensors asked for, with pread, and
 * convert F32, F16 and BF16 to float32, exactly (every F16 and BF16
 * value is a float32) and bit for bit as torch's .float() on x86: NaNs
 * keep their sign and payload, F16's come out quiet (as vcvtph2ps makes
 * them), BF16's as they are (its bits are a float's top half).  Other
 * dtypes are listed and matched but cannot be read as float32.
 *
 * Writing: st_save writes float32 tensors, the header compact and padded
 * with blanks to a multiple of 8 bytes (as the Rust safetensors writes
 * it: the data of every tensor is then 4-byte aligned in the file), in
 * the order given, through a temporary file that is fsync'ed and renamed,
 * as wfile_save does.
 */
#ifndef LRF_ST_H
#define LRF_ST_H

#include <stddef.h>
#include <stdint.h>

#define ST_MAXHEADER	(16L << 20)	/* header bytes (16 MiB): room
					   for some 200,000 tensors; jansson
					   takes 20 bytes of memory per
					   byte (330 MB at most); the
					   Rust reader allows 100 MB */
#define ST_MAXDIM	8		/* dimensions of a tensor */

/* The dtypes safetensors (0.8) names, in its order. */
enum {
	ST_BOOL, ST_F4, ST_F6_E2M3, ST_F6_E3M2, ST_U8, ST_I8, ST_F8_E5M2,
	ST_F8_E4M3, ST_F8_E8M0, ST_F8_E4M3FNUZ, ST_F8_E5M2FNUZ, ST_I16,
	ST_U16, ST_F16, ST_BF16, ST_I32, ST_U32, ST_F32, ST_C64, ST_F64,
	ST_I64, ST_U64, ST_NDTYPE
};

/* One tensor of an open file. */
struct st_tensor {
	const char *name;	/* in f->strings */
	int	 dtype;		/* ST_* */
	int	 ndim;		/* 0 (a scalar) .. ST_MAXDIM */
	int64_t	 dim[ST_MAXDIM];	/* shape, row-major */
	uint64_t n;		/* elements: the product of dim[] */
	uint64_t begin, end;	/* data_offsets: bytes [begin, end) of
				   the data */
	int	 used;		/* set by st_load: 1 if an item has its
				   name (read, checked, or of another
				   shape), 0 if none (ignored) */
};

struct st_file {
	char	*path;		/* for messages */
	int	 fd;
	uint64_t size;		/* bytes in the file */
	uint64_t hlen;		/* N: bytes of the header; the data
				   starts at 8 + hlen */
	int	 ntensor;
	struct st_tensor *tensor;	/* (ntensor) in the header's order */
	int	*byname;	/* (ntensor) tensor indices sorted by name */
	int	 nmeta;
	const char **meta;	/* (2 * nmeta) __metadata__'s keys and
				   values, in the header's order */
	char	*strings;	/* the names, keys and values */
};

/*
 * Open path and check its header (see above).  Returns 0, or -1 with
 * "path: what" set, f then holding nothing to free.
 */
int st_open(struct st_file *f, const char *path);

/* Close the file and free what st_open allocated; f may be zeroed. */
void st_close(struct st_file *f);

/* The index of the tensor named name in f->tensor, or -1. */
int st_find(const struct st_file *f, const char *name);

/* The __metadata__ value of key, or NULL. */
const char *st_meta(const struct st_file *f, const char *key);

/*
 * Read tensor i (F32, F16 or BF16) into dst, (f->tensor[i].n) floats.
 * Returns 0, or -1 with a message: another dtype ("w.safetensors: tensor
 * 'bn1.num_batches_tracked': dtype I64 cannot be read as float32"), a
 * read error, a file truncated since st_open.
 */
int st_read(const struct st_file *f, int i, float *dst);

/*
 * A tensor wanted (st_load) or given (st_save): its name and shape, and
 * its (product of dim) floats.
 */
struct st_item {
	const char *name;	/* "layer1.0.conv1.weight" */
	int	 ndim;		/* 0 .. ST_MAXDIM */
	long	 dim[ST_MAXDIM];
	float	*p;		/* the floats; st_load: NULL to check the
				   tensor's presence and shape only (any
				   dtype), not read it */
	int	 optional;	/* st_load: no error if the file lacks it */
	int	 status;	/* st_load sets one of: */
};

enum {
	ST_LOADED = 1,		/* read into p */
	ST_PRESENT,		/* p NULL: in the file, with its shape */
	ST_MISSING,		/* not in the file (optional or partial) */
	ST_MISMATCH		/* in the file with another shape (partial) */
};

/*
 * Fill items by name from f.  Every item must be in the file with its
 * shape, and every tensor of the file must be an item's; an item's name
 * twice is an error.  partial = 1 (a new head, --load-partial): missing
 * items, items whose shape differs and tensors no item wants are skipped
 * instead; the items' status says which were loaded, and the tensors of
 * the file no item took keep used = 0.  An item to be read must be F32,
 * F16 or BF16 in the file, partial or not.  All of this is checked
 * before anything is read, so that such an error changes no p; a read
 * error (a file truncated since st_open) may leave the items before it
 * filled.  Returns the number of items read into their p, or -1 with
 * a message naming the first tensor at fault and how many more are:
 *	"w.safetensors: tensor 'fc.weight' is missing (and 1 more)"
 *	"w.safetensors: tensor 'fc.weight' is 1000x512, the model wants
 *	10x512"
 *	"w.safetensors: tensor 'fc2.bias' is not in the model"
 */
int st_load(struct st_file *f, struct st_item *items, int nitem,
    int partial);

/*
 * Write the items (ndim, dim, p; optional and status unused) to path as
 * F32 tensors, in their order, with meta (nmeta pairs of key, value;
 * NULL if none) as __metadata__.  A regular file (or a new one) is
 * replaced atomically, any other path (/dev/stdout) written directly,
 * as wfile_save.  Names and metadata must be UTF-8, no name twice, no
 * tensor named "__metadata__".  Returns 0, or -1 with "path: what" set
 * (the old file intact, the temporary removed).
 */
int st_save(const char *path, const struct st_item *items, int nitem,
    const char *const *meta, int nmeta);

/*
 * 1 if the first n bytes of a file of size bytes look like safetensors
 * (a header length that fits the file and ST_MAXHEADER, then '{'), else
 * 0.  An lrf weights file ("LRFW") never does.
 */
int st_sniff(const unsigned char *head, size_t n, uint64_t size);

/* "F32", "BF16", ...; "?" for a value out of range. */
const char *st_dtype_name(int dtype);

/* Bits of one element of dtype: 4 (F4) .. 64. */
int st_dtype_bits(int dtype);

/* n IEEE half-precision (F16) or bfloat16 (BF16) values to float32. */
void st_f16_to_f32(float *dst, const uint16_t *src, size_t n);
void st_bf16_to_f32(float *dst, const uint16_t *src, size_t n);

/*
 * lrf's nets (lib/net.h) as safetensors, in lib/stnet.c.  A layer's
 * tensors are "<layer name>.<tensor name>", as PyTorch's state_dict
 * names a module's: "dense1.weight", "conv2.bias", "batchnorm1.weight",
 * "batchnorm1.running_mean".  A layer named as a torchvision module
 * ("layer1.0") whose tensors are named by their path in it
 * ("downsample.1.running_var") gets torchvision's names
 * ("layer1.0.downsample.1.running_var").  Next to each running_var
 * PyTorch keeps an int64 scalar, "...num_batches_tracked" for
 * "...running_var" ("bn1.num_batches_tracked"): lrf reads it from no
 * file (its shape is checked, it may be absent) and writes it to none
 * (torch's load_state_dict fills it in).
 */
struct net;

/*
 * Write n's tensors to path (st_save), with __metadata__ {"format":
 * "pt"} (the tensors are torch's, in torch's layout).  0 or -1.
 */
int st_net_save(const struct net *n, const char *path);

/*
 * Read a weights file into n: safetensors by the names above, or, if it
 * starts with "LRFW", lrf's own format (wfile_load; so is a FIFO or a
 * device, read once as a stream: safetensors needs a regular file).
 * Anything else is "path: neither safetensors nor an lrf weights
 * file".  As wfile_load: the shapes must be the model's, n is changed
 * only when everything is right (staged in a copy), partial = 1 skips
 * what does not fit, and loaded (room for n->nlayer ints, or NULL) gets
 * 1 for each model layer read, 0 for the others; a layer is read whole
 * or not at all.  Returns the number of layers read, or -1 with "path:
 * what" set.
 */
int st_net_load(struct net *n, const char *path, int partial, int *loaded);

/*
 * Check path as a weights file without a model, as lrf-find does before
 * it copies one: safetensors (st_open's checks: the header, and the data
 * covered exactly) or lrf's own (wfile_check).  0 and the file's size in
 * bytes in *size (if not NULL), or -1 with "path: what" set ("neither
 * safetensors nor an lrf weights file").
 */
int st_net_check(const char *path, long long *size);

#endif

/*
 * imgdir.c - the scan of a class-per-folder image collection and its
 * split list files.
 *
 * A class is walked breadth-first through openat() relative to the root,
 * so that no path is longer than it must be and nothing is stat'ed that
 * readdir's d_type already describes.  Its folders and files are kept in
 * a scratch pool; once the walk is over, the folders are sorted by path
 * and the files by (folder rank, name) - torchvision's
 * sorted(os.walk(class)) then sorted(files) - and copied into the
 * collection's one pool of paths.
 */
/* d_type in struct dirent (glibc, musl; the BSDs have it anyway) */
/* NOLINTNEXTLINE(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "imgdir.h"

/* A growing pool of NUL-terminated strings, addressed by offset. */
struct pool {
	char	*p;
	size_t	 n, cap;
};

struct folder {
	size_t	 path;		/* offset in the scratch pool, then: */
	const char *s;		/* its path once the pool stops growing */
	dev_t	 dev;
	ino_t	 ino;
	long	 parent;	/* index of the folder above, -1 for the
				   class folder */
	long	 rank;		/* place in strcmp order of paths */
};

struct file {
	size_t	 folder;	/* index in the folders */
	size_t	 name;		/* offset in the scratch pool, then: */
	const char *s;
};

/* Walk state for one class. */
struct walk {
	struct pool tmp;	/* folder paths and file names */
	struct folder *fo;	/* (nfo) */
	size_t	 nfo, capfo;
	struct file *fi;	/* (nfi) */
	size_t	 nfi, capfi;
	dev_t	 rootdev;	/* the root: an ancestor of every folder */
	ino_t	 rootino;
};

/* Append s (len bytes) and a NUL; its offset, or -1 if out of memory. */
static long
pool_add(struct pool *p, const char *s, size_t len)
{
	size_t cap, at;
	char *q;

	if (p->n + len + 1 > p->cap) {
		cap = p->cap ? p->cap : 4096;
		while (cap < p->n + len + 1)
			cap *= 2;
		if ((q = realloc(p->p, cap)) == NULL)
			return -1;
		p->p = q;
		p->cap = cap;
	}
	at = p->n;
	memcpy(p->p + at, s, len);
	p->p[at + len] = '\0';
	p->n += len + 1;
	return (long)at;
}

/* Make room for one more element in *v (n used, *cap allocated). */
static int
more(void *vp, size_t *cap, size_t n, size_t sz)
{
	void **v = vp;
	size_t c;
	void *q;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	if ((q = realloc(*v, c * sz)) == NULL)
		return -1;
	*v = q;
	*cap = c;
	return 0;
}

int
imgdir_isimage(const char *name)
{
	static const char *ext[] = { "jpg", "jpeg", "png" };
	const char *dot, *a, *b;
	size_t i;

	if (name[0] == '.' || (dot = strrchr(name, '.')) == NULL)
		return 0;
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		for (a = dot + 1, b = ext[i]; *a != '\0' && *b != '\0';
		    a++, b++)
			if ((*a >= 'A' && *a <= 'Z' ? *a + 32 : *a) != *b)
				break;
		if (*a == '\0' && *b == '\0')
			return 1;
	}
	return 0;
}

enum { T_DIR, T_FILE, T_OTHER };

/* What entry e of the folder open as fd is, following symbolic links; a
 * link that leads nowhere is a file (it fails when read, as in
 * torchvision). */
static int
kind(int fd, const struct dirent *e)
{
	struct stat st;

#ifdef DT_UNKNOWN
	switch (e->d_type) {
	case DT_DIR:
		return T_DIR;
	case DT_REG:
		return T_FILE;
	case DT_LNK:
	case DT_UNKNOWN:
		break;
	default:
		return T_OTHER;
	}
#endif
	if (fstatat(fd, e->d_name, &st, 0) < 0)
		return T_FILE;
	return S_ISDIR(st.st_mode) ? T_DIR : S_ISREG(st.st_mode) ? T_FILE :
	    T_OTHER;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_folder(const void *a, const void *b)
{
	return strcmp(((const struct folder *)a)->s,
	    ((const struct folder *)b)->s);
}

/* qsort has no context argument: files carry their folder's rank. */
static int
cmp_file(const void *a, const void *b)
{
	const struct file *x = a, *y = b;

	if (x->folder != y->folder)
		return x->folder < y->folder ? -1 : 1;
	return strcmp(x->s, y->s);
}

/* Walk class folder cls; its files go into w, sorted. */
static int
walk_class(struct imgdir *d, int rootfd, const char *cls, struct walk *w)
{
	struct dirent *e;
	struct stat st;
	struct folder *f;
	long at, up;
	size_t i, plen, nlen, *rank;
	DIR *dp;
	int fd, k;
	char *path;

	w->tmp.n = 0;
	w->nfo = w->nfi = 0;
	if (more(&w->fo, &w->capfo, 0, sizeof(*w->fo)) < 0 ||
	    (at = pool_add(&w->tmp, cls, strlen(cls))) < 0)
		return err_set("%s: out of memory", d->root);
	w->fo[0].path = (size_t)at;
	w->fo[0].parent = -1;
	w->nfo = 1;
	for (i = 0; i < w->nfo; i++) {
		path = w->tmp.p + w->fo[i].path;
		if ((fd = openat(rootfd, path, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) < 0 || fstat(fd, &st) < 0) {
			k = errno;
			if (fd >= 0)
				close(fd);
			return err_set("%s/%s: %s", d->root, path,
			    strerror(k));
		}
		w->fo[i].dev = st.st_dev;
		w->fo[i].ino = st.st_ino;
		/* a folder that is one of its own ancestors: a loop */
		for (up = w->fo[i].parent; up >= 0; up = w->fo[up].parent)
			if (w->fo[up].dev == st.st_dev &&
			    w->fo[up].ino == st.st_ino)
				break;
		if (up >= 0 || (st.st_dev == w->rootdev &&
		    st.st_ino == w->rootino)) {
			close(fd);
			d->nignored++;
			continue;
		}
		if ((dp = fdopendir(fd)) == NULL) {
			k = errno;
			close(fd);
			return err_set("%s/%s: %s", d->root, path,
			    strerror(k));
		}
		for (errno = 0; (e = readdir(dp)) != NULL; errno = 0) {
			if (e->d_name[0] == '.') {
				if (strcmp(e->d_name, ".") != 0 &&
				    strcmp(e->d_name, "..") != 0)
					d->nignored++;
				continue;
			}
			k = kind(fd, e);
			if (k == T_OTHER || (k == T_FILE &&
			    !imgdir_isimage(e->d_name))) {
				d->nignored++;
				continue;
			}
			path = w->tmp.p + w->fo[i].path;
			plen = strlen(path);
			nlen = strlen(e->d_name);
			if (strlen(d->root) + plen + nlen + 3 >
			    IMGDIR_PATHMAX) {
				closedir(dp);
				return err_set("%s/%s/%s: path longer than %d "
				    "bytes", d->root, path, e->d_name,
				    IMGDIR_PATHMAX - 1);
			}
			if (k == T_DIR) {
				char sub[IMGDIR_PATHMAX];

				memcpy(sub, path, plen);
				sub[plen] = '/';
				memcpy(sub + plen + 1, e->d_name, nlen);
				if (more(&w->fo, &w->capfo, w->nfo,
				    sizeof(*w->fo)) < 0 ||
				    (at = pool_add(&w->tmp, sub,
				    plen + 1 + nlen)) < 0)
					goto nomem;
				f = &w->fo[w->nfo++];
				f->path = (size_t)at;
				f->parent = (long)i;
			} else {
				if (more(&w->fi, &w->capfi, w->nfi,
				    sizeof(*w->fi)) < 0 ||
				    (at = pool_add(&w->tmp, e->d_name,
				    nlen)) < 0)
					goto nomem;
				w->fi[w->nfi].folder = i;
				w->fi[w->nfi++].name = (size_t)at;
			}
		}
		k = errno;
		path = w->tmp.p + w->fo[i].path;
		if (k != 0) {
			err_set("%s/%s: %s", d->root, path, strerror(k));
			closedir(dp);
			return -1;
		}
		closedir(dp);
	}
	if (w->nfi == 0)
		return err_set("%s/%s: no .jpg, .jpeg or .png files", d->root,
		    cls);

	/* The pool has stopped growing: sort folders, then files. */
	if ((rank = malloc(w->nfo * sizeof(*rank))) == NULL)
		return err_set("%s: out of memory", d->root);
	for (i = 0; i < w->nfo; i++) {
		w->fo[i].s = w->tmp.p + w->fo[i].path;
		w->fo[i].rank = (long)i;	/* its index, before sorting */
	}
	qsort(w->fo, w->nfo, sizeof(*w->fo), cmp_folder);
	for (i = 0; i < w->nfo; i++)
		rank[w->fo[i].rank] = i;
	for (i = 0; i < w->nfi; i++) {
		w->fi[i].folder = rank[w->fi[i].folder];
		w->fi[i].s = w->tmp.p + w->fi[i].name;
	}
	free(rank);
	qsort(w->fi, w->nfi, sizeof(*w->fi), cmp_file);
	return 0;

nomem:
	closedir(dp);
	return err_set("%s: out of memory", d->root);
}

int
imgdir_scan(struct imgdir *d, const char *root)
{
	struct walk w;
	struct pool names, cl;
	struct dirent *e;
	struct stat st;
	size_t len, ncl, capcl, i, caplab, capoff, k;
	size_t *clo;
	char **cls, buf[IMGDIR_PATHMAX];
	DIR *dp;
	long at;
	int rootfd, fd, c, r;

	memset(d, 0, sizeof(*d));
	memset(&w, 0, sizeof(w));
	memset(&names, 0, sizeof(names));
	memset(&cl, 0, sizeof(cl));
	cls = NULL;
	clo = NULL;
	ncl = capcl = caplab = capoff = 0;
	rootfd = fd = -1;
	r = -1;
	len = strlen(root);
	while (len > 1 && root[len - 1] == '/')
		len--;
	if ((d->root = malloc(len + 1)) == NULL)
		return err_set("%s: out of memory", root);
	memcpy(d->root, root, len);
	d->root[len] = '\0';
	if (len + 2 > IMGDIR_PATHMAX) {
		err_set("%s: path longer than %d bytes", d->root,
		    IMGDIR_PATHMAX - 1);
		goto out;
	}

	/* The classes. */
	if ((rootfd = open(d->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		if (errno == ENOTDIR)
			err_set("%s: not a folder", d->root);
		else
			err_set("%s: %s", d->root, strerror(errno));
		goto out;
	}
	if (fstat(rootfd, &st) < 0 || (fd = dup(rootfd)) < 0 ||
	    (dp = fdopendir(fd)) == NULL) {
		err_set("%s: %s", d->root, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	for (errno = 0; (e = readdir(dp)) != NULL; errno = 0) {
		if (e->d_name[0] == '.') {
			if (strcmp(e->d_name, ".") != 0 &&
			    strcmp(e->d_name, "..") != 0)
				d->nignored++;
			continue;
		}
		if (kind(rootfd, e) != T_DIR) {
			d->nignored++;
			continue;
		}
		if (more(&clo, &capcl, ncl, sizeof(*clo)) < 0 ||
		    (at = pool_add(&cl, e->d_name, strlen(e->d_name))) < 0) {
			closedir(dp);
			err_set("%s: out of memory", d->root);
			goto out;
		}
		clo[ncl++] = (size_t)at;
	}
	if (errno != 0) {
		err_set("%s: %s", d->root, strerror(errno));
		closedir(dp);
		goto out;
	}
	closedir(dp);
	w.rootdev = st.st_dev;
	w.rootino = st.st_ino;
	if (ncl == 0) {
		err_set("%s: no class folders (one folder of .jpg, .jpeg or "
		    ".png files per class)", d->root);
		goto out;
	}
	if (ncl > INT32_MAX) {
		err_set("%s: too many class folders", d->root);
		goto out;
	}
	if ((cls = malloc(ncl * sizeof(*cls))) == NULL ||
	    (d->first = malloc((ncl + 1) * sizeof(*d->first))) == NULL) {
		err_set("%s: out of memory", d->root);
		goto out;
	}
	for (i = 0; i < ncl; i++)
		cls[i] = cl.p + clo[i];
	qsort(cls, ncl, sizeof(*cls), cmp_str);

	/* Their files, class by class. */
	for (c = 0; c < (int)ncl; c++) {
		d->first[c] = d->n;
		if (walk_class(d, rootfd, cls[c], &w) < 0)
			goto out;
		if (d->n + w.nfi > IMGDIR_MAXFILES) {
			err_set("%s: more than %zu image files", d->root,
			    IMGDIR_MAXFILES);
			goto out;
		}
		for (i = 0; i < w.nfi; i++) {
			const char *fol = w.fo[w.fi[i].folder].s;
			size_t fl = strlen(fol), nl = strlen(w.fi[i].s);

			memcpy(buf, fol, fl);
			buf[fl] = '/';
			memcpy(buf + fl + 1, w.fi[i].s, nl);
			if (more(&d->off, &capoff, d->n, sizeof(*d->off)) < 0 ||
			    more(&d->label, &caplab, d->n,
			    sizeof(*d->label)) < 0 ||
			    (at = pool_add(&names, buf, fl + 1 + nl)) < 0) {
				err_set("%s: out of memory", d->root);
				goto out;
			}
			d->off[d->n] = (size_t)at;
			d->label[d->n++] = c;
		}
	}
	d->first[ncl] = d->n;
	/* the class names after the paths, in class order */
	if ((d->classes = malloc(ncl * sizeof(*d->classes))) == NULL) {
		err_set("%s: out of memory", d->root);
		goto out;
	}
	for (c = 0; c < (int)ncl; c++) {
		if ((at = pool_add(&names, cls[c], strlen(cls[c]))) < 0) {
			err_set("%s: out of memory", d->root);
			goto out;
		}
		clo[c] = (size_t)at;
	}
	for (k = 0; k < ncl; k++)
		d->classes[k] = names.p + clo[k];
	d->names = names.p;
	names.p = NULL;
	d->nclasses = (int)ncl;
	r = 0;
out:
	if (rootfd >= 0)
		close(rootfd);
	free(w.tmp.p);
	free(w.fo);
	free(w.fi);
	free(names.p);
	free(cl.p);
	free(clo);
	free(cls);
	if (r < 0)
		imgdir_free(d);
	return r;
}

void
imgdir_free(struct imgdir *d)
{
	free(d->root);
	free(d->classes);
	free(d->label);
	free(d->first);
	free(d->off);
	free(d->names);
	memset(d, 0, sizeof(*d));
}

const char *
imgdir_path(const struct imgdir *d, size_t i)
{
	return d->names + d->off[i];
}

int
imgdir_fullpath(const struct imgdir *d, size_t i, char *buf, size_t size)
{
	return snprintf(buf, size, "%s/%s", d->root, imgdir_path(d, i));
}

/* ---- split files ---- */

/* The files in strcmp order of their paths, for bsearch. */
struct byname {
	const struct imgdir *d;
	struct entry {
		const char *s;	/* imgdir_path(d, i) */
		uint32_t i;
	} *e;			/* (d->n) */
};

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->s,
	    ((const struct entry *)b)->s);
}

/* The index of the file whose path is s, or -1. */
static long
lookup(const struct byname *bn, const char *s)
{
	struct entry key, *e;

	key.s = s;
	key.i = 0;
	e = bsearch(&key, bn->e, bn->d->n, sizeof(*bn->e), cmp_entry);
	return e == NULL ? -1 : (long)e->i;
}

/* Why path s of a list file is not an image of the scan, if the scan
 * would have left it out; NULL if it might simply be missing. */
static const char *
why_not(const char *s)
{
	const char *p, *slash;

	if (s[0] == '/')
		return "an absolute path (paths are relative to the root)";
	for (p = s; (slash = strchr(p, '/')) != NULL; p = slash + 1) {
		if ((slash - p == 1 && p[0] == '.') ||
		    (slash - p == 2 && p[0] == '.' && p[1] == '.'))
			return "a path with . or .. in it (paths are as the "
			    "scan lists them)";
		if (p[0] == '.')
			return "in a hidden folder (left out of the scan)";
	}
	if (p[0] == '.')
		return "a hidden file (left out of the scan)";
	if (!imgdir_isimage(p))
		return "not a .jpg, .jpeg or .png file";
	if (strchr(s, '/') == NULL)
		return "not in a class folder";
	return NULL;
}

/*
 * Read one list file: the indices in file order into *ix (*n), their
 * line numbers into line[] (indexed by file index; 0: not listed).
 * other/othername: the other file's lines, to refuse a path in both.
 */
static int
read_list(const struct byname *bn, const char *path, uint32_t *line,
    const uint32_t *other, const char *othername, uint32_t **ix, size_t *n,
    size_t *cap)
{
	char q[ERR_QUOTESIZE];
	const char *why;
	char *s;
	size_t sz, lno;
	ssize_t len;
	FILE *fp;
	long i;

	if ((fp = fopen(path, "r")) == NULL)
		return err_set("%s: %s", path, strerror(errno));
	s = NULL;
	sz = 0;
	/* a read error stops the loop at once, while errno is getline's
	 * (a partial line's parse may set errno = 0) */
	for (lno = 1; (len = getline(&s, &sz, fp)) != -1 && !ferror(fp);
	    lno++) {
		if (len > 0 && s[len - 1] == '\n')
			s[--len] = '\0';
		if (len > 0 && s[len - 1] == '\r')
			s[--len] = '\0';
		if (strlen(s) != (size_t)len) {
			err_set("%s:%zu: NUL byte in line", path, lno);
			goto fail;
		}
		if (len == 0)
			continue;
		if (lno > UINT32_MAX) {
			err_set("%s:%zu: too many lines", path, lno);
			goto fail;
		}
		if ((i = lookup(bn, s)) < 0) {
			why = why_not(s);
			if (why == NULL)
				err_set("%s:%zu: '%s': no such image under %s",
				    path, lno, err_quote(s, q), bn->d->root);
			else
				err_set("%s:%zu: '%s': %s", path, lno,
				    err_quote(s, q), why);
			goto fail;
		}
		if (line[i] != 0) {
			err_set("%s:%zu: '%s' is listed twice (first at line "
			    "%u)", path, lno, err_quote(s, q), line[i]);
			goto fail;
		}
		if (other != NULL && other[i] != 0) {
			err_set("%s:%zu: '%s' is also in %s (line %u)", path,
			    lno, err_quote(s, q), othername, other[i]);
			goto fail;
		}
		line[i] = (uint32_t)lno;
		if (more(ix, cap, *n, sizeof(**ix)) < 0) {
			err_set("%s: out of memory", path);
			goto fail;
		}
		(*ix)[(*n)++] = (uint32_t)i;
	}
	if (ferror(fp)) {
		err_set("%s: %s", path, strerror(errno));
		goto fail;
	}
	free(s);
	fclose(fp);
	return 0;
fail:
	free(s);
	fclose(fp);
	return -1;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int
imgdir_split_read(const struct imgdir *d, const char *dir, long fold,
    uint32_t **train, size_t *ntrain, uint32_t **val, size_t *nval)
{
	char tp[IMGDIR_PATHMAX], vp[IMGDIR_PATHMAX], tn[64], q[ERR_QUOTESIZE];
	struct byname bn;
	uint32_t *tl, *vl, *tr, *va;
	size_t ntr, nva, ctr, cva, i;
	unsigned char *has;
	int r;

	*train = *val = NULL;
	*ntrain = *nval = 0;
	snprintf(tn, sizeof(tn), "fold_%ld_train.txt", fold);
	if ((size_t)snprintf(tp, sizeof(tp), "%s/%s", dir, tn) >= sizeof(tp) ||
	    (size_t)snprintf(vp, sizeof(vp), "%s/fold_%ld_val.txt", dir,
	    fold) >= sizeof(vp))
		return err_set("%s: path too long", dir);
	bn.d = d;
	bn.e = malloc((d->n ? d->n : 1) * sizeof(*bn.e));
	tl = calloc(d->n ? d->n : 1, sizeof(*tl));
	vl = calloc(d->n ? d->n : 1, sizeof(*vl));
	has = calloc(d->nclasses ? (size_t)d->nclasses : 1, 1);
	tr = va = NULL;
	ntr = nva = ctr = cva = 0;
	r = -1;
	if (bn.e == NULL || tl == NULL || vl == NULL || has == NULL) {
		err_set("%s: out of memory", dir);
		goto out;
	}
	for (i = 0; i < d->n; i++) {
		bn.e[i].s = imgdir_path(d, i);
		bn.e[i].i = (uint32_t)i;
	}
	qsort(bn.e, d->n, sizeof(*bn.e), cmp_entry);
	if (read_list(&bn, tp, tl, NULL, NULL, &tr, &ntr, &ctr) < 0 ||
	    read_list(&bn, vp, vl, tl, tn, &va, &nva, &cva) < 0)
		goto out;
	if (ntr == 0) {
		err_set("%s: no images listed", tp);
		goto out;
	}
	for (i = 0; i < ntr; i++)
		has[d->label[tr[i]]] = 1;
	for (i = 0; i < nva; i++)
		if (!has[d->label[va[i]]]) {
			err_set("%s:%u: class '%s' has no image in %s", vp,
			    vl[va[i]], err_quote(d->classes[d->label[va[i]]],
			    q), tn);
			goto out;
		}
	qsort(tr, ntr, sizeof(*tr), cmp_u32);
	if (nva > 0)
		qsort(va, nva, sizeof(*va), cmp_u32);
	*train = tr;
	*ntrain = ntr;
	*val = va;
	*nval = nva;
	tr = va = NULL;
	r = 0;
out:
	free(bn.e);
	free(tl);
	free(vl);
	free(has);
	free(tr);
	free(va);
	return r;
}

/* Write one list file through a temporary name. */
static int
write_list(const struct imgdir *d, const char *dir, const char *name,
    const uint32_t *ix, size_t n)
{
	char path[IMGDIR_PATHMAX], tmp[IMGDIR_PATHMAX + 16];
	const char *s;
	size_t i, len;
	mode_t mask;
	FILE *fp;
	int fd, e;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return err_set("%s: path too long", dir);
	for (i = 0; i < n; i++) {
		if (ix[i] >= d->n)
			return err_set("%s: file index %u is past the %zu "
			    "files", path, ix[i], d->n);
		s = imgdir_path(d, ix[i]);
		len = strlen(s);
		if (strchr(s, '\n') != NULL || (len > 0 && s[len - 1] == '\r'))
			return err_set("%s: '%s' cannot be written in a list "
			    "file (a line break in its name)", path, s);
	}
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name);
	if ((fd = mkstemp(tmp)) < 0)
		return err_set("%s: %s", path, strerror(errno));
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	if ((fp = fdopen(fd, "w")) == NULL) {
		e = errno;
		close(fd);
		unlink(tmp);
		return err_set("%s: %s", path, strerror(e));
	}
	errno = 0;
	for (i = 0; i < n; i++)
		fprintf(fp, "%s\n", imgdir_path(d, ix[i]));
	e = 0;
	if (fflush(fp) == EOF || ferror(fp))
		e = errno ? errno : EIO;
	if (e == 0 && fsync(fileno(fp)) < 0)
		e = errno;
	if (fclose(fp) == EOF && e == 0)
		e = errno ? errno : EIO;
	if (e == 0 && rename(tmp, path) < 0)
		e = errno;
	if (e != 0) {
		unlink(tmp);
		return err_set("%s: %s", path, strerror(e));
	}
	return 0;
}

int
imgdir_split_write(const struct imgdir *d, const char *dir, long fold,
    const uint32_t *train, size_t ntrain, const uint32_t *val, size_t nval)
{
	char name[64];

	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return err_set("%s: %s", dir, strerror(errno));
	snprintf(name, sizeof(name), "fold_%ld_train.txt", fold);
	if (write_list(d, dir, name, train, ntrain) < 0)
		return -1;
	snprintf(name, sizeof(name), "fold_%ld_val.txt", fold);
	return write_list(d, dir, name, val, nval);
}

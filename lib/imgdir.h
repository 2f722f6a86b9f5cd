/*
 * imgdir.h - a class-per-folder image collection (the layout of
 * torchvision's ImageFolder, fastai's from_folder, Keras'
 * image_dataset_from_directory): the file list, the classes, and the
 * split list files of the seed layout.
 *
 *	struct imgdir d;
 *	uint32_t *tr, *va;
 *	size_t ntr, nva;
 *
 *	imgdir_scan(&d, "data/hymenoptera");
 *	imgdir_split_read(&d, "splits", 0, &tr, &ntr, &va, &nva);
 *	... imgdir_path(&d, i), d.label[i] ...
 *	free(tr); free(va); imgdir_free(&d);
 *
 * The scan.  Every folder under the root whose name does not start with
 * '.' is a class; classes are numbered in strcmp (byte) order of their
 * names, which for UTF-8 names is Python's sorted() order, as in
 * torchvision.  A class holds every file with a .jpg, .jpeg or .png name
 * (any case) in its folder and the folders below it (symbolic links
 * followed, a folder met again through a loop skipped).  Files are listed
 * as ImageFolder lists them: class by class; in a class, folder by folder
 * in strcmp order of the folders' paths, then by name.  Hidden entries
 * (a name that starts with '.'; ImageFolder would take them), files with
 * other names, files directly in the root and things that are neither
 * files nor folders are left out and counted in nignored, for one
 * warning.  The scan reads directories and nothing else: no file is
 * opened, and only entries whose type the directory does not give
 * (symbolic links, some file systems) are stat'ed.  100,000 files take
 * a fraction of a second.
 *
 * Split files.  DIR/fold_K_train.txt and DIR/fold_K_val.txt hold one
 * path a line, relative to the root, as imgdir_path() gives it
 * ("ants/0013035.jpg"); a CR before the newline and blank lines are
 * allowed.  Reading maps each line to its file index.
 *
 * Errors (-1, message set through err_set, "where: what"): the root
 * missing or not a folder ("ROOT: ..."), a root without class folders, a
 * class folder without images ("ROOT/CLASS: ..."), an unreadable folder
 * ("ROOT/CLASS/SUB: Permission denied"), more than IMGDIR_MAXFILES
 * files; in split files ("DIR/fold_K_val.txt:LINE: ..."): a path that is
 * not an image of the scan (saying whether it is missing, hidden, or not
 * a .jpg/.jpeg/.png name), a path listed twice, a path in both files, a
 * class that has validation images but no training image, no training
 * image at all.
 */
#ifndef LRF_IMGDIR_H
#define LRF_IMGDIR_H

#include <stddef.h>
#include <stdint.h>

#define IMGDIR_MAXFILES	((size_t)1 << 31)	/* image files in a scan */
#define IMGDIR_PATHMAX	4096	/* bytes of ROOT/path, NUL included */

struct imgdir {
	char	*root;		/* the root as given, trailing '/' removed */
	size_t	 n;		/* image files */
	int	 nclasses;
	char	**classes;	/* (nclasses) names, in class order */
	int32_t	*label;		/* (n) class of each file */
	size_t	*first;		/* (nclasses + 1) class c's files are
				   first[c] .. first[c + 1] - 1 */
	size_t	*off;		/* (n) where file i's path is in names */
	char	*names;		/* the paths "CLASS/.../FILE", each
				   NUL-terminated, then the class names */
	size_t	 nignored;	/* entries left out (hidden, other names,
				   files in the root, loops, other types) */
};

/* Scan root; 0, or -1 with the message set and d empty (safe to
 * imgdir_free). */
int imgdir_scan(struct imgdir *d, const char *root);

/* Free what d holds and empty it; a zeroed d is fine. */
void imgdir_free(struct imgdir *d);

/* File i's path relative to the root: "CLASS/.../FILE". */
const char *imgdir_path(const struct imgdir *d, size_t i);

/* "ROOT/CLASS/.../FILE" into buf (size bytes); snprintf-style: returns
 * the length it needed. */
int imgdir_fullpath(const struct imgdir *d, size_t i, char *buf,
    size_t size);

/* 1 if name (a file's last component) is one a scan takes: not hidden,
 * ending in .jpg, .jpeg or .png in any case. */
int imgdir_isimage(const char *name);

/*
 * Read DIR/fold_K_train.txt and DIR/fold_K_val.txt (K = fold) against
 * d: *train (ntrain) and *val (nval) get the file indices, each in
 * ascending order, malloc'd (free them).  The validation file may be
 * empty; the training file may not.  0, or -1 with the message set and
 * nothing allocated.
 */
int imgdir_split_read(const struct imgdir *d, const char *dir, long fold,
    uint32_t **train, size_t *ntrain, uint32_t **val, size_t *nval);

/*
 * Write the split train (ntrain) / val (nval), file indices of d, as
 * DIR/fold_K_train.txt and DIR/fold_K_val.txt, one imgdir_path() a line
 * in the order given (each file written under a temporary name, synced,
 * renamed into place).  DIR is created if it does not exist (not its
 * parents).  0, or -1 with the message set: an index past d->n, a path
 * with a line break in it (it could not be read back), a write error.
 */
int imgdir_split_write(const struct imgdir *d, const char *dir, long fold,
    const uint32_t *train, size_t ntrain, const uint32_t *val, size_t nval);

#endif

/*
 * imgdir.c - the scan of class folders against torchvision's ImageFolder
 * order (tests/data/img/tree.txt, tree-order.txt), what it leaves out,
 * links and loops, its errors, and the split list files (read, write,
 * round trip, errors).  Run from the top of the tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "imgdir.h"
#include "tap.h"

static char top[4096];		/* the temporary folder of every case */

/* mkdir -p the folders of path (relative to the cwd), create it empty. */
static int
touch(const char *path)
{
	char b[4096], *p;
	int fd;

	snprintf(b, sizeof(b), "%s", path);
	for (p = b + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(b, 0777) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666)) < 0)
		return -1;
	return close(fd);
}

static int
put(const char *path, const char *text)
{
	FILE *fp;

	if ((fp = fopen(path, "w")) == NULL)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}

static int
sh(const char *cmd)
{
	return system(cmd);
}

/* A fresh empty case folder; chdir'ed into. */
static void
fresh(const char *name)
{
	char cmd[8192];

	if (chdir(top) < 0)
		abort();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir '%s'", name, name);
	if (sh(cmd) != 0 || chdir(name) < 0)
		abort();
}

/* The tree of tree.txt in the order of tree-order.txt. */
static void
test_order(const char *srcdir)
{
	char line[1024], want[1024], path[4400];
	struct imgdir d;
	FILE *fp, *wp;
	size_t i, n, bad;
	int cls, good;

	snprintf(path, sizeof(path), "%s/tree.txt", srcdir);
	if ((fp = fopen(path, "r")) == NULL) {
		ok(0, "open tree.txt");
		return;
	}
	fresh("order");
	if (mkdir("root", 0777) < 0 || chdir("root") < 0)
		abort();
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (touch(line) < 0)
			diag("cannot create %s", line);
	}
	fclose(fp);
	if (chdir("..") < 0)
		abort();
	if (!ok(imgdir_scan(&d, "root/") == 0, "scan tree.txt")) {
		diag("%s", err_msg());
		return;
	}
	snprintf(path, sizeof(path), "%s/tree-order.txt", srcdir);
	wp = fopen(path, "r");
	n = bad = 0;
	while (wp != NULL && fgets(line, sizeof(line), wp) != NULL) {
		if (line[0] == '#')
			continue;
		if (sscanf(line, "%1023[^\t]\t%d", want, &cls) != 2)
			continue;
		if (n >= d.n || strcmp(imgdir_path(&d, n), want) != 0 ||
		    d.label[n] != cls) {
			if (bad++ == 0)
				diag("file %zu: got %s (%d), want %s (%d)", n,
				    n < d.n ? imgdir_path(&d, n) : "(none)",
				    n < d.n ? d.label[n] : -1, want, cls);
		}
		n++;
	}
	if (wp != NULL)
		fclose(wp);
	ok(n == 13 && d.n == n && bad == 0, "the files in torchvision's "
	    "ImageFolder order, with its class numbers (13 files)");
	is_int(d.nclasses, 6, "6 classes (hidden .git left out)");
	good = d.nclasses == 6 && strcmp(d.classes[0], "B") == 0 &&
	    strcmp(d.classes[1], "_") == 0 && strcmp(d.classes[2], "a") == 0 &&
	    strcmp(d.classes[3], "a b") == 0 &&
	    strcmp(d.classes[4], "b") == 0 &&
	    strcmp(d.classes[5], "\xc3\xa9t\xc3\xa9") == 0;
	ok(good, "classes in byte order: B _ a 'a b' b \xc3\xa9t\xc3\xa9");
	good = 1;
	for (cls = 0; cls < d.nclasses; cls++)
		for (i = d.first[cls]; i < d.first[cls + 1]; i++)
			if (d.label[i] != cls)
				good = 0;
	ok(good && d.first[0] == 0 && d.first[6] == d.n && d.first[2] == 2 &&
	    d.first[3] == 9, "first[] bounds each class's files");
	/* .hidden.jpg notes.txt x.gif .sub/ (not entered) jpg (no dot)
	 * x.jpg.bak y.bmp .jpg, and in the root .git/ and top.jpg */
	is_int((long)d.nignored, 10, "10 entries left out and counted");
	is_str(d.root, "root", "the root without its trailing slash");
	imgdir_fullpath(&d, 3, path, sizeof(path));
	is_str(path, "root/a/10.png", "imgdir_fullpath");
	imgdir_free(&d);
	imgdir_free(&d);
	ok(d.n == 0 && d.names == NULL, "imgdir_free empties, twice is fine");
}

static void
test_isimage(void)
{
	ok(imgdir_isimage("a.jpg") && imgdir_isimage("a.JPEG") &&
	    imgdir_isimage("a.b.PnG") && imgdir_isimage("x.jPg"),
	    "isimage: .jpg .jpeg .png in any case");
	ok(!imgdir_isimage(".a.jpg") && !imgdir_isimage("jpg") &&
	    !imgdir_isimage("a.jpg.bak") && !imgdir_isimage("a.jpgx") &&
	    !imgdir_isimage("a.jp") && !imgdir_isimage("a.") &&
	    !imgdir_isimage("a.gif") && !imgdir_isimage("a.webp"),
	    "isimage: hidden, other and partial extensions are not");
}

/* Links are followed; a loop is left out and counted. */
static void
test_links(void)
{
	struct imgdir d;
	int r;

	fresh("links");
	r = touch("elsewhere/x.jpg") | touch("root/a/1.jpg") |
	    symlink("../../elsewhere", "root/a/linked") |
	    symlink("../elsewhere", "root/b") |
	    symlink("..", "root/a/loop") |
	    symlink("nowhere.jpg", "root/a/2.jpg") |
	    mkfifo("root/a/fifo.jpg", 0666);
	if (r != 0)
		diag("setup: %s", strerror(errno));
	r = imgdir_scan(&d, "root");
	ok(r == 0 && d.nclasses == 2 && d.n == 4, "a linked class and a "
	    "linked sub-folder are followed");
	if (r == 0 && d.n == 4) {
		is_str(imgdir_path(&d, 0), "a/1.jpg", "links: file 0");
		is_str(imgdir_path(&d, 1), "a/2.jpg", "links: a broken link "
		    "is a file (it fails when read, as in torchvision)");
		is_str(imgdir_path(&d, 2), "a/linked/x.jpg", "links: file 2");
		is_str(imgdir_path(&d, 3), "b/x.jpg", "links: file 3");
		is_int((long)d.nignored, 2, "links: the loop and the FIFO "
		    "left out");
	} else
		diag("%s", err_msg());
	imgdir_free(&d);
}

/* Each error with its message. */
static void
test_errors(void)
{
	struct imgdir d;

	fresh("errors");
	err_clear();
	ok(imgdir_scan(&d, "missing") < 0 && d.n == 0 && d.root == NULL,
	    "a missing root fails, d empty");
	is_str(err_msg(), "missing: No such file or directory",
	    "missing root: message");
	touch("file");
	imgdir_scan(&d, "file");
	is_str(err_msg(), "file: not a folder", "root is a file");
	touch("flat/x.jpg");
	touch("flat/.hidden/y.jpg");
	imgdir_scan(&d, "flat");
	is_str(err_msg(), "flat: no class folders (one folder of .jpg, .jpeg "
	    "or .png files per class)", "a root without class folders");
	touch("emptycls/a/x.jpg");
	touch("emptycls/b/notes.txt");
	touch("emptycls/b/sub/.x.jpg");
	ok(imgdir_scan(&d, "emptycls/") < 0, "a class without images fails");
	is_str(err_msg(), "emptycls/b: no .jpg, .jpeg or .png files",
	    "empty class: message");
	imgdir_free(&d);
}

/* A large folder costs the scan only: nothing is opened. */
static void
test_many(void)
{
	struct imgdir d;
	struct timespec t0, t1;
	char p[64];
	int i, good;
	double s;

	fresh("many");
	good = 1;
	for (i = 0; i < 5000; i++) {
		snprintf(p, sizeof(p), "r/c%d/%05d.jpg", i % 7, 4999 - i);
		if (touch(p) < 0)
			good = 0;
	}
	/* unreadable images: a scan that opened them would fail */
	sh("chmod 000 r/c*/*.jpg");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ok(good && imgdir_scan(&d, "r") == 0 && d.n == 5000 &&
	    d.nclasses == 7, "5000 empty, unreadable files: scanned");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
	diag("scan of 5000 files: %.1f ms", s * 1e3);
	good = d.n == 5000;
	for (i = 1; good && i < (int)d.n; i++)
		if (d.label[i] == d.label[i - 1] && strcmp(imgdir_path(&d,
		    (size_t)i - 1), imgdir_path(&d, (size_t)i)) >= 0)
			good = 0;
	ok(good, "each class's files in name order, whatever the "
	    "directory's order");
	imgdir_free(&d);
}

static int
same(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na * sizeof(*a)) == 0);
}

static void
test_split(void)
{
	struct imgdir d;
	uint32_t tr[8], va[8], *rt, *rv, *rt2, *rv2;
	size_t nrt, nrv, nrt2, nrv2;
	char *a;
	int good;

	fresh("split");
	touch("root/ants/a1.jpg");
	touch("root/ants/a2.jpg");
	touch("root/ants/a3.jpg");
	touch("root/bees/b1.png");
	touch("root/bees/b2.png");
	touch("root/bees/x y.JPG");
	touch("root/cats/c1.jpeg");
	touch("root/ants/.h.jpg");
	if (imgdir_scan(&d, "root") < 0) {
		ok(0, "scan for splits");
		diag("%s", err_msg());
		return;
	}
	/* files: 0 a1 1 a2 2 a3 3 b1 4 b2 5 'x y' 6 c1 */
	tr[0] = 0; tr[1] = 2; tr[2] = 3; tr[3] = 5; tr[4] = 6;
	va[0] = 1; va[1] = 4;
	ok(imgdir_split_write(&d, "splits", 3, tr, 5, va, 2) == 0,
	    "write a split (the folder created)");
	a = NULL;
	{
		FILE *fp = fopen("splits/fold_3_train.txt", "r");
		size_t n = 0;

		a = calloc(1, 256);
		if (fp != NULL) {
			n = fread(a, 1, 255, fp);
			fclose(fp);
		}
		a[n] = '\0';
	}
	is_str(a, "ants/a1.jpg\nants/a3.jpg\nbees/b1.png\nbees/x y.JPG\n"
	    "cats/c1.jpeg\n", "fold_3_train.txt: one path a line");
	free(a);
	ok(imgdir_split_read(&d, "splits", 3, &rt, &nrt, &rv, &nrv) == 0 &&
	    same(rt, nrt, tr, 5) && same(rv, nrv, va, 2),
	    "read back: the same indices");
	ok(imgdir_split_write(&d, "splits2", 0, rt, nrt, rv, nrv) == 0 &&
	    imgdir_split_read(&d, "splits2", 0, &rt2, &nrt2, &rv2, &nrv2) == 0
	    && same(rt2, nrt2, rt, nrt) && same(rv2, nrv2, rv, nrv),
	    "round trip: write, read, write, read");
	good = sh("cmp -s splits/fold_3_train.txt splits2/fold_0_train.txt &&"
	    " cmp -s splits/fold_3_val.txt splits2/fold_0_val.txt") == 0;
	ok(good, "round trip: the same bytes");
	free(rt);
	free(rv);
	free(rt2);
	free(rv2);

	/* Order, CRLF, blank lines: the indices come back ascending. */
	mkdir("s", 0777);
	put("s/fold_0_train.txt", "cats/c1.jpeg\r\n\nbees/b1.png\r\n"
	    "ants/a2.jpg\nants/a1.jpg");
	put("s/fold_0_val.txt", "");
	tr[0] = 0; tr[1] = 1; tr[2] = 3; tr[3] = 6;
	ok(imgdir_split_read(&d, "s", 0, &rt, &nrt, &rv, &nrv) == 0 &&
	    same(rt, nrt, tr, 4) && nrv == 0, "CRLF, a blank line, no final "
	    "newline, an empty val file; indices ascending");
	free(rt);
	free(rv);

	/* The errors, each with its message. */
	{
		static const struct {
			const char *train, *val, *msg, *name;
		} c[] = {
			{ NULL, "", "e/fold_0_train.txt: No such file or "
			    "directory", "a missing list file" },
			{ "ants/a1.jpg\nants/nope.jpg\n", "",
			    "e/fold_0_train.txt:2: 'ants/nope.jpg': no such "
			    "image under root", "a missing image" },
			{ "ants/a1.jpg\n", "ants/a2.jpg\nbees/b9.png\n",
			    "e/fold_0_val.txt:2: 'bees/b9.png': no such image "
			    "under root", "a missing image in val" },
			{ "ants/.h.jpg\n", "", "e/fold_0_train.txt:1: "
			    "'ants/.h.jpg': a hidden file (left out of the "
			    "scan)", "a hidden file" },
			{ "ants/x.bmp\n", "", "e/fold_0_train.txt:1: "
			    "'ants/x.bmp': not a .jpg, .jpeg or .png file",
			    "another extension" },
			{ "ants/.git/x.jpg\n", "", "e/fold_0_train.txt:1: "
			    "'ants/.git/x.jpg': in a hidden folder (left out "
			    "of the scan)", "a hidden folder" },
			{ "/root/ants/a1.jpg\n", "", "e/fold_0_train.txt:1: "
			    "'/root/ants/a1.jpg': an absolute path (paths are "
			    "relative to the root)", "an absolute path" },
			{ "./ants/a1.jpg\n", "", "e/fold_0_train.txt:1: "
			    "'./ants/a1.jpg': a path with . or .. in it (paths "
			    "are as the scan lists them)", "a ./ path" },
			{ "a1.jpg\n", "", "e/fold_0_train.txt:1: 'a1.jpg': "
			    "not in a class folder", "no class folder" },
			{ "ants/a1.jpg\nants/a2.jpg\nants/a1.jpg\n", "",
			    "e/fold_0_train.txt:3: 'ants/a1.jpg' is listed "
			    "twice (first at line 1)", "a path listed twice" },
			{ "ants/a1.jpg\nbees/b1.png\n", "ants/a2.jpg\n\n"
			    "bees/b1.png\n", "e/fold_0_val.txt:3: "
			    "'bees/b1.png' is also in fold_0_train.txt (line "
			    "2)", "a path in both files" },
			{ "ants/a1.jpg\nbees/b1.png\n", "ants/a2.jpg\n"
			    "cats/c1.jpeg\n", "e/fold_0_val.txt:2: class "
			    "'cats' has no image in fold_0_train.txt",
			    "a class in val but not in train" },
			{ "\n\r\n", "ants/a1.jpg\n", "e/fold_0_train.txt: no "
			    "images listed", "an empty training list" },
			{ "ants/a1.jpg\nan\tts\x01/\xff.jpg\n", "",
			    "e/fold_0_train.txt:2: 'an\\x09ts\\x01/\\xff.jpg': "
			    "no such image under root",
			    "control bytes quoted" },
		};
		size_t i;

		for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
			sh("rm -rf e && mkdir e");
			if (c[i].train != NULL)
				put("e/fold_0_train.txt", c[i].train);
			put("e/fold_0_val.txt", c[i].val);
			err_clear();
			rt = rv = (uint32_t *)1;
			ok(imgdir_split_read(&d, "e", 0, &rt, &nrt, &rv,
			    &nrv) < 0 && rt == NULL && rv == NULL,
			    c[i].name);
			is_str(err_msg(), c[i].msg, "  its message");
		}
		sh("rm -rf e && mkdir e");
		{
			FILE *fp = fopen("e/fold_0_train.txt", "w");

			fwrite("ants/a1.jpg\nants/a\0.jpg\n", 1, 24, fp);
			fclose(fp);
		}
		put("e/fold_0_val.txt", "");
		imgdir_split_read(&d, "e", 0, &rt, &nrt, &rv, &nrv);
		is_str(err_msg(), "e/fold_0_train.txt:2: NUL byte in line",
		    "a NUL byte");
	}
	tr[0] = 7;
	ok(imgdir_split_write(&d, "w", 0, tr, 1, va, 0) < 0, "write: an "
	    "index past the files fails");
	is_str(err_msg(), "w/fold_0_train.txt: file index 7 is past the 7 "
	    "files", "  its message");
	ok(access("w/fold_0_train.txt", F_OK) < 0, "  nothing written");
	imgdir_free(&d);
}

int
main(void)
{
	char cwd[4096], src[4200];
	const char *tmp;

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return 1;
	snprintf(src, sizeof(src), "%s/tests/data/img", cwd);
	tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(top, sizeof(top), "%s/lrf-imgdir.XXXXXX", tmp);
	if (mkdtemp(top) == NULL) {
		ok(0, "mkdtemp");
		return done();
	}
	test_isimage();
	test_order(src);
	test_links();
	test_errors();
	test_many();
	test_split();
	if (chdir(cwd) == 0) {
		char cmd[8300];

		snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s'; rm -rf '%s'",
		    top, top);
		sh(cmd);
	}
	return done();
}

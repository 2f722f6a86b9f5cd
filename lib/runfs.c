/* runfs.c - run directories that appear only when complete. */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "runfs.h"

char *mkdtemp(char *);		/* POSIX 2008, hidden by strict c11 headers */

int
runfs_mkpath(char *path, mode_t mode)
{
	char *p, c;

	for (p = path + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(path, mode) < 0 && errno != EEXIST)
			return -1;
		*p = c;
		if (c == '\0')
			break;
	}
	return 0;
}

int
runfs_mkdirs(const char *dir)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return err_set("%s: path too long", dir);
	if (runfs_mkpath(path, 0777) < 0)
		return err_set("%s: cannot create: %s", path, strerror(errno));
	return 0;
}

int
runfs_writeall(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, c, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int
runfs_tmpdir(char *buf, size_t n, const char *parent, const char *name)
{
	if (snprintf(buf, n, "%s/.%s.XXXXXX", parent, name) >= (int)n)
		return err_set("%s: path too long", parent);
	if (mkdtemp(buf) == NULL)
		return err_set("%s: cannot create a directory: %s", parent,
		    strerror(errno));
	return 0;
}

int
runfs_lock(const char *dir)
{
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		return err_set("%s: %s", dir, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		err_set("%s: cannot lock: %s", dir, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
runfs_clean(const char *parent, void (*say)(const char *path))
{
	struct dirent *e;
	struct stat sb;
	char path[4096];
	DIR *d;
	int fd, n, bad;

	if ((d = opendir(parent)) == NULL)
		return err_set("%s: %s", parent, strerror(errno));
	n = bad = 0;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, ".lr_finder_", 11) != 0 ||
		    snprintf(path, sizeof(path), "%s/%s", parent,
		    e->d_name) >= (int)sizeof(path))
			continue;
		/* ours, a directory, not a link, left alone a while */
		if (lstat(path, &sb) < 0 || !S_ISDIR(sb.st_mode) ||
		    sb.st_uid != geteuid() ||
		    difftime(time(NULL), sb.st_mtime) < RUNFS_STALE)
			continue;
		if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC)) < 0)
			continue;
		/* held: a live lrf-find builds it (or cleans it now) */
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			close(fd);
			continue;
		}
		if (runfs_remove(path) < 0)
			bad = 1;
		else {
			n++;
			if (say != NULL)
				say(path);
		}
		close(fd);
	}
	closedir(d);
	return bad ? -1 : n;
}

/* fsync path (a file, or a directory with O_DIRECTORY); 0 or -1. */
static int
syncpath(const char *path, int flags)
{
	int fd, r, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | flags)) < 0)
		return err_set("%s: %s", path, strerror(errno));
	r = fsync(fd);
	e = errno;
	close(fd);
	if (r < 0 && e != EINVAL)	/* EINVAL: cannot be synced */
		return err_set("%s: cannot sync: %s", path, strerror(e));
	return 0;
}

int
runfs_sync(const char *dir)
{
	struct dirent *e;
	struct stat st;
	char path[4096];
	DIR *d;
	int r;

	if ((d = opendir(dir)) == NULL)
		return err_set("%s: %s", dir, strerror(errno));
	r = 0;
	while (r == 0 && (e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
			r = syncpath(path, 0);
	}
	closedir(d);
	return r < 0 ? -1 : syncpath(dir, O_DIRECTORY);
}

/* The private directory tmp made ready to publish: synced, and given the
 * mode the umask gives a directory (mkdtemp made it 0700). */
static int
ready(const char *tmp)
{
	mode_t m;

	if (runfs_sync(tmp) < 0)
		return -1;
	m = umask(0);
	umask(m);
	if (chmod(tmp, 0777 & ~m) < 0)
		return err_set("%s: %s", tmp, strerror(errno));
	return 0;
}

int
runfs_publish(const char *tmp, const char *parent, const char *name,
    char *buf, size_t n)
{
	struct stat st;
	int i;

	if (ready(tmp) < 0)
		return -1;
	for (i = 1; i < 1000; i++) {
		if (i == 1)
			snprintf(buf, n, "%s/%s", parent, name);
		else
			snprintf(buf, n, "%s/%s-%d", parent, name, i);
		if (lstat(buf, &st) == 0)
			continue;
		if (rename(tmp, buf) == 0)
			return syncpath(parent, O_DIRECTORY);
		if (errno != EEXIST && errno != ENOTEMPTY)
			break;
	}
	return err_set("%s: cannot rename to %s: %s", tmp, buf,
	    strerror(errno));
}

int
runfs_publishto(const char *tmp, const char *path)
{
	char parent[4096];
	struct stat st;
	const char *s;

	if (ready(tmp) < 0)
		return -1;
	/* rename(2) would replace an empty directory: refuse it first */
	if (lstat(path, &st) == 0)
		return err_set("%s: exists", path);
	if (rename(tmp, path) < 0)
		return err_set("%s: cannot rename to %s: %s", tmp, path,
		    strerror(errno));
	s = strrchr(path, '/');
	snprintf(parent, sizeof(parent), "%.*s", s == NULL ? 1 :
	    s == path ? 1 : (int)(s - path), s == NULL ? "." : path);
	return syncpath(parent, O_DIRECTORY);
}

int
runfs_remove(const char *dir)
{
	struct dirent *e;
	struct stat st;
	char path[4096];
	DIR *d;
	int r;

	if ((d = opendir(dir)) == NULL)
		return err_set("%s: %s", dir, strerror(errno));
	r = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			r |= runfs_remove(path);
		else if (unlink(path) < 0)
			r = err_set("%s: %s", path, strerror(errno));
	}
	closedir(d);
	if (rmdir(dir) < 0)
		return err_set("%s: %s", dir, strerror(errno));
	return r;
}

/* The length of the UTF-8 sequence at p (a byte >= 0x80), or 0 if it is
 * not a valid one (overlong, a surrogate, beyond U+10FFFF, cut short). */
static int
utf8len(const unsigned char *p)
{
	unsigned long c;
	int n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, c = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return n;
}

void
runfs_jsonstr(FILE *fp, const char *s)
{
	const unsigned char *p;
	int n;

	putc('"', fp);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p == '\t')
			fputs("\\t", fp);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\u%04x", *p);
		else if (*p < 0x80)
			putc(*p, fp);
		else if ((n = utf8len(p)) > 0) {
			fwrite(p, 1, (size_t)n, fp);
			p += n - 1;
		} else
			fputs("\\ufffd", fp);	/* not UTF-8: JSON is */
	}
	putc('"', fp);
}

json_t *
runfs_jstr(const char *s)
{
	const unsigned char *p;
	json_t *v;
	char *buf, *q;
	int n;

	/* each byte at most U+FFFD's three */
	if ((buf = malloc(3 * strlen(s) + 1)) == NULL)
		return NULL;
	for (p = (const unsigned char *)s, q = buf; *p; p++)
		if (*p < 0x80)
			*q++ = (char)*p;
		else if ((n = utf8len(p)) > 0) {
			memcpy(q, p, (size_t)n);
			q += n;
			p += n - 1;
		} else {
			memcpy(q, "\xef\xbf\xbd", 3);
			q += 3;
		}
	*q = '\0';
	v = json_string(buf);
	free(buf);
	return v;
}

json_t *
runfs_jnum(double v)
{
	if (!isfinite(v))
		return json_null();
	/* a whole number as %.9g would write it: 41, not 41.0 */
	if (v == floor(v) && fabs(v) < 1e9)
		return json_integer((json_int_t)v);
	return json_real(v);
}

int
runfs_jdump(FILE *fp, const json_t *v)
{
	if (json_dumpf(v, fp, JSON_INDENT(2) | JSON_REAL_PRECISION(9)) < 0 ||
	    putc('\n', fp) == EOF)
		return -1;
	return 0;
}

void
runfs_jsonnum(FILE *fp, double v)
{
	if (!isfinite(v))
		fputs("null", fp);
	else
		fprintf(fp, "%.9g", v);
}

char *
runfs_slurp(const char *path, size_t max)
{
	FILE *fp;
	char *buf;
	size_t n;

	if ((fp = fopen(path, "rb")) == NULL) {
		err_set("%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc(max + 1)) == NULL) {
		fclose(fp);
		err_set("%s: out of memory", path);
		return NULL;
	}
	n = fread(buf, 1, max + 1, fp);
	if (ferror(fp) || n > max) {
		err_set("%s: %s", path, ferror(fp) ? "read error" :
		    "file too large");
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	buf[n] = '\0';
	return buf;
}

/* rawcache.c - raw copies of gzip'd data files (see rawcache.h). */
/* NOLINTNEXTLINE(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#define _DEFAULT_SOURCE		/* MAP_POPULATE (Linux) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <libdeflate.h>

#include "rawcache.h"
#include "runfs.h"

#ifndef MAP_POPULATE
#define MAP_POPULATE	0	/* elsewhere: the pages fault in on use */
#endif

#define MAGIC	"lrf-raw1"

/* An entry's last bytes: what it is a copy of (little-endian, as the
 * machines that share a home directory with us write it: the entry
 * lives in one user's cache, read by the machine that wrote it or one
 * like it; a foreign byte order fails the comparison, a miss). */
struct trailer {
	char	 magic[8];
	struct rawcache_key k;
};

void
rawcache_key(struct rawcache_key *k, const struct stat *st,
    const unsigned char t[8])
{
	memset(k, 0, sizeof(*k));
	k->dev = (uint64_t)st->st_dev;
	k->ino = (uint64_t)st->st_ino;
	k->size = (int64_t)st->st_size;
	k->sec = (int64_t)st->st_mtim.tv_sec;
	k->nsec = (int64_t)st->st_mtim.tv_nsec;
	k->crc = (uint32_t)t[0] | (uint32_t)t[1] << 8 |
	    (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
	k->isize = (uint32_t)t[4] | (uint32_t)t[5] << 8 |
	    (uint32_t)t[6] << 16 | (uint32_t)t[7] << 24;
}

int
rawcache_dir(char *buf, size_t size)
{
	const char *e, *h;
	int n;

	if ((e = getenv("LRF_CACHE")) != NULL) {
		if (*e == '\0' || strcmp(e, "off") == 0)
			return -1;
		n = snprintf(buf, size, "%s", e);
	} else if ((e = getenv("XDG_CACHE_HOME")) != NULL && *e == '/')
		n = snprintf(buf, size, "%s/lrf", e);
	else if ((h = getenv("HOME")) != NULL && *h == '/')
		n = snprintf(buf, size, "%s/.cache/lrf", h);
	else
		return -1;
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* k's entry's path in the cache directory dir into buf: 0, or -1 (too
 * long). */
static int
entry(char *buf, size_t size, const char *dir, const struct rawcache_key *k)
{
	int n;

	n = snprintf(buf, size, "%s/idx-%llx-%llx.raw", dir,
	    (unsigned long long)k->dev, (unsigned long long)k->ino);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int
rawcache_get(const struct rawcache_key *k, void **map, size_t *maplen)
{
	char dir[4096], path[4200];
	struct trailer t;
	struct stat st;
	size_t len;
	void *p;
	int fd;

	*map = NULL;
	if (k->isize < RAWCACHE_MIN || rawcache_dir(dir, sizeof(dir)) < 0 ||
	    entry(path, sizeof(path), dir, k) < 0)
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return 0;
	len = (size_t)k->isize + sizeof(t);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || st.st_size != (off_t)len ||
	    pread(fd, &t, sizeof(t), (off_t)k->isize) != (ssize_t)sizeof(t) ||
	    memcmp(t.magic, MAGIC, 8) != 0 ||
	    memcmp(&t.k, k, sizeof(*k)) != 0) {
		close(fd);
		return 0;
	}
	/* read-only: the pages are the page cache's own, none copied
	 * (populating a writable private mapping copies every one) */
	p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return 0;
	/* the bytes are the ones the gzip trailer promises */
	if (libdeflate_crc32(0, p, k->isize) != k->crc) {
		munmap(p, len);
		return 0;
	}
	*map = p;
	*maplen = len;
	return 1;
}

/* Remove the temporary files in dir that a killed run left (an hour
 * old: not a live writer's). */
static void
sweep(const char *dir)
{
	char path[4200];
	struct dirent *e;
	struct stat st;
	time_t now;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	now = time(NULL);
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, ".tmp-idx.", 9) != 0 ||
		    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
		    (int)sizeof(path))
			continue;
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_uid == geteuid() && now - st.st_mtime > 3600)
			unlink(path);
	}
	closedir(d);
}

void
rawcache_put(const struct rawcache_key *k, const void *p, size_t n)
{
	char dir[4096], path[4200], tmp[4200];
	struct trailer t;
	int fd, e;

	if (n != k->isize || n < RAWCACHE_MIN ||
	    rawcache_dir(dir, sizeof(dir)) < 0 ||
	    entry(path, sizeof(path), dir, k) < 0 ||
	    snprintf(tmp, sizeof(tmp), "%s/.tmp-idx.XXXXXX", dir) >=
	    (int)sizeof(tmp))
		return;
	if (runfs_mkpath(dir, 0700) < 0)
		return;
	sweep(dir);
	if ((fd = mkstemp(tmp)) < 0)
		return;
	memset(&t, 0, sizeof(t));
	memcpy(t.magic, MAGIC, 8);
	t.k = *k;
	e = runfs_writeall(fd, p, n) < 0 ||
	    runfs_writeall(fd, &t, sizeof(t)) < 0;
	if (close(fd) != 0)
		e = 1;
	if (e || rename(tmp, path) != 0)
		unlink(tmp);
}

/*
 * rawcache.h - raw copies of gzip'd data files, so that the next run
 * maps the bytes instead of inflating them again.
 *
 * A gzip'd IDX file of at least RAWCACHE_MIN inflated bytes is copied,
 * inflated, into the cache directory the first time it is read:
 * $LRF_CACHE, else $XDG_CACHE_HOME/lrf, else $HOME/.cache/lrf
 * (LRF_CACHE=off or empty: no cache).  One entry per file (device and
 * inode in its name): the bytes, then a trailer that names the source as
 * it was (size, mtime, the gzip trailer's CRC-32 and ISIZE).  An entry is
 * used only when its trailer matches the file now and the CRC-32 of its
 * bytes is the one the gzip trailer promises; anything else (a changed
 * file, a cut or damaged entry) is a miss, and the file is inflated and
 * the entry written again.  Entries are written to a temporary file and
 * renamed, so a reader never sees half of one; the temporary files of
 * killed runs are removed by the next writer once an hour old.  The cache is best
 * effort: a directory that cannot be made or written costs nothing but
 * the speed.
 */
#ifndef LRF_RAWCACHE_H
#define LRF_RAWCACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#define RAWCACHE_MIN	(1u << 20)	/* smaller files inflate in < 1 ms */

struct rawcache_key {
	uint64_t dev, ino;	/* the gzip'd file's */
	int64_t	 size, sec, nsec;	/* its size and mtime */
	uint32_t crc, isize;	/* its gzip trailer: CRC-32 and ISIZE */
};

/* The key of the gzip'd regular file st describes, whose last 8 bytes
 * are trailer. */
void rawcache_key(struct rawcache_key *k, const struct stat *st,
    const unsigned char trailer[8]);

/*
 * The entry for k, mapped private and read-only (mprotect it to write:
 * MAP_PRIVATE, the writes stay in this process): 1 with *map (*maplen
 * bytes, of which the first k->isize are the data), to be unmapped with
 * munmap; 0 when there is none that can be trusted.  Says nothing.
 */
int rawcache_get(const struct rawcache_key *k, void **map, size_t *maplen);

/* Store the n = k->isize inflated bytes p as k's entry.  Best effort,
 * silent. */
void rawcache_put(const struct rawcache_key *k, const void *p, size_t n);

/* The cache directory into buf (size bytes): 0, or -1 when there is
 * none (LRF_CACHE=off, no HOME, a name too long). */
int rawcache_dir(char *buf, size_t size);

#endif

/*
 * runfs.h - files and directories of a run: temporary run directories
 * renamed into place when complete, removal of an unfinished one, JSON
 * strings.
 */
#ifndef LRF_RUNFS_H
#define LRF_RUNFS_H

#include <sys/types.h>

#include <jansson.h>
#include <stdio.h>

/* The version, from one place: VERSION in the Makefile (-DLRF_VERSION). */
#ifndef LRF_VERSION
#error "LRF_VERSION is not defined: build with make (VERSION in the Makefile)"
#endif

/* mkdir -p: create dir and its parents; 0, or -1 with a message. */
int runfs_mkdirs(const char *dir);

/*
 * The same, silent, the directories made with mode (umask applied):
 * 0, or -1 with errno set and path cut at the one that could not be
 * made.  path is written to.
 */
int runfs_mkpath(char *path, mode_t mode);

/* Write all n bytes of p to fd (EINTR retried): 0, or -1 with errno;
 * silent. */
int runfs_writeall(int fd, const void *p, size_t n);

/*
 * Create a hidden temporary directory "<parent>/.<name>.XXXXXX" and put
 * its path in buf (size n).  0, or -1 with a message.
 */
int runfs_tmpdir(char *buf, size_t n, const char *parent, const char *name);

#define RUNFS_STALE	60	/* seconds an unlocked directory must have
				   been left alone to count as stale */

/*
 * Lock dir (a run directory being built) for as long as the process
 * lives: flock(2) on the directory itself, which the kernel lets go
 * when the process ends however it ends (SIGKILL, SIGQUIT, a crash).
 * The descriptor (close-on-exec), or -1 with a message.
 */
int runfs_lock(const char *dir);

/*
 * Remove the unfinished run directories under parent that no process
 * builds any more: hidden ".lr_finder_*" directories (not symlinks) of
 * this user that nobody holds runfs_lock on and that have not changed
 * for RUNFS_STALE seconds (time for a new one to be locked).  say, if
 * not NULL, is called with each one's path once it is removed.  The
 * number removed, or -1 with a message when parent cannot be read or a
 * stale directory cannot be removed (the others are still tried).
 */
int runfs_clean(const char *parent, void (*say)(const char *path));

/* fsync every regular file in dir, then dir; 0, or -1 with a message. */
int runfs_sync(const char *dir);

/*
 * Rename the finished directory tmp to "<parent>/<name>", or, if that
 * exists, "<parent>/<name>-2", "-3", ...; the final path goes in buf.
 * Its files and tmp are fsync'ed first (runfs_sync), and parent after,
 * so that a crash leaves either no run or a whole one.  0, or -1 with a
 * message (tmp is left where it was).
 */
int runfs_publish(const char *tmp, const char *parent, const char *name,
    char *buf, size_t n);

/*
 * Rename the finished directory tmp to path, which must not exist (then
 * -1 with a message "path: exists"); synced as runfs_publish does.
 */
int runfs_publishto(const char *tmp, const char *path);

/* Remove dir and everything in it (no symlinks followed); 0 or -1. */
int runfs_remove(const char *dir);

/* Write s as a JSON string literal, quotes included. */
void runfs_jsonstr(FILE *fp, const char *s);

/* Write a double as a JSON number (null for nan and inf). */
void runfs_jsonnum(FILE *fp, double v);

/*
 * The JSON values of the documents lrf writes with jansson
 * (suggestion.json, lrf-suggest --json): s as a JSON string, every byte
 * that is not part of a UTF-8 character replaced by U+FFFD (jansson
 * refuses what is not UTF-8); v as a number (an integer when it is a
 * whole number below 1e9, as %.9g writes it), null for nan and inf.  NULL
 * only when out of memory (json_object_set_new then fails too).
 */
json_t *runfs_jstr(const char *s);
json_t *runfs_jnum(double v);

/* Dump v to fp as lrf writes JSON: indented by 2, reals with 9
 * significant digits, a newline after.  0, or -1 (a write error). */
int runfs_jdump(FILE *fp, const json_t *v);

/* Read a whole small file into a NUL-terminated malloc'd buffer; NULL
 * with a message on failure or if it is larger than max bytes. */
char *runfs_slurp(const char *path, size_t max);

#endif

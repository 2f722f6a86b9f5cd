/*
 * err.h - error reporting for liblrf.
 *
 * The library never prints and never exits.  A function that fails formats
 * one message ("file:line: what is wrong", without the program name), keeps
 * it for err_msg() and hands it to the hook the program installed, then
 * returns -1 (or NULL) to its caller.
 */
#ifndef LRF_ERR_H
#define LRF_ERR_H

typedef void err_hook(const char *msg);

/* Install the hook called with every message; NULL removes it. */
void err_sethook(err_hook *fn);

/* Format a message, keep it, call the hook; always returns -1. */
int err_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The last message set, or "" if none. */
const char *err_msg(void);

/* Forget the last message (unit tests use it between cases). */
void err_clear(void);

#endif

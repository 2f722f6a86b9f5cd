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

/* The hook installed, or NULL. */
err_hook *err_gethook(void);

/* Format a message, keep it, call the hook; always returns -1. */
int err_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The last message set, or "" if none. */
const char *err_msg(void);

/* Forget the last message (unit tests use it between cases). */
void err_clear(void);

#define ERR_QUOTED	40	/* bytes of a value quoted back */
#define ERR_QUOTESIZE	(4 * ERR_QUOTED + 8)	/* room for any quote */

/*
 * A value from the input as a message may quote it: its first ERR_QUOTED
 * bytes (cut before a character, "..." added when cut), with control
 * characters, DEL and bytes that are not UTF-8 written as \xHH, so that
 * no input can put raw bytes on a terminal.  buf has ERR_QUOTESIZE bytes;
 * returns buf.
 */
const char *err_quote(const char *s, char *buf);

#endif

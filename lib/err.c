/* err.c - the library's one way of saying what went wrong. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

static char msg[1024];
static err_hook *hook;

void
err_sethook(err_hook *fn)
{
	hook = fn;
}

err_hook *
err_gethook(void)
{
	return hook;
}

int
err_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (hook)
		hook(msg);
	return -1;
}

const char *
err_msg(void)
{
	return msg;
}

void
err_clear(void)
{
	msg[0] = '\0';
}

/* Bytes in the UTF-8 character that starts at s (1..4), 0 if not one. */
static int
utf8len(const unsigned char *s)
{
	int n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

const char *
err_quote(const char *s, char *buf)
{
	const unsigned char *p;
	size_t o;
	int k;

	o = 0;
	for (p = (const unsigned char *)s; *p != '\0'; p += k) {
		if (p - (const unsigned char *)s >= ERR_QUOTED) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		k = utf8len(p);
		if (k == 0 || *p < 0x20 || *p == 0x7f) {
			o += snprintf(buf + o, 5, "\\x%02x", *p);
			k = 1;
		} else {
			memcpy(buf + o, p, k);
			o += k;
		}
	}
	buf[o] = '\0';
	return buf;
}

/* err.c - the library's one way of saying what went wrong. */
#include <stdarg.h>
#include <stdio.h>

#include "err.h"

static char msg[1024];
static err_hook *hook;

void
err_sethook(err_hook *fn)
{
	hook = fn;
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

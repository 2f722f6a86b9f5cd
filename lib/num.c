/* num.c - checked text to number conversion. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

int
num_double(const char *s, double *v)
{
	const char *p;
	char *end;
	double d;

	p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p) && *p != '.' &&
	    tolower((unsigned char)*p) != 'i' && tolower((unsigned char)*p) != 'n')
		return NUM_BAD;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		return NUM_BAD;
	errno = 0;
	d = strtod(s, &end);
	if (end == s || *end != '\0')
		return NUM_BAD;
	if (errno == ERANGE && isinf(d))
		return NUM_RANGE;
	*v = d;
	return NUM_OK;
}

int
num_long(const char *s, long min, long max, long *v)
{
	char *end;
	long l;

	if (!isdigit((unsigned char)*s) && !((*s == '-' || *s == '+') &&
	    isdigit((unsigned char)s[1])))
		return NUM_BAD;
	errno = 0;
	l = strtol(s, &end, 10);
	if (*end != '\0')
		return NUM_BAD;
	if (errno == ERANGE || l < min || l > max)
		return NUM_RANGE;
	*v = l;
	return NUM_OK;
}

int
num_fmt(char *buf, int n, double v)
{
	if (isnan(v))
		return snprintf(buf, n, "nan");
	return snprintf(buf, n, "%.9g", v);
}

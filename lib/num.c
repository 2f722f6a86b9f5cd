/* num.c - checked text to number conversion. */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

/* Exact powers of ten: 10^0 .. 10^22 are doubles without rounding. */
static const double pow10d[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/*
 * The fast path of num_double (Clinger's): a plain decimal whose digits
 * make an integer m < 2^53 and whose scale is 10^k, |k| <= 22, is m
 * times or over an exact power of ten, one IEEE operation, so correctly
 * rounded: what strtod gives.  Returns 1 with *v set, or 0 for anything
 * else (more digits, a larger exponent, inf, nan, garbage), which the
 * slow path decides.  Needs double arithmetic in double (no x87 excess
 * precision) and rounding to nearest, the C default.
 */
static int
fastdouble(const char *s, double *v)
{
	uint64_t m;
	int neg, nd, k, e, eneg, ed, any;

	if (FLT_EVAL_METHOD != 0)
		return 0;
	neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	m = 0;
	nd = k = any = 0;
	for (; *s >= '0' && *s <= '9'; s++, any = 1)
		if (m != 0 || *s != '0') {
			if (++nd > 19)
				return 0;
			m = m * 10 + (uint64_t)(*s - '0');
		}
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++, any = 1) {
			k--;
			if (m != 0 || *s != '0') {
				if (++nd > 19)
					return 0;
				m = m * 10 + (uint64_t)(*s - '0');
			}
		}
	if (!any)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		eneg = *s == '-';
		if (*s == '-' || *s == '+')
			s++;
		for (e = ed = 0; *s >= '0' && *s <= '9'; s++)
			if (++ed > 4)
				return 0;
			else
				e = e * 10 + (*s - '0');
		if (ed == 0)
			return 0;
		k += eneg ? -e : e;
	}
	if (*s != '\0' || m > (UINT64_C(1) << 53) || k < -22 || k > 22)
		return 0;
	*v = k < 0 ? (double)m / pow10d[-k] : (double)m * pow10d[k];
	if (neg)
		*v = -*v;
	return 1;
}

int
num_double(const char *s, double *v)
{
	const char *p;
	char *end;
	double d;

	if (fastdouble(s, v))
		return NUM_OK;
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

/*
 * The fast path of num_fmt: "%.9g" of a finite, nonzero v whose decimal
 * exponent is in [-19, 35], byte for byte what printf writes, or 0 to
 * leave it to printf.  v scaled to nine integer digits, v * 10^(8-e),
 * is one long double operation with an exact power of ten (10^27 and
 * below are exact in 64 bits of mantissa), so its relative error is
 * below 2^-64: under 6e-11 in the scaled value, below 1e-9.  Unless the
 * scaled value lies within 1e-9 of a rounding tie (x.5), rounding it to
 * an integer rounds the exact value the same way, as printf does; near a
 * tie, and wherever long double is not that wide, printf decides.
 * buf: at least 16 bytes ("-1.23456789e-05" and its NUL).
 */
#if LDBL_MANT_DIG >= 64
/* 1 if long double arithmetic is as wide as its type says when it runs:
 * not under valgrind, which computes x87 operations in 64-bit doubles
 * (there the fast path would round wrongly; printf decides instead). */
static int
ldwide(void)
{
	static int wide = -1;
	volatile long double one = 1, eps = LDBL_EPSILON;

	if (wide < 0)
		wide = one + eps != one;
	return wide;
}
#endif

static int
fastfmt(char *buf, double v)
{
#if LDBL_MANT_DIG >= 64
	static const long double p10[] = {
		1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L, 1e6L, 1e7L, 1e8L, 1e9L,
		1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L,
		1e18L, 1e19L, 1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L,
		1e26L, 1e27L
	};
	char d[9], *p;
	long double x, f;
	double a;
	long m;
	int b, e, k, i, nd;

	a = fabs(v);
	if (!(a >= 1e-19 && a < 1e35) || !ldwide())
		return 0;
	/* a = f 2^b, f in [0.5, 1): log10 a in [(b-1) log10 2, b log10 2),
	 * so this e is the exponent or one below it */
	frexp(a, &b);
	e = (int)floor((b - 1) * 0.30102999566398120);
	for (i = 0; i < 3; i++) {	/* e may be one below */
		k = 8 - e;
		if (k > 27 || k < -27)
			return 0;
		x = k >= 0 ? (long double)a * p10[k] : (long double)a / p10[-k];
		if (x >= 1e9L)
			e++;
		else if (x < 1e8L)
			e--;
		else
			break;
	}
	if (i == 3)
		return 0;
	m = (long)x;			/* x in [1e8, 1e9): its floor */
	f = x - (long double)m;
	if (f > 0.5L - 1e-9L && f < 0.5L + 1e-9L)
		return 0;
	m += f > 0.5L;
	if (m == 1000000000L) {
		m = 100000000L;
		e++;
	}
	for (i = 8; i >= 0; i--, m /= 10)
		d[i] = (char)('0' + m % 10);
	for (nd = 9; nd > 1 && d[nd - 1] == '0'; nd--)
		;			/* the digits %g keeps */
	p = buf;
	if (v < 0)
		*p++ = '-';
	if (e < -4 || e >= 9) {		/* d.ddde+XX */
		*p++ = d[0];
		if (nd > 1) {
			*p++ = '.';
			for (i = 1; i < nd; i++)
				*p++ = d[i];
		}
		*p++ = 'e';
		*p++ = e < 0 ? '-' : '+';
		k = e < 0 ? -e : e;
		if (k >= 10)
			*p++ = (char)('0' + k / 10);
		else
			*p++ = '0';
		*p++ = (char)('0' + k % 10);
	} else if (e >= 0) {		/* ddd.ddd */
		for (i = 0; i <= e; i++)
			*p++ = d[i];
		if (nd > e + 1) {
			*p++ = '.';
			for (; i < nd; i++)
				*p++ = d[i];
		}
	} else {			/* 0.000ddd */
		*p++ = '0';
		*p++ = '.';
		for (i = -1; i > e; i--)
			*p++ = '0';
		for (i = 0; i < nd; i++)
			*p++ = d[i];
	}
	*p = '\0';
	return (int)(p - buf);
#else
	(void)buf;
	(void)v;
	return 0;
#endif
}

int
num_fmt(char *buf, int n, double v)
{
	char t[16];
	int k;

	if (isnan(v))
		return snprintf(buf, n, "nan");
	if (v != 0 && (k = fastfmt(t, v)) > 0) {
		if (k < n)
			memcpy(buf, t, (size_t)k + 1);
		else if (n > 0) {	/* cut, as snprintf would */
			memcpy(buf, t, (size_t)n - 1);
			buf[n - 1] = '\0';
		}
		return k;
	}
	return snprintf(buf, n, "%.9g", v);
}

/*
 * num.h - checked conversion of text to numbers, shared by the record
 * reader, the config loader and the programs' option parsing.
 */
#ifndef LRF_NUM_H
#define LRF_NUM_H

enum {
	NUM_OK = 0,
	NUM_BAD = -1,		/* not a number at all ("abc", "", "1.5x", hex) */
	NUM_RANGE = -2		/* a number too large for a double ("1e999") */
};

/*
 * Parse a whole string as a decimal floating-point number.  "nan", "inf",
 * "-inf" and "infinity" (any case) are accepted; hexadecimal floats are not.
 * Values that underflow become 0 or a subnormal and are accepted.
 */
int num_double(const char *s, double *v);

/* Parse a whole string as a decimal integer in [min, max]. */
int num_long(const char *s, long min, long max, long *v);

/* printf a double so that it round-trips as float32 (and reads back):
 * "%.9g", with nan printed as "nan" whatever its sign. */
int num_fmt(char *buf, int n, double v);

#endif

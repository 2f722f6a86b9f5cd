/*
 * le.h - little-endian bytes, as lrf's weight files (LRFW, safetensors)
 * keep their integers and floats whatever the machine.
 */
#ifndef LRF_LE_H
#define LRF_LE_H

#include <stddef.h>
#include <stdint.h>

/* 1 on a little-endian machine. */
static inline int
le_native(void)
{
	const uint16_t one = 1;

	return *(const unsigned char *)&one == 1;
}

static inline uint32_t
le_get32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
}

static inline uint64_t
le_get64(const unsigned char *b)
{
	uint64_t v;
	int i;

	for (v = 0, i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static inline void
le_put32(unsigned char *b, uint32_t v)
{
	b[0] = v & 0xff;
	b[1] = (v >> 8) & 0xff;
	b[2] = (v >> 16) & 0xff;
	b[3] = (v >> 24) & 0xff;
}

/* n 4-byte floats to or from little-endian bytes, in place. */
static inline void
le_floats(void *p, size_t n)
{
	unsigned char *b, t;
	size_t i;

	if (le_native())
		return;
	for (b = p, i = 0; i < n; i++, b += 4) {
		t = b[0], b[0] = b[3], b[3] = t;
		t = b[1], b[1] = b[2], b[2] = t;
	}
}

#endif

/*
 * sha256.h - SHA-256 (FIPS 180-4) of bytes and of files: the fingerprint
 * of a run's data in its command.sh.  OpenSSL's libcrypto does the
 * hashing (with the CPU's SHA extensions where it has them: Fashion-MNIST's
 * 26 MB in about 15 ms, a tenth of a portable C loop's time).
 */
#ifndef LRF_SHA256_H
#define LRF_SHA256_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct sha256 {
	void	*ctx;		/* libcrypto's EVP_MD_CTX */
	uint64_t n;		/* bytes hashed */
};

/* 0, or -1 with a message (out of memory) and nothing to free. */
int sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *p, size_t n);
/* The digest (32 bytes) into out; s is spent (freed). */
void sha256_final(struct sha256 *s, unsigned char out[32]);

/*
 * The SHA-256 of the file path as 64 lowercase hex digits and a NUL into
 * hex (65 bytes), its size into *size.  0, or -1 with a message ("path:
 * No such file or directory", "path: read error: ...").
 */
int sha256_file(const char *path, char hex[65], long long *size);

/*
 * The same of what remains to be read of fd: 0, or an errno value (ENOMEM,
 * ENOSYS: libcrypto failed; ECANCELED: *stop became nonzero, looked at
 * before each 64 KiB read); says nothing, so a thread may run it.  stop
 * may be NULL.
 */
int sha256_fd(int fd, char hex[65], long long *size, const atomic_int *stop);

/* The message of sha256_fd's error e (an errno value) for what (a path,
 * or NULL): -1, with it set. */
int sha256_say(const char *what, int e);

#endif

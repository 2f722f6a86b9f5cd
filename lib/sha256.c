/* sha256.c - SHA-256 of bytes and files by libcrypto (see sha256.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "err.h"
#include "sha256.h"

/* A context for s: 0, or an errno value (ENOMEM; ENOSYS: libcrypto has
 * no SHA-256); says nothing. */
static int
start(struct sha256 *s)
{
	EVP_MD_CTX *c;

	s->n = 0;
	if ((c = EVP_MD_CTX_new()) == NULL)
		return ENOMEM;
	if (EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c);
		return ENOSYS;
	}
	s->ctx = c;
	return 0;
}

int
sha256_init(struct sha256 *s)
{
	int e;

	if ((e = start(s)) != 0)
		return sha256_say(NULL, e);
	return 0;
}

/* Cannot fail: SHA-256's update only copies and compresses blocks. */
void
sha256_update(struct sha256 *s, const void *p, size_t n)
{
	EVP_DigestUpdate(s->ctx, p, n);
	s->n += n;
}

void
sha256_final(struct sha256 *s, unsigned char out[32])
{
	unsigned int len;

	EVP_DigestFinal_ex(s->ctx, out, &len);
	EVP_MD_CTX_free(s->ctx);
	s->ctx = NULL;
}

int
sha256_fd(int fd, char hex[65], long long *size, const atomic_int *stop)
{
	unsigned char buf[1 << 16], md[32];
	struct sha256 s;
	ssize_t k;
	int i, e;

	if ((e = start(&s)) != 0)
		return e;
	for (;;) {
		if (stop != NULL &&
		    atomic_load_explicit(stop, memory_order_relaxed)) {
			e = ECANCELED;
			break;
		}
		if ((k = read(fd, buf, sizeof(buf))) == 0)
			break;
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			e = errno;
			break;
		}
		sha256_update(&s, buf, (size_t)k);
	}
	sha256_final(&s, md);
	if (e != 0)
		return e;
	*size = (long long)s.n;
	for (i = 0; i < 32; i++) {
		hex[2 * i] = "0123456789abcdef"[md[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
	}
	hex[64] = '\0';
	return 0;
}

int
sha256_say(const char *what, int e)
{
	if (e == ENOMEM || e == ENOSYS)
		return err_set("%s%sSHA-256: %s", what ? what : "",
		    what ? ": " : "", e == ENOMEM ? "out of memory" :
		    "libcrypto has no SHA-256");
	return err_set("%s: read error: %s", what ? what : "SHA-256",
	    strerror(e));
}

int
sha256_file(const char *path, char hex[65], long long *size)
{
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set("%s: %s", path, strerror(errno));
	e = sha256_fd(fd, hex, size, NULL);
	close(fd);
	return e != 0 ? sha256_say(path, e) : 0;
}

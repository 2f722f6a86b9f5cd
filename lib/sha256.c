/* sha256.c - SHA-256 of bytes and files by libcrypto (see sha256.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "err.h"
#include "sha256.h"

int
sha256_init(struct sha256 *s)
{
	EVP_MD_CTX *c;

	s->n = 0;
	if ((c = EVP_MD_CTX_new()) == NULL)
		return err_set("SHA-256: out of memory");
	if (EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c);
		return err_set("SHA-256: libcrypto has no SHA-256");
	}
	s->ctx = c;
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
sha256_file(const char *path, char hex[65], long long *size)
{
	static unsigned char buf[1 << 18];
	unsigned char md[32];
	struct sha256 s;
	ssize_t n;
	int fd, i, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set("%s: %s", path, strerror(errno));
	if (sha256_init(&s) < 0) {
		close(fd);
		return -1;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			sha256_final(&s, md);
			close(fd);
			return err_set("%s: read error: %s", path, strerror(e));
		}
		sha256_update(&s, buf, (size_t)n);
	}
	close(fd);
	*size = (long long)s.n;
	sha256_final(&s, md);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

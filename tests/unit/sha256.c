/*
 * sha256.c - SHA-256 on the test vectors of FIPS 180-4 (one block, two
 * blocks, a million bytes fed in odd pieces), at the block boundaries of
 * the padding, and of a file (to its end, or stopped by a flag).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "sha256.h"
#include "tap.h"

/* The digest of n bytes of p, fed in pieces of step bytes, as hex. */
static const char *
digest(const void *p, size_t n, size_t step)
{
	static char hex[65];
	unsigned char md[32];
	struct sha256 s;
	size_t i, k;

	if (sha256_init(&s) < 0)
		return "(sha256_init failed)";
	for (i = 0; i < n; i += k) {
		k = n - i < step ? n - i : step;
		sha256_update(&s, (const char *)p + i, k);
	}
	sha256_final(&s, md);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return hex;
}

int
main(void)
{
	static const char two[] =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char path[] = "/tmp/lrf-sha256.XXXXXX", hex[65];
	char *a, zeros[64];
	long long size;
	FILE *fp;
	atomic_int stop;
	int fd;

	is_str(digest("", 0, 1),
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "the empty string");
	is_str(digest("abc", 3, 1),
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "abc (FIPS 180-4, one block)");
	is_str(digest(two, strlen(two), 64),
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	    "448 bits (two blocks of padding)");
	if ((a = malloc(1000000)) == NULL)
		return 1;
	memset(a, 'a', 1000000);
	is_str(digest(a, 1000000, 1000000),
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	    "a million 'a' at once");
	is_str(digest(a, 1000000, 997),
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	    "... in pieces of 997 bytes");
	free(a);
	/* the padding's edges: 55 bytes fit one block, 56 need two
	 * (sha256sum of as many zero bytes) */
	memset(zeros, 0, sizeof(zeros));
	is_str(digest(zeros, 55, 7),
	    "02779466cdec163811d078815c633f21901413081449002f24aa3e80f0b88ef7",
	    "55 zero bytes");
	is_str(digest(zeros, 56, 7),
	    "d4817aa5497628e7c77e6b606107042bbba3130888c5f47a375e6179be789fbb",
	    "56 zero bytes");
	is_str(digest(zeros, 64, 64),
	    "f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b",
	    "64 zero bytes");

	if ((fd = mkstemp(path)) < 0 || (fp = fdopen(fd, "w")) == NULL)
		return 1;
	fputs("abc", fp);
	fclose(fp);
	is_int(sha256_file(path, hex, &size), 0, "file");
	is_str(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "  its digest");
	ok(size == 3, "  its size");
	/* sha256_fd with a stop flag: read to the end while it is clear,
	 * nothing read once it is set */
	if ((fd = open(path, O_RDONLY)) < 0)
		return 1;
	atomic_store(&stop, 0);
	is_int(sha256_fd(fd, hex, &size, &stop), 0, "fd, stop clear");
	is_str(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "  its digest");
	lseek(fd, 0, SEEK_SET);
	atomic_store(&stop, 1);
	is_int(sha256_fd(fd, hex, &size, &stop), ECANCELED, "fd, stop set: "
	    "ECANCELED");
	ok(lseek(fd, 0, SEEK_CUR) == 0, "  nothing read");
	close(fd);
	unlink(path);
	is_int(sha256_file(path, hex, &size), -1, "file: gone");
	ok(strstr(err_msg(), ": No such file or directory") != NULL,
	    "  its message names it");
	return done();
}

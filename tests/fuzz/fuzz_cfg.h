/*
 * fuzz_cfg.h - what fuzz_cfg and fuzz_set both ask of a configuration
 * that was accepted: cfg_write's text loads again (cfg_load), and the
 * reloaded configuration writes the same text.  Include after cfg.h and
 * fuzz.h.
 */

/* cfg_write of c into a malloc'd string (NULL if it fails). */
static char *
written(const struct cfg *c, size_t *len)
{
	char *s;
	FILE *fp;
	int r;

	s = NULL;
	if ((fp = open_memstream(&s, len)) == NULL)
		abort();
	r = cfg_write(fp, c);
	fclose(fp);
	if (r < 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* c written, reloaded from fuzz_file(k, ...) and written again: the
 * same text, or abort with both. */
static void
roundtrip(const struct cfg *c, int k)
{
	static struct cfg c2;
	const char *path;
	char *y1, *y2;
	size_t n1, n2;

	if ((y1 = written(c, &n1)) == NULL)
		return;
	path = fuzz_file(k, y1, n1);
	cfg_defaults(&c2);
	if (cfg_load(&c2, path) < 0) {
		fprintf(stderr, "written:\n%s\n", y1);
		fuzz_assert(!"cfg_write's output does not load");
	}
	y2 = written(&c2, &n2);
	fuzz_assert(y2 != NULL);
	if (n1 != n2 || memcmp(y1, y2, n1) != 0) {
		fprintf(stderr, "first:\n%s\nreloaded:\n%s\n", y1, y2);
		fuzz_assert(!"cfg_write -> cfg_load -> cfg_write differs");
	}
	free(y1);
	free(y2);
}

/* names.c - lists of names (see names.h). */
#include <stdio.h>
#include <string.h>

#include "names.h"

const char *
names_get(const char *const *names, int v)
{
	int i;

	if (v < 0)
		return NULL;
	for (i = 0; i < v; i++)
		if (names[i] == NULL)
			return NULL;
	return names[v];
}

int
names_find(const char *const *names, const char *s)
{
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

int
names_join(char *buf, size_t size, const char *const *names, int n,
    const char *sep, const char *last)
{
	size_t len;
	int i, k;

	if (n < 0)
		for (n = 0; names[n] != NULL; n++)
			;
	len = 0;
	if (size > 0)
		buf[0] = '\0';
	for (i = 0; i < n && names[i] != NULL; i++) {
		k = snprintf(len < size ? buf + len : NULL,
		    len < size ? size - len : 0, "%s%s",
		    i == 0 ? "" : i == n - 1 ? last : sep, names[i]);
		if (k > 0)
			len += (size_t)k;
	}
	return (int)len;
}

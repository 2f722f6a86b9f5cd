/*
 * blasinfo - the OpenBLAS build and the kernel it chose for this CPU (or
 * for OPENBLAS_CORETYPE): "OpenBLAS 0.3.21 DYNAMIC_ARCH ... Haswell".
 * tests/kernels prints it beside each setting, so a line says which
 * kernels really ran.
 */
#include <stdio.h>

char *openblas_get_config(void);
char *openblas_get_corename(void);

int
main(void)
{
	printf("%s: %s\n", openblas_get_corename(), openblas_get_config());
	return fflush(stdout) != 0;
}

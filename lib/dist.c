/*
 * dist.c - the single-process dist.h: rank 0 of 1.  Launched with more
 * processes, it hands over to the MPI build (dist.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dist.h"
#include "err.h"

/* The launchers' word for how many processes the job has: Open MPI's
 * mpirun, MPICH's and Slurm's PMI, srun. */
static const char *const sizevars[] = { "OMPI_COMM_WORLD_SIZE", "PMI_SIZE",
	"SLURM_STEP_NUM_TASKS" };

int
dist_init(int *argc, char ***argv)
{
	char path[PATH_MAX + 8];
	const char *s, *var;
	ssize_t len;
	size_t i;
	long np;
	char *end;

	(void)argc;
	np = 1;
	var = NULL;
	for (i = 0; i < sizeof(sizevars) / sizeof(sizevars[0]); i++)
		if ((s = getenv(sizevars[i])) != NULL) {
			errno = 0;
			np = strtol(s, &end, 10);
			if (errno != 0 || end == s || *end != '\0')
				np = 1;
			var = sizevars[i];
			break;
		}
	if (np <= 1)
		return 0;
	if ((len = readlink("/proc/self/exe", path, PATH_MAX)) < 0 ||
	    len >= PATH_MAX)
		return err_set("launched as one of %ld processes (%s), and "
		    "/proc/self/exe: %s", np, var, len < 0 ? strerror(errno) :
		    "path too long");
	memcpy(path + len, "-mpi", 5);
	execv(path, *argv);
	return err_set("launched as one of %ld processes (%s) but built "
	    "without MPI: %s: %s (install libopenmpi-dev and rebuild)", np,
	    var, path, strerror(errno));
}

int
dist_rank(void)
{
	return 0;
}

int
dist_size(void)
{
	return 1;
}

int
dist_bcast(void *buf, size_t n)
{
	(void)buf;
	(void)n;
	return 0;
}

int
dist_sumf(float *v, long n)
{
	(void)v;
	(void)n;
	return 0;
}

int
dist_sumd(double *v, long n)
{
	(void)v;
	(void)n;
	return 0;
}

void
dist_end(void)
{
}

void
dist_abort(int status)
{
	(void)status;
}

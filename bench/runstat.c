/*
 * runstat.c - run a command, then say how long it took and its peak RSS.
 *
 *	runstat -o file command [argument ...]
 *
 * The command inherits stdin, stdout and stderr.  When it ends, one line
 * "seconds=<wall clock> maxrss_kb=<peak resident set> status=<exit>" is
 * written to file (getrusage of the child: ru_maxrss, in kilobytes on
 * Linux), and runstat exits with the command's status (128 + signal if it
 * was killed; 127 if it could not be run).
 */
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct rusage ru;
	struct timespec t0, t1;
	const char *file;
	FILE *fp;
	pid_t pid;
	int st, rc;

	if (argc < 4 || strcmp(argv[1], "-o") != 0) {
		fprintf(stderr, "usage: runstat -o file command "
		    "[argument ...]\n");
		return 2;
	}
	file = argv[2];
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) == -1) {
		fprintf(stderr, "runstat: fork: %s\n", strerror(errno));
		return 127;
	}
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		fprintf(stderr, "runstat: %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR) {
			fprintf(stderr, "runstat: wait: %s\n", strerror(errno));
			return 127;
		}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_CHILDREN, &ru);
	rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if ((fp = fopen(file, "w")) == NULL) {
		fprintf(stderr, "runstat: %s: %s\n", file, strerror(errno));
		return 127;
	}
	fprintf(fp, "seconds=%.6f maxrss_kb=%ld status=%d\n",
	    (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9,
	    ru.ru_maxrss, rc);
	if (fclose(fp) == EOF) {
		fprintf(stderr, "runstat: %s: %s\n", file, strerror(errno));
		return 127;
	}
	return rc;
}

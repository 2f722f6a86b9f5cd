/* launch.c - the data-parallel lrf-train under a launcher (launch.h). */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "launch.h"
#include "runfs.h"

#define POLL_MS	100	/* how often the launcher is checked on */

/* The exit status of a waited-for child: a signal's end is 1. */
static int
exitstatus(int ws)
{
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 1;
}

/* The child: the launch command, stdout onto stderr. */
static void __attribute__((noreturn))
child(char *const argv[])
{
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		_exit(127);
	setenv(LAUNCH_ENV, "1", 1);
	execvp(argv[0], argv);
	dprintf(STDERR_FILENO, "%s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Relay fd (the FIFO, opened non-blocking) to stdout once a writer has
 * come, or return at once if the launcher ended first (*ws set). */
static int
relay(int fd, pid_t pid, int *ws, int *ended)
{
	char buf[1 << 16];
	struct pollfd p;
	ssize_t n;
	int r;

	*ended = 0;
	for (;;) {
		p.fd = fd;
		p.events = POLLIN;
		p.revents = 0;
		if ((r = poll(&p, 1, POLL_MS)) > 0)
			break;
		if (r < 0 && errno != EINTR)
			return err_set("poll: %s", strerror(errno));
		if (waitpid(pid, ws, WNOHANG) == pid) {
			*ended = 1;
			return 0;
		}
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	for (;;) {
		if ((n = read(fd, buf, sizeof(buf))) < 0) {
			if (errno == EINTR)
				continue;
			return err_set("records: %s", strerror(errno));
		}
		if (n == 0)
			return 0;
		if (runfs_writeall(STDOUT_FILENO, buf, (size_t)n) < 0) {
			if (errno == EPIPE)	/* the reader went: rank 0's
						   next write fails too */
				return 0;
			return err_set("stdout: %s", strerror(errno));
		}
	}
}

int
launch_run(char *const launcher[], int nl, const char *prog,
    char *const args[])
{
	char dir[PATH_MAX / 2], fifo[PATH_MAX / 2 + 16];
	char *argv[LAUNCH_MAXARGS + 4];
	const char *tmp;
	pid_t pid;
	int i, a, fd, ws, ended, r, nul;

	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	if ((size_t)snprintf(dir, sizeof(dir), "%s/lrf-train.XXXXXX", tmp) >=
	    sizeof(dir))
		return err_set("TMPDIR: path too long");
	a = 0;
	for (i = 0; i < nl && a < LAUNCH_MAXARGS; i++)
		argv[a++] = launcher[i];
	argv[a++] = (char *)prog;
	for (i = 0; args[i] != NULL && a < LAUNCH_MAXARGS; i++)
		argv[a++] = args[i];
	if (args[i] != NULL || i >= LAUNCH_MAXARGS)
		return err_set("launch: more than %d words", LAUNCH_MAXARGS);
	if (mkdtemp(dir) == NULL)
		return err_set("%s: %s", dir, strerror(errno));
	snprintf(fifo, sizeof(fifo), "%s/records", dir);
	argv[a++] = "--output";
	argv[a++] = fifo;
	argv[a] = NULL;
	if (mkfifo(fifo, 0600) < 0) {
		r = err_set("%s: %s", fifo, strerror(errno));
		rmdir(dir);
		return r;
	}
	fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || (pid = fork()) < 0) {
		r = err_set("%s: %s", fd < 0 ? fifo : "fork", strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(fifo);
		rmdir(dir);
		return r;
	}
	if (pid == 0)
		child(argv);
	/* the rates are the launcher's: this process holds no end of them */
	if ((nul = open("/dev/null", O_RDONLY)) >= 0) {
		dup2(nul, STDIN_FILENO);
		close(nul);
	}
	r = relay(fd, pid, &ws, &ended);
	close(fd);
	if (!ended)
		while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
			;
	unlink(fifo);
	rmdir(dir);
	if (r < 0)
		return -1;
	return exitstatus(ws);
}

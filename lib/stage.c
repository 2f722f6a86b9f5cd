/* stage.c - the stages of a range test as processes (see stage.h). */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "rec.h"
#include "stage.h"

void
stage_init(struct stage *st, const char *argv0, const char *dir)
{
	char *p;
	ssize_t n;

	memset(st, 0, sizeof(*st));
	st->every = 10;
	st->errfd = 2;
	snprintf(st->dir, sizeof(st->dir), "%s", dir != NULL ? dir : ".");
	n = readlink("/proc/self/exe", st->bindir, sizeof(st->bindir) - 1);
	if (n <= 0) {
		snprintf(st->bindir, sizeof(st->bindir), "%s", argv0);
		n = (ssize_t)strlen(st->bindir);
	}
	st->bindir[n] = '\0';
	if ((p = strrchr(st->bindir, '/')) != NULL)
		*p = '\0';
	else
		snprintf(st->bindir, sizeof(st->bindir), ".");
}

void
stage_signal(struct stage *st, int sig)
{
	st->sig = sig;
	if (st->pgrp > 0)
		kill(-st->pgrp, SIGTERM);
}

void
stage_stop(struct stage *st)
{
	if (st->pgrp > 0)
		kill(-st->pgrp, SIGTERM);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	st->pgrp = 0;
}

/* A line for the log, if there is one. */
static void __attribute__((format(printf, 2, 3)))
say(const struct stage *st, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (st->say == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	st->say(msg);
}

/* stage_spawn with stderr to errfd (-1: ours) */
static pid_t
spawn(struct stage *st, char *const argv[], int in, int out, int errfd)
{
	char path[PATH_MAX];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", st->bindir, argv[0]);
	if (access(path, X_OK) != 0)
		snprintf(path, sizeof(path), "%s", argv[0]);
	if ((pid = fork()) < 0) {
		err_set("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		setpgid(0, st->pgrp);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (in != 0) {
			dup2(in, 0);
			close(in);
		}
		if (out != 1) {
			dup2(out, 1);
			close(out);
		}
		if (errfd >= 0)
			dup2(errfd, 2);
		else if (st->errfd != 2)
			dup2(st->errfd, 2);
		if (chdir(st->dir) < 0)
			_exit(127);
		if (strchr(path, '/'))
			execv(path, argv);
		else
			execvp(path, argv);
		err_set("cannot run %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, st->pgrp ? st->pgrp : pid);
	if (st->pgrp == 0)
		st->pgrp = pid;
	return pid;
}

pid_t
stage_spawn(struct stage *st, char *const argv[], int in, int out)
{
	return spawn(st, argv, in, out, -1);
}

int
stage_wait(struct stage *st, pid_t pid)
{
	int s;

	(void)st;
	while (waitpid(pid, &s, 0) < 0)
		if (errno != EINTR)
			return 127;
	return WIFEXITED(s) ? WEXITSTATUS(s) : STAGE_KILLED + WTERMSIG(s);
}

int
stage_failed(const char *name, int status)
{
	if (status > STAGE_KILLED)
		return err_set("%s failed (killed by signal %d)", name,
		    status - STAGE_KILLED);
	return err_set("%s failed (exit status %d)", name, status);
}

/* path in the stages' directory */
static const char *
inside(const struct stage *st, const char *name, char *buf, size_t size)
{
	if (name == NULL)
		return "/dev/null";
	snprintf(buf, size, "%s/%s", st->dir, name);
	return buf;
}

int
stage_run(struct stage *st, char *const argv[], const char *in,
    const char *out)
{
	char pi[PATH_MAX], po[PATH_MAX];
	int fi, fo, r;
	pid_t pid;

	fi = open(inside(st, in, pi, sizeof(pi)), O_RDONLY | O_CLOEXEC);
	fo = open(inside(st, out, po, sizeof(po)), O_WRONLY | O_CREAT |
	    O_TRUNC | O_CLOEXEC, 0666);
	if (fi < 0 || fo < 0) {
		err_set("%s: %s", fi < 0 ? pi : po, strerror(errno));
		if (fi >= 0)
			close(fi);
		if (fo >= 0)
			close(fo);
		return 127;
	}
	st->pgrp = 0;
	pid = stage_spawn(st, argv, fi, fo);
	close(fi);
	close(fo);
	if (pid < 0)
		return 127;
	r = stage_wait(st, pid);
	st->pgrp = 0;
	return st->sig ? STAGE_INTERRUPTED : r;
}

/*
 * The stderr of the last stage (lrf-smooth, which only sees what the
 * stages before it let through): a file already unlinked (in the
 * stages' directory), copied to ours when the pipeline ends unless a
 * stage before it failed; -1 (the stage writes to ours) if it cannot be
 * made.
 */
static int
errfile(const struct stage *st)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/.stderr.XXXXXX", st->dir);
	if ((fd = mkstemp(path)) < 0)
		return -1;
	unlink(path);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/* Copy to out (our stderr, or lrf-find's filter of it) what the stages
 * [0, upto) said into their files, in order; close every file. */
static void
errclose(int out, const int *efd, int n, int upto)
{
	char buf[4096];
	ssize_t k;
	int i;

	for (i = 0; i < n; i++) {
		if (efd[i] < 0)
			continue;
		if (i < upto && lseek(efd[i], 0, SEEK_SET) == 0)
			while ((k = read(efd[i], buf, sizeof(buf))) > 0)
				if (write(out, buf, (size_t)k) != k)
					break;
		close(efd[i]);
	}
}

/* Take in one record of the stream: s, and the log. */
static int
watch(struct stage *st, struct rec_reader *r, int kind, struct stage_seen *s,
    int *cols)
{
	double lr, loss, val, sm, num;

	if (kind == REC_COMMENT && rec_meta_is(r->raw, "schedule")) {
		if (rec_meta_num(r->raw, "num", &num) == 0)
			s->planned = (long)num;
	} else if (kind == REC_COMMENT && rec_meta_is(r->raw, "stop")) {
		s->stopped = 1;
		snprintf(s->stopline, sizeof(s->stopline), "%s", r->raw);
		say(st, "Loss %s - stopping early", strstr(r->raw,
		    "reason=nonfinite") ? "is not finite" : "increasing");
	} else if (kind == REC_DATA) {
		if (cols[0] < 0) {	/* lr, loss, val_loss, smooth */
			cols[0] = rec_col(r, "lr");
			cols[1] = rec_col(r, "loss");
			cols[2] = rec_hascol(r, "val_loss");
			cols[3] = rec_hascol(r, "smooth");
			if (cols[0] < 0 || cols[1] < 0)
				return -1;
		}
		if (rec_num(r, cols[0], &lr) < 0 ||
		    rec_num(r, cols[1], &loss) < 0)
			return -1;
		if (cols[3] >= 0 && rec_num(r, cols[3], &sm) == 0 &&
		    isfinite(sm)) {
			if (s->records == 0)
				s->first_smooth = s->min_smooth = sm;
			if (sm < s->min_smooth)
				s->min_smooth = sm;
		}
		if (s->records == 0)
			s->first_lr = lr;
		s->last_lr = lr;
		if (s->records % st->every == 0) {
			if (cols[2] >= 0 && rec_num(r, cols[2], &val) == 0)
				say(st, "LR: %.2e | Loss: %.4f | Val loss: "
				    "%.4f", lr, loss, val);
			else
				say(st, "LR: %.2e | Loss: %.4f", lr, loss);
		}
		s->records++;
	}
	return 0;
}

int
stage_pipeline(struct stage *st, char *const *const argv[], int n,
    const char *out, struct stage_seen *s)
{
	struct rec_reader r;
	char path[PATH_MAX];
	const char *name;
	int p[2], in, i, k, status, failed, bad, cols[4], efd[8];
	pid_t pid[8];
	FILE *fp, *fo;

	if (n < 1 || n > 8)
		return err_set("%d stages", n);
	/* the last stage's stderr held back (see errfile); the others'
	 * messages, warnings and a --trainer's own output, go out live */
	for (i = 0; i < n; i++)
		efd[i] = i > 0 && i == n - 1 ? errfile(st) : -1;
	/*
	 * Every descriptor here is close-on-exec: a stage that held the
	 * read end of its own output pipe would never see its reader go
	 * away (EPIPE), and would block instead of ending.
	 */
	inside(st, out, path, sizeof(path));
	if ((fo = fopen(path, "w")) == NULL)
		return err_set("%s: %s", path, strerror(errno));
	fcntl(fileno(fo), F_SETFD, FD_CLOEXEC);
	st->pgrp = 0;
	in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	for (i = 0; i < n; i++) {
		if (pipe(p) < 0) {
			close(in);
			fclose(fo);
			return err_set("pipe: %s", strerror(errno));
		}
		fcntl(p[0], F_SETFD, FD_CLOEXEC);
		fcntl(p[1], F_SETFD, FD_CLOEXEC);
		pid[i] = spawn(st, argv[i], in, p[1], efd[i]);
		close(in);
		close(p[1]);
		in = p[0];
		if (pid[i] < 0) {
			close(in);
			fclose(fo);
			while (i-- > 0)	/* the started ones end on EPIPE */
				stage_wait(st, pid[i]);
			errclose(st->errfd, efd, n, 0);
			return -1;
		}
	}
	fp = fdopen(in, "r");
	rec_open(&r, fp, "lrf-smooth output");
	cols[0] = cols[1] = cols[2] = cols[3] = -1;
	bad = k = 0;
	while (!st->sig && (k = rec_next(&r)) > 0) {
		fputs(r.raw, fo);
		fputc('\n', fo);
		if (watch(st, &r, k, s, cols) < 0) {
			bad = 1;
			break;
		}
	}
	if (k < 0 && !st->sig)
		bad = 1;
	rec_close(&r);
	fclose(fp);
	if (fclose(fo) != 0 && !bad)
		bad = err_set("%s: write error", path) != 0;
	status = 0;
	failed = n;
	for (i = 0; i < n; i++) {
		name = st->name[i] != NULL ? st->name[i] : argv[i][0];
		if ((k = stage_wait(st, pid[i])) == 0 || status)
			continue;
		if ((st->cutok >> i & 1) && s->stopped && !bad) {
			if (k >= STAGE_KILLED)
				say(st, "%s killed by signal %d after the "
				    "stream was stopped (ignored)", name,
				    k - STAGE_KILLED);
			else
				say(st, "%s exited with status %d after the "
				    "stream was stopped (ignored)", name, k);
			continue;
		}
		status = k;
		failed = i;
	}
	/* a stage after the one that failed saw its input cut short:
	 * what it says of that ("stdin: no records") is not news */
	errclose(st->errfd, efd, n, failed + 1);
	if (status)
		stage_failed(st->name[failed] != NULL ?
		    st->name[failed] : argv[failed][0], status);
	st->pgrp = 0;
	if (st->sig)
		return STAGE_INTERRUPTED;
	return bad || status ? -1 : 0;
}

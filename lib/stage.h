/*
 * stage.h - the stages of a range test as processes: started from the
 * directory of the lrf programs, in a run directory, in one process
 * group; reaped; the pipeline lrf-schedule | lrf-train | lrf-smooth
 * watched as its records go by.
 *
 *	struct stage st;
 *
 *	stage_init(&st, argv[0], rundir);
 *	st.say = log_line;		   the log, or NULL
 *	(on SIGINT, SIGTERM, SIGHUP: stage_signal(&st, sig))
 *	r = stage_pipeline(&st, argvs, 3, "smooth.tsv", &seen);
 *	r = stage_run(&st, argv, NULL, "records.tsv");
 *	if (r == STAGE_INTERRUPTED)
 *		stage_stop(&st), then clean up and raise st.sig
 *
 * A signal makes every call return STAGE_INTERRUPTED once its processes
 * are reaped; the caller decides what an interrupted run leaves.  The
 * library prints nothing: the log goes to the say hook, the errors to
 * err_set() (a child that cannot run its program reports through the
 * hook too, then exits 127).
 */
#ifndef LRF_STAGE_H
#define LRF_STAGE_H

#include <sys/types.h>

#include <limits.h>
#include <signal.h>

#define STAGE_KILLED		256	/* status: + the signal that killed it */
#define STAGE_INTERRUPTED	(-2)	/* a signal came: stop */

struct stage {
	char	 bindir[PATH_MAX / 2];	/* where the other lrf programs are */
	char	 dir[PATH_MAX / 2];	/* the stages run in it */
	volatile sig_atomic_t sig;	/* the signal that came, or 0 */
	volatile pid_t pgrp;		/* the running stages' process
					   group, 0 if none */
	void	(*say)(const char *msg);	/* log a line, or NULL */
	int	 every;			/* log every n-th record (10) */
	const char *name[8];		/* stage i's name in messages, or
					   NULL: its argv[0] */
	int	 errfd;			/* the stages' stderr: 2, or a
					   close-on-exec descriptor of the
					   caller's (a filter of messages) */
	unsigned cutok;			/* bit i: stage i failing after a
					   "#@ stop" line is only logged (a
					   trainer of the user's that does
					   not end quietly when its reader
					   goes away) */
};

/* What the stream said, for the log, the diagnosis and suggestion.json. */
struct stage_seen {
	long	 records;	/* data records */
	double	 first_smooth;	/* the smoothed loss at the first record */
	double	 min_smooth;	/* and its minimum */
	double	 first_lr, last_lr;
	int	 stopped;	/* a "#@ stop" line came */
	char	 stopline[512];	/* that line */
	long	 planned;	/* num= of "#@ schedule", or 0 */
};

/*
 * Set up st: the lrf programs are looked for next to the running one
 * (/proc/self/exe, else argv0's directory), then on PATH; the stages run
 * in dir.  Never fails.
 */
void stage_init(struct stage *st, const char *argv0, const char *dir);

/* For the program's signal handler (async-signal-safe): note sig and
 * send SIGTERM to the running stages. */
void stage_signal(struct stage *st, int sig);

/* Kill the running stages and wait for every child: an interrupted run's
 * end.  Never fails. */
void stage_stop(struct stage *st);

/*
 * Start argv[0] (from bindir, else PATH) in dir with stdin in and stdout
 * out, in the stages' process group (the first starts it).  The pid, or
 * -1 with a message if it cannot fork.
 */
pid_t stage_spawn(struct stage *st, char *const argv[], int in, int out);

/* Wait for pid: its exit status, STAGE_KILLED + the signal that killed
 * it, or 127 if it cannot be waited for. */
int stage_wait(struct stage *st, pid_t pid);

/* "name failed (exit status 1)" or "(killed by signal 9)" for a status
 * of stage_wait: -1 with that message. */
int stage_failed(const char *name, int status);

/*
 * Run argv to the end, stdin from the file in and stdout to the file out
 * (paths in dir; NULL: /dev/null): its exit status as stage_wait gives
 * it (127 with a message if a file cannot be opened or it cannot start),
 * or STAGE_INTERRUPTED.
 */
int stage_run(struct stage *st, char *const argv[], const char *in,
    const char *out);

/*
 * Run the n stages argv[0] | argv[1] | ... (stdin /dev/null), the last
 * one's output copied line by line to the file out (in dir) and watched:
 * *s says what it held, and the log says "LR: 1.00e-03 | Loss: 2.3026"
 * every st->every records and "Loss increasing - stopping early" at a
 * "#@ stop" line.  0 when every stage succeeded and the records were
 * good; -1 with a message ("lrf-train failed (exit status 1)", a bad
 * record, a write error); STAGE_INTERRUPTED.  The last stage's stderr
 * is held back until the pipeline ends and dropped when a stage before
 * it failed: its input cut short, it would only add "stdin: no records"
 * to the failing stage's message.
 */
int stage_pipeline(struct stage *st, char *const *const argv[], int n,
    const char *out, struct stage_seen *s);

#endif

/*
 * launch.h - lrf-train --np / --launcher: the data-parallel program
 * started under a launcher (mpirun, srun), its records relayed.
 *
 * A launcher's standard output is no pipe to the reader: mpirun copies
 * its ranks' output, and when the reader goes it aborts (SIGPIPE) instead
 * of telling rank 0.  So rank 0 writes its records into a FIFO (lrf-train
 * --output) that this process reads and copies to its own standard
 * output: a reader gone (EPIPE) closes the FIFO, rank 0's next write
 * fails the same way, and every rank stops together, exit 0.  A launcher
 * that ends before rank 0 opens the FIFO (a rank that failed to start) is
 * seen by polling, never waited for forever.
 */
#ifndef LRF_LAUNCH_H
#define LRF_LAUNCH_H

#define LAUNCH_ENV	"LRF_LAUNCHED"	/* set for the launched program */
#define LAUNCH_MAXARGS	256		/* words of the launch command */

/*
 * Run launcher[0..nl-1] (argv words: "mpirun", "-np", "2"), then prog,
 * then args[] (NULL-terminated), then "--output" and a FIFO in a
 * temporary directory; stdin goes to the launcher, its stdout to stderr;
 * the FIFO's bytes are copied to stdout until its end or until stdout's
 * reader goes.  Sets LAUNCH_ENV=1 in the launcher's environment.
 * Returns the launcher's exit status (1 if a signal ended it), or -1
 * with a message (no FIFO, no fork, the launcher cannot be run: 127).
 */
int launch_run(char *const launcher[], int nl, const char *prog,
    char *const args[]);

#endif

/*
 * rundir.c - what lrf-find writes into a run directory (lib/rundir.c):
 * its name, the name and the copy of --load's weights, command.sh,
 * suggestion.json, the suggestion read back, the diagnosis of a curve
 * without one, and the steps that run lrf-suggest and lrf-plot (with the
 * programs of this tree).
 */
#include <sys/stat.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "data.h"
#include "err.h"
#include "rundir.h"
#include "suggest.h"
#include "stage.h"
#include "tap.h"

char *mkdtemp(char *);		/* POSIX 2008, hidden by strict c11 headers */

static char dir[] = "/tmp/lrf-rundir.XXXXXX";

/* dir/name */
static const char *
at(const char *name)
{
	static char buf[2][512];
	static int k;

	k = !k;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

/* The whole of dir/name ("" if it cannot be read). */
static const char *
slurp(const char *name)
{
	static char buf[16384];
	FILE *fp;
	size_t n;

	buf[0] = '\0';
	if ((fp = fopen(at(name), "r")) == NULL)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void
put(const char *name, const char *text)
{
	FILE *fp;

	if ((fp = fopen(at(name), "w")) != NULL) {
		fputs(text, fp);
		fclose(fp);
	}
}

static void
test_names(void)
{
	char buf[128];

	setenv("TZ", "UTC", 1);
	tzset();
	rundir_name(buf, sizeof(buf), 1798761600, NULL);	/* 2027-01-01 */
	is_str(buf, "lr_finder_20270101-000000", "run name");
	rundir_name(buf, sizeof(buf), 1798761661, "adam");
	is_str(buf, "lr_finder_20270101-000101_adam", "run name with --name");

	rundir_loadname("/some/where/w-1.lrfw", buf, sizeof(buf));
	is_str(buf, "w-1.lrfw", "load name: the file's own");
	rundir_loadname("config.yaml", buf, sizeof(buf));
	is_str(buf, "init.lrfw", "load name: not one of the run's files");
	rundir_loadname("a/.w", buf, sizeof(buf));
	is_str(buf, "init.lrfw", "load name: not hidden");
	rundir_loadname("-w", buf, sizeof(buf));
	is_str(buf, "init.lrfw", "load name: not an option");
	rundir_loadname("my w.lrfw", buf, sizeof(buf));
	is_str(buf, "init.lrfw", "load name: nothing to quote");
	rundir_loadname("dir/", buf, sizeof(buf));
	is_str(buf, "init.lrfw", "load name: not empty");
	rundir_loadname("abcdefghijklmnop", buf, 12);
	is_str(buf, "init.lrfw", "load name: not cut");
}

static void
test_files(void)
{
	struct rundir_run run = { "/opt/lrf/bin", 1, 1, "w.lrfw", 1, -1, NULL, 1,
	    0 };
	volatile sig_atomic_t stop = 0;
	char *argv[RUNDIR_TRAINARGS];
	struct stat sb;
	mode_t mask;
	struct cfg c;
	char want[2048];

	put("w.src", "weights\n");
	is_int(rundir_copy(at("w.src"), at("w.copy"), -1, NULL), 0, "copy");
	is_str(slurp("w.copy"), "weights\n", "  the same bytes");
	is_int(rundir_copy(at("none"), at("w.copy2"), -1, NULL), -1, "copy: no source");
	snprintf(want, sizeof(want), "%s: No such file or directory",
	    at("none"));
	is_str(err_msg(), want, "  its message");
	is_int(rundir_copy(at("w.src"), at("no/dir"), -1, NULL), -1,
	    "copy: no directory");
	/* bounded by the size checked, and stopped by a signal (issue 18,
	 * 4) */
	is_int(rundir_copy(at("w.src"), at("w.copy"), 8, NULL), 0,
	    "copy: the size checked");
	is_int(rundir_copy(at("w.src"), at("w.copy"), 3, NULL), -1,
	    "copy: a file longer than checked");
	snprintf(want, sizeof(want), "%s: not 3 bytes as it was when checked",
	    at("w.src"));
	is_str(err_msg(), want, "  its message");
	is_int(rundir_copy(at("w.src"), at("w.copy"), 9, NULL), -1,
	    "copy: a file shorter than checked");
	stop = 1;
	is_int(rundir_copy(at("w.src"), at("w.copy"), -1, &stop), -1,
	    "copy: a signal stops it");
	snprintf(want, sizeof(want), "%s: copy interrupted", at("w.copy"));
	is_str(err_msg(), want, "  its message");
	run.loadsize = -1;

	is_int(rundir_command(at("command.sh"), &run), 0, "command.sh");
	is_str(slurp("command.sh"),
	    "#!/bin/bash\n"
	    "# Reproduces this run: writes records.tsv and the plot into DIR "
	    "(default:\n"
	    "# this directory) from config.yaml.  Made by lrf-find " LRF_VERSION ".\n"
	    "set -eo pipefail\n"
	    "case $0 in */*) here=${0%/*} ;; *) here=. ;; esac\n"
	    "here=$(CDPATH= cd -- \"${here:-/}\" && pwd && echo x)\n"
	    "here=${here%?x}\n"
	    "out=${1:-$here}\n"
	    "PATH='/opt/lrf/bin':$PATH\n"
	    "lrf-schedule -c \"$here/config.yaml\" |\n"
	    "    (cd -- \"$here\" && exec lrf-train -c config.yaml --no-progress "
	    "--val --load 'w.lrfw' --load-partial) |\n"
	    "    lrf-smooth -c \"$here/config.yaml\" |\n"
	    "    lrf-suggest -c \"$here/config.yaml\" -a > "
	    "\"$out/records.tsv\"\n"
	    "cd -- \"$out\"\n"
	    "lrf-plot -o lr_finder.png records.tsv > lr_finder.gp\n"
	    "if command -v gnuplot >/dev/null; then gnuplot lr_finder.gp; "
	    "fi\n", "  with the plot, --val, --load, --load-partial");
	mask = umask(022);
	rundir_command(at("command.sh"), &run);
	ok(stat(at("command.sh"), &sb) == 0 && (sb.st_mode & 0777) == 0755,
	    "  executable (umask 022)");
	umask(077);
	rundir_command(at("command.sh"), &run);
	ok(stat(at("command.sh"), &sb) == 0 && (sb.st_mode & 0777) == 0700,
	    "  umask 077: 0700 (issue 18, 8)");
	umask(mask);
	run.bindir = "/a b/$(touch x)`y`;z'q";
	rundir_command(at("command.sh"), &run);
	ok(strstr(slurp("command.sh"),
	    "\nPATH='/a b/$(touch x)`y`;z'\\''q':$PATH\n") != NULL,
	    "  a hostile bindir single-quoted (issue 18, 2)");
	run.bindir = "/opt/lrf/bin";
	run.plot = run.val = run.partial = 0;
	run.load = NULL;
	rundir_command(at("command.sh"), &run);
	ok(strstr(slurp("command.sh"), "\"$here/config.yaml\" |\n    "
	    "lrf-train -c \"$here/config.yaml\" --no-progress |\n") != NULL &&
	    strstr(slurp("command.sh"), "lrf-plot") == NULL,
	    "  plain: no plot, no --load");

	rundir_train(&run, argv);
	ok(strcmp(argv[0], "lrf-train") == 0 &&
	    strcmp(argv[3], "--no-progress") == 0 && argv[4] == NULL,
	    "train: lrf-train -c config.yaml --no-progress");
	run.val = run.partial = 1;
	run.load = "w.lrfw";
	rundir_train(&run, argv);
	ok(strcmp(argv[4], "--val") == 0 && strcmp(argv[5], "--load") == 0 &&
	    strcmp(argv[6], "w.lrfw") == 0 &&
	    strcmp(argv[7], "--load-partial") == 0 && argv[8] == NULL,
	    "train: --val --load w.lrfw --load-partial");

	cfg_defaults(&c);
	is_int(rundir_start(dir, &c, &run, at("w.src")), 0, "start");
	ok(strncmp(slurp("config.yaml"), "# lrf configuration", 19) == 0 &&
	    strncmp(slurp("command.sh"), "#!/bin/bash\n", 12) == 0 &&
	    strcmp(slurp("w.lrfw"), "weights\n") == 0,
	    "  config.yaml, command.sh, the weights");
	ok(rundir_start(at("no/dir"), &c, &run, at("w.src")) == -1 &&
	    strstr(err_msg(), "config.yaml: cannot write") != NULL,
	    "start: no directory");

	cfg_defaults(&c);
	ok(rundir_fallback(&c) == (access(c.data.images, R_OK) != 0 ||
	    access(c.data.labels, R_OK) != 0), "fallback: when no data");
	strcpy(c.data.images, at("none.idx"));
	ok(rundir_fallback(&c) == 1 && c.data.format == DATA_SYNTHETIC &&
	    c.data.samples == 4000 && c.data.features == 32 &&
	    c.model.layers[1].units == 4, "fallback: synthetic blobs");
}

static void
test_json(void)
{
	static const char failed[] = "{\n  \"suggested_lr\": null,\n"
	    "  \"method\": \"valley\",\n  \"loss\": null,\n  \"status\": "
	    "\"failed\",\n  \"diagnosis\": \"the run is too short for a "
	    "suggestion: raise num_iter\",\n  \"confidence\": null,\n"
	    "  \"reasons\": [],\n  \"methods\": null,\n  \"steps\": "
	    "42,\n  \"stop\": null,\n";
	struct rundir_run run = { "/bin", 1, 1, NULL, 0, -1, NULL, 1, 0 };
	struct rundir_result res;
	struct stage_seen s;
	struct cfg c;

	cfg_defaults(&c);
	memset(&s, 0, sizeof(s));
	s.records = 42;
	s.stopped = 1;
	snprintf(s.stopline, sizeof(s.stopline), "#@ stop reason=diverged "
	    "step=41 lr=0.5 smooth=9.5 best=2");
	memset(&res, 0, sizeof(res));
	res.method = "valley";
	res.lr = 0.001;
	res.loss = 1.5;
	res.methods = "{\"method\": \"steep\"}";
	res.wall = 1.25;
	res.doubts = SUGGEST_NOT_NODIV | SUGGEST_NOT_DISAGREE;
	is_int(rundir_json(dir, &c, &s, &run, &res), 0, "suggestion.json");
	is_str(slurp("suggestion.json"),
	    "{\n"
	    "  \"suggested_lr\": 0.001,\n"
	    "  \"method\": \"valley\",\n"
	    "  \"loss\": 1.5,\n"
	    "  \"status\": \"ok\",\n"
	    "  \"confidence\": \"low\",\n"
	    "  \"reasons\": [\"no-divergence\", \"disagree\"],\n"
	    "  \"methods\": {\"method\": \"steep\"},\n"
	    "  \"steps\": 42,\n"
	    "  \"stop\": {\"reason\": \"diverged\", \"step\": 41, \"lr\": 0.5, "
	    "\"smooth\": 9.5, \"best\": 2},\n"
	    "  \"config\": {\"file\": \"config.yaml\", \"start_lr\": 1e-07, "
	    "\"end_lr\": 1, \"num_iter\": 100, \"mode\": \"exp\", \"beta\": "
	    "0.98, \"diverge_threshold\": 4, \"batch_size\": 64, \"fold\": 0, "
	    "\"optimizer\": \"sgd\", \"data\": \"idx\"},\n"
	    "  \"seed\": 42,\n"
	    "  \"val\": true,\n"
	    "  \"version\": \"lrf " LRF_VERSION "\",\n"
	    "  \"wall_time_s\": 1.250\n"
	    "}\n", "  as it was found");
	s.stopped = 0;
	res.why = "the run is too short for a suggestion: raise num_iter";
	res.methods = NULL;
	run.val = 0;
	rundir_json(dir, &c, &s, &run, &res);
	ok(strncmp(slurp("suggestion.json"), failed, strlen(failed)) == 0,
	    "  failed: why");
	ok(rundir_json(at("no/dir"), &c, &s, &run, &res) == -1,
	    "json: no directory");
}

static void
test_suggestion(void)
{
	struct stage_seen s;
	char method[32];
	double lr, loss;
	int doubts;

	put("records.tsv", "# lr\tloss\n1e-3\t2\n#@ suggest method=steep "
	    "lr=0.001 loss=2\n#@ suggest method=valley lr=0.002 loss=1.9\n");
	lr = loss = 0;
	ok(rundir_suggestion(at("records.tsv"), method, sizeof(method), &lr,
	    &loss, NULL) == 0 && strcmp(method, "valley") == 0 && lr == 0.002 &&
	    loss == 1.9, "suggestion: the last #@ suggest");
	/* confidence= and reasons= (issue 19's "not sure") */
	put("records.tsv", "# lr\tloss\n1e-3\t2\n#@ suggest method=floor "
	    "lr=0.001 loss=2 confidence=low reasons=flat,no-divergence\n");
	ok(rundir_suggestion(at("records.tsv"), method, sizeof(method), &lr,
	    &loss, &doubts) == 0 && doubts == (SUGGEST_NOT_FLAT |
	    SUGGEST_NOT_NODIV), "suggestion: its reasons");
	put("records.tsv", "# lr\tloss\n1e-3\t2\n#@ suggest method=floor "
	    "lr=0.001 loss=2 confidence=high\n");
	ok(rundir_suggestion(at("records.tsv"), method, sizeof(method), &lr,
	    &loss, &doubts) == 0 && doubts == 0, "suggestion: confidence high");
	put("records.tsv", "# lr\tloss\n1e-3\t2\n#@ suggest method=floor "
	    "lr=0.001 loss=2\n");
	ok(rundir_suggestion(at("records.tsv"), method, sizeof(method), &lr,
	    &loss, &doubts) == 0 && doubts == -1, "suggestion: no confidence");
	put("records.tsv", "# lr\tloss\n1e-3\t2\n");
	ok(rundir_suggestion(at("records.tsv"), method, sizeof(method), &lr,
	    &loss, NULL) == -1 && strstr(err_msg(), "records.tsv: no suggestion in "
	    "the records") != NULL, "suggestion: none");

	memset(&s, 0, sizeof(s));
	s.records = 100;
	s.first_smooth = 2.3;
	s.min_smooth = 2.3 * (1 - RUNDIR_FLAT);
	ok(rundir_flat(&s), "flat: fell by RUNDIR_FLAT");
	s.min_smooth = 2.0;
	ok(!rundir_flat(&s), "not flat: fell by 13%");
	s.first_smooth = NAN;
	ok(!rundir_flat(&s), "not flat: no smoothed loss");
	s.records = 0;
	ok(!rundir_flat(&s), "not flat: no records");

	memset(&s, 0, sizeof(s));
	s.stopped = 1;
	s.planned = 100;
	s.records = 16;
	ok(strncmp(rundir_diagnose(&s), "the loss exploded at once", 25) == 0,
	    "diagnose: stopped within skip + 6");
	s.stopped = 0;
	s.records = 19;
	s.first_smooth = 3;
	s.min_smooth = 2;
	ok(strncmp(rundir_diagnose(&s), "the run is too short", 20) == 0,
	    "diagnose: short, not flat");
	s.records = 60;
	ok(strncmp(rundir_diagnose(&s), "the loss never decreased", 24) == 0,
	    "diagnose: else flat");
}

/* rundir_suggest and rundir_plot with this tree's lrf-suggest, lrf-plot */
static void
test_steps(const char *top)
{
	struct rundir_result res;
	struct stage_seen s;
	struct stage st;
	char method[32], path[PATH_MAX];
	struct cfg c;
	FILE *fp;

	stage_init(&st, "rundir.t", dir);
	snprintf(st.bindir, sizeof(st.bindir), "%s/cmd", top);
	snprintf(path, sizeof(path), "%s/lrf-suggest", st.bindir);
	if (access(path, X_OK) != 0) {
		skip(8, "no lrf-suggest built in cmd/");
		return;
	}
	cfg_defaults(&c);
	if ((fp = fopen(at("config.yaml"), "w")) != NULL) {
		cfg_write(fp, &c);
		fclose(fp);
	}
	snprintf(path, sizeof(path), "cp %s/tests/data/suggest-run.tsv %s",
	    top, at("smooth.tsv"));
	memset(&s, 0, sizeof(s));
	s.records = 56;
	s.first_smooth = 2.6;
	s.min_smooth = 1.0;
	memset(&res, 0, sizeof(res));
	snprintf(method, sizeof(method), "steep");
	res.method = method;
	ok(system(path) == 0 && rundir_suggest(&st, &s, &res,
	    sizeof(method)) == 0 && res.why == NULL, "suggest");
	ok(strcmp(method, "floor") == 0 && res.lr > 0 && isfinite(res.loss),
	    "  a suggestion");
	ok(strstr(slurp("records.tsv"), "\n#@ suggest method=floor lr=") !=
	    NULL && access(at("smooth.tsv"), F_OK) != 0,
	    "  records.tsv in place of smooth.tsv");
	ok(res.methods != NULL && strncmp(res.methods, "{\n", 2) == 0 &&
	    res.methods[strlen(res.methods) - 1] == '}' &&
	    access(at("methods.json"), F_OK) != 0, "  every method's JSON");
	free(res.methods);

	/* a flat curve: the stream is the records, with the diagnosis */
	snprintf(path, sizeof(path), "cp %s/tests/data/suggest-run.tsv %s",
	    top, at("smooth.tsv"));
	s.min_smooth = 2.6;
	memset(&res, 0, sizeof(res));
	res.method = method;
	ok(system(path) == 0 && rundir_suggest(&st, &s, &res,
	    sizeof(method)) == 0 && res.why != NULL &&
	    res.methods == NULL, "suggest: flat");
	is_str(err_msg(), "the smoothed loss fell by less than 0.5% (from 2.6 "
	    "to 2.6)", "  says so");
	ok(strstr(slurp("records.tsv"), "#@ suggest") == NULL &&
	    access(at("smooth.tsv"), F_OK) != 0, "  records.tsv: the stream");

	ok(rundir_plot(&st) == 0 && strncmp(slurp("lr_finder.gp"),
	    "# Written by lrf-plot", 21) == 0, "plot: lr_finder.gp");
}

int
main(int argc, char *argv[])
{
	char top[PATH_MAX], *s;
	int i;

	/* the tree is three levels above tests/unit/rundir.t */
	top[0] = '\0';
	if (argv[0][0] != '/' && getcwd(top, sizeof(top) - 1) != NULL)
		strcat(top, "/");
	strncat(top, argv[0], sizeof(top) - strlen(top) - 1);
	for (i = 0; i < 3 && (s = strrchr(top, '/')) != NULL; i++)
		*s = '\0';
	(void)argc;
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! cannot make %s\n", dir);
		return 1;
	}
	test_names();
	test_files();
	test_json();
	test_suggestion();
	test_steps(top);
	{
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			diag("could not remove %s", dir);
	}
	return done();
}

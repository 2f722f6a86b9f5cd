/*
 * rundir.c - what lrf-find writes into a run directory (lib/rundir.c):
 * its name, the name and the copy of --load's weights, command.sh,
 * suggestion.json, the suggestion read back, the diagnosis of a curve
 * without one, and the steps that run lrf-suggest and lrf-plot (with the
 * programs of this tree).
 */
#include <sys/stat.h>

#include <jansson.h>
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
	    0, NULL, NULL, NULL, 0, { { NULL, 0, "", -1 } }, 0, 0, 0 };
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
	    "#!/bin/sh\n"
	    "# Reproduces this run: writes records.tsv and the plot into DIR "
	    "(default:\n"
	    "# this directory) from config.yaml.  Made by lrf-find " LRF_VERSION ".\n"
	    "# Runs under any POSIX sh: sh command.sh [DIR]\n"
	    "set -e\n"
	    "case $0 in */*) here=${0%/*} ;; *) here=. ;; esac\n"
	    "here=$(CDPATH= cd -- \"${here:-/}\" && pwd && echo x)\n"
	    "here=${here%?x}\n"
	    "out=${1:-$here}\n"
	    "PATH='/opt/lrf/bin':$PATH\n"
	    "failed=$out/.failed.$$\n"
	    "rm -f -- \"$failed\"\n"
	    "{ lrf-schedule -c \"$here/config.yaml\" || echo lrf-schedule "
	    ">>\"$failed\"; } |\n"
	    "    { (cd -- \"$here\" && exec lrf-train -c config.yaml "
	    "--no-progress --val --load 'w.lrfw' --load-partial) || echo "
	    "lrf-train >>\"$failed\"; } |\n"
	    "    { lrf-smooth -c \"$here/config.yaml\" || echo lrf-smooth "
	    ">>\"$failed\"; } |\n"
	    "    { lrf-suggest -c \"$here/config.yaml\" -a || echo lrf-suggest "
	    ">>\"$failed\"; } > \"$out/records.tsv\"\n"
	    "if [ -e \"$failed\" ]; then\n"
	    "\techo \"command.sh: failed:\" $(cat -- \"$failed\") >&2\n"
	    "\trm -f -- \"$failed\"\n"
	    "\texit 1\n"
	    "fi\n"
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
	ok(strstr(slurp("command.sh"), "\"$here/config.yaml\" || echo "
	    "lrf-schedule >>\"$failed\"; } |\n    { lrf-train -c "
	    "\"$here/config.yaml\" --no-progress || echo lrf-train") != NULL &&
	    strstr(slurp("command.sh"), "lrf-plot") == NULL,
	    "  plain: no plot, no --load");

	/* the data's fingerprint: size and SHA-256, checked first */
	cfg_defaults(&c);
	c.data.format = DATA_CSV;
	snprintf(c.data.path, sizeof(c.data.path), "%s", at("w.src"));
	is_int(rundir_fingerprint(&run, &c), 0, "fingerprint: a CSV file");
	/* printf 'weights\n' | sha256sum */
	ok(run.ndata == 1 && run.data[0].size == 8 &&
	    strcmp(run.data[0].sha256, "1b465fa6b6bcbc06a3199e3d2d8aec35"
	    "d37494a712f888b6d5536684dd89d0f0") == 0,
	    "  its size and SHA-256");
	run.data[0].path = "/d/it's.csv";
	rundir_command(at("command.sh"), &run);
	ok(strstr(slurp("command.sh"), "\ndata '/d/it'\\''s.csv' 8 "
	    "1b465fa6b6bcbc06a3199e3d2d8aec35d37494a712f888b6d5536684dd89d0f0"
	    "\nfailed=") != NULL, "  command.sh checks it, the path quoted");
	c.data.format = DATA_SYNTHETIC;
	is_int(rundir_fingerprint(&run, &c), 0, "fingerprint: synthetic data");
	is_int(run.ndata, 0, "  no files");
	c.data.format = DATA_IDX;
	snprintf(c.data.images, sizeof(c.data.images), "%s", at("none"));
	is_int(rundir_fingerprint(&run, &c), -1, "fingerprint: a file gone");
	/* in steps, the hashing in a thread in lrf-find: a directory opens
	 * but cannot be read, which is said after */
	c.data.format = DATA_CSV;
	snprintf(c.data.path, sizeof(c.data.path), "%s", dir);
	is_int(rundir_fpopen(&run, &c), 0, "fingerprint in steps: opened");
	ok(rundir_fphash(&run) == NULL && run.data[0].fd == -1,
	    "  hashed (it cannot be), closed");
	ok(rundir_fpend(&run) == -1 &&
	    strstr(err_msg(), ": read error: Is a directory") != NULL,
	    "  the read error said at the end");

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

	/* a trainer of the user's: sh runs it where lrf-find ran, and
	 * command.sh does the same, with its seed and lrf.py's directory */
	run.trainer = "python3 'my train.py' --x";
	run.cwd = "/home/u/p q";
	run.pydir = "/opt/lrf/share/lrf/python";
	run.repeat = 2;
	run.seed = 7;
	rundir_train(&run, argv);
	ok(strcmp(argv[0], "/bin/sh") == 0 && strcmp(argv[1], "-c") == 0 &&
	    strcmp(argv[2], "cd -- \"$1\" && eval \"$2\"") == 0 &&
	    strcmp(argv[4], "/home/u/p q") == 0 &&
	    strcmp(argv[5], run.trainer) == 0 && argv[6] == NULL,
	    "train: the trainer, by sh in lrf-find's directory");
	run.load = NULL;
	run.val = run.partial = 0;
	is_int(rundir_command(at("command.sh"), &run), 0, "command.sh: trainer");
	ok(strstr(slurp("command.sh"), "\n    { (cd -- '/home/u/p q' && "
	    "LRF_CONFIG=$here/config.yaml && LRF_SEED=$((7 + i - 1)) && "
	    "PYTHONPATH='/opt/lrf/share/lrf/python'${PYTHONPATH:+:$PYTHONPATH}"
	    " && export LRF_CONFIG LRF_SEED PYTHONPATH && eval 'python3 "
	    "'\\''my train.py'\\'' --x') || echo trainer >>\"$failed\"; } |\n")
	    != NULL, "  the trainer's line, quoted, its seed per run");
	ok(strstr(slurp("command.sh"), "while [ \"$i\" -le 2 ]; do\n") !=
	    NULL && strstr(slurp("command.sh"), "[[") == NULL &&
	    strstr(slurp("command.sh"), "seq") == NULL,
	    "  --repeat 2: a POSIX loop");
	run.trainer = run.cwd = run.pydir = NULL;
	run.repeat = 1;
	run.seed = 0;
	run.val = run.partial = 1;
	run.load = "w.lrfw";

	cfg_defaults(&c);
	unlink(at("command.sh"));
	is_int(rundir_start(dir, &c, &run, at("w.src")), 0, "start");
	ok(strncmp(slurp("config.yaml"), "# lrf configuration", 19) == 0 &&
	    access(at("command.sh"), F_OK) != 0 &&
	    strcmp(slurp("w.lrfw"), "weights\n") == 0,
	    "  config.yaml and the weights (command.sh: later)");
	ok(rundir_start(at("no/dir"), &c, &run, at("w.src")) == -1 &&
	    strstr(err_msg(), "config.yaml: cannot write") != NULL,
	    "start: no directory");

	cfg_defaults(&c);
	ok(rundir_fallback(&c) == (access(c.data.images, R_OK) != 0 ||
	    access(c.data.labels, R_OK) != 0), "fallback: when no data");
	strcpy(c.data.images, at("none.idx"));
	ok(rundir_fallback(&c) == 1 && c.data.format == DATA_SYNTHETIC &&
	    c.data.samples == 4000 && c.data.features == 32 &&
	    c.model.nlayers == 0, "fallback: synthetic blobs, the default "
	    "model for the data");
}

/* The member at the jq-like path p ("settings.seed") of root, or NULL. */
static json_t *
jget(json_t *root, const char *p)
{
	char key[64];
	size_t n;

	while (root != NULL && *p != '\0') {
		n = strcspn(p, ".");
		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		root = json_object_get(root, key);
		p += n + (p[n] == '.');
	}
	return root;
}

static double
jnum(json_t *root, const char *p)
{
	json_t *v;

	v = jget(root, p);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *
jstr(json_t *root, const char *p)
{
	json_t *v;

	v = jget(root, p);
	return json_is_string(v) ? json_string_value(v) : "(not a string)";
}

static void
test_json(void)
{
	struct rundir_run run = { "/bin", 1, 1, NULL, 0, -1, NULL, 1, 0, NULL,
	    NULL, NULL, 0, { { NULL, 0, "", -1 } }, 0, 0, 0 };
	struct rundir_result res;
	struct stage_seen s;
	json_error_t e;
	json_t *root, *v;
	struct cfg c;
	const char *key;
	const char *text;
	int i;

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
	/* lrf-suggest --json's object, cut short */
	res.methods = "{\"lr\": 0.001, \"method\": \"valley\", \"index\": 7, "
	    "\"error\": null, \"methods\": {\"valley\": {\"lr\": 0.001}, "
	    "\"steep\": {\"lr\": 0.002}}, \"column\": \"loss\", "
	    "\"records\": 42}";
	res.wall = 1.25;
	res.doubts = SUGGEST_NOT_NODIV | SUGGEST_NOT_DISAGREE;
	res.runs = 1;
	is_int(rundir_json(dir, &c, &s, &run, &res), 0, "suggestion.json");
	text = slurp("suggestion.json");
	root = json_loads(text, 0, &e);
	ok(json_is_object(root), "  is a JSON object");
	/* the documented order of the members (lrf-find(1)) */
	{
		static const char *const order[] = { "lr", "method", "loss",
		    "index", "confidence", "reasons", "status", "diagnosis",
		    "methods", "stop", "steps", "repeat", "settings",
		    "versions", "wall_time_s", "column", "records", NULL };

		i = 0;
		json_object_foreach(root, key, v) {
			if (order[i] == NULL || strcmp(key, order[i]) != 0)
				break;
			i++;
		}
		ok(order[i] == NULL && i == (int)json_object_size(root),
		    "  its members in the documented order, no others "
		    "(lrf-suggest's error left out)");
	}
	ok(jnum(root, "lr") == 0.001 && strcmp(jstr(root, "method"),
	    "valley") == 0 && jnum(root, "loss") == 1.5 &&
	    jnum(root, "index") == 7, "  the suggestion");
	ok(strcmp(jstr(root, "status"), "ok") == 0 &&
	    json_is_null(jget(root, "diagnosis")), "  status ok, no diagnosis");
	ok(strcmp(jstr(root, "confidence"), "low") == 0 &&
	    json_array_size(jget(root, "reasons")) == 2 &&
	    strcmp(json_string_value(json_array_get(jget(root, "reasons"),
	    0)), "no-divergence") == 0 &&
	    strcmp(json_string_value(json_array_get(jget(root, "reasons"),
	    1)), "disagree") == 0, "  confidence low, its reasons");
	ok(jnum(root, "methods.steep.lr") == 0.002 &&
	    jnum(root, "methods.valley.lr") == 0.001,
	    "  every method keyed by name");
	ok(strcmp(jstr(root, "stop.reason"), "diverged") == 0 &&
	    json_is_integer(jget(root, "stop.step")) &&
	    jnum(root, "stop.step") == 41 && jnum(root, "stop.lr") == 0.5 &&
	    jnum(root, "stop.best") == 2, "  the stop line's keys");
	ok(jnum(root, "steps") == 42 && jnum(root, "repeat") == 1 &&
	    jget(root, "runs") == NULL, "  steps, one run");
	ok(jnum(root, "settings.start_lr") == 1e-7 &&
	    jnum(root, "settings.num_iter") == 100 &&
	    strcmp(jstr(root, "settings.optimizer"), "sgd") == 0 &&
	    strcmp(jstr(root, "settings.data"), "idx") == 0 &&
	    jnum(root, "settings.seed") == 42 &&
	    json_is_true(jget(root, "settings.val")) &&
	    json_is_null(jget(root, "settings.load")) &&
	    strcmp(jstr(root, "settings.suggest"), c.finder.suggest) == 0,
	    "  the settings");
	ok(strcmp(jstr(root, "versions.lrf"), LRF_VERSION) == 0 &&
	    strcmp(jstr(root, "versions.jansson"), JANSSON_VERSION) == 0 &&
	    strncmp(jstr(root, "versions.openblas"), "OpenBLAS", 8) == 0,
	    "  the versions");
	ok(jnum(root, "wall_time_s") == 1.25 &&
	    strcmp(jstr(root, "column"), "loss") == 0, "  wall time, and "
	    "lrf-suggest's other members");
	ok(strncmp(text, "{\n  \"lr\": 0.001,\n  \"method\": \"valley\",\n",
	    39) == 0, "  indented by 2, one member a line");
	json_decref(root);

	/* bytes that are not UTF-8 become U+FFFD; UTF-8 passes */
	snprintf(s.stopline, sizeof(s.stopline), "#@ stop reason=a\xff\xc3"
	    "\xa9 step=3");
	is_int(rundir_json(dir, &c, &s, &run, &res), 0, "json: not UTF-8");
	root = json_loads(slurp("suggestion.json"), 0, &e);
	is_str(jstr(root, "stop.reason"), "a\xef\xbf\xbd\xc3\xa9",
	    "  a byte that is not UTF-8 is U+FFFD, UTF-8 kept");
	json_decref(root);

	s.stopped = 0;
	res.why = "the run is too short for a suggestion: raise num_iter";
	res.methods = NULL;
	run.val = 0;
	rundir_json(dir, &c, &s, &run, &res);
	root = json_loads(slurp("suggestion.json"), 0, &e);
	ok(json_is_null(jget(root, "lr")) && json_is_null(jget(root,
	    "loss")) && json_is_null(jget(root, "index")) &&
	    strcmp(jstr(root, "method"), "valley") == 0 &&
	    strcmp(jstr(root, "status"), "failed") == 0 &&
	    strcmp(jstr(root, "diagnosis"), res.why) == 0 &&
	    json_is_null(jget(root, "confidence")) &&
	    json_array_size(jget(root, "reasons")) == 0 &&
	    json_is_null(jget(root, "methods")) &&
	    json_is_null(jget(root, "stop")) &&
	    json_is_false(jget(root, "settings.val")),
	    "  failed: nulls, the diagnosis, the same members");
	json_decref(root);
	ok(rundir_json(at("no/dir"), &c, &s, &run, &res) == -1,
	    "json: no directory");
}

static void
test_suggestion(void)
{
	struct stage_seen s;
	char method[32] = "";
	double lr, loss;
	int doubts;

	put("records.tsv", "# lr\tloss\n1e-3\t2\n#@ suggest method=steep "
	    "lr=0.001 loss=2\n#@ suggest method=valley lr=0.002 loss=1.9\n");
	lr = loss = 0;
	ok(rundir_suggestion(at("records.tsv"), method, sizeof(method), &lr,
	    &loss, NULL) == 0 && strcmp(method, "valley") == 0 && lr == 0.002 &&
	    loss == 1.9, "suggestion: the last #@ suggest");
	/* finder.suggest all: lrf-suggest -a -m all's lines, floor's first */
	put("records.tsv", "# lr\tloss\n1e-3\t2\n#@ suggest method=floor "
	    "lr=0.003 loss=1.5\n#@ suggest method=steep lr=0.001 loss=2\n"
	    "#@ suggest method=balanced lr=0.004 loss=1.4\n");
	snprintf(method, sizeof(method), "all");
	ok(rundir_suggestion(at("records.tsv"), method, sizeof(method), &lr,
	    &loss, NULL) == 0 && strcmp(method, "floor") == 0 && lr == 0.003 &&
	    loss == 1.5, "suggestion: all: the default's line, not the last");
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

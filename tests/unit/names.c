/*
 * names.c - lists of names: lookups both ways and the messages that list
 * them, on the lists the modules own.
 */
#include <stdio.h>
#include <string.h>

#include "cfg.h"
#include "data.h"
#include "names.h"
#include "opt.h"
#include "suggest.h"
#include "tap.h"

int
main(void)
{
	static const char *const none[] = { NULL };
	static const char *const one[] = { "a", NULL };
	char buf[128];
	int k;

	is_str(names_get(suggest_names, SUGGEST_SLIDE), "slide", "get slide");
	is_str(names_get(suggest_names, SUGGEST_ALL), "all", "get all");
	ok(names_get(suggest_names, SUGGEST_ALL + 1) == NULL,
	    "get past the end");
	ok(names_get(none, 0) == NULL, "get from an empty list");
	is_int(names_find(data_format_names, "csv"), DATA_CSV, "find csv");
	is_int(names_find(data_format_names, "CSV"), -1, "find is exact");
	is_int(names_find(none, "a"), -1, "find in an empty list");

	/* every list ends where its enum does */
	is_int(names_find(opt_names, "rmsprop"), OPT_N - 1,
	    "opt_names: rmsprop last");
	ok(names_get(opt_names, OPT_N) == NULL, "opt_names: OPT_N names");
	ok(names_get(data_format_names, DATA_NFORMATS) == NULL &&
	    names_get(data_format_names, DATA_NFORMATS - 1) != NULL,
	    "data_format_names: DATA_NFORMATS names");
	ok(names_get(data_task_names, TASK_REGRESSION + 1) == NULL,
	    "data_task_names: two names");

	k = names_join(buf, sizeof(buf), opt_names, -1, ", ", " or ");
	is_str(buf, "sgd, adam, adamw or rmsprop", "join with or");
	is_int(k, (long)strlen(buf), "join: the length");
	names_join(buf, sizeof(buf), suggest_names, SUGGEST_NMETHODS, "|",
	    "|");
	is_str(buf, "steep|minimum|valley|slide|balanced|floor",
	    "join the first n");
	names_join(buf, sizeof(buf), one, -1, ", ", " or ");
	is_str(buf, "a", "join one");
	names_join(buf, sizeof(buf), none, -1, ", ", " or ");
	is_str(buf, "", "join none");
	names_join(buf, sizeof(buf), one, 3, ", ", " or ");
	is_str(buf, "a", "join: n past the end");
	k = names_join(buf, 8, opt_names, -1, ", ", " or ");
	is_str(buf, "sgd, ad", "join: cut to the buffer");
	is_int(k, 27, "join: the length it needed");
	k = names_join(NULL, 0, data_task_names, -1, ", ", ", ");
	is_int(k, 26, "join into nothing: the length");
	return done();
}

/*
 * names.h - lists of names: the values of an enum as the module that
 * owns them spells them, one NULL-terminated array each (cfg_layer_names
 * in cfg.c, opt_names in opt.c, data_format_names and data_task_names in
 * data.c, suggest_names in suggest.c), and the messages that list them.
 * A list is kept in one place; whatever names its values looks it up.
 */
#ifndef LRF_NAMES_H
#define LRF_NAMES_H

#include <stddef.h>

/* The name of value v, or NULL if v is not one.  Never fails. */
const char *names_get(const char *const *names, int v);

/* The value named s (exactly: "Adam" is not "adam"), or -1 (no message). */
int names_find(const char *const *names, const char *s);

/*
 * The first n names (all of them when n < 0) into buf, snprintf-style
 * (the length needed is returned): sep between two, last before the
 * last one.  names_join(buf, size, opt_names, -1, ", ", " or ") gives
 * "sgd, adam, adamw or rmsprop".
 */
int names_join(char *buf, size_t size, const char *const *names, int n,
    const char *sep, const char *last);

#endif

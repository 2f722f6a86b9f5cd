/*
 * nettypes.c - the table of layer types (lib/net.c, lib/netint.h): a row
 * for every type, names counted per type however many layers there are,
 * and the descriptions the "#@ layer" and "#@ model" lines are made of.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "err.h"
#include "names.h"
#include "netint.h"
#include "tap.h"

static struct cfg_model M;

static struct cfg_layer *
layer(int type)
{
	struct cfg_layer *c;

	c = &M.layers[M.nlayers++];
	memset(c, 0, sizeof(*c));
	c->type = type;
	c->bias = 1;
	c->lr_mult = 1;
	return c;
}

int
main(void)
{
	char want[4096], buf[NET_DESCMAX], *got;
	struct cfg_layer *c;
	struct net n;
	size_t len;
	FILE *fp;
	int t, l, k, good;

	/* every type has its row: a name prefix and a shape rule */
	good = 1;
	for (t = 0; t < LAYER_NTYPES; t++)
		good &= net_types[t].prefix != NULL &&
		    net_types[t].shape != NULL &&
		    names_get(cfg_layer_names, t) != NULL;
	ok(good && names_get(cfg_layer_names, LAYER_NTYPES) == NULL,
	    "a row and a name for each of the LAYER_NTYPES types");

	/* 12 dense layers and 9 dropouts between them: named by type */
	memset(&M, 0, sizeof(M));
	M.loss = LOSS_CE;
	M.init = INIT_HE;
	for (l = 0; l < 12; l++) {
		c = layer(LAYER_DENSE);
		c->units = l == 11 ? 3 : 4;
		c->activation = ACT_RELU;
		if (l < 9)
			layer(LAYER_DROPOUT)->rate = 0.1;
	}
	if (net_create(&n, &M, NULL, 5, NULL, 3, TASK_CLASSIFICATION, 2,
	    1) < 0) {
		printf("Bail out! %s\n", err_msg());
		return 1;
	}
	is_str(n.layer[0].name, "dense1", "the first dense: dense1");
	is_str(n.layer[1].name, "dropout1", "the first dropout: dropout1");
	is_str(n.layer[n.nlayer - 1].name, "dense12", "the last: dense12");
	is_str(n.layer[n.nlayer - 4].name, "dropout9", "the ninth dropout");

	/* the summary is the descriptions, one line each */
	fp = tmpfile();
	ok(net_summary(fp, &n) == 0, "summary");
	len = (size_t)ftell(fp);
	rewind(fp);
	got = calloc(1, len + 1);
	if (fread(got, 1, len, fp) != len)
		got[0] = '\0';
	fclose(fp);
	want[0] = '\0';
	for (l = 0, k = 0; l < n.nlayer; l++) {
		net_describe_layer(buf, sizeof(buf), &n, l);
		k += snprintf(want + k, sizeof(want) - k, "#@ layer %s\n",
		    buf);
	}
	net_describe(buf, sizeof(buf), &n);
	snprintf(want + k, sizeof(want) - k, "#@ model %s\n", buf);
	is_str(got, want, "summary: the descriptions");
	free(got);
	net_describe_layer(buf, sizeof(buf), &n, 1);
	is_str(buf, "name=dropout1 type=dropout in=4 out=4 rate=0.1 params=0",
	    "describe dropout1");
	k = net_describe(buf, 12, &n);
	is_str(buf, "layers=21 p", "describe: cut to the buffer");
	is_int(k, (long)strlen("layers=21 params=239 trainable=239 "
	    "loss=cross_entropy init=he"), "describe: the length needed");
	net_describe(buf, sizeof(buf), &n);
	is_str(buf, "layers=21 params=239 trainable=239 loss=cross_entropy "
	    "init=he", "describe the model");
	net_free(&n);

	/* a type number past the table is refused, not read past it */
	memset(&M, 0, sizeof(M));
	layer(LAYER_DENSE)->units = 3;
	layer(LAYER_NTYPES);
	ok(net_create(&n, &M, NULL, 5, NULL, 3, TASK_CLASSIFICATION, 2,
	    1) == -1, "an unknown type fails");
	is_str(err_msg(), "model layer 2: unknown layer type 10",
	    "  naming it");
	return done();
}

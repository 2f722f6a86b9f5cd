/*
 * resnet_logits.c - the logits of one of lrf's ResNets for a batch, for
 * bench/crosscheck_resnet.py (make crosscheck).
 *
 *	resnet_logits arch classes size train weights input
 *
 * Builds model.arch arch (resnet18, resnet34, resnet50) for 3 x size x
 * size images and classes outputs, loads the safetensors weights (a
 * torchvision state_dict), reads the batch from input (raw little-endian
 * float32, (B, 3, size, size)) and writes its logits (B, classes) to
 * stdout, one sample a line, %.9g: a training forward (train 1: the
 * batch's statistics in the batchnorms) or an evaluation one (0: the
 * running statistics).  Exit 1 with a message on any error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "err.h"
#include "names.h"
#include "net.h"
#include "st.h"

int
main(int argc, char *argv[])
{
	struct cfg c;
	struct net n;
	FILE *fp;
	float *x;
	long K, S, d, B, i, j;
	int arch, train, *y;
	size_t got;

	if (argc != 7) {
		fprintf(stderr, "usage: resnet_logits arch classes size train "
		    "weights input\n");
		return 2;
	}
	if ((arch = names_find(cfg_arch_names, argv[1])) <= ARCH_NONE) {
		fprintf(stderr, "resnet_logits: %s: not an arch\n", argv[1]);
		return 2;
	}
	K = strtol(argv[2], NULL, 10);
	S = strtol(argv[3], NULL, 10);
	train = strcmp(argv[4], "1") == 0;
	if (K < 2 || S < 32) {
		fprintf(stderr, "resnet_logits: bad classes or size\n");
		return 2;
	}
	d = 3 * S * S;
	if ((fp = fopen(argv[6], "rb")) == NULL) {
		perror(argv[6]);
		return 1;
	}
	fseek(fp, 0, SEEK_END);
	B = ftell(fp) / (long)(d * sizeof(float));
	rewind(fp);
	if (B < 1 || (x = malloc(B * d * sizeof *x)) == NULL ||
	    (y = calloc(B, sizeof *y)) == NULL) {
		fprintf(stderr, "resnet_logits: %s: no batch\n", argv[6]);
		return 1;
	}
	got = fread(x, sizeof *x, B * d, fp);
	fclose(fp);
	if ((long)got != B * d) {
		fprintf(stderr, "resnet_logits: %s: short read\n", argv[6]);
		return 1;
	}
	cfg_defaults(&c);
	c.model.arch = arch;
	if (net_create(&n, &c.model, NULL, d, (const long[3]){ 3, S, S }, K,
	    TASK_CLASSIFICATION, B, 1) == -1 ||
	    st_net_load(&n, argv[5], 0, NULL) == -1) {
		fprintf(stderr, "resnet_logits: %s\n", err_msg());
		return 1;
	}
	net_forward(&n, x, y, NULL, B, train);
	for (i = 0; i < B; i++)
		for (j = 0; j < n.nout; j++)
			printf("%.9g%c", n.logits[i * n.nout + j],
			    j + 1 < n.nout ? '\t' : '\n');
	net_free(&n);
	free(x);
	free(y);
	return ferror(stdout) || fclose(stdout) ? 1 : 0;
}

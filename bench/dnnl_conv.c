/*
 * dnnl_conv.c - oneDNN's convolution primitives against lrf's im2col +
 * sgemm on resnet18's convolution shapes (issue 14).
 *
 *	dnnl_conv [-b batch] [-r reps] [-s size] [-t threads]
 *
 * For each distinct convolution of torchvision's resnet18 at input
 * size x size (the stem, the 3x3 convolutions of each stage, the strided
 * first ones and the 1x1 shortcuts), batch samples, prints the median of
 * reps timed calls (after one untimed) in ms of:
 *
 *	lrf	lib/netpass.c's way: the batch split between the threads
 *		(pthreads, OpenBLAS on one thread each), each share in chunks
 *		of at most NET_CONVWORK floats of columns; forward =
 *		conv_im2col + sgemm W cols + the copy of T (F, w*P) into
 *		y (B, F, P); backward weights = dy gathered into dT, im2col,
 *		dW += dT cols^T, the threads' dW summed; backward data = dT,
 *		dcols = W^T dT, conv_col2im.  Bias and activation left out on
 *		both sides.
 *	any	oneDNN with the memory formats it prefers (format_tag_any:
 *		blocked, e.g. nChw16c); the reorders to and from NCHW are
 *		not timed (a network kept in oneDNN's layout needs them only
 *		at its ends)
 *	nchw	oneDNN with src, weights and dst fixed to NCHW / OIHW (what
 *		lrf's layout would hand it without reorders)
 *
 * for forward (training), backward data and backward weights, one row
 * per shape and the totals over resnet18 (each shape times its count
 * in the network).  oneDNN runs on OpenMP (omp_set_num_threads).
 * Built by bench/dnnl (make bench) only where dnnl.h is; not part of
 * make check.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dnnl.h>

#include "blas.h"
#include "conv.h"

void omp_set_num_threads(int);		/* libgomp, oneDNN's runtime */

#define CONVWORK	(1L << 19)	/* lib/net.h's NET_CONVWORK */
#define MAXT		64

struct shape {
	const char	*name;
	long		 C, F, k, s, p, div;	/* div: input size / size */
	int		 count;			/* in resnet18 */
};

/* resnet18's convolutions (torchvision): input size S / div */
static const struct shape shapes[] = {
	{ "conv1",		3,   64,  7, 2, 3, 1,  1 },
	{ "layer1 3x3",		64,  64,  3, 1, 1, 4,  4 },
	{ "layer2.0.conv1",	64,  128, 3, 2, 1, 4,  1 },
	{ "layer2 3x3",		128, 128, 3, 1, 1, 8,  3 },
	{ "layer2.0.ds",	64,  128, 1, 2, 0, 4,  1 },
	{ "layer3.0.conv1",	128, 256, 3, 2, 1, 8,  1 },
	{ "layer3 3x3",		256, 256, 3, 1, 1, 16, 3 },
	{ "layer3.0.ds",	128, 256, 1, 2, 0, 8,  1 },
	{ "layer4.0.conv1",	256, 512, 3, 2, 1, 16, 1 },
	{ "layer4 3x3",		512, 512, 3, 1, 1, 32, 3 },
	{ "layer4.0.ds",	256, 512, 1, 2, 0, 16, 1 },
};
#define NSHAPE	(sizeof(shapes) / sizeof(shapes[0]))

enum { FWD, BWD_D, BWD_W, NOP };
static const char *opname[NOP] = { "fwd", "bwd_data", "bwd_weights" };

/* One convolution at batch B: its tensors, all NCHW / OIHW. */
struct prob {
	struct conv_win	 g;
	long		 B, F, kk, P;
	float		*x;	/* (B, C, H, W) */
	float		*w;	/* (F, C*k*k) */
	float		*y;	/* (B, F, P) */
	float		*dy;	/* (B, F, P) */
	float		*dx;	/* (B, C, H, W) */
	float		*dw;	/* (F, C*k*k) */
};

/* A thread of the lrf side: its samples [s0, s1) and its own work. */
struct worker {
	struct prob	*pr;
	int		 op;
	long		 s0, s1;
	float		*work;	/* cols (kk, nb*P), then T (F, nb*P) */
	float		*dw;	/* (F, kk): this thread's dW */
};

static void
die(const char *what)
{
	fprintf(stderr, "dnnl_conv: %s\n", what);
	exit(1);
}

static void
check(dnnl_status_t st, const char *what)
{
	if (st != dnnl_success) {
		fprintf(stderr, "dnnl_conv: %s: oneDNN status %d\n", what,
		    (int)st);
		exit(1);
	}
}

static void *
xcalloc(size_t n)
{
	void *p;

	if ((p = calloc(n, sizeof(float))) == NULL)
		die("out of memory");
	return p;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
fill(float *p, long n, uint32_t seed)
{
	long i;

	for (i = 0; i < n; i++) {
		seed = seed * 1664525u + 1013904223u;
		p[i] = (float)(seed >> 8) / 16777216.0f - 0.5f;
	}
}

/* samples per chunk, as lib/net.c and netpass.c's chunk() choose them */
static long
chunk(const struct prob *pr, long n)
{
	long nb, nc;

	nb = CONVWORK / ((pr->kk + pr->F) * pr->P);
	if (nb < 1)
		nb = 1;
	if (nb > pr->B)
		nb = pr->B;
	nc = (n + nb - 1) / nb;
	return (n + nc - 1) / nc;
}

static void *
lrf_run(void *arg)
{
	struct worker *wk = arg;
	struct prob *pr = wk->pr;
	long nb, b0, w, f, s, F = pr->F, P = pr->P, kk = pr->kk;
	float *cols, *t;

	if (wk->s1 <= wk->s0)
		return NULL;
	nb = chunk(pr, wk->s1 - wk->s0);
	cols = wk->work;
	t = wk->work + kk * nb * P;
	if (wk->op == BWD_W)
		memset(wk->dw, 0, F * kk * sizeof(float));
	for (b0 = wk->s0; b0 < wk->s1; b0 += w) {
		w = wk->s1 - b0 < nb ? wk->s1 - b0 : nb;
		if (wk->op == FWD) {
			conv_im2col(cols, w * P, pr->x + b0 * pr->g.C *
			    pr->g.H * pr->g.W, w, &pr->g);
			blas_sgemm(BLAS_N, BLAS_N, F, w * P, kk, 1, pr->w, kk,
			    cols, w * P, 0, t, w * P);
			for (s = 0; s < w; s++)
				for (f = 0; f < F; f++)
					memcpy(pr->y + ((b0 + s) * F + f) * P,
					    t + (f * w + s) * P,
					    P * sizeof(float));
			continue;
		}
		for (s = 0; s < w; s++)
			for (f = 0; f < F; f++)
				memcpy(t + (f * w + s) * P,
				    pr->dy + ((b0 + s) * F + f) * P,
				    P * sizeof(float));
		if (wk->op == BWD_W) {
			conv_im2col(cols, w * P, pr->x + b0 * pr->g.C *
			    pr->g.H * pr->g.W, w, &pr->g);
			blas_sgemm(BLAS_N, BLAS_T, F, kk, w * P, 1, t, w * P,
			    cols, w * P, 1, wk->dw, kk);
		} else {
			blas_sgemm(BLAS_T, BLAS_N, kk, w * P, F, 1, pr->w, kk,
			    t, w * P, 0, cols, w * P);
			conv_col2im(pr->dx + b0 * pr->g.C * pr->g.H * pr->g.W,
			    cols, w * P, w, &pr->g);
		}
	}
	return NULL;
}

/* One call of op on the lrf side, on nt threads (workers prepared). */
static void
lrf_call(struct worker *wk, int nt, int op)
{
	pthread_t th[MAXT];
	long i, j, n;
	int k;

	for (k = 0; k < nt; k++) {
		wk[k].op = op;
		if (k > 0 && pthread_create(&th[k], NULL, lrf_run, &wk[k]) != 0)
			die("pthread_create failed");
	}
	lrf_run(&wk[0]);
	for (k = 1; k < nt; k++)
		pthread_join(th[k], NULL);
	if (op == BWD_W) {
		n = wk[0].pr->F * wk[0].pr->kk;
		for (i = 0; i < n; i++) {
			float v = 0;

			for (j = 0; j < nt; j++)
				v += wk[j].s1 > wk[j].s0 ? wk[j].dw[i] : 0;
			wk[0].pr->dw[i] = v;
		}
	}
}

/* oneDNN: the three primitives of a convolution and their memories. */
struct dn {
	dnnl_primitive_t	 prim[NOP];
	dnnl_exec_arg_t		 args[NOP][3];
	dnnl_primitive_desc_t	 pd[NOP];
	dnnl_memory_t		 mem[NOP][3];
};

static void
md_tag(dnnl_memory_desc_t *md, long a, long b, long c, long d, int any)
{
	dnnl_dims_t dims = { a, b, c, d };

	check(dnnl_memory_desc_init_by_tag(md, 4, dims, dnnl_f32,
	    any ? dnnl_format_tag_any : dnnl_nchw), "memory_desc_init");
}

static void
dn_make(struct dn *d, const struct prob *pr, dnnl_engine_t eng, int any)
{
	dnnl_memory_desc_t src, wei, dst;
	dnnl_convolution_desc_t cd;
	dnnl_dims_t st = { pr->g.s, pr->g.s };
	dnnl_dims_t pl = { pr->g.p, pr->g.p }, pr_;
	const dnnl_memory_desc_t *md;
	static const int argn[NOP][3] = {
		{ DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST },
		{ DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC },
		{ DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS },
	};
	static const dnnl_query_t q[NOP][3] = {
		{ dnnl_query_src_md, dnnl_query_weights_md, dnnl_query_dst_md },
		{ dnnl_query_diff_dst_md, dnnl_query_weights_md,
		    dnnl_query_diff_src_md },
		{ dnnl_query_src_md, dnnl_query_diff_dst_md,
		    dnnl_query_diff_weights_md },
	};
	int op, i;

	/* padding on the bottom right: what makes OH come out */
	pr_[0] = (pr->g.OH - 1) * pr->g.s + pr->g.k - pr->g.H - pr->g.p;
	pr_[1] = (pr->g.OW - 1) * pr->g.s + pr->g.k - pr->g.W - pr->g.p;
	md_tag(&src, pr->B, pr->g.C, pr->g.H, pr->g.W, any);
	md_tag(&wei, pr->F, pr->g.C, pr->g.k, pr->g.k, any);
	md_tag(&dst, pr->B, pr->F, pr->g.OH, pr->g.OW, any);
	check(dnnl_convolution_forward_desc_init(&cd, dnnl_forward_training,
	    dnnl_convolution_direct, &src, &wei, NULL, &dst, st, pl, pr_),
	    "convolution_forward_desc_init");
	check(dnnl_primitive_desc_create(&d->pd[FWD], &cd, NULL, eng, NULL),
	    "forward primitive_desc_create");
	check(dnnl_convolution_backward_data_desc_init(&cd,
	    dnnl_convolution_direct, &src, &wei, &dst, st, pl, pr_),
	    "convolution_backward_data_desc_init");
	check(dnnl_primitive_desc_create(&d->pd[BWD_D], &cd, NULL, eng,
	    d->pd[FWD]), "backward data primitive_desc_create");
	check(dnnl_convolution_backward_weights_desc_init(&cd,
	    dnnl_convolution_direct, &src, &wei, NULL, &dst, st, pl, pr_),
	    "convolution_backward_weights_desc_init");
	check(dnnl_primitive_desc_create(&d->pd[BWD_W], &cd, NULL, eng,
	    d->pd[FWD]), "backward weights primitive_desc_create");
	for (op = 0; op < NOP; op++) {
		check(dnnl_primitive_create(&d->prim[op], d->pd[op]),
		    "primitive_create");
		for (i = 0; i < 3; i++) {
			md = dnnl_primitive_desc_query_md(d->pd[op], q[op][i],
			    0);
			check(dnnl_memory_create(&d->mem[op][i], md, eng,
			    DNNL_MEMORY_ALLOCATE), "memory_create");
			d->args[op][i].arg = argn[op][i];
			d->args[op][i].memory = d->mem[op][i];
		}
	}
}

static void
dn_free(struct dn *d)
{
	int op, i;

	for (op = 0; op < NOP; op++) {
		for (i = 0; i < 3; i++)
			dnnl_memory_destroy(d->mem[op][i]);
		dnnl_primitive_destroy(d->prim[op]);
		dnnl_primitive_desc_destroy(d->pd[op]);
	}
}

static void
dn_call(struct dn *d, dnnl_stream_t s, int op)
{
	check(dnnl_primitive_execute(d->prim[op], s, 3, d->args[op]),
	    "primitive_execute");
	check(dnnl_stream_wait(s), "stream_wait");
}

/* the median ms of reps calls (after one untimed) */
#define TIME(call, reps, out) do {					\
	double t_[64], t0_;						\
	int r_;								\
	call;								\
	for (r_ = 0; r_ < (reps); r_++) {				\
		t0_ = now();						\
		call;							\
		t_[r_] = (now() - t0_) * 1e3;				\
	}								\
	qsort(t_, (reps), sizeof(double), cmpd);			\
	(out) = t_[(reps) / 2];						\
} while (0)

int
main(int argc, char *argv[])
{
	struct worker wk[MAXT];
	struct prob pr;
	struct dn dany, dnchw;
	dnnl_engine_t eng;
	dnnl_stream_t str;
	double ms[3][NOP], tot[3][NOP];
	long B = 32, S = 64, H, nb, per, k;
	int c, nt = 1, reps = 3, op, m, i;
	const struct shape *sh;

	while ((c = getopt(argc, argv, "b:r:s:t:")) != -1)
		switch (c) {
		case 'b': B = atol(optarg); break;
		case 'r': reps = atoi(optarg); break;
		case 's': S = atol(optarg); break;
		case 't': nt = atoi(optarg); break;
		default:
			die("usage: dnnl_conv [-b batch] [-r reps] [-s size] "
			    "[-t threads]");
		}
	if (B < 1 || S < 32 || nt < 1 || nt > MAXT || reps < 1 || reps > 64)
		die("usage: dnnl_conv [-b batch] [-r reps] [-s size] "
		    "[-t threads]");
	blas_threads(1);
	omp_set_num_threads(nt);
	check(dnnl_engine_create(&eng, dnnl_cpu, 0), "engine_create");
	check(dnnl_stream_create(&str, eng, dnnl_stream_default_flags),
	    "stream_create");
	memset(tot, 0, sizeof(tot));
	printf("# resnet18 convolutions at %ldx%ld, batch %ld, %d thread%s; "
	    "ms, median of %d\n", S, S, B, nt, nt > 1 ? "s" : "", reps);
	printf("%-15s %4s %4s %2s %2s %4s %2s", "conv", "C", "F", "k", "s",
	    "H", "n");
	for (op = 0; op < NOP; op++)
		printf(" %8s_lrf %8s_any %8s_nchw", opname[op], opname[op],
		    opname[op]);
	printf("\n");
	for (sh = shapes; sh < shapes + NSHAPE; sh++) {
		H = S / sh->div;
		memset(&pr, 0, sizeof(pr));
		pr.g.C = sh->C;
		pr.g.H = pr.g.W = H;
		pr.g.k = sh->k;
		pr.g.s = sh->s;
		pr.g.p = sh->p;
		pr.g.OH = pr.g.OW = (H + 2 * sh->p - sh->k) / sh->s + 1;
		pr.B = B;
		pr.F = sh->F;
		pr.kk = sh->C * sh->k * sh->k;
		pr.P = pr.g.OH * pr.g.OW;
		pr.x = xcalloc(B * sh->C * H * H);
		pr.dx = xcalloc(B * sh->C * H * H);
		pr.w = xcalloc(pr.F * pr.kk);
		pr.dw = xcalloc(pr.F * pr.kk);
		pr.y = xcalloc(B * pr.F * pr.P);
		pr.dy = xcalloc(B * pr.F * pr.P);
		fill(pr.x, B * sh->C * H * H, 1);
		fill(pr.w, pr.F * pr.kk, 2);
		fill(pr.dy, B * pr.F * pr.P, 3);
		per = (B + nt - 1) / nt;
		for (i = 0; i < nt; i++) {
			wk[i].pr = &pr;
			wk[i].s0 = i * per < B ? i * per : B;
			wk[i].s1 = (i + 1) * per < B ? (i + 1) * per : B;
			nb = chunk(&pr, wk[i].s1 > wk[i].s0 ?
			    wk[i].s1 - wk[i].s0 : 1);
			wk[i].work = xcalloc((pr.kk + pr.F) * nb * pr.P);
			wk[i].dw = xcalloc(pr.F * pr.kk);
		}
		dn_make(&dany, &pr, eng, 1);
		dn_make(&dnchw, &pr, eng, 0);
		for (op = 0; op < NOP; op++) {
			TIME(lrf_call(wk, nt, op), reps, ms[0][op]);
			TIME(dn_call(&dany, str, op), reps, ms[1][op]);
			TIME(dn_call(&dnchw, str, op), reps, ms[2][op]);
		}
		printf("%-15s %4ld %4ld %2ld %2ld %4ld %2d", sh->name, sh->C,
		    sh->F, sh->k, sh->s, H, sh->count);
		for (op = 0; op < NOP; op++)
			for (m = 0; m < 3; m++) {
				printf(" %13.2f", ms[m][op]);
				tot[m][op] += sh->count * ms[m][op];
			}
		printf("\n");
		fflush(stdout);
		dn_free(&dany);
		dn_free(&dnchw);
		for (i = 0; i < nt; i++) {
			free(wk[i].work);
			free(wk[i].dw);
		}
		free(pr.x);
		free(pr.dx);
		free(pr.w);
		free(pr.dw);
		free(pr.y);
		free(pr.dy);
	}
	printf("%-15s %4s %4s %2s %2s %4s %2s", "total x n", "", "", "", "",
	    "", "");
	for (op = 0; op < NOP; op++)
		for (m = 0; m < 3; m++)
			printf(" %13.2f", tot[m][op]);
	printf("\n");
	for (m = 1; m < 3; m++) {
		printf("lrf / oneDNN %-4s:", m == 1 ? "any" : "nchw");
		for (k = 0; k < NOP; k++)
			printf(" %s %.2fx", opname[k], tot[0][k] / tot[m][k]);
		printf("\n");
	}
	dnnl_stream_destroy(str);
	dnnl_engine_destroy(eng);
	return 0;
}

/*
 * imgpool.c - a queue of batches and a team of decoding threads.
 *
 * One mutex guards the queue.  A batch is a ring slot with a claim
 * counter (next) and a completion counter (ndone); a thread claims one
 * image under the lock, decodes it without the lock, and records the
 * outcome under it again.  Workers sleep on `work` when nothing is left
 * to claim; the waiting caller sleeps on `done` when everything of its
 * batch is claimed but not yet finished.  Decoding an image takes
 * milliseconds, so one lock round trip per image costs nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "imgpool.h"

struct batch {
	uint32_t *idx;		/* (cap) the files, copied */
	size_t	 cap;
	size_t	 n;		/* images */
	uint8_t	*out;		/* (n, sample) the caller's */
	uint8_t	*bad;		/* (n) the caller's, or NULL */
	size_t	 next;		/* next image to claim */
	size_t	 ndone;		/* images finished */
	size_t	 nbad;
	size_t	 firstbad;	/* lowest position that failed; n if none */
	char	 msg[IMG_MSGMAX];	/* its message */
};

struct worker {
	struct imgpool *p;
	int	 t;
};

struct imgpool {
	const struct imgdir *d;
	struct img_geom g;
	size_t	 sample;	/* bytes of one sample */
	int	 nt;		/* worker threads */
	int	 nstarted;
	pthread_t *tid;		/* (nt) */
	struct worker *w;	/* (nt) */
	struct img_ctx **ctx;	/* (nt + 1): the workers', then the
				   caller's */
	pthread_mutex_t mu;
	pthread_cond_t work;	/* an image to claim, or quit */
	pthread_cond_t done;	/* a batch finished */
	struct batch q[IMGPOOL_QUEUE];
	size_t	 head;		/* the oldest batch */
	size_t	 count;		/* batches queued */
	int	 quit;
};

/* The oldest batch with an image left to claim, or NULL; under mu. */
static struct batch *
claimable(struct imgpool *p)
{
	struct batch *b;
	size_t i;

	for (i = 0; i < p->count; i++) {
		b = &p->q[(p->head + i) % IMGPOOL_QUEUE];
		if (b->next < b->n)
			return b;
	}
	return NULL;
}

/* Decode image k of b with context x; called with mu held, returns with
 * it held (released while decoding). */
static void
decode(struct imgpool *p, struct batch *b, size_t k, struct img_ctx *x)
{
	char path[IMGDIR_PATHMAX];
	uint8_t *out;
	uint32_t i;
	int r;

	i = b->idx[k];
	out = b->out + k * p->sample;
	pthread_mutex_unlock(&p->mu);
	if ((size_t)imgdir_fullpath(p->d, i, path, sizeof(path)) >=
	    sizeof(path)) {
		/* imgdir_scan refuses longer paths: cannot happen */
		memset(out, 0, p->sample);
		r = -2;
	} else
		r = img_load(x, path, &p->g, out);
	pthread_mutex_lock(&p->mu);
	if (r < 0) {
		b->nbad++;
		if (k < b->firstbad) {
			b->firstbad = k;
			if (r == -2)
				snprintf(b->msg, sizeof(b->msg), "%s/%s: path "
				    "too long", p->d->root,
				    imgdir_path(p->d, i));
			else
				snprintf(b->msg, sizeof(b->msg), "%s",
				    img_ctx_msg(x));
		}
	}
	if (b->bad != NULL)
		b->bad[k] = r < 0;
	if (++b->ndone == b->n)
		pthread_cond_broadcast(&p->done);
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct imgpool *p = w->p;
	struct batch *b;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->quit && (b = claimable(p)) == NULL)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->quit)
			break;
		decode(p, b, b->next++, p->ctx[w->t]);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct imgpool *
imgpool_create(const struct imgdir *d, const struct img_geom *g,
    int nthreads)
{
	struct imgpool *p;
	int t, e;

	if (img_geom_check(g) < 0)
		return NULL;
	if (nthreads < 0 || nthreads > IMGPOOL_MAXTHREADS) {
		err_set("%d decoding threads, expected 0..%d", nthreads,
		    IMGPOOL_MAXTHREADS);
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	p->d = d;
	p->g = *g;
	p->sample = (size_t)g->channels * g->h * g->w;
	p->nt = nthreads;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->tid = calloc((size_t)nthreads + 1, sizeof(*p->tid));
	p->w = calloc((size_t)nthreads + 1, sizeof(*p->w));
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointers */
	p->ctx = calloc((size_t)nthreads + 1, sizeof(*p->ctx));
	if (p->tid == NULL || p->w == NULL || p->ctx == NULL) {
		err_set("out of memory");
		goto fail;
	}
	for (t = 0; t <= nthreads; t++)
		if ((p->ctx[t] = img_ctx_new()) == NULL)
			goto fail;
	for (t = 0; t < nthreads; t++) {
		p->w[t].p = p;
		p->w[t].t = t;
		if ((e = pthread_create(&p->tid[t], NULL, work, &p->w[t])) !=
		    0) {
			err_set("cannot start decoding thread %d: %s", t + 1,
			    strerror(e));
			goto fail;
		}
		p->nstarted++;
	}
	return p;
fail:
	imgpool_free(p);
	return NULL;
}

int
imgpool_submit(struct imgpool *p, const uint32_t *idx, size_t n,
    uint8_t *out, uint8_t *bad)
{
	struct batch *b;
	uint32_t *q;
	size_t i;

	for (i = 0; i < n; i++)
		if (idx[i] >= p->d->n)
			return err_set("image index %u is past the %zu files",
			    idx[i], p->d->n);
	pthread_mutex_lock(&p->mu);
	if (p->count == IMGPOOL_QUEUE) {
		pthread_mutex_unlock(&p->mu);
		return err_set("%d batches queued already", IMGPOOL_QUEUE);
	}
	b = &p->q[(p->head + p->count) % IMGPOOL_QUEUE];
	if (n > b->cap) {
		/* the slot is free: no thread reads its idx */
		if ((q = realloc(b->idx, n * sizeof(*q))) == NULL) {
			pthread_mutex_unlock(&p->mu);
			return err_set("out of memory");
		}
		b->idx = q;
		b->cap = n;
	}
	if (n > 0)
		memcpy(b->idx, idx, n * sizeof(*idx));
	b->n = n;
	b->out = out;
	b->bad = bad;
	b->next = b->ndone = b->nbad = 0;
	b->firstbad = n;
	b->msg[0] = '\0';
	p->count++;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

int
imgpool_wait(struct imgpool *p, size_t *nbad)
{
	char msg[IMG_MSGMAX];

	if (imgpool_take(p, nbad, msg) < 0)
		return -1;
	if (msg[0] != '\0')
		return err_set("%s", msg);
	return 0;
}

int
imgpool_take(struct imgpool *p, size_t *nbad, char *msg)
{
	struct batch *b;
	size_t nb;

	if (nbad != NULL)
		*nbad = 0;
	pthread_mutex_lock(&p->mu);
	if (p->count == 0) {
		pthread_mutex_unlock(&p->mu);
		return err_set("no batch was submitted");
	}
	b = &p->q[p->head];
	/* decode what no worker has taken yet, rather than sleep */
	while (b->next < b->n)
		decode(p, b, b->next++, p->ctx[p->nt]);
	while (b->ndone < b->n)
		pthread_cond_wait(&p->done, &p->mu);
	nb = b->nbad;
	msg[0] = '\0';
	if (nb > 0)
		memcpy(msg, b->msg, IMG_MSGMAX);
	p->head = (p->head + 1) % IMGPOOL_QUEUE;
	p->count--;
	pthread_mutex_unlock(&p->mu);
	if (nbad != NULL)
		*nbad = nb;
	return 0;
}

void
imgpool_free(struct imgpool *p)
{
	size_t i;
	int t;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (t = 0; t < p->nstarted; t++)
		pthread_join(p->tid[t], NULL);
	if (p->ctx != NULL)
		for (t = 0; t <= p->nt; t++)
			img_ctx_free(p->ctx[t]);
	for (i = 0; i < IMGPOOL_QUEUE; i++)
		free(p->q[i].idx);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	free(p->tid);
	free(p->w);
	free(p->ctx);
	free(p);
}

/*
 * fuzz_suggest - the suggestion methods (lib/suggest.c) on any curve that
 * meets their contract: lr positive, finite and non-decreasing, loss
 * finite (what lrf-suggest hands them).
 *
 * Input: a mode byte, then points.  Mode even: 16 bytes a point, two
 * doubles, lr and loss (lr made positive, the lrs sorted; a point whose
 * lr is zero or not finite is dropped; the curve ends at the first
 * loss that is not finite, as lrf-suggest cuts it).  Mode odd: 2 bytes
 * a point, lr_i = lr_{i-1} * (1 + b0 / 64) from 1e-7, loss = (int8_t)b1
 * / 16: curves with plateaus, repeated lrs and small steps.  Then the
 * centred smoother, floor's shape, suggest_judge as lrf-suggest calls it,
 * and the mean of the curve split into two runs.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smooth.h"
#include "suggest.h"
#include "fuzz.h"

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The whole-curve helpers on the same curve. */
static void
extra(const uint8_t *data, size_t size, const double *lr, const double *loss,
    long n)
{
	struct suggest_shape sh;
	struct suggest_judged j;
	struct suggest_opts o;
	struct suggest_spread sp;
	const double *lrs[2], *ys[2];
	double *sm, *g, *mean, *sd, *lo, *hi, h;
	long i, ns[2], m;
	int k;

	if (n < 1)
		return;
	h = size > 3 ? data[3] / 128.0 : 0.5;	/* 0 to 2 decades */
	sm = malloc((size_t)n * sizeof(*sm));
	g = malloc((size_t)n * 5 * sizeof(*g));
	if (sm == NULL || g == NULL)
		abort();
	mean = g + n;
	sd = mean + n;
	lo = sd + n;
	hi = lo + n;
	fuzz_assert(smooth_centred(sm, lr, loss, n, h) == 0);
	for (i = 0; i < n; i++)
		fuzz_assert(isfinite(sm[i]));
	fuzz_assert(suggest_shape(&sh, lr, loss, sm, n) == 0);
	fuzz_assert(sh.end >= 1 && sh.end <= n && sh.imin < sh.end &&
	    sh.i90 <= sh.imin && !isnan(sh.ratio) && sh.noise >= 0);
	memset(&o, 0, sizeof(o));
	suggest_floor_defaults(&o.floor);
	o.floor.window = h;
	o.beta = size > 4 ? data[4] / 256.0 : 0.98;
	o.skip0 = size > 5 && data[5] < 128 ? data[5] % 20 : -1;
	o.skip1 = size > 6 && data[6] < 128 ? data[6] % 20 : -1;
	o.num = size > 7 ? data[7] : 0;
	o.diverged = size > 8 ? data[8] % 2 : 0;
	for (k = 0; k < SUGGEST_NMETHODS; k++) {
		err_clear();
		if (suggest_judge(k, lr, loss, size > 9 && data[9] % 2 ?
		    loss : NULL, n, &sh, &o, "loss", &j) < 0) {
			fuzz_assert(j.why[0] != '\0');
			continue;
		}
		fuzz_assert(j.s.index >= j.skip0 && j.s.index < n - j.skip1);
		fuzz_assert(j.s.lr > 0 && isfinite(j.s.lr) && !isnan(j.s.loss));
	}
	/* two runs: the first half and the whole curve */
	lrs[0] = lrs[1] = lr;
	ys[0] = ys[1] = loss;
	ns[0] = (n + 1) / 2;
	ns[1] = n;
	m = suggest_mean(g, mean, sd, lo, hi, lrs, ys, ns, 2);
	fuzz_assert(m >= 1 && m <= ns[0]);
	for (i = 0; i < m; i++)
		fuzz_assert(lo[i] <= hi[i] && !isnan(sd[i]));
	suggest_spread(&sp, lr, n);
	fuzz_assert(sp.lo <= sp.mid && sp.mid <= sp.hi && sp.ratio >= 1);
	free(sm);
	free(g);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct suggestion s;
	double *lr, *loss, a, b, lo, hi, x;
	long n, i, k;
	int m;

	if (size < 1)
		return 0;
	lr = malloc((size / 2 + 1) * sizeof(*lr));
	loss = malloc((size / 2 + 1) * sizeof(*loss));
	if (lr == NULL || loss == NULL)
		abort();
	n = 0;
	if (data[0] % 2 == 0) {
		for (i = 1; i + 16 <= (long)size; i += 16) {
			memcpy(&a, data + i, 8);
			memcpy(&b, data + i + 8, 8);
			a = fabs(a);
			if (!isfinite(b))
				break;
			if (!(a > 0) || !isfinite(a))
				continue;
			lr[n] = a;
			loss[n++] = b;
		}
		qsort(lr, (size_t)n, sizeof(*lr), cmp);
	} else {
		a = 1e-7;
		for (i = 1; i + 2 <= (long)size; i += 2) {
			a *= 1 + data[i] / 64.0;
			if (!isfinite(a))
				break;
			lr[n] = a;
			loss[n++] = (int8_t)data[i + 1] / 16.0;
		}
	}

	(void)suggest_decreases(loss, n);
	for (m = 0; m < SUGGEST_NMETHODS; m++) {
		err_clear();
		if (suggest_run(m, lr, loss, n, &s) < 0) {
			fuzz_assert(fuzz_msg_ok(NULL));
			continue;
		}
		fuzz_assert(s.method == m && s.index >= 0 && s.index < n);
		fuzz_assert(s.lr > 0 && isfinite(s.lr));
		lo = lr[0] / 10 * (1 - 1e-12);
		hi = lr[n - 1] * (1 + 1e-12);
		fuzz_assert(s.lr >= lo && s.lr <= hi);
		fuzz_assert(!isnan(s.loss));
		if (m == SUGGEST_MINIMUM)
			fuzz_assert(s.lr == lr[s.index] / 10);
		else if (m == SUGGEST_FLOOR)
			fuzz_assert(s.lr >= lr[0] && s.lr <= lr[n - 1]);
		else if (m != SUGGEST_BALANCED)
			fuzz_assert(s.lr == lr[s.index] &&
			    s.loss == loss[s.index]);
	}
	/* slide with other parameters, as suggest_slide allows them */
	k = size > 1 ? data[1] % 40 : 15;
	if (suggest_slide(lr, loss, n, k, size > 2 ? data[2] / 256.0 : 0) >= 0)
		fuzz_assert(n >= k + 1);
	/* the curve between and beyond its points */
	if (n > 0)
		for (i = 0; i < n && i < 64; i++) {
			x = suggest_at(lr, loss, n, lr[i] * 1.5);
			fuzz_assert(!isnan(x));
			x = suggest_at(lr, loss, n, lr[i]);
			fuzz_assert(!isnan(x));
		}
	extra(data, size, lr, loss, n);
	free(lr);
	free(loss);
	return 0;
}

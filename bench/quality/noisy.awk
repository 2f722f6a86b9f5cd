# noisy.awk - the data of the small, noisy quality tasks: n samples of d
# features in k classes that overlap (each a unit Gaussian around its own
# corner of a simplex: feature j of class j%d... shifted by 1, the corners
# sqrt(2) apart), and a fraction flip of the labels replaced by uniformly
# random ones.  A Bayes-optimal classifier is right about half the time,
# so the loss has a floor well above 0, the range test's loss moves little
# and the mini-batches are noisy.  Its own generator (Park and Miller's
# minimal standard, exact in double arithmetic), never rand(), so that
# every awk writes the same bytes:
#
#	awk -v n=400 -v d=8 -v k=4 -v flip=0.125 -v seed=1 -f noisy.awk

BEGIN {
	if (n == "") n = 400
	if (d == "") d = 8
	if (k == "") k = 4
	if (flip == "") flip = 0.125
	if (sep == "") sep = 1
	if (seed == "") seed = 1
	seed = seed % 2147483646 + 1
	pi = atan2(0, -1)
	for (j = 0; j < d; j++)
		printf "f%d,", j + 1
	print "class"
	for (i = 0; i < n; i++) {
		c = i % k
		for (j = 0; j < d; j++)
			printf "%.4f,", gauss() + (j % k == c ? sep : 0)
		if (uniform() < flip)
			c = int(k * uniform())
		printf "%d\n", c
	}
}

# Uniform in (0, 1).
function uniform() {
	seed = (seed * 48271) % 2147483647
	return seed / 2147483647
}

# Standard normal, by the Box-Muller transform.
function gauss() {
	return sqrt(-2 * log(uniform())) * cos(2 * pi * uniform())
}

# rings.awk - write the data of the CSV example: 600 points in three
# concentric rings of radius 1, 2 and 3 (labels 1, 2, 3, from the inside
# out), with radial noise, and two columns of pure noise that the model must
# learn to ignore.  It uses its own random generator (Park and Miller's
# minimal standard, exact in double arithmetic), never rand(), so every awk
# writes the same bytes:
#
#	LC_ALL=C awk -f rings.awk > rings.csv

BEGIN {
	seed = 123456789
	pi = atan2(0, -1)
	print "x,y,noise1,noise2,ring"
	for (i = 0; i < 600; i++) {
		ring = i % 3 + 1
		r = ring + 0.2 * gauss()
		t = 2 * pi * uniform()
		printf "%.4f,%.4f,%.4f,%.4f,%d\n", r * cos(t), r * sin(t),
		    gauss(), gauss(), ring
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

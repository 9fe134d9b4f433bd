/* Generation records: what the parser accepts formats back to itself. */
#include "fuzz.h"
#include "store/gen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *out = malloc(65536);
	struct generation g, h;

	if (!s || !out)
		goto done;
	if (gen_parse(s, &g) == 0) {
		int n = gen_format(&g, out, 65536);

		if (n >= 0) {
			if (gen_parse(out, &h) || h.npkgs != g.npkgs || h.number != g.number)
				abort();
			gen_free(&h);
		}
		gen_free(&g);
	}
done:
	free(s);
	free(out);
	return 0;
}

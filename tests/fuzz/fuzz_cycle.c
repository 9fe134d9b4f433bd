/* The cycle build file and the version -> tag-name mapping: every
 * candidate must be a valid ref name. */
#include "policy/cycle.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d = { .file = "fuzz" };
	struct cycle_entry *e = NULL;
	char c[CYCLE_MAX_CANDIDATES][REF_MAX_LEN + 1];
	size_t n = 0;

	if (cycle_parse((const char *)data, size, &d, &e, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			size_t k = cycle_candidates(e[i].value, c, CYCLE_MAX_CANDIDATES);

			for (size_t j = 0; j < k; j++)
				if (!str_is_refname(c[j]))
					abort();
		}
	}
	free(e);
	diag_free(&d);
	return 0;
}

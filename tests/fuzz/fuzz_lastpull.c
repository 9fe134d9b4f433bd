/* The last pull's record: what the parser accepts formats back to itself,
 * byte for byte, and nothing it accepts can reach a terminal raw. */
#include "fuzz.h"
#include "core/str.h"
#include "store/lastpull.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct last_pull lp, again;
	char out[LASTPULL_MAX];
	int n;

	if (lastpull_parse((const char *)data, size, &lp) != 0)
		return 0;
	if ((n = lastpull_format(&lp, out, sizeof out)) < 0 || lastpull_parse(out, (size_t)n, &again) ||
	    again.time != lp.time || again.result != lp.result || strcmp(again.failed, lp.failed) ||
	    !str_is_text(lp.failed, sizeof lp.failed))
		abort();
	return 0;
}

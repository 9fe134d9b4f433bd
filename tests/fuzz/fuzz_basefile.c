/* The base file, against a fixed policy of three packages; and what pin
 * writes must read back as it was. */
#include <stdio.h>

#include "store/basefile.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char y[] = "owner: o\nroot: /r\nbase_file: /b\npackages:\n"
				"  a: {remote: /a, tags: \"v*\"}\n  b: {remote: /b}\n  c.d-e: {remote: /c}\n";
	static struct policy p;
	static int ready;
	struct diag d = { .file = "fuzz" }, d2 = { .file = "again" };
	struct pin pins[3], again[3];
	size_t len = 0;
	char *text;

	if (!ready) {
		struct diag pd = { .file = "p" };

		if (policy_parse(y, sizeof y - 1, &pd, &p))
			abort();
		diag_free(&pd);
		ready = 1;
	}
	if (basefile_parse((const char *)data, size, &p, &d, pins) == 0) {
		if (!(text = basefile_format(&p, pins, &len)))
			abort();
		if (basefile_parse(text, len, &p, &d2, again) || memcmp(pins, again, sizeof pins))
			abort();
		free(text);
	}
	diag_free(&d);
	diag_free(&d2);
	return 0;
}

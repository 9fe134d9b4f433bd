/* The policy parser: any bytes give a policy or a list of problems. */
#include "fuzz.h"
#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d = { .file = "fuzz" };
	struct policy p = { 0 };

	if (size > POLICY_MAX_BYTES)
		return 0;
	/* Accepted means not one diagnostic; refused means at least one. */
	if ((policy_parse((const char *)data, size, &d, &p) == 0) != (d.n + d.dropped == 0))
		abort();
	policy_free(&p);
	diag_free(&d);
	return 0;
}

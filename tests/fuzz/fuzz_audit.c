/* The audit escaper: any value gives one line of printable ASCII in which
 * no field can be forged (a quoted value has only escaped quotes). */
#include "door/audit.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v = fuzz_str(data, size);
	struct record r = { .len = 0 };

	if (!v)
		return 0;
	record_add(&r, "arg1", v);
	record_add(&r, "result", "ok");
	if (r.len >= sizeof r.buf || strlen(r.buf) != r.len)
		abort();
	for (size_t i = 0; i < r.len; i++)
		if ((unsigned char)r.buf[i] < 0x20 || (unsigned char)r.buf[i] >= 0x7f)
			abort();
	/* The last field is still ours: " result=ok" ends the record. */
	if (!r.cut && (r.len < 10 || strcmp(r.buf + r.len - 10, " result=ok")))
		abort();
	free(v);
	return 0;
}

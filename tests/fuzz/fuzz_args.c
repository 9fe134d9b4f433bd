/* The command line: NUL-separated arguments after "obsenv". */
#include "door/args.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_str(data, size), *argv[66] = { "obsenv" };
	int argc = 1;
	struct request req;

	if (!buf)
		return 0;
	for (char *p = buf; argc < 65 && p <= buf + size; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	/* A refusal always comes with its message. */
	if (args_parse(argc, argv, &req) != 0 && !err_msg()[0])
		abort();
	free(buf);
	return 0;
}

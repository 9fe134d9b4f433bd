/* Every name validator, and the glob matcher on two halves of the input;
 * whatever they accept must be free of what they promise to refuse. */
#include "fuzz.h"
#include "core/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *nl;
	unsigned int id;

	if (!s)
		return 0;
	if (str_is_refname(s) && (strstr(s, "..") || strstr(s, "@{") || s[0] == '-' ||
				  strpbrk(s, " ~^:?*[\\\x7f") || strlen(s) > REF_MAX_LEN))
		abort();
	for (const char *c = s; str_is_refname(s) && *c; c++)
		if ((unsigned char)*c < 0x20)
			abort();
	if (str_is_ident(s) && (strchr(s, '/') || strstr(s, "..") || strlen(s) > NAME_MAX_LEN))
		abort();
	if ((str_is_rel_path(s) || str_is_abs_path(s)) && strstr(s, "/../"))
		abort();
	str_is_account(s);
	str_is_glob(s);
	str_is_remote(s);
	if (str_to_id(s, &id) == 0 && (s[0] < '1' || s[0] > '9') && strcmp(s, "0") != 0)
		abort();
	if ((nl = strchr(s, '\n'))) {
		*nl = '\0';
		str_glob_match(s, nl + 1);
	}
	free(s);
	return 0;
}

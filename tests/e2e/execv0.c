/* execv0 [--empty] PROGRAM: runs PROGRAM with argc == 0 (argv = {NULL}),
 * or with argv = {""} - what shells cannot do and PwnKit relied on. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	char *none[] = { NULL }, *empty[] = { "", NULL };
	int e = argc == 3 && strcmp(argv[1], "--empty") == 0;

	if (argc != 2 + e) {
		fprintf(stderr, "usage: execv0 [--empty] PROGRAM\n");
		return 2;
	}
	execve(argv[1 + e], e ? empty : none, environ);
	perror("execve");
	return 127;
}

/* A syslog receiver for the end-to-end tests: binds a datagram socket and
 * writes one line per record received. Printable ASCII is kept as is; any
 * other raw byte is written as RAW(hh), so a control character that obsenv
 * failed to escape cannot hide. rsyslog would escape such bytes itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static char buf[1 << 20];
	FILE *out;
	int s;

	if (argc != 3 || strlen(argv[1]) >= sizeof sa.sun_path) {
		fprintf(stderr, "usage: logsink SOCKET OUTPUT\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	unlink(argv[1]);
	if ((s = socket(AF_UNIX, SOCK_DGRAM, 0)) < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) ||
	    chmod(argv[1], 0666) || !(out = fopen(argv[2], "a"))) {
		perror("logsink");
		return 1;
	}
	for (;;) {
		ssize_t n = recv(s, buf, sizeof buf, 0);

		if (n < 0)
			continue;
		for (ssize_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)buf[i];

			if (c >= 0x20 && c < 0x7f)
				fputc(c, out);
			else
				fprintf(out, "RAW(%02x)", c);
		}
		fputc('\n', out);
		fflush(out);
	}
}

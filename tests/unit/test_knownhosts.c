#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "git/knownhosts.h"

/* Any blob will do: the matcher compares its base64 form. */
static const unsigned char key[] = { 0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9', 1, 2, 3 };
#define B64 "AAAAC3NzaC1lZDI1NTE5AQID"
static const unsigned char other[] = { 9, 9, 9 };

Test(knownhosts, listed_host_and_key)
{
	static const char kh[] = "# comment\n\ngithub.com,140.82.112.3 ssh-ed25519 " B64 " c\n";

	cr_expect_eq(knownhosts_match(kh, "github.com", 22, key, sizeof key), 1);
	cr_expect_eq(knownhosts_match(kh, "140.82.112.3", 22, key, sizeof key), 1);
	cr_expect_eq(knownhosts_match(kh, "github.co", 22, key, sizeof key), 0);
	cr_expect_eq(knownhosts_match(kh, "evil.github.com", 22, key, sizeof key), 0);
	cr_expect_eq(knownhosts_match(kh, "github.com", 22, other, sizeof other), 0, "another key");
	cr_expect_eq(knownhosts_match(kh, "github.com", 2222, key, sizeof key), 0, "another port");
}

Test(knownhosts, ports_and_markers)
{
	static const char kh[] = "[127.0.0.1]:2222 ssh-ed25519 " B64 "\n"
				 "@revoked bad.example ssh-ed25519 " B64 "\n"
				 "@cert-authority *.example ssh-ed25519 " B64 "\n"
				 "|1|c2FsdA==|aGFzaA== ssh-ed25519 " B64 "\n"
				 "short.example ssh-ed25519\n";

	cr_expect_eq(knownhosts_match(kh, "127.0.0.1", 2222, key, sizeof key), 1);
	cr_expect_eq(knownhosts_match(kh, "127.0.0.1", 22, key, sizeof key), 0);
	cr_expect_eq(knownhosts_match(kh, "bad.example", 22, key, sizeof key), -1);
	cr_expect_eq(knownhosts_match(kh, "x.example", 22, key, sizeof key), 0, "no wildcards");
	cr_expect_eq(knownhosts_match(kh, "short.example", 22, key, sizeof key), 0);
	cr_expect_eq(knownhosts_match("", "a", 22, key, sizeof key), 0);
}

/* A host name longer than the matcher keeps must not be cut short into
 * the name of a host that is listed. */
Test(knownhosts, an_overlong_host_never_matches_its_prefix)
{
	char host[320], kh[1024];

	memset(host, 'a', sizeof host - 1);
	host[sizeof host - 1] = '\0';
	snprintf(kh, sizeof kh, "%.299s ssh-ed25519 " B64 "\n[%.296s ssh-ed25519 " B64 "\n", host, host);
	cr_expect_eq(knownhosts_match(kh, host, 22, key, sizeof key), 0);
	cr_expect_eq(knownhosts_match(kh, host, 2222, key, sizeof key), 0);
	host[200] = '\0';
	snprintf(kh, sizeof kh, "%s ssh-ed25519 " B64 "\n", host);
	cr_expect_eq(knownhosts_match(kh, host, 22, key, sizeof key), 1, "a long name that fits");
}

Test(knownhosts, port_of_remote)
{
	cr_expect_eq(knownhosts_port("ssh://git@127.0.0.1:2222/srv/x.git"), 2222);
	cr_expect_eq(knownhosts_port("ssh://host/srv/x.git"), 22);
	cr_expect_eq(knownhosts_port("git@github.com:x/y.git"), 22);
	cr_expect_eq(knownhosts_port("ssh://host:99999/x"), 22);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * privsep.c: whom the daemon becomes, and what it keeps. The drops run in
 * forked children (they cannot be undone); skipped unless run as root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "privsep.h"

static void test_lookup(void **state)
{
	struct ike_priv_user u;
	char err[256];

	(void)state;
	assert_int_equal(ike_priv_lookup("root", &u, err, sizeof(err)), 0);
	assert_int_equal(u.uid, 0);
	assert_int_equal(ike_priv_lookup("0", &u, err, sizeof(err)), 0);
	assert_string_equal(u.name, "root");
	assert_int_equal(ike_priv_lookup("no-such-user-x", &u, err, sizeof(err)), -1);
	/* getpwnam(3) may leave errno set for "not found": the start is what counts. */
	assert_ptr_equal(strstr(err, "-u no-such-user-x: no such user"), err);
	/* The default: s2svpn, else nobody; never root. */
	assert_int_equal(ike_priv_lookup(NULL, &u, err, sizeof(err)), 0);
	assert_true(u.uid != 0);
	assert_true(!strcmp(u.name, IKED_USER) || !strcmp(u.name, IKED_USER_FALLBACK));
}

/* "Key:\tvalue" of /proc/self/status. */
static void status_field(const char *key, char *val, size_t len)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	*val = '\0';
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':') {
			snprintf(val, len, "%s", line + strlen(key) + 2);
			val[strcspn(val, "\n")] = '\0';
		}
	if (f)
		fclose(f);
}

/* In a child: drop to NAME, then check; the exit code says which check failed. */
static int drop_child(const char *name, const char *uid_line)
{
	struct ike_priv_user u;
	char err[256], v[128], desc[512];

	if (ike_priv_lookup(name, &u, err, sizeof(err)) < 0)
		return 10;
	if (ike_priv_drop(&u, err, sizeof(err)) < 0) {
		fprintf(stderr, "drop: %s\n", err);
		return 11;
	}
	status_field("Uid", v, sizeof(v));
	if (strcmp(v, uid_line)) {
		fprintf(stderr, "Uid: %s\n", v);
		return 12;
	}
	status_field("CapEff", v, sizeof(v));
	if (strcmp(v, "0000000000001400"))
		return 13;
	status_field("CapPrm", v, sizeof(v));
	if (strcmp(v, "0000000000001400"))
		return 14;
	status_field("CapBnd", v, sizeof(v));
	if (strcmp(v, "0000000000001400"))
		return 15;
	status_field("CapInh", v, sizeof(v));
	if (strcmp(v, "0000000000000000"))
		return 16;
	status_field("NoNewPrivs", v, sizeof(v));
	if (strcmp(v, "1"))
		return 17;
	status_field("Groups", v, sizeof(v));
	if (u.uid && v[strspn(v, " ")])
		return 18;
	if (u.uid && setuid(0) == 0)
		return 19;
	ike_priv_describe(desc, sizeof(desc));
	snprintf(err, sizeof(err), "running as uid %u (%s) gid %u, capabilities "
		 "cap_net_bind_service,cap_net_admin (", (unsigned int)u.uid, u.name,
		 (unsigned int)u.gid);
	if (strncmp(desc, err, strlen(err)) || !strstr(desc, "no_new_privs 1")) {
		fprintf(stderr, "describe: %s\n", desc);
		return 20;
	}
	return 0;
}

static void run_child(const char *name, const char *uid_line)
{
	int status;
	pid_t pid;

	if (geteuid() != 0)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(drop_child(name, uid_line));	/* no LSan: it cannot trace us now */
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_drop_to_nobody(void **state)
{
	(void)state;
	run_child("nobody", "65534\t65534\t65534\t65534");
}

static void test_drop_keep_root(void **state)
{
	(void)state;
	run_child("root", "0\t0\t0\t0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_drop_to_nobody),
		cmocka_unit_test(test_drop_keep_root),
	};

	return cmocka_run_group_tests_name("privsep", tests, NULL, NULL);
}

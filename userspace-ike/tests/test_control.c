// SPDX-License-Identifier: GPL-2.0
/*
 * control.c over a real UNIX socket in a temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "control.h"

struct ctx {
	char dir[64];
	char path[128];
	int lfd;
	int calls;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	char err[256];

	strcpy(c->dir, "/tmp/s2svpn-ctl-XXXXXX");
	if (!mkdtemp(c->dir))
		return -1;
	snprintf(c->path, sizeof(c->path), "%s/run/iked.sock", c->dir);
	c->lfd = ike_control_listen(c->path, err, sizeof(err));
	*state = c;
	return c->lfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	char run[160];

	ike_control_close(c->lfd, c->path);
	snprintf(run, sizeof(run), "%s/run", c->dir);
	rmdir(run);
	rmdir(c->dir);
	free(c);
	return 0;
}

static int answer(const char *line, FILE *out, void *data)
{
	struct ctx *c = data;

	c->calls++;
	if (strcmp(line, "status") != 0) {
		fprintf(out, "error: unknown command \"%s\"\n", line);
		return -1;
	}
	fputs("tunnel 1: established\n", out);
	return 0;
}

/* Connect, send @cmd, let the daemon serve, read everything back. */
static void ask(struct ctx *c, const char *cmd, size_t len, char *reply, size_t size)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct pollfd pfd = { .fd = c->lfd, .events = POLLIN };
	char err[256];
	size_t got = 0;
	ssize_t n;
	int fd;

	strcpy(sun.sun_path, c->path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(write(fd, cmd, len), (ssize_t)len);
	shutdown(fd, SHUT_WR);
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_int_equal(ike_control_serve(c->lfd, answer, c, err, sizeof(err)), 0);
	while ((n = read(fd, reply + got, size - 1 - got)) > 0)
		got += (size_t)n;
	reply[got] = '\0';
	close(fd);
}

static void test_status(void **state)
{
	struct ctx *c = *state;
	char reply[256];

	ask(c, "status\n", 7, reply, sizeof(reply));
	assert_string_equal(reply, "tunnel 1: established\n");
	ask(c, "bogus\r\n", 7, reply, sizeof(reply));
	assert_string_equal(reply, "error: unknown command \"bogus\"\n");
	assert_int_equal(c->calls, 2);
}

static void test_empty_command(void **state)
{
	struct ctx *c = *state;
	char reply[256];

	ask(c, "", 0, reply, sizeof(reply));
	assert_non_null(strstr(reply, "send one command line"));
	assert_int_equal(c->calls, 0);
}

static void test_socket_is_private(void **state)
{
	struct ctx *c = *state;
	struct stat st;

	assert_int_equal(stat(c->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_second_daemon_refused(void **state)
{
	struct ctx *c = *state;
	char err[256];

	assert_int_equal(ike_control_listen(c->path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "another s2svpn-iked is running"));
}

static void test_nothing_waiting(void **state)
{
	struct ctx *c = *state;
	char err[256];

	assert_int_equal(ike_control_serve(c->lfd, answer, c, err, sizeof(err)), 0);
	assert_int_equal(c->calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_is_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_daemon_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_waiting, setup, teardown),
	};

	return cmocka_run_group_tests_name("control", tests, NULL, NULL);
}

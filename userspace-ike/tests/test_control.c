// SPDX-License-Identifier: GPL-2.0
/*
 * control.c: the directory checks, the command table, and clients served
 * on a real event loop over a real UNIX socket in a temporary directory,
 * without a client ever being able to block the loop.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <fcntl.h>
#include <grp.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "control.h"

struct ctx {
	char dir[64];
	char path[128];
	int lfd;
	int calls;
	struct event_base *base;
	struct ike_control *ctl;
	struct ike_log log;
};

static int cmd_status(const char *args, FILE *out, void *data)
{
	struct ctx *c = data;

	c->calls++;
	fprintf(out, "tunnel 1: established%s\n", *args ? " (json)" : "");
	return 0;
}

static int cmd_big(const char *args, FILE *out, void *data)
{
	(void)args;
	(void)data;
	for (int i = 0; i < (1 << 14); i++)	/* 1 MiB */
		fputs("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n", out);
	return 0;
}

static int cmd_reload(const char *args, FILE *out, void *data)
{
	(void)args;
	(void)data;
	fputs("reloaded\n", out);
	return 0;
}

static const struct ike_control_cmd cmds[] = {
	{ "status", IKE_CONTROL_READ, cmd_status, "status [-j]" },
	{ "big", IKE_CONTROL_READ, cmd_big, "big" },
	{ "reload", IKE_CONTROL_ADMIN, cmd_reload, "reload" },
	{ NULL, IKE_CONTROL_READ, NULL, NULL },
};

static int setup_group(void **state, unsigned int clients, unsigned int idle_ms, gid_t group)
{
	struct ctx *c = calloc(1, sizeof(*c));
	struct ike_control_limits lim = { clients, idle_ms, 8u << 20 };
	char err[256];

	strcpy(c->dir, "/tmp/s2svpn-ctl-XXXXXX");
	if (!mkdtemp(c->dir))
		return -1;
	snprintf(c->path, sizeof(c->path), "%s/run/iked.sock", c->dir);
	c->lfd = ike_control_listen(c->path, 0, group, err, sizeof(err));
	if (c->lfd < 0)
		fprintf(stderr, "ike_control_listen: %s\n", err);
	c->log = (struct ike_log){ .stream = stderr, .level = IKE_LOG_WARNING };
	c->base = event_base_new();
	c->ctl = ike_control_new(c->base, c->lfd, cmds, c, group, &lim, &c->log);
	*state = c;
	return c->lfd < 0 || !c->ctl ? -1 : 0;
}

static int setup_limits(void **state, unsigned int clients, unsigned int idle_ms)
{
	return setup_group(state, clients, idle_ms, 0);
}

/* A control group of its own (4321), which only root can give the socket. */
static int setup_g4321(void **state)
{
	return setup_group(state, 4, 300, 4321);
}

static int setup(void **state)
{
	return setup_limits(state, 4, 300);
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	char run[160];

	ike_control_free(c->ctl);
	event_base_free(c->base);
	ike_control_close(c->lfd, c->path);
	snprintf(run, sizeof(run), "%s/run", c->dir);
	rmdir(run);
	rmdir(c->dir);
	free(c);
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run the loop for about MS milliseconds; returns how long one pass took at most. */
static int64_t spin(struct ctx *c, int ms)
{
	int64_t end = now_ms() + ms, worst = 0;

	while (now_ms() < end) {
		struct timeval tv = { 0, 10000 };
		int64_t t0 = now_ms();

		event_base_loopexit(c->base, &tv);
		event_base_dispatch(c->base);
		if (now_ms() - t0 > worst)
			worst = now_ms() - t0;
	}
	return worst;
}

static int client(struct ctx *c, const char *cmd, size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	strcpy(sun.sun_path, c->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	if (len)
		assert_int_equal(write(fd, cmd, len), (ssize_t)len);
	return fd;
}

/* Everything FD has to say until it hangs up, serving the loop meanwhile. */
static void drain(struct ctx *c, int fd, char *reply, size_t size)
{
	size_t got = 0;
	int64_t end = now_ms() + 3000;

	while (now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		spin(c, 5);
		if (poll(&p, 1, 0) != 1)
			continue;
		n = read(fd, reply + got, size - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	reply[got] = '\0';
	close(fd);
}

static void ask(struct ctx *c, const char *cmd, size_t len, bool shut, char *reply, size_t size)
{
	int fd = client(c, cmd, len);

	if (shut)
		shutdown(fd, SHUT_WR);
	drain(c, fd, reply, size);
}

static void test_status(void **state)
{
	struct ctx *c = *state;
	char reply[512];

	ask(c, "status\n", 7, false, reply, sizeof(reply));
	assert_string_equal(reply, "tunnel 1: established\n");
	ask(c, "status -j\r\n", 11, false, reply, sizeof(reply));
	assert_string_equal(reply, "tunnel 1: established (json)\n");
	/* No newline, then end of file: still the command. */
	ask(c, "status", 6, true, reply, sizeof(reply));
	assert_string_equal(reply, "tunnel 1: established\n");
	ask(c, "bogus\r\n", 7, false, reply, sizeof(reply));
	assert_string_equal(reply, "error: unknown command \"bogus\"; try status [-j], big or reload\n");
	assert_int_equal(c->calls, 3);
	assert_int_equal(ike_control_clients(c->ctl), 0);
}

static void test_table(void **state)
{
	struct ctx *c = *state;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(ike_control_run(cmds, "  status   -j", false, out, c), 0);
	assert_int_equal(ike_control_run(cmds, "statusx", false, out, c), -1);
	assert_int_equal(ike_control_run(cmds, "reload", false, out, c), -1);
	assert_int_equal(ike_control_run(cmds, "reload", true, out, c), 0);
	assert_int_equal(ike_control_run(cmds, "", true, out, c), -1);
	fclose(out);
	assert_string_equal(buf,
		"tunnel 1: established (json)\n"
		"error: unknown command \"statusx\"; try status [-j], big or reload\n"
		"error: permission denied: \"reload\" changes state; it needs root\n"
		"reloaded\n"
		"error: send one command line, e.g. \"status\"\n");
	free(buf);
}

static void test_empty_command(void **state)
{
	struct ctx *c = *state;
	char reply[256];

	ask(c, "", 0, true, reply, sizeof(reply));
	assert_string_equal(reply, "error: send one command line, e.g. \"status\"\n");
	assert_int_equal(c->calls, 0);
}

static void test_too_long(void **state)
{
	struct ctx *c = *state;
	char big[1024], reply[256];

	memset(big, 'x', sizeof(big));
	ask(c, big, sizeof(big), false, reply, sizeof(reply));
	assert_string_equal(reply, "error: command longer than 255 bytes; send one line, "
			    "e.g. \"status\"\n");
	assert_int_equal(c->calls, 0);
}

/* Silent and half-line clients neither block the loop nor other clients, and go. */
static void test_stalled_clients(void **state)
{
	struct ctx *c = *state;
	char reply[256];
	int silent = client(c, "", 0), partial = client(c, "sta", 3);
	int64_t t0 = now_ms(), worst = spin(c, 50);

	assert_true(worst < 50);
	assert_int_equal(ike_control_clients(c->ctl), 2);
	ask(c, "status\n", 7, false, reply, sizeof(reply));
	assert_string_equal(reply, "tunnel 1: established\n");
	assert_true(now_ms() - t0 < 250);
	/* The idle timeout (300 ms here) hangs up on both. */
	spin(c, 400);
	assert_int_equal(ike_control_clients(c->ctl), 0);
	drain(c, silent, reply, sizeof(reply));
	assert_string_equal(reply, "");
	drain(c, partial, reply, sizeof(reply));
	assert_string_equal(reply, "");
}

/* An answer bigger than any socket buffer to a client that does not read. */
static void test_slow_reader(void **state)
{
	struct ctx *c = *state;
	int fd = client(c, "big\n", 4);
	int64_t worst = spin(c, 100);

	/* A blocking write would never return: the client does not read. */
	assert_true(worst < 2000);
	assert_int_equal(ike_control_clients(c->ctl), 1);
	spin(c, 400);	/* past the idle timeout: hung up on, unread */
	assert_int_equal(ike_control_clients(c->ctl), 0);
	close(fd);
}

static void test_client_limit(void **state)
{
	struct ctx *c = *state;
	char reply[256];
	int fd[4];

	for (int i = 0; i < 4; i++)
		fd[i] = client(c, "", 0);
	spin(c, 30);
	assert_int_equal(ike_control_clients(c->ctl), 4);
	ask(c, "status\n", 7, false, reply, sizeof(reply));
	assert_string_equal(reply, "error: too many control clients at once; try again\n");
	for (int i = 0; i < 4; i++)
		close(fd[i]);
	spin(c, 30);
	assert_int_equal(ike_control_clients(c->ctl), 0);
	ask(c, "status\n", 7, false, reply, sizeof(reply));
	assert_string_equal(reply, "tunnel 1: established\n");
}

/*
 * child_ask CTX UID GID CMD REPLY: CMD sent by a child process that is
 * UID with primary group GID and no other; its answer in REPLY.
 */
static void child_ask(struct ctx *c, uid_t uid, gid_t gid, const char *cmd, char *reply,
		      size_t size)
{
	int sv[2], status;
	ssize_t got;
	pid_t pid;

	assert_int_equal(pipe(sv), 0);
	pid = fork();
	if (pid == 0) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		char buf[256];
		ssize_t n, len = 0;
		int fd;

		close(sv[0]);
		if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
			_exit(2);
		strcpy(sun.sun_path, c->path);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
			_exit(3);
		n = write(fd, cmd, strlen(cmd));
		while ((n = read(fd, buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
			len += n;
		n = write(sv[1], buf, (size_t)len);
		_exit(n == len ? 0 : 4);
	}
	close(sv[1]);
	spin(c, 200);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	got = read(sv[0], reply, size - 1);
	assert_true(got > 0);
	reply[got] = '\0';
	close(sv[0]);
}

/* Neither root nor the control group (0): refused. */
static void test_stranger_refused(void **state)
{
	struct ctx *c = *state;
	char reply[256];

	if (geteuid() != 0)
		skip();
	chmod(c->dir, 0755);
	chmod(c->path, 0666);
	child_ask(c, 65534, 65534, "status\n", reply, sizeof(reply));
	assert_non_null(strstr(reply, "error: permission denied"));
	assert_int_equal(c->calls, 0);
}

/*
 * A member of the control group: the socket is the group's, "status" is
 * answered, "reload" (changes state) is refused: only root may.
 */
static void test_group_member(void **state)
{
	struct ctx *c = *state;
	char reply[256];
	struct stat st;

	if (geteuid() != 0)
		skip();
	assert_int_equal(lstat(c->path, &st), 0);
	assert_int_equal(st.st_gid, 4321);
	assert_int_equal(st.st_mode & 0777, 0660);
	chmod(c->dir, 0755);
	child_ask(c, 65534, 4321, "status\n", reply, sizeof(reply));
	assert_string_equal(reply, "tunnel 1: established\n");
	child_ask(c, 65534, 4321, "reload\n", reply, sizeof(reply));
	assert_string_equal(reply, "error: permission denied: \"reload\" changes state; "
			    "it needs root\n");
	assert_int_equal(c->calls, 1);
}

static void test_socket_mode(void **state)
{
	struct ctx *c = *state;
	struct stat st;

	assert_int_equal(lstat(c->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
}

static void test_second_daemon_refused(void **state)
{
	struct ctx *c = *state;
	char err[256];

	assert_int_equal(ike_control_listen(c->path, 0, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "another s2svpn-iked is running"));
}

/* dir_case MODE OWNER SYMLINK WANT: what ike_control_dir_open() says. */
static void dir_case(mode_t mode, uid_t owner, bool symlink_it, const char *want)
{
	char base[] = "/tmp/s2svpn-dir-XXXXXX", dir[64], link[64], err[256] = "";
	int fd;

	assert_non_null(mkdtemp(base));
	snprintf(dir, sizeof(dir), "%s/d", base);
	snprintf(link, sizeof(link), "%s/l", base);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chmod(dir, mode), 0);
	if (owner && geteuid() == 0)
		assert_int_equal(chown(dir, owner, owner), 0);
	if (symlink_it)
		assert_int_equal(symlink(dir, link), 0);
	fd = ike_control_dir_open(symlink_it ? link : dir, 4321, err, sizeof(err));
	if (!want) {
		assert_true(fd >= 0);
		close(fd);
	} else {
		assert_int_equal(fd, -1);
		assert_non_null(strstr(err, want));
	}
	unlink(link);
	rmdir(dir);
	rmdir(base);
}

static void test_dir_checks(void **state)
{
	(void)state;
	dir_case(0755, 0, false, NULL);
	dir_case(0700, 0, false, NULL);
	dir_case(0777, 0, false, "control directory is writable by group or others (mode 0777)");
	dir_case(01777, 0, false, "control directory is writable by group or others (mode 1777)");
	dir_case(0775, 0, false, "control directory is writable by group or others (mode 0775)");
	dir_case(0755, 0, true, "control directory is a symbolic link");
	if (geteuid() == 0) {
		dir_case(0755, 4321, false, NULL);	/* the daemon's user */
		dir_case(0755, 1234, false, "control directory is owned by uid 1234");
	}
}

static void test_dir_created(void **state)
{
	char base[] = "/tmp/s2svpn-dir-XXXXXX", dir[64], file[64], err[256];
	struct stat st;
	mode_t old = umask(0077);
	int fd;

	(void)state;
	assert_non_null(mkdtemp(base));
	snprintf(dir, sizeof(dir), "%s/new", base);
	fd = ike_control_dir_open(dir, 4321, err, sizeof(err));
	umask(old);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(lstat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	snprintf(file, sizeof(file), "%s/file", base);
	fd = creat(file, 0600);
	close(fd);
	assert_int_equal(ike_control_dir_open(file, 4321, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "control directory is not a directory"));
	unlink(file);
	rmdir(dir);
	rmdir(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stalled_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stranger_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_member, setup_g4321, teardown),
		cmocka_unit_test_setup_teardown(test_socket_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_daemon_refused, setup, teardown),
		cmocka_unit_test(test_dir_checks),
		cmocka_unit_test(test_dir_created),
	};

	/* As the daemon: a client that hangs up is an EPIPE, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("control", tests, NULL, NULL);
}

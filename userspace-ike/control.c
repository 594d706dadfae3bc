// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn-iked's control socket.
 *
 * The socket file is created 0600 in a 0700 directory, and every peer's
 * credentials are checked as well (SO_PEERCRED): only root, or the
 * daemon's own user, may talk to it. One command per connection keeps
 * the daemon's side trivial and non-blocking enough for its event loop:
 * the command is read with a short timeout and the answer is written at
 * once.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include "control.h"

/**
 * ike_control_listen - create the control socket
 * @path: where (its directory is created 0700 if missing)
 * @err: what went wrong
 * @errlen: its size
 *
 * A stale socket file (no daemon listening) is replaced; a live one means
 * another daemon runs, and is an error.
 *
 * Return: the listening socket, or -1 with @err set.
 */
int ike_control_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[sizeof(sun.sun_path)];
	char *slash;
	mode_t old;
	int fd, probe;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: path too long for a UNIX socket", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			return -1;
		}
	}

	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0 && connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		close(probe);
		snprintf(err, errlen, "%s: another s2svpn-iked is running", path);
		return -1;
	}
	if (probe >= 0)
		close(probe);
	unlink(path);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		return -1;
	}
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 8) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	return fd;
}

/* Only root and the daemon's own user. */
static int control_peer_ok(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return 0;
	return cred.uid == 0 || cred.uid == geteuid();
}

/* Read one line (at most IKE_CONTROL_LINE_MAX - 1 bytes) within the timeout. */
static int control_read_line(int fd, char *line, size_t size)
{
	size_t got = 0;

	while (got + 1 < size) {
		ssize_t n = read(fd, line + got, size - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (memchr(line, '\n', got))
			break;
	}
	line[got] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	return got ? 0 : -1;
}

/**
 * ike_control_serve - answer one waiting client
 * @listen_fd: from ike_control_listen(), readable
 * @cb: answers the command
 * @data: for @cb
 * @err: what went wrong
 * @errlen: its size
 *
 * Return: 0 (answered, refused or nothing waiting), -1 on a socket error.
 */
int ike_control_serve(int listen_fd, ike_control_cb cb, void *data, char *err, size_t errlen)
{
	struct timeval tv = { .tv_sec = 1 };
	char line[IKE_CONTROL_LINE_MAX];
	FILE *out;
	int fd;

	fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
		    errno == ECONNABORTED)
			return 0;
		snprintf(err, errlen, "control: accept: %s", strerror(errno));
		return -1;
	}
	if (!control_peer_ok(fd)) {
		static const char msg[] = "error: permission denied: s2svpn-iked answers root only\n";

		/* The client is told if it listens; nothing else to do. */
		ssize_t n = write(fd, msg, sizeof(msg) - 1);

		(void)n;
		close(fd);
		return 0;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	out = fdopen(fd, "w");
	if (!out) {
		close(fd);
		snprintf(err, errlen, "control: %s", strerror(errno));
		return -1;
	}
	if (control_read_line(fd, line, sizeof(line)) < 0)
		fputs("error: send one command line, e.g. \"status\"\n", out);
	else
		cb(line, out, data);
	fclose(out);
	return 0;
}

void ike_control_close(int listen_fd, const char *path)
{
	if (listen_fd >= 0)
		close(listen_fd);
	if (path)
		unlink(path);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpnctl's side of s2svpn-iked's control socket: one command line out,
 * the whole answer back (the daemon closes the connection when done).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* the daemon builds it with -D_GNU_SOURCE */
#endif
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "s2svpnctl.h"

#define IKED_TIMEOUT_MS	3000

/**
 * iked_socket_path - where the daemon of @dev listens
 * @dev: the device
 * @override: a path given on the command line, or NULL
 * @buf: the path
 * @len: its size
 */
void iked_socket_path(const char *dev, const char *override, char *buf, size_t len)
{
	if (override)
		snprintf(buf, len, "%s", override);
	else
		snprintf(buf, len, IKED_CONTROL_DIR "/%s.sock", dev);
}

static int64_t ms_left(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(end->tv_sec - now.tv_sec) * 1000 + (end->tv_nsec - now.tv_nsec) / 1000000;
}

/**
 * iked_ask - send one command to the daemon and read its answer
 * @path: the control socket
 * @cmd: the command line, without the newline
 * @answer: set to the NUL-terminated answer (free() it)
 * @err: what went wrong
 * @errlen: its size
 *
 * An answer starting with "error: " is the daemon refusing the command:
 * it is returned as an error, with that message.
 *
 * Return: 0, or -1 with @err set and *@answer NULL.
 */
int iked_ask(const char *path, const char *cmd, char **answer, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = 0, cap = 4096;
	struct timespec end;
	char *buf = NULL;
	int fd;

	*answer = NULL;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		snprintf(err, errlen, "%s: %s (is s2svpn-iked running?)", path, strerror(errno));
		goto fail;
	}
	if (dprintf(fd, "%s\n", cmd) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += IKED_TIMEOUT_MS / 1000;
	buf = malloc(cap);
	if (!buf) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		goto fail;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = ms_left(&end);
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			snprintf(err, errlen, "%s: no answer within %d s", path,
				 IKED_TIMEOUT_MS / 1000);
			goto fail;
		}
		if (len + 1 == cap) {
			char *more = cap >= IKED_ANSWER_MAX ? NULL : realloc(buf, 2 * cap);

			if (!more) {
				snprintf(err, errlen, "%s: answer too long", path);
				goto fail;
			}
			buf = more;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (!strncmp(buf, "error: ", 7)) {
		snprintf(err, errlen, "s2svpn-iked: %.*s", (int)strcspn(buf + 7, "\n"), buf + 7);
		free(buf);
		return -1;
	}
	*answer = buf;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return -1;
}

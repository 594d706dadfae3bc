// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn-iked's control socket; the contract (who may do what, the bounds
 * on clients) is in control.h.
 *
 * Every client is a libevent bufferevent on the daemon's loop: nothing here
 * reads or writes a client socket that is not ready, so a client that
 * connects and says nothing, sends half a line, or never reads its answer
 * costs one slot and a timer, and IKE goes on. Commands come from a table;
 * each one says whether it only reads or changes state, and the client's
 * credentials (SO_PEERCRED) decide which it may run.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "control.h"
#include "s2svpnctl.h"	/* IKED_ANSWER_MAX: what s2svpnctl reads */

/**
 * ike_control_dir_open - check (or create) the control socket's directory
 * @dir: its path
 * @daemon_uid: the user the daemon runs as, which may own it too
 * @err: what is wrong with it, and what to do
 * @errlen: its size
 *
 * A missing directory is created 0755, root's. An existing one must be a
 * directory, not a symbolic link, owned by root or @daemon_uid, and
 * writable by neither group nor others: whoever can write it can replace
 * the socket s2svpnctl talks to.
 *
 * Return: an O_DIRECTORY descriptor of it, or -1 with @err set.
 */
int ike_control_dir_open(const char *dir, uid_t daemon_uid, char *err, size_t errlen)
{
	struct stat st, fst;
	int fd;

	if (lstat(dir, &st) < 0 && errno == ENOENT) {
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "%s: cannot create the control directory: %s", dir,
				 strerror(errno));
			return -1;
		}
		/* Whatever the umask was. */
		if (lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid())
			chmod(dir, 0755);
	}
	if (lstat(dir, &st) < 0) {
		snprintf(err, errlen, "%s: control directory: %s", dir, strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		snprintf(err, errlen, "%s: control directory is a symbolic link; give a real "
			 "directory (-S), or remove the link", dir);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: control directory is not a directory", dir);
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != daemon_uid) {
		snprintf(err, errlen, "%s: control directory is owned by uid %u, not root or the "
			 "daemon's user (uid %u); chown root %s", dir, (unsigned int)st.st_uid,
			 (unsigned int)daemon_uid, dir);
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "%s: control directory is writable by group or others "
			 "(mode %04o); chmod go-w %s", dir, (unsigned int)(st.st_mode & 07777), dir);
		return -1;
	}
	/* The directory checked is the one opened. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &fst) < 0 || fst.st_dev != st.st_dev || fst.st_ino != st.st_ino) {
		snprintf(err, errlen, "%s: control directory changed while it was checked", dir);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/**
 * ike_control_listen - create the control socket
 * @path: where; its directory is checked by ike_control_dir_open()
 * @daemon_uid: the user the daemon will run as
 * @group: the control group, which may connect
 * @err: what went wrong
 * @errlen: its size
 *
 * A stale socket file (no daemon listening) is replaced; a live one means
 * another daemon runs, and is an error. The socket is 0660, root's and
 * @group's.
 *
 * Return: the listening socket (non-blocking), or -1 with @err set.
 */
int ike_control_listen(const char *path, uid_t daemon_uid, gid_t group, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[sizeof(sun.sun_path)];
	const char *name = path;
	int fd = -1, probe, dfd, cwd;
	char *slash;
	mode_t old;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: path too long for a UNIX socket", path);
		return -1;
	}
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (!slash) {
		strcpy(dir, ".");
	} else {
		name = path + (slash - dir) + 1;
		slash[slash == dir] = '\0';	/* "/x.sock" lives in "/" */
	}
	if (!*name) {
		snprintf(err, errlen, "%s: the control socket needs a file name", path);
		return -1;
	}
	dfd = ike_control_dir_open(dir, daemon_uid, err, errlen);
	if (dfd < 0)
		return -1;
	/*
	 * Probe, bind and chown by name inside the directory just checked
	 * (from it as the working directory: the daemon has one thread), not
	 * by a path whose parents could be renamed in between.
	 */
	strcpy(sun.sun_path, name);
	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0 || fchdir(dfd) < 0) {
		snprintf(err, errlen, "%s: cannot enter the control directory: %s", dir,
			 strerror(errno));
		goto fail;
	}
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0 && connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		close(probe);
		snprintf(err, errlen, "%s: another s2svpn-iked is running", path);
		goto fail;
	}
	if (probe >= 0)
		close(probe);
	unlinkat(dfd, name, 0);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		goto fail;
	}
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		umask(old);
		goto fail;
	}
	umask(old);
	if (listen(fd, IKE_CONTROL_CLIENTS) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlinkat(dfd, name, 0);
		goto fail;
	}
	/*
	 * Group @group, so that its members may connect (needs CAP_CHOWN, or
	 * membership of @group); the owner stays whoever made it. Group 0 (no
	 * control group) is what root's socket has anyway; a daemon started
	 * unprivileged then keeps its own group.
	 */
	if ((group != 0 || geteuid() == 0) &&
	    fchownat(dfd, name, -1, group, AT_SYMLINK_NOFOLLOW) < 0) {
		snprintf(err, errlen, "%s: chown to group %u: %s", path, (unsigned int)group,
			 strerror(errno));
		unlinkat(dfd, name, 0);
		goto fail;
	}
	if (fchdir(cwd) < 0) {
		snprintf(err, errlen, "cannot return to the working directory: %s", strerror(errno));
		unlinkat(dfd, name, 0);
		goto fail;
	}
	close(cwd);
	close(dfd);
	return fd;

fail:
	if (cwd >= 0 && fchdir(cwd) < 0)
		snprintf(err, errlen, "cannot return to the working directory: %s", strerror(errno));
	if (cwd >= 0)
		close(cwd);
	if (fd >= 0)
		close(fd);
	close(dfd);
	return -1;
}

/**
 * ike_control_run - run one command line from a table
 * @cmds: the table, ending with a NULL name
 * @line: the line, without its newline
 * @admin: the client may run commands that change state
 * @out: the answer goes here
 * @data: for the command
 *
 * Return: the command's result, or -1 after an error message.
 */
int ike_control_run(const struct ike_control_cmd *cmds, const char *line, bool admin,
		    FILE *out, void *data)
{
	const struct ike_control_cmd *c;
	size_t len;

	line += strspn(line, " \t");
	len = strcspn(line, " \t");
	if (!len) {
		fputs("error: send one command line, e.g. \"status\"\n", out);
		return -1;
	}
	for (c = cmds; c->name; c++) {
		if (strlen(c->name) != len || strncmp(c->name, line, len))
			continue;
		if (c->access == IKE_CONTROL_ADMIN && !admin) {
			fprintf(out, "error: permission denied: \"%s\" changes state; it needs "
				"root\n", c->name);
			return -1;
		}
		line += len;
		return c->run(line + strspn(line, " \t"), out, data);
	}
	fprintf(out, "error: unknown command \"%.*s\"; try ", (int)(len > 64 ? 64 : len), line);
	for (c = cmds; c->name; c++)
		fprintf(out, "%s%s", c == cmds ? "" : c[1].name ? ", " : " or ", c->usage);
	fputc('\n', out);
	return -1;
}

struct ike_control {
	struct event_base *base;
	struct event *accept_ev;
	const struct ike_control_cmd *cmds;
	void *data;
	gid_t group;
	struct ike_control_limits lim;
	const struct ike_log *log;
	unsigned int n;
	struct control_client *clients;
};

/**
 * struct control_client - one connection
 * @c: the control socket
 * @bev: its buffered socket
 * @timer: the idle timeout
 * @pid: the client's process when it connected (SO_PEERCRED), for the log
 * @root: uid 0 when it connected (SO_PEERCRED: what it execs later does not
 *	change it)
 * @answered: the answer is queued; the client is closed once it is out
 * @next: the list of clients
 * @pprev: the pointer to this one
 */
struct control_client {
	struct ike_control *c;
	struct bufferevent *bev;
	struct event *timer;
	pid_t pid;
	bool root;
	bool answered;
	struct control_client *next, **pprev;
};

static void client_free(struct control_client *cl)
{
	if (cl->next)
		cl->next->pprev = cl->pprev;
	*cl->pprev = cl->next;
	cl->c->n--;
	if (cl->timer)
		event_free(cl->timer);
	if (cl->bev)
		bufferevent_free(cl->bev);	/* closes the socket */
	free(cl);
}

/*
 * Queue BUF (LEN bytes): the client has as long again to read it, then goes.
 * This and the three below may free @cl: their callers return right after.
 */
static void client_reply(struct control_client *cl, const char *buf, size_t len)
{
	struct ike_control *c = cl->c;
	struct timeval tv = { c->lim.idle_ms / 1000, (c->lim.idle_ms % 1000) * 1000 };

	cl->answered = true;
	bufferevent_disable(cl->bev, EV_READ);
	if (!len || bufferevent_write(cl->bev, buf, len) < 0) {
		client_free(cl);
		return;
	}
	evtimer_add(cl->timer, &tv);
}

/* Run LINE and queue its answer. */
static void client_answer(struct control_client *cl, const char *line)
{
	struct ike_control *c = cl->c;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	out = open_memstream(&buf, &len);
	if (!out) {
		ike_log(c->log, IKE_LOG_WARNING, NULL, "control: %s", strerror(errno));
		client_free(cl);
		return;
	}
	ike_control_run(c->cmds, line, cl->root, out, c->data);
	if (fclose(out) != 0 || !buf) {
		free(buf);
		client_free(cl);
		return;
	}
	if (len > c->lim.answer_max) {
		ike_log(c->log, IKE_LOG_WARNING, NULL,
			"control: the answer to \"%.32s\" is %zu bytes, over the limit of %zu",
			line, len, c->lim.answer_max);
		len = (size_t)snprintf(buf, len, "error: answer too long (over %zu bytes)\n",
				       c->lim.answer_max);
	}
	client_reply(cl, buf, len);
	free(buf);
}

static void client_too_long(struct control_client *cl)
{
	char msg[128];
	int n = snprintf(msg, sizeof(msg), "error: command longer than %d bytes; send one line, "
			 "e.g. \"status\"\n", IKE_CONTROL_LINE_MAX - 1);

	client_reply(cl, msg, (size_t)n);
}

/* LEN bytes of IN, up to the newline or the end, are the command. */
static void client_line(struct control_client *cl, struct evbuffer *in, size_t len)
{
	char line[IKE_CONTROL_LINE_MAX];

	if (len >= sizeof(line)) {
		client_too_long(cl);
		return;
	}
	evbuffer_remove(in, line, len);
	line[len] = '\0';
	if (len && line[len - 1] == '\r')
		line[len - 1] = '\0';
	client_answer(cl, line);
}

static void client_read(struct bufferevent *bev, void *arg)
{
	struct control_client *cl = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr eol;

	if (cl->answered)
		return;
	eol = evbuffer_search_eol(in, NULL, NULL, EVBUFFER_EOL_LF);
	if (eol.pos >= 0)
		client_line(cl, in, (size_t)eol.pos);
	else if (evbuffer_get_length(in) >= IKE_CONTROL_LINE_MAX)
		client_too_long(cl);
	/* else: more to come, within the idle timeout */
}

/* The answer is out: done. */
static void client_written(struct bufferevent *bev, void *arg)
{
	struct control_client *cl = arg;

	(void)bev;
	if (cl->answered)
		client_free(cl);
}

static void client_event(struct bufferevent *bev, short what, void *arg)
{
	struct control_client *cl = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	/* "status" and end of file, no newline: the command all the same. */
	if ((what & BEV_EVENT_EOF) && !cl->answered) {
		if (evbuffer_get_length(in)) {
			client_line(cl, in, evbuffer_get_length(in));
		} else {
			static const char msg[] = "error: send one command line, e.g. \"status\"\n";

			client_reply(cl, msg, sizeof(msg) - 1);
		}
		return;
	}
	client_free(cl);	/* an error, or EOF after the answer */
}

static void client_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct control_client *cl = arg;

	(void)fd;
	(void)what;
	ike_log(cl->c->log, IKE_LOG_DEBUG, NULL, "control: client (pid %d) %s within %u ms; "
		"hung up", (int)cl->pid, cl->answered ? "did not read its answer" :
		"sent no command", cl->c->lim.idle_ms);
	client_free(cl);
}

/* Refuse FD with MSG, without waiting for it. */
static void refuse(int fd, const char *msg)
{
	ssize_t n = send(fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL);

	(void)n;
	close(fd);
}

static bool in_group(int fd, const struct ucred *cred, gid_t group)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);
	size_t i;

	if (cred->gid == group)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	for (i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == group)
			return true;
	return false;
}

static void client_new(struct ike_control *c, int fd)
{
	struct timeval tv = { c->lim.idle_ms / 1000, (c->lim.idle_ms % 1000) * 1000 };
	struct control_client *cl;
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		close(fd);
		return;
	}
	if (c->n >= c->lim.clients) {
		ike_log(c->log, IKE_LOG_WARNING, NULL, "control: %u clients already; refusing "
			"pid %d", c->n, (int)cred.pid);
		refuse(fd, "error: too many control clients at once; try again\n");
		return;
	}
	cl = calloc(1, sizeof(*cl));
	if (!cl) {
		close(fd);
		return;
	}
	cl->c = c;
	cl->pid = cred.pid;
	cl->root = cred.uid == 0;
	if (!cl->root && !in_group(fd, &cred, c->group)) {
		free(cl);
		refuse(fd, "error: permission denied: s2svpn-iked answers root and its control "
		       "group only\n");
		return;
	}
	cl->next = c->clients;
	if (cl->next)
		cl->next->pprev = &cl->next;
	cl->pprev = &c->clients;
	c->clients = cl;
	c->n++;
	cl->bev = bufferevent_socket_new(c->base, fd, BEV_OPT_CLOSE_ON_FREE);
	cl->timer = evtimer_new(c->base, client_timeout, cl);
	if (!cl->bev || !cl->timer) {
		if (!cl->bev)
			close(fd);
		client_free(cl);
		return;
	}
	bufferevent_setcb(cl->bev, client_read, client_written, client_event, cl);
	bufferevent_setwatermark(cl->bev, EV_READ, 0, IKE_CONTROL_LINE_MAX);
	if (bufferevent_enable(cl->bev, EV_READ | EV_WRITE) < 0 || evtimer_add(cl->timer, &tv) < 0)
		client_free(cl);
}

static void on_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct ike_control *c = arg;
	int i, fd;

	(void)what;
	/* A few at a time, not to starve IKE under a connection flood. */
	for (i = 0; i < 8; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				ike_log(c->log, IKE_LOG_WARNING, NULL, "control: accept: %s",
					strerror(errno));
			return;
		}
		client_new(c, fd);
	}
}

/**
 * ike_control_new - serve the control socket on an event loop
 * @base: the loop
 * @listen_fd: from ike_control_listen()
 * @cmds: the commands, ending with a NULL name
 * @data: for the commands
 * @group: the control group (may run commands that only read)
 * @lim: the bounds, NULL for the defaults of control.h
 * @log: where to say what went wrong
 *
 * @cmds, @data and @log are borrowed: they must outlive the result, and
 * ike_control_free() must run before event_base_free(@base) (it frees the
 * clients' events).
 *
 * Return: the control socket's state, or NULL without memory.
 */
struct ike_control *ike_control_new(struct event_base *base, int listen_fd,
				    const struct ike_control_cmd *cmds, void *data, gid_t group,
				    const struct ike_control_limits *lim,
				    const struct ike_log *log)
{
	static const struct ike_control_limits defaults = {
		.clients = IKE_CONTROL_CLIENTS,
		.idle_ms = IKE_CONTROL_IDLE_MS,
		.answer_max = IKED_ANSWER_MAX,
	};
	struct ike_control *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->base = base;
	c->cmds = cmds;
	c->data = data;
	c->group = group;
	c->lim = lim ? *lim : defaults;
	c->log = log;
	c->accept_ev = event_new(base, listen_fd, EV_READ | EV_PERSIST, on_accept, c);
	if (!c->accept_ev || event_add(c->accept_ev, NULL) < 0) {
		ike_control_free(c);
		return NULL;
	}
	return c;
}

/* How many clients are connected. */
unsigned int ike_control_clients(const struct ike_control *c)
{
	return c ? c->n : 0;
}

/* Hang up on every client and stop listening (the socket stays open). */
void ike_control_free(struct ike_control *c)
{
	if (!c)
		return;
	while (c->clients)
		client_free(c->clients);
	if (c->accept_ev)
		event_free(c->accept_ev);
	free(c);
}

/**
 * ike_control_close - close the listening socket and remove its file
 * @listen_fd: the socket, or -1
 * @path: its file, or NULL
 *
 * A daemon that is no longer root may not be allowed to remove the file
 * (root's directory): it stays, and the next daemon replaces it.
 */
void ike_control_close(int listen_fd, const char *path)
{
	if (listen_fd >= 0)
		close(listen_fd);
	if (path)
		unlink(path);
}

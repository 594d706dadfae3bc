/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn-iked's control socket: a UNIX stream socket in a directory only
 * root (or the daemon's user) may write. A client sends one command line
 * ("status", "status -j", ...) and reads the answer until the daemon closes
 * the connection.
 *
 * Who may do what (the contract):
 *  - the directory (default /run/s2svpn) is created 0755 root:root; an
 *    existing one must be a real directory (not a symbolic link) owned by
 *    root or the daemon's user and writable by neither group nor others,
 *    or the daemon refuses to start;
 *  - the socket is 0660, owned by root and the control group (group
 *    "s2svpn" if it exists, else root's): others cannot connect;
 *  - commands that only read (status, show, metrics) answer root and
 *    members of the control group;
 *  - commands that change state answer root only;
 *  - who a client is, is what SO_PEERCRED said when it connected: a
 *    process it execs later (setuid or not) changes nothing;
 *  - everyone else is told "error: permission denied" and hung up on.
 *
 * Clients are served by the daemon's event loop without ever blocking it: a
 * command must arrive within IKE_CONTROL_IDLE_MS of connecting, in at most
 * IKE_CONTROL_LINE_MAX - 1 bytes; the answer is queued and written as the
 * client reads it, within another IKE_CONTROL_IDLE_MS; at most
 * IKE_CONTROL_CLIENTS clients at a time.
 */
#ifndef S2SVPN_IKED_CONTROL_H
#define S2SVPN_IKED_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <event2/event.h>

#include "log.h"

/* By default on IKED_CONTROL_DIR/DEV.sock: iked_socket_path() of s2svpnctl.h. */
#define IKE_CONTROL_LINE_MAX	256
#define IKE_CONTROL_IDLE_MS	5000
#define IKE_CONTROL_CLIENTS	16

/**
 * enum ike_control_access - who may run a command
 * @IKE_CONTROL_READ: root and the control group
 * @IKE_CONTROL_ADMIN: root only (changes state)
 */
enum ike_control_access {
	IKE_CONTROL_READ,
	IKE_CONTROL_ADMIN,
};

/**
 * struct ike_control_cmd - one command of the control socket
 * @name: its first word
 * @access: who may run it
 * @run: answers it; @args is what follows the name and its blanks ("" if
 *	nothing); returns 0, or -1 after writing "error: ..." to @out
 * @usage: for the error an unknown command gets, e.g. "status [-j]"
 *
 * A table ends with a NULL @name.
 */
struct ike_control_cmd {
	const char *name;
	enum ike_control_access access;
	int (*run)(const char *args, FILE *out, void *data);
	const char *usage;
};

/**
 * struct ike_control_limits - the bounds of the control socket
 * @clients: clients served at once; more are told to try again
 * @idle_ms: to send the command, and again to read the answer
 * @answer_max: the longest answer, in bytes
 */
struct ike_control_limits {
	unsigned int clients;
	unsigned int idle_ms;
	size_t answer_max;
};

struct ike_control;

int ike_control_dir_open(const char *dir, uid_t daemon_uid, char *err, size_t errlen);
int ike_control_listen(const char *path, uid_t daemon_uid, gid_t group, char *err,
		       size_t errlen);
int ike_control_run(const struct ike_control_cmd *cmds, const char *line, bool admin,
		    FILE *out, void *data);
struct ike_control *ike_control_new(struct event_base *base, int listen_fd,
				    const struct ike_control_cmd *cmds, void *data, gid_t group,
				    const struct ike_control_limits *lim,
				    const struct ike_log *log);
unsigned int ike_control_clients(const struct ike_control *c);
void ike_control_free(struct ike_control *c);
void ike_control_close(int listen_fd, const char *path);

#endif /* S2SVPN_IKED_CONTROL_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn-iked's control socket: a UNIX stream socket only root may use.
 * A client sends one command line ("status", "status -j", ...) and reads
 * the answer until the daemon closes the connection.
 */
#ifndef S2SVPN_IKED_CONTROL_H
#define S2SVPN_IKED_CONTROL_H

#include <stddef.h>
#include <stdio.h>

/* By default on IKED_CONTROL_DIR/DEV.sock: iked_socket_path() of s2svpnctl.h. */
#define IKE_CONTROL_LINE_MAX	256

/**
 * typedef ike_control_cb - answer one command
 * @line: the command, without the newline, NUL-terminated
 * @out: write the answer here
 * @data: the caller's
 *
 * Return: 0, or -1 after writing an error message to @out.
 */
typedef int (*ike_control_cb)(const char *line, FILE *out, void *data);

int ike_control_listen(const char *path, char *err, size_t errlen);
int ike_control_serve(int listen_fd, ike_control_cb cb, void *data, char *err, size_t errlen);
void ike_control_close(int listen_fd, const char *path);

#endif /* S2SVPN_IKED_CONTROL_H */

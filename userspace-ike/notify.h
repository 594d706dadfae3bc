/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn-iked under systemd: readiness and state changes for Type=notify
 * (sd_notify(3); nothing happens without $NOTIFY_SOCKET), and SIGHUP.
 */
#ifndef S2SVPN_IKED_NOTIFY_H
#define S2SVPN_IKED_NOTIFY_H

#include <event2/event.h>

#include "log.h"

/*
 * READY=1 with a STATUS= line: sockets bound, connection loaded, privileges
 * dropped (the notify socket must be writable by the daemon's user, as
 * systemd's is). A failure is logged.
 */
void iked_notify_ready(const struct ike_log *log, const char *conn, const char *device);
/* STOPPING=1: SIGTERM or SIGINT, the SAs are being deleted. */
void iked_notify_stopping(void);
/*
 * Handle SIGHUP (systemctl reload): RELOADING=1, reload, READY=1. The
 * configuration is not re-read yet: the daemon says so and keeps running
 * with what it has. Returns the event to free, or NULL on error.
 */
struct event *iked_notify_sighup(struct event_base *base, const struct ike_log *log);

#endif /* S2SVPN_IKED_NOTIFY_H */

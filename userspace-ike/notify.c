// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn-iked under systemd: sd_notify(3) for Type=notify units, and
 * SIGHUP for ExecReload.
 */

#include <signal.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "notify.h"

void iked_notify_ready(const struct ike_log *log, const char *conn, const char *device)
{
	int r = sd_notifyf(0, "READY=1\nSTATUS=connection %s on %s", conn, device);

	/* systemd would kill a Type=notify service that never says READY. */
	if (r < 0)
		ike_log(log, IKE_LOG_ERR, NULL, "cannot tell systemd we are ready ($NOTIFY_SOCKET): %s",
			strerror(-r));
}

void iked_notify_stopping(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=deleting the SAs");
}

static void on_sighup(evutil_socket_t sig, short what, void *arg)
{
	const struct ike_log *log = arg;

	(void)sig;
	(void)what;
	sd_notify(0, "RELOADING=1");
	ike_log(log, IKE_LOG_WARNING, NULL,
		"SIGHUP: reloading the configuration is not implemented yet; "
		"restart the service to apply changes (this drops the tunnels)");
	sd_notify(0, "READY=1");
}

struct event *iked_notify_sighup(struct event_base *base, const struct ike_log *log)
{
	struct event *ev = evsignal_new(base, SIGHUP, on_sighup, (void *)log);

	if (ev && event_add(ev, NULL) < 0) {
		event_free(ev);
		ev = NULL;
	}
	return ev;
}

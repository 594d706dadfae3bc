// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpnctl metrics: Prometheus text exposition (format 0.0.4), for
 * node_exporter's textfile collector. The per-tunnel figures are named
 * after AWS's CloudWatch metrics for Site-to-Site VPN: TunnelState,
 * TunnelDataIn, TunnelDataOut. The kernel gives those and the drops by
 * reason; s2svpn-iked, when it runs, adds IKE state, rekeys and failovers.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s2svpnctl.h"

static void labels(FILE *f, const char *name, const struct show_dev *d, int id)
{
	const struct tunnel_info *t = &d->info.tunnels[id];
	char remote[INET6_ADDRSTRLEN] = "";

	if (t->remote.family)
		fmt_addr(&t->remote, remote, sizeof(remote));
	/* AWS numbers the tunnels 1 and 2; the kernel 0 and 1. */
	fprintf(f, "%s{device=\"%s\",tunnel=\"%d\",outside_ip=\"%s\"", name, d->info.ifname,
		id + 1, remote);
}

typedef void metric_fn(FILE *f, const char *name, const struct show_dev *d, int id,
		       const void *arg);

/* The HELP and TYPE lines of @name, then its sample of each tunnel. */
static void per_tunnel(FILE *f, const char *name, const char *type, const char *help,
		       const struct show_dev *devs, size_t n, metric_fn *fn, const void *arg)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
	for (size_t i = 0; i < n; i++)
		for (int id = 0; id < S2SVPN_TUNNELS; id++)
			if (devs[i].info.tunnels[id].present)
				fn(f, name, &devs[i], id, arg);
}

static void m_state(FILE *f, const char *name, const struct show_dev *d, int id,
		    const void *arg)
{
	const struct tunnel_info *t = &d->info.tunnels[id];

	(void)arg;
	labels(f, name, d, id);
	fprintf(f, "} %d\n", t->has_state && t->state == S2SVPN_TUNNEL_USABLE);
}

static void m_active(FILE *f, const char *name, const struct show_dev *d, int id,
		     const void *arg)
{
	(void)arg;
	labels(f, name, d, id);
	fprintf(f, "} %d\n", d->info.has_active && d->info.active_tunnel == id);
}

static void m_stat(FILE *f, const char *name, const struct show_dev *d, int id,
		   const void *arg)
{
	const struct stats *st = &d->info.tunnels[id].stats;
	unsigned int k = *(const unsigned int *)arg;

	labels(f, name, d, id);
	fprintf(f, "} %" PRIu64 "\n", st->has[k] ? st->v[k] : 0);
}

static void m_drops(FILE *f, const char *name, const struct show_dev *d, int id,
		    const void *arg)
{
	const struct stats *st = &d->info.tunnels[id].stats;

	(void)arg;
	for (unsigned int k = 1; k < STATS_N; k++) {
		const char *key = stat_key(k);

		if (!key || strncmp(key, "drop_", 5))
			continue;
		labels(f, name, d, id);
		fprintf(f, ",reason=\"%s\"} %" PRIu64 "\n", key + 5, st->has[k] ? st->v[k] : 0);
	}
}

/* The line after @l, or the terminating NUL. */
static const char *next_line(const char *l)
{
	l += strcspn(l, "\n");
	return *l ? l + 1 : l;
}

static int line_len(const char *l)
{
	return (int)strcspn(l, "\n");
}

/* Does @text have a "# HELP" line for the metric @name (@nlen bytes)? */
static bool has_family(const char *text, const char *name, size_t nlen)
{
	for (const char *l = text; *l; l = next_line(l))
		if (!strncmp(l, "# HELP ", 7) && !strncmp(l + 7, name, nlen) && l[7 + nlen] == ' ')
			return true;
	return false;
}

/*
 * The daemons' metrics, one family at a time: with several devices each
 * daemon sends the same families, and a family must be one group.
 */
static void daemon_metrics(FILE *f, const struct show_dev *devs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!devs[i].daemon)
			continue;
		for (const char *l = devs[i].daemon; *l; l = next_line(l)) {
			const char *name = l + 7;
			size_t nlen = strcspn(name, " \n");
			bool seen = false;

			if (strncmp(l, "# HELP ", 7))
				continue;
			for (size_t e = 0; e < i && !seen; e++)
				seen = devs[e].daemon && has_family(devs[e].daemon, name, nlen);
			if (seen)
				continue;
			fprintf(f, "%.*s\n", line_len(l), l);
			if (!strncmp(next_line(l), "# TYPE ", 7))
				fprintf(f, "%.*s\n", line_len(next_line(l)), next_line(l));
			for (size_t e = i; e < n; e++) {
				if (!devs[e].daemon)
					continue;
				for (const char *s = devs[e].daemon; *s; s = next_line(s))
					if (*s != '#' && strcspn(s, "{ ") == nlen &&
					    !strncmp(s, name, nlen))
						fprintf(f, "%.*s\n", line_len(s), s);
			}
		}
	}
}

/**
 * metrics_print - the kernel's figures of @devs, then their daemons'
 * @f: where
 * @devs: the devices, with their daemon's "metrics" answer if any
 * @n: how many
 */
void metrics_print(FILE *f, const struct show_dev *devs, size_t n)
{
	static const struct {
		const char *name;
		unsigned int key;
		const char *help;
	} stats[] = {
		{ "s2svpn_tunnel_data_in_bytes_total", S2SVPN_A_STATS_RX_BYTES,
		  "CloudWatch TunnelDataIn: bytes received through the tunnel (decrypted)" },
		{ "s2svpn_tunnel_data_out_bytes_total", S2SVPN_A_STATS_TX_BYTES,
		  "CloudWatch TunnelDataOut: bytes sent through the tunnel (before encryption)" },
		{ "s2svpn_tunnel_packets_in_total", S2SVPN_A_STATS_RX_PACKETS,
		  "packets received through the tunnel" },
		{ "s2svpn_tunnel_packets_out_total", S2SVPN_A_STATS_TX_PACKETS,
		  "packets sent through the tunnel" },
	};

	per_tunnel(f, "s2svpn_tunnel_state", "gauge",
		   "CloudWatch TunnelState: 1 if the tunnel can carry traffic (socket and SA), else 0",
		   devs, n, m_state, NULL);
	per_tunnel(f, "s2svpn_tunnel_active", "gauge",
		   "1 for the tunnel that carries default traffic", devs, n, m_active, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(stats); i++)
		per_tunnel(f, stats[i].name, "counter", stats[i].help, devs, n, m_stat,
			   &stats[i].key);
	per_tunnel(f, "s2svpn_tunnel_drops_total", "counter", "packets dropped, by reason",
		   devs, n, m_drops, NULL);
	daemon_metrics(f, devs, n);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's commands: what s2svpnctl shows of the daemon.
 *
 *   status       per tunnel: phase 1 and 2 state in AWS's words, algorithms,
 *                SPIs, NAT-T, DPD, next rekeys, counters
 *   status -j    the same as one JSON object
 *   show         the active tunnel, why, and the failover history
 *   metrics      the daemon's Prometheus metrics (s2svpnctl metrics adds
 *                the kernel's)
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "daemon.h"

/* AWS's words for a phase: Established, Rekeying, Negotiating, Down. */
static const char *aws_state(const struct tunnel *t, const struct ike_sa_info *in, bool phase2)
{
	const char *s = iked_phase_state(t, phase2);

	if (!strcmp(s, "established"))
		return t->sa && in->rekeying ? "Rekeying" : "Established";
	return !strcmp(s, "down") ? "Down" : "Negotiating";
}

/* Seconds from the SA clock's NOW to AT, or -1 if nothing is planned. */
static long long secs_until(uint64_t at, uint64_t now)
{
	if (!at)
		return -1;
	return at > now ? (long long)((at - now + 999) / 1000) : 0;
}

static void spi_hex(const uint8_t *spi, char *buf)
{
	for (int i = 0; i < IKE_SPI_LEN; i++)
		sprintf(buf + 2 * i, "%02x", spi[i]);
}

static uint16_t peer_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

static const char *dpd_action_name(enum ike_config_dpd_action a)
{
	return a == IKE_CONFIG_DPD_RESTART ? "restart" : a == IKE_CONFIG_DPD_NONE ? "none" : "clear";
}

static const char *dpd_state(const struct tunnel *t, const struct ike_sa_info *in)
{
	if (!t->sa || in->state != IKE_SA_ESTABLISHED)
		return "idle";
	return in->dpd_pending ? "probing" : "alive";
}

static void json_str(FILE *out, const char *key, const char *v, bool comma)
{
	fprintf(out, "\"%s\":", key);
	ike_json_str(out, v);
	if (comma)
		fputc(',', out);
}

static void tunnel_json(FILE *out, const struct tunnel *t, const struct ike_sa_info *in,
			uint64_t now, int active)
{
	char spi_i[2 * IKE_SPI_LEN + 1] = "", spi_r[2 * IKE_SPI_LEN + 1] = "";

	if (in->ike_alg[0]) {
		spi_hex(in->spi_i, spi_i);
		spi_hex(in->spi_r, spi_r);
	}
	fprintf(out, "{\"tunnel\":%d,", t->id + 1);
	json_str(out, "outside_ip", t->outside, true);
	fprintf(out, "\"active\":%s,", active == t->id ? "true" : "false");
	json_str(out, "phase1", aws_state(t, in, false), true);
	json_str(out, "phase2", aws_state(t, in, true), true);
	/* The fields s2svpnctl had before: kept for scripts. */
	json_str(out, "phase1_state", iked_phase_state(t, false), true);
	json_str(out, "phase2_state", iked_phase_state(t, true), true);
	fprintf(out, "\"initiator\":%s,", in->initiator ? "true" : "false");
	json_str(out, "ike_spi_i", spi_i, true);
	json_str(out, "ike_spi_r", spi_r, true);
	json_str(out, "ike_proposal", in->ike_alg, true);
	json_str(out, "esp_proposal", in->child_alg, true);
	fprintf(out, "\"spi_in\":%" PRIu32 ",\"spi_out\":%" PRIu32 ",", in->spi_in, in->spi_out);
	fprintf(out, "\"ike_rekey_in\":%lld,\"child_rekey_in\":%lld,",
		secs_until(in->ike_rekey_at, now), secs_until(in->child_rekey_at, now));
	fprintf(out, "\"nat_t\":true,\"peer_port\":%u,", peer_port(&in->remote));
	json_str(out, "dpd_state", dpd_state(t, in), true);
	fprintf(out, "\"dpd_interval\":%u,\"dpd_timeout\":%u,", t->cfg->dpd_interval,
		t->cfg->dpd_timeout);
	json_str(out, "dpd_action", dpd_action_name(t->cfg->dpd_action), true);
	fprintf(out, "\"up_since_ms\":%" PRIu64 ",", t->up_since);
	json_str(out, "last_error", t->last_error, true);
	fprintf(out, "\"established\":%" PRIu64 ",\"child_rekeys\":%" PRIu64 ","
		"\"ike_rekeys\":%" PRIu64 ",\"peer_dead\":%" PRIu64 ",\"ike_failures\":%" PRIu64 "}",
		t->stats.established, t->stats.child_rekeys, t->stats.ike_rekeys,
		t->stats.peer_dead, t->stats.ike_failures);
}

static void duration(char *buf, size_t len, uint64_t ms)
{
	uint64_t s = ms / 1000;

	if (s >= 86400)
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else
		snprintf(buf, len, "%" PRIu64 "s", s);
}

static void tunnel_text(FILE *out, const struct tunnel *t, const struct ike_sa_info *in,
			uint64_t now, int active)
{
	char spi_i[2 * IKE_SPI_LEN + 1], spi_r[2 * IKE_SPI_LEN + 1], up[32];
	long long rk;

	fprintf(out, "tunnel %d: %s%s\n", t->id + 1, t->outside,
		active == t->id ? " (active)" : "");
	fprintf(out, "  phase 1: %s, phase 2: %s\n", aws_state(t, in, false),
		aws_state(t, in, true));
	if (in->ike_alg[0]) {
		spi_hex(in->spi_i, spi_i);
		spi_hex(in->spi_r, spi_r);
		rk = secs_until(in->ike_rekey_at, now);
		fprintf(out, "  IKE SA: %s, SPIs %s_i %s_r, %s", in->initiator ? "initiator" :
			"responder", spi_i, spi_r, in->ike_alg);
		if (rk >= 0)
			fprintf(out, ", rekey in %lld s", rk);
		fputc('\n', out);
	}
	if (in->child) {
		rk = secs_until(in->child_rekey_at, now);
		fprintf(out, "  CHILD SA: %s, SPIs in 0x%08x out 0x%08x", in->child_alg,
			in->spi_in, in->spi_out);
		if (rk >= 0)
			fprintf(out, ", rekey in %lld s", rk);
		fputc('\n', out);
	}
	if (t->sa)
		fprintf(out, "  NAT-T: UDP encapsulation forced, peer port %u%s\n",
			peer_port(&in->remote), peer_port(&in->remote) != 4500 &&
			peer_port(&in->remote) != 500 ? " (NAT in the path)" : "");
	fprintf(out, "  DPD: %s (interval %u s, timeout %u s, action %s)\n", dpd_state(t, in),
		t->cfg->dpd_interval, t->cfg->dpd_timeout, dpd_action_name(t->cfg->dpd_action));
	if (t->up_since) {
		duration(up, sizeof(up), iked_wall_ms() - t->up_since);
		fprintf(out, "  up %s;", up);
	} else {
		fputs("  down;", out);
	}
	fprintf(out, " established %" PRIu64 ", CHILD rekeys %" PRIu64 ", IKE rekeys %" PRIu64
		", peer dead %" PRIu64 ", IKE failures %" PRIu64 "\n", t->stats.established,
		t->stats.child_rekeys, t->stats.ike_rekeys, t->stats.peer_dead,
		t->stats.ike_failures);
	if (t->last_error[0])
		fprintf(out, "  last error: %s\n", t->last_error);
}

static void status(struct daemon *d, FILE *out, bool json)
{
	uint64_t now = iked_now_ms();
	bool first = true;

	if (json) {
		fputc('{', out);
		json_str(out, "connection", d->cfg->name, true);
		json_str(out, "device", d->cfg->device, true);
		fprintf(out, "\"active_tunnel\":%d,", d->fo.active + 1);
		json_str(out, "active_reason", d->fo.why, true);
		fputs("\"tunnels\":[", out);
	} else {
		fprintf(out, "connection %s on %s, active tunnel ", d->cfg->name, d->cfg->device);
		if (d->fo.active >= 0)
			fprintf(out, "%d (%s)\n", d->fo.active + 1, d->fo.why);
		else
			fprintf(out, "none (%s)\n", d->fo.why);
	}
	for (int i = 0; i < IKE_CONFIG_MAX_TUNNELS; i++) {
		const struct tunnel *t = &d->t[i];
		struct ike_sa_info in = { 0 };

		if (!t->present)
			continue;
		if (t->sa)
			ike_sa_info(t->sa, &in);
		if (json) {
			if (!first)
				fputc(',', out);
			tunnel_json(out, t, &in, now, d->fo.active);
		} else {
			tunnel_text(out, t, &in, now, d->fo.active);
		}
		first = false;
	}
	if (json)
		fputs("]}\n", out);
}

static void history(struct daemon *d, FILE *out)
{
	unsigned int n = ike_failover_history_len(&d->fo);

	fprintf(out, "active tunnel: ");
	if (d->fo.active >= 0)
		fprintf(out, "%d (%s)\n", d->fo.active + 1, d->fo.why);
	else
		fprintf(out, "none (%s)\n", d->fo.why);
	fprintf(out, "preferred tunnel: ");
	if (d->fo.preferred >= 0)
		fprintf(out, "%d (failback on)\n", d->fo.preferred + 1);
	else
		fputs("none (traffic stays where it is)\n", out);
	fprintf(out, "failovers: %" PRIu64 ", failbacks: %" PRIu64 "\n", d->fo.failovers,
		d->fo.failbacks);
	if (!n)
		return;
	fputs("history:\n", out);
	for (unsigned int i = 0; i < n; i++) {
		const struct ike_fo_transition *tr = ike_failover_history(&d->fo, i);
		time_t sec = (time_t)(tr->at_ms / 1000);
		char when[32], from[8], to[8];
		struct tm tm;

		gmtime_r(&sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(from, sizeof(from), tr->from >= 0 ? "%d" : "-", tr->from + 1);
		snprintf(to, sizeof(to), tr->to >= 0 ? "%d" : "-", tr->to + 1);
		fprintf(out, "  %s.%03uZ  %-8s  %s -> %s  %s\n", when,
			(unsigned int)(tr->at_ms % 1000), ike_failover_kind_name(tr->kind), from, to,
			tr->reason);
	}
}

static void metric_head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void metrics(struct daemon *d, FILE *out)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} counters[] = {
		{ "s2svpn_tunnel_established_total", "CHILD_SAs brought up from nothing",
		  offsetof(struct tunnel_stats, established) },
		{ "s2svpn_tunnel_child_rekeys_total", "CHILD_SA (phase 2) rekeys completed",
		  offsetof(struct tunnel_stats, child_rekeys) },
		{ "s2svpn_tunnel_ike_rekeys_total", "IKE SA (phase 1) rekeys completed",
		  offsetof(struct tunnel_stats, ike_rekeys) },
		{ "s2svpn_tunnel_dpd_dead_total", "peers declared dead by dead peer detection",
		  offsetof(struct tunnel_stats, peer_dead) },
		{ "s2svpn_tunnel_ike_failures_total", "IKE SAs closed on an error",
		  offsetof(struct tunnel_stats, ike_failures) },
	};
	const char *dev = d->cfg->device;
	int i;

	metric_head(out, "s2svpn_tunnel_ike_up", "gauge",
		    "1 if the tunnel's IKE SA (phase 1) is established");
	for (i = 0; i < IKE_CONFIG_MAX_TUNNELS; i++)
		if (d->t[i].present)
			fprintf(out, "s2svpn_tunnel_ike_up{device=\"%s\",tunnel=\"%d\",outside_ip=\"%s\"} %d\n",
				dev, i + 1, d->t[i].outside,
				!strcmp(iked_phase_state(&d->t[i], false), "established"));
	for (size_t c = 0; c < sizeof(counters) / sizeof(counters[0]); c++) {
		metric_head(out, counters[c].name, "counter", counters[c].help);
		for (i = 0; i < IKE_CONFIG_MAX_TUNNELS; i++) {
			const struct tunnel *t = &d->t[i];
			uint64_t v;

			if (!t->present)
				continue;
			memcpy(&v, (const char *)&t->stats + counters[c].off, sizeof(v));
			fprintf(out, "%s{device=\"%s\",tunnel=\"%d\",outside_ip=\"%s\"} %" PRIu64 "\n",
				counters[c].name, dev, i + 1, t->outside, v);
		}
	}
	metric_head(out, "s2svpn_active_tunnel", "gauge",
		    "the tunnel carrying traffic (1 or 2; 0 before any is up)");
	fprintf(out, "s2svpn_active_tunnel{device=\"%s\"} %d\n", dev, d->fo.active + 1);
	metric_head(out, "s2svpn_failovers_total", "counter",
		    "switches away from an active tunnel that went down");
	fprintf(out, "s2svpn_failovers_total{device=\"%s\"} %" PRIu64 "\n", dev, d->fo.failovers);
	metric_head(out, "s2svpn_failbacks_total", "counter",
		    "switches back to the preferred tunnel");
	fprintf(out, "s2svpn_failbacks_total{device=\"%s\"} %" PRIu64 "\n", dev, d->fo.failbacks);
}

static int cmd_status(const char *args, FILE *out, void *data)
{
	if (*args && strcmp(args, "-j")) {
		fprintf(out, "error: status takes -j (JSON) or nothing, not \"%.64s\"\n", args);
		return -1;
	}
	status(data, out, *args != '\0');
	return 0;
}

static int cmd_show(const char *args, FILE *out, void *data)
{
	if (*args) {
		fputs("error: show takes no arguments\n", out);
		return -1;
	}
	history(data, out);
	return 0;
}

static int cmd_metrics(const char *args, FILE *out, void *data)
{
	if (*args) {
		fputs("error: metrics takes no arguments\n", out);
		return -1;
	}
	metrics(data, out);
	return 0;
}

/* The control socket's commands; all of them only read, for now. */
const struct ike_control_cmd iked_commands[] = {
	{ "status", IKE_CONTROL_READ, cmd_status, "status [-j]" },
	{ "show", IKE_CONTROL_READ, cmd_show, "show" },
	{ "metrics", IKE_CONTROL_READ, cmd_metrics, "metrics" },
	{ NULL, IKE_CONTROL_READ, NULL, NULL },
};

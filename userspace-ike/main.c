// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn-iked: the IKEv2 daemon of s2svpn.
 *
 * One process serves one connection file (one s2svpn device, up to two
 * tunnels). The libevent loop joins the pieces: the UDP sockets (net.c),
 * the IKE SA state machine (ike_sa.c), the kernel (kernel.c), the log and
 * the control socket. The state machine owns the protocol; this file owns
 * the clock, the sockets, the kernel and the policy around them (when to
 * start, when to probe, what to do with a dead peer).
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <event2/event.h>
#include <openssl/crypto.h>

#include "config.h"
#include "control.h"
#include "daemon.h"
#include "ike_sa.h"
#include "kernel.h"
#include "log.h"
#include "net.h"
#include "notify.h"
#include "s2svpnctl.h"

#define IKED_VERSION		"0.1.0"
#define IKED_TICK_MS		100
#define IKED_RESTART_MS		1000	/* first re-initiation after a failure */
#define IKED_BACKOFF_MAX_MS	60000	/* longest wait between re-initiations */

static uint64_t clock_ms(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t iked_now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

uint64_t iked_wall_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

#define now_ms iked_now_ms

static uint16_t sa_port(const struct sockaddr *sa)
{
	return ntohs(sa->sa_family == AF_INET ? ((const struct sockaddr_in *)sa)->sin_port :
						((const struct sockaddr_in6 *)sa)->sin6_port);
}

static bool same_host(const struct sockaddr *a, const struct sockaddr_storage *b)
{
	if (a->sa_family != b->ss_family)
		return false;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		       &((const struct sockaddr_in6 *)b)->sin6_addr, 16);
}

const char *iked_phase_state(const struct tunnel *t, bool phase2)
{
	enum ike_sa_state s = t->sa ? ike_sa_state(t->sa) : IKE_SA_CLOSED;

	if (phase2)
		return t->child_up ? "established" : s == IKE_SA_CLOSED ? "down" : "negotiating";
	switch (s) {
	case IKE_SA_ESTABLISHED:
		return "established";
	case IKE_SA_CLOSED:
	case IKE_SA_DELETING:
		return "down";
	default:
		return "negotiating";
	}
}

static void tlog(struct tunnel *t, enum ike_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void tlog(struct tunnel *t, enum ike_log_level level, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t->lctx.phase1 = iked_phase_state(t, false);
	t->lctx.phase2 = iked_phase_state(t, true);
	ike_log(&t->d->log, level, &t->lctx, "%s", msg);
}

/* ---- the state machine's side ---------------------------------------- */

static int op_send(void *ctx, struct ike_sa *sa, const uint8_t *msg, size_t len,
		   const struct sockaddr *src, const struct sockaddr *dst)
{
	struct tunnel *t = ctx;
	char err[256];

	(void)sa;
	(void)src;
	if (ike_net_send(&t->d->net, sa_port(dst) == IKE_NATT_PORT, dst, msg, len,
			 err, sizeof(err)) < 0) {
		tlog(t, IKE_LOG_WARNING, "%s", err);
		return -1;
	}
	return 0;
}

static int op_child_install(void *ctx, struct ike_sa *sa, const struct ike_sa_child_sa *c)
{
	struct tunnel *t = ctx;
	struct daemon *d = t->d;
	struct ike_kernel_sa ks = {
		.tunnel = t->id,
		.inbound = c->dir == IKE_SA_DIR_IN,
		.spi = c->spi,
		.encr = c->encr,
		.integ = c->integ,
		.esn = c->esn,
		.replay_window = t->cfg->replay_window,
		.hard_bytes = t->cfg->phase2.lifetime_bytes,
		.hard_packets = t->cfg->phase2.lifetime_packets,
	};
	char err[512];

	(void)sa;
	/* The kernel's soft expiry starts a CHILD rekey (on_kernel_event()). */
	ks.soft_bytes = ks.hard_bytes - ks.hard_bytes / 10;
	ks.soft_packets = ks.hard_packets - ks.hard_packets / 10;
	if (ike_kernel_alg(c->alg.encr, c->alg.encr_keybits, c->alg.integ, &ks.alg) < 0) {
		tlog(t, IKE_LOG_ERR, "negotiated ESP transform %u/%u/%u unsupported by the kernel",
		     c->alg.encr, c->alg.encr_keybits, c->alg.integ);
		return -1;
	}
	/* The peer's address and port as the exchange found them (NAT-T). */
	if (c->dir == IKE_SA_DIR_OUT &&
	    ike_kernel_tunnel_set(d->k, d->ifindex, t->id, (const struct sockaddr *)&c->src,
				  (const struct sockaddr *)&c->dst, d->net.fd_natt,
				  t->cfg->inside4.set ? &t->cfg->inside4.peer.v4 : NULL,
				  t->cfg->inside6.set ? &t->cfg->inside6.peer.v6 : NULL,
				  err, sizeof(err)) < 0) {
		tlog(t, IKE_LOG_ERR, "%s", err);
		return -1;
	}
	if (ike_kernel_sa_add(d->k, d->ifindex, &ks, err, sizeof(err)) < 0) {
		tlog(t, IKE_LOG_ERR, "%s", err);
		return -1;
	}
	tlog(t, IKE_LOG_INFO, "installed %s SA 0x%08x (%s)", ks.inbound ? "inbound" : "outbound",
	     c->spi, ks.alg.name);
	return 0;
}

static int op_child_remove(void *ctx, struct ike_sa *sa, uint32_t spi, enum ike_sa_dir dir)
{
	struct tunnel *t = ctx;
	char err[512];

	(void)sa;
	if (ike_kernel_sa_del(t->d->k, t->d->ifindex, t->id, dir == IKE_SA_DIR_IN, spi,
			      err, sizeof(err)) < 0) {
		/* The kernel may have expired it already: not fatal. */
		tlog(t, IKE_LOG_INFO, "%s", err);
		return 0;
	}
	tlog(t, IKE_LOG_INFO, "removed %s SA 0x%08x", dir == IKE_SA_DIR_IN ? "inbound" : "outbound",
	     spi);
	return 0;
}

static void op_log(void *ctx, struct ike_sa *sa, int level, const char *fmt, va_list ap)
{
	struct tunnel *t = ctx;
	enum ike_log_level l = level <= LOG_ERR ? IKE_LOG_ERR :
			       level >= LOG_DEBUG ? IKE_LOG_DEBUG :
			       (enum ike_log_level)(level - LOG_ERR);
	char msg[768];

	(void)sa;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	tlog(t, l, "%s", msg);
}

/*
 * Static routing: the remote prefixes are routed via the device while at
 * least one tunnel is up, so that with none up traffic falls back to
 * whatever else the routing table offers instead of a dead device.
 */
static void routes_update(struct daemon *d)
{
	const struct ike_config_routes *r = &d->cfg->routes;
	bool want = false, all = true;
	char err[256];
	unsigned int i;

	for (i = 0; i < IKE_CONFIG_MAX_TUNNELS; i++)
		want |= d->t[i].child_up;
	if (!r->n || want == d->routes_installed)
		return;
	for (i = 0; i < r->n; i++) {
		const struct ike_config_prefix *p = &r->v[i];
		char net[INET6_ADDRSTRLEN];

		inet_ntop(p->addr.family, &p->addr.v6, net, sizeof(net));
		if (ike_kernel_route(d->k, d->ifindex, p->addr.family, &p->addr.v6, p->len,
				     d->cfg->route_metric, want, err, sizeof(err)) < 0) {
			ike_log(&d->log, IKE_LOG_WARNING, NULL, "route %s/%u: %s; retrying",
				net, p->len, err);
			all = false;
		} else {
			ike_log(&d->log, IKE_LOG_INFO, NULL, "route %s/%u via %s %s", net,
				p->len, d->cfg->device, want ? "installed" : "withdrawn");
		}
	}
	/*
	 * Adding replaces and deleting a missing route succeeds, so after a
	 * failure the whole list is simply tried again on the next tick.
	 */
	if (all)
		d->routes_installed = want;
}

/* Tunnel T came up or went down: move traffic if that calls for it. */
static void tunnel_health(struct tunnel *t, bool up, const char *detail)
{
	struct daemon *d = t->d;
	const struct ike_fo_transition *tr;
	char err[256];

	t->child_up = up;
	t->up_since = up ? iked_wall_ms() : 0;
	tr = ike_failover_update(&d->fo, t->id, up, detail, iked_wall_ms());
	if (tr) {
		enum ike_log_level lvl = tr->kind == IKE_FO_FAILOVER || tr->kind == IKE_FO_ALL_DOWN ?
					 IKE_LOG_WARNING : IKE_LOG_NOTICE;

		if (tr->to >= 0 &&
		    ike_kernel_active_tunnel(d->k, d->ifindex, (uint8_t)tr->to, err, sizeof(err)) < 0)
			tlog(t, IKE_LOG_ERR, "cannot make tunnel %d active: %s", tr->to + 1, err);
		else if (tr->to >= 0)
			tlog(&d->t[tr->to], lvl, "%s: tunnel %d active (%s)",
			     ike_failover_kind_name(tr->kind), tr->to + 1, tr->reason);
		else
			tlog(t, lvl, "no tunnel up: %s", tr->reason);
	}
	routes_update(d);
}

static const char *const fail_names[] = {
	[IKE_SA_FAIL_NONE] = "deleted",
	[IKE_SA_FAIL_TIMEOUT] = "no answer from the peer",
	[IKE_SA_FAIL_NO_PROPOSAL] = "no proposal chosen (compare phase 1/2 algorithms)",
	[IKE_SA_FAIL_INVALID_KE] = "no common Diffie-Hellman group",
	[IKE_SA_FAIL_AUTH] = "authentication failed (check the PSK and identities)",
	[IKE_SA_FAIL_PEER_DEAD] = "peer dead (DPD)",
	[IKE_SA_FAIL_DELETED] = "deleted by the peer",
	[IKE_SA_FAIL_PROTOCOL] = "protocol error",
	[IKE_SA_FAIL_INTERNAL] = "internal error",
	[IKE_SA_FAIL_REPLACED] = "replaced by the peer's new IKE SA",
};

/* ---- half-open IKE SAs the peer started (RFC 7296 2.4, 2.6) ---------- */

static const char *addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const void *a = ss->ss_family == AF_INET ?
			(const void *)&((const struct sockaddr_in *)ss)->sin_addr :
			(const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
	char host[INET6_ADDRSTRLEN] = "?";

	inet_ntop(ss->ss_family, a, host, sizeof(host));
	snprintf(buf, len, "%s:%u", host, sa_port((const struct sockaddr *)ss));
	return buf;
}

static int half_open_index(const struct tunnel *t, const struct ike_sa *sa)
{
	for (int i = 0; i < IKED_HALF_OPEN_PER_TUNNEL; i++)
		if (sa && t->half[i] == sa)
			return i;
	return -1;
}

static void half_open_remove(struct tunnel *t, int i)
{
	memmove(&t->half[i], &t->half[i + 1],
		(size_t)(IKED_HALF_OPEN_PER_TUNNEL - i - 1) * sizeof(t->half[0]));
	t->half[IKED_HALF_OPEN_PER_TUNNEL - 1] = NULL;
}

/*
 * Keep SA, a new IKE SA the peer's address started, beside the one in use:
 * unauthenticated, it must not touch it. The oldest goes if all slots are
 * taken (cookies keep spoofed ones from filling them, ike_cookie.c).
 */
static void half_open_add(struct tunnel *t, struct ike_sa *sa)
{
	struct ike_sa_info info;
	char from[INET6_ADDRSTRLEN + 8];
	int n;

	if (t->half[IKED_HALF_OPEN_PER_TUNNEL - 1]) {
		t->stats.half_open_dropped++;
		tlog(t, IKE_LOG_WARNING, "too many half-open IKE SAs: dropping the oldest "
		     "(%" PRIu64 " dropped so far)", t->stats.half_open_dropped);
		ike_sa_free(t->half[0]);
		half_open_remove(t, 0);
	}
	for (n = 0; n < IKED_HALF_OPEN_PER_TUNNEL && t->half[n]; n++)
		;
	t->half[n] = sa;
	ike_sa_info(sa, &info);
	tlog(t, IKE_LOG_INFO, "half-open IKE SA from %s kept beside the %s one "
	     "(tunnel %d, half-open %d, in all %u, cookies sent %" PRIu64 ")",
	     addr_str(&info.remote, from, sizeof(from)),
	     t->sa ? ike_sa_state_name(ike_sa_state(t->sa)) : "no", t->id + 1, n + 1,
	     ike_sa_table_half_open(&t->d->table), t->d->table.cookies_sent);
}

/*
 * A half-open SA authenticated (IKE_AUTH verified): the peer restarted or
 * started over, and it replaces the one in use, whose CHILD_SAs leave the
 * kernel before the new one installs its own. Called from the new SA's
 * callback: only the old one is freed here. No tunnel-down report: traffic
 * moves to the new CHILD_SA.
 */
static void half_open_promote(struct tunnel *t, struct ike_sa *sa)
{
	int i = half_open_index(t, sa);
	struct ike_sa *old = t->sa;

	if (i < 0)
		return;
	half_open_remove(t, i);
	t->sa = sa;
	t->restart_at = 0;
	if (!old)
		return;
	t->stats.replaced++;
	tlog(t, IKE_LOG_NOTICE, "the peer authenticated a new IKE SA: replacing the %s one",
	     ike_sa_state_name(ike_sa_state(old)));
	ike_sa_replace(old, now_ms());
	ike_sa_free(old);
}

/* Free the half-open SAs that closed (timed out, failed to authenticate). */
static void half_open_reap(struct tunnel *t, uint64_t now)
{
	for (int i = 0; i < IKED_HALF_OPEN_PER_TUNNEL && t->half[i];) {
		struct ike_sa *sa = t->half[i];

		if (ike_sa_state(sa) != IKE_SA_CLOSED) {
			i++;
			continue;
		}
		tlog(t, IKE_LOG_INFO, "half-open IKE SA closed: %s",
		     fail_names[ike_sa_failure(sa)]);
		half_open_remove(t, i);
		ike_sa_free(sa);
		/* The peer's attempt replaced ours and failed: start again. */
		if (!t->sa && !t->restart_at && !t->d->stopping &&
		    t->cfg->startup_action == IKE_CONFIG_START)
			t->restart_at = now + IKED_RESTART_MS;
	}
}

static void half_open_timer(struct tunnel *t, uint64_t now)
{
	for (int i = 0; i < IKED_HALF_OPEN_PER_TUNNEL && t->half[i]; i++)
		if (ike_sa_next_timer(t->half[i]) <= now)
			ike_sa_timer(t->half[i], now);
	half_open_reap(t, now);
}

static void half_open_free_all(struct tunnel *t)
{
	for (int i = 0; i < IKED_HALF_OPEN_PER_TUNNEL; i++) {
		ike_sa_free(t->half[i]);
		t->half[i] = NULL;
	}
}

static void op_event(void *ctx, struct ike_sa *sa, enum ike_sa_event ev)
{
	struct tunnel *t = ctx;

	switch (ev) {
	case IKE_SA_EV_STATE:
		tlog(t, IKE_LOG_INFO, "IKE SA %s", ike_sa_state_name(ike_sa_state(sa)));
		if (ike_sa_state(sa) == IKE_SA_ESTABLISHED && sa != t->sa)
			half_open_promote(t, sa);
		break;
	case IKE_SA_EV_CHILD_UP:
		if (t->child_up) {
			t->stats.child_rekeys++;
			tlog(t, IKE_LOG_INFO, "CHILD_SA rekeyed");
			break;
		}
		t->stats.established++;
		t->backoff_ms = 0;
		t->last_error[0] = '\0';
		tlog(t, IKE_LOG_NOTICE, "tunnel up");
		tunnel_health(t, true, NULL);
		break;
	case IKE_SA_EV_CHILD_DOWN:
		if (sa != t->sa)
			break;	/* an SA being replaced: its successor carries on */
		tlog(t, IKE_LOG_NOTICE, "tunnel down");
		tunnel_health(t, false, "CHILD_SA deleted");
		break;
	case IKE_SA_EV_IKE_REKEYED:
		t->stats.ike_rekeys++;
		tlog(t, IKE_LOG_INFO, "IKE SA rekeyed");
		break;
	case IKE_SA_EV_PEER_DEAD:
		t->stats.peer_dead++;	/* the state machine logged it */
		break;
	case IKE_SA_EV_INITIAL_CONTACT:
		tlog(t, IKE_LOG_INFO, "peer sent INITIAL_CONTACT");
		break;
	case IKE_SA_EV_PEER_PROBE:
		t->probe_asked = true;	/* tunnel_probe() decides, on the next tick */
		break;
	}
}

static const struct ike_sa_ops iked_ops = {
	.send = op_send,
	.child_install = op_child_install,
	.child_remove = op_child_remove,
	.log = op_log,
	.event = op_event,
};


static void tunnel_initiate(struct tunnel *t, uint64_t now)
{
	t->restart_at = 0;
	t->sa = ike_sa_initiate(&t->d->table, &t->p, &iked_ops, t, now);
	if (!t->sa) {
		tlog(t, IKE_LOG_ERR, "cannot start IKE; retrying in %u s", IKED_RESTART_MS / 1000);
		t->restart_at = now + IKED_RESTART_MS;
		return;
	}
	tlog(t, IKE_LOG_INFO, "initiating IKE_SA_INIT to %s", t->outside);
}

/* Free a closed SA and decide what comes next. */
static void tunnel_reap(struct tunnel *t, uint64_t now)
{
	enum ike_sa_fail why;
	const char *reason;

	if (!t->sa || ike_sa_state(t->sa) != IKE_SA_CLOSED)
		return;
	why = ike_sa_failure(t->sa);
	reason = why < sizeof(fail_names) / sizeof(fail_names[0]) ? fail_names[why] : "?";
	ike_sa_free(t->sa);
	t->sa = NULL;
	tlog(t, why == IKE_SA_FAIL_NONE ? IKE_LOG_NOTICE : IKE_LOG_WARNING, "IKE SA closed: %s",
	     reason);
	if (why != IKE_SA_FAIL_NONE) {
		t->stats.ike_failures++;
		snprintf(t->last_error, sizeof(t->last_error), "%s", reason);
	}
	if (t->child_up)
		tunnel_health(t, false, reason);
	if (t->d->stopping)
		return;
	if (t->cfg->startup_action == IKE_CONFIG_START ||
	    (why == IKE_SA_FAIL_PEER_DEAD && t->cfg->dpd_action == IKE_CONFIG_DPD_RESTART)) {
		/* Back off while the peer stays unreachable: 1, 2, 4 ... 60 s. */
		t->backoff_ms = t->backoff_ms ? t->backoff_ms * 2 : IKED_RESTART_MS;
		if (t->backoff_ms > IKED_BACKOFF_MAX_MS)
			t->backoff_ms = IKED_BACKOFF_MAX_MS;
		t->restart_at = now + t->backoff_ms;
		tlog(t, IKE_LOG_INFO, "initiating again in %u ms", t->backoff_ms);
	}
}

/* ---- the event loop's side -------------------------------------------- */

static struct tunnel *tunnel_of_sa(struct daemon *d, struct ike_sa *sa)
{
	int i;

	for (i = 0; i < IKE_CONFIG_MAX_TUNNELS; i++)
		if (d->t[i].present && (d->t[i].sa == sa || half_open_index(&d->t[i], sa) >= 0))
			return &d->t[i];
	return NULL;
}

static void handle_ike(struct daemon *d, const struct ike_net_pkt *pkt)
{
	const struct sockaddr *from = (const struct sockaddr *)&pkt->from;
	const struct sockaddr *to = (const struct sockaddr *)&pkt->to;
	uint64_t now = now_ms();
	struct ike_sa *sa, *fresh;
	struct tunnel *t;
	int i;

	sa = ike_sa_lookup(&d->table, d->buf, pkt->len, from);
	if (sa) {
		t = tunnel_of_sa(d, sa);
		if (t) {
			ike_sa_receive(sa, d->buf, pkt->len, from, to, now);
			tunnel_reap(t, now);
			half_open_reap(t, now);
		}
		return;
	}
	/* Exiting: nothing that would create state (an IKE_SA_INIT). */
	if (d->stopping) {
		ike_log(&d->log, IKE_LOG_INFO, NULL, "IKE_SA_INIT dropped: shutting down");
		return;
	}
	/* A new IKE_SA_INIT: the tunnel whose peer sent it answers. */
	for (i = 0; i < IKE_CONFIG_MAX_TUNNELS; i++) {
		t = &d->t[i];
		if (!t->present || !same_host(from, &t->p.remote))
			continue;
		if (ike_sa_accept(&d->table, &t->p, &iked_ops, t, d->buf, pkt->len, from, to,
				  now, &fresh) != IKE_SA_OK)
			return;
		if (t->sa && ike_sa_state(t->sa) != IKE_SA_ESTABLISHED &&
		    ike_sa_is_initiator(t->sa)) {
			/* Both started at once: ours, unauthenticated, yields. */
			tlog(t, IKE_LOG_NOTICE, "peer initiated a new IKE SA; dropping ours");
			ike_sa_free(t->sa);
			t->sa = NULL;
		}
		/* Unauthenticated: it replaces nothing until IKE_AUTH (F1). */
		half_open_add(t, fresh);
		t->restart_at = 0;
		return;
	}
}

static void on_udp(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	struct ike_net_pkt pkt;
	char err[256];

	(void)what;
	for (;;) {
		if (ike_net_recv(&d->net, fd, d->buf, sizeof(d->buf), &pkt, err, sizeof(err)) < 0) {
			ike_log(&d->log, IKE_LOG_WARNING, NULL, "%s", err);
			return;
		}
		if (pkt.kind == IKE_NET_NONE)
			return;
		if (pkt.kind == IKE_NET_IKE)
			handle_ike(d, &pkt);
	}
}

static void on_kernel_event(const struct ike_kernel_event *ev, void *data)
{
	struct daemon *d = data;
	struct tunnel *t;

	if (ev->ifindex != d->ifindex || ev->tunnel >= IKE_CONFIG_MAX_TUNNELS)
		return;
	t = &d->t[ev->tunnel];
	if (!t->present)
		return;
	switch (ev->kind) {
	case IKE_KERNEL_SA_EXPIRE:
		tlog(t, IKE_LOG_INFO, "kernel: SA 0x%08x reached its %s limit", ev->spi,
		     ev->hard ? "hard" : "soft");
		if (t->sa && !ev->hard)
			ike_sa_rekey_child(t->sa, 0, now_ms());
		break;
	case IKE_KERNEL_SOCK_DETACH:
		tlog(t, IKE_LOG_WARNING, "kernel: tunnel lost its socket");
		break;
	case IKE_KERNEL_TUNNEL_STATE:
		tlog(t, IKE_LOG_INFO, "kernel: tunnel %s", ev->usable ? "usable" : "unusable");
		break;
	}
}

static void on_kernel(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	char err[256];

	(void)fd;
	(void)what;
	if (ike_kernel_events_read(d->k, on_kernel_event, d, err, sizeof(err)) < 0)
		ike_log(&d->log, IKE_LOG_WARNING, NULL, "%s", err);
}

/*
 * Liveness: probe an established tunnel that received nothing for a DPD
 * interval. ESP the kernel authenticated counts as hearing from the peer,
 * so a busy tunnel needs no probes. Its rx counter is read every tenth of
 * dpd_interval (at least a tick apart, at most 1 s), and always on the tick
 * a probe falls due: a silent tunnel is probed between dpd_interval and
 * 1.1 dpd_interval after its last packet, without a netlink request every
 * tick.
 */
static uint64_t rx_read_every(const struct tunnel *t)
{
	uint64_t ms = (uint64_t)t->cfg->dpd_interval * 100;

	return ms < IKED_TICK_MS ? IKED_TICK_MS : ms > 1000 ? 1000 : ms;
}

static bool tunnel_wants_rx(const struct tunnel *t, uint64_t read_at, uint64_t now)
{
	uint64_t interval = (uint64_t)t->cfg->dpd_interval * 1000;

	if (!t->present || !t->sa || ike_sa_state(t->sa) != IKE_SA_ESTABLISHED)
		return false;
	if (now - read_at >= rx_read_every(t))
		return true;
	return now - t->last_heard >= interval && now - t->last_probe >= interval;
}

/*
 * RX: the counters read this tick, or NULL. on_tick() reads them whenever a
 * probe is due (tunnel_wants_rx()), so NULL on a due tick means the read
 * failed, and DPD probes on its own.
 */
static void tunnel_probe(struct tunnel *t, const uint64_t *rx, uint64_t now)
{
	uint64_t interval = (uint64_t)t->cfg->dpd_interval * 1000;

	if (rx && rx[t->id] != t->rx_packets) {
		t->rx_packets = rx[t->id];
		t->last_heard = now;
	}
	if (!t->sa || ike_sa_state(t->sa) != IKE_SA_ESTABLISHED) {
		t->last_heard = now;
		t->probe_asked = false;
		return;
	}
	/*
	 * The peer checks our liveness: it has heard nothing from us for its
	 * DPD interval. If we did not check it within ours, because its
	 * traffic keeps arriving, it may be our packets that are lost (a
	 * one-way failure): check now, rather than after the peer gave up and
	 * its traffic stopped, which would double the outage.
	 */
	if (t->probe_asked) {
		t->probe_asked = false;
		if (now - t->last_probe >= interval) {
			tlog(t, IKE_LOG_INFO,
			     "peer checked our liveness: checking that our packets reach it");
			t->last_probe = now;
			ike_sa_dpd(t->sa, now);
			return;
		}
	}
	if (now - t->last_heard < interval || now - t->last_probe < interval)
		return;
	t->last_probe = now;
	ike_sa_dpd(t->sa, now);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	uint64_t now = now_ms(), rx[IKE_CONFIG_MAX_TUNNELS];
	bool want_rx = false, have_rx = false;
	char err[256];
	int i;

	(void)fd;
	(void)what;
	for (i = 0; i < IKE_CONFIG_MAX_TUNNELS; i++)
		want_rx |= tunnel_wants_rx(&d->t[i], d->rx_read, now);
	if (want_rx) {
		have_rx = ike_kernel_rx_packets(d->k, d->ifindex, rx, err, sizeof(err)) == 0;
		d->rx_read = now;
		/* Without the counters DPD still works, by probing every interval. */
		if (!have_rx && !d->rx_warned)
			ike_log(&d->log, IKE_LOG_WARNING, NULL, "%s; probing by DPD alone", err);
		d->rx_warned = !have_rx;
	}
	routes_update(d);
	for (i = 0; i < IKE_CONFIG_MAX_TUNNELS; i++) {
		struct tunnel *t = &d->t[i];

		if (!t->present)
			continue;
		if (t->sa && ike_sa_next_timer(t->sa) <= now)
			ike_sa_timer(t->sa, now);
		half_open_timer(t, now);
		tunnel_probe(t, have_rx ? rx : NULL, now);
		tunnel_reap(t, now);
		if (!t->sa && t->restart_at && now >= t->restart_at && !d->stopping)
			tunnel_initiate(t, now);
	}
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	struct timeval grace = { 0, 500000 };
	int i;

	(void)what;
	ike_log(&d->log, IKE_LOG_NOTICE, NULL, "%s: deleting the SAs and exiting",
		strsignal((int)sig));
	d->stopping = true;
	iked_notify_stopping();
	/*
	 * From here on nothing creates state (handle_ike() drops IKE_SA_INIT,
	 * a DELETING SA refuses CREATE_CHILD_SA) and every CHILD_SA leaves the
	 * kernel now; the DELETEs get the grace period to be answered.
	 */
	for (i = 0; i < IKE_CONFIG_MAX_TUNNELS; i++) {
		half_open_free_all(&d->t[i]);
		ike_sa_shutdown(d->t[i].sa, now_ms());
	}
	event_base_loopexit(d->base, &grace);
}

/* ---- setup ------------------------------------------------------------ */

static void addr_to_sockaddr(const struct ike_config_addr *a, uint16_t port,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_addr = a->v4;
		s->sin_port = htons(port);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_addr = a->v6;
		s->sin6_port = htons(port);
	}
}

static int daemon_setup(struct daemon *d, char *err, size_t errlen)
{
	struct ike_kernel_inside inside[2 * IKE_CONFIG_MAX_TUNNELS] = { 0 };
	struct sockaddr_storage local, remote;
	size_t n_inside = 0;
	int i;

	/* First: a bad control directory stops the daemon before it changes anything. */
	d->control_fd = ike_control_listen(d->control_path, d->user.uid, d->user.ctl_gid,
					   err, errlen);
	if (d->control_fd < 0)
		return -1;
	d->k = ike_kernel_open(err, errlen);
	if (!d->k)
		return -1;
	for (i = 0; i < IKE_CONFIG_MAX_TUNNELS; i++) {
		const struct ike_config_tunnel *ct = &d->cfg->tunnel[i];
		const struct ike_config_inside *ins[2] = { &ct->inside4, &ct->inside6 };
		int j;

		if (!ct->present)
			continue;
		for (j = 0; j < 2; j++) {
			if (!ins[j]->set)
				continue;
			inside[n_inside].family = ins[j]->local.family;
			memcpy(inside[n_inside].local, &ins[j]->local.v6,
			       ins[j]->local.family == AF_INET ? 4 : 16);
			inside[n_inside].prefix = ins[j]->prefix_len;
			n_inside++;
		}
	}
	if (ike_kernel_dev_setup(d->k, d->cfg->device, d->cfg->mtu, (uint16_t)d->cfg->mss_clamp,
				 inside, n_inside, &d->ifindex, err, errlen) < 0)
		return -1;

	addr_to_sockaddr(&d->cfg->local_address, 0, &local);
	if (ike_net_open(&d->net, (struct sockaddr *)&local, IKE_PORT, IKE_NATT_PORT,
			 err, errlen) < 0)
		return -1;
	if (ike_sa_table_init(&d->table) < 0) {
		snprintf(err, errlen, "cannot initialize the IKE SA table");
		return -1;
	}
	d->table.cookie_threshold = IKED_COOKIE_THRESHOLD;
	d->table.cookie_per_source = IKED_COOKIE_PER_SOURCE;
	d->table.half_open_max = IKED_HALF_OPEN_MAX;

	for (i = 0; i < IKE_CONFIG_MAX_TUNNELS; i++) {
		struct tunnel *t = &d->t[i];
		const struct ike_config_tunnel *ct = &d->cfg->tunnel[i];
		char sub[512];

		t->d = d;
		t->id = (uint8_t)i;
		if (!ct->present)
			continue;
		t->present = true;
		t->cfg = ct;
		inet_ntop(ct->outside.family, &ct->outside.v6, t->outside, sizeof(t->outside));
		t->lctx = (struct ike_log_ctx){ .conn = d->cfg->name, .tunnel = i + 1,
						.outside_ip = t->outside,
						.dpd_enabled = ct->dpd_action != IKE_CONFIG_DPD_NONE,
						.nat_t_detected = 1 };
		if (ike_sa_params_from_config(d->cfg, (unsigned int)i, &t->p) < 0) {
			snprintf(err, errlen, "tunnel %d: cannot use its configuration", i + 1);
			return -1;
		}
		/* The kernel tunnel exists from the start, on our port-4500 socket. */
		if (ike_kernel_tunnel_del(d->k, d->ifindex, t->id, sub, sizeof(sub)) < 0) {
			snprintf(err, errlen, "%s", sub);
			return -1;
		}
		addr_to_sockaddr(&ct->outside, IKE_NATT_PORT, &remote);
		if (ike_kernel_tunnel_set(d->k, d->ifindex, t->id, (struct sockaddr *)&local,
					  (struct sockaddr *)&remote, d->net.fd_natt,
					  ct->inside4.set ? &ct->inside4.peer.v4 : NULL,
					  ct->inside6.set ? &ct->inside6.peer.v6 : NULL,
					  sub, sizeof(sub)) < 0) {
			snprintf(err, errlen, "%s", sub);
			return -1;
		}
	}
	{
		bool present[IKE_CONFIG_MAX_TUNNELS];

		for (i = 0; i < IKE_CONFIG_MAX_TUNNELS; i++)
			present[i] = d->t[i].present;
		ike_failover_init(&d->fo, d->cfg->preferred_tunnel, present);
	}
	return 0;
}

static void usage(FILE *f)
{
	fputs("NAME\n"
	      "    s2svpn-iked - IKEv2 daemon for s2svpn site-to-site VPN connections\n"
	      "\n"
	      "SYNOPSIS\n"
	      "    s2svpn-iked [OPTIONS] -c FILE\n"
	      "    s2svpn-iked --check -c FILE\n"
	      "\n"
	      "DESCRIPTION\n"
	      "    Negotiates the IPsec SAs of one connection (one s2svpn device, up to\n"
	      "    two tunnels) with IKEv2 and pre-shared keys, installs them in the\n"
	      "    kernel, rekeys them and detects dead peers. FILE describes the\n"
	      "    connection in AWS Site-to-Site VPN terms; see\n"
	      "    s2svpn-iked.conf.example. The daemon runs in the foreground; run it\n"
	      "    under systemd or a supervisor. It needs CAP_NET_ADMIN and\n"
	      "    CAP_NET_BIND_SERVICE (ports 500 and 4500) and the s2svpn module.\n"
	      "    It starts as root: reads FILE, creates the device, binds its ports\n"
	      "    and the control socket, then becomes USER (-u) keeping only\n"
	      "    CAP_NET_ADMIN and CAP_NET_BIND_SERVICE, with no_new_privs.\n"
	      "\n"
	      "OPTIONS\n"
	      "    -c, --config FILE     the connection file (required)\n"
	      "    -n, --check           check FILE, print what is wrong as FILE:LINE:\n"
	      "                          messages, and exit (0: valid)\n"
	      "    -l, --log-level L     error, warning, notice, info (default), debug\n"
	      "    -j, --json            log JSON lines with AWS tunnel-log fields\n"
	      "    -s, --syslog          log to syslog instead of standard error\n"
	      "    -S, --control PATH    control socket (default " IKED_CONTROL_DIR "/DEVICE.sock,\n"
	      "                          where s2svpnctl looks for it)\n"
	      "    -u, --user USER       run as USER once set up (default " IKED_USER " if that\n"
	      "                          user exists, else " IKED_USER_FALLBACK "); -u root keeps uid 0,\n"
	      "                          for debugging\n"
	      "    -h, --help            this manual\n"
	      "    -V, --version         print the version\n"
	      "\n"
	      "TWO TUNNELS\n"
	      "    Both tunnels are kept up. Traffic uses one, the active tunnel: the\n"
	      "    preferred one (preferred_tunnel, default 1) when it is up. When the\n"
	      "    active tunnel dies (DPD, a DELETE, an IKE failure) the other one takes\n"
	      "    over at once, with one netlink call and no route change; the dead\n"
	      "    one is re-initiated in the background (with startup_action = start\n"
	      "    or dpd_action = restart; 1 s, then doubling up to 60 s). Routes\n"
	      "    learned by BGP over a tunnel's inside addresses use that tunnel\n"
	      "    regardless. For detection within seconds set dpd_interval = 1 and\n"
	      "    dpd_timeout = 2 (aggressive DPD): the peer is declared dead at most\n"
	      "    interval + timeout after it fell silent. A tunnel that still hears\n"
	      "    the peer's traffic is checked as soon as the peer checks it (the\n"
	      "    peer has stopped hearing us), so a one-way failure is found in the\n"
	      "    same time.\n"
	      "    With remote_prefixes the daemon routes those networks via the\n"
	      "    device while at least one tunnel is up.\n"
	      "\n"
	      "CONTROL SOCKET\n"
	      "    The directory must be root's (or USER's), not a symbolic link, and\n"
	      "    writable by neither group nor others; a missing one is made 0755.\n"
	      "    The socket is 0660, root's and group " IKED_GROUP "'s if it exists.\n"
	      "    Root and that group may send one line within 5 s (commands that\n"
	      "    change state: root only), and have 5 s more to read the answer;\n"
	      "    16 clients at most at once.\n"
	      "    \"status\" (or \"status -j\" for JSON): per tunnel phase 1 and 2\n"
	      "    state, algorithms, SPIs, NAT-T, DPD,\n"
	      "    next rekeys, counters; \"show\": the active tunnel, why, and the\n"
	      "    failover history; \"metrics\": Prometheus counters. s2svpnctl status,\n"
	      "    show and metrics use it.\n"
	      "\n"
	      "EXIT STATUS\n"
	      "    0 after SIGINT or SIGTERM (the SAs are deleted first) or a valid\n"
	      "    --check; 1 on a configuration or setup error; 2 on a usage error.\n", f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "syslog", no_argument, NULL, 's' },
		{ "control", required_argument, NULL, 'S' },
		{ "user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct ike_config_errors errs = { 0 };
	static struct daemon d;
	struct event *ev[6] = { NULL }, *hup = NULL;
	struct timeval tick = { 0, IKED_TICK_MS * 1000 };
	char control_path[sizeof(IKED_CONTROL_DIR) + IKE_CONFIG_DEVICE_MAX + 8];
	const char *path = NULL, *user = NULL;
	bool check = false;
	char err[512];
	size_t i;
	int c, rc = 1;

	d.log = (struct ike_log){ .stream = stderr, .level = IKE_LOG_INFO };
	d.control_fd = -1;
	d.net.fd_ike = d.net.fd_natt = -1;
	while ((c = getopt_long(argc, argv, "c:nl:jsS:u:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'n':
			check = true;
			break;
		case 'l':
			if (ike_log_level_parse(optarg, &d.log.level) < 0) {
				fprintf(stderr, "s2svpn-iked: unknown log level \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'j':
			d.log.json = true;
			break;
		case 's':
			d.log.syslog = true;
			break;
		case 'S':
			d.control_path = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			puts("s2svpn-iked " IKED_VERSION);
			return 0;
		default:
			fputs("Try 's2svpn-iked --help'.\n", stderr);
			return 2;
		}
	}
	if (!path || optind != argc) {
		fputs("s2svpn-iked: give the connection file with -c FILE (and nothing else)\n"
		      "Try 's2svpn-iked --help'.\n", stderr);
		return 2;
	}
	if (ike_config_load(path, &d.cfg, &errs) < 0) {
		ike_config_errors_print(&errs, stderr);
		ike_config_errors_free(&errs);
		return 1;
	}
	if (check) {
		int n = 0;

		for (i = 0; i < IKE_CONFIG_MAX_TUNNELS; i++)
			n += d.cfg->tunnel[i].present;
		printf("%s: valid: connection %s on %s, %d tunnel%s\n", path, d.cfg->name,
		       d.cfg->device, n, n == 1 ? "" : "s");
		ike_config_free(d.cfg);
		return 0;
	}

	ike_log_open(&d.log, "s2svpn-iked");
	signal(SIGPIPE, SIG_IGN);
	if (!d.control_path) {
		iked_socket_path(d.cfg->device, NULL, control_path, sizeof(control_path));
		d.control_path = control_path;
	}
	if (ike_priv_lookup(user, &d.user, err, sizeof(err)) < 0 ||
	    daemon_setup(&d, err, sizeof(err)) < 0 || ike_priv_drop(&d.user, err, sizeof(err)) < 0) {
		ike_log(&d.log, IKE_LOG_ERR, NULL, "%s", err);
		goto out;
	}
	ike_priv_describe(err, sizeof(err));
	ike_log(&d.log, IKE_LOG_NOTICE, NULL, "%s", err);
	d.base = event_base_new();
	if (!d.base) {
		ike_log(&d.log, IKE_LOG_ERR, NULL, "cannot create the event loop");
		goto out;
	}
	ev[0] = event_new(d.base, d.net.fd_ike, EV_READ | EV_PERSIST, on_udp, &d);
	ev[1] = event_new(d.base, d.net.fd_natt, EV_READ | EV_PERSIST, on_udp, &d);
	ev[2] = event_new(d.base, ike_kernel_events_fd(d.k), EV_READ | EV_PERSIST, on_kernel, &d);
	ev[3] = event_new(d.base, -1, EV_PERSIST, on_tick, &d);
	ev[4] = evsignal_new(d.base, SIGINT, on_signal, &d);
	ev[5] = evsignal_new(d.base, SIGTERM, on_signal, &d);
	d.control = ike_control_new(d.base, d.control_fd, iked_commands, &d, d.user.ctl_gid,
				    NULL, &d.log);
	if (!d.control) {
		ike_log(&d.log, IKE_LOG_ERR, NULL, "cannot serve the control socket %s: out of memory",
			d.control_path);
		goto out;
	}
	for (i = 0; i < 6; i++) {
		if (!ev[i] || event_add(ev[i], i == 3 ? &tick : NULL) < 0) {
			ike_log(&d.log, IKE_LOG_ERR, NULL, "cannot register event %zu", i);
			goto out;
		}
	}
	hup = iked_notify_sighup(d.base, &d.log);
	if (!hup) {
		ike_log(&d.log, IKE_LOG_ERR, NULL, "cannot register SIGHUP");
		goto out;
	}
	ike_log(&d.log, IKE_LOG_NOTICE, NULL, "connection %s on %s ready", d.cfg->name,
		d.cfg->device);
	iked_notify_ready(&d.log, d.cfg->name, d.cfg->device);
	for (i = 0; i < IKE_CONFIG_MAX_TUNNELS; i++)
		if (d.t[i].present && d.t[i].cfg->startup_action == IKE_CONFIG_START)
			tunnel_initiate(&d.t[i], now_ms());
	event_base_dispatch(d.base);
	rc = 0;
out:
	for (i = 0; i < 6; i++)
		if (ev[i])
			event_free(ev[i]);
	if (hup)
		event_free(hup);
	/* ike_sa_free() takes whatever CHILD_SA is left out of the kernel. */
	for (i = 0; i < IKE_CONFIG_MAX_TUNNELS; i++) {
		half_open_free_all(&d.t[i]);
		ike_sa_free(d.t[i].sa);
	}
	ike_sa_table_wipe(&d.table);
	for (i = 0; i < IKE_CONFIG_MAX_TUNNELS; i++)
		OPENSSL_cleanse(&d.t[i].p, sizeof(d.t[i].p));	/* the PSK */
	ike_control_free(d.control);
	ike_control_close(d.control_fd, d.control_fd >= 0 ? d.control_path : NULL);
	ike_net_close(&d.net);
	ike_kernel_close(d.k);
	if (d.base)
		event_base_free(d.base);
	ike_config_free(d.cfg);
	ike_log_close(&d.log);
	return rc;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's own state, shared by main.c (event loop and policy) and
 * status.c (what the control socket answers). Not used by the state
 * machine, which knows nothing of it.
 */
#ifndef S2SVPN_IKED_DAEMON_H
#define S2SVPN_IKED_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>
#include <event2/event.h>

#include "config.h"
#include "control.h"
#include "failover.h"
#include "ike_sa.h"
#include "kernel.h"
#include "log.h"
#include "net.h"
#include "privsep.h"

#define IKED_MSG_MAX		65536
/*
 * Responder IKE SAs the peer's address started, not yet authenticated, kept
 * per tunnel beside the one in use (which they replace only once they
 * authenticate); past this many the oldest goes.
 */
#define IKED_HALF_OPEN_PER_TUNNEL	4
#define IKED_COOKIE_THRESHOLD		16	/* half-open SAs in all: cookies */
#define IKED_COOKIE_PER_SOURCE		2	/* half-open SAs from one address */
#define IKED_HALF_OPEN_MAX		64	/* half-open SAs in all: drop */

struct daemon;

/**
 * struct tunnel_stats - what happened to a tunnel since the daemon started
 * @established: CHILD_SAs brought up from nothing (IKE_AUTH)
 * @child_rekeys: CHILD_SA rekeys completed
 * @ike_rekeys: IKE SA rekeys completed
 * @peer_dead: peers declared dead by DPD
 * @ike_failures: IKE SAs that closed on an error
 * @half_open_dropped: half-open IKE SAs dropped to make room for newer ones
 * @replaced: IKE SAs replaced by a newer authenticated one of the peer
 */
struct tunnel_stats {
	uint64_t established;
	uint64_t child_rekeys;
	uint64_t ike_rekeys;
	uint64_t peer_dead;
	uint64_t ike_failures;
	uint64_t half_open_dropped;
	uint64_t replaced;
};

/**
 * struct tunnel - one tunnel of the connection
 * @d: the daemon
 * @id: kernel tunnel id (0 or 1; AWS calls it tunnel id + 1)
 * @present: configured
 * @cfg: its part of the connection file
 * @p: IKE SA parameters derived from it
 * @sa: the IKE SA, or NULL
 * @half: responder IKE SAs the peer started, not yet authenticated (oldest first)
 * @lctx: log context
 * @outside: the peer's outside address as text
 * @child_up: a CHILD_SA is installed
 * @restart_at: initiate again at this time (ms), 0 for never
 * @backoff_ms: the wait before the next re-initiation; doubles on failure
 * @last_probe: when the last liveness check went out (ms)
 * @probe_asked: the peer sent us a liveness check since the last tick
 * @last_heard: when the kernel last counted an authenticated packet (ms)
 * @rx_packets: the kernel's count then
 * @up_since: wall-clock ms of the CHILD_SA coming up, 0 while down
 * @last_error: why the last IKE SA closed, "" if none did
 * @stats: counters
 */
struct tunnel {
	struct daemon *d;
	uint8_t id;
	bool present;
	const struct ike_config_tunnel *cfg;
	struct ike_sa_params p;
	struct ike_sa *sa;
	struct ike_sa *half[IKED_HALF_OPEN_PER_TUNNEL];
	struct ike_log_ctx lctx;
	char outside[INET6_ADDRSTRLEN];
	bool child_up;
	uint64_t restart_at;
	uint32_t backoff_ms;
	uint64_t last_probe;
	bool probe_asked;
	uint64_t last_heard;
	uint64_t rx_packets;
	uint64_t up_since;
	char last_error[96];
	struct tunnel_stats stats;
};

/**
 * struct daemon - one connection: its device, tunnels and sockets
 * @cfg: the connection file
 * @log: where logs go
 * @k: the kernel (netlink)
 * @net: UDP sockets 500 and 4500
 * @table: IKE SAs
 * @t: the tunnels
 * @fo: which tunnel carries traffic
 * @routes_installed: remote_prefixes are all routed via the device
 * @rx_warned: reading the kernel's rx counters failed, and it was said
 * @rx_read: when they were last read (ms)
 * @ifindex: the device
 * @control_fd: control socket, -1 if none
 * @control_path: its path
 * @control: its clients
 * @user: whom the daemon runs as once set up
 * @base: the event loop
 * @stopping: SIGTERM/SIGINT received
 * @buf: received datagrams
 */
struct daemon {
	struct ike_config *cfg;
	struct ike_log log;
	struct ike_kernel *k;
	struct ike_net net;
	struct ike_sa_table table;
	struct tunnel t[IKE_CONFIG_MAX_TUNNELS];
	struct ike_failover fo;
	bool routes_installed;
	bool rx_warned;
	uint64_t rx_read;
	int ifindex;
	int control_fd;
	const char *control_path;
	struct ike_control *control;
	struct ike_priv_user user;
	struct event_base *base;
	bool stopping;
	uint8_t buf[IKED_MSG_MAX];
};

uint64_t iked_now_ms(void);		/* monotonic */
uint64_t iked_wall_ms(void);		/* since the epoch */
const char *iked_phase_state(const struct tunnel *t, bool phase2);

/* status.c: the control socket's commands, for ike_control_new(). */
extern const struct ike_control_cmd iked_commands[];

#endif /* S2SVPN_IKED_DAEMON_H */

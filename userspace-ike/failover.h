/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which tunnel of a connection carries traffic. No I/O: the daemon reports
 * each tunnel coming up or going down, and applies the decision with one
 * netlink call (the device's active tunnel), so routes never churn.
 *
 * Policy: while the active tunnel is up it stays active, except that with
 * a preferred tunnel traffic moves back to it as soon as it is up again
 * (failback). When the active tunnel goes down, the other one takes over
 * if it is up (failover); if none is up, nothing changes until one comes
 * up.
 */
#ifndef S2SVPN_IKED_FAILOVER_H
#define S2SVPN_IKED_FAILOVER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define IKE_FO_TUNNELS		2
#define IKE_FO_HISTORY		16
#define IKE_FO_REASON_MAX	96

enum ike_fo_kind {
	IKE_FO_FIRST,		/* the first tunnel up: traffic starts */
	IKE_FO_FAILOVER,	/* the active tunnel went down, the other took over */
	IKE_FO_FAILBACK,	/* back to the preferred tunnel */
	IKE_FO_ALL_DOWN,	/* the active tunnel went down, no other is up */
};

/**
 * struct ike_fo_transition - one change of the active tunnel
 * @at_ms: wall-clock time, ms since the epoch
 * @kind: what happened
 * @from: the tunnel that was active (-1: none)
 * @to: the tunnel that is active now (-1: none)
 * @reason: why, for people
 */
struct ike_fo_transition {
	uint64_t at_ms;
	enum ike_fo_kind kind;
	int from, to;
	char reason[IKE_FO_REASON_MAX];
};

/**
 * struct ike_failover - the active-tunnel policy of one connection
 * @preferred: the preferred tunnel, or -1 (stay where traffic is)
 * @present: which tunnels the connection has
 * @up: which tunnels have a CHILD_SA installed
 * @ever_up: which tunnels have been up at least once
 * @active: the tunnel carrying traffic, -1 before the first is up
 * @why: why @active is active
 * @failovers: switches away from a tunnel that went down
 * @failbacks: switches back to the preferred tunnel
 * @hist: the last IKE_FO_HISTORY transitions, a ring
 * @n_hist: transitions recorded in all
 */
struct ike_failover {
	int preferred;
	bool present[IKE_FO_TUNNELS];
	bool up[IKE_FO_TUNNELS];
	bool ever_up[IKE_FO_TUNNELS];
	int active;
	char why[IKE_FO_REASON_MAX];
	uint64_t failovers;
	uint64_t failbacks;
	struct ike_fo_transition hist[IKE_FO_HISTORY];
	uint64_t n_hist;
};

void ike_failover_init(struct ike_failover *f, int preferred, const bool *present);

/*
 * Tunnel @tunnel came up or went down (@detail says why, e.g. "peer dead
 * (DPD)"). Returns the transition if the active tunnel changes, else NULL;
 * the caller then sets the device's active tunnel to ->to (when >= 0).
 */
const struct ike_fo_transition *ike_failover_update(struct ike_failover *f, int tunnel,
						    bool up, const char *detail,
						    uint64_t now_ms);

/* Transition @i, 0 the oldest still kept, or NULL. */
const struct ike_fo_transition *ike_failover_history(const struct ike_failover *f,
						     unsigned int i);
unsigned int ike_failover_history_len(const struct ike_failover *f);

const char *ike_failover_kind_name(enum ike_fo_kind kind);

#endif /* S2SVPN_IKED_FAILOVER_H */

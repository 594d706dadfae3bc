/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn: counters. Tunnels count per CPU; SAs count with atomics because
 * their byte and packet limits need exact totals on the data path.
 */
#ifndef _S2SVPN_STATS_H
#define _S2SVPN_STATS_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <net/genetlink.h>

/* Why a packet was dropped: each drop counts under exactly one reason. */
enum s2svpn_drop {
	S2SVPN_DROP_REPLAY,
	S2SVPN_DROP_AUTH,
	S2SVPN_DROP_UNKNOWN_SPI,
	S2SVPN_DROP_TRAILER,
	S2SVPN_DROP_MALFORMED,
	S2SVPN_DROP_TOO_BIG,
	S2SVPN_DROP_NO_SA,
	S2SVPN_DROP_OTHER,
	S2SVPN_DROP_MAX,
};

/**
 * struct s2svpn_pcpu_stats - one CPU's share of a tunnel's counters
 * @rx_packets: inner packets received, counted after decryption
 * @rx_bytes: their bytes
 * @tx_packets: inner packets sent, counted before encryption
 * @tx_bytes: their bytes
 * @drops: drops by reason
 * @syncp: consistent 64-bit reads on 32-bit hosts
 */
struct s2svpn_pcpu_stats {
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
	u64_stats_t drops[S2SVPN_DROP_MAX];
	struct u64_stats_sync syncp;
};

/**
 * struct s2svpn_stats - counters summed for reporting
 * @rx_packets: see &struct s2svpn_pcpu_stats
 * @rx_bytes: see &struct s2svpn_pcpu_stats
 * @tx_packets: see &struct s2svpn_pcpu_stats
 * @tx_bytes: see &struct s2svpn_pcpu_stats
 * @drops: see &struct s2svpn_pcpu_stats
 */
struct s2svpn_stats {
	u64 rx_packets;
	u64 rx_bytes;
	u64 tx_packets;
	u64 tx_bytes;
	u64 drops[S2SVPN_DROP_MAX];
};

static inline void s2svpn_stats_rx(struct s2svpn_pcpu_stats __percpu *pcpu,
				   unsigned int len)
{
	struct s2svpn_pcpu_stats *s = this_cpu_ptr(pcpu);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->rx_packets);
	u64_stats_add(&s->rx_bytes, len);
	u64_stats_update_end(&s->syncp);
}

static inline void s2svpn_stats_tx(struct s2svpn_pcpu_stats __percpu *pcpu,
				   unsigned int len)
{
	struct s2svpn_pcpu_stats *s = this_cpu_ptr(pcpu);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->tx_packets);
	u64_stats_add(&s->tx_bytes, len);
	u64_stats_update_end(&s->syncp);
}

static inline void s2svpn_stats_drop(struct s2svpn_pcpu_stats __percpu *pcpu,
				     enum s2svpn_drop reason)
{
	struct s2svpn_pcpu_stats *s = this_cpu_ptr(pcpu);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->drops[reason]);
	u64_stats_update_end(&s->syncp);
}

void s2svpn_stats_fold(struct s2svpn_stats *sum,
		       struct s2svpn_pcpu_stats __percpu *pcpu);
int s2svpn_stats_put(struct sk_buff *msg, int attr,
		     const struct s2svpn_stats *stats);

#endif /* _S2SVPN_STATS_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn: folding and reporting counters.
 */

#include <linux/s2svpn.h>

#include "stats.h"

/**
 * s2svpn_stats_fold - add every CPU's counters to @sum
 * @sum: totals, added to (not cleared)
 * @pcpu: per-CPU counters
 */
void s2svpn_stats_fold(struct s2svpn_stats *sum,
		       struct s2svpn_pcpu_stats __percpu *pcpu)
{
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct s2svpn_pcpu_stats *s = per_cpu_ptr(pcpu, cpu);
		struct s2svpn_stats one;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			one.rx_packets = u64_stats_read(&s->rx_packets);
			one.rx_bytes = u64_stats_read(&s->rx_bytes);
			one.tx_packets = u64_stats_read(&s->tx_packets);
			one.tx_bytes = u64_stats_read(&s->tx_bytes);
			for (i = 0; i < S2SVPN_DROP_MAX; i++)
				one.drops[i] = u64_stats_read(&s->drops[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));

		sum->rx_packets += one.rx_packets;
		sum->rx_bytes += one.rx_bytes;
		sum->tx_packets += one.tx_packets;
		sum->tx_bytes += one.tx_bytes;
		for (i = 0; i < S2SVPN_DROP_MAX; i++)
			sum->drops[i] += one.drops[i];
	}
}

static const int s2svpn_drop_attr[S2SVPN_DROP_MAX] = {
	[S2SVPN_DROP_REPLAY]		= S2SVPN_A_STATS_DROP_REPLAY,
	[S2SVPN_DROP_AUTH]		= S2SVPN_A_STATS_DROP_AUTH,
	[S2SVPN_DROP_UNKNOWN_SPI]	= S2SVPN_A_STATS_DROP_UNKNOWN_SPI,
	[S2SVPN_DROP_TRAILER]		= S2SVPN_A_STATS_DROP_TRAILER,
	[S2SVPN_DROP_MALFORMED]		= S2SVPN_A_STATS_DROP_MALFORMED,
	[S2SVPN_DROP_TOO_BIG]		= S2SVPN_A_STATS_DROP_TOO_BIG,
	[S2SVPN_DROP_NO_SA]		= S2SVPN_A_STATS_DROP_NO_SA,
	[S2SVPN_DROP_OTHER]		= S2SVPN_A_STATS_DROP_OTHER,
};

/**
 * s2svpn_stats_put - add @stats to @msg as a nest of enum s2svpn_a_stats
 * @msg: netlink message
 * @attr: type of the nest
 * @stats: the counters
 *
 * Return: 0 or -EMSGSIZE.
 */
int s2svpn_stats_put(struct sk_buff *msg, int attr,
		     const struct s2svpn_stats *stats)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(msg, attr);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, S2SVPN_A_STATS_RX_PACKETS, stats->rx_packets,
			      S2SVPN_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, S2SVPN_A_STATS_RX_BYTES, stats->rx_bytes,
			      S2SVPN_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, S2SVPN_A_STATS_TX_PACKETS, stats->tx_packets,
			      S2SVPN_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, S2SVPN_A_STATS_TX_BYTES, stats->tx_bytes,
			      S2SVPN_A_STATS_PAD))
		goto cancel;
	for (i = 0; i < S2SVPN_DROP_MAX; i++)
		if (nla_put_u64_64bit(msg, s2svpn_drop_attr[i], stats->drops[i],
				      S2SVPN_A_STATS_PAD))
			goto cancel;
	nla_nest_end(msg, nest);
	return 0;
cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn: the only place that knows about kernel versions.
 *
 * Supported: 6.1 (Debian 12) to 6.12 (Debian 12 security updates).
 */
#ifndef _S2SVPN_COMPAT_H
#define _S2SVPN_COMPAT_H

#include <linux/crypto.h>
#include <linux/netdevice.h>
#include <linux/u64_stats_sync.h>
#include <linux/version.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#include <net/gso.h>		/* skb_gso_segment() left netdevice.h in 6.4 */
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>	/* was asm/unaligned.h before 6.12 */
#else
#include <asm/unaligned.h>
#endif

/*
 * Crypto completion callbacks take the request's data pointer since 6.3:
 *	static void done(S2SVPN_CRYPTO_DONE_ARGS) { void *p = S2SVPN_CRYPTO_DONE_DATA; }
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define S2SVPN_CRYPTO_DONE_ARGS	void *s2svpn_done_data, int err
#define S2SVPN_CRYPTO_DONE_DATA	s2svpn_done_data
#else
#define S2SVPN_CRYPTO_DONE_ARGS	struct crypto_async_request *s2svpn_done_req, int err
#define S2SVPN_CRYPTO_DONE_DATA	(s2svpn_done_req->data)
#endif

/* dev->lltx replaced NETIF_F_LLTX in 6.12. */
static inline void s2svpn_compat_set_lltx(struct net_device *dev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

/* Request attributes of a generic netlink dump (struct genl_dumpit_info grew a genl_info). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define s2svpn_compat_dump_attrs(cb)	(genl_info_dump(cb)->attrs)
#else
#define s2svpn_compat_dump_attrs(cb)	(genl_dumpit_info(cb)->attrs)
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 10, 0)
/*
 * 6.1 allocates dev->dstats for NETDEV_PCPU_STAT_DSTATS but neither has the
 * dev_dstats_*() helpers nor folds the counters into dev_get_stats(); these
 * are the 6.10 helpers over 6.1's plain-u64 struct pcpu_dstats.
 */
static inline void dev_dstats_rx_add(struct net_device *dev, unsigned int len)
{
	struct pcpu_dstats *dstats = this_cpu_ptr(dev->dstats);

	u64_stats_update_begin(&dstats->syncp);
	dstats->rx_packets++;
	dstats->rx_bytes += len;
	u64_stats_update_end(&dstats->syncp);
}

static inline void dev_dstats_rx_dropped(struct net_device *dev)
{
	struct pcpu_dstats *dstats = this_cpu_ptr(dev->dstats);

	u64_stats_update_begin(&dstats->syncp);
	dstats->rx_drops++;
	u64_stats_update_end(&dstats->syncp);
}

static inline void dev_dstats_tx_add(struct net_device *dev, unsigned int len)
{
	struct pcpu_dstats *dstats = this_cpu_ptr(dev->dstats);

	u64_stats_update_begin(&dstats->syncp);
	dstats->tx_packets++;
	dstats->tx_bytes += len;
	u64_stats_update_end(&dstats->syncp);
}

static inline void dev_dstats_tx_dropped(struct net_device *dev)
{
	struct pcpu_dstats *dstats = this_cpu_ptr(dev->dstats);

	u64_stats_update_begin(&dstats->syncp);
	dstats->tx_drops++;
	u64_stats_update_end(&dstats->syncp);
}

static inline void s2svpn_compat_get_stats64(struct net_device *dev,
					     struct rtnl_link_stats64 *s)
{
	int cpu;

	netdev_stats_to_stats64(s, &dev->stats);
	for_each_possible_cpu(cpu) {
		const struct pcpu_dstats *d = per_cpu_ptr(dev->dstats, cpu);
		u64 rx_packets, rx_bytes, rx_drops;
		u64 tx_packets, tx_bytes, tx_drops;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&d->syncp);
			rx_packets = d->rx_packets;
			rx_bytes = d->rx_bytes;
			rx_drops = d->rx_drops;
			tx_packets = d->tx_packets;
			tx_bytes = d->tx_bytes;
			tx_drops = d->tx_drops;
		} while (u64_stats_fetch_retry(&d->syncp, start));

		s->rx_packets += rx_packets;
		s->rx_bytes += rx_bytes;
		s->rx_dropped += rx_drops;
		s->tx_packets += tx_packets;
		s->tx_bytes += tx_bytes;
		s->tx_dropped += tx_drops;
	}
}

/* 6.10+ folds dstats in the core when the driver has no ndo_get_stats64. */
#define S2SVPN_COMPAT_NDO_GET_STATS64 s2svpn_compat_get_stats64
#else
#define S2SVPN_COMPAT_NDO_GET_STATS64 NULL
#endif

#endif /* _S2SVPN_COMPAT_H */

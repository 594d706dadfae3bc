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

#endif /* _S2SVPN_COMPAT_H */

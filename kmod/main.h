/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn: module-wide and per-namespace state.
 */
#ifndef _S2SVPN_MAIN_H
#define _S2SVPN_MAIN_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "stats.h"

/**
 * struct s2svpn_net - per network namespace state
 * @drops: drops no tunnel can be blamed for (unknown SPI)
 */
struct s2svpn_net {
	atomic64_t drops[S2SVPN_DROP_MAX];
};

extern unsigned int s2svpn_net_id;

static inline struct s2svpn_net *s2svpn_net(const struct net *net)
{
	return net_generic(net, s2svpn_net_id);
}

/* Socket detach, SA expiry and SA freeing run here; flushed at unload. */
extern struct workqueue_struct *s2svpn_wq;

#endif /* _S2SVPN_MAIN_H */

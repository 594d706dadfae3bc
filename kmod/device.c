// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn: the s2svpn network device.
 *
 * A point-to-point layer-3 device: one device is one VPN connection with up
 * to two tunnels. Packets routed to it leave only through a security
 * association; without one they are dropped and counted, never sent in the
 * clear. The carrier is on while a tunnel can send.
 */

#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <net/rtnetlink.h>

#include "compat.h"
#include "device.h"
#include "tunnel.h"
#include "tx.h"

LIST_HEAD(s2svpn_devs);
/* Protects s2svpn_devs; taken before any device lock. */
DEFINE_MUTEX(s2svpn_devs_lock);

static unsigned int max_devices = 4096;
module_param(max_devices, uint, 0644);
MODULE_PARM_DESC(max_devices,
		 "most s2svpn devices created in one network namespace (each holds at most 6 SAs)");

static int s2svpn_dev_init(struct net_device *dev)
{
	struct s2svpn_dev *s2 = netdev_priv(dev);
	unsigned int n = 0;
	struct s2svpn_dev *o;
	int err;

	err = gro_cells_init(&s2->gro_cells, dev);
	if (err)
		return err;
	mutex_lock(&s2svpn_devs_lock);
	/* Bounds what one namespace's administrator makes the kernel hold. */
	list_for_each_entry(o, &s2svpn_devs, node)
		n += net_eq(dev_net(o->dev), dev_net(dev));
	if (n >= READ_ONCE(max_devices)) {
		mutex_unlock(&s2svpn_devs_lock);
		gro_cells_destroy(&s2->gro_cells);
		return -ENOSPC;
	}
	list_add(&s2->node, &s2svpn_devs);
	mutex_unlock(&s2svpn_devs_lock);
	return 0;
}

/* Unregistering (device deleted, namespace gone, module unloaded). */
static void s2svpn_dev_uninit(struct net_device *dev)
{
	struct s2svpn_dev *s2 = netdev_priv(dev);
	int i;

	mutex_lock(&s2svpn_devs_lock);
	list_del(&s2->node);
	mutex_unlock(&s2svpn_devs_lock);

	mutex_lock(&s2->lock);
	s2->dead = true;
	for (i = 0; i < S2SVPN_TUNNELS; i++) {
		struct s2svpn_tunnel *t;

		t = rcu_dereference_protected(s2->tunnels[i],
					      lockdep_is_held(&s2->lock));
		if (!t)
			continue;
		RCU_INIT_POINTER(s2->tunnels[i], NULL);
		s2svpn_tunnel_destroy(t);
	}
	mutex_unlock(&s2->lock);
	gro_cells_destroy(&s2->gro_cells);
}

static const struct net_device_ops s2svpn_netdev_ops = {
	.ndo_init		= s2svpn_dev_init,
	.ndo_uninit		= s2svpn_dev_uninit,
	.ndo_start_xmit		= s2svpn_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
};

/**
 * s2svpn_dev_get - the s2svpn device with @ifindex in @net
 * @net: namespace of the request
 * @ifindex: interface index
 *
 * Return: the device, referenced, or NULL if there is no s2svpn device with
 * that index.
 */
struct s2svpn_dev *s2svpn_dev_get(struct net *net, int ifindex)
{
	struct net_device *dev = dev_get_by_index(net, ifindex);

	if (!dev)
		return NULL;
	if (dev->rtnl_link_ops != &s2svpn_link_ops) {
		dev_put(dev);
		return NULL;
	}
	return netdev_priv(dev);
}

void s2svpn_dev_put(struct s2svpn_dev *s2)
{
	dev_put(s2->dev);
}

static void s2svpn_dev_setup(struct net_device *dev)
{
	struct s2svpn_dev *s2 = netdev_priv(dev);

	s2->dev = dev;
	mutex_init(&s2->lock);
	INIT_LIST_HEAD(&s2->node);
	s2->df = S2SVPN_DF_CLEAR;
	dev->netdev_ops = &s2svpn_netdev_ops;
	dev->needs_free_netdev = true;
	/*
	 * The layout the UDP tunnel transmit helpers know on every kernel
	 * (6.1's write tstats whatever the type), as WireGuard uses it; the
	 * helpers are kept from counting, see s2svpn_tx_send().
	 */
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;

	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	/* Room to build the outer packet in place, and the lower device's header. */
	dev->needed_headroom = S2SVPN_HEADROOM_MAX + ETH_HLEN;
	dev->needed_tailroom = S2SVPN_TAILROOM_MAX;

	dev->mtu = S2SVPN_MTU_DEFAULT;
	dev->min_mtu = S2SVPN_MTU_MIN;
	dev->max_mtu = S2SVPN_MTU_MAX;

	/* Segmentation and checksums happen here, before encryption. */
	dev->features |= NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_HIGHDMA |
			 NETIF_F_GSO_SOFTWARE;
	dev->hw_features |= dev->features;
	dev->hw_enc_features |= dev->features;

	/* Transmit takes no device lock: all per-packet state is per-CPU or RCU. */
	s2svpn_compat_set_lltx(dev);
	/* The route's next hop picks the tunnel. */
	netif_keep_dst(dev);
	/* No usable tunnel yet. */
	netif_carrier_off(dev);
}

static int s2svpn_link_validate(struct nlattr *tb[], struct nlattr *data[],
				struct netlink_ext_ack *extack)
{
	if (tb[IFLA_ADDRESS]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
				    "s2svpn is a layer-3 device: no link-layer address");
		return -EINVAL;
	}
	if (tb[IFLA_BROADCAST]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_BROADCAST],
				    "s2svpn is a layer-3 device: no broadcast address");
		return -EINVAL;
	}
	if (tb[IFLA_MTU]) {
		u32 mtu = nla_get_u32(tb[IFLA_MTU]);

		/* Keep the message below in step with the limits. */
		BUILD_BUG_ON(S2SVPN_MTU_MIN != 68 || S2SVPN_MTU_MAX != 65414);
		if (mtu < S2SVPN_MTU_MIN || mtu > S2SVPN_MTU_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_MTU],
					    "s2svpn MTU out of range: 68 to 65414");
			return -EINVAL;
		}
	}
	return 0;
}

struct rtnl_link_ops s2svpn_link_ops __read_mostly = {
	.kind		= S2SVPN_DRV_NAME,
	.priv_size	= sizeof(struct s2svpn_dev),
	.setup		= s2svpn_dev_setup,
	.validate	= s2svpn_link_validate,
};

#if IS_ENABLED(CONFIG_S2SVPN_KUNIT_TEST)
#include "device_test.c"
#endif

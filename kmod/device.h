/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn: the s2svpn network device.
 */
#ifndef _S2SVPN_DEVICE_H
#define _S2SVPN_DEVICE_H

#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/s2svpn.h>
#include <net/gro_cells.h>
#include <net/rtnetlink.h>

#include "esp.h"

#define S2SVPN_DRV_NAME		"s2svpn"

/* The tunnel MTU AWS Site-to-Site VPN documents. */
#define S2SVPN_MTU_DEFAULT	1436
#define S2SVPN_MTU_MIN		ETH_MIN_MTU
#define S2SVPN_MTU_MAX		(IP_MAX_MTU - S2SVPN_OVERHEAD_MAX)

struct s2svpn_tunnel;

/**
 * struct s2svpn_dev - private data of an s2svpn network device
 * @dev: the network device this is the private area of
 * @lock: serializes configuration: tunnels, SAs, settings below
 * @dead: the device is being unregistered: configuration refused (@lock)
 * @tunnels: tunnel slots (RCU; written under @lock)
 * @active: tunnel that carries packets no inside peer claims (READ_ONCE)
 * @df: enum s2svpn_df for the outer IPv4 header (READ_ONCE)
 * @mss_clamp: clamp TCP MSS options of SYNs to this, 0 for off (READ_ONCE)
 * @gro_cells: receive path into GRO
 * @node: in s2svpn_devs, under s2svpn_devs_lock
 */
struct s2svpn_dev {
	struct net_device *dev;
	struct mutex lock; /* see above */
	bool dead;
	struct s2svpn_tunnel __rcu *tunnels[S2SVPN_TUNNELS];
	u8 active;
	u8 df;
	u16 mss_clamp;
	struct gro_cells gro_cells;
	struct list_head node;
};

/* Every s2svpn device of every namespace; lock order: this, then dev lock. */
extern struct list_head s2svpn_devs;
extern struct mutex s2svpn_devs_lock;

extern struct rtnl_link_ops s2svpn_link_ops;

struct s2svpn_dev *s2svpn_dev_get(struct net *net, int ifindex);
void s2svpn_dev_put(struct s2svpn_dev *s2);

#endif /* _S2SVPN_DEVICE_H */

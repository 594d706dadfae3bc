/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn: transmit path.
 */
#ifndef _S2SVPN_TX_H
#define _S2SVPN_TX_H

#include <linux/netdevice.h>

netdev_tx_t s2svpn_xmit(struct sk_buff *skb, struct net_device *dev);

#endif /* _S2SVPN_TX_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn: receive path.
 */
#ifndef _S2SVPN_RX_H
#define _S2SVPN_RX_H

#include <linux/skbuff.h>
#include <net/net_namespace.h>

void s2svpn_rx(struct net *net, struct sk_buff *skb, __be32 spi);

#endif /* _S2SVPN_RX_H */

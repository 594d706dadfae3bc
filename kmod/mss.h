/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn: TCP MSS clamping of SYNs through the tunnel.
 */
#ifndef _S2SVPN_MSS_H
#define _S2SVPN_MSS_H

#include <linux/skbuff.h>

void s2svpn_mss_clamp(struct sk_buff *skb, u16 mss);

#endif /* _S2SVPN_MSS_H */

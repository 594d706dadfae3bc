// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn: TCP MSS clamping of SYNs through the tunnel, as AWS recommends
 * (1379 with its 1436-byte tunnel MTU), so that TCP never sends segments the
 * tunnel has to fragment.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "mss.h"

static void s2svpn_mss_clamp_tcp(struct sk_buff *skb, unsigned int thoff,
				 u16 mss)
{
	unsigned int optlen, i;
	struct tcphdr *th;
	u8 *opt;

	if (!pskb_may_pull(skb, thoff + sizeof(*th)))
		return;
	th = (struct tcphdr *)(skb->data + thoff);
	if (!th->syn || th->doff * 4 < sizeof(*th))
		return;
	optlen = th->doff * 4 - sizeof(*th);
	if (!optlen || !pskb_may_pull(skb, thoff + th->doff * 4))
		return;
	if (skb_ensure_writable(skb, thoff + th->doff * 4))
		return;
	th = (struct tcphdr *)(skb->data + thoff);
	opt = (u8 *)(th + 1);

	for (i = 0; i < optlen; ) {
		if (opt[i] == TCPOPT_EOL)
			return;
		if (opt[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= optlen || opt[i + 1] < 2 || i + opt[i + 1] > optlen)
			return;
		if (opt[i] == TCPOPT_MSS && opt[i + 1] == TCPOLEN_MSS) {
			__be16 old, new = htons(mss);

			memcpy(&old, &opt[i + 2], sizeof(old));
			if (ntohs(old) <= mss)
				return;
			memcpy(&opt[i + 2], &new, sizeof(new));
			inet_proto_csum_replace2(&th->check, skb, old, new, false);
			return;
		}
		i += opt[i + 1];
	}
}

/**
 * s2svpn_mss_clamp - lower the MSS option of a TCP SYN to @mss
 * @skb: an IPv4 or IPv6 packet, network header set
 * @mss: the largest MSS to let through (IPv6 gets 20 bytes less)
 */
void s2svpn_mss_clamp(struct sk_buff *skb, u16 mss)
{
	unsigned int off = skb_network_offset(skb);

	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph = ip_hdr(skb);

		if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph))
			return;
		s2svpn_mss_clamp_tcp(skb, off + iph->ihl * 4, mss);
	} else if (skb->protocol == htons(ETH_P_IPV6)) {
		if (ipv6_hdr(skb)->nexthdr != IPPROTO_TCP || mss <= 20)
			return;
		s2svpn_mss_clamp_tcp(skb, off + sizeof(struct ipv6hdr), mss - 20);
	}
}

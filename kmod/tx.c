// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn: transmit path.
 *
 *   ndo_start_xmit -> pick tunnel (route next hop = inside peer, else the
 *   active tunnel) -> MSS clamp -> GSO segmentation -> per segment: limits,
 *   sequence number, ESP header and trailer, encrypt in place -> outer route
 *   (dst_cache) -> UDP tunnel transmit on the socket
 */

#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/dsfield.h>
#include <net/icmp.h>
#include <net/inet_ecn.h>
#include <net/ip6_route.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp_tunnel.h>

#include "chapoly.h"
#include "compat.h"
#include "crypto.h"
#include "device.h"
#include "esp.h"
#include "mss.h"
#include "sa.h"
#include "socket.h"
#include "tunnel.h"
#include "tx.h"

static void s2svpn_tx_drop(struct s2svpn_tunnel *t, struct s2svpn_sa *sa,
			   struct sk_buff *skb, enum s2svpn_drop reason)
{
	if (sa)
		s2svpn_sa_drop(sa, reason);
	s2svpn_stats_drop(t->stats, reason);
	DEV_STATS_INC(t->s2->dev, tx_dropped);
	kfree_skb(skb);
}

static bool s2svpn_tunnel_usable(struct s2svpn_tunnel *t)
{
	return t && READ_ONCE(t->usable);
}

/*
 * The tunnel whose inside peer is the route's next hop carries the packet,
 * so that a BGP session's routes leave over that session's tunnel. Anything
 * else takes the active tunnel, or the other one while the active one has no
 * outbound SA.
 */
static struct s2svpn_tunnel *s2svpn_tx_pick(struct s2svpn_dev *s2,
					    struct sk_buff *skb)
{
	struct dst_entry *dst = skb_dst(skb);
	struct s2svpn_tunnel *t, *other;
	int i, active;

	for (i = 0; i < S2SVPN_TUNNELS; i++) {
		const struct s2svpn_tunnel_cfg *cfg;

		t = rcu_dereference_bh(s2->tunnels[i]);
		if (!t)
			continue;
		cfg = rcu_dereference_bh(t->cfg);
		if (skb->protocol == htons(ETH_P_IP) && cfg->has_peer4) {
			__be32 nh = ip_hdr(skb)->daddr;

			if (dst && dst->ops->family == AF_INET)
				nh = rt_nexthop(container_of(dst, struct rtable, dst), nh);
			if (nh == cfg->peer4)
				return t;
		} else if (skb->protocol == htons(ETH_P_IPV6) && cfg->has_peer6) {
			const struct in6_addr *nh = &ipv6_hdr(skb)->daddr;

			if (dst && dst->ops->family == AF_INET6)
				nh = rt6_nexthop(container_of(dst, struct rt6_info, dst), nh);
			if (ipv6_addr_equal(nh, &cfg->peer6))
				return t;
		}
	}

	active = READ_ONCE(s2->active);
	t = rcu_dereference_bh(s2->tunnels[active]);
	if (s2svpn_tunnel_usable(t))
		return t;
	other = rcu_dereference_bh(s2->tunnels[!active]);
	return s2svpn_tunnel_usable(other) ? other : t;
}

static __be16 s2svpn_tx_df(struct s2svpn_dev *s2, bool inner_df)
{
	switch (READ_ONCE(s2->df)) {
	case S2SVPN_DF_SET:
		return htons(IP_DF);
	case S2SVPN_DF_COPY:
		return inner_df ? htons(IP_DF) : 0;
	default:
		return 0;
	}
}

/* Outer headers and out on the socket; consumes @skb. */
static void s2svpn_tx_send(struct s2svpn_tunnel *t, struct s2svpn_sa *sa,
			   struct sk_buff *skb, u8 ds, bool inner_df,
			   unsigned int inner_len)
{
	struct net_device *dev = t->s2->dev;
	const struct s2svpn_tunnel_cfg *cfg;
	struct s2svpn_sock *sock;
	u8 tos = INET_ECN_encapsulate(ds, ds);
	struct sock *sk;
	bool xnet;

	sock = rcu_dereference_bh(t->sock);
	sk = sock ? READ_ONCE(sock->sk) : NULL;
	if (unlikely(!sk || !s2svpn_sock_check(sock, sk))) {
		s2svpn_tx_drop(t, sa, skb, S2SVPN_DROP_NO_SA);
		return;
	}
	cfg = rcu_dereference_bh(t->cfg);
	xnet = !net_eq(sock_net(sk), dev_net(dev));

	if (cfg->family == AF_INET) {
		struct flowi4 fl4 = {
			.daddr = cfg->remote4,
			.saddr = cfg->local4,
			.flowi4_proto = IPPROTO_UDP,
			.flowi4_mark = sk->sk_mark,
			.fl4_sport = inet_sk(sk)->inet_sport,
			.fl4_dport = cfg->remote_port,
		};
		struct rtable *rt;

		rt = dst_cache_get_ip4(&t->dst_cache, &fl4.saddr);
		if (!rt) {
			rt = ip_route_output_key(sock_net(sk), &fl4);
			if (IS_ERR(rt))
				goto no_route;
			if (unlikely(rt->dst.dev == dev)) {
				ip_rt_put(rt);
				goto no_route;
			}
			dst_cache_set_ip4(&t->dst_cache, &rt->dst, fl4.saddr);
		}
		if (unlikely(skb_cow_head(skb, LL_RESERVED_SPACE(rt->dst.dev) +
					  sizeof(struct iphdr) + sizeof(struct udphdr)))) {
			ip_rt_put(rt);
			goto nomem;
		}
		s2svpn_stats_tx(t->stats, inner_len);
		dev_sw_netstats_tx_add(dev, 1, inner_len);
		/*
		 * Counted above, in inner bytes as received: without a device,
		 * iptunnel_xmit() counts nothing a second time. Locally sent
		 * packets have none at this point either.
		 */
		skb->dev = NULL;
		/* RFC 3948 section 2.1: the UDP checksum is zero over IPv4. */
		udp_tunnel_xmit_skb(rt, sk, skb, fl4.saddr, fl4.daddr, tos,
				    ip4_dst_hoplimit(&rt->dst),
				    s2svpn_tx_df(t->s2, inner_df),
				    fl4.fl4_sport, fl4.fl4_dport, xnet, true);
		return;
	}
#if IS_ENABLED(CONFIG_IPV6)
	{
		struct flowi6 fl6 = {
			.daddr = cfg->remote6,
			.saddr = cfg->local6,
			.flowi6_proto = IPPROTO_UDP,
			.flowi6_mark = sk->sk_mark,
			.fl6_sport = inet_sk(sk)->inet_sport,
			.fl6_dport = cfg->remote_port,
		};
		struct dst_entry *dst;

		dst = dst_cache_get_ip6(&t->dst_cache, &fl6.saddr);
		if (!dst) {
			dst = ipv6_stub->ipv6_dst_lookup_flow(sock_net(sk), sk,
							      &fl6, NULL);
			if (IS_ERR(dst))
				goto no_route;
			if (unlikely(dst->dev == dev)) {
				dst_release(dst);
				goto no_route;
			}
			dst_cache_set_ip6(&t->dst_cache, dst, &fl6.saddr);
		}
		if (unlikely(skb_cow_head(skb, LL_RESERVED_SPACE(dst->dev) +
					  sizeof(struct ipv6hdr) + sizeof(struct udphdr)))) {
			dst_release(dst);
			goto nomem;
		}
		s2svpn_stats_tx(t->stats, inner_len);
		dev_sw_netstats_tx_add(dev, 1, inner_len);
		skb_scrub_packet(skb, xnet);
		/*
		 * IPv6 has no DF bit: the same policy decides whether this host
		 * may fragment the outer packet (only "set" forbids it).
		 */
		skb->ignore_df = READ_ONCE(t->s2->df) != S2SVPN_DF_SET;
		/* No device: counted above, as for IPv4. */
		udp_tunnel6_xmit_skb(dst, sk, skb, NULL, &fl6.saddr, &fl6.daddr,
				     tos, ip6_dst_hoplimit(dst), 0,
				     fl6.fl6_sport, fl6.fl6_dport, false);
		return;
	}
#endif
no_route:
	net_dbg_ratelimited("%s: tunnel %u: no route to the remote endpoint\n",
			    dev->name, t->id);
	s2svpn_tx_drop(t, sa, skb, S2SVPN_DROP_OTHER);
	return;
nomem:
	s2svpn_tx_drop(t, sa, skb, S2SVPN_DROP_OTHER);
}

/* After encryption; lifetimes as for s2svpn_rx_finish(): RCU, or cr->held. */
static void s2svpn_tx_finish(struct s2svpn_crypto_req *cr, int err)
{
	struct sk_buff *skb = cr->skb;
	struct s2svpn_sa *sa = cr->ctx;
	unsigned int inner_len = cr->len;
	bool held = cr->held;
	bool df = cr->df;
	u8 ds = cr->ds;

	if (cr->esn_at) {
		cr->esn_at[1] = cr->esn_at[0];
		cr->esn_at[0] = cr->esn_saved;
	}
	s2svpn_crypto_req_put(cr);

	if (unlikely(err))
		s2svpn_tx_drop(sa->tunnel, sa, skb, S2SVPN_DROP_OTHER);
	else
		s2svpn_tx_send(sa->tunnel, sa, skb, ds, df, inner_len);
	if (held)
		s2svpn_sa_put(sa);
}

static void s2svpn_tx_done(S2SVPN_CRYPTO_DONE_ARGS)
{
	struct s2svpn_crypto_req *cr = S2SVPN_CRYPTO_DONE_DATA;

	local_bh_disable();
	rcu_read_lock_bh();
	s2svpn_tx_finish(cr, err);
	rcu_read_unlock_bh();
	local_bh_enable();
}

/*
 * ChaCha20-Poly1305 library path: the wire IV is the sequence number (RFC
 * 7634 section 2: unique per key is all it must be), the AAD is built here
 * rather than in front of the ESP header.
 */
static int s2svpn_tx_chapoly(struct s2svpn_sa *sa, struct sk_buff *skb,
			     struct ip_esp_hdr *esph, u64 seq,
			     struct scatterlist *sg, int nfrags,
			     unsigned int clen)
{
	__be32 aad[3] = { esph->spi };
	unsigned int n = 1;
	__be64 iv = cpu_to_be64(seq);
	int err;

	if (sa->esn)
		aad[n++] = htonl(upper_32_bits(seq));
	aad[n++] = esph->seq_no;
	memcpy(esph + 1, &iv, sizeof(iv));

	sg_init_table(sg, nfrags);
	err = skb_to_sgvec(skb, sg, (u8 *)(esph + 1) + sizeof(iv) - skb->data,
			   clen + sa->icv_len);
	if (unlikely(err < 0))
		return err;
	if (unlikely(!s2svpn_chapoly_crypt(sa->chapoly, (const u8 *)aad,
					   n * sizeof(aad[0]), (const u8 *)&iv,
					   sg, clen, true)))
		return -EINVAL;
	return 0;
}

/* Encrypt one non-GSO packet and send it; consumes @skb. */
static void s2svpn_tx_one(struct s2svpn_tunnel *t, struct s2svpn_sa *sa,
			  struct sk_buff *skb)
{
	unsigned int ivlen = sa->alg->iv_len;
	unsigned int icv = sa->icv_len, inner_len = skb->len;
	unsigned int pad, clen, assoclen;
	struct s2svpn_crypto_req *cr;
	struct ip_esp_hdr *esph;
	struct sk_buff *trailer;
	struct scatterlist *sg;
	bool df = true;
	u8 nexthdr, ds;
	int nfrags, err;
	__be64 seqbe;
	u64 seq;

	if (skb->protocol == htons(ETH_P_IP)) {
		nexthdr = S2SVPN_ESP_NEXTHDR_IPV4;
		ds = ipv4_get_dsfield(ip_hdr(skb));
		df = ip_hdr(skb)->frag_off & htons(IP_DF);
	} else {
		nexthdr = S2SVPN_ESP_NEXTHDR_IPV6;
		ds = ipv6_get_dsfield(ipv6_hdr(skb));
	}

	if (unlikely(skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))) {
		s2svpn_tx_drop(t, sa, skb, S2SVPN_DROP_OTHER);
		return;
	}
	if (unlikely(s2svpn_sa_account(sa, inner_len) ||
		     s2svpn_sa_next_seq(sa, &seq))) {
		s2svpn_tx_drop(t, sa, skb, S2SVPN_DROP_NO_SA);
		return;
	}

	pad = s2svpn_esp_pad_len(inner_len, sa->alg->block_len);
	clen = inner_len + pad + S2SVPN_ESP_TRAILER_LEN;

	/* Writable data with room for trailer and ICV: encrypt in place. */
	nfrags = skb_cow_data(skb, pad + S2SVPN_ESP_TRAILER_LEN + icv, &trailer);
	if (unlikely(nfrags < 0 ||
		     skb_cow_head(skb, S2SVPN_ESP_HDR_LEN + ivlen + sizeof(__be32)))) {
		s2svpn_tx_drop(t, sa, skb, S2SVPN_DROP_OTHER);
		return;
	}
	s2svpn_esp_trailer_build(pskb_put(skb, trailer, pad + S2SVPN_ESP_TRAILER_LEN + icv),
				 pad, nexthdr);

	esph = skb_push(skb, S2SVPN_ESP_HDR_LEN + ivlen);
	esph->spi = sa->key.spi;
	esph->seq_no = htonl(lower_32_bits(seq));

	cr = s2svpn_crypto_req_get(sa->tfm, nfrags, true, &sg);
	if (unlikely(!cr)) {
		s2svpn_tx_drop(t, sa, skb, S2SVPN_DROP_OTHER);
		return;
	}
	cr->skb = skb;
	cr->ctx = sa;
	cr->len = inner_len;
	cr->ds = ds;
	cr->df = df;
	cr->held = false;

	if (sa->chapoly) {
		s2svpn_tx_finish(cr, s2svpn_tx_chapoly(sa, skb, esph, seq, sg,
						       nfrags, clen));
		return;
	}

	assoclen = S2SVPN_ESP_HDR_LEN;
	if (sa->esn) {
		/* AAD is SPI, high and low sequence bits, as esp4 lays it out. */
		cr->esn_at = (__be32 *)esph - 1;
		cr->esn_saved = cr->esn_at[0];
		cr->esn_at[0] = esph->spi;
		cr->esn_at[1] = htonl(upper_32_bits(seq));
		assoclen += sizeof(__be32);
	}

	sg_init_table(sg, nfrags);
	err = skb_to_sgvec(skb, sg, (u8 *)esph - skb->data - (sa->esn ? 4 : 0),
			   assoclen + ivlen + clen + icv);
	if (unlikely(err < 0)) {
		s2svpn_tx_finish(cr, err);
		return;
	}

	/* The geniv makes the wire IV from this (seqiv: XOR with the salt). */
	seqbe = cpu_to_be64(seq);
	memset(cr->iv, 0, ivlen);
	memcpy(cr->iv + ivlen - min(ivlen, 8U), (u8 *)&seqbe + 8 - min(ivlen, 8U),
	       min(ivlen, 8U));

	aead_request_set_callback(&cr->req, 0, s2svpn_tx_done, cr);
	aead_request_set_crypt(&cr->req, sg, sg, ivlen + clen, cr->iv);
	aead_request_set_ad(&cr->req, assoclen);

	if (s2svpn_crypto_is_async(sa->tfm)) {
		if (!s2svpn_sa_hold(sa)) {
			s2svpn_tx_finish(cr, -ENOENT);
			return;
		}
		cr->held = true;
	}
	err = crypto_aead_encrypt(&cr->req);
	if (err == -EINPROGRESS)
		return;
	s2svpn_tx_finish(cr, err);
}

static bool s2svpn_tx_valid(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		return pskb_network_may_pull(skb, sizeof(struct iphdr)) &&
		       ip_hdr(skb)->version == 4;
	if (skb->protocol == htons(ETH_P_IPV6))
		return pskb_network_may_pull(skb, sizeof(struct ipv6hdr)) &&
		       ipv6_hdr(skb)->version == 6;
	return false;
}

/* Over the tunnel MTU and not a GSO packet: tell the sender, as a router. */
static bool s2svpn_tx_too_big(struct net_device *dev, struct sk_buff *skb)
{
	unsigned int mtu = READ_ONCE(dev->mtu);

	if (skb->len <= mtu || skb_is_gso(skb))
		return false;
	if (skb->protocol == htons(ETH_P_IP)) {
		if (ip_hdr(skb)->frag_off & htons(IP_DF))
			icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
				      htonl(mtu));
	} else {
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
	}
	return true;
}

/**
 * s2svpn_xmit - ndo_start_xmit of s2svpn devices
 * @skb: an IPv4 or IPv6 packet
 * @dev: the device
 *
 * Context: BH disabled, rcu_read_lock_bh().
 * Return: NETDEV_TX_OK; @skb is always consumed.
 */
netdev_tx_t s2svpn_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct s2svpn_dev *s2 = netdev_priv(dev);
	struct sk_buff *segs, *seg, *next;
	struct s2svpn_tunnel *t;
	struct s2svpn_sa *sa;
	u16 mss;

	if (unlikely(!s2svpn_tx_valid(skb))) {
		DEV_STATS_INC(dev, tx_dropped);
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}
	t = s2svpn_tx_pick(s2, skb);
	if (unlikely(!t)) {
		/* No tunnel at all: nothing can protect the packet. */
		DEV_STATS_INC(dev, tx_dropped);
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}
	sa = rcu_dereference_bh(t->sa_out);
	if (unlikely(!sa || test_bit(S2SVPN_SA_HARD, &sa->flags))) {
		s2svpn_tx_drop(t, NULL, skb, S2SVPN_DROP_NO_SA);
		return NETDEV_TX_OK;
	}
	if (unlikely(s2svpn_tx_too_big(dev, skb))) {
		s2svpn_tx_drop(t, sa, skb, S2SVPN_DROP_TOO_BIG);
		return NETDEV_TX_OK;
	}

	mss = READ_ONCE(s2->mss_clamp);
	if (mss)
		s2svpn_mss_clamp(skb, mss);

	if (!skb_is_gso(skb)) {
		s2svpn_tx_one(t, sa, skb);
		return NETDEV_TX_OK;
	}
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		s2svpn_tx_drop(t, sa, skb, S2SVPN_DROP_OTHER);
		return NETDEV_TX_OK;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		s2svpn_tx_one(t, sa, seg);
	}
	return NETDEV_TX_OK;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn: receive path.
 *
 *   UDP encap_rcv (socket.c) -> SPI lookup -> replay pre-check -> decrypt in
 *   place -> replay update -> trailer -> inner header checks -> RFC 6040 ECN
 *   -> limits, counters -> GRO cells of the tunnel's device
 *
 * Both tunnels of a device always receive: AWS may answer on either.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/ktime.h>
#include <net/dsfield.h>
#include <net/gro_cells.h>
#include <net/inet_ecn.h>
#include <net/ip.h>

#include "chapoly.h"
#include "compat.h"
#include "crypto.h"
#include "device.h"
#include "esp.h"
#include "main.h"
#include "mss.h"
#include "replay.h"
#include "rx.h"
#include "sa.h"
#include "tunnel.h"

static void s2svpn_rx_drop(struct s2svpn_sa *sa, struct sk_buff *skb,
			   enum s2svpn_drop reason)
{
	struct s2svpn_tunnel *t = sa->tunnel;

	s2svpn_sa_drop(sa, reason);
	s2svpn_stats_drop(t->stats, reason);
	DEV_STATS_INC(t->s2->dev, rx_dropped);
	kfree_skb(skb);
}

/* The decrypted inner packet must be one whole IP packet of @nexthdr. */
static int s2svpn_rx_inner(struct sk_buff *skb, u8 nexthdr)
{
	unsigned int len;

	skb_reset_network_header(skb);
	if (nexthdr == S2SVPN_ESP_NEXTHDR_IPV4) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, sizeof(*iph)))
			return -EINVAL;
		iph = ip_hdr(skb);
		len = ntohs(iph->tot_len);
		if (iph->version != 4 || iph->ihl < 5 || len < iph->ihl * 4 ||
		    len > skb->len)
			return -EINVAL;
		skb->protocol = htons(ETH_P_IP);
	} else {
		const struct ipv6hdr *ip6h;

		if (!pskb_may_pull(skb, sizeof(*ip6h)))
			return -EINVAL;
		ip6h = ipv6_hdr(skb);
		len = sizeof(*ip6h) + ntohs(ip6h->payload_len);
		if (ip6h->version != 6 || len > skb->len)
			return -EINVAL;
		skb->protocol = htons(ETH_P_IPV6);
	}
	/* TFC padding may follow the inner packet (RFC 4303 section 2.4). */
	return pskb_trim(skb, len);
}

/*
 * After decryption. Without cr->held (synchronous crypto) the SA, its
 * tunnel and the device are kept alive only by the caller's RCU read
 * section (SAs are freed after a grace period, and hold the tunnel, which
 * holds the device); with it, by the SA reference taken for the callback.
 */
static void s2svpn_rx_finish(struct s2svpn_crypto_req *cr, int err)
{
	struct sk_buff *skb = cr->skb;
	struct s2svpn_sa *sa = cr->ctx;
	struct s2svpn_tunnel *t = sa->tunnel;
	struct s2svpn_dev *s2 = t->s2;
	struct net_device *dev = s2->dev;
	unsigned int ivlen = sa->alg->iv_len;
	u8 tail[256 + S2SVPN_ESP_TRAILER_LEN];
	unsigned int payload_len, tail_len;
	bool held = cr->held;
	u64 seq = cr->seq;
	u8 outer_ds = cr->ds;
	unsigned long now;
	u8 nexthdr;
	u16 mss;
	int len;

	if (cr->esn_at) {
		/* Put SPI and low sequence bits back where they were. */
		cr->esn_at[1] = cr->esn_at[0];
		cr->esn_at[0] = cr->esn_saved;
		__skb_pull(skb, sizeof(__be32));
	}
	s2svpn_crypto_req_put(cr);

	if (unlikely(err)) {
		s2svpn_rx_drop(sa, skb, err == -EBADMSG ? S2SVPN_DROP_AUTH :
				   S2SVPN_DROP_OTHER);
		goto out;
	}
	if (unlikely(sa->replay && s2svpn_replay_update(sa->replay, seq))) {
		s2svpn_rx_drop(sa, skb, S2SVPN_DROP_REPLAY);
		goto out;
	}
	/*
	 * Authenticated: the peer is alive, whatever the payload holds. Written
	 * once a second at most: transmit reads this cache line.
	 */
	now = ktime_get_real_seconds();
	if (READ_ONCE(t->last_rx) != now)
		WRITE_ONCE(t->last_rx, now);

	payload_len = skb->len - S2SVPN_ESP_HDR_LEN - ivlen - sa->icv_len;
	tail_len = min_t(unsigned int, payload_len, sizeof(tail));
	if (skb_copy_bits(skb, skb->len - sa->icv_len - tail_len, tail, tail_len))
		len = -EINVAL;
	else
		len = s2svpn_esp_trailer_parse(tail, tail_len, payload_len, &nexthdr);
	if (unlikely(len < 0)) {
		s2svpn_rx_drop(sa, skb, S2SVPN_DROP_TRAILER);
		goto out;
	}
	if (nexthdr == S2SVPN_ESP_NEXTHDR_NONE) {
		/* A dummy packet (RFC 4303 section 2.6): nothing to deliver. */
		consume_skb(skb);
		goto out;
	}

	__skb_pull(skb, S2SVPN_ESP_HDR_LEN + ivlen);
	if (unlikely(pskb_trim(skb, len) || s2svpn_rx_inner(skb, nexthdr))) {
		s2svpn_rx_drop(sa, skb, S2SVPN_DROP_MALFORMED);
		goto out;
	}
	/* RFC 6040: CE on the outer header marks an ECN-capable inner one. */
	if (unlikely(INET_ECN_decapsulate(skb, outer_ds,
					  skb->protocol == htons(ETH_P_IP) ?
					  ipv4_get_dsfield(ip_hdr(skb)) :
					  ipv6_get_dsfield(ipv6_hdr(skb))) > 1)) {
		s2svpn_rx_drop(sa, skb, S2SVPN_DROP_OTHER);
		goto out;
	}
	if (unlikely(s2svpn_sa_account(sa, skb->len))) {
		s2svpn_rx_drop(sa, skb, S2SVPN_DROP_NO_SA);
		goto out;
	}
	/*
	 * Nothing the outer packet's checksum state said holds for the inner
	 * one; set before clamping, which updates the TCP checksum only when
	 * it is not CHECKSUM_PARTIAL (as an outer IPv6 packet off a veth is).
	 */
	skb->ip_summed = CHECKSUM_NONE;
	mss = READ_ONCE(s2->mss_clamp);
	if (mss)
		s2svpn_mss_clamp(skb, mss);

	s2svpn_stats_rx(t->stats, skb->len);
	dev_sw_netstats_rx_add(dev, skb->len);

	skb_scrub_packet(skb, !net_eq(sa->key.net, dev_net(dev)));
	/*
	 * The outer flow's hash would put every inner flow in one RPS CPU,
	 * GRO bucket and fq_codel flow: let the stack hash the inner packet.
	 */
	skb_clear_hash(skb);
	skb->dev = dev;
	skb->pkt_type = PACKET_HOST;
	skb_reset_mac_header(skb);
	skb_reset_transport_header(skb);
	gro_cells_receive(&s2->gro_cells, skb);
out:
	if (held)
		s2svpn_sa_put(sa);
}

static void s2svpn_rx_done(S2SVPN_CRYPTO_DONE_ARGS)
{
	struct s2svpn_crypto_req *cr = S2SVPN_CRYPTO_DONE_DATA;

	/* cryptd completes in process context; the stack wants BH off. */
	local_bh_disable();
	s2svpn_rx_finish(cr, err);
	local_bh_enable();
}

/* ChaCha20-Poly1305 library path: AAD from the header, IV from the packet. */
static int s2svpn_rx_chapoly(struct s2svpn_sa *sa, struct sk_buff *skb,
			     u64 seq, struct scatterlist *sg, int nfrags,
			     int elen)
{
	const struct ip_esp_hdr *esph = (const struct ip_esp_hdr *)skb->data;
	__be32 aad[3] = { esph->spi };
	unsigned int n = 1;
	int err;

	if (sa->esn)
		aad[n++] = htonl(upper_32_bits(seq));
	aad[n++] = esph->seq_no;

	sg_init_table(sg, nfrags);
	err = skb_to_sgvec(skb, sg, S2SVPN_ESP_HDR_LEN + S2SVPN_CHAPOLY_IV_LEN, elen);
	if (unlikely(err < 0))
		return err;
	if (!s2svpn_chapoly_crypt(sa->chapoly, (const u8 *)aad, n * sizeof(aad[0]),
				  (const u8 *)(esph + 1), sg, elen - sa->icv_len,
				  false))
		return -EBADMSG;
	return 0;
}

/**
 * s2svpn_rx - process an ESP packet received on an s2svpn socket
 * @net: namespace of the receiving socket
 * @skb: the packet, data at the ESP header, network header at the outer IP
 * @spi: SPI of the ESP header
 *
 * Context: softirq, rcu_read_lock(). Consumes @skb.
 */
void s2svpn_rx(struct net *net, struct sk_buff *skb, __be32 spi)
{
	struct s2svpn_crypto_req *cr;
	struct scatterlist *sg;
	struct sk_buff *trailer;
	struct ip_esp_hdr *esph;
	struct s2svpn_sa *sa;
	unsigned int ivlen;
	int nfrags, err;
	u8 outer_ds;
	int elen;
	u64 seq;

	sa = s2svpn_sa_lookup(net, spi);
	if (unlikely(!sa)) {
		atomic64_inc(&s2svpn_net(net)->drops[S2SVPN_DROP_UNKNOWN_SPI]);
		kfree_skb(skb);
		return;
	}
	if (unlikely(test_bit(S2SVPN_SA_HARD, &sa->flags))) {
		s2svpn_rx_drop(sa, skb, S2SVPN_DROP_NO_SA);
		return;
	}

	ivlen = sa->alg->iv_len;
	elen = skb->len - S2SVPN_ESP_HDR_LEN - ivlen;
	if (unlikely(elen < (int)sa->icv_len + S2SVPN_ESP_TRAILER_LEN ||
		     !pskb_may_pull(skb, S2SVPN_ESP_HDR_LEN + ivlen) ||
		     (elen - sa->icv_len) % sa->alg->block_len)) {
		s2svpn_rx_drop(sa, skb, S2SVPN_DROP_MALFORMED);
		return;
	}

	esph = (struct ip_esp_hdr *)skb->data;
	seq = ntohl(esph->seq_no);
	if (sa->replay) {
		err = s2svpn_replay_check_lo(sa->replay, ntohl(esph->seq_no),
					     sa->esn, &seq);
		if (unlikely(err)) {
			s2svpn_rx_drop(sa, skb, err == -EINVAL ? S2SVPN_DROP_MALFORMED :
				       S2SVPN_DROP_REPLAY);
			return;
		}
	}
	outer_ds = skb->protocol == htons(ETH_P_IP) ?
		   ipv4_get_dsfield(ip_hdr(skb)) : ipv6_get_dsfield(ipv6_hdr(skb));

	/* Decrypt in place: the data must be ours alone (never a clone's). */
	if (!skb_cloned(skb) && !skb_is_nonlinear(skb)) {
		nfrags = 1;
	} else {
		nfrags = skb_cow_data(skb, 0, &trailer);
		if (unlikely(nfrags < 0)) {
			s2svpn_rx_drop(sa, skb, S2SVPN_DROP_OTHER);
			return;
		}
	}

	cr = s2svpn_crypto_req_get(sa->tfm, nfrags, false, &sg);
	if (unlikely(!cr)) {
		s2svpn_rx_drop(sa, skb, S2SVPN_DROP_OTHER);
		return;
	}
	cr->skb = skb;
	cr->ctx = sa;
	cr->seq = seq;
	cr->ds = outer_ds;
	cr->held = false;

	if (sa->chapoly) {
		s2svpn_rx_finish(cr, s2svpn_rx_chapoly(sa, skb, seq, sg, nfrags,
						       elen));
		return;
	}

	if (sa->esn) {
		/* AAD is SPI, high and low sequence bits, as esp4 lays it out. */
		cr->esn_at = skb_push(skb, sizeof(__be32));
		cr->esn_saved = cr->esn_at[0];
		cr->esn_at[0] = cr->esn_at[1];
		cr->esn_at[1] = htonl(upper_32_bits(seq));
	}

	sg_init_table(sg, nfrags);
	err = skb_to_sgvec(skb, sg, 0, skb->len);
	if (unlikely(err < 0)) {
		s2svpn_rx_finish(cr, err);
		return;
	}
	aead_request_set_callback(&cr->req, 0, s2svpn_rx_done, cr);
	aead_request_set_crypt(&cr->req, sg, sg, elen + ivlen, cr->iv);
	aead_request_set_ad(&cr->req, S2SVPN_ESP_HDR_LEN + (sa->esn ? 4 : 0));

	if (s2svpn_crypto_is_async(sa->tfm)) {
		if (!s2svpn_sa_hold(sa)) {
			s2svpn_rx_finish(cr, -ENOENT);
			return;
		}
		cr->held = true;
	}
	err = crypto_aead_decrypt(&cr->req);
	if (err == -EINPROGRESS)
		return;
	s2svpn_rx_finish(cr, err);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn: ESP-in-UDP (RFC 4303, RFC 3948) packet size arithmetic.
 */
#ifndef _S2SVPN_ESP_H
#define _S2SVPN_ESP_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/kernel.h>
#include <linux/udp.h>
#include <net/ip.h>

/* SPI and sequence number (RFC 4303 section 2). */
#define S2SVPN_ESP_HDR_LEN	8
/* Pad Length and Next Header (RFC 4303 section 2.4 and 2.6). */
#define S2SVPN_ESP_TRAILER_LEN	2

/* Largest values over the algorithm table: AES-CBC IV and block, HMAC-SHA-512-256 ICV. */
#define S2SVPN_ESP_IV_MAX	16
#define S2SVPN_ESP_BLOCK_MAX	16
#define S2SVPN_ESP_ICV_MAX	32

/* Worst case in front of the inner packet: outer IPv6, UDP, ESP header, IV. */
#define S2SVPN_HEADROOM_MAX	(sizeof(struct ipv6hdr) + sizeof(struct udphdr) + \
				 S2SVPN_ESP_HDR_LEN + S2SVPN_ESP_IV_MAX)
/* Worst case behind it: padding to the cipher block, trailer, ICV. */
#define S2SVPN_TAILROOM_MAX	(S2SVPN_ESP_BLOCK_MAX - 1 + S2SVPN_ESP_TRAILER_LEN + \
				 S2SVPN_ESP_ICV_MAX)
#define S2SVPN_OVERHEAD_MAX	(S2SVPN_HEADROOM_MAX + S2SVPN_TAILROOM_MAX)

/**
 * s2svpn_esp_outer_len - size of the outer packet that carries an inner one
 * @outer_hdr_len: outer IP header length (20 for IPv4, 40 for IPv6)
 * @iv_len: explicit IV length of the algorithm
 * @block_len: cipher block size the padded payload aligns to (1 for stream)
 * @icv_len: integrity check value length
 * @inner_len: inner packet length
 *
 * RFC 4303 section 2.4: payload, padding, Pad Length and Next Header end on
 * the cipher block size and on a 4-byte boundary in any case.
 *
 * Return: outer IP packet length in bytes, headers included.
 */
static inline unsigned int s2svpn_esp_outer_len(unsigned int outer_hdr_len,
						unsigned int iv_len,
						unsigned int block_len,
						unsigned int icv_len,
						unsigned int inner_len)
{
	unsigned int align = max(block_len, 4U);

	return outer_hdr_len + sizeof(struct udphdr) + S2SVPN_ESP_HDR_LEN +
	       iv_len + ALIGN(inner_len + S2SVPN_ESP_TRAILER_LEN, align) +
	       icv_len;
}

/* Next Header values of the ESP trailer. */
#define S2SVPN_ESP_NEXTHDR_IPV4	IPPROTO_IPIP
#define S2SVPN_ESP_NEXTHDR_IPV6	IPPROTO_IPV6
#define S2SVPN_ESP_NEXTHDR_NONE	59	/* dummy packet, RFC 4303 section 2.6 */

/* Non-ESP marker of IKE messages on port 4500 (RFC 3948 section 2.2). */
#define S2SVPN_NON_ESP_MARKER	0
/* NAT-keepalive payload (RFC 3948 section 2.3). */
#define S2SVPN_NAT_KEEPALIVE	0xff

unsigned int s2svpn_esp_pad_len(unsigned int inner_len, unsigned int block_len);
void s2svpn_esp_trailer_build(u8 *tail, unsigned int pad_len, u8 next_hdr);
int s2svpn_esp_trailer_parse(const u8 *tail, unsigned int tail_len,
			     unsigned int payload_len, u8 *next_hdr);

#endif /* _S2SVPN_ESP_H */

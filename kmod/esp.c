// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn: the ESP trailer (RFC 4303 section 2.4 to 2.6).
 */

#include <linux/errno.h>

#include "esp.h"

/**
 * s2svpn_esp_pad_len - padding after an inner packet
 * @inner_len: inner packet length
 * @block_len: cipher block size (1 for stream ciphers)
 *
 * Return: bytes of padding so that payload, padding, Pad Length and Next
 * Header end on the block size and on a 4-byte boundary.
 */
unsigned int s2svpn_esp_pad_len(unsigned int inner_len, unsigned int block_len)
{
	unsigned int align = max(block_len, 4U);

	return ALIGN(inner_len + S2SVPN_ESP_TRAILER_LEN, align) -
	       inner_len - S2SVPN_ESP_TRAILER_LEN;
}

/**
 * s2svpn_esp_trailer_build - write padding, Pad Length and Next Header
 * @tail: where the padding starts (@pad_len + 2 bytes)
 * @pad_len: padding length
 * @next_hdr: protocol of the inner packet
 *
 * The padding is 1, 2, 3, ... as RFC 4303 section 2.4 specifies by default.
 */
void s2svpn_esp_trailer_build(u8 *tail, unsigned int pad_len, u8 next_hdr)
{
	unsigned int i;

	for (i = 0; i < pad_len; i++)
		tail[i] = i + 1;
	tail[pad_len] = pad_len;
	tail[pad_len + 1] = next_hdr;
}

/**
 * s2svpn_esp_trailer_parse - check the trailer of a decrypted payload
 * @tail: the last @tail_len bytes of the payload (before the ICV)
 * @tail_len: at least 2, and at least Pad Length + 2 unless the payload is
 *	shorter (the caller copies min(payload_len, 257) bytes)
 * @payload_len: length of payload, padding and trailer together
 * @next_hdr: set to the Next Header field
 *
 * Return: the inner packet length, -EBADMSG if padding, Pad Length or Next
 * Header are invalid, -EINVAL if @tail_len is too short to check.
 */
int s2svpn_esp_trailer_parse(const u8 *tail, unsigned int tail_len,
			     unsigned int payload_len, u8 *next_hdr)
{
	unsigned int pad_len, i;
	const u8 *pad;

	if (tail_len < S2SVPN_ESP_TRAILER_LEN || tail_len > payload_len)
		return -EINVAL;
	pad_len = tail[tail_len - 2];
	*next_hdr = tail[tail_len - 1];
	if (pad_len + S2SVPN_ESP_TRAILER_LEN > payload_len)
		return -EBADMSG;
	if (pad_len + S2SVPN_ESP_TRAILER_LEN > tail_len)
		return -EINVAL;
	pad = tail + tail_len - S2SVPN_ESP_TRAILER_LEN - pad_len;
	for (i = 0; i < pad_len; i++)
		if (pad[i] != i + 1)
			return -EBADMSG;
	switch (*next_hdr) {
	case S2SVPN_ESP_NEXTHDR_IPV4:
	case S2SVPN_ESP_NEXTHDR_IPV6:
	case S2SVPN_ESP_NEXTHDR_NONE:
		break;
	default:
		return -EBADMSG;
	}
	return payload_len - pad_len - S2SVPN_ESP_TRAILER_LEN;
}

#if IS_ENABLED(CONFIG_S2SVPN_KUNIT_TEST)
#include "esp_test.c"
#endif

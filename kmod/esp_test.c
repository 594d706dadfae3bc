// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the ESP trailer. Included from esp.c.
 */

#include <kunit/test.h>

static void esp_pad_aligns_to_block(struct kunit *test)
{
	unsigned int len;

	for (len = 0; len < 100; len++) {
		KUNIT_EXPECT_EQ(test, (len + s2svpn_esp_pad_len(len, 16) + 2) % 16, 0);
		KUNIT_EXPECT_LT(test, s2svpn_esp_pad_len(len, 16), 16);
		KUNIT_EXPECT_EQ(test, (len + s2svpn_esp_pad_len(len, 1) + 2) % 4, 0);
		KUNIT_EXPECT_LT(test, s2svpn_esp_pad_len(len, 1), 4);
	}
}

static void esp_trailer_roundtrip(struct kunit *test)
{
	u8 buf[64 + 16 + 2];
	unsigned int len, pad;
	u8 nh;

	for (len = 20; len < 64; len++) {
		pad = s2svpn_esp_pad_len(len, 16);
		memset(buf, 0xaa, len);
		s2svpn_esp_trailer_build(buf + len, pad, S2SVPN_ESP_NEXTHDR_IPV4);
		KUNIT_EXPECT_EQ(test, s2svpn_esp_trailer_parse(buf, len + pad + 2,
							       len + pad + 2, &nh),
				(int)len);
		KUNIT_EXPECT_EQ(test, nh, S2SVPN_ESP_NEXTHDR_IPV4);
	}
}

static void esp_trailer_rejects_bad_padding(struct kunit *test)
{
	u8 buf[32] = {};
	u8 nh;

	s2svpn_esp_trailer_build(buf + 20, 10, S2SVPN_ESP_NEXTHDR_IPV6);
	KUNIT_EXPECT_EQ(test, s2svpn_esp_trailer_parse(buf, 32, 32, &nh), 20);
	buf[25] = 0;	/* padding must read 1, 2, 3, ... */
	KUNIT_EXPECT_EQ(test, s2svpn_esp_trailer_parse(buf, 32, 32, &nh), -EBADMSG);
}

static void esp_trailer_rejects_pad_length_overrun(struct kunit *test)
{
	u8 buf[8] = { 1, 2, 3, 4, 5, 6, 200, S2SVPN_ESP_NEXTHDR_IPV4 };
	u8 nh;

	/* 200 bytes of padding claimed in an 8-byte payload. */
	KUNIT_EXPECT_EQ(test, s2svpn_esp_trailer_parse(buf, 8, 8, &nh), -EBADMSG);
	buf[6] = 6;	/* exactly fills the payload: no inner packet */
	KUNIT_EXPECT_EQ(test, s2svpn_esp_trailer_parse(buf, 8, 8, &nh), 0);
}

static void esp_trailer_rejects_unknown_next_header(struct kunit *test)
{
	u8 buf[24] = {};
	u8 nh;

	s2svpn_esp_trailer_build(buf + 20, 2, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, s2svpn_esp_trailer_parse(buf, 24, 24, &nh), -EBADMSG);
	s2svpn_esp_trailer_build(buf + 20, 2, S2SVPN_ESP_NEXTHDR_NONE);
	KUNIT_EXPECT_EQ(test, s2svpn_esp_trailer_parse(buf, 24, 24, &nh), 20);
	KUNIT_EXPECT_EQ(test, nh, S2SVPN_ESP_NEXTHDR_NONE);
}

static void esp_trailer_rejects_truncated(struct kunit *test)
{
	u8 buf[2] = { 0, S2SVPN_ESP_NEXTHDR_IPV4 };
	u8 nh;

	KUNIT_EXPECT_EQ(test, s2svpn_esp_trailer_parse(buf, 1, 1, &nh), -EINVAL);
	KUNIT_EXPECT_EQ(test, s2svpn_esp_trailer_parse(buf, 2, 1, &nh), -EINVAL);
	KUNIT_EXPECT_EQ(test, s2svpn_esp_trailer_parse(buf, 2, 2, &nh), 0);
}

static struct kunit_case s2svpn_esp_cases[] = {
	KUNIT_CASE(esp_pad_aligns_to_block),
	KUNIT_CASE(esp_trailer_roundtrip),
	KUNIT_CASE(esp_trailer_rejects_bad_padding),
	KUNIT_CASE(esp_trailer_rejects_pad_length_overrun),
	KUNIT_CASE(esp_trailer_rejects_unknown_next_header),
	KUNIT_CASE(esp_trailer_rejects_truncated),
	{}
};

static struct kunit_suite s2svpn_esp_suite = {
	.name = "s2svpn_esp",
	.test_cases = s2svpn_esp_cases,
};

kunit_test_suite(s2svpn_esp_suite);

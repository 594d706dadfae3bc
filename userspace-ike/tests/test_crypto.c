// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of crypto.c: PRFs against RFC 2202 and RFC 4231, prf+, SK payload
 * protection for every cipher, PSK AUTH, NAT detection, random values and
 * cookies.
 *
 * Values not taken from an RFC were generated at authoring time,
 * independently of this code, with Python 3's hmac/hashlib and Debian 12's
 * python3-cryptography 38.0.4 for AES-CBC, AES-GCM (AESGCM) and
 * ChaCha20-Poly1305 (ChaCha20Poly1305); cryptography 48 on OpenSSL 4.0
 * gave identical bytes. Inputs (pat(n, start, step) is the byte
 * string (start + i * step) mod 256, i = 0..n-1):
 *
 *   prf+: key pat(32, 0), seed "prf+ seed for s2svpn"; T1 = prf(K, S | 1),
 *         Tn = prf(K, Tn-1 | S | n) with hmac.new().
 *   PSK:  psk "correct horse battery staple", msg pat(120, 0x21, 17),
 *         nonce pat(32, 0xa0, 5), SK_p pat(32, 0x44, 9) (its first 20 bytes
 *         for SHA-1), IDi body 02 00 00 00 "vpn.example.net";
 *         AUTH = prf(prf(psk, b"Key Pad for IKEv2"), msg + nonce + prf(SK_p, id)).
 *   NAT-D: sha1(SPIi | SPIr | IP | port): 0123456789abcdef, fedcba9876543210,
 *         192.0.2.1, 500; and 0123456789abcdef, zero SPIr, 2001:db8::1, 4500.
 *   SK:   header SPIi | SPIr | 2e 20 23 08 | msgid 1 | length, SK header
 *         23 00 | length; inner payloads pat(45, 0x61). AEAD: ct =
 *         AESGCM(key) / ChaCha20Poly1305(key).encrypt(salt + iv, inner + b"\0",
 *         header + SK header), message = header + SK header + iv + ct, with
 *         iv 0 (then 1): GCM-128 key pat(16, 0xe0, 3) salt cafebabe; GCM-256
 *         key pat(32, 0x07, 29) salt 01020304; ChaCha20 key pat(32, 0x80)
 *         salt a0a1a2a3. AES-CBC-128 + HMAC-SHA2-256-128: key pat(16, 0x3c, 5),
 *         integrity key pat(32, 0x77, 3), IV pat(16, 0x90, 7), plaintext
 *         inner + pat(34, 0xf0) + bytes([34]); ICV = first 16 bytes of
 *         HMAC-SHA256 over header .. ciphertext. Bad padding: the same with
 *         pat(31, 0x41) + ff (CBC), and GCM-128 over pat(9, 0x41) + 40.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cmocka.h>

#include "crypto.h"
#include "testutil.h"

/* ---- PRFs: RFC 2202 and RFC 4231 ------------------------------------------ */

/* The test case inputs shared by RFC 2202 (SHA-1) and RFC 4231 (SHA-2). */
static size_t case_input(int tc, bool sha1, uint8_t *key, size_t *keylen, uint8_t *data)
{
	static const char *const text[] = {
		[1] = "Hi There",
		[2] = "what do ya want for nothing?",
		[5] = "Test With Truncation",
		[6] = "Test Using Larger Than Block-Size Key - Hash Key First",
	};
	static const char t7_2202[] =
		"Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data";
	static const char t7_4231[] =
		"This is a test using a larger than block-size key and a larger than block-size "
		"data. The key needs to be hashed before being used by the HMAC algorithm.";
	/* RFC 2202 uses an 80-byte key in cases 6 and 7, RFC 4231 131 bytes. */
	size_t big = sha1 ? 80 : 131;
	const char *s = NULL;

	switch (tc) {
	case 1:
		memset(key, 0x0b, *keylen = 20);
		break;
	case 2:
		memcpy(key, "Jefe", *keylen = 4);
		break;
	case 3:
		memset(key, 0xaa, *keylen = 20);
		memset(data, 0xdd, 50);
		return 50;
	case 4:
		pat(key, *keylen = 25, 0x01, 1);
		memset(data, 0xcd, 50);
		return 50;
	case 5:
		memset(key, 0x0c, *keylen = 20);
		break;
	case 6:
		memset(key, 0xaa, *keylen = big);
		break;
	case 7:
		memset(key, 0xaa, *keylen = big);
		s = sha1 ? t7_2202 : t7_4231;
		break;
	}
	if (!s)
		s = text[tc];
	memcpy(data, s, strlen(s));
	return strlen(s);
}

static void test_rfc2202_hmac_sha1(void **state)
{
	/* RFC 2202 section 3, full 160-bit digests. */
	static const char *const want[] = {
		[1] = "b617318655057264e28bc0b6fb378c8ef146be00",
		[2] = "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
		[3] = "125d7342b9ac11cd91a39af48aa17b4f63f175d3",
		[4] = "4c9007f4026250c6bc8414f9bf50c86c2d7235da",
		[5] = "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04",
		[6] = "aa4ae5e15272d00e95705637ce8a3b55ed402112",
		[7] = "e8e99d0f45237d786d6bbaa7965c7808bbff1a91",
	};

	(void)state;
	assert_int_equal(ike_prf_len(IKE_PRF_HMAC_SHA1), 20);
	for (int tc = 1; tc <= 7; tc++) {
		uint8_t key[131], data[160], out[64], exp[20];
		size_t keylen, len = sizeof(out);
		size_t dlen = case_input(tc, true, key, &keylen, data);

		unhex(want[tc], exp, sizeof(exp));
		assert_rc(ike_prf(IKE_PRF_HMAC_SHA1, key, keylen, data, dlen, out, &len), 0);
		assert_int_equal(len, 20);
		assert_memory_equal(out, exp, 20);
	}
}

static void test_rfc4231_hmac_sha2(void **state)
{
	/* RFC 4231 section 4; test case 5 gives the first 128 bits only. */
	static const struct {
		int prf, tc;
		const char *mac;
	} t[] = {
	{ IKE_PRF_HMAC_SHA2_256, 1,
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
	{ IKE_PRF_HMAC_SHA2_256, 2,
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
	{ IKE_PRF_HMAC_SHA2_256, 3,
	  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
	{ IKE_PRF_HMAC_SHA2_256, 4,
	  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
	{ IKE_PRF_HMAC_SHA2_256, 5,
	  "a3b6167473100ee06e0c796c2955552b" },
	{ IKE_PRF_HMAC_SHA2_256, 6,
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
	{ IKE_PRF_HMAC_SHA2_256, 7,
	  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
	{ IKE_PRF_HMAC_SHA2_384, 1,
	  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	  "faea9ea9076ede7f4af152e8b2fa9cb6" },
	{ IKE_PRF_HMAC_SHA2_384, 2,
	  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	  "8e2240ca5e69e2c78b3239ecfab21649" },
	{ IKE_PRF_HMAC_SHA2_384, 3,
	  "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
	  "2a5ab39dc13814b94e3ab6e101a34f27" },
	{ IKE_PRF_HMAC_SHA2_384, 4,
	  "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
	  "6801dd23c4a7d679ccf8a386c674cffb" },
	{ IKE_PRF_HMAC_SHA2_384, 5,
	  "3abf34c3503b2a23a46efc619baef897" },
	{ IKE_PRF_HMAC_SHA2_384, 6,
	  "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
	  "0c2ef6ab4030fe8296248df163f44952" },
	{ IKE_PRF_HMAC_SHA2_384, 7,
	  "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
	  "a678cc31e799176d3860e6110c46523e" },
	{ IKE_PRF_HMAC_SHA2_512, 1,
	  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
	{ IKE_PRF_HMAC_SHA2_512, 2,
	  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
	{ IKE_PRF_HMAC_SHA2_512, 3,
	  "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
	  "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb" },
	{ IKE_PRF_HMAC_SHA2_512, 4,
	  "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
	  "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd" },
	{ IKE_PRF_HMAC_SHA2_512, 5,
	  "415fad6271580a531d4179bc891d87a6" },
	{ IKE_PRF_HMAC_SHA2_512, 6,
	  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	  "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
	{ IKE_PRF_HMAC_SHA2_512, 7,
	  "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
	  "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		uint8_t key[131], data[160], out[64], exp[64];
		size_t keylen, len = sizeof(out);
		size_t dlen = case_input(t[i].tc, false, key, &keylen, data);
		size_t elen = unhex(t[i].mac, exp, sizeof(exp));

		assert_rc(ike_prf(t[i].prf, key, keylen, data, dlen, out, &len), 0);
		assert_int_equal(len, ike_prf_len(t[i].prf));
		assert_true(elen == len || (t[i].tc == 5 && elen == 16));
		assert_memory_equal(out, exp, elen);
	}
}

static void test_prf_misc(void **state)
{
	static const char empty_key_sha256[] =	/* hmac.new(b"", b"abc", sha256) */
		"fd7adb152c05ef80dccf50a1fa4c05d5a3ec6da95575fc312ae7c5d091836351";
	uint8_t key[20], data[50], out[64], out2[64], exp[32];
	size_t keylen, dlen, len = sizeof(out), len2 = sizeof(out2);
	struct ike_chunk parts[4];

	(void)state;
	/* Chunked input is the concatenation (RFC 2202 case 3 cut in 4). */
	dlen = case_input(3, true, key, &keylen, data);
	parts[0] = (struct ike_chunk){ data, 7 };
	parts[1] = (struct ike_chunk){ NULL, 0 };
	parts[2] = (struct ike_chunk){ data + 7, 40 };
	parts[3] = (struct ike_chunk){ data + 47, dlen - 47 };
	assert_rc(ike_prf(IKE_PRF_HMAC_SHA1, key, keylen, data, dlen, out, &len), 0);
	assert_rc(ike_prf_v(IKE_PRF_HMAC_SHA1, key, keylen, parts, 4, out2, &len2), 0);
	assert_int_equal(len2, 20);
	assert_memory_equal(out, out2, 20);

	/* An empty key is a valid HMAC key. */
	len = sizeof(out);
	unhex(empty_key_sha256, exp, sizeof(exp));
	assert_rc(ike_prf(IKE_PRF_HMAC_SHA2_256, NULL, 0, (const uint8_t *)"abc", 3, out, &len),
		  0);
	assert_memory_equal(out, exp, 32);

	len = 31;
	assert_rc(ike_prf(IKE_PRF_HMAC_SHA2_256, key, 20, data, 5, out, &len), -IKE_CE_BUFSIZE);
	len = sizeof(out);
	assert_rc(ike_prf(4 /* AES128-XCBC */, key, 20, data, 5, out, &len),
		  -IKE_CE_UNSUPPORTED);
	assert_rc(ike_prf(IKE_PRF_HMAC_SHA1, NULL, 5, data, 5, out, &len), -IKE_CE_INVAL);
	assert_rc(ike_prf(IKE_PRF_HMAC_SHA1, key, 5, NULL, 5, out, &len), -IKE_CE_INVAL);
	assert_rc(ike_prf(IKE_PRF_HMAC_SHA1, key, 5, data, 5, NULL, &len), -IKE_CE_INVAL);
	assert_int_equal(ike_prf_len(IKE_PRF_HMAC_SHA2_256), 32);
	assert_int_equal(ike_prf_len(IKE_PRF_HMAC_SHA2_384), 48);
	assert_int_equal(ike_prf_len(IKE_PRF_HMAC_SHA2_512), 64);
	assert_int_equal(ike_prf_len(0), 0);
}

/* ---- prf+ ------------------------------------------------------------------ */

static void test_prf_plus(void **state)
{
	static const char pp_sha256_100[] =
		"3ed9eea474313f3d322538cd928c72077a62ee14cbc6298b93fffe00df2e8c49"
		"fa7f1c81f7c8f577ff2530982fe9862a097e6edde01fea3072e24fe65dda81e1"
		"14e8aaca38c6bda4e87a4b34d1c9601c9ce2637fa15c30ce4d1092581db969a4"
		"7a47086b";
	static const char pp_sha1_45[] =
		"552483e1b7469a860a683e0139e2e82206552938bac8f8fbefa74904156960ac"
		"697261ad644af0d3402482466a";
	static const char seed[] = "prf+ seed for s2svpn";
	uint8_t key[32], out[255 * 20 + 1], exp[100], first[100];
	struct ike_chunk s = { (const uint8_t *)seed, sizeof(seed) - 1 };
	struct ike_chunk split[3] = {
		{ (const uint8_t *)seed, 4 }, { NULL, 0 }, { (const uint8_t *)seed + 4, 16 },
	};

	(void)state;
	pat(key, sizeof(key), 0, 1);
	/* Four SHA-256 blocks, the last truncated to 4 bytes. */
	assert_rc(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, key, 32, &s, 1, out, 100), 0);
	assert_int_equal(unhex(pp_sha256_100, exp, sizeof(exp)), 100);
	assert_memory_equal(out, exp, 100);
	memcpy(first, out, 100);
	/* A shorter output is a prefix of a longer one; the seed may come in pieces. */
	assert_rc(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, key, 32, split, 3, out, 33), 0);
	assert_memory_equal(out, first, 33);

	assert_rc(ike_prf_plus(IKE_PRF_HMAC_SHA1, key, 32, &s, 1, out, 45), 0);
	assert_int_equal(unhex(pp_sha1_45, exp, sizeof(exp)), 45);
	assert_memory_equal(out, exp, 45);

	/* The counter is one octet: 255 blocks and no more (RFC 7296 2.13). */
	assert_rc(ike_prf_plus(IKE_PRF_HMAC_SHA1, key, 32, &s, 1, out, 255 * 20), 0);
	assert_memory_equal(out, exp, 45);
	memset(out, 0x77, sizeof(out));
	assert_rc(ike_prf_plus(IKE_PRF_HMAC_SHA1, key, 32, &s, 1, out, 255 * 20 + 1),
		  -IKE_CE_PRFPLUS_LIMIT);
	assert_int_equal(out[0], 0x77);
	assert_rc(ike_prf_plus(IKE_PRF_HMAC_SHA2_512, key, 32, &s, 1, out, 0), 0);
	assert_rc(ike_prf_plus(99, key, 32, &s, 1, out, 10), -IKE_CE_UNSUPPORTED);
	assert_rc(ike_prf_plus(IKE_PRF_HMAC_SHA1, key, 32, &s, 1, NULL, 10), -IKE_CE_INVAL);
	split[1].len = 3;	/* NULL with a length */
	assert_rc(ike_prf_plus(IKE_PRF_HMAC_SHA1, key, 32, split, 3, out, 10), -IKE_CE_INVAL);
}

/* ---- SK payload ------------------------------------------------------------ */

static const uint8_t spii[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
static const uint8_t spir[8] = { 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10 };

#define SK_OFF	(IKE_HDR_LEN + IKE_GENERIC_HDR_LEN)		/* SK */
#define SKF_OFF	(IKE_HDR_LEN + IKE_GENERIC_HDR_LEN + 4)	/* SKF, RFC 7383 2.5 */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * IKE header and SK (or SKF) payload header with final lengths, as the
 * message module would write them; returns the message length.
 */
static size_t build(const struct ike_sk *sk, uint8_t *msg, size_t body_off, size_t plainlen)
{
	size_t total = body_off + ike_sk_body_len(sk, plainlen);

	memcpy(msg, spii, 8);
	memcpy(msg + 8, spir, 8);
	msg[16] = body_off == SKF_OFF ? IKE_PL_SKF : IKE_PL_SK;
	msg[17] = IKE_VERSION;
	msg[18] = IKE_AUTH;
	msg[19] = IKE_FLAG_INITIATOR;
	put32(msg + 20, 1);
	put32(msg + 24, (uint32_t)total);
	msg[28] = IKE_PL_IDI;
	msg[29] = 0;
	msg[30] = (uint8_t)((total - 28) >> 8);
	msg[31] = (uint8_t)(total - 28);
	if (body_off == SKF_OFF) {
		/* Fragment Number 2, Total Fragments 3: authenticated, not encrypted. */
		msg[32] = 0;
		msg[33] = 2;
		msg[34] = 0;
		msg[35] = 3;
	}
	return total;
}

struct suite {
	struct ike_alg alg;
	const char *name;
};

static const struct suite suites[] = {
	{ { IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, 0 }, "aes128-sha1_96" },
	{ { IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128, 0 }, "aes128-sha256_128" },
	{ { IKE_ENCR_AES_CBC, 192, IKE_INTEG_HMAC_SHA2_384_192, 0 }, "aes192-sha384_192" },
	{ { IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_512_256, 0 }, "aes256-sha512_256" },
	{ { IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA1_96, 0 }, "aes256-sha1_96" },
	{ { IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, 0 }, "aes128gcm16" },
	{ { IKE_ENCR_AES_GCM_16, 192, IKE_INTEG_NONE, 0 }, "aes192gcm16" },
	{ { IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, 0 }, "aes256gcm16" },
	{ { IKE_ENCR_CHACHA20_POLY1305, 0, IKE_INTEG_NONE, 0 }, "chacha20poly1305" },
};

struct sk_pair {
	struct ike_sk *tx, *rx;
	struct ike_keysizes ks;
	uint8_t ekey[IKE_MAX_ENCR_KEY], akey[IKE_MAX_INTEG_KEY];
};

static struct ike_sk *sk_new_ok(const struct ike_alg *alg, const uint8_t *ekey, size_t elen,
				const uint8_t *akey, size_t alen)
{
	int err = 1;
	struct ike_sk *sk = ike_sk_new(alg, ekey, elen, alen ? akey : NULL, alen, &err);

	if (!sk)
		fail_msg("ike_sk_new: %s", ike_crypto_strerror(err));
	assert_int_equal(err, 0);
	return sk;
}

/* Sender and receiver objects sharing fresh random keys. */
static void pair_new(struct sk_pair *p, const struct ike_alg *alg)
{
	assert_rc(ike_keysizes_get(alg, &p->ks), 0);
	assert_rc(ike_random(p->ekey, p->ks.encr_key), 0);
	assert_rc(ike_random(p->akey, p->ks.integ_key), 0);
	p->tx = sk_new_ok(alg, p->ekey, p->ks.encr_key, p->akey, p->ks.integ_key);
	p->rx = sk_new_ok(alg, p->ekey, p->ks.encr_key, p->akey, p->ks.integ_key);
}

static void pair_free(struct sk_pair *p)
{
	ike_sk_free(p->tx);
	ike_sk_free(p->rx);
}

static void test_sk_round_trip(void **state)
{
	static const size_t lens[] = { 0, 1, 14, 15, 16, 17, 31, 32, 33, 100, 1000, 1471 };

	(void)state;
	for (size_t s = 0; s < ARRAY_SIZE(suites); s++) {
		struct sk_pair p;

		pair_new(&p, &suites[s].alg);
		for (size_t l = 0; l < ARRAY_SIZE(lens); l++) {
			for (size_t off = SK_OFF; off <= SKF_OFF; off += SKF_OFF - SK_OFF) {
				uint8_t plain[1500], msg[1600], out[1600];
				size_t n = lens[l], total = build(p.tx, msg, off, n);
				size_t ctlen = total - off - p.ks.iv - p.ks.icv, olen = sizeof(out);

				assert_rc(ike_random(plain, n), 0);
				if (!p.ks.aead)
					assert_int_equal(ctlen % 16, 0);
				assert_true(ctlen >= n + 1 && ctlen <= n + p.ks.block);
				assert_rc(ike_sk_encrypt(p.tx, msg, total, off, plain, n), 0);
				assert_rc(ike_sk_decrypt(p.rx, msg, total, off, out, &olen), 0);
				assert_int_equal(olen, n);
				assert_memory_equal(out, plain, n);

				/* In place, both ways: plaintext where the ciphertext goes. */
				total = build(p.tx, msg, off, n);
				memcpy(msg + off + p.ks.iv, plain, n);
				assert_rc(ike_sk_encrypt(p.tx, msg, total, off, msg + off + p.ks.iv,
							 n), 0);
				olen = ctlen;
				assert_rc(ike_sk_decrypt(p.rx, msg, total, off, msg + off + p.ks.iv,
							 &olen), 0);
				assert_int_equal(olen, n);
				assert_memory_equal(msg + off + p.ks.iv, plain, n);
			}
		}
		pair_free(&p);
	}
}

/* Every bit of header, SK header, IV, ciphertext and ICV is covered. */
static void test_sk_tamper(void **state)
{
	(void)state;
	for (size_t s = 0; s < ARRAY_SIZE(suites); s++) {
		for (size_t off = SK_OFF; off <= SKF_OFF; off += SKF_OFF - SK_OFF) {
			struct sk_pair p;
			uint8_t plain[40], msg[200], bad[200], out[200];
			size_t total;

			pair_new(&p, &suites[s].alg);
			pat(plain, sizeof(plain), 0x30, 1);
			total = build(p.tx, msg, off, sizeof(plain));
			assert_rc(ike_sk_encrypt(p.tx, msg, total, off, plain, sizeof(plain)), 0);
			for (size_t i = 0; i < total; i++) {
				for (int bit = 0; bit < 8; bit += 7) {
					size_t olen = sizeof(out);
					/* The IKE Length field is checked before the ICV. */
					int want = i >= 24 && i < 28 ? -IKE_CE_MSG_LENGTH
								     : -IKE_CE_ICV;

					memcpy(bad, msg, total);
					bad[i] ^= (uint8_t)(1 << bit);
					memset(out, 0xee, sizeof(out));
					assert_rc(ike_sk_decrypt(p.rx, bad, total, off, out, &olen),
						  want);
					/* Nothing of the plaintext escapes. */
					assert_memory_not_equal(out, plain, 8);
				}
			}
			pair_free(&p);
		}
	}
}

static void test_sk_wrong_key(void **state)
{
	(void)state;
	for (size_t s = 0; s < ARRAY_SIZE(suites); s++) {
		struct sk_pair p;
		struct ike_sk *other;
		uint8_t plain[64], msg[256], out[256];
		size_t total, olen = sizeof(out);

		pair_new(&p, &suites[s].alg);
		pat(plain, sizeof(plain), 0x11, 3);
		total = build(p.tx, msg, SK_OFF, sizeof(plain));
		assert_rc(ike_sk_encrypt(p.tx, msg, total, SK_OFF, plain, sizeof(plain)), 0);

		/* AEAD: another key, then another salt; CBC: another integrity key. */
		if (p.ks.aead) {
			p.ekey[0] ^= 0x80;
			other = sk_new_ok(&suites[s].alg, p.ekey, p.ks.encr_key, NULL, 0);
			assert_rc(ike_sk_decrypt(other, msg, total, SK_OFF, out, &olen),
				  -IKE_CE_ICV);
			ike_sk_free(other);
			p.ekey[0] ^= 0x80;
			p.ekey[p.ks.encr_key - 1] ^= 1;
		} else {
			p.akey[p.ks.integ_key - 1] ^= 1;
		}
		other = sk_new_ok(&suites[s].alg, p.ekey, p.ks.encr_key, p.akey, p.ks.integ_key);
		olen = sizeof(out);
		assert_rc(ike_sk_decrypt(other, msg, total, SK_OFF, out, &olen), -IKE_CE_ICV);
		ike_sk_free(other);
		pair_free(&p);
	}
}

/* Known answers: our encryption must produce Python's message byte for byte. */
static void aead_kat(const struct ike_alg *alg, const char *key, const char *msg1,
		     const char *msg2)
{
	uint8_t k[IKE_MAX_ENCR_KEY], inner[45], want[200], msg[200], out[200];
	size_t klen = unhex(key, k, sizeof(k)), wlen, total, olen;
	struct ike_sk *tx = sk_new_ok(alg, k, klen, NULL, 0);
	struct ike_sk *rx = sk_new_ok(alg, k, klen, NULL, 0);

	pat(inner, sizeof(inner), 0x61, 1);
	for (int i = 0; i < 2; i++) {
		const char *m = i ? msg2 : msg1;

		if (!m)
			break;
		wlen = unhex(m, want, sizeof(want));
		total = build(tx, msg, SK_OFF, sizeof(inner));
		assert_int_equal(total, wlen);
		/* The first message has IV 0, the next IV 1 (per-SA counter). */
		assert_rc(ike_sk_encrypt(tx, msg, total, SK_OFF, inner, sizeof(inner)), 0);
		assert_memory_equal(msg, want, wlen);
		olen = sizeof(out);
		assert_rc(ike_sk_decrypt(rx, want, wlen, SK_OFF, out, &olen), 0);
		assert_int_equal(olen, sizeof(inner));
		assert_memory_equal(out, inner, sizeof(inner));
	}
	ike_sk_free(tx);
	ike_sk_free(rx);
}

static void test_sk_kat_aes_gcm(void **state)
{
	const struct ike_alg gcm128 = { IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, 0 };
	const struct ike_alg gcm256 = { IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, 0 };

	(void)state;
	aead_kat(&gcm128, "e0e3e6e9eceff2f5f8fbfe0104070a0dcafebabe",
		 "0123456789abcdeffedcba98765432102e20230800000001000000662300004a"
		 "00000000000000001c247a059e3fdc75c9c719f002da7282372f37e41e19c7d8"
		 "fdf73a30726740bfa82b995d7b6100b611e62437824fdc437516e6cda668de92"
		 "a8ba1c2156d0",
		 "0123456789abcdeffedcba98765432102e20230800000001000000662300004a"
		 "0000000000000001143cd87d9affe46d284d6dd181b14657feb12be3719db7e9"
		 "c6223465f3e6e9049c3fc601dbc181cd9a066631e4fdfa2e4a67825e2aebbfc7"
		 "3bd09a122ae4");
	aead_kat(&gcm256,
		 "0724415e7b98b5d2ef0c294663809dbad7f4112e4b6885a2bfdcf91633506d8a01020304",
		 "0123456789abcdeffedcba98765432102e20230800000001000000662300004a"
		 "00000000000000006864dfb34b107c565d4494b9f7f11b035270a68ccbdc0436"
		 "cf248e9554d0fa2ba4b6323a0ae48908c49def154ff5e7acee3dd4d61c4b7ec9"
		 "ff4075a87396",
		 NULL);
}

static void test_sk_kat_chacha20_poly1305(void **state)
{
	const struct ike_alg cc = { IKE_ENCR_CHACHA20_POLY1305, 0, IKE_INTEG_NONE, 0 };

	(void)state;
	aead_kat(&cc, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3",
		 "0123456789abcdeffedcba98765432102e20230800000001000000662300004a"
		 "000000000000000089a86be6bdbe606fec1c6dfd736154095c2f028e970c68b4"
		 "4a235957760ca499f3ea369a532714156d477035ebebd651e8cc285b69f49571"
		 "cf6cd2f88124",
		 NULL);
}

static const char cbc_msg[] =
	"0123456789abcdeffedcba98765432102e202308000000010000009023000074"
	"90979ea5acb3bac1c8cfd6dde4ebf2f91501b11a6e6acd33e1147243f037d5ce"
	"52f5831122c22d68bd3ae76d509a0bb3316408bb101f5c8e5189c9c3104d5fb5"
	"3399be97fc58b3c76baea19e048e385ac62d7a4dd4d662d10e91bbd56d26e7ab"
	"38d404b2013de2195b506ae310a01bba";

static struct ike_sk *cbc_kat_sk(void)
{
	const struct ike_alg alg = { IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128, 0 };
	uint8_t ek[16], ak[32];

	pat(ek, sizeof(ek), 0x3c, 5);
	pat(ak, sizeof(ak), 0x77, 3);
	return sk_new_ok(&alg, ek, sizeof(ek), ak, sizeof(ak));
}

/* Python's AES-CBC message, with 34 octets of non-zero padding: accepted. */
static void test_sk_kat_aes_cbc(void **state)
{
	struct ike_sk *sk = cbc_kat_sk();
	uint8_t msg[200], inner[45], out[200];
	size_t len = unhex(cbc_msg, msg, sizeof(msg)), olen = sizeof(out);

	(void)state;
	pat(inner, sizeof(inner), 0x61, 1);
	assert_rc(ike_sk_decrypt(sk, msg, len, SK_OFF, out, &olen), 0);
	assert_int_equal(olen, sizeof(inner));
	assert_memory_equal(out, inner, sizeof(inner));
	ike_sk_free(sk);
}

/* Authentic messages whose Pad Length exceeds the plaintext. */
static void test_sk_bad_padding(void **state)
{
	const struct ike_alg gcm128 = { IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, 0 };
	struct ike_sk *cbc = cbc_kat_sk(), *gcm;
	uint8_t k[20], msg[200], out[200];
	size_t len, olen = sizeof(out);

	(void)state;
	len = unhex("0123456789abcdeffedcba98765432102e202308000000010000006023000044"
		    "90979ea5acb3bac1c8cfd6dde4ebf2f9aab3e93703a442d4f02bef5c96e1169e"
		    "e785a7913a4db36df4a704a8c5c88be44986a09ac31bb89609ee73a6a4c94814",
		    msg, sizeof(msg));
	assert_rc(ike_sk_decrypt(cbc, msg, len, SK_OFF, out, &olen), -IKE_CE_PADDING);

	unhex("e0e3e6e9eceff2f5f8fbfe0104070a0dcafebabe", k, sizeof(k));
	gcm = sk_new_ok(&gcm128, k, sizeof(k), NULL, 0);
	len = unhex("0123456789abcdeffedcba98765432102e202308000000010000004223000026"
		    "00000000000000003c045a25be1ffc55e9ed7ab41e94eb05dabc67d53a2c328a"
		    "5554", msg, sizeof(msg));
	olen = sizeof(out);
	assert_rc(ike_sk_decrypt(gcm, msg, len, SK_OFF, out, &olen), -IKE_CE_PADDING);
	ike_sk_free(cbc);
	ike_sk_free(gcm);
}

static void test_sk_layout_errors(void **state)
{
	struct sk_pair p, g;
	uint8_t msg[300], out[300], plain[40] = { 0 };
	size_t total, olen;
	const struct ike_alg cbc = { IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, 0 };
	const struct ike_alg gcm = { IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, 0 };
	int err = 0;

	(void)state;
	pair_new(&p, &cbc);
	pair_new(&g, &gcm);
	/* Body length: 16 IV + 32 ciphertext + 12 ICV for 20 bytes. */
	assert_int_equal(ike_sk_body_len(p.tx, 20), 60);
	assert_int_equal(ike_sk_body_len(p.tx, 15), 44);
	assert_int_equal(ike_sk_body_len(g.tx, 20), 8 + 21 + 16);
	for (size_t body = 0; body < 200; body++) {
		size_t m = ike_sk_max_plain(p.tx, body), a = ike_sk_max_plain(g.tx, body);

		if (m)
			assert_true(ike_sk_body_len(p.tx, m) <= body);
		assert_true(ike_sk_body_len(p.tx, m + 1) > body);
		if (a)
			assert_true(ike_sk_body_len(g.tx, a) <= body);
		assert_true(ike_sk_body_len(g.tx, a + 1) > body);
	}

	total = build(p.tx, msg, SK_OFF, 20);
	/* Wrong lengths for the plaintext, header Length not the message's. */
	assert_rc(ike_sk_encrypt(p.tx, msg, total, SK_OFF, plain, 32), -IKE_CE_MSG_LENGTH);
	assert_rc(ike_sk_encrypt(p.tx, msg, total + 16, SK_OFF, plain, 36), -IKE_CE_MSG_LENGTH);
	assert_rc(ike_sk_encrypt(p.tx, msg, total, 28, plain, 20), -IKE_CE_MSG_LENGTH);
	assert_rc(ike_sk_encrypt(p.tx, msg, total, total + 1, plain, 0), -IKE_CE_MSG_LENGTH);
	assert_rc(ike_sk_encrypt(p.tx, msg, total, SK_OFF, NULL, 20), -IKE_CE_INVAL);
	assert_rc(ike_sk_encrypt(NULL, msg, total, SK_OFF, plain, 20), -IKE_CE_INVAL);
	assert_rc(ike_sk_encrypt(p.tx, msg, total, SK_OFF, plain, 20), 0);

	olen = sizeof(out);
	assert_rc(ike_sk_decrypt(p.rx, msg, total, SK_OFF, out, &olen), 0);
	olen = 31;	/* the ciphertext is 32 bytes */
	assert_rc(ike_sk_decrypt(p.rx, msg, total, SK_OFF, out, &olen), -IKE_CE_BUFSIZE);
	olen = sizeof(out);
	/* Overlapping the message other than exactly in place. */
	assert_rc(ike_sk_decrypt(p.rx, msg, total, SK_OFF, msg + 1, &olen), -IKE_CE_INVAL);
	assert_rc(ike_sk_decrypt(p.rx, msg, total - 1, SK_OFF, out, &olen), -IKE_CE_MSG_LENGTH);
	/* Ciphertext not a whole number of blocks (header says so too). */
	put32(msg + 24, (uint32_t)total - 1);
	assert_rc(ike_sk_decrypt(p.rx, msg, total - 1, SK_OFF, out, &olen), -IKE_CE_MSG_LENGTH);
	/* Too short for IV, one block and ICV. */
	put32(msg + 24, SK_OFF + 16 + 12);
	assert_rc(ike_sk_decrypt(p.rx, msg, SK_OFF + 16 + 12, SK_OFF, out, &olen),
		  -IKE_CE_MSG_LENGTH);
	assert_rc(ike_sk_decrypt(p.rx, NULL, total, SK_OFF, out, &olen), -IKE_CE_INVAL);
	assert_rc(ike_sk_decrypt(p.rx, msg, total, SK_OFF, out, NULL), -IKE_CE_INVAL);

	/* AEAD: IV and ICV but not even the Pad Length octet. */
	put32(msg + 24, SK_OFF + 8 + 16);
	assert_rc(ike_sk_decrypt(g.rx, msg, SK_OFF + 8 + 16, SK_OFF, out, &olen),
		  -IKE_CE_MSG_LENGTH);

	/* Key material of the wrong size or suite. */
	assert_null(ike_sk_new(&cbc, p.ekey, 15, p.akey, 20, &err));
	assert_rc(err, -IKE_CE_INVAL);
	assert_null(ike_sk_new(&cbc, p.ekey, 16, p.akey, 32, &err));
	assert_rc(err, -IKE_CE_INVAL);
	assert_null(ike_sk_new(&cbc, p.ekey, 16, NULL, 20, &err));
	assert_rc(err, -IKE_CE_INVAL);
	assert_null(ike_sk_new(&gcm, p.ekey, 16, NULL, 0, &err));	/* salt missing */
	assert_rc(err, -IKE_CE_INVAL);
	assert_null(ike_sk_new(&gcm, p.ekey, 20, p.akey, 20, &err));
	assert_rc(err, -IKE_CE_INVAL);
	{
		const struct ike_alg bad = { IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_HMAC_SHA1_96, 0 };

		assert_null(ike_sk_new(&bad, p.ekey, 20, p.akey, 20, &err));
		assert_rc(err, -IKE_CE_UNSUPPORTED);
	}
	assert_null(ike_sk_new(NULL, p.ekey, 20, NULL, 0, NULL));
	assert_int_equal(ike_sk_body_len(NULL, 10), 0);
	ike_sk_free(NULL);
	pair_free(&p);
	pair_free(&g);
}

/* ---- PSK AUTH -------------------------------------------------------------- */

struct psk_in {
	uint8_t msg[120], nonce[32], skp[32], id[19];
};

static const char psk[] = "correct horse battery staple";

static void psk_inputs(struct psk_in *in)
{
	pat(in->msg, sizeof(in->msg), 0x21, 17);
	pat(in->nonce, sizeof(in->nonce), 0xa0, 5);
	pat(in->skp, sizeof(in->skp), 0x44, 9);
	memcpy(in->id, "\x02\x00\x00\x00vpn.example.net", sizeof(in->id));	/* ID_FQDN */
}

#define PSK_ARGS(in, skplen)                                                               \
	(const uint8_t *)psk, sizeof(psk) - 1, (in).msg, sizeof((in).msg), (in).nonce,    \
		sizeof((in).nonce), (in).skp, (skplen), (in).id, sizeof((in).id)

static void test_psk_auth(void **state)
{
	struct psk_in in;
	uint8_t out[64], want[64];
	size_t len = sizeof(out);

	(void)state;
	psk_inputs(&in);
	assert_rc(ike_psk_auth(IKE_PRF_HMAC_SHA2_256, PSK_ARGS(in, 32), out, &len), 0);
	assert_int_equal(len, 32);
	unhex("c23936ed9b9aa1c1d0fc3975b5f41ba0865ec891b87c157c8346ddd41947bcf9", want,
	      sizeof(want));
	assert_memory_equal(out, want, 32);
	assert_rc(ike_psk_verify(IKE_PRF_HMAC_SHA2_256, PSK_ARGS(in, 32), want, 32), 0);

	len = sizeof(out);
	assert_rc(ike_psk_auth(IKE_PRF_HMAC_SHA1, PSK_ARGS(in, 20), out, &len), 0);
	assert_int_equal(len, 20);
	unhex("ecb1da6f4c99aea2a941a6aa84d26ba1ce3c7b5a", want, sizeof(want));
	assert_memory_equal(out, want, 20);
	assert_rc(ike_psk_verify(IKE_PRF_HMAC_SHA1, PSK_ARGS(in, 20), want, 20), 0);

	len = 19;
	assert_rc(ike_psk_auth(IKE_PRF_HMAC_SHA1, PSK_ARGS(in, 20), out, &len), -IKE_CE_BUFSIZE);
	len = sizeof(out);
	assert_rc(ike_psk_auth(IKE_PRF_HMAC_SHA1, NULL, 0, in.msg, 120, in.nonce, 32, in.skp, 20,
			       in.id, sizeof(in.id), out, &len), -IKE_CE_INVAL);
	assert_rc(ike_psk_auth(99, PSK_ARGS(in, 20), out, &len), -IKE_CE_UNSUPPORTED);
}

static void test_psk_verify_rejects(void **state)
{
	struct psk_in in;
	uint8_t auth[32];
	size_t len = sizeof(auth);

	(void)state;
	psk_inputs(&in);
	assert_rc(ike_psk_auth(IKE_PRF_HMAC_SHA2_256, PSK_ARGS(in, 32), auth, &len), 0);
	/* Any one bit of the AUTH value. */
	for (size_t i = 0; i < sizeof(auth) * 8; i++) {
		auth[i / 8] ^= (uint8_t)(1 << (i % 8));
		assert_rc(ike_psk_verify(IKE_PRF_HMAC_SHA2_256, PSK_ARGS(in, 32), auth, 32),
			  -IKE_CE_AUTH);
		auth[i / 8] ^= (uint8_t)(1 << (i % 8));
	}
	/* One bit of each signed input. */
	in.msg[77] ^= 4;
	assert_rc(ike_psk_verify(IKE_PRF_HMAC_SHA2_256, PSK_ARGS(in, 32), auth, 32), -IKE_CE_AUTH);
	in.msg[77] ^= 4;
	in.nonce[0] ^= 1;
	assert_rc(ike_psk_verify(IKE_PRF_HMAC_SHA2_256, PSK_ARGS(in, 32), auth, 32), -IKE_CE_AUTH);
	in.nonce[0] ^= 1;
	in.id[4] ^= 0x20;
	assert_rc(ike_psk_verify(IKE_PRF_HMAC_SHA2_256, PSK_ARGS(in, 32), auth, 32), -IKE_CE_AUTH);
	in.id[4] ^= 0x20;
	in.skp[31] ^= 0x80;
	assert_rc(ike_psk_verify(IKE_PRF_HMAC_SHA2_256, PSK_ARGS(in, 32), auth, 32), -IKE_CE_AUTH);
	in.skp[31] ^= 0x80;
	/* Truncated, or computed with another PRF. */
	assert_rc(ike_psk_verify(IKE_PRF_HMAC_SHA2_256, PSK_ARGS(in, 32), auth, 31), -IKE_CE_AUTH);
	assert_rc(ike_psk_verify(IKE_PRF_HMAC_SHA2_384, PSK_ARGS(in, 32), auth, 32), -IKE_CE_AUTH);
	assert_rc(ike_psk_verify(IKE_PRF_HMAC_SHA2_256, PSK_ARGS(in, 32), auth, 32), 0);
	assert_rc(ike_psk_verify(IKE_PRF_HMAC_SHA2_256, PSK_ARGS(in, 32), NULL, 32),
		  -IKE_CE_INVAL);
}

/* ---- NAT detection ---------------------------------------------------------- */

static void test_natd(void **state)
{
	static const uint8_t zero[8];
	struct sockaddr_in v4 = { .sin_family = AF_INET, .sin_port = htons(500) };
	struct sockaddr_in6 v6 = { .sin6_family = AF_INET6, .sin6_port = htons(4500) };
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	uint8_t out[IKE_NATD_HASH_LEN], want[IKE_NATD_HASH_LEN];

	(void)state;
	assert_int_equal(inet_pton(AF_INET, "192.0.2.1", &v4.sin_addr), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", &v6.sin6_addr), 1);

	assert_rc(ike_natd_hash(spii, spir, (struct sockaddr *)&v4, out), 0);
	unhex("b43b59394bf8bc930246a8f80b6fddf05c58d9bf", want, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));

	assert_rc(ike_natd_hash(spii, zero, (struct sockaddr *)&v6, out), 0);
	unhex("3171550555febfcaa96bf57ef38afe1449b1b00f", want, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));

	/* The port is part of it: a NAT that only rewrites ports is detected too. */
	v4.sin_port = htons(4500);
	assert_rc(ike_natd_hash(spii, spir, (struct sockaddr *)&v4, out), 0);
	unhex("b43b59394bf8bc930246a8f80b6fddf05c58d9bf", want, sizeof(want));
	assert_memory_not_equal(out, want, sizeof(want));

	assert_rc(ike_natd_hash(spii, spir, (struct sockaddr *)&un, out), -IKE_CE_UNSUPPORTED);
	assert_rc(ike_natd_hash(spii, spir, NULL, out), -IKE_CE_INVAL);
	assert_rc(ike_natd_hash(NULL, spir, (struct sockaddr *)&v4, out), -IKE_CE_INVAL);
}

/* ---- Random values and cookies ---------------------------------------------- */

static void test_random(void **state)
{
	uint8_t a[IKE_NONCE_MAX + 1], b[IKE_NONCE_MAX];
	uint8_t spi[IKE_SPI_LEN];
	static const uint8_t zero[IKE_SPI_LEN];
	uint32_t esp;

	(void)state;
	assert_rc(ike_nonce(a, IKE_NONCE_LEN), 0);
	assert_rc(ike_nonce(b, IKE_NONCE_LEN), 0);
	assert_memory_not_equal(a, b, IKE_NONCE_LEN);
	assert_rc(ike_nonce(a, IKE_NONCE_MIN), 0);
	assert_rc(ike_nonce(a, IKE_NONCE_MAX), 0);
	assert_rc(ike_nonce(a, IKE_NONCE_MIN - 1), -IKE_CE_INVAL);
	assert_rc(ike_nonce(a, IKE_NONCE_MAX + 1), -IKE_CE_INVAL);
	assert_rc(ike_random(NULL, 4), -IKE_CE_INVAL);
	assert_rc(ike_random(a, 0), 0);

	assert_true(ike_nonce_len_ok(IKE_PRF_HMAC_SHA1, 16));
	assert_false(ike_nonce_len_ok(IKE_PRF_HMAC_SHA1, 15));
	assert_false(ike_nonce_len_ok(IKE_PRF_HMAC_SHA2_512, 31));	/* half of 64 */
	assert_true(ike_nonce_len_ok(IKE_PRF_HMAC_SHA2_512, 32));
	assert_true(ike_nonce_len_ok(IKE_PRF_HMAC_SHA2_256, 256));
	assert_false(ike_nonce_len_ok(IKE_PRF_HMAC_SHA2_256, 257));
	assert_false(ike_nonce_len_ok(0, 32));

	for (int i = 0; i < 200; i++) {
		assert_rc(ike_spi_ike(spi), 0);
		assert_memory_not_equal(spi, zero, sizeof(spi));
		assert_rc(ike_spi_esp(&esp), 0);
		assert_true(esp >= 256);
	}
	assert_rc(ike_spi_esp(NULL), -IKE_CE_INVAL);
}

static void test_cookie(void **state)
{
	struct sockaddr_in ip = { .sin_family = AF_INET, .sin_port = htons(500) };
	struct sockaddr_in other = ip;
	uint8_t secret[32], ni[32], cookie[IKE_COOKIE_LEN], bad[IKE_COOKIE_LEN];

	(void)state;
	inet_pton(AF_INET, "198.51.100.7", &ip.sin_addr);
	inet_pton(AF_INET, "198.51.100.8", &other.sin_addr);
	assert_rc(ike_random(secret, sizeof(secret)), 0);
	pat(ni, sizeof(ni), 9, 9);
	assert_rc(ike_cookie_make(secret, sizeof(secret), 0x01020304, ni, sizeof(ni),
				  (struct sockaddr *)&ip, spii, cookie), 0);
	assert_int_equal(ike_cookie_version(cookie, sizeof(cookie)), 0x01020304);
	assert_rc(ike_cookie_verify(secret, sizeof(secret), ni, sizeof(ni), (struct sockaddr *)&ip,
				    spii, cookie, sizeof(cookie)), 0);
	/* Another address, SPI, nonce or secret; a changed bit; a short cookie. */
	assert_rc(ike_cookie_verify(secret, sizeof(secret), ni, sizeof(ni),
				    (struct sockaddr *)&other, spii, cookie, sizeof(cookie)),
		  -IKE_CE_COOKIE);
	assert_rc(ike_cookie_verify(secret, sizeof(secret), ni, sizeof(ni), (struct sockaddr *)&ip,
				    spir, cookie, sizeof(cookie)), -IKE_CE_COOKIE);
	assert_rc(ike_cookie_verify(secret, sizeof(secret), ni, 31, (struct sockaddr *)&ip, spii,
				    cookie, sizeof(cookie)), -IKE_CE_COOKIE);
	assert_rc(ike_cookie_verify(secret, 31, ni, sizeof(ni), (struct sockaddr *)&ip, spii,
				    cookie, sizeof(cookie)), -IKE_CE_COOKIE);
	for (size_t i = 0; i < sizeof(cookie); i++) {
		memcpy(bad, cookie, sizeof(bad));
		bad[i] ^= 0x10;
		assert_rc(ike_cookie_verify(secret, sizeof(secret), ni, sizeof(ni),
					    (struct sockaddr *)&ip, spii, bad, sizeof(bad)),
			  -IKE_CE_COOKIE);
	}
	assert_rc(ike_cookie_verify(secret, sizeof(secret), ni, sizeof(ni), (struct sockaddr *)&ip,
				    spii, cookie, sizeof(cookie) - 1), -IKE_CE_COOKIE);
	assert_int_equal(ike_cookie_version(cookie, 3), -1);
	assert_rc(ike_cookie_make(NULL, 0, 1, ni, sizeof(ni), (struct sockaddr *)&ip, spii, cookie),
		  -IKE_CE_INVAL);
}

static void test_strerror(void **state)
{
	(void)state;
	for (int i = IKE_CRYPTO_OK; i <= IKE_CE_LIBCRYPTO; i++) {
		const char *s = ike_crypto_strerror(-i);

		assert_non_null(s);
		assert_true(strlen(s) > 0);
		assert_string_not_equal(s, "unknown crypto error");
		assert_string_equal(s, ike_crypto_strerror(i));
		for (int j = IKE_CRYPTO_OK; j < i; j++)
			assert_string_not_equal(s, ike_crypto_strerror(-j));
	}
	assert_string_equal(ike_crypto_strerror(-1000), "unknown crypto error");
	assert_string_equal(ike_crypto_strerror(INT_MIN), "unknown crypto error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc2202_hmac_sha1),
		cmocka_unit_test(test_rfc4231_hmac_sha2),
		cmocka_unit_test(test_prf_misc),
		cmocka_unit_test(test_prf_plus),
		cmocka_unit_test(test_sk_round_trip),
		cmocka_unit_test(test_sk_tamper),
		cmocka_unit_test(test_sk_wrong_key),
		cmocka_unit_test(test_sk_kat_aes_gcm),
		cmocka_unit_test(test_sk_kat_chacha20_poly1305),
		cmocka_unit_test(test_sk_kat_aes_cbc),
		cmocka_unit_test(test_sk_bad_padding),
		cmocka_unit_test(test_sk_layout_errors),
		cmocka_unit_test(test_psk_auth),
		cmocka_unit_test(test_psk_verify_rejects),
		cmocka_unit_test(test_natd),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests_name("crypto", tests, NULL, NULL);
}

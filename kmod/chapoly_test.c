// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the ChaCha20-Poly1305 library path, against RFC 8439's
 * AEAD vector and against the kernel's own rfc7539esp template (which
 * nobody here wrote). Included from chapoly.c.
 */

#include <crypto/aead.h>
#include <kunit/test.h>
#include <linux/random.h>

/* RFC 8439 section 2.8.2; its AAD has the shape of an ESN AAD. */
static const u8 chapoly_test_key[32] = {
	0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
	0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f,
	0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97,
	0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f,
};

static const u8 chapoly_test_salt[4] = { 0x07, 0x00, 0x00, 0x00 };
static const u8 chapoly_test_iv[8] = {
	0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
};

static const u8 chapoly_test_aad[12] = {
	0x50, 0x51, 0x52, 0x53, 0xc0, 0xc1, 0xc2, 0xc3,
	0xc4, 0xc5, 0xc6, 0xc7,
};

/* The plaintext, in two parts to fit the line length. */
static const char * const chapoly_test_plain_parts[] = {
	"Ladies and Gentlemen of the class of '99: ",
	"If I could offer you only one tip for the future, sunscreen would be it.",
};

static const u8 chapoly_test_cipher[114 + 16] = {
	0xd3, 0x1a, 0x8d, 0x34, 0x64, 0x8e, 0x60, 0xdb,
	0x7b, 0x86, 0xaf, 0xbc, 0x53, 0xef, 0x7e, 0xc2,
	0xa4, 0xad, 0xed, 0x51, 0x29, 0x6e, 0x08, 0xfe,
	0xa9, 0xe2, 0xb5, 0xa7, 0x36, 0xee, 0x62, 0xd6,
	0x3d, 0xbe, 0xa4, 0x5e, 0x8c, 0xa9, 0x67, 0x12,
	0x82, 0xfa, 0xfb, 0x69, 0xda, 0x92, 0x72, 0x8b,
	0x1a, 0x71, 0xde, 0x0a, 0x9e, 0x06, 0x0b, 0x29,
	0x05, 0xd6, 0xa5, 0xb6, 0x7e, 0xcd, 0x3b, 0x36,
	0x92, 0xdd, 0xbd, 0x7f, 0x2d, 0x77, 0x8b, 0x8c,
	0x98, 0x03, 0xae, 0xe3, 0x28, 0x09, 0x1b, 0x58,
	0xfa, 0xb3, 0x24, 0xe4, 0xfa, 0xd6, 0x75, 0x94,
	0x55, 0x85, 0x80, 0x8b, 0x48, 0x31, 0xd7, 0xbc,
	0x3f, 0xf4, 0xde, 0xf0, 0x8e, 0x4b, 0x7a, 0x9d,
	0xe5, 0x76, 0xd2, 0x65, 0x86, 0xce, 0xc6, 0x4b,
	0x61, 0x16,
	/* tag */
	0x1a, 0xe1, 0x0b, 0x59, 0x4f, 0x09, 0xe2, 0x6a,
	0x7e, 0x90, 0x2e, 0xcb, 0xd0, 0x60, 0x06, 0x91,
};

#define CHAPOLY_TEST_MAX	1600

static struct s2svpn_chapoly *chapoly_test_new(struct kunit *test, const u8 *key,
					       const u8 *salt)
{
	struct s2svpn_crypto_params p = {
		.enc_key = key, .enc_keylen = 32, .salt = salt,
	};
	struct s2svpn_chapoly *cp = s2svpn_chapoly_new(&p);

	KUNIT_ASSERT_NOT_NULL(test, cp);
	return cp;
}

/*
 * Spread @len bytes of @buf over up to four scatterlist entries cut at
 * @cuts (ascending, 0 for unused), as an skb's head and frags would be.
 */
static void chapoly_test_sg(struct scatterlist *sg, u8 *buf, unsigned int len,
			    const unsigned int *cuts)
{
	unsigned int n = 0, at = 0, i;

	sg_init_table(sg, 4);
	for (i = 0; i < 3 && cuts[i] && cuts[i] < len; i++) {
		if (cuts[i] <= at)
			continue;
		sg_set_buf(&sg[n++], buf + at, cuts[i] - at);
		at = cuts[i];
	}
	sg_set_buf(&sg[n++], buf + at, len - at);
	sg_mark_end(&sg[n - 1]);
}

/* The kernel's template on a linear ESP-shaped buffer: AAD, IV, payload, ICV. */
static int chapoly_test_template(struct kunit *test, const u8 *key, const u8 *salt,
				 const u8 *aad, unsigned int aad_len, const u8 *iv,
				 u8 *payload, unsigned int len, bool encrypt)
{
	u8 keyblob[36], ivbuf[8];
	struct aead_request *req;
	struct crypto_aead *tfm;
	struct scatterlist sg;
	DECLARE_CRYPTO_WAIT(wait);
	u8 *buf;
	int err;

	tfm = crypto_alloc_aead("rfc7539esp(chacha20,poly1305)", 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tfm));
	memcpy(keyblob, key, 32);
	memcpy(keyblob + 32, salt, 4);
	KUNIT_ASSERT_EQ(test, crypto_aead_setkey(tfm, keyblob, sizeof(keyblob)), 0);
	KUNIT_ASSERT_EQ(test, crypto_aead_setauthsize(tfm, 16), 0);
	req = aead_request_alloc(tfm, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, req);
	buf = kunit_kzalloc(test, aad_len + 8 + len + 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	memcpy(buf, aad, aad_len);
	memcpy(buf + aad_len, iv, 8);
	memcpy(buf + aad_len + 8, payload, len + (encrypt ? 0 : 16));
	memcpy(ivbuf, iv, 8);
	sg_init_one(&sg, buf, aad_len + 8 + len + 16);
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_SLEEP, crypto_req_done, &wait);
	aead_request_set_crypt(req, &sg, &sg, len + (encrypt ? 0 : 16), ivbuf);
	aead_request_set_ad(req, aad_len + 8);
	err = crypto_wait_req(encrypt ? crypto_aead_encrypt(req) :
			      crypto_aead_decrypt(req), &wait);
	if (!err)
		memcpy(payload, buf + aad_len + 8, len + (encrypt ? 16 : 0));
	aead_request_free(req);
	crypto_free_aead(tfm);
	return err;
}

static void chapoly_matches_rfc8439_vector(struct kunit *test)
{
	static const unsigned int cuts[][3] = {
		{ 0 }, { 1 }, { 63, 64, 65 }, { 5, 70, 128 }, { 114 },
	};
	struct s2svpn_chapoly *cp;
	struct scatterlist sg[4];
	unsigned int len, i;
	char *chapoly_test_plain;
	u8 *buf;

	chapoly_test_plain = kunit_kzalloc(test, 128, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, chapoly_test_plain);
	len = strlen(chapoly_test_plain_parts[0]);
	memcpy(chapoly_test_plain, chapoly_test_plain_parts[0], len);
	strscpy(chapoly_test_plain + len, chapoly_test_plain_parts[1], 128 - len);
	len = strlen(chapoly_test_plain);
	KUNIT_ASSERT_EQ(test, len, 114);
	buf = kunit_kzalloc(test, len + 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	cp = chapoly_test_new(test, chapoly_test_key, chapoly_test_salt);

	/* The vector is right: the kernel's template agrees with it. */
	memcpy(buf, chapoly_test_plain, len);
	KUNIT_ASSERT_EQ(test, chapoly_test_template(test, chapoly_test_key,
						    chapoly_test_salt, chapoly_test_aad,
						    12, chapoly_test_iv, buf, len, true), 0);
	KUNIT_EXPECT_EQ(test, memcmp(buf, chapoly_test_cipher, len + 16), 0);

	for (i = 0; i < ARRAY_SIZE(cuts); i++) {
		memcpy(buf, chapoly_test_plain, len);
		chapoly_test_sg(sg, buf, len + 16, cuts[i]);
		KUNIT_EXPECT_TRUE(test, s2svpn_chapoly_crypt(cp, chapoly_test_aad, 12,
							     chapoly_test_iv, sg, len,
							     true));
		KUNIT_EXPECT_EQ_MSG(test, memcmp(buf, chapoly_test_cipher, len + 16), 0,
				    "encrypt, cut at %u %u %u", cuts[i][0],
				    cuts[i][1], cuts[i][2]);
		KUNIT_EXPECT_TRUE(test, s2svpn_chapoly_crypt(cp, chapoly_test_aad, 12,
							     chapoly_test_iv, sg, len,
							     false));
		KUNIT_EXPECT_EQ_MSG(test, memcmp(buf, chapoly_test_plain, len), 0,
				    "decrypt, cut at %u %u %u", cuts[i][0],
				    cuts[i][1], cuts[i][2]);
	}
	s2svpn_chapoly_free(cp);
}

/* Random keys, lengths and cuts: ours and the template's packets are one. */
static void chapoly_interoperates_with_template(struct kunit *test)
{
	u8 key[32], salt[4], iv[8], aad[12];
	struct s2svpn_chapoly *cp;
	struct scatterlist sg[4];
	u8 *plain, *a, *b;
	int round;

	plain = kunit_kmalloc(test, CHAPOLY_TEST_MAX, GFP_KERNEL);
	a = kunit_kmalloc(test, CHAPOLY_TEST_MAX + 16, GFP_KERNEL);
	b = kunit_kmalloc(test, CHAPOLY_TEST_MAX + 16, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, plain && a && b);

	for (round = 0; round < 40; round++) {
		unsigned int len = 1 + get_random_u32_below(CHAPOLY_TEST_MAX);
		unsigned int aad_len = round & 1 ? 12 : 8;
		unsigned int cuts[3], i;

		get_random_bytes(key, sizeof(key));
		get_random_bytes(salt, sizeof(salt));
		get_random_bytes(iv, sizeof(iv));
		get_random_bytes(aad, sizeof(aad));
		get_random_bytes(plain, len);
		for (i = 0; i < 3; i++)
			cuts[i] = 1 + get_random_u32_below(len + 15);
		if (cuts[0] > cuts[1])
			swap(cuts[0], cuts[1]);
		if (cuts[1] > cuts[2])
			swap(cuts[1], cuts[2]);
		if (cuts[0] > cuts[1])
			swap(cuts[0], cuts[1]);
		cp = chapoly_test_new(test, key, salt);

		/* Ours encrypts, the template decrypts. */
		memcpy(a, plain, len);
		chapoly_test_sg(sg, a, len + 16, cuts);
		KUNIT_EXPECT_TRUE(test, s2svpn_chapoly_crypt(cp, aad, aad_len, iv, sg,
							     len, true));
		memcpy(b, a, len + 16);
		KUNIT_EXPECT_EQ_MSG(test, chapoly_test_template(test, key, salt, aad,
								aad_len, iv, b, len,
								false), 0,
				    "template refused our packet: len %u", len);
		KUNIT_EXPECT_EQ(test, memcmp(b, plain, len), 0);

		/* The template encrypts, ours decrypts; a flipped bit fails. */
		memcpy(b, plain, len);
		KUNIT_ASSERT_EQ(test, chapoly_test_template(test, key, salt, aad, aad_len,
							    iv, b, len, true), 0);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(a, b, len + 16), 0, "len %u", len);
		chapoly_test_sg(sg, b, len + 16, cuts);
		KUNIT_EXPECT_TRUE(test, s2svpn_chapoly_crypt(cp, aad, aad_len, iv, sg,
							     len, false));
		KUNIT_EXPECT_EQ(test, memcmp(b, plain, len), 0);

		memcpy(b, a, len + 16);
		b[get_random_u32_below(len + 16)] ^= 1 << get_random_u32_below(8);
		KUNIT_EXPECT_FALSE(test, s2svpn_chapoly_crypt(cp, aad, aad_len, iv, sg,
							      len, false));
		s2svpn_chapoly_free(cp);
	}
}

static void chapoly_refuses_short_buffer(struct kunit *test)
{
	struct s2svpn_chapoly *cp;
	struct scatterlist sg;
	unsigned int len;
	u8 *buf;

	/* Not on the stack: scatterlists need linearly mapped memory. */
	buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	cp = chapoly_test_new(test, chapoly_test_key, chapoly_test_salt);
	sg_init_one(&sg, buf, 64);
	/* No room for payload and ICV: refused, nothing past the buffer touched. */
	for (len = 64 - 15; len <= 65; len++)
		KUNIT_EXPECT_FALSE_MSG(test, s2svpn_chapoly_crypt(cp, chapoly_test_aad, 8,
								  chapoly_test_iv, &sg,
								  len, true),
				       "payload %u + ICV in 64 bytes", len);
	KUNIT_EXPECT_TRUE(test, s2svpn_chapoly_crypt(cp, chapoly_test_aad, 8,
						     chapoly_test_iv, &sg, 48, true));
	s2svpn_chapoly_free(cp);
}

static struct kunit_case s2svpn_chapoly_cases[] = {
	KUNIT_CASE(chapoly_matches_rfc8439_vector),
	KUNIT_CASE(chapoly_interoperates_with_template),
	KUNIT_CASE(chapoly_refuses_short_buffer),
	{}
};

static struct kunit_suite s2svpn_chapoly_suite = {
	.name = "s2svpn_chapoly",
	.test_cases = s2svpn_chapoly_cases,
};

kunit_test_suite(s2svpn_chapoly_suite);

// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the algorithm table and transform setup. Included from
 * crypto.c.
 */

#include <kunit/test.h>

static const u8 crypto_test_key[64] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

static void crypto_maps_every_algorithm(struct kunit *test)
{
	static const struct {
		const char *name;
		unsigned int enc, auth, icv, iv;
	} cases[] = {
		{ "rfc4106(gcm(aes))", 16, 0, 16, 8 },
		{ "rfc4106(gcm(aes))", 32, 0, 16, 8 },
		{ "rfc7539esp(chacha20,poly1305)", 32, 0, 16, 8 },
		{ "authenc(hmac(sha1),cbc(aes))", 16, 20, 12, 16 },
		{ "authenc(hmac(sha256),cbc(aes))", 32, 32, 16, 16 },
		{ "authenc(hmac(sha384),cbc(aes))", 32, 48, 24, 16 },
		{ "authenc(hmac(sha512),cbc(aes))", 16, 64, 32, 16 },
	};
	int i, esn;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		for (esn = 0; esn < 2; esn++) {
			struct s2svpn_crypto_params p = {
				.alg = s2svpn_alg_find(cases[i].name),
				.enc_key = crypto_test_key,
				.enc_keylen = cases[i].enc,
				.esn = esn,
			};
			struct crypto_aead *tfm;

			KUNIT_ASSERT_NOT_NULL(test, p.alg);
			if (p.alg->combined) {
				p.salt = crypto_test_key;
			} else {
				p.auth_key = crypto_test_key;
				p.auth_keylen = cases[i].auth;
			}
			tfm = s2svpn_crypto_tfm_new(&p, NULL);
			KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(tfm), "%s: %ld",
					       cases[i].name, PTR_ERR(tfm));
			KUNIT_EXPECT_EQ(test, crypto_aead_authsize(tfm), cases[i].icv);
			KUNIT_EXPECT_EQ(test, crypto_aead_ivsize(tfm), cases[i].iv);
			KUNIT_EXPECT_EQ(test, p.alg->iv_len, cases[i].iv);
			crypto_free_aead(tfm);
		}
	}
	KUNIT_EXPECT_NULL(test, s2svpn_alg_find("cbc(des3_ede)"));
	KUNIT_EXPECT_NULL(test, s2svpn_alg_find(""));
}

static int crypto_try(const char *name, unsigned int enc, const u8 *salt,
		      unsigned int auth, u8 icv, struct netlink_ext_ack *extack)
{
	struct s2svpn_crypto_params p = {
		.alg = s2svpn_alg_find(name),
		.enc_key = crypto_test_key,
		.enc_keylen = enc,
		.auth_key = auth ? crypto_test_key : NULL,
		.auth_keylen = auth,
		.salt = salt,
		.icv_len = icv,
	};
	struct crypto_aead *tfm = s2svpn_crypto_tfm_new(&p, extack);

	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	crypto_free_aead(tfm);
	return 0;
}

static void crypto_rejects_bad_parameters(struct kunit *test)
{
	struct netlink_ext_ack extack = {};
	const u8 *salt = crypto_test_key;

	KUNIT_EXPECT_EQ(test, crypto_try("rfc4106(gcm(aes))", 20, salt, 0, 0, &extack),
			-EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, extack._msg);
	KUNIT_EXPECT_EQ(test, crypto_try("rfc4106(gcm(aes))", 16, NULL, 0, 0, &extack),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, crypto_try("rfc4106(gcm(aes))", 16, salt, 20, 0, &extack),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, crypto_try("rfc4106(gcm(aes))", 16, salt, 0, 10, &extack),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, crypto_try("rfc4106(gcm(aes))", 16, salt, 0, 12, &extack), 0);
	KUNIT_EXPECT_EQ(test, crypto_try("rfc7539esp(chacha20,poly1305)", 16, salt, 0, 0,
					 &extack), -EINVAL);
	KUNIT_EXPECT_EQ(test, crypto_try("authenc(hmac(sha256),cbc(aes))", 16, NULL, 20,
					 0, &extack), -EINVAL);
	KUNIT_EXPECT_EQ(test, crypto_try("authenc(hmac(sha256),cbc(aes))", 16, salt, 32,
					 0, &extack), -EINVAL);
	KUNIT_EXPECT_EQ(test, crypto_try("authenc(hmac(sha256),cbc(aes))", 16, NULL, 0,
					 0, &extack), -EINVAL);
	KUNIT_EXPECT_EQ(test, crypto_try("authenc(hmac(sha256),cbc(aes))", 24, NULL, 32,
					 0, &extack), 0);
}

/* No allocation per packet: one request's memory serves the next. */
static void crypto_req_reuses_cached_buffer(struct kunit *test)
{
	struct s2svpn_crypto_req *cr, *again, *nested;
	struct crypto_aead *tfm;
	struct scatterlist *sg;

	/* 6.1's KUnit runs module suites before the module's init function. */
	if (!s2svpn_scratch)
		kunit_skip(test, "module not initialized yet when this kernel runs suites");
	tfm = crypto_alloc_aead("seqiv(rfc4106(gcm(aes)))", 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tfm));
	local_bh_disable();
	cr = s2svpn_crypto_req_get(tfm, MAX_SKB_FRAGS + 1, true, &sg);
	if (cr) {
		/* Scatterlists will point into it: linearly mapped memory. */
		KUNIT_EXPECT_TRUE(test, virt_addr_valid(cr));
		KUNIT_EXPECT_TRUE(test, cr->cached);
		/* A second one while the first is in use (async, nested). */
		nested = s2svpn_crypto_req_get(tfm, 1, true, &sg);
		KUNIT_EXPECT_NOT_NULL(test, nested);
		KUNIT_EXPECT_PTR_NE(test, nested, cr);
		/* The first back refills the cache, the second is freed. */
		s2svpn_crypto_req_put(cr);
		if (nested)
			s2svpn_crypto_req_put(nested);
	}
	again = s2svpn_crypto_req_get(tfm, MAX_SKB_FRAGS + 1, true, &sg);
	if (again)
		s2svpn_crypto_req_put(again);
	local_bh_enable();
	KUNIT_EXPECT_NOT_NULL(test, cr);
	KUNIT_EXPECT_NOT_NULL(test, again);
	/* The nested one was freed, the first one cached and reused. */
	KUNIT_EXPECT_PTR_EQ(test, again, cr);
	crypto_free_aead(tfm);
}

static struct kunit_case s2svpn_crypto_cases[] = {
	KUNIT_CASE(crypto_maps_every_algorithm),
	KUNIT_CASE(crypto_rejects_bad_parameters),
	KUNIT_CASE(crypto_req_reuses_cached_buffer),
	{}
};

static struct kunit_suite s2svpn_crypto_suite = {
	.name = "s2svpn_crypto",
	.test_cases = s2svpn_crypto_cases,
};

kunit_test_suite(s2svpn_crypto_suite);

// SPDX-License-Identifier: GPL-2.0
/*
 * Key derivation tests: transform key sizes, SKEYSEED and SK_* (RFC 7296
 * 2.14), rekeyed IKE SA (2.18) and Child SA KEYMAT (2.17).
 *
 * The expected values were generated at authoring time, independently of
 * this code, with Python 3's hmac/hashlib (Debian 12), prf+ written from
 * the RFC text:
 *
 *   def prf(h, k, d): return hmac.new(k, d, h).digest()
 *   def prfplus(h, k, s, n):
 *       out, t, i = b'', b'', 1
 *       while len(out) < n:
 *           t = prf(h, k, t + s + bytes([i])); out += t; i += 1
 *       return out[:n]
 *   def pat(n, start, step=1): return bytes((start + i * step) & 0xff for i in range(n))
 *
 *   ni, nr, gir = pat(32, 0x10), pat(32, 0x80, 3), pat(256, 0x5a, 7)
 *   spii, spir = 0123456789abcdef, fedcba9876543210
 *   kd1_skeyseed = prf(sha256, ni + nr, gir)
 *   kd1_keymat = prfplus(sha256, kd1_skeyseed, ni + nr + spii + spir, 3*32 + 2*32 + 2*32)
 *   kd2_skeyseed = prf(sha384, ni + nr, gir)
 *   kd2_keymat = prfplus(sha384, kd2_skeyseed, ni + nr + spii + spir, 3*48 + 2*36)
 *   rekey: nni, nnr, ngir = pat(32, 0x33, 5), pat(48, 0xc1, 11), pat(256, 0x99, 13)
 *          nspii, nspir = 1111222233334444, 5555666677778888; sk_d = kd1_keymat[:32]
 *   rk_skeyseed = prf(sha256, sk_d, ngir + nni + nnr)         (old SA's PRF)
 *   rk_keymat = prfplus(sha384, rk_skeyseed, nni + nnr + nspii + nspir, 3*48 + 2*36)
 *   ch1_keymat = prfplus(sha256, sk_d, nni + nnr, 2*20)         (no PFS)
 *   ch2_keymat = prfplus(sha256, sk_d, ngir + nni + nnr, 2*(16+20))  (PFS)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto.h"
#include "testutil.h"

static const char kd1_skeyseed[] =
	"08a96ab41aabe44b7cb2334b26e113a5cfa6cd88ca984fc79a7f67b90b2ce3c5";
static const char kd1_keymat[] =
	"1e6c09d3801313a1be3fd72af0f9d5a6db8b98601dd890293c0036be1b88f14f"
	"8f1f308893c584833025cdca9732aa95bd28987f3d40e3a5faf4a7220cfe16b7"
	"5389e01d749e9513f24f2dfa748ee16207ca9bf401230ceb20120634543a717c"
	"9b117974128c3e455d59adb941be172bbc6da7913042fdf0b748fc816f349d1b"
	"5c2771b98e3f0706affb76309c314621fdb1bedcd0122b4f52760bedf76302fd"
	"0e429ad0147d4e3c6c1d998c4d3d7f479d86f6b285b0f1d6b1f373b567545d0c"
	"2eb7915baa457495e3dea55704596383f6c5c6fa76f8df8f24e0f6d632775848";
static const char kd2_skeyseed[] =
	"97700df7c45f70eb7c606986c9943b383d223ad8bd3e9e6c4ac6f84f1ed8a0d3"
	"7b8469f9a22a3e05e14a643605937b57";
static const char kd2_keymat[] =
	"9f445ee0090996b76f91b21c017e235b3b35b368ad56f88e3763e38ac4e78a83"
	"e94a041e4287f57f10fe408c6160cad7ba9529b37c89de3c8985d36b19129dae"
	"5360ef265598808c1bd4b440e93f52b55fd943bce435428cf266de9b970e837c"
	"40a8d64ef66ad429f4bd9c7fb68daa22db2ce4d1dfd9893e3cedc41ee8810fd0"
	"36433ddfb960188f123057922b103072169896ada134039ef47b744aa42a0c4f"
	"6835d963be6215b75df51a9b9481aaa3ccb96ad1343ec3a3516a0cfd6a4d5058"
	"d388ca6c5e0acfd78f1c5654b370b706993dd79fda98c5dc";
static const char rk_skeyseed[] =
	"d7bcf19307a75d7483ca7e61a374257845348e5b73733ce8f496886857573aac";
static const char rk_keymat[] =
	"024b339cf5c97b6b3bdf93ff57f180567a6c93ae9989dc1116430d95c100b9f0"
	"5f1e24c644b678b0446e4662051875cbf4da01779eaa19610c7929d44158b175"
	"fe77bb404a220ee949174331a8d27ba12b9d7178633a61381ba6882bacc830ca"
	"1227340425100046183501dc2a079966e7040f382068e91190af28bfd3485b96"
	"e241170727e84d87ab7fdcd76ba587eae52fe9695d7da7dcf046f9c07105085f"
	"c3c78e0dfd3e8cdaa033589cfc6c45d3d92af3176409b054d55147953cdb4699"
	"79465decebd7cad0815eb4638017e9e283fc94138b16d3a4";
static const char ch1_keymat[] =
	"d956049c8fec6dd3b59855f9db2676674298874b7fa213e088c8ba89dae8dbaf"
	"62cfb1b8e8639709";
static const char ch2_keymat[] =
	"f200d509540138a478ebdbe29cdaa6595ada6b742f17c8d8490367648826ede4"
	"ef1d73760b97ad3dcfa8e14fa58b6ec0e75d539e93430adef97352fd5dbdbff0"
	"d76bfc9b23a59758";

static const uint8_t spii[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
static const uint8_t spir[8] = { 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10 };
static const uint8_t nspii[8] = { 0x11, 0x11, 0x22, 0x22, 0x33, 0x33, 0x44, 0x44 };
static const uint8_t nspir[8] = { 0x55, 0x55, 0x66, 0x66, 0x77, 0x77, 0x88, 0x88 };

struct inputs {
	uint8_t ni[32], nr[32], gir[256];
	uint8_t nni[32], nnr[48], ngir[256];
};

static void inputs(struct inputs *in)
{
	pat(in->ni, sizeof(in->ni), 0x10, 1);
	pat(in->nr, sizeof(in->nr), 0x80, 3);
	pat(in->gir, sizeof(in->gir), 0x5a, 7);
	pat(in->nni, sizeof(in->nni), 0x33, 5);
	pat(in->nnr, sizeof(in->nnr), 0xc1, 11);
	pat(in->ngir, sizeof(in->ngir), 0x99, 13);
}

/* Compare n bytes of got with the next n bytes of the expected stream. */
static void next_is(const uint8_t **want, const uint8_t *got, size_t n)
{
	assert_memory_equal(got, *want, n);
	*want += n;
}

static void assert_sa_keys(const struct ike_sa_keys *k, const uint8_t *km, size_t kmlen)
{
	const uint8_t *w = km;
	const struct ike_keysizes *s = &k->sz;

	next_is(&w, k->sk_d, s->prf_len);
	next_is(&w, k->sk_ai, s->integ_key);
	next_is(&w, k->sk_ar, s->integ_key);
	next_is(&w, k->sk_ei, s->encr_key);
	next_is(&w, k->sk_er, s->encr_key);
	next_is(&w, k->sk_pi, s->prf_len);
	next_is(&w, k->sk_pr, s->prf_len);
	assert_int_equal(w - km, kmlen);
}

static void test_keysizes(void **state)
{
	static const struct {
		struct ike_alg alg;
		size_t encr, salt, integ, prf, iv, icv, block;
		bool aead;
	} ok[] = {
		{ { IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1 },
		  16, 0, 20, 20, 16, 12, 16, false },
		{ { IKE_ENCR_AES_CBC, 192, IKE_INTEG_HMAC_SHA2_256_128, IKE_PRF_HMAC_SHA2_256 },
		  24, 0, 32, 32, 16, 16, 16, false },
		{ { IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_384_192, IKE_PRF_HMAC_SHA2_384 },
		  32, 0, 48, 48, 16, 24, 16, false },
		{ { IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_512_256, IKE_PRF_HMAC_SHA2_512 },
		  32, 0, 64, 64, 16, 32, 16, false },
		/* RFC 5282: key | 4-byte salt; no integrity transform. */
		{ { IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA2_256 },
		  20, 4, 0, 32, 8, 16, 1, true },
		{ { IKE_ENCR_AES_GCM_16, 192, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA2_256 },
		  28, 4, 0, 32, 8, 16, 1, true },
		{ { IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA2_512 },
		  36, 4, 0, 64, 8, 16, 1, true },
		/* RFC 7634: 256-bit key | 4-byte salt, no Key Length attribute. */
		{ { IKE_ENCR_CHACHA20_POLY1305, 0, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA2_256 },
		  36, 4, 0, 32, 8, 16, 1, true },
		/* ESP: no PRF. */
		{ { IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, 0 }, 20, 4, 0, 0, 8, 16, 1, true },
	};
	static const struct ike_alg bad[] = {
		{ IKE_ENCR_AES_CBC, 0, IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1 },
		{ IKE_ENCR_AES_CBC, 64, IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1 },
		{ IKE_ENCR_AES_CBC, 128, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA1 },
		{ IKE_ENCR_AES_CBC, 128, 1 /* HMAC-MD5-96 */, IKE_PRF_HMAC_SHA1 },
		{ IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, 1 /* HMAC-MD5 */ },
		{ IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1 },
		{ IKE_ENCR_AES_GCM_16, 0, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA1 },
		{ IKE_ENCR_CHACHA20_POLY1305, 128, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA1 },
		{ 3 /* 3DES */, 0, IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1 },
	};
	struct ike_keysizes ks;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		assert_rc(ike_keysizes_get(&ok[i].alg, &ks), 0);
		assert_int_equal(ks.encr_key, ok[i].encr);
		assert_int_equal(ks.salt, ok[i].salt);
		assert_int_equal(ks.integ_key, ok[i].integ);
		assert_int_equal(ks.prf_len, ok[i].prf);
		assert_int_equal(ks.iv, ok[i].iv);
		assert_int_equal(ks.icv, ok[i].icv);
		assert_int_equal(ks.block, ok[i].block);
		assert_int_equal(ks.aead, ok[i].aead);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_rc(ike_keysizes_get(&bad[i], &ks), -IKE_CE_UNSUPPORTED);
	assert_rc(ike_keysizes_get(NULL, &ks), -IKE_CE_INVAL);
	assert_rc(ike_keysizes_get(&ok[0].alg, NULL), -IKE_CE_INVAL);
}

/* AES-CBC-256, HMAC-SHA2-256-128, PRF-HMAC-SHA2-256. */
static void test_ike_sa_cbc_sha256(void **state)
{
	const struct ike_alg alg = {
		IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128, IKE_PRF_HMAC_SHA2_256,
	};
	struct inputs in;
	uint8_t seed[64], want[64], km[224];
	size_t len = sizeof(seed);
	struct ike_sa_keys k;

	(void)state;
	inputs(&in);
	assert_rc(ike_skeyseed(alg.prf, in.ni, 32, in.nr, 32, in.gir, 256, seed, &len), 0);
	assert_int_equal(len, 32);
	assert_int_equal(unhex(kd1_skeyseed, want, sizeof(want)), 32);
	assert_memory_equal(seed, want, 32);

	assert_rc(ike_sa_keys_derive(&alg, seed, len, in.ni, 32, in.nr, 32, spii, spir, &k), 0);
	assert_int_equal(k.sz.prf_len, 32);
	assert_int_equal(k.sz.integ_key, 32);
	assert_int_equal(k.sz.encr_key, 32);
	assert_sa_keys(&k, km, unhex(kd1_keymat, km, sizeof(km)));
	ike_sa_keys_wipe(&k);
	assert_int_equal(k.sz.prf_len, 0);
}

/* AES-GCM-16-256 with PRF-HMAC-SHA2-384: SK_e includes the salt, no SK_a. */
static void test_ike_sa_gcm_sha384(void **state)
{
	const struct ike_alg alg = {
		IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA2_384,
	};
	static const uint8_t zero[IKE_MAX_INTEG_KEY];
	struct inputs in;
	uint8_t seed[64], want[64], km[216];
	size_t len = sizeof(seed);
	struct ike_sa_keys k;

	(void)state;
	inputs(&in);
	assert_rc(ike_skeyseed(alg.prf, in.ni, 32, in.nr, 32, in.gir, 256, seed, &len), 0);
	assert_int_equal(len, 48);
	assert_int_equal(unhex(kd2_skeyseed, want, sizeof(want)), 48);
	assert_memory_equal(seed, want, 48);

	assert_rc(ike_sa_keys_derive(&alg, seed, len, in.ni, 32, in.nr, 32, spii, spir, &k), 0);
	assert_int_equal(k.sz.encr_key, 36);
	assert_int_equal(k.sz.salt, 4);
	assert_int_equal(k.sz.integ_key, 0);
	assert_sa_keys(&k, km, unhex(kd2_keymat, km, sizeof(km)));
	assert_memory_equal(k.sk_ai, zero, sizeof(zero));
	assert_memory_equal(k.sk_ar, zero, sizeof(zero));
	ike_sa_keys_wipe(&k);
}

/*
 * Rekey (RFC 7296 2.18): old SA PRF-HMAC-SHA2-256 with its SK_d; new SA
 * AES-GCM-16-256 with PRF-HMAC-SHA2-384, new nonces, SPIs and g^ir.
 */
static void test_ike_sa_rekey(void **state)
{
	const struct ike_alg alg = {
		IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA2_384,
	};
	struct inputs in;
	uint8_t sk_d[32], seed[64], want[64], km[224];
	size_t len = sizeof(seed);
	struct ike_sa_keys k;

	(void)state;
	inputs(&in);
	unhex(kd1_keymat, km, sizeof(km));
	memcpy(sk_d, km, 32);
	assert_rc(ike_skeyseed_rekey(IKE_PRF_HMAC_SHA2_256, sk_d, 32, in.ngir, 256, in.nni, 32,
				     in.nnr, 48, seed, &len), 0);
	assert_int_equal(len, 32);	/* the old SA's PRF decides */
	assert_int_equal(unhex(rk_skeyseed, want, sizeof(want)), 32);
	assert_memory_equal(seed, want, 32);

	/* prf+ uses the new SA's PRF (SHA2-384), keyed with the 32-byte SKEYSEED. */
	assert_rc(ike_sa_keys_derive(&alg, seed, len, in.nni, 32, in.nnr, 48, nspii, nspir, &k),
		  0);
	assert_int_equal(k.sz.prf_len, 48);
	assert_sa_keys(&k, km, unhex(rk_keymat, km, sizeof(km)));
	ike_sa_keys_wipe(&k);

	/* A rekey without Diffie-Hellman is refused (section 2.18). */
	len = sizeof(seed);
	assert_rc(ike_skeyseed_rekey(IKE_PRF_HMAC_SHA2_256, sk_d, 32, NULL, 0, in.nni, 32, in.nnr,
				     48, seed, &len), -IKE_CE_INVAL);
}

static void assert_child(const struct ike_child_keys *k, const uint8_t *km, size_t kmlen)
{
	const uint8_t *w = km;

	next_is(&w, k->encr_ir, k->sz.encr_key);
	next_is(&w, k->integ_ir, k->sz.integ_key);
	next_is(&w, k->encr_ri, k->sz.encr_key);
	next_is(&w, k->integ_ri, k->sz.integ_key);
	assert_int_equal(w - km, kmlen);
}

static void test_child_no_pfs_gcm(void **state)
{
	const struct ike_alg esp = { IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, 0 };
	struct inputs in;
	uint8_t kd[224], km[40];
	struct ike_child_keys k;

	(void)state;
	inputs(&in);
	unhex(kd1_keymat, kd, sizeof(kd));	/* SK_d = first 32 bytes */
	assert_rc(ike_child_keys_derive(IKE_PRF_HMAC_SHA2_256, kd, 32, &esp, NULL, 0, in.nni, 32,
					in.nnr, 48, &k), 0);
	/* GCM: 16-byte key | 4-byte salt per direction, no integrity key. */
	assert_int_equal(k.sz.encr_key, 20);
	assert_int_equal(k.sz.salt, 4);
	assert_int_equal(k.sz.integ_key, 0);
	assert_child(&k, km, unhex(ch1_keymat, km, sizeof(km)));
	ike_child_keys_wipe(&k);
}

static void test_child_pfs_cbc(void **state)
{
	/* The ESP proposal's own PRF field, if set, is ignored: SK_d's PRF rules. */
	const struct ike_alg esp = {
		IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA2_512,
	};
	struct inputs in;
	uint8_t kd[224], km[72];
	struct ike_child_keys k;

	(void)state;
	inputs(&in);
	unhex(kd1_keymat, kd, sizeof(kd));
	assert_rc(ike_child_keys_derive(IKE_PRF_HMAC_SHA2_256, kd, 32, &esp, in.ngir, 256, in.nni,
					32, in.nnr, 48, &k), 0);
	assert_int_equal(k.sz.encr_key, 16);
	assert_int_equal(k.sz.integ_key, 20);
	assert_child(&k, km, unhex(ch2_keymat, km, sizeof(km)));
	ike_child_keys_wipe(&k);
}

static void test_kdf_errors(void **state)
{
	const struct ike_alg alg = {
		IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1,
	};
	const struct ike_alg esp = { IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, 0 };
	struct inputs in;
	uint8_t seed[64], big[IKE_NONCE_MAX + 1] = { 0 };
	size_t len;
	struct ike_sa_keys k;
	struct ike_child_keys ck;

	(void)state;
	inputs(&in);
	/* Nonces of 16..256 octets (RFC 7296 3.9). */
	len = sizeof(seed);
	assert_rc(ike_skeyseed(alg.prf, in.ni, 15, in.nr, 32, in.gir, 256, seed, &len),
		  -IKE_CE_INVAL);
	assert_rc(ike_skeyseed(alg.prf, big, sizeof(big), in.nr, 32, in.gir, 256, seed, &len),
		  -IKE_CE_INVAL);
	assert_rc(ike_skeyseed(alg.prf, in.ni, 16, in.nr, 16, in.gir, 0, seed, &len),
		  -IKE_CE_INVAL);
	assert_rc(ike_skeyseed(alg.prf, big, IKE_NONCE_MAX, big, IKE_NONCE_MAX, in.gir, 256, seed,
			       &len), 0);
	len = 19;
	assert_rc(ike_skeyseed(alg.prf, in.ni, 32, in.nr, 32, in.gir, 256, seed, &len),
		  -IKE_CE_BUFSIZE);
	len = sizeof(seed);
	assert_rc(ike_skeyseed(99, in.ni, 32, in.nr, 32, in.gir, 256, seed, &len),
		  -IKE_CE_UNSUPPORTED);

	/* An IKE SA needs SKEYSEED and a PRF. */
	assert_rc(ike_sa_keys_derive(&alg, seed, 0, in.ni, 32, in.nr, 32, spii, spir, &k),
		  -IKE_CE_INVAL);
	assert_rc(ike_sa_keys_derive(&esp, seed, 20, in.ni, 32, in.nr, 32, spii, spir, &k),
		  -IKE_CE_UNSUPPORTED);
	assert_rc(ike_sa_keys_derive(&alg, seed, 20, in.ni, 32, in.nr, 32, NULL, spir, &k),
		  -IKE_CE_INVAL);
	assert_rc(ike_sa_keys_derive(&alg, seed, 20, in.ni, 32, in.nr, 32, spii, spir, NULL),
		  -IKE_CE_INVAL);

	assert_rc(ike_child_keys_derive(0, seed, 20, &esp, NULL, 0, in.ni, 32, in.nr, 32, &ck),
		  -IKE_CE_UNSUPPORTED);
	assert_rc(ike_child_keys_derive(IKE_PRF_HMAC_SHA1, seed, 20, &esp, NULL, 5, in.ni, 32,
					in.nr, 32, &ck), -IKE_CE_INVAL);
	assert_rc(ike_child_keys_derive(IKE_PRF_HMAC_SHA1, seed, 0, &esp, NULL, 0, in.ni, 32,
					in.nr, 32, &ck), -IKE_CE_INVAL);
	ike_sa_keys_wipe(NULL);
	ike_child_keys_wipe(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keysizes),
		cmocka_unit_test(test_ike_sa_cbc_sha256),
		cmocka_unit_test(test_ike_sa_gcm_sha384),
		cmocka_unit_test(test_ike_sa_rekey),
		cmocka_unit_test(test_child_no_pfs_gcm),
		cmocka_unit_test(test_child_pfs_cbc),
		cmocka_unit_test(test_kdf_errors),
	};

	return cmocka_run_group_tests_name("kdf", tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Diffie-Hellman tests: RFC 5903 section 8 (ECP 19-21) and RFC 7748
 * section 6.1 (X25519) known answers, fresh agreements for every group,
 * and refusal of bad peer values.
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

/* Hex to bytes, ignoring spaces (RFC text layout); returns the length. */
static struct ike_dh_ctx *dh_new_ok(int group)
{
	int err = 1;
	struct ike_dh_ctx *dh = ike_dh_new(group, &err);

	if (!dh)
		fail_msg("ike_dh_new(%d): %s", group, ike_crypto_strerror(err));
	assert_int_equal(err, 0);
	assert_int_equal(ike_dh_group(dh), group);
	return dh;
}

static struct ike_dh_ctx *dh_priv_ok(int group, const char *hex)
{
	uint8_t priv[80];
	size_t len = unhex(hex, priv, sizeof(priv));
	int err = 1;
	struct ike_dh_ctx *dh = ike_dh_new_from_private(group, priv, len, &err);

	if (!dh)
		fail_msg("ike_dh_new_from_private(%d): %s", group, ike_crypto_strerror(err));
	return dh;
}

static void assert_public(const struct ike_dh_ctx *dh, const char *x, const char *y)
{
	uint8_t want[IKE_DH_MAX_PUBLIC], got[IKE_DH_MAX_PUBLIC];
	size_t wlen = unhex(x, want, sizeof(want)), glen = sizeof(got);

	if (y)
		wlen += unhex(y, want + wlen, sizeof(want) - wlen);
	assert_rc(ike_dh_public(dh, got, &glen), 0);
	assert_int_equal(glen, wlen);
	assert_int_equal(glen, ike_dh_public_len(ike_dh_group(dh)));
	assert_memory_equal(got, want, wlen);
}

static void assert_shared(struct ike_dh_ctx *dh, const char *px, const char *py,
			  const char *secret)
{
	uint8_t peer[IKE_DH_MAX_PUBLIC], want[IKE_DH_MAX_PUBLIC], got[IKE_DH_MAX_PUBLIC];
	size_t plen = unhex(px, peer, sizeof(peer)), wlen = unhex(secret, want, sizeof(want));
	size_t glen = sizeof(got);

	if (py)
		plen += unhex(py, peer + plen, sizeof(peer) - plen);
	assert_rc(ike_dh_shared(dh, peer, plen, got, &glen), 0);
	assert_int_equal(glen, wlen);
	assert_int_equal(glen, ike_dh_shared_len(ike_dh_group(dh)));
	assert_memory_equal(got, want, wlen);
}

/* Two fresh key pairs of a group agree, with values of the group's sizes. */
static void agree(int group)
{
	struct ike_dh_ctx *a = dh_new_ok(group), *b = dh_new_ok(group);
	uint8_t pa[IKE_DH_MAX_PUBLIC], pb[IKE_DH_MAX_PUBLIC];
	uint8_t sa[IKE_DH_MAX_PUBLIC], sb[IKE_DH_MAX_PUBLIC];
	size_t la = sizeof(pa), lb = sizeof(pb), ka = sizeof(sa), kb = sizeof(sb);

	assert_rc(ike_dh_public(a, pa, &la), 0);
	assert_rc(ike_dh_public(b, pb, &lb), 0);
	assert_int_equal(la, ike_dh_public_len(group));
	assert_int_equal(lb, ike_dh_public_len(group));
	assert_memory_not_equal(pa, pb, la);
	assert_rc(ike_dh_shared(a, pb, lb, sa, &ka), 0);
	assert_rc(ike_dh_shared(b, pa, la, sb, &kb), 0);
	assert_int_equal(ka, ike_dh_shared_len(group));
	assert_int_equal(kb, ka);
	assert_memory_equal(sa, sb, ka);
	ike_dh_free(a);
	ike_dh_free(b);
}

/* RFC 5903 section 8.1, 256-bit random ECP group (19). */
#define P256_I "C88F01F5 10D9AC3F 70A292DA A2316DE5 44E9AAB8 AFE84049 C62A9C57 862D1433"
#define P256_GIX "DAD0B653 94221CF9 B051E1FE CA5787D0 98DFE637 FC90B9EF 945D0C37 72581180"
#define P256_GIY "5271A046 1CDB8252 D61F1C45 6FA3E59A B1F45B33 ACCF5F58 389E0577 B8990BB3"
#define P256_R "C6EF9C5D 78AE012A 011164AC B397CE20 88685D8F 06BF9BE0 B283AB46 476BEE53"
#define P256_GRX "D12DFB52 89C8D4F8 1208B702 70398C34 2296970A 0BCCB74C 736FC755 4494BF63"
#define P256_GRY "56FBF3CA 366CC23E 8157854C 13C58D6A AC23F046 ADA30F83 53E74F33 039872AB"
#define P256_GIRX "D6840F6B 42F6EDAF D13116E0 E1256520 2FEF8E9E CE7DCE03 812464D0 4B9442DE"

/* RFC 5903 section 8.2, 384-bit random ECP group (20). */
#define P384_I "099F3C70 34D4A2C6 99884D73 A375A67F 7624EF7C 6B3C0F16 0647B674 14DCE655" \
	" E35B5380 41E649EE 3FAEF896 783AB194"
#define P384_GIX "667842D7 D180AC2C DE6F74F3 7551F557 55C7645C 20EF73E3 1634FE72 B4C55EE6" \
	" DE3AC808 ACB4BDB4 C88732AE E95F41AA"
#define P384_GIY "9482ED1F C0EEB9CA FC498462 5CCFC23F 65032149 E0E144AD A0241815 35A0F38E" \
	" EB9FCFF3 C2C947DA E69B4C63 4573A81C"
#define P384_R "41CB0779 B4BDB85D 47846725 FBEC3C94 30FAB46C C8DC5060 855CC9BD A0AA2942" \
	" E0308312 916B8ED2 960E4BD5 5A7448FC"
#define P384_GRX "E558DBEF 53EECDE3 D3FCCFC1 AEA08A89 A987475D 12FD950D 83CFA417 32BC509D" \
	" 0D1AC43A 0336DEF9 6FDA41D0 774A3571"
#define P384_GRY "DCFBEC7A ACF31964 72169E83 8430367F 66EEBE3C 6E70C416 DD5F0C68 759DD1FF" \
	" F83FA401 42209DFF 5EAAD96D B9E6386C"
#define P384_GIRX "11187331 C279962D 93D60424 3FD592CB 9D0A926F 422E4718 7521287E 7156C5C4" \
	" D6031355 69B9E9D0 9CF5D4A2 70F59746"

/* RFC 5903 section 8.3, 521-bit random ECP group (21). */
#define P521_I "0037ADE9 319A89F4 DABDB3EF 411AACCC A5123C61 ACAB57B5 393DCE47 608172A0" \
	" 95AA85A3 0FE1C295 2C6771D9 37BA9777 F5957B26 39BAB072 462F68C2 7A57382D 4A52"
#define P521_GIX "0015417E 84DBF28C 0AD3C278 713349DC 7DF153C8 97A1891B D98BAB43 57C9ECBE" \
	" E1E3BF42 E00B8E38 0AEAE57C 2D107564 94188594 2AF5A7F4 601723C4 195D176C ED3E"
#define P521_GIY "017CAE20 B6641D2E EB695786 D8C94614 6239D099 E18E1D5A 514C739D 7CB4A10A" \
	" D8A78801 5AC405D7 799DC75E 7B7D5B6C F2261A6A 7F150743 8BF01BEB 6CA3926F 9582"
#define P521_R "0145BA99 A847AF43 793FDD0E 872E7CDF A16BE30F DC780F97 BCCC3F07 8380201E" \
	" 9C677D60 0B343757 A3BDBF2A 3163E4C2 F869CCA7 458AA4A4 EFFC311F 5CB15168 5EB9"
#define P521_GRX "00D0B397 5AC4B799 F5BEA16D 5E13E9AF 971D5E9B 984C9F39 728B5E57 39735A21" \
	" 9B97C356 436ADC6E 95BB0352 F6BE64A6 C2912D4E F2D0433C ED2B6171 640012D9 460F"
#define P521_GRY "015C6822 6383956E 3BD066E7 97B623C2 7CE0EAC2 F551A10C 2C724D98 52077B87" \
	" 220B6536 C5C408A1 D2AEBB8E 86D678AE 49CB5709 1F473229 6579AB44 FCD17F0F C56A"
#define P521_GIRX "01144C7D 79AE6956 BC8EDB8E 7C787C45 21CB086F A64407F9 7894E5E6 B2D79B04" \
	" D1427E73 CA4BAA24 0A347868 59810C06 B3C715A3 A8CC3151 F2BEE417 996D19F3 DDEA"

static void rfc5903(int group, const char *i, const char *gix, const char *giy, const char *r,
		    const char *grx, const char *gry, const char *girx)
{
	struct ike_dh_ctx *di = dh_priv_ok(group, i), *dr = dh_priv_ok(group, r);

	/* KE data is x | y, no 0x04 (RFC 5903 section 7); g^ir is x only. */
	assert_public(di, gix, giy);
	assert_public(dr, grx, gry);
	assert_shared(di, grx, gry, girx);
	assert_shared(dr, gix, giy, girx);
	ike_dh_free(di);
	ike_dh_free(dr);
}

static void test_rfc5903_ecp256(void **state)
{
	(void)state;
	rfc5903(IKE_DH_ECP_256, P256_I, P256_GIX, P256_GIY, P256_R, P256_GRX, P256_GRY,
		P256_GIRX);
}

static void test_rfc5903_ecp384(void **state)
{
	(void)state;
	rfc5903(IKE_DH_ECP_384, P384_I, P384_GIX, P384_GIY, P384_R, P384_GRX, P384_GRY,
		P384_GIRX);
}

static void test_rfc5903_ecp521(void **state)
{
	(void)state;
	rfc5903(IKE_DH_ECP_521, P521_I, P521_GIX, P521_GIY, P521_R, P521_GRX, P521_GRY,
		P521_GIRX);
}

/* RFC 7748 section 6.1, the Curve25519 Diffie-Hellman example. */
static void test_rfc7748_x25519(void **state)
{
	struct ike_dh_ctx *a, *b;

	(void)state;
	a = dh_priv_ok(IKE_DH_CURVE25519,
		       "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	b = dh_priv_ok(IKE_DH_CURVE25519,
		       "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
	assert_public(a, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
		      NULL);
	assert_public(b, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
		      NULL);
	assert_shared(a, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", NULL,
		      "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	assert_shared(b, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", NULL,
		      "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	ike_dh_free(a);
	ike_dh_free(b);
}

/* Small-order points give an all-zero secret, which RFC 8031 2.3 refuses. */
static void test_x25519_zero_secret(void **state)
{
	struct ike_dh_ctx *dh = dh_new_ok(IKE_DH_CURVE25519);
	uint8_t peer[32] = { 0 }, out[32];
	size_t len;

	(void)state;
	len = sizeof(out);
	assert_rc(ike_dh_shared(dh, peer, 32, out, &len), -IKE_CE_ZERO_SECRET);
	peer[0] = 1;		/* u = 1, order 1 */
	len = sizeof(out);
	assert_rc(ike_dh_shared(dh, peer, 32, out, &len), -IKE_CE_ZERO_SECRET);
	len = sizeof(out);
	assert_rc(ike_dh_shared(dh, peer, 31, out, &len), -IKE_CE_PEER_LENGTH);
	len = sizeof(out);
	assert_rc(ike_dh_shared(dh, peer, 33, out, &len), -IKE_CE_PEER_LENGTH);
	ike_dh_free(dh);
}

/* RFC 3526 section 3, the 2048-bit MODP group's prime. */
static const char modp2048_p[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
	"98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
	"9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
	"3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF";

static void test_modp2048_agree(void **state)
{
	(void)state;
	assert_int_equal(ike_dh_public_len(IKE_DH_MODP_2048), 256);
	assert_int_equal(ike_dh_shared_len(IKE_DH_MODP_2048), 256);
	for (int i = 0; i < 3; i++)
		agree(IKE_DH_MODP_2048);
}

/* Subtract small from a big-endian number in place (no borrow past the top). */
static void be_sub(uint8_t *v, size_t len, unsigned int small)
{
	for (size_t i = len; i-- > 0 && small;) {
		unsigned int d = v[i];

		v[i] = (uint8_t)(d - small);
		small = d < small ? 1 : 0;
	}
}

static void assert_peer_refused(struct ike_dh_ctx *dh, const uint8_t *peer, size_t len, int want)
{
	uint8_t out[IKE_DH_MAX_PUBLIC];
	size_t olen = sizeof(out);

	memset(out, 0x5c, sizeof(out));
	assert_rc(ike_dh_shared(dh, peer, len, out, &olen), want);
}

static void modp_refusals(int group, const uint8_t *p, size_t plen)
{
	struct ike_dh_ctx *dh = dh_new_ok(group);
	uint8_t v[IKE_DH_MAX_PUBLIC + 1], ours[IKE_DH_MAX_PUBLIC];
	size_t olen = sizeof(ours);

	assert_int_equal(plen, ike_dh_public_len(group));
	memset(v, 0, sizeof(v));
	assert_peer_refused(dh, v, plen, -IKE_CE_PEER_VALUE);		/* 0 */
	v[plen - 1] = 1;
	assert_peer_refused(dh, v, plen, -IKE_CE_PEER_VALUE);		/* 1 */
	memcpy(v, p, plen);
	assert_peer_refused(dh, v, plen, -IKE_CE_PEER_VALUE);		/* p */
	be_sub(v, plen, 1);
	assert_peer_refused(dh, v, plen, -IKE_CE_PEER_VALUE);		/* p - 1 */
	/*
	 * p - 2 is in range but, p being 7 mod 8, a quadratic non-residue:
	 * outside the order-q subgroup every honest g^x lies in.
	 */
	be_sub(v, plen, 1);
	assert_peer_refused(dh, v, plen, -IKE_CE_PEER_VALUE);		/* p - 2 */
	memset(v, 0xff, plen);
	assert_peer_refused(dh, v, plen, -IKE_CE_PEER_VALUE);		/* 2^n - 1 > p */

	/* Lengths other than the prime's: shorter, longer, empty. */
	assert_rc(ike_dh_public(dh, ours, &olen), 0);
	memcpy(v, ours, olen);
	assert_peer_refused(dh, v, plen - 1, -IKE_CE_PEER_LENGTH);
	v[plen] = 0;
	assert_peer_refused(dh, v, plen + 1, -IKE_CE_PEER_LENGTH);
	assert_peer_refused(dh, v, 0, -IKE_CE_PEER_LENGTH);
	ike_dh_free(dh);
}

static void test_modp2048_refuses(void **state)
{
	uint8_t p[256];

	(void)state;
	assert_int_equal(unhex(modp2048_p, p, sizeof(p)), 256);
	modp_refusals(IKE_DH_MODP_2048, p, sizeof(p));
}

/* RFC 2409 section 6.2: group 2 has no OpenSSL 3.0 name, so explicit parameters. */
static void test_modp1024_group2(void **state)
{
	uint8_t p[128];

	(void)state;
	assert_int_equal(unhex("FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
			       "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
			       "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
			       "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
			       "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381"
			       "FFFFFFFFFFFFFFFF", p, sizeof(p)), 128);
	agree(IKE_DH_MODP_1024);
	modp_refusals(IKE_DH_MODP_1024, p, sizeof(p));
}

/*
 * RFC 5114 groups have p - 1 with many small factors; a value outside the
 * order-q subgroup (RFC 6989 section 2.2) such as 2 must be refused.
 */
static void test_rfc5114_subgroup(void **state)
{
	static const int groups[] = {
		IKE_DH_MODP_1024_160, IKE_DH_MODP_2048_224, IKE_DH_MODP_2048_256,
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
		struct ike_dh_ctx *dh = dh_new_ok(groups[i]);
		uint8_t v[256] = { 0 };
		size_t len = ike_dh_public_len(groups[i]);

		v[len - 1] = 2;
		assert_peer_refused(dh, v, len, -IKE_CE_PEER_VALUE);
		ike_dh_free(dh);
		agree(groups[i]);
	}
}

static void test_modp_larger_groups_agree(void **state)
{
	(void)state;
	agree(IKE_DH_MODP_3072);
	agree(IKE_DH_MODP_4096);
	agree(IKE_DH_MODP_6144);
	agree(IKE_DH_MODP_8192);
}

static void test_ecp_x25519_agree(void **state)
{
	(void)state;
	for (int i = 0; i < 4; i++) {
		agree(IKE_DH_ECP_256);
		agree(IKE_DH_ECP_384);
		agree(IKE_DH_ECP_521);
		agree(IKE_DH_CURVE25519);
	}
}

static void test_ecp_refuses(void **state)
{
	static const int groups[] = { IKE_DH_ECP_256, IKE_DH_ECP_384, IKE_DH_ECP_521 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
		struct ike_dh_ctx *dh = dh_new_ok(groups[i]);
		size_t len = ike_dh_public_len(groups[i]);
		uint8_t v[1 + 132], ours[132];
		size_t olen = sizeof(ours);

		assert_rc(ike_dh_public(dh, ours, &olen), 0);
		/* Our own point with y changed: off the curve. */
		memcpy(v, ours, len);
		v[len - 1] ^= 1;
		assert_peer_refused(dh, v, len, -IKE_CE_PEER_VALUE);
		/* (0, 0) is not on these curves (b != 0); nor is the all-0xaa point. */
		memset(v, 0, len);
		assert_peer_refused(dh, v, len, -IKE_CE_PEER_VALUE);
		memset(v, 0xaa, len);
		assert_peer_refused(dh, v, len, -IKE_CE_PEER_VALUE);
		/* The SEC 1 form 0x04 | x | y is one octet too long for IKE. */
		v[0] = 0x04;
		memcpy(v + 1, ours, len);
		assert_peer_refused(dh, v, len + 1, -IKE_CE_PEER_LENGTH);
		assert_peer_refused(dh, ours, len - 1, -IKE_CE_PEER_LENGTH);
		ike_dh_free(dh);
	}
}

static void test_lengths_and_unsupported(void **state)
{
	static const struct {
		int group;
		size_t pub, shared;
	} t[] = {
		{ IKE_DH_MODP_1024, 128, 128 }, { IKE_DH_MODP_2048, 256, 256 },
		{ IKE_DH_MODP_3072, 384, 384 }, { IKE_DH_MODP_4096, 512, 512 },
		{ IKE_DH_MODP_6144, 768, 768 }, { IKE_DH_MODP_8192, 1024, 1024 },
		{ IKE_DH_ECP_256, 64, 32 }, { IKE_DH_ECP_384, 96, 48 },
		{ IKE_DH_ECP_521, 132, 66 }, { IKE_DH_MODP_1024_160, 128, 128 },
		{ IKE_DH_MODP_2048_224, 256, 256 }, { IKE_DH_MODP_2048_256, 256, 256 },
		{ IKE_DH_CURVE25519, 32, 32 },
	};
	static const int bad[] = { IKE_DH_NONE, 1, 5, 13, 25, 26, 30, 32, -1 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		assert_int_equal(ike_dh_public_len(t[i].group), t[i].pub);
		assert_int_equal(ike_dh_shared_len(t[i].group), t[i].shared);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int err = 0;

		assert_int_equal(ike_dh_public_len(bad[i]), 0);
		assert_null(ike_dh_new(bad[i], &err));
		assert_rc(err, -IKE_CE_UNSUPPORTED);
	}
	assert_null(ike_dh_new(0, NULL));	/* err is optional */
	assert_int_equal(ike_dh_group(NULL), IKE_DH_NONE);
	ike_dh_free(NULL);
}

static void test_api_errors(void **state)
{
	struct ike_dh_ctx *dh = dh_new_ok(IKE_DH_ECP_256);
	uint8_t buf[64], peer[64], zero32[32] = { 0 }, order[32];
	size_t len;
	int err = 0;

	(void)state;
	len = 63;
	assert_rc(ike_dh_public(dh, buf, &len), -IKE_CE_BUFSIZE);
	len = sizeof(buf);
	assert_rc(ike_dh_public(NULL, buf, &len), -IKE_CE_INVAL);
	assert_rc(ike_dh_public(dh, NULL, &len), -IKE_CE_INVAL);
	assert_rc(ike_dh_public(dh, buf, NULL), -IKE_CE_INVAL);
	assert_rc(ike_dh_public(dh, peer, &len), 0);
	len = 31;
	assert_rc(ike_dh_shared(dh, peer, 64, buf, &len), -IKE_CE_BUFSIZE);
	len = sizeof(buf);
	assert_rc(ike_dh_shared(dh, NULL, 64, buf, &len), -IKE_CE_INVAL);
	assert_rc(ike_dh_shared(NULL, peer, 64, buf, &len), -IKE_CE_INVAL);
	ike_dh_free(dh);

	/* Fixed private keys: ECP and X25519 only, right length, 0 < d < n. */
	assert_null(ike_dh_new_from_private(IKE_DH_MODP_2048, zero32, 32, &err));
	assert_rc(err, -IKE_CE_UNSUPPORTED);
	assert_null(ike_dh_new_from_private(IKE_DH_ECP_256, zero32, 31, &err));
	assert_rc(err, -IKE_CE_INVAL);
	assert_null(ike_dh_new_from_private(IKE_DH_ECP_256, zero32, 32, &err));
	assert_rc(err, -IKE_CE_INVAL);
	/* The order n of P-256 (FIPS 186-4 D.1.2.3) is not a valid scalar. */
	unhex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", order,
	      sizeof(order));
	assert_null(ike_dh_new_from_private(IKE_DH_ECP_256, order, 32, &err));
	assert_rc(err, -IKE_CE_INVAL);
	assert_null(ike_dh_new_from_private(IKE_DH_CURVE25519, zero32, 31, &err));
	assert_rc(err, -IKE_CE_INVAL);
	assert_null(ike_dh_new_from_private(IKE_DH_CURVE25519, NULL, 32, &err));
	assert_rc(err, -IKE_CE_INVAL);
	assert_null(ike_dh_new_from_private(99, zero32, 32, &err));
	assert_rc(err, -IKE_CE_UNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc5903_ecp256),
		cmocka_unit_test(test_rfc5903_ecp384),
		cmocka_unit_test(test_rfc5903_ecp521),
		cmocka_unit_test(test_rfc7748_x25519),
		cmocka_unit_test(test_x25519_zero_secret),
		cmocka_unit_test(test_modp2048_agree),
		cmocka_unit_test(test_modp2048_refuses),
		cmocka_unit_test(test_modp1024_group2),
		cmocka_unit_test(test_rfc5114_subgroup),
		cmocka_unit_test(test_modp_larger_groups_agree),
		cmocka_unit_test(test_ecp_x25519_agree),
		cmocka_unit_test(test_ecp_refuses),
		cmocka_unit_test(test_lengths_and_unsupported),
		cmocka_unit_test(test_api_errors),
	};

	return cmocka_run_group_tests_name("dh", tests, NULL, NULL);
}

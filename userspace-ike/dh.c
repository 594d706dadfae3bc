// SPDX-License-Identifier: GPL-2.0
/*
 * Diffie-Hellman for IKEv2 (RFC 7296 section 3.4) over OpenSSL 3 EVP_PKEY:
 * MODP groups 2 (RFC 2409), 14-18 (RFC 3526), 22-24 (RFC 5114), ECP groups
 * 19-21 (RFC 5903) and Curve25519 (RFC 8031).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "crypto.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

enum dh_kind { DH_MODP, DH_ECP, DH_X25519 };

struct dh_group {
	int id;
	enum dh_kind kind;
	/*
	 * OpenSSL 3.0 group name. "modp_2048".."modp_8192" are RFC 3526 and
	 * "dh_1024_160".."dh_2048_256" RFC 5114 (not "ffdhe*", RFC 7919,
	 * which are different primes); they come with q, so OpenSSL checks
	 * peer values against the prime-order subgroup. Group 2 (RFC 2409
	 * section 6.2, "modp_1024") is not in 3.0: NULL, explicit p below.
	 */
	const char *name;
	int nid;		/* ECP curve, for importing a fixed private key */
	size_t publen;
	size_t sharedlen;
};

static const struct dh_group dh_groups[] = {
	{ IKE_DH_MODP_1024, DH_MODP, NULL, 0, 128, 128 },
	{ IKE_DH_MODP_2048, DH_MODP, "modp_2048", 0, 256, 256 },
	{ IKE_DH_MODP_3072, DH_MODP, "modp_3072", 0, 384, 384 },
	{ IKE_DH_MODP_4096, DH_MODP, "modp_4096", 0, 512, 512 },
	{ IKE_DH_MODP_6144, DH_MODP, "modp_6144", 0, 768, 768 },
	{ IKE_DH_MODP_8192, DH_MODP, "modp_8192", 0, 1024, 1024 },
	{ IKE_DH_ECP_256, DH_ECP, "P-256", NID_X9_62_prime256v1, 64, 32 },
	{ IKE_DH_ECP_384, DH_ECP, "P-384", NID_secp384r1, 96, 48 },
	{ IKE_DH_ECP_521, DH_ECP, "P-521", NID_secp521r1, 132, 66 },
	{ IKE_DH_MODP_1024_160, DH_MODP, "dh_1024_160", 0, 128, 128 },
	{ IKE_DH_MODP_2048_224, DH_MODP, "dh_2048_224", 0, 256, 256 },
	{ IKE_DH_MODP_2048_256, DH_MODP, "dh_2048_256", 0, 256, 256 },
	{ IKE_DH_CURVE25519, DH_X25519, "X25519", 0, 32, 32 },
};

/*
 * RFC 2409 section 6.2, Second Oakley Group: 2^1024 - 2^960 - 1 +
 * 2^64 * { [2^894 pi] + 129093 }, generator 2.
 */
static const char modp1024_p[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
	"29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
	"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381"
	"FFFFFFFFFFFFFFFF";

struct ike_dh_ctx {
	const struct dh_group *grp;
	EVP_PKEY *key;
	uint8_t pub[IKE_DH_MAX_PUBLIC];
};

static const struct dh_group *dh_group_find(int id)
{
	for (size_t i = 0; i < ARRAY_SIZE(dh_groups); i++)
		if (dh_groups[i].id == id)
			return &dh_groups[i];
	return NULL;
}

size_t ike_dh_public_len(int group)
{
	const struct dh_group *g = dh_group_find(group);

	return g ? g->publen : 0;
}

size_t ike_dh_shared_len(int group)
{
	const struct dh_group *g = dh_group_find(group);

	return g ? g->sharedlen : 0;
}

/* An OpenSSL failure: drop its error queue so it cannot leak into later calls. */
static int ossl_err(int err)
{
	ERR_clear_error();
	return -err;
}

/*
 * Domain parameters for a MODP group into bld. with_q adds q = (p-1)/2
 * for group 2: OpenSSL 3.0 cannot generate a key with explicit p, q, g
 * (generate_key fails), but needs q to check a peer value's subgroup.
 * The builder only points at the BIGNUMs, taken from bnctx: the caller
 * keeps its BN_CTX frame open until OSSL_PARAM_BLD_to_param().
 */
static int modp_params(const struct dh_group *g, OSSL_PARAM_BLD *bld, bool with_q, BN_CTX *bnctx)
{
	BIGNUM *p, *q, *gen;

	if (g->name)
		return OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, g->name, 0)
			? 0 : -IKE_CE_LIBCRYPTO;

	p = BN_CTX_get(bnctx);
	q = BN_CTX_get(bnctx);
	gen = BN_CTX_get(bnctx);
	if (!gen || !BN_hex2bn(&p, modp1024_p) || !BN_set_word(gen, 2))
		return -IKE_CE_LIBCRYPTO;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, gen))
		return -IKE_CE_LIBCRYPTO;
	if (with_q && (!BN_rshift1(q, p) || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_Q, q)))
		return -IKE_CE_LIBCRYPTO;
	return 0;
}

/* EVP_PKEY_fromdata() with what bld holds; *out NULL on failure. */
static int pkey_fromdata(const char *type, int selection, OSSL_PARAM_BLD *bld, EVP_PKEY **out)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	int rc = 0;

	*out = NULL;
	if (!params || !pctx || EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, out, selection, params) <= 0)
		rc = -IKE_CE_LIBCRYPTO;
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	return rc;
}

/* A MODP public key object for value y (big-endian, group length). */
static int modp_peer_key(const struct dh_group *g, const uint8_t *y, size_t len, bool with_q,
			 EVP_PKEY **out, BN_CTX *bnctx)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *pub = BN_bin2bn(y, (int)len, NULL);
	int rc = -IKE_CE_LIBCRYPTO;

	*out = NULL;
	if (!bld || !pub)
		goto out;
	BN_CTX_start(bnctx);
	rc = modp_params(g, bld, with_q, bnctx);
	if (!rc && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub))
		rc = -IKE_CE_LIBCRYPTO;
	if (!rc)
		rc = pkey_fromdata("DH", EVP_PKEY_PUBLIC_KEY, bld, out);
	BN_CTX_end(bnctx);
out:
	BN_free(pub);
	OSSL_PARAM_BLD_free(bld);
	return rc;
}

/* Cache our KE payload data in dh->pub, in the group's wire encoding. */
static int dh_export_public(struct ike_dh_ctx *dh)
{
	const struct dh_group *g = dh->grp;
	uint8_t buf[1 + 2 * 66];
	size_t len = 0;
	BIGNUM *y = NULL;
	int rc = -IKE_CE_LIBCRYPTO;

	switch (g->kind) {
	case DH_MODP:
		/* RFC 7296 section 3.4: padded to the length of p. */
		if (EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY, &y) &&
		    BN_bn2binpad(y, dh->pub, (int)g->publen) == (int)g->publen)
			rc = 0;
		BN_free(y);
		break;
	case DH_ECP:
		/* SEC 1 uncompressed 0x04 | x | y; RFC 5903 section 7 drops the 0x04. */
		if (EVP_PKEY_get_octet_string_param(dh->key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
						    buf, sizeof(buf), &len) &&
		    len == g->publen + 1 && buf[0] == 0x04) {
			memcpy(dh->pub, buf + 1, g->publen);
			rc = 0;
		}
		break;
	case DH_X25519:
		len = g->publen;
		if (EVP_PKEY_get_raw_public_key(dh->key, dh->pub, &len) && len == g->publen)
			rc = 0;
		break;
	}
	return rc ? ossl_err(IKE_CE_LIBCRYPTO) : 0;
}

static struct ike_dh_ctx *dh_alloc(int group, int *err)
{
	const struct dh_group *g = dh_group_find(group);
	struct ike_dh_ctx *dh;

	if (!g) {
		*err = -IKE_CE_UNSUPPORTED;
		return NULL;
	}
	dh = OPENSSL_zalloc(sizeof(*dh));
	if (!dh) {
		*err = -IKE_CE_NOMEM;
		return NULL;
	}
	dh->grp = g;
	return dh;
}

static struct ike_dh_ctx *dh_finish(struct ike_dh_ctx *dh, int rc, int *err)
{
	if (!rc && !dh->key)
		rc = -IKE_CE_LIBCRYPTO;
	if (!rc)
		rc = dh_export_public(dh);
	if (rc) {
		ike_dh_free(dh);
		dh = NULL;
	}
	if (err)
		*err = rc;
	return dh;
}

struct ike_dh_ctx *ike_dh_new(int group, int *err)
{
	struct ike_dh_ctx *dh;
	EVP_PKEY_CTX *kctx = NULL;
	EVP_PKEY *params = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	BN_CTX *bnctx = NULL;
	int rc = -IKE_CE_LIBCRYPTO;

	dh = dh_alloc(group, &rc);
	if (!dh)
		goto fail;

	switch (dh->grp->kind) {
	case DH_MODP:
		rc = -IKE_CE_LIBCRYPTO;
		bld = OSSL_PARAM_BLD_new();
		bnctx = BN_CTX_new();
		if (!bld || !bnctx)
			break;
		BN_CTX_start(bnctx);
		rc = modp_params(dh->grp, bld, false, bnctx);
		if (!rc)
			rc = pkey_fromdata("DH", EVP_PKEY_KEY_PARAMETERS, bld, &params);
		BN_CTX_end(bnctx);
		if (rc)
			break;
		kctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
		if (!kctx || EVP_PKEY_keygen_init(kctx) <= 0 ||
		    EVP_PKEY_generate(kctx, &dh->key) <= 0)
			rc = -IKE_CE_LIBCRYPTO;
		break;
	case DH_ECP:
		dh->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", dh->grp->name);
		rc = dh->key ? 0 : -IKE_CE_LIBCRYPTO;
		break;
	case DH_X25519:
		dh->key = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
		rc = dh->key ? 0 : -IKE_CE_LIBCRYPTO;
		break;
	}
	EVP_PKEY_CTX_free(kctx);
	EVP_PKEY_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_CTX_free(bnctx);
	if (rc)
		ERR_clear_error();
	return dh_finish(dh, rc, err);
fail:
	if (err)
		*err = rc;
	return NULL;
}

/*
 * Fixed ECP private key: OpenSSL 3.0's EVP_PKEY_fromdata() does not
 * derive the public point from the scalar, so compute it with EC_POINT_mul
 * and import both.
 */
static int ecp_from_private(struct ike_dh_ctx *dh, const uint8_t *priv, size_t len)
{
	const struct dh_group *g = dh->grp;
	EC_GROUP *grp = EC_GROUP_new_by_curve_name(g->nid);
	EC_POINT *pt = grp ? EC_POINT_new(grp) : NULL;
	BIGNUM *d = BN_secure_new();
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	uint8_t pub[1 + 2 * 66];
	size_t publen;
	int rc = -IKE_CE_LIBCRYPTO;

	if (!pt || !d || !bld)
		goto out;
	if (len != g->sharedlen || !BN_bin2bn(priv, (int)len, d)) {
		rc = -IKE_CE_INVAL;
		goto out;
	}
	if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(grp)) >= 0) {
		rc = -IKE_CE_INVAL;
		goto out;
	}
	if (!EC_POINT_mul(grp, pt, d, NULL, NULL, NULL))
		goto out;
	publen = EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub),
				    NULL);
	if (publen != 1 + g->publen)
		goto out;
	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, g->name, 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, publen))
		goto out;
	rc = pkey_fromdata("EC", EVP_PKEY_KEYPAIR, bld, &dh->key);
out:
	/* OSSL_PARAM_free() in pkey_fromdata() clears the copy of a secure BIGNUM. */
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(d);
	EC_POINT_free(pt);
	EC_GROUP_free(grp);
	return rc;
}

struct ike_dh_ctx *ike_dh_new_from_private(int group, const uint8_t *priv, size_t len, int *err)
{
	struct ike_dh_ctx *dh;
	int rc = -IKE_CE_INVAL;

	if (!priv) {
		rc = -IKE_CE_INVAL;
		goto fail;
	}
	dh = dh_alloc(group, &rc);
	if (!dh)
		goto fail;
	switch (dh->grp->kind) {
	case DH_MODP:
		rc = -IKE_CE_UNSUPPORTED;
		break;
	case DH_ECP:
		rc = ecp_from_private(dh, priv, len);
		break;
	case DH_X25519:
		rc = -IKE_CE_INVAL;
		if (len != 32)
			break;
		dh->key = EVP_PKEY_new_raw_private_key_ex(NULL, "X25519", NULL, priv, len);
		rc = dh->key ? 0 : -IKE_CE_LIBCRYPTO;
		break;
	}
	if (rc)
		ERR_clear_error();
	return dh_finish(dh, rc, err);
fail:
	if (err)
		*err = rc;
	return NULL;
}

int ike_dh_group(const struct ike_dh_ctx *dh)
{
	return dh ? dh->grp->id : IKE_DH_NONE;
}

int ike_dh_public(const struct ike_dh_ctx *dh, uint8_t *out, size_t *len)
{
	if (!dh || !out || !len)
		return -IKE_CE_INVAL;
	if (*len < dh->grp->publen)
		return -IKE_CE_BUFSIZE;
	memcpy(out, dh->pub, dh->grp->publen);
	*len = dh->grp->publen;
	return 0;
}

/*
 * MODP peer value: 1 < y < p-1 (RFC 7296 section 5 and RFC 6989 section
 * 2.1, which rules out the order-2 subgroup), then OpenSSL's full public
 * key check, which with q also tests y^q = 1 mod p (RFC 6989 section 2.2,
 * essential for the RFC 5114 groups 22-24 whose p-1 has small factors).
 * On success *peer is a key object with our own domain parameters.
 */
static int modp_peer(struct ike_dh_ctx *dh, const uint8_t *y, size_t len, EVP_PKEY **peer)
{
	const struct dh_group *g = dh->grp;
	BN_CTX *bnctx = BN_CTX_new();
	BIGNUM *p = NULL, *v, *pm1;
	EVP_PKEY *check = NULL;
	EVP_PKEY_CTX *cctx = NULL;
	int rc = -IKE_CE_LIBCRYPTO;

	*peer = NULL;
	if (!bnctx)
		goto out;
	BN_CTX_start(bnctx);
	v = BN_CTX_get(bnctx);
	pm1 = BN_CTX_get(bnctx);
	if (!pm1 || !EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_FFC_P, &p) ||
	    !BN_bin2bn(y, (int)len, v) || !BN_sub(pm1, p, BN_value_one()))
		goto end;
	if (BN_cmp(v, BN_value_one()) <= 0 || BN_cmp(v, pm1) >= 0) {
		rc = -IKE_CE_PEER_VALUE;
		goto end;
	}
	/* Group 2 keys carry no q (see modp_params): check with a q'd copy. */
	rc = modp_peer_key(g, y, len, !g->name, g->name ? peer : &check, bnctx);
	if (rc)
		goto end;
	cctx = EVP_PKEY_CTX_new_from_pkey(NULL, g->name ? *peer : check, NULL);
	if (!cctx)
		goto end;
	if (EVP_PKEY_public_check(cctx) != 1) {
		rc = -IKE_CE_PEER_VALUE;
		goto end;
	}
	if (!g->name)
		rc = modp_peer_key(g, y, len, false, peer, bnctx);
end:
	BN_CTX_end(bnctx);
out:
	EVP_PKEY_CTX_free(cctx);
	EVP_PKEY_free(check);
	BN_free(p);
	BN_CTX_free(bnctx);
	if (rc) {
		EVP_PKEY_free(*peer);
		*peer = NULL;
	}
	return rc;
}

/* ECP peer value x | y: OpenSSL refuses to import a point off the curve. */
static int ecp_peer(struct ike_dh_ctx *dh, const uint8_t *xy, size_t len, EVP_PKEY **peer)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	uint8_t enc[1 + 2 * 66];
	EVP_PKEY_CTX *cctx = NULL;
	int rc = -IKE_CE_LIBCRYPTO;

	*peer = NULL;
	if (!bld)
		return rc;
	enc[0] = 0x04;
	memcpy(enc + 1, xy, len);
	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, dh->grp->name, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, enc, len + 1))
		goto out;
	if (pkey_fromdata("EC", EVP_PKEY_PUBLIC_KEY, bld, peer)) {
		/* The only input-dependent reason for failing here. */
		rc = -IKE_CE_PEER_VALUE;
		goto out;
	}
	/* Belt and braces: on curve, not infinity, right order. */
	cctx = EVP_PKEY_CTX_new_from_pkey(NULL, *peer, NULL);
	if (!cctx)
		goto out;
	rc = EVP_PKEY_public_check(cctx) == 1 ? 0 : -IKE_CE_PEER_VALUE;
out:
	EVP_PKEY_CTX_free(cctx);
	OSSL_PARAM_BLD_free(bld);
	if (rc) {
		EVP_PKEY_free(*peer);
		*peer = NULL;
	}
	return rc;
}

int ike_dh_shared(struct ike_dh_ctx *dh, const uint8_t *peer, size_t peerlen, uint8_t *out,
		  size_t *outlen)
{
	static const uint8_t zero[32];
	const struct dh_group *g;
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *dctx = NULL;
	size_t len;
	int rc;

	if (!dh || !peer || !out || !outlen)
		return -IKE_CE_INVAL;
	g = dh->grp;
	if (peerlen != g->publen)
		return -IKE_CE_PEER_LENGTH;
	if (*outlen < g->sharedlen)
		return -IKE_CE_BUFSIZE;

	switch (g->kind) {
	case DH_MODP:
		rc = modp_peer(dh, peer, peerlen, &pk);
		break;
	case DH_ECP:
		rc = ecp_peer(dh, peer, peerlen, &pk);
		break;
	case DH_X25519:
	default:
		pk = EVP_PKEY_new_raw_public_key_ex(NULL, "X25519", NULL, peer, peerlen);
		rc = pk ? 0 : -IKE_CE_LIBCRYPTO;
		break;
	}
	if (rc)
		goto out;

	rc = -IKE_CE_LIBCRYPTO;
	dctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL);
	if (!dctx || EVP_PKEY_derive_init(dctx) <= 0)
		goto out;
	if (g->kind == DH_MODP) {
		/* g^ir padded to the length of p (RFC 7296 section 2.14). */
		unsigned int pad = 1;
		OSSL_PARAM p[] = {
			OSSL_PARAM_uint(OSSL_EXCHANGE_PARAM_PAD, &pad),
			OSSL_PARAM_END,
		};

		if (EVP_PKEY_CTX_set_params(dctx, p) <= 0)
			goto out;
	}
	if (EVP_PKEY_derive_set_peer(dctx, pk) <= 0) {
		/* OpenSSL validates the peer again; we checked it, so unlikely. */
		rc = -IKE_CE_PEER_VALUE;
		goto out;
	}
	len = *outlen;
	if (EVP_PKEY_derive(dctx, out, &len) <= 0) {
		OPENSSL_cleanse(out, *outlen);
		/*
		 * OpenSSL's X25519 fails exactly when the result is all zero
		 * (a small-order peer point, RFC 7748 section 6.1).
		 */
		rc = g->kind == DH_X25519 ? -IKE_CE_ZERO_SECRET : -IKE_CE_LIBCRYPTO;
		goto out;
	}
	if (len != g->sharedlen) {
		OPENSSL_cleanse(out, len);
		goto out;
	}
	if (g->kind == DH_X25519 && CRYPTO_memcmp(out, zero, len) == 0) {
		rc = -IKE_CE_ZERO_SECRET;	/* RFC 8031 section 2.3 */
		goto out;
	}
	*outlen = len;
	rc = 0;
out:
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_free(pk);
	if (rc)
		ERR_clear_error();
	return rc;
}

void ike_dh_free(struct ike_dh_ctx *dh)
{
	if (!dh)
		return;
	EVP_PKEY_free(dh->key);	/* OpenSSL clears private keys it frees */
	OPENSSL_clear_free(dh, sizeof(*dh));
}

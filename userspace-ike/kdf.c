// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv2 key derivation: transform key sizes, SKEYSEED and SK_* (RFC 7296
 * sections 2.14 and 2.18) and Child SA KEYMAT (section 2.17). The PRF
 * itself lives in crypto.c.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto.h"

static size_t integ_key_len(int integ, size_t *icv)
{
	/* Key = full HMAC output, ICV truncated (RFC 2404, RFC 4868 section 2.1). */
	switch (integ) {
	case IKE_INTEG_HMAC_SHA1_96:
		*icv = 12;
		return 20;
	case IKE_INTEG_HMAC_SHA2_256_128:
		*icv = 16;
		return 32;
	case IKE_INTEG_HMAC_SHA2_384_192:
		*icv = 24;
		return 48;
	case IKE_INTEG_HMAC_SHA2_512_256:
		*icv = 32;
		return 64;
	default:
		return 0;
	}
}

int ike_keysizes_get(const struct ike_alg *alg, struct ike_keysizes *ks)
{
	size_t icv = 0;

	if (!alg || !ks)
		return -IKE_CE_INVAL;
	memset(ks, 0, sizeof(*ks));

	switch (alg->encr) {
	case IKE_ENCR_AES_CBC:
		/* RFC 3602; the Key Length attribute is mandatory (RFC 7296 3.3.5). */
		if (alg->encr_keybits != 128 && alg->encr_keybits != 192 &&
		    alg->encr_keybits != 256)
			return -IKE_CE_UNSUPPORTED;
		ks->encr_key = alg->encr_keybits / 8;
		ks->iv = 16;
		ks->block = 16;
		break;
	case IKE_ENCR_AES_GCM_16:
		/* RFC 5282 section 7.1: key material = key | 4-byte salt. */
		if (alg->encr_keybits != 128 && alg->encr_keybits != 192 &&
		    alg->encr_keybits != 256)
			return -IKE_CE_UNSUPPORTED;
		ks->encr_key = alg->encr_keybits / 8 + 4;
		ks->salt = 4;
		ks->iv = 8;
		ks->icv = 16;
		ks->block = 1;
		ks->aead = true;
		break;
	case IKE_ENCR_CHACHA20_POLY1305:
		/*
		 * RFC 7634 sections 2 and 3: 256-bit key | 4-byte salt; no
		 * Key Length attribute, tolerated if it says 256.
		 */
		if (alg->encr_keybits != 0 && alg->encr_keybits != 256)
			return -IKE_CE_UNSUPPORTED;
		ks->encr_key = 36;
		ks->salt = 4;
		ks->iv = 8;
		ks->icv = 16;
		ks->block = 1;
		ks->aead = true;
		break;
	default:
		return -IKE_CE_UNSUPPORTED;
	}

	if (ks->aead) {
		/* RFC 7296 3.3: combined-mode ciphers take no integrity transform. */
		if (alg->integ != IKE_INTEG_NONE)
			return -IKE_CE_UNSUPPORTED;
	} else {
		ks->integ_key = integ_key_len(alg->integ, &icv);
		if (!ks->integ_key)
			return -IKE_CE_UNSUPPORTED;
		ks->icv = icv;
	}

	if (alg->prf) {
		ks->prf_len = ike_prf_len(alg->prf);
		if (!ks->prf_len)
			return -IKE_CE_UNSUPPORTED;
	}
	return 0;
}

static bool nonce_ok(const uint8_t *n, size_t len)
{
	return n && len >= IKE_NONCE_MIN && len <= IKE_NONCE_MAX;
}

int ike_skeyseed(int prf, const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
		 const uint8_t *gir, size_t girlen, uint8_t *out, size_t *outlen)
{
	uint8_t key[2 * IKE_NONCE_MAX];
	int rc;

	if (!nonce_ok(ni, nilen) || !nonce_ok(nr, nrlen) || !gir || !girlen)
		return -IKE_CE_INVAL;
	/*
	 * RFC 7296 section 2.14: only AES-XCBC-PRF-128 and AES-CMAC-PRF-128
	 * truncate the nonces; HMAC PRFs take all of Ni | Nr as the key.
	 */
	memcpy(key, ni, nilen);
	memcpy(key + nilen, nr, nrlen);
	rc = ike_prf(prf, key, nilen + nrlen, gir, girlen, out, outlen);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int ike_skeyseed_rekey(int old_prf, const uint8_t *sk_d_old, size_t sk_d_len,
		       const uint8_t *gir, size_t girlen, const uint8_t *ni, size_t nilen,
		       const uint8_t *nr, size_t nrlen, uint8_t *out, size_t *outlen)
{
	const struct ike_chunk in[] = { { gir, girlen }, { ni, nilen }, { nr, nrlen } };

	/* Section 2.18: a rekey MUST include a new Diffie-Hellman exchange. */
	if (!sk_d_old || !sk_d_len || !gir || !girlen || !nonce_ok(ni, nilen) ||
	    !nonce_ok(nr, nrlen))
		return -IKE_CE_INVAL;
	return ike_prf_v(old_prf, sk_d_old, sk_d_len, in, 3, out, outlen);
}

/* Take n bytes from *p into dst. */
static void take(uint8_t *dst, const uint8_t **p, size_t n)
{
	memcpy(dst, *p, n);
	*p += n;
}

int ike_sa_keys_derive(const struct ike_alg *alg, const uint8_t *skeyseed, size_t skeyseedlen,
		       const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
		       const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
		       struct ike_sa_keys *keys)
{
	const struct ike_chunk seed[] = {
		{ ni, nilen }, { nr, nrlen }, { spi_i, IKE_SPI_LEN }, { spi_r, IKE_SPI_LEN },
	};
	uint8_t km[3 * IKE_MAX_PRF_LEN + 2 * IKE_MAX_INTEG_KEY + 2 * IKE_MAX_ENCR_KEY];
	struct ike_keysizes ks;
	const uint8_t *p = km;
	size_t total;
	int rc;

	if (!keys)
		return -IKE_CE_INVAL;
	memset(keys, 0, sizeof(*keys));
	if (!alg || !skeyseed || !spi_i || !spi_r || !nonce_ok(ni, nilen) || !nonce_ok(nr, nrlen))
		return -IKE_CE_INVAL;
	rc = ike_keysizes_get(alg, &ks);
	if (rc)
		return rc;
	if (!ks.prf_len)
		return -IKE_CE_UNSUPPORTED;	/* an IKE SA needs a PRF */
	/*
	 * Any SKEYSEED length: after a rekey that changed the PRF it is as
	 * long as the old PRF's output, and HMAC keys may be any length.
	 */
	if (!skeyseedlen)
		return -IKE_CE_INVAL;

	/* SK_d, SK_pi, SK_pr: the PRF's preferred key length (section 2.14). */
	total = 3 * ks.prf_len + 2 * ks.integ_key + 2 * ks.encr_key;
	rc = ike_prf_plus(alg->prf, skeyseed, skeyseedlen, seed, 4, km, total);
	if (rc)
		goto out;
	keys->sz = ks;
	take(keys->sk_d, &p, ks.prf_len);
	take(keys->sk_ai, &p, ks.integ_key);
	take(keys->sk_ar, &p, ks.integ_key);
	take(keys->sk_ei, &p, ks.encr_key);
	take(keys->sk_er, &p, ks.encr_key);
	take(keys->sk_pi, &p, ks.prf_len);
	take(keys->sk_pr, &p, ks.prf_len);
out:
	OPENSSL_cleanse(km, sizeof(km));
	return rc;
}

int ike_child_keys_derive(int prf, const uint8_t *sk_d, size_t sk_d_len,
			  const struct ike_alg *esp, const uint8_t *gir, size_t girlen,
			  const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
			  struct ike_child_keys *keys)
{
	const struct ike_chunk seed[] = { { gir, girlen }, { ni, nilen }, { nr, nrlen } };
	uint8_t km[2 * (IKE_MAX_ENCR_KEY + IKE_MAX_INTEG_KEY)];
	struct ike_alg a;
	struct ike_keysizes ks;
	const uint8_t *p = km;
	size_t total;
	int rc;

	if (!keys)
		return -IKE_CE_INVAL;
	memset(keys, 0, sizeof(*keys));
	if (!esp || !sk_d || !sk_d_len || (!gir && girlen) || !nonce_ok(ni, nilen) ||
	    !nonce_ok(nr, nrlen))
		return -IKE_CE_INVAL;
	if (!ike_prf_len(prf))
		return -IKE_CE_UNSUPPORTED;
	/* ESP has no PRF of its own: KEYMAT uses the IKE SA's. */
	a = *esp;
	a.prf = 0;
	rc = ike_keysizes_get(&a, &ks);
	if (rc)
		return rc;

	/*
	 * Section 2.17: KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr). An
	 * empty first chunk (no PFS) adds nothing to the seed.
	 */
	total = 2 * (ks.encr_key + ks.integ_key);
	rc = ike_prf_plus(prf, sk_d, sk_d_len, seed, 3, km, total);
	if (rc)
		goto out;
	/* i->r before r->i; for each, encryption key first (section 2.17). */
	keys->sz = ks;
	take(keys->encr_ir, &p, ks.encr_key);
	take(keys->integ_ir, &p, ks.integ_key);
	take(keys->encr_ri, &p, ks.encr_key);
	take(keys->integ_ri, &p, ks.integ_key);
out:
	OPENSSL_cleanse(km, sizeof(km));
	return rc;
}

void ike_sa_keys_wipe(struct ike_sa_keys *keys)
{
	if (keys)
		OPENSSL_cleanse(keys, sizeof(*keys));
}

void ike_child_keys_wipe(struct ike_child_keys *keys)
{
	if (keys)
		OPENSSL_cleanse(keys, sizeof(*keys));
}

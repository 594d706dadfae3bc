// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv2 PRFs and prf+ (RFC 7296 section 2.13), SK payload protection
 * (section 3.14, RFC 5282 for AES-GCM, RFC 7634 for ChaCha20-Poly1305),
 * PSK authentication (section 2.15), NAT detection (section 2.23) and
 * random values, on OpenSSL 3 libcrypto.
 */
#include <limits.h>
#include <string.h>

#include <netinet/in.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

const char *ike_crypto_strerror(int err)
{
	static const char *const msgs[] = {
		[IKE_CRYPTO_OK] = "success",
		[IKE_CE_INVAL] = "invalid argument",
		[IKE_CE_UNSUPPORTED] = "unsupported transform, group or key length",
		[IKE_CE_BUFSIZE] = "output buffer too small",
		[IKE_CE_PEER_LENGTH] = "peer key exchange data has the wrong length for the group",
		[IKE_CE_PEER_VALUE] = "peer public value invalid (range, subgroup or curve)",
		[IKE_CE_ZERO_SECRET] = "X25519 shared secret is all zero (small-order peer key)",
		[IKE_CE_PRFPLUS_LIMIT] = "prf+ output longer than 255 blocks",
		[IKE_CE_MSG_LENGTH] = "message or encrypted payload length inconsistent",
		[IKE_CE_ICV] = "encrypted payload integrity check failed",
		[IKE_CE_PADDING] = "encrypted payload pad length exceeds its plaintext",
		[IKE_CE_IV_EXHAUSTED] = "AEAD IV counter exhausted, rekey the IKE SA",
		[IKE_CE_AUTH] = "AUTH value mismatch",
		[IKE_CE_COOKIE] = "cookie mismatch",
		[IKE_CE_NOMEM] = "out of memory",
		[IKE_CE_RANDOM] = "random number generator failed",
		[IKE_CE_LIBCRYPTO] = "OpenSSL libcrypto failure",
	};

	if (err == INT_MIN)
		return "unknown crypto error";
	if (err < 0)
		err = -err;
	if ((size_t)err >= ARRAY_SIZE(msgs) || !msgs[err])
		return "unknown crypto error";
	return msgs[err];
}

static int ossl_fail(void)
{
	/* Keep OpenSSL's per-thread error queue from piling up across calls. */
	ERR_clear_error();
	return -IKE_CE_LIBCRYPTO;
}

/* ---- HMAC ---------------------------------------------------------------- */

static const char *prf_digest(int prf, size_t *len)
{
	switch (prf) {
	case IKE_PRF_HMAC_SHA1:
		*len = 20;
		return "SHA1";
	case IKE_PRF_HMAC_SHA2_256:
		*len = 32;
		return "SHA256";
	case IKE_PRF_HMAC_SHA2_384:
		*len = 48;
		return "SHA384";
	case IKE_PRF_HMAC_SHA2_512:
		*len = 64;
		return "SHA512";
	default:
		*len = 0;
		return NULL;
	}
}

/* An HMAC context keyed with key; NULL on failure. */
static EVP_MAC_CTX *hmac_new(const char *digest, const uint8_t *key, size_t keylen)
{
	static const uint8_t empty;
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
		OSSL_PARAM_END,
	};

	/* The MAC context holds its own reference to mac. */
	EVP_MAC_free(mac);
	/* A NULL key means "keep the old one" to EVP_MAC_init: pass "" for empty. */
	if (ctx && EVP_MAC_init(ctx, keylen ? key : &empty, keylen, params) != 1) {
		EVP_MAC_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

static int hmac_update(EVP_MAC_CTX *ctx, const struct ike_chunk *in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (in[i].len && EVP_MAC_update(ctx, in[i].ptr, in[i].len) != 1)
			return -1;
	return 0;
}

/* HMAC over chunks; out must hold the digest's full output, *outlen gets it. */
static int hmac_v(const char *digest, const uint8_t *key, size_t keylen,
		  const struct ike_chunk *in, size_t n, uint8_t *out, size_t outsize,
		  size_t *outlen)
{
	EVP_MAC_CTX *ctx = hmac_new(digest, key, keylen);
	int rc = 0;

	if (!ctx || hmac_update(ctx, in, n) || EVP_MAC_final(ctx, out, outlen, outsize) != 1)
		rc = ossl_fail();
	EVP_MAC_CTX_free(ctx);	/* clears the keyed state */
	return rc;
}

static bool chunks_ok(const struct ike_chunk *in, size_t n)
{
	if (n && !in)
		return false;
	for (size_t i = 0; i < n; i++)
		if (in[i].len && !in[i].ptr)
			return false;
	return true;
}

/* ---- PRF and prf+ (RFC 7296 section 2.13) --------------------------------- */

size_t ike_prf_len(int prf)
{
	size_t len;

	prf_digest(prf, &len);
	return len;
}

int ike_prf_v(int prf, const uint8_t *key, size_t keylen, const struct ike_chunk *in, size_t n,
	      uint8_t *out, size_t *outlen)
{
	size_t len;
	const char *md = prf_digest(prf, &len);

	if (!md)
		return -IKE_CE_UNSUPPORTED;
	if ((!key && keylen) || !chunks_ok(in, n) || !out || !outlen)
		return -IKE_CE_INVAL;
	if (*outlen < len)
		return -IKE_CE_BUFSIZE;
	return hmac_v(md, key, keylen, in, n, out, *outlen, outlen);
}

int ike_prf(int prf, const uint8_t *key, size_t keylen, const uint8_t *data, size_t datalen,
	    uint8_t *out, size_t *outlen)
{
	const struct ike_chunk in = { data, datalen };

	return ike_prf_v(prf, key, keylen, &in, 1, out, outlen);
}

int ike_prf_plus(int prf, const uint8_t *key, size_t keylen, const struct ike_chunk *seed,
		 size_t nseed, uint8_t *out, size_t outlen)
{
	uint8_t t[IKE_MAX_PRF_LEN];
	size_t blen, tlen = 0, done = 0;
	const char *md = prf_digest(prf, &blen);
	EVP_MAC_CTX *keyed = NULL, *ctx = NULL;
	int rc = 0;

	if (!md)
		return -IKE_CE_UNSUPPORTED;
	if ((!key && keylen) || !chunks_ok(seed, nseed) || (!out && outlen))
		return -IKE_CE_INVAL;
	/* The counter is one octet: at most 255 blocks. */
	if (outlen > 255 * blen)
		return -IKE_CE_PRFPLUS_LIMIT;

	keyed = hmac_new(md, key, keylen);
	if (!keyed)
		return ossl_fail();
	for (unsigned int i = 1; done < outlen; i++) {
		uint8_t ctr = (uint8_t)i;
		size_t n;

		/* Tn = prf(K, Tn-1 | S | n), T0 empty. */
		ctx = EVP_MAC_CTX_dup(keyed);
		if (!ctx || (tlen && EVP_MAC_update(ctx, t, tlen) != 1) ||
		    hmac_update(ctx, seed, nseed) || EVP_MAC_update(ctx, &ctr, 1) != 1 ||
		    EVP_MAC_final(ctx, t, &tlen, sizeof(t)) != 1 || tlen != blen) {
			rc = ossl_fail();
			break;
		}
		EVP_MAC_CTX_free(ctx);
		ctx = NULL;
		n = outlen - done < blen ? outlen - done : blen;
		memcpy(out + done, t, n);
		done += n;
	}
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_CTX_free(keyed);
	OPENSSL_cleanse(t, sizeof(t));
	if (rc)
		OPENSSL_cleanse(out, outlen);
	return rc;
}

/* ---- SK payload (RFC 7296 section 3.14, RFC 5282, RFC 7634) --------------- */

struct ike_sk {
	struct ike_keysizes sz;
	uint16_t encr;
	const char *integ_md;		/* HMAC digest for AES-CBC */
	uint8_t ekey[IKE_MAX_ENCR_KEY];	/* key | salt for AEAD */
	uint8_t akey[IKE_MAX_INTEG_KEY];
	uint64_t next_iv;		/* AEAD: next explicit IV */
	bool iv_exhausted;
};

static const char *integ_digest(int integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA1_96:
		return "SHA1";
	case IKE_INTEG_HMAC_SHA2_256_128:
		return "SHA256";
	case IKE_INTEG_HMAC_SHA2_384_192:
		return "SHA384";
	case IKE_INTEG_HMAC_SHA2_512_256:
		return "SHA512";
	default:
		return NULL;
	}
}

static const EVP_CIPHER *sk_cipher(const struct ike_sk *sk)
{
	size_t klen = sk->sz.encr_key - sk->sz.salt;

	switch (sk->encr) {
	case IKE_ENCR_AES_CBC:
		return klen == 16 ? EVP_aes_128_cbc() : klen == 24 ? EVP_aes_192_cbc()
								   : EVP_aes_256_cbc();
	case IKE_ENCR_AES_GCM_16:
		return klen == 16 ? EVP_aes_128_gcm() : klen == 24 ? EVP_aes_192_gcm()
								   : EVP_aes_256_gcm();
	case IKE_ENCR_CHACHA20_POLY1305:
		return EVP_chacha20_poly1305();
	default:
		return NULL;
	}
}

struct ike_sk *ike_sk_new(const struct ike_alg *alg, const uint8_t *ekey, size_t ekeylen,
			  const uint8_t *akey, size_t akeylen, int *err)
{
	struct ike_alg a;
	struct ike_keysizes ks;
	struct ike_sk *sk = NULL;
	int rc;

	rc = -IKE_CE_INVAL;
	if (!alg || !ekey)
		goto out;
	a = *alg;
	a.prf = 0;	/* the PRF plays no part in protecting messages */
	rc = ike_keysizes_get(&a, &ks);
	if (rc)
		goto out;
	rc = -IKE_CE_INVAL;
	if (ekeylen != ks.encr_key || akeylen != ks.integ_key || (akeylen && !akey))
		goto out;
	rc = -IKE_CE_NOMEM;
	sk = OPENSSL_zalloc(sizeof(*sk));
	if (!sk)
		goto out;
	sk->sz = ks;
	sk->encr = alg->encr;
	sk->integ_md = integ_digest(alg->integ);
	memcpy(sk->ekey, ekey, ekeylen);
	if (akeylen)
		memcpy(sk->akey, akey, akeylen);
	rc = 0;
out:
	if (err)
		*err = rc;
	return sk;
}

void ike_sk_free(struct ike_sk *sk)
{
	if (sk)
		OPENSSL_clear_free(sk, sizeof(*sk));
}

size_t ike_sk_body_len(const struct ike_sk *sk, size_t plainlen)
{
	size_t ct;

	if (!sk || plainlen > INT_MAX)
		return 0;
	/* payloads | padding | Pad Length, aligned to the cipher block. */
	ct = plainlen + 1;
	ct = (ct + sk->sz.block - 1) / sk->sz.block * sk->sz.block;
	return sk->sz.iv + ct + sk->sz.icv;
}

size_t ike_sk_max_plain(const struct ike_sk *sk, size_t body_len)
{
	size_t ct;

	if (!sk || body_len < sk->sz.iv + sk->sz.icv + sk->sz.block)
		return 0;
	ct = (body_len - sk->sz.iv - sk->sz.icv) / sk->sz.block * sk->sz.block;
	return ct - 1;
}

/* Common checks of the caller's message layout. */
static int sk_layout(const uint8_t *msg, size_t msglen, size_t body_off)
{
	uint32_t hdrlen;

	if (msglen > INT_MAX || body_off < IKE_HDR_LEN + IKE_GENERIC_HDR_LEN ||
	    body_off > msglen)
		return -IKE_CE_MSG_LENGTH;
	/* IKE header Length (octets 24-27) covers the whole message. */
	hdrlen = (uint32_t)msg[24] << 24 | (uint32_t)msg[25] << 16 | (uint32_t)msg[26] << 8 |
		 msg[27];
	if (hdrlen != msglen)
		return -IKE_CE_MSG_LENGTH;
	return 0;
}

/* Truncated HMAC over msg[0 .. len) into icv (RFC 7296 section 3.14). */
static int sk_hmac(const struct ike_sk *sk, const uint8_t *msg, size_t len, uint8_t *icv)
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	size_t maclen = 0;
	const struct ike_chunk in = { msg, len };
	int rc;

	rc = hmac_v(sk->integ_md, sk->akey, sk->sz.integ_key, &in, 1, mac, sizeof(mac), &maclen);
	if (!rc && maclen < sk->sz.icv)
		rc = -IKE_CE_LIBCRYPTO;
	if (!rc)
		memcpy(icv, mac, sk->sz.icv);
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

/*
 * An AEAD context for one message: nonce = salt (last 4 bytes of the key
 * material) | 8-byte explicit IV (RFC 5282 section 4, RFC 7634 section 2),
 * with aad fed in.
 */
static EVP_CIPHER_CTX *aead_ctx(const struct ike_sk *sk, int enc, const uint8_t *iv,
				const uint8_t *aad, size_t aadlen)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	size_t klen = sk->sz.encr_key - sk->sz.salt;
	uint8_t nonce[12];
	int outl;

	memcpy(nonce, sk->ekey + klen, 4);
	memcpy(nonce + 4, iv, 8);
	if (!ctx || EVP_CipherInit_ex(ctx, sk_cipher(sk), NULL, NULL, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, sizeof(nonce), NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, sk->ekey, nonce, enc) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aadlen) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		ctx = NULL;
	}
	OPENSSL_cleanse(nonce, sizeof(nonce));
	return ctx;
}

/* Encrypt or decrypt len bytes in -> out (may be equal) and finish. */
static int cipher_run(EVP_CIPHER_CTX *ctx, const uint8_t *in, size_t len, uint8_t *out)
{
	int outl = 0, finl = 0;

	if (EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1 || (size_t)outl != len)
		return -1;
	if (EVP_CipherFinal_ex(ctx, out + outl, &finl) != 1 || finl != 0)
		return -1;
	return 0;
}

int ike_sk_encrypt(struct ike_sk *sk, uint8_t *msg, size_t msglen, size_t body_off,
		   const uint8_t *plain, size_t plainlen)
{
	EVP_CIPHER_CTX *ctx = NULL;
	uint8_t *iv, *ct, *icv;
	size_t ctlen, bodylen;
	int rc;

	if (!sk || !msg || (!plain && plainlen))
		return -IKE_CE_INVAL;
	rc = sk_layout(msg, msglen, body_off);
	if (rc)
		return rc;
	bodylen = ike_sk_body_len(sk, plainlen);
	if (!bodylen || msglen - body_off != bodylen)
		return -IKE_CE_MSG_LENGTH;

	iv = msg + body_off;
	ct = iv + sk->sz.iv;
	ctlen = msglen - body_off - sk->sz.iv - sk->sz.icv;
	icv = ct + ctlen;

	if (sk->sz.aead) {
		/* Reserve the IV first: it must never be used twice, even after a failure. */
		if (sk->iv_exhausted)
			return -IKE_CE_IV_EXHAUSTED;
		for (int i = 7; i >= 0; i--)
			iv[7 - i] = (uint8_t)(sk->next_iv >> (8 * i));
		if (++sk->next_iv == 0)
			sk->iv_exhausted = true;
	} else if (RAND_bytes(iv, (int)sk->sz.iv) != 1) {
		/* RFC 7296 section 3.14: CBC IVs MUST be unpredictable. */
		ERR_clear_error();
		return -IKE_CE_RANDOM;
	}

	/* Payloads | zero padding | Pad Length (section 3.14). */
	if (plainlen)	/* plain may be NULL when empty (an empty INFORMATIONAL) */
		memmove(ct, plain, plainlen);
	memset(ct + plainlen, 0, ctlen - plainlen - 1);
	ct[ctlen - 1] = (uint8_t)(ctlen - plainlen - 1);

	rc = -IKE_CE_LIBCRYPTO;
	if (sk->sz.aead) {
		/* AAD = IKE header through the SK payload header (RFC 5282 5.1). */
		ctx = aead_ctx(sk, 1, iv, msg, body_off);
		if (!ctx || cipher_run(ctx, ct, ctlen, ct) ||
		    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)sk->sz.icv, icv) != 1)
			goto out;
	} else {
		ctx = EVP_CIPHER_CTX_new();
		if (!ctx || EVP_EncryptInit_ex(ctx, sk_cipher(sk), NULL, sk->ekey, iv) != 1 ||
		    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 || cipher_run(ctx, ct, ctlen, ct))
			goto out;
		/* ICV over IKE header .. end of ciphertext, IV included. */
		if (sk_hmac(sk, msg, msglen - sk->sz.icv, icv))
			goto out;
	}
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	if (rc) {
		/* Leave no plaintext behind in a buffer that may still be sent. */
		OPENSSL_cleanse(iv, msglen - body_off);
		ERR_clear_error();
	}
	return rc;
}

int ike_sk_decrypt(const struct ike_sk *sk, const uint8_t *msg, size_t msglen, size_t body_off,
		   uint8_t *out, size_t *outlen)
{
	EVP_CIPHER_CTX *ctx = NULL;
	const uint8_t *iv, *ct, *icv;
	uint8_t want[IKE_MAX_ICV];
	size_t bodylen, ctlen, pad;
	bool written = false;	/* out holds (unverified) plaintext */
	int rc;

	if (!sk || !msg || !out || !outlen)
		return -IKE_CE_INVAL;
	rc = sk_layout(msg, msglen, body_off);
	if (rc)
		return rc;
	bodylen = msglen - body_off;
	/* At least one block (CBC) or the Pad Length octet (AEAD). */
	if (bodylen < sk->sz.iv + sk->sz.block + sk->sz.icv)
		return -IKE_CE_MSG_LENGTH;
	iv = msg + body_off;
	ct = iv + sk->sz.iv;
	ctlen = bodylen - sk->sz.iv - sk->sz.icv;
	icv = ct + ctlen;
	if (ctlen % sk->sz.block)
		return -IKE_CE_MSG_LENGTH;
	if (*outlen < ctlen)
		return -IKE_CE_BUFSIZE;
	/* In place exactly, or not overlapping the message at all. */
	if (out != ct && (uintptr_t)out < (uintptr_t)(msg + msglen) &&
	    (uintptr_t)msg < (uintptr_t)(out + ctlen))
		return -IKE_CE_INVAL;

	if (sk->sz.aead) {
		memcpy(want, icv, sk->sz.icv);
		ctx = aead_ctx(sk, 0, iv, msg, body_off);
		if (!ctx || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)sk->sz.icv,
						want) != 1) {
			rc = -IKE_CE_LIBCRYPTO;
			goto out;
		}
		/*
		 * EVP writes plaintext before the final tag check (a
		 * CRYPTO_memcmp in OpenSSL); on failure it is wiped below,
		 * so none is ever returned unverified.
		 */
		written = true;
		if (cipher_run(ctx, ct, ctlen, out)) {
			rc = -IKE_CE_ICV;
			goto out;
		}
	} else {
		/* Verify before decrypting anything (encrypt-then-MAC). */
		if (sk_hmac(sk, msg, msglen - sk->sz.icv, want)) {
			rc = -IKE_CE_LIBCRYPTO;
			goto out;
		}
		if (CRYPTO_memcmp(want, icv, sk->sz.icv) != 0) {
			rc = -IKE_CE_ICV;
			goto out;
		}
		ctx = EVP_CIPHER_CTX_new();
		written = true;
		if (!ctx || EVP_DecryptInit_ex(ctx, sk_cipher(sk), NULL, sk->ekey, iv) != 1 ||
		    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 || cipher_run(ctx, ct, ctlen, out)) {
			rc = -IKE_CE_LIBCRYPTO;
			goto out;
		}
	}

	/* The recipient accepts any Pad Length that fits (section 3.14). */
	pad = out[ctlen - 1];
	if (pad + 1 > ctlen) {
		rc = -IKE_CE_PADDING;
		goto out;
	}
	*outlen = ctlen - pad - 1;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(want, sizeof(want));
	if (rc) {
		if (written)
			OPENSSL_cleanse(out, ctlen);
		ERR_clear_error();
	}
	return rc;
}

/* ---- PSK authentication (RFC 7296 section 2.15) --------------------------- */

int ike_psk_auth(int prf, const uint8_t *psk, size_t psklen, const uint8_t *msg, size_t msglen,
		 const uint8_t *nonce, size_t noncelen, const uint8_t *sk_p, size_t sk_plen,
		 const uint8_t *id_body, size_t id_bodylen, uint8_t *out, size_t *outlen)
{
	/* The 17 ASCII octets, no terminating NUL (section 2.15). */
	static const uint8_t keypad[] = "Key Pad for IKEv2";
	uint8_t key[IKE_MAX_PRF_LEN], maced[IKE_MAX_PRF_LEN];
	size_t plen = ike_prf_len(prf), klen = sizeof(key), mlen = sizeof(maced);
	int rc;

	if (!plen)
		return -IKE_CE_UNSUPPORTED;
	if (!psk || !psklen || !msg || !msglen || !nonce || !noncelen || !sk_p || !sk_plen ||
	    !id_body || id_bodylen < 4 || !out || !outlen)
		return -IKE_CE_INVAL;
	if (*outlen < plen)
		return -IKE_CE_BUFSIZE;

	/* MACedIDFor[IR] = prf(SK_p[ir], RestOf[IR]IDPayload) */
	rc = ike_prf(prf, sk_p, sk_plen, id_body, id_bodylen, maced, &mlen);
	if (!rc)
		rc = ike_prf(prf, psk, psklen, keypad, sizeof(keypad) - 1, key, &klen);
	if (!rc) {
		/* <SignedOctets> = RealMessage | Nonce[RI]Data | MACedIDFor[IR] */
		const struct ike_chunk so[] = {
			{ msg, msglen }, { nonce, noncelen }, { maced, mlen },
		};

		rc = ike_prf_v(prf, key, klen, so, 3, out, outlen);
	}
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(maced, sizeof(maced));
	return rc;
}

int ike_psk_verify(int prf, const uint8_t *psk, size_t psklen, const uint8_t *msg,
		   size_t msglen, const uint8_t *nonce, size_t noncelen, const uint8_t *sk_p,
		   size_t sk_plen, const uint8_t *id_body, size_t id_bodylen,
		   const uint8_t *auth, size_t authlen)
{
	uint8_t want[IKE_MAX_PRF_LEN];
	size_t len = sizeof(want);
	int rc;

	if (!auth)
		return -IKE_CE_INVAL;
	rc = ike_psk_auth(prf, psk, psklen, msg, msglen, nonce, noncelen, sk_p, sk_plen, id_body,
			  id_bodylen, want, &len);
	if (!rc && (authlen != len || CRYPTO_memcmp(want, auth, len) != 0))
		rc = -IKE_CE_AUTH;
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

/* ---- NAT detection (RFC 7296 section 2.23) -------------------------------- */

/* Address and port octets of an AF_INET/AF_INET6 sockaddr, network order. */
static int sockaddr_parts(const struct sockaddr *sa, const uint8_t **ip, size_t *iplen,
			  const uint8_t **port)
{
	if (!sa)
		return -IKE_CE_INVAL;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		*ip = (const uint8_t *)&in->sin_addr;
		*iplen = 4;
		*port = (const uint8_t *)&in->sin_port;
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		*ip = (const uint8_t *)&in6->sin6_addr;
		*iplen = 16;
		*port = (const uint8_t *)&in6->sin6_port;
		return 0;
	}
	return -IKE_CE_UNSUPPORTED;
}

int ike_natd_hash(const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
		  const struct sockaddr *addr, uint8_t out[IKE_NATD_HASH_LEN])
{
	const uint8_t *ip, *port;
	size_t iplen;
	unsigned int len = 0;
	EVP_MD_CTX *ctx;
	int rc;

	if (!spi_i || !spi_r || !out)
		return -IKE_CE_INVAL;
	rc = sockaddr_parts(addr, &ip, &iplen, &port);
	if (rc)
		return rc;
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, spi_i, IKE_SPI_LEN) != 1 ||
	    EVP_DigestUpdate(ctx, spi_r, IKE_SPI_LEN) != 1 ||
	    EVP_DigestUpdate(ctx, ip, iplen) != 1 || EVP_DigestUpdate(ctx, port, 2) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, &len) != 1 || len != IKE_NATD_HASH_LEN)
		rc = ossl_fail();
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* ---- Random values -------------------------------------------------------- */

int ike_random(void *buf, size_t len)
{
	if (!buf || len > INT_MAX)
		return -IKE_CE_INVAL;
	if (len && RAND_bytes(buf, (int)len) != 1) {
		ERR_clear_error();
		return -IKE_CE_RANDOM;
	}
	return 0;
}

int ike_nonce(uint8_t *buf, size_t len)
{
	if (len < IKE_NONCE_MIN || len > IKE_NONCE_MAX)
		return -IKE_CE_INVAL;
	return ike_random(buf, len);
}

bool ike_nonce_len_ok(int prf, size_t len)
{
	size_t plen = ike_prf_len(prf);

	/* RFC 7296 2.10: >= 128 bits and >= half the PRF key; 3.9: <= 256. */
	return plen && len >= IKE_NONCE_MIN && len >= (plen + 1) / 2 && len <= IKE_NONCE_MAX;
}

int ike_spi_ike(uint8_t spi[IKE_SPI_LEN])
{
	static const uint8_t zero[IKE_SPI_LEN];

	/* Zero means "unknown" in an IKE header (section 3.1); redraw. */
	for (int tries = 0; tries < 8; tries++) {
		int rc = ike_random(spi, IKE_SPI_LEN);

		if (rc)
			return rc;
		if (memcmp(spi, zero, IKE_SPI_LEN) != 0)
			return 0;
	}
	return -IKE_CE_RANDOM;
}

int ike_spi_esp(uint32_t *spi)
{
	if (!spi)
		return -IKE_CE_INVAL;
	for (int tries = 0; tries < 8; tries++) {
		uint8_t b[4];
		int rc = ike_random(b, sizeof(b));

		if (rc)
			return rc;
		*spi = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
		if (*spi >= 256)
			return 0;
	}
	return -IKE_CE_RANDOM;
}

/* ---- Cookies (RFC 7296 section 2.6) --------------------------------------- */

int ike_cookie_make(const uint8_t *secret, size_t secretlen, uint32_t version,
		    const uint8_t *ni, size_t nilen, const struct sockaddr *ipi,
		    const uint8_t spi_i[IKE_SPI_LEN], uint8_t out[IKE_COOKIE_LEN])
{
	const uint8_t *ip, *port;
	size_t iplen, len = 0;
	uint8_t mac[EVP_MAX_MD_SIZE];
	int rc;

	if (!secret || !secretlen || !ni || !nilen || !spi_i || !out)
		return -IKE_CE_INVAL;
	rc = sockaddr_parts(ipi, &ip, &iplen, &port);
	if (rc)
		return rc;
	out[0] = (uint8_t)(version >> 24);
	out[1] = (uint8_t)(version >> 16);
	out[2] = (uint8_t)(version >> 8);
	out[3] = (uint8_t)version;
	{
		/* The version is MACed too, so it cannot be swapped for another. */
		const struct ike_chunk in[] = {
			{ out, 4 }, { ni, nilen }, { ip, iplen }, { spi_i, IKE_SPI_LEN },
		};

		rc = hmac_v("SHA256", secret, secretlen, in, 4, mac, sizeof(mac), &len);
	}
	if (!rc && len != IKE_COOKIE_LEN - 4)
		rc = -IKE_CE_LIBCRYPTO;
	if (!rc)
		memcpy(out + 4, mac, IKE_COOKIE_LEN - 4);
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

int64_t ike_cookie_version(const uint8_t *cookie, size_t len)
{
	if (!cookie || len != IKE_COOKIE_LEN)
		return -1;
	return (int64_t)((uint32_t)cookie[0] << 24 | (uint32_t)cookie[1] << 16 |
			 (uint32_t)cookie[2] << 8 | cookie[3]);
}

int ike_cookie_verify(const uint8_t *secret, size_t secretlen, const uint8_t *ni, size_t nilen,
		      const struct sockaddr *ipi, const uint8_t spi_i[IKE_SPI_LEN],
		      const uint8_t *cookie, size_t len)
{
	uint8_t want[IKE_COOKIE_LEN];
	int64_t version = ike_cookie_version(cookie, len);
	int rc;

	if (version < 0)
		return -IKE_CE_COOKIE;
	rc = ike_cookie_make(secret, secretlen, (uint32_t)version, ni, nilen, ipi, spi_i, want);
	if (!rc && CRYPTO_memcmp(want, cookie, IKE_COOKIE_LEN) != 0)
		rc = -IKE_CE_COOKIE;
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

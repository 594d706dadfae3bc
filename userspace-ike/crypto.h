/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv2 cryptography for s2svpn-iked, every primitive from OpenSSL 3
 * libcrypto:
 *
 *   dh.c      Diffie-Hellman groups 2, 14-24 (MODP), 19-21 (ECP), 31 (Curve25519)
 *   kdf.c     transform key sizes, SKEYSEED, SK_*, Child SA KEYMAT
 *   crypto.c  error strings, PRFs and prf+, SK payload protection, PSK AUTH,
 *             NAT detection hashes, nonces, SPIs and cookies
 *
 * Conventions: functions return 0 or a negative enum ike_crypto_err
 * (ike_crypto_strerror() names it); none aborts, none keeps global
 * mutable state, so distinct objects may be used from distinct threads.
 * Output buffers come with a size_t *len that holds the buffer size on
 * entry and the length written on success. Secrets handed back (shared
 * secrets, keys) are the caller's to wipe: OPENSSL_cleanse() or the
 * ike_*_wipe() helpers; everything kept or freed here is wiped first.
 */
#ifndef S2SVPN_IKE_CRYPTO_H
#define S2SVPN_IKE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ike.h"

enum ike_crypto_err {
	IKE_CRYPTO_OK = 0,
	IKE_CE_INVAL,		/* bad argument: NULL, empty, out of range */
	IKE_CE_UNSUPPORTED,	/* unknown transform, group or key length */
	IKE_CE_BUFSIZE,		/* output buffer too small */
	IKE_CE_PEER_LENGTH,	/* peer KE data has the wrong length for the group */
	IKE_CE_PEER_VALUE,	/* peer KE value invalid (range, subgroup, curve) */
	IKE_CE_ZERO_SECRET,	/* X25519 result all zero (small-order peer) */
	IKE_CE_PRFPLUS_LIMIT,	/* prf+ asked for more than 255 blocks */
	IKE_CE_MSG_LENGTH,	/* message or SK payload lengths inconsistent */
	IKE_CE_ICV,		/* SK payload integrity check failed */
	IKE_CE_PADDING,		/* SK payload Pad Length exceeds the plaintext */
	IKE_CE_IV_EXHAUSTED,	/* AEAD IV counter used up: rekey the IKE SA */
	IKE_CE_AUTH,		/* AUTH payload value does not match */
	IKE_CE_COOKIE,		/* cookie does not match */
	IKE_CE_NOMEM,		/* allocation failed */
	IKE_CE_RANDOM,		/* RAND_bytes failed */
	IKE_CE_LIBCRYPTO,	/* other OpenSSL failure */
};

/* Accepts err or -err; never NULL. */
const char *ike_crypto_strerror(int err);

/* Input gathered from pieces, for PRF inputs such as Ni | Nr | SPIi | SPIr. */
struct ike_chunk {
	const uint8_t *ptr;
	size_t len;
};

#define IKE_MAX_PRF_LEN		64	/* HMAC-SHA2-512 */
#define IKE_MAX_ENCR_KEY	36	/* AES-256-GCM / ChaCha20: 32 + 4 salt */
#define IKE_MAX_INTEG_KEY	64	/* HMAC-SHA2-512-256 */
#define IKE_MAX_ICV		32
#define IKE_SPI_LEN		8
#define IKE_NONCE_LEN		32	/* what we send: >= 128 bits, >= half any PRF key */
#define IKE_NONCE_MIN		16	/* RFC 7296 section 3.9 */
#define IKE_NONCE_MAX		256
#define IKE_NATD_HASH_LEN	20	/* SHA-1, RFC 7296 section 2.23 */
#define IKE_COOKIE_LEN		36	/* 4-byte secret version | HMAC-SHA2-256 */
#define IKE_DH_MAX_PUBLIC	1024	/* MODP 8192 */

/* --- Diffie-Hellman (dh.c) ----------------------------------------------
 *
 * KE payload data per group (RFC 7296 section 3.4): MODP: g^x as a
 * big-endian integer padded to the length of p; ECP (RFC 5903 section 7):
 * x | y, each padded to the field size; Curve25519 (RFC 8031): 32 bytes.
 * The shared secret g^ir: MODP padded to the length of p; ECP the x
 * coordinate alone, padded; Curve25519 32 bytes.
 *
 * The object is named ike_dh_ctx because ike.h already has enum ike_dh,
 * and C gives struct and enum tags one name space.
 */
struct ike_dh_ctx;

/* 0 for groups this module does not implement. */
size_t ike_dh_public_len(int group);
size_t ike_dh_shared_len(int group);

/* A fresh key pair; NULL with *err set (err may be NULL) on failure. */
struct ike_dh_ctx *ike_dh_new(int group, int *err);
/*
 * A key pair from a fixed private value (big-endian scalar for ECP, the
 * 32-byte RFC 7748 string for Curve25519), for known-answer tests. MODP
 * groups are refused (IKE_CE_UNSUPPORTED): nothing needs them.
 */
struct ike_dh_ctx *ike_dh_new_from_private(int group, const uint8_t *priv, size_t len, int *err);
int ike_dh_group(const struct ike_dh_ctx *dh);
/* Our KE payload data; exactly ike_dh_public_len() bytes. */
int ike_dh_public(const struct ike_dh_ctx *dh, uint8_t *out, size_t *len);
/*
 * g^ir from the peer's KE data: refuses any length but the group's
 * (IKE_CE_PEER_LENGTH), MODP values outside 1 < y < p-1 or outside the
 * prime-order subgroup, ECP points not on the curve (IKE_CE_PEER_VALUE)
 * and an all-zero X25519 result (IKE_CE_ZERO_SECRET). The caller wipes
 * out when done.
 */
int ike_dh_shared(struct ike_dh_ctx *dh, const uint8_t *peer, size_t peerlen, uint8_t *out,
		  size_t *outlen);
void ike_dh_free(struct ike_dh_ctx *dh);

/* --- Transforms and key sizes (kdf.c) ---------------------------------- */

/* A negotiated suite, as the proposal module reports it. */
struct ike_alg {
	uint16_t encr;		/* enum ike_encr */
	uint16_t encr_keybits;	/* Key Length attribute; 0 = absent (ChaCha20) */
	uint16_t integ;		/* enum ike_integ; IKE_INTEG_NONE with AEAD */
	uint16_t prf;		/* enum ike_prf; 0 for ESP (Child SAs have none) */
};

/* Sizes implied by an ike_alg (RFC 7296 sections 2.13-2.17, 3.14). */
struct ike_keysizes {
	size_t encr_key;	/* SK_e / ESP encryption key, salt included */
	size_t salt;		/* trailing salt within encr_key: 4 for AEAD, else 0 */
	size_t integ_key;	/* SK_a / ESP integrity key; 0 for AEAD */
	size_t prf_len;		/* PRF output = preferred key size (SK_d, SK_p) */
	size_t iv;		/* SK payload IV: 16 for AES-CBC, 8 for AEAD */
	size_t icv;		/* SK payload ICV */
	size_t block;		/* padding alignment: 16 for CBC, 1 for AEAD */
	bool aead;
};

/*
 * Sizes for a suite; refuses unknown IDs, bad key lengths and integrity
 * with AEAD or without it for CBC (IKE_CE_UNSUPPORTED). prf 0 is allowed
 * (ESP) and gives prf_len 0.
 */
int ike_keysizes_get(const struct ike_alg *alg, struct ike_keysizes *ks);

/* IKE SA keys, RFC 7296 section 2.14. */
struct ike_sa_keys {
	struct ike_keysizes sz;
	uint8_t sk_d[IKE_MAX_PRF_LEN];
	uint8_t sk_ai[IKE_MAX_INTEG_KEY], sk_ar[IKE_MAX_INTEG_KEY];
	uint8_t sk_ei[IKE_MAX_ENCR_KEY], sk_er[IKE_MAX_ENCR_KEY];
	uint8_t sk_pi[IKE_MAX_PRF_LEN], sk_pr[IKE_MAX_PRF_LEN];
};

/* Child SA keys, RFC 7296 section 2.17; "i" is the exchange initiator. */
struct ike_child_keys {
	struct ike_keysizes sz;
	uint8_t encr_ir[IKE_MAX_ENCR_KEY], integ_ir[IKE_MAX_INTEG_KEY];	/* i -> r */
	uint8_t encr_ri[IKE_MAX_ENCR_KEY], integ_ri[IKE_MAX_INTEG_KEY];	/* r -> i */
};

/* SKEYSEED = prf(Ni | Nr, g^ir); HMAC takes all of Ni | Nr as its key. */
int ike_skeyseed(int prf, const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
		 const uint8_t *gir, size_t girlen, uint8_t *out, size_t *outlen);
/*
 * Rekeyed IKE SA (section 2.18): SKEYSEED = prf(SK_d(old), g^ir(new) |
 * Ni | Nr), with the OLD IKE SA's PRF.
 */
int ike_skeyseed_rekey(int old_prf, const uint8_t *sk_d_old, size_t sk_d_len,
		       const uint8_t *gir, size_t girlen, const uint8_t *ni, size_t nilen,
		       const uint8_t *nr, size_t nrlen, uint8_t *out, size_t *outlen);
/*
 * {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} =
 * prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) with alg->prf: when rekeying, the
 * new SA's PRF (keyed with a SKEYSEED the old one made) and the new SPIs.
 */
int ike_sa_keys_derive(const struct ike_alg *alg, const uint8_t *skeyseed, size_t skeyseedlen,
		       const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
		       const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
		       struct ike_sa_keys *keys);
/*
 * KEYMAT = prf+(SK_d, [g^ir(new) |] Ni | Nr) with the IKE SA's PRF, split
 * encr i->r, integ i->r, encr r->i, integ r->i (section 2.17). gir NULL
 * (girlen 0) without PFS.
 */
int ike_child_keys_derive(int prf, const uint8_t *sk_d, size_t sk_d_len,
			  const struct ike_alg *esp, const uint8_t *gir, size_t girlen,
			  const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
			  struct ike_child_keys *keys);
void ike_sa_keys_wipe(struct ike_sa_keys *keys);
void ike_child_keys_wipe(struct ike_child_keys *keys);

/* --- PRF (crypto.c) ----------------------------------------------------- */

/* Output (= preferred key) length of a PRF; 0 if unknown. */
size_t ike_prf_len(int prf);
int ike_prf(int prf, const uint8_t *key, size_t keylen, const uint8_t *data, size_t datalen,
	    uint8_t *out, size_t *outlen);
/* prf over the concatenation of n chunks. */
int ike_prf_v(int prf, const uint8_t *key, size_t keylen, const struct ike_chunk *in, size_t n,
	      uint8_t *out, size_t *outlen);
/*
 * prf+ (RFC 7296 section 2.13): T1 = prf(K, S | 0x01), Tn = prf(K,
 * Tn-1 | S | n), output T1 | T2 | ... truncated to outlen, which may not
 * exceed 255 blocks (IKE_CE_PRFPLUS_LIMIT).
 */
int ike_prf_plus(int prf, const uint8_t *key, size_t keylen, const struct ike_chunk *seed,
		 size_t nseed, uint8_t *out, size_t outlen);

/* --- SK payload protection (crypto.c) -----------------------------------
 *
 * One struct ike_sk per key direction: the original initiator encrypts
 * with (SK_ei, SK_ai) and decrypts with (SK_er, SK_ar); the responder the
 * other way round. Use ONE encrypting ike_sk per key: AEAD IVs come from
 * its counter (8-byte big-endian, from 0) and must never repeat.
 *
 * Message layout (whole message from the IKE header; no non-ESP marker):
 *
 *   msg[0 .. body_off)      IKE header | unencrypted payloads | SK header
 *                           (SKF: also Fragment Number | Total Fragments)
 *   msg[body_off .. msglen) IV | ciphertext(payloads | pad | Pad Length) | ICV
 *
 * The caller builds everything before body_off with final lengths: the
 * IKE header Length must equal msglen and msglen - body_off must be
 * ike_sk_body_len(plainlen); the SK header Length is the caller's too.
 * For AEAD the AAD is msg[0 .. body_off) (RFC 5282 section 5.1, RFC 7634
 * section 4, RFC 7383 section 2.5.3); for AES-CBC the ICV is a truncated
 * HMAC over msg[0 .. msglen - icv) (RFC 7296 section 3.14).
 */
struct ike_sk;

/* ekey includes the 4-byte salt for AEAD; akey is NULL/0 for AEAD. */
struct ike_sk *ike_sk_new(const struct ike_alg *alg, const uint8_t *ekey, size_t ekeylen,
			  const uint8_t *akey, size_t akeylen, int *err);
void ike_sk_free(struct ike_sk *sk);
/* Length of IV | ciphertext | ICV for plainlen bytes of inner payloads. */
size_t ike_sk_body_len(const struct ike_sk *sk, size_t plainlen);
/* Largest plaintext that fits a body of body_len bytes (for fragmenting). */
size_t ike_sk_max_plain(const struct ike_sk *sk, size_t body_len);
/*
 * Fills msg[body_off .. msglen). plain may be anywhere, including
 * msg + body_off + iv (in place) - it is moved with memmove.
 */
int ike_sk_encrypt(struct ike_sk *sk, uint8_t *msg, size_t msglen, size_t body_off,
		   const uint8_t *plain, size_t plainlen);
/*
 * Checks the ICV (constant time) and then the padding, and writes the
 * inner payloads to out: *outlen is the buffer size on entry (at least
 * the ciphertext length, padding included) and the payloads' length on
 * return. out may be msg + body_off + iv (in place), else must not
 * overlap msg. On failure nothing of the plaintext is left in out (so an
 * AEAD message decrypted in place is wiped); an AES-CBC ICV failure
 * leaves out untouched, as nothing is decrypted.
 */
int ike_sk_decrypt(const struct ike_sk *sk, const uint8_t *msg, size_t msglen, size_t body_off,
		   uint8_t *out, size_t *outlen);

/* --- PSK authentication, RFC 7296 section 2.15 (crypto.c) ---------------
 *
 * AUTH = prf(prf(PSK, "Key Pad for IKEv2"), msg | nonce | prf(sk_p, id_body))
 * For the initiator: msg = its IKE_SA_INIT request, nonce = Nr, sk_p =
 * SK_pi, id_body = IDi payload body (ID Type | RESERVED | data). For the
 * responder: its IKE_SA_INIT response, Ni, SK_pr, IDr body (>= 4 bytes).
 * *outlen: buffer size in, ike_prf_len(prf) out.
 */
int ike_psk_auth(int prf, const uint8_t *psk, size_t psklen, const uint8_t *msg, size_t msglen,
		 const uint8_t *nonce, size_t noncelen, const uint8_t *sk_p, size_t sk_plen,
		 const uint8_t *id_body, size_t id_bodylen, uint8_t *out, size_t *outlen);
/* 0 if auth matches, IKE_CE_AUTH if not (constant-time compare). */
int ike_psk_verify(int prf, const uint8_t *psk, size_t psklen, const uint8_t *msg,
		   size_t msglen, const uint8_t *nonce, size_t noncelen, const uint8_t *sk_p,
		   size_t sk_plen, const uint8_t *id_body, size_t id_bodylen,
		   const uint8_t *auth, size_t authlen);

/* --- NAT detection, RFC 7296 section 2.23 (crypto.c) --------------------
 *
 * SHA-1(SPIi | SPIr | IP | port) for an AF_INET or AF_INET6 address (port
 * and address as in the sockaddr, network order). SPIr is zero in the
 * IKE_SA_INIT request.
 */
int ike_natd_hash(const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
		  const struct sockaddr *addr, uint8_t out[IKE_NATD_HASH_LEN]);

/* --- Random values (crypto.c) ------------------------------------------- */

int ike_random(void *buf, size_t len);
/* A nonce of len bytes, IKE_NONCE_MIN <= len <= IKE_NONCE_MAX. */
int ike_nonce(uint8_t *buf, size_t len);
/* A peer's nonce length is acceptable for prf (>= 16, >= half its key). */
bool ike_nonce_len_ok(int prf, size_t len);
/* A non-zero IKE SPI. */
int ike_spi_ike(uint8_t spi[IKE_SPI_LEN]);
/* An ESP SPI, host order, outside the reserved 0-255 (RFC 4303 2.1). */
int ike_spi_esp(uint32_t *spi);
/*
 * Stateless cookies (RFC 7296 section 2.6): cookie = version (4 bytes,
 * big endian) | HMAC-SHA2-256(secret, version | Ni | IPi | SPIi), IPi the
 * address without the port. The caller keeps
 * the secret (ike_random, e.g. 32 bytes), its version and the previous
 * one, and verifies with the secret the cookie's version names.
 */
int ike_cookie_make(const uint8_t *secret, size_t secretlen, uint32_t version,
		    const uint8_t *ni, size_t nilen, const struct sockaddr *ipi,
		    const uint8_t spi_i[IKE_SPI_LEN], uint8_t out[IKE_COOKIE_LEN]);
/* Version in a cookie received, to select the secret; -1 if malformed. */
int64_t ike_cookie_version(const uint8_t *cookie, size_t len);
int ike_cookie_verify(const uint8_t *secret, size_t secretlen, const uint8_t *ni, size_t nilen,
		      const struct sockaddr *ipi, const uint8_t spi_i[IKE_SPI_LEN],
		      const uint8_t *cookie, size_t len);

#endif /* S2SVPN_IKE_CRYPTO_H */

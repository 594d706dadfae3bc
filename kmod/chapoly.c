// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn: ESP ChaCha20-Poly1305 (RFC 7634) on the kernel's ChaCha20 and
 * Poly1305 library functions.
 *
 * It is the construction of RFC 8439 section 2.8, as the rfc7539esp AEAD
 * template builds it, in one pass over the packet instead of an skcipher
 * walk and a chain of hash requests: where no SIMD code exists (routers
 * without it, UML) that pass is about 8% faster. WireGuard calls the same
 * library for the same reason. The packets are those of the template:
 * chapoly_test.c checks both directions against it and RFC 8439's vector,
 * and tests/netns/xfrm_interop.sh against xfrm.
 *
 * The nonce is salt || IV (RFC 7634 section 2); the AAD is SPI and sequence
 * number, 64 bits of it with ESN (section 2.1).
 */

#include <crypto/algapi.h>
#include <crypto/poly1305.h>
#include <crypto/scatterwalk.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "chapoly.h"
#include "compat.h"
#include "crypto.h"

/**
 * s2svpn_chapoly_new - the library key of an rfc7539esp SA
 * @p: checked crypto parameters: 32-byte key and salt
 *
 * Return: the key (free with s2svpn_chapoly_free()) or NULL.
 */
struct s2svpn_chapoly *s2svpn_chapoly_new(const struct s2svpn_crypto_params *p)
{
	struct s2svpn_chapoly *cp;
	int i;

	if (WARN_ON_ONCE(p->enc_keylen != CHACHA_KEY_SIZE || !p->salt))
		return NULL;
	cp = kmalloc(sizeof(*cp), GFP_KERNEL_ACCOUNT);
	if (!cp)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(cp->key); i++)
		cp->key[i] = get_unaligned_le32(p->enc_key + i * sizeof(u32));
	memcpy(cp->salt, p->salt, sizeof(cp->salt));
	return cp;
}

/**
 * s2svpn_chapoly_free - wipe and free a key
 * @cp: the key, or NULL
 */
void s2svpn_chapoly_free(struct s2svpn_chapoly *cp)
{
	kfree_sensitive(cp);
}

/**
 * s2svpn_chapoly_crypt - encrypt or decrypt one ESP payload in place
 * @cp: the key
 * @aad: SPI and sequence number as they go into the tag
 * @aad_len: 8, or 12 with ESN
 * @iv: the packet's 8-byte IV
 * @sg: the payload (padding and trailer included) followed by the ICV
 * @len: payload length, without the ICV
 * @encrypt: encrypt and write the ICV, else check the ICV and decrypt
 *
 * Context: any; the mappings are atomic.
 * Return: false if @sg is shorter than @len + ICV (nothing is touched), or,
 * decrypting, if the ICV does not match (the payload is garbage then).
 */
bool s2svpn_chapoly_crypt(const struct s2svpn_chapoly *cp, const u8 *aad,
			  unsigned int aad_len, const u8 *iv,
			  struct scatterlist *sg, unsigned int len, bool encrypt)
{
	static const u8 zeros[CHACHA_BLOCK_SIZE];
	u32 state[CHACHA_STATE_WORDS];
	struct poly1305_desc_ctx poly;
	struct sg_mapping_iter miter;
	unsigned int left = len, used = CHACHA_BLOCK_SIZE;
	u8 icv[2][S2SVPN_CHAPOLY_ICV_LEN];
	u8 block[CHACHA_BLOCK_SIZE];
	__le64 lens[2];
	struct scatterlist *e;
	unsigned int room = 0;
	bool ok = true;

	for (e = sg; e && room < len + S2SVPN_CHAPOLY_ICV_LEN; e = sg_next(e))
		room += e->length;
	if (unlikely(room < len + S2SVPN_CHAPOLY_ICV_LEN))
		return false;

	/* Block counter 0, then the 96-bit nonce. */
	put_unaligned_le32(0, block);
	memcpy(block + 4, cp->salt, sizeof(cp->salt));
	memcpy(block + 8, iv, S2SVPN_CHAPOLY_IV_LEN);
	chacha_init(state, cp->key, block);

	/* Block 0 keys Poly1305 (RFC 8439 2.6); the payload starts at block 1. */
	chacha_crypt(state, block, zeros, CHACHA_BLOCK_SIZE, 20);
	poly1305_init(&poly, block);
	poly1305_update(&poly, aad, aad_len);
	if (aad_len % POLY1305_BLOCK_SIZE)
		poly1305_update(&poly, zeros, POLY1305_BLOCK_SIZE - aad_len % POLY1305_BLOCK_SIZE);

	/*
	 * The tag covers the ciphertext: hashed before decryption, after
	 * encryption. A keystream block may straddle two pieces of @sg; its
	 * unused rest waits in @block, @used bytes of it consumed.
	 */
	sg_miter_start(&miter, sg, sg_nents(sg), SG_MITER_TO_SG | SG_MITER_ATOMIC);
	while (left && sg_miter_next(&miter)) {
		unsigned int piece = min_t(size_t, left, miter.length);
		unsigned int n = piece, k;
		u8 *p = miter.addr;

		if (!encrypt)
			poly1305_update(&poly, p, piece);
		if (used < CHACHA_BLOCK_SIZE) {
			k = min(n, CHACHA_BLOCK_SIZE - used);
			crypto_xor(p, block + used, k);
			used += k;
			p += k;
			n -= k;
		}
		/* Whole blocks, or everything up to the end of the payload. */
		k = piece == left ? n : round_down(n, CHACHA_BLOCK_SIZE);
		if (k) {
			chacha_crypt(state, p, p, k, 20);
			p += k;
			n -= k;
		}
		if (n) {
			chacha_crypt(state, block, zeros, CHACHA_BLOCK_SIZE, 20);
			crypto_xor(p, block, n);
			used = n;
		}
		if (encrypt)
			poly1305_update(&poly, miter.addr, piece);
		left -= piece;
	}
	sg_miter_stop(&miter);

	if (len % POLY1305_BLOCK_SIZE)
		poly1305_update(&poly, zeros, POLY1305_BLOCK_SIZE - len % POLY1305_BLOCK_SIZE);
	lens[0] = cpu_to_le64(aad_len);
	lens[1] = cpu_to_le64(len);
	poly1305_update(&poly, (const u8 *)lens, sizeof(lens));
	poly1305_final(&poly, icv[0]);

	if (encrypt) {
		scatterwalk_map_and_copy(icv[0], sg, len, S2SVPN_CHAPOLY_ICV_LEN, 1);
	} else {
		scatterwalk_map_and_copy(icv[1], sg, len, S2SVPN_CHAPOLY_ICV_LEN, 0);
		ok = !crypto_memneq(icv[0], icv[1], S2SVPN_CHAPOLY_ICV_LEN);
	}
	memzero_explicit(state, sizeof(state));
	memzero_explicit(block, sizeof(block));
	memzero_explicit(&poly, sizeof(poly));
	memzero_explicit(icv, sizeof(icv));
	return ok;
}

#if IS_ENABLED(CONFIG_S2SVPN_KUNIT_TEST)
#include "chapoly_test.c"
#endif

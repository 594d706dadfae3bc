/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn: ESP ChaCha20-Poly1305 (RFC 7634) on the kernel's library code.
 */
#ifndef _S2SVPN_CHAPOLY_H
#define _S2SVPN_CHAPOLY_H

#include <crypto/chacha.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

struct s2svpn_crypto_params;

/**
 * struct s2svpn_chapoly - the key of an SA that uses the library path
 * @key: ChaCha20 key, as chacha_init() takes it (little-endian words)
 * @salt: the nonce's first four bytes, from the key material (RFC 7634 2)
 */
struct s2svpn_chapoly {
	u32 key[CHACHA_KEY_SIZE / sizeof(u32)];
	u8 salt[4];
};

#define S2SVPN_CHAPOLY_IV_LEN	8
#define S2SVPN_CHAPOLY_ICV_LEN	16

struct s2svpn_chapoly *s2svpn_chapoly_new(const struct s2svpn_crypto_params *p);
void s2svpn_chapoly_free(struct s2svpn_chapoly *cp);
bool s2svpn_chapoly_crypt(const struct s2svpn_chapoly *cp, const u8 *aad,
			  unsigned int aad_len, const u8 *iv,
			  struct scatterlist *sg, unsigned int len, bool encrypt);

#endif /* _S2SVPN_CHAPOLY_H */

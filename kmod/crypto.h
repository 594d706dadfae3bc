/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn: ESP algorithms over the kernel crypto API.
 */
#ifndef _S2SVPN_CRYPTO_H
#define _S2SVPN_CRYPTO_H

#include <crypto/aead.h>
#include <linux/scatterlist.h>
#include <linux/netlink.h>
#include <linux/skbuff.h>

/**
 * struct s2svpn_alg - one ESP algorithm as the uapi names it
 * @name: crypto API name, as in S2SVPN_A_SA_ALG
 * @esn_name: the template to use with ESN (authencesn for authenc)
 * @geniv: IV generator wrapped around it, as xfrm does: seqiv for counter
 *	modes (IV = sequence number), echainiv for CBC (unpredictable IVs)
 * @combined: AEAD proper: takes a salt, no separate integrity key
 * @lib: has a library implementation (chapoly.c) used instead of the tfm
 * @enc_keylens: accepted cipher key lengths in bytes, 0-terminated
 * @auth_keylen: HMAC key length (0 for combined algorithms)
 * @icv_lens: accepted ICV lengths, the default first, 0-terminated
 * @iv_len: explicit IV length on the wire
 * @block_len: the payload aligns to this (1 for stream ciphers)
 */
struct s2svpn_alg {
	const char *name;
	const char *esn_name;
	const char *geniv;
	bool combined;
	bool lib;
	u8 enc_keylens[4];
	u8 auth_keylen;
	u8 icv_lens[4];
	u8 iv_len;
	u8 block_len;
};

#define S2SVPN_SALT_LEN		4

/**
 * struct s2svpn_crypto_params - what SA_NEW says about the crypto
 * @alg: the algorithm
 * @enc_key: cipher key
 * @enc_keylen: its length
 * @auth_key: HMAC key (authenc only)
 * @auth_keylen: its length
 * @salt: salt (combined algorithms only)
 * @icv_len: ICV length, 0 for the algorithm's default
 * @esn: extended sequence numbers
 */
struct s2svpn_crypto_params {
	const struct s2svpn_alg *alg;
	const u8 *enc_key;
	unsigned int enc_keylen;
	const u8 *auth_key;
	unsigned int auth_keylen;
	const u8 *salt;
	u8 icv_len;
	bool esn;
};

/**
 * struct s2svpn_crypto_req - per-packet crypto state
 * @skb: the packet
 * @ctx: the caller's context for the completion (tunnel, SA)
 * @seq: 64-bit sequence number of the packet
 * @esn_saved: the 4 bytes the ESN high bits temporarily overwrote
 * @esn_at: where they were, or NULL without ESN
 * @cached: a per-CPU cache buffer, given back to one when done (else too
 *	large for one, freed)
 * @tx: encryption: goes back to a CPU's encryption buffer
 * @held: a reference on the SA is held for an asynchronous completion
 * @len: transmit: inner packet length
 * @ds: transmit: inner DS field; receive: outer DS field
 * @df: transmit: inner IPv4 DF bit set (or inner IPv6)
 * @iv: IV handed to the tfm (the geniv writes the wire IV itself)
 * @req: the AEAD request, followed by its context and the scatterlist
 */
struct s2svpn_crypto_req {
	struct sk_buff *skb;
	void *ctx;
	u64 seq;
	__be32 esn_saved;
	__be32 *esn_at;
	bool cached;
	bool tx;
	bool held;
	unsigned int len;
	u8 ds;
	bool df;
	u8 iv[16] __aligned(8);
	struct aead_request req;
};

const struct s2svpn_alg *s2svpn_alg_find(const char *name);
int s2svpn_crypto_check(const struct s2svpn_crypto_params *p,
			struct netlink_ext_ack *extack);
bool s2svpn_crypto_lib(const struct s2svpn_crypto_params *p);
struct crypto_aead *s2svpn_crypto_tfm_new(const struct s2svpn_crypto_params *p,
					  struct netlink_ext_ack *extack);
bool s2svpn_crypto_is_async(struct crypto_aead *tfm);

struct s2svpn_crypto_req *s2svpn_crypto_req_get(struct crypto_aead *tfm,
						int nsg, bool tx,
						struct scatterlist **sg);
void s2svpn_crypto_req_put(struct s2svpn_crypto_req *cr);

int s2svpn_crypto_init(void);
void s2svpn_crypto_exit(void);

#endif /* _S2SVPN_CRYPTO_H */

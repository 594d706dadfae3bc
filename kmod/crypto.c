// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn: ESP algorithms over the kernel crypto API.
 *
 * The transforms are built exactly as net/ipv4/esp4.c builds them (geniv
 * template around the AEAD, authencesn for ESN, the same key layouts), so
 * that packets interoperate with the kernel's own xfrm on the wire.
 */

#include <crypto/authenc.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/netlink.h>

#include "crypto.h"

static bool async_crypto;
module_param(async_crypto, bool, 0444);
MODULE_PARM_DESC(async_crypto,
		 "testing: wrap every SA's transform in cryptd, so that all crypto completes asynchronously");

static bool chapoly_lib = true;
module_param(chapoly_lib, bool, 0644);
MODULE_PARM_DESC(chapoly_lib,
		 "ChaCha20-Poly1305 SAs use the kernel's ChaCha20 and Poly1305 library code (N: the rfc7539esp AEAD template); read at SA creation");

static const struct s2svpn_alg s2svpn_algs[] = {
	{
		.name = "rfc4106(gcm(aes))", .geniv = "seqiv", .combined = true,
		.enc_keylens = { 16, 24, 32 }, .icv_lens = { 16, 12, 8 },
		.iv_len = 8, .block_len = 1,
	}, {
		.name = "rfc7539esp(chacha20,poly1305)", .geniv = "seqiv",
		.combined = true, .lib = true, .enc_keylens = { 32 },
		.icv_lens = { 16 }, .iv_len = 8, .block_len = 1,
	}, {
		.name = "authenc(hmac(sha1),cbc(aes))",
		.esn_name = "authencesn(hmac(sha1),cbc(aes))", .geniv = "echainiv",
		.enc_keylens = { 16, 24, 32 }, .auth_keylen = 20,
		.icv_lens = { 12 }, .iv_len = 16, .block_len = 16,
	}, {
		.name = "authenc(hmac(sha256),cbc(aes))",
		.esn_name = "authencesn(hmac(sha256),cbc(aes))", .geniv = "echainiv",
		.enc_keylens = { 16, 24, 32 }, .auth_keylen = 32,
		.icv_lens = { 16 }, .iv_len = 16, .block_len = 16,
	}, {
		.name = "authenc(hmac(sha384),cbc(aes))",
		.esn_name = "authencesn(hmac(sha384),cbc(aes))", .geniv = "echainiv",
		.enc_keylens = { 16, 24, 32 }, .auth_keylen = 48,
		.icv_lens = { 24 }, .iv_len = 16, .block_len = 16,
	}, {
		.name = "authenc(hmac(sha512),cbc(aes))",
		.esn_name = "authencesn(hmac(sha512),cbc(aes))", .geniv = "echainiv",
		.enc_keylens = { 16, 24, 32 }, .auth_keylen = 64,
		.icv_lens = { 32 }, .iv_len = 16, .block_len = 16,
	},
};

/**
 * s2svpn_alg_find - look an algorithm up by its uapi name
 * @name: e.g. "rfc4106(gcm(aes))"
 *
 * Return: the table entry or NULL.
 */
const struct s2svpn_alg *s2svpn_alg_find(const char *name)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(s2svpn_algs); i++)
		if (!strcmp(s2svpn_algs[i].name, name))
			return &s2svpn_algs[i];
	return NULL;
}

static bool s2svpn_len_in(const u8 *lens, unsigned int len)
{
	for (; *lens; lens++)
		if (*lens == len)
			return true;
	return false;
}

/**
 * s2svpn_crypto_check - are the keys and lengths right for the algorithm?
 * @p: algorithm, keys, ICV length
 * @extack: names what is wrong
 *
 * Return: 0 or -EINVAL.
 */
int s2svpn_crypto_check(const struct s2svpn_crypto_params *p,
			struct netlink_ext_ack *extack)
{
	const struct s2svpn_alg *alg = p->alg;

	if (!s2svpn_len_in(alg->enc_keylens, p->enc_keylen)) {
		NL_SET_ERR_MSG(extack, "cipher key length not valid for the algorithm");
		return -EINVAL;
	}
	if (alg->combined) {
		if (!p->salt) {
			NL_SET_ERR_MSG(extack, "algorithm needs a 4-byte salt");
			return -EINVAL;
		}
		if (p->auth_key) {
			NL_SET_ERR_MSG(extack, "combined-mode algorithm takes no auth key");
			return -EINVAL;
		}
	} else {
		if (p->salt) {
			NL_SET_ERR_MSG(extack, "CBC algorithm takes no salt");
			return -EINVAL;
		}
		if (!p->auth_key || p->auth_keylen != alg->auth_keylen) {
			NL_SET_ERR_MSG(extack,
				       "auth key missing or of the wrong length for the HMAC");
			return -EINVAL;
		}
	}
	if (p->icv_len && !s2svpn_len_in(alg->icv_lens, p->icv_len)) {
		NL_SET_ERR_MSG(extack, "ICV length not valid for the algorithm");
		return -EINVAL;
	}
	return 0;
}

/* The key blob crypto_aead_setkey() wants, as esp4 builds it. */
static u8 *s2svpn_crypto_key(const struct s2svpn_crypto_params *p,
			     unsigned int *len)
{
	struct crypto_authenc_key_param *param;
	struct rtattr *rta;
	u8 *key;

	if (p->alg->combined) {
		*len = p->enc_keylen + S2SVPN_SALT_LEN;
		key = kmalloc(*len, GFP_KERNEL);
		if (!key)
			return NULL;
		memcpy(key, p->enc_key, p->enc_keylen);
		memcpy(key + p->enc_keylen, p->salt, S2SVPN_SALT_LEN);
		return key;
	}

	*len = RTA_SPACE(sizeof(*param)) + p->auth_keylen + p->enc_keylen;
	key = kmalloc(*len, GFP_KERNEL);
	if (!key)
		return NULL;
	rta = (struct rtattr *)key;
	rta->rta_type = CRYPTO_AUTHENC_KEYA_PARAM;
	rta->rta_len = RTA_LENGTH(sizeof(*param));
	param = RTA_DATA(rta);
	param->enckeylen = cpu_to_be32(p->enc_keylen);
	memcpy(key + RTA_SPACE(sizeof(*param)), p->auth_key, p->auth_keylen);
	memcpy(key + RTA_SPACE(sizeof(*param)) + p->auth_keylen, p->enc_key,
	       p->enc_keylen);
	return key;
}

/*
 * The same algorithm behind cryptd, for async_crypto. A cryptd instance is
 * found by driver name only ("cryptd(<driver>)"), and it then outranks the
 * synchronous implementation for every user of the kernel.
 */
static struct crypto_aead *s2svpn_crypto_cryptd(struct crypto_aead *sync)
{
	char name[CRYPTO_MAX_ALG_NAME];
	int len;

	/* An earlier cryptd instance may already be the best implementation. */
	if (s2svpn_crypto_is_async(sync))
		return sync;
	len = snprintf(name, sizeof(name), "cryptd(%s)",
		       crypto_tfm_alg_driver_name(crypto_aead_tfm(sync)));
	crypto_free_aead(sync);
	if (len >= sizeof(name))
		return ERR_PTR(-ENAMETOOLONG);
	return crypto_alloc_aead(name, 0, 0);
}

/**
 * s2svpn_crypto_tfm_new - allocate and key the transform of an SA
 * @p: algorithm, keys, ICV length, ESN
 * @extack: for errors
 *
 * Return: the transform or an ERR_PTR().
 */
struct crypto_aead *s2svpn_crypto_tfm_new(const struct s2svpn_crypto_params *p,
					  struct netlink_ext_ack *extack)
{
	const struct s2svpn_alg *alg = p->alg;
	char name[CRYPTO_MAX_ALG_NAME];
	struct crypto_aead *tfm;
	unsigned int keylen;
	u8 *key;
	int err;

	err = s2svpn_crypto_check(p, extack);
	if (err)
		return ERR_PTR(err);

	if (snprintf(name, sizeof(name), "%s(%s)", alg->geniv,
		     p->esn && alg->esn_name ? alg->esn_name : alg->name) >=
	    sizeof(name))
		return ERR_PTR(-ENAMETOOLONG);

	tfm = crypto_alloc_aead(name, 0, 0);
	if (IS_ERR(tfm)) {
		NL_SET_ERR_MSG(extack, "algorithm not available in this kernel (crypto modules?)");
		return tfm;
	}
	if (async_crypto) {
		tfm = s2svpn_crypto_cryptd(tfm);
		if (IS_ERR(tfm)) {
			NL_SET_ERR_MSG(extack, "cannot wrap the algorithm in cryptd");
			return tfm;
		}
	}

	key = s2svpn_crypto_key(p, &keylen);
	if (!key) {
		err = -ENOMEM;
		goto free_tfm;
	}
	err = crypto_aead_setkey(tfm, key, keylen);
	kfree_sensitive(key);
	if (err) {
		NL_SET_ERR_MSG(extack, "crypto API refused the key");
		goto free_tfm;
	}
	err = crypto_aead_setauthsize(tfm, p->icv_len ?: alg->icv_lens[0]);
	if (err) {
		NL_SET_ERR_MSG(extack, "crypto API refused the ICV length");
		goto free_tfm;
	}
	return tfm;

free_tfm:
	crypto_free_aead(tfm);
	return ERR_PTR(err);
}

/**
 * s2svpn_crypto_lib - does an SA with @p use library code instead of a tfm?
 * @p: the SA's crypto parameters
 *
 * Only ChaCha20-Poly1305 does (chapoly.c), unless async_crypto wants every
 * SA behind cryptd or chapoly_lib is off.
 *
 * Return: true for the library path.
 */
bool s2svpn_crypto_lib(const struct s2svpn_crypto_params *p)
{
	return p->alg->lib && READ_ONCE(chapoly_lib) && !async_crypto;
}

/**
 * s2svpn_crypto_is_async - may the transform complete asynchronously?
 * @tfm: the transform
 *
 * Return: true if requests may return -EINPROGRESS.
 */
bool s2svpn_crypto_is_async(struct crypto_aead *tfm)
{
	return crypto_aead_alg(tfm)->base.cra_flags & CRYPTO_ALG_ASYNC;
}

/*
 * Requests are built in per-CPU cached buffers, so that the data path
 * allocates nothing but the skb: a request takes its CPU's buffer of its
 * direction and gives it back when done, to the CPU it completes on. One in
 * flight asynchronously (cryptd), or nested, makes the next one allocate,
 * and the cache refills when it completes. An AES-NI "simd" transform, async
 * by its flags, mostly completes at once and allocates nothing either.
 *
 * The buffers are kmalloc'ed, not per-CPU memory themselves: the AEAD
 * templates point scatterlists into the request context (gcm's auth tag,
 * chacha20poly1305's Poly1305 key), and per-CPU memory may be vmalloc'ed,
 * which scatterlists must never address.
 */
#define S2SVPN_SCRATCH_LEN	4096

/**
 * struct s2svpn_scratch - one CPU's cached request buffers
 * @tx: for encryption, S2SVPN_SCRATCH_LEN bytes, NULL while in use
 * @rx: for decryption, the same
 */
struct s2svpn_scratch {
	u8 *tx;
	u8 *rx;
};

static struct s2svpn_scratch __percpu *s2svpn_scratch;

static size_t s2svpn_crypto_req_sg_off(struct crypto_aead *tfm)
{
	return ALIGN(sizeof(struct s2svpn_crypto_req) +
		     (tfm ? crypto_aead_reqsize(tfm) : 0),
		     __alignof__(struct scatterlist));
}

/**
 * s2svpn_crypto_req_get - request memory for one packet
 * @tfm: the SA's transform, or NULL for library code (no AEAD request)
 * @nsg: scatterlist entries needed
 * @tx: encryption (else decryption)
 * @sg: set to the scatterlist
 *
 * Context: BH disabled.
 * Return: the request, bound to @tfm, or NULL if out of memory.
 */
struct s2svpn_crypto_req *s2svpn_crypto_req_get(struct crypto_aead *tfm,
						int nsg, bool tx,
						struct scatterlist **sg)
{
	size_t off = s2svpn_crypto_req_sg_off(tfm);
	size_t len = off + nsg * sizeof(struct scatterlist);
	struct s2svpn_crypto_req *cr;
	bool cached = len <= S2SVPN_SCRATCH_LEN;

	DEBUG_NET_WARN_ON_ONCE(!in_softirq());
	if (cached) {
		struct s2svpn_scratch *s = this_cpu_ptr(s2svpn_scratch);
		u8 **slot = tx ? &s->tx : &s->rx;

		cr = (struct s2svpn_crypto_req *)*slot;
		*slot = NULL;
		if (!cr)
			cr = kmalloc(S2SVPN_SCRATCH_LEN, GFP_ATOMIC);
	} else {
		cr = kmalloc(len, GFP_ATOMIC);
	}
	if (!cr)
		return NULL;
	cr->cached = cached;
	cr->tx = tx;
	cr->esn_at = NULL;
	if (tfm)
		aead_request_set_tfm(&cr->req, tfm);
	*sg = (struct scatterlist *)((u8 *)cr + off);
	return cr;
}

/**
 * s2svpn_crypto_req_put - done with a request
 * @cr: the request
 *
 * Context: BH disabled.
 */
void s2svpn_crypto_req_put(struct s2svpn_crypto_req *cr)
{
	if (cr->cached) {
		struct s2svpn_scratch *s = this_cpu_ptr(s2svpn_scratch);
		u8 **slot = cr->tx ? &s->tx : &s->rx;

		if (!*slot) {
			*slot = (u8 *)cr;
			return;
		}
	}
	kfree(cr);
}

static void s2svpn_scratch_free(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct s2svpn_scratch *s = per_cpu_ptr(s2svpn_scratch, cpu);

		kfree(s->tx);
		kfree(s->rx);
	}
	free_percpu(s2svpn_scratch);
}

int s2svpn_crypto_init(void)
{
	int cpu;

	s2svpn_scratch = alloc_percpu(struct s2svpn_scratch);
	if (!s2svpn_scratch)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct s2svpn_scratch *s = per_cpu_ptr(s2svpn_scratch, cpu);

		s->tx = kmalloc_node(S2SVPN_SCRATCH_LEN, GFP_KERNEL, cpu_to_node(cpu));
		s->rx = kmalloc_node(S2SVPN_SCRATCH_LEN, GFP_KERNEL, cpu_to_node(cpu));
		if (!s->tx || !s->rx) {
			s2svpn_scratch_free();
			return -ENOMEM;
		}
	}
	return 0;
}

void s2svpn_crypto_exit(void)
{
	s2svpn_scratch_free();
}

#if IS_ENABLED(CONFIG_S2SVPN_KUNIT_TEST)
#include "crypto_test.c"
#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * aeadspeed: the crypto ceiling for `make bench`. Times the AEAD transforms
 * an ESP SA uses (the geniv template around the algorithm, as esp4 and
 * s2svpn allocate them) on ESP-shaped requests: 8 bytes of associated data
 * (SPI, sequence number), the IV, LEN bytes of payload and the ICV, in
 * place, synchronously, on one CPU. Also times the ChaCha20-Poly1305
 * library WireGuard calls instead of the crypto API.
 *
 *   insmod aeadspeed.ko len=1438 msecs=1000
 *
 * Prints one line per transform and direction:
 *   aeadspeed: NAME driver DRIVER len LEN enc|dec OPS ops NS ns MBPS MB/s
 * and then refuses to stay loaded (-EAGAIN), like tcrypt.
 */

#include <crypto/aead.h>
#include <crypto/authenc.h>
#include <crypto/chacha20poly1305.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

static unsigned int len = 1438;
module_param(len, uint, 0444);
MODULE_PARM_DESC(len, "ESP payload bytes per request (inner packet + trailer)");
static unsigned int msecs = 1000;
module_param(msecs, uint, 0444);
MODULE_PARM_DESC(msecs, "time per transform and direction");

struct speed_alg {
	const char *label;
	const char *name;	/* what esp4 and s2svpn allocate */
	unsigned int enc_keylen, auth_keylen, salt_len, icv;
};

static const struct speed_alg algs[] = {
	{ "aes-gcm-128", "seqiv(rfc4106(gcm(aes)))", 16, 0, 4, 16 },
	{ "aes-cbc-256-sha256", "echainiv(authenc(hmac(sha256),cbc(aes)))", 32, 32, 0, 16 },
	{ "chacha20-poly1305", "seqiv(rfc7539esp(chacha20,poly1305))", 32, 0, 4, 16 },
};

static int set_key(struct crypto_aead *tfm, const struct speed_alg *a)
{
	u8 key[RTA_SPACE(sizeof(struct crypto_authenc_key_param)) + 64 + 36];
	struct crypto_authenc_key_param *param;
	struct rtattr *rta;
	unsigned int klen;

	memset(key, 0x5a, sizeof(key));
	if (!a->auth_keylen) {
		klen = a->enc_keylen + a->salt_len;
	} else {
		rta = (struct rtattr *)key;
		rta->rta_type = CRYPTO_AUTHENC_KEYA_PARAM;
		rta->rta_len = RTA_LENGTH(sizeof(*param));
		param = RTA_DATA(rta);
		param->enckeylen = cpu_to_be32(a->enc_keylen);
		klen = RTA_SPACE(sizeof(*param)) + a->auth_keylen + a->enc_keylen;
	}
	return crypto_aead_setkey(tfm, key, klen) ?:
	       crypto_aead_setauthsize(tfm, a->icv);
}

/* One timed operation and what it works on. */
struct speed_job {
	struct aead_request *req;
	struct scatterlist *sg;
	u8 *buf, *ct, iv[16], key[CHACHA20POLY1305_KEY_SIZE];
	unsigned int total, ivlen, crypt_len;
	u64 seq;
};

typedef int (*speed_op)(struct speed_job *j);

/* Run @op for msecs; print ops and MB/s of @len-byte payloads. */
static int timed(speed_op op, struct speed_job *j, const char *label,
		 const char *driver, const char *dir)
{
	ktime_t start = ktime_get(), end = ktime_add_ms(start, msecs);
	u64 ops = 0, ns, bps;
	int err;

	do {
		err = op(j);
		if (err) {
			pr_err("aeadspeed: %s %s: %d\n", label, dir, err);
			return err;
		}
		if (!(++ops & 15))
			cond_resched();
	} while (ktime_before(ktime_get(), end));
	ns = ktime_to_ns(ktime_sub(ktime_get(), start));
	bps = div64_u64(ops * len * 1000000000ULL, ns);
	pr_info("aeadspeed: %s driver %s len %u %s %llu ops %llu ns %llu.%02llu MB/s\n",
		label, driver, len, dir, ops, ns, bps / 1000000,
		(bps % 1000000) / 10000);
	return 0;
}

/* Encrypt: a new sequence number (and so IV) each time, as ESP does. */
static int op_encrypt(struct speed_job *j)
{
	memset(j->iv, 0, sizeof(j->iv));
	memcpy(j->iv + j->ivlen - 8, &j->seq, 8);
	j->seq++;
	aead_request_set_crypt(j->req, j->sg, j->sg, j->crypt_len, j->iv);
	return crypto_aead_encrypt(j->req);
}

/* Decrypt a valid packet in place, restoring the ciphertext each time. */
static int op_decrypt(struct speed_job *j)
{
	memcpy(j->buf, j->ct, j->total);
	aead_request_set_crypt(j->req, j->sg, j->sg, j->crypt_len, j->iv);
	return crypto_aead_decrypt(j->req);
}

static int op_lib_encrypt(struct speed_job *j)
{
	chacha20poly1305_encrypt(j->buf, j->buf, j->crypt_len, NULL, 0, ++j->seq, j->key);
	return 0;
}

static int op_lib_decrypt(struct speed_job *j)
{
	memcpy(j->buf, j->ct, j->total);
	return chacha20poly1305_decrypt(j->buf, j->buf, j->total, NULL, 0, j->seq,
					j->key) ? 0 : -EBADMSG;
}

static int speed_one(const struct speed_alg *a)
{
	struct speed_job j = { .seq = 1 };
	struct scatterlist sg;
	struct crypto_aead *tfm;
	const char *driver;
	unsigned int clen;
	int err;

	tfm = crypto_alloc_aead(a->name, 0, CRYPTO_ALG_ASYNC);
	if (IS_ERR(tfm)) {
		pr_err("aeadspeed: %s: %ld\n", a->name, PTR_ERR(tfm));
		return PTR_ERR(tfm);
	}
	driver = crypto_tfm_alg_driver_name(crypto_aead_tfm(tfm));
	err = set_key(tfm, a);
	if (err)
		goto free_tfm;
	j.ivlen = crypto_aead_ivsize(tfm);
	/* CBC needs whole blocks: the trailer pads the payload to them. */
	clen = a->auth_keylen ? ALIGN(len, 16) : len;
	j.total = 8 + j.ivlen + clen + a->icv;
	err = -ENOMEM;
	j.buf = kzalloc(j.total, GFP_KERNEL);
	j.ct = kzalloc(j.total, GFP_KERNEL);
	j.req = aead_request_alloc(tfm, GFP_KERNEL);
	if (!j.buf || !j.ct || !j.req)
		goto free;
	aead_request_set_callback(j.req, 0, NULL, NULL);
	aead_request_set_ad(j.req, 8);
	sg_init_one(&sg, j.buf, j.total);
	j.sg = &sg;

	j.crypt_len = j.ivlen + clen;
	err = timed(op_encrypt, &j, a->label, driver, "enc");
	if (err)
		goto free;
	memcpy(j.ct, j.buf, j.total);
	j.crypt_len = j.ivlen + clen + a->icv;
	err = timed(op_decrypt, &j, a->label, driver, "dec");
free:
	aead_request_free(j.req);
	kfree(j.ct);
	kfree(j.buf);
free_tfm:
	crypto_free_aead(tfm);
	return err;
}

/* What WireGuard calls: the library, on a 16-byte-padded payload. */
static int speed_lib(void)
{
	static const char driver[] = "lib-chacha20poly1305(wireguard)";
	struct speed_job j = { .crypt_len = ALIGN(len, 16) };
	int err = -ENOMEM;

	j.total = j.crypt_len + CHACHA20POLY1305_AUTHTAG_SIZE;
	j.buf = kzalloc(j.total, GFP_KERNEL);
	j.ct = kzalloc(j.total, GFP_KERNEL);
	if (!j.buf || !j.ct)
		goto free;
	memset(j.key, 0x5a, sizeof(j.key));
	err = timed(op_lib_encrypt, &j, "chacha20-poly1305", driver, "enc");
	if (err)
		goto free;
	memcpy(j.ct, j.buf, j.total);
	err = timed(op_lib_decrypt, &j, "chacha20-poly1305", driver, "dec");
free:
	kfree(j.ct);
	kfree(j.buf);
	return err;
}

static int __init aeadspeed_init(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(algs); i++)
		speed_one(&algs[i]);
	speed_lib();
	pr_info("aeadspeed: done\n");
	return -EAGAIN;
}

module_init(aeadspeed_init);
MODULE_DESCRIPTION("s2svpn bench: AEAD speed of the ESP transforms");
MODULE_LICENSE("GPL");

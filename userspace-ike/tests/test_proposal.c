// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of proposal.c: algorithm names (strongSwan's and AWS's),
 * proposal text, selection as responder, validation of a reply as
 * initiator, key sizes. Links msg.c and msg_build.c for the end-to-end
 * case through the wire format.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proposal.h"

#define assert_contains(hay, needle) do {				\
	const char *h_ = (hay), *n_ = (needle);				\
	if (!strstr(h_, n_))						\
		fail_msg("\"%s\" does not contain \"%s\"", h_, n_);	\
} while (0)

static struct ike_proposal prop(const char *text, uint8_t protocol)
{
	struct ike_msg_err err;
	struct ike_proposal p;

	if (ike_proposal_parse(text, protocol, &p, &err))
		fail_msg("'%s': %s", text, err.msg);
	return p;
}

static void assert_format(const struct ike_proposal *p, const char *want)
{
	char buf[256];

	assert_string_equal(ike_proposal_format(p, buf, sizeof(buf)), want);
}

static void add_tf(struct ike_proposal *p, uint8_t type, uint16_t id, uint16_t key_len)
{
	assert_true(p->n_transforms < IKE_MAX_TRANSFORMS);
	p->t[p->n_transforms++] = (struct ike_transform){ .type = type, .id = id,
							   .key_len = key_len };
}

/* The peer's SA payload: proposals numbered 1, 2, ... */
static void offer_add(struct ike_sa_pl *sa, struct ike_proposal p)
{
	assert_true(sa->n < IKE_MAX_PROPOSALS);
	p.num = (uint8_t)(sa->n + 1);
	sa->p[sa->n++] = p;
}

static int select1(const char *local, const struct ike_sa_pl *offer, struct ike_proposal *chosen,
		   struct ike_msg_err *err)
{
	struct ike_proposal l = prop(local, offer->p[0].protocol);

	memset(err, 0, sizeof(*err));
	return ike_proposal_select(&l, 1, offer, chosen, err);
}

/* ---- names ------------------------------------------------------------------ */

static const struct {
	const char *name;
	uint8_t type;
	uint16_t id;
	uint16_t key_len;
} canonical[] = {
	{ "aes128", IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 128 },
	{ "aes192", IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 192 },
	{ "aes256", IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 256 },
	{ "aes128gcm16", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 128 },
	{ "aes256gcm16", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 256 },
	{ "chacha20poly1305", IKE_TRANS_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0 },
	{ "sha1", IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA1_96, 0 },
	{ "sha256", IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0 },
	{ "sha384", IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0 },
	{ "sha512", IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0 },
	{ "prfsha1", IKE_TRANS_PRF, IKE_PRF_HMAC_SHA1, 0 },
	{ "prfsha256", IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_256, 0 },
	{ "prfsha384", IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_384, 0 },
	{ "prfsha512", IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_512, 0 },
	{ "modp1024", IKE_TRANS_DH, 2, 0 },
	{ "modp2048", IKE_TRANS_DH, 14, 0 },
	{ "modp3072", IKE_TRANS_DH, 15, 0 },
	{ "modp4096", IKE_TRANS_DH, 16, 0 },
	{ "modp6144", IKE_TRANS_DH, 17, 0 },
	{ "modp8192", IKE_TRANS_DH, 18, 0 },
	{ "ecp256", IKE_TRANS_DH, 19, 0 },
	{ "ecp384", IKE_TRANS_DH, 20, 0 },
	{ "ecp521", IKE_TRANS_DH, 21, 0 },
	{ "modp1024s160", IKE_TRANS_DH, 22, 0 },
	{ "modp2048s224", IKE_TRANS_DH, 23, 0 },
	{ "modp2048s256", IKE_TRANS_DH, 24, 0 },
	{ "x25519", IKE_TRANS_DH, 31, 0 },
	{ "esn", IKE_TRANS_ESN, IKE_ESN_YES, 0 },
	{ "noesn", IKE_TRANS_ESN, IKE_ESN_NO, 0 },
};

static void assert_name(uint8_t type, const char *name, uint8_t want_type, uint16_t id,
			uint16_t key_len)
{
	struct ike_transform t;

	if (ike_transform_from_name(type, name, &t))
		fail_msg("'%s' (type %u) not found", name, type);
	assert_int_equal(t.type, want_type);
	assert_int_equal(t.id, id);
	assert_int_equal(t.key_len, key_len);
	assert_int_equal(t.flags, 0);
}

static void test_names_strongswan(void **state)
{
	char buf[IKE_TRANSFORM_NAME_LEN];
	struct ike_transform t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(canonical) / sizeof(canonical[0]); i++) {
		assert_name(0, canonical[i].name, canonical[i].type, canonical[i].id,
			    canonical[i].key_len);
		assert_name(canonical[i].type, canonical[i].name, canonical[i].type,
			    canonical[i].id, canonical[i].key_len);
		t = (struct ike_transform){ .type = canonical[i].type, .id = canonical[i].id,
					    .key_len = canonical[i].key_len };
		assert_string_equal(ike_transform_name(&t, buf, sizeof(buf)), canonical[i].name);
	}
	/* Aliases, and case does not matter. */
	assert_name(0, "curve25519", IKE_TRANS_DH, IKE_DH_CURVE25519, 0);
	assert_name(0, "X25519", IKE_TRANS_DH, IKE_DH_CURVE25519, 0);
	assert_name(0, "aes256gcm128", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 256);
	assert_name(0, "sha2_256", IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
	assert_name(0, "MODP2048", IKE_TRANS_DH, 14, 0);

	/* Type given: no confusion between the lists. */
	assert_int_equal(ike_transform_from_name(IKE_TRANS_ENCR, "sha256", &t), -1);
	assert_int_equal(ike_transform_from_name(IKE_TRANS_DH, "aes128", &t), -1);
	assert_int_equal(ike_transform_from_name(IKE_TRANS_INTEG, "prfsha256", &t), -1);
	assert_int_equal(ike_transform_from_name(IKE_TRANS_ENCR, "14", &t), -1);
	assert_int_equal(ike_transform_from_name(0, "aes", &t), -1);
	assert_int_equal(ike_transform_from_name(0, "", &t), -1);
	assert_int_equal(ike_transform_from_name(0, "3des", &t), -1);

	/* Names for what we do not know, for logs. */
	t = (struct ike_transform){ .type = IKE_TRANS_ENCR, .id = 99 };
	assert_string_equal(ike_transform_name(&t, buf, sizeof(buf)), "ENCR_99");
	t = (struct ike_transform){ .type = IKE_TRANS_ENCR, .id = 12, .key_len = 100 };
	assert_string_equal(ike_transform_name(&t, buf, sizeof(buf)), "ENCR_12_100");
	t = (struct ike_transform){ .type = IKE_TRANS_INTEG };
	assert_string_equal(ike_transform_name(&t, buf, sizeof(buf)), "integnone");
	t = (struct ike_transform){ .type = IKE_TRANS_DH };
	assert_string_equal(ike_transform_name(&t, buf, sizeof(buf)), "dhnone");
	t = (struct ike_transform){ .type = 9, .id = 1 };
	assert_string_equal(ike_transform_name(&t, buf, sizeof(buf)), "TYPE9_1");
}

static void test_names_aws(void **state)
{
	struct ike_transform t;
	char num[4];
	int g;

	(void)state;
	assert_name(IKE_TRANS_ENCR, "AES128", IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 128);
	assert_name(IKE_TRANS_ENCR, "AES256", IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 256);
	assert_name(IKE_TRANS_ENCR, "AES128-GCM-16", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 128);
	assert_name(IKE_TRANS_ENCR, "AES256-GCM-16", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 256);
	assert_name(IKE_TRANS_INTEG, "SHA1", IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA1_96, 0);
	assert_name(IKE_TRANS_INTEG, "SHA2-256", IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
	assert_name(IKE_TRANS_INTEG, "SHA2-384", IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0);
	assert_name(IKE_TRANS_INTEG, "SHA2-512", IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0);
	/* AWS's phase 1 integrity list picks the PRF too. */
	assert_name(IKE_TRANS_PRF, "SHA1", IKE_TRANS_PRF, IKE_PRF_HMAC_SHA1, 0);
	assert_name(IKE_TRANS_PRF, "SHA2-256", IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	assert_name(IKE_TRANS_PRF, "SHA2-384", IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_384, 0);
	assert_name(IKE_TRANS_PRF, "SHA2-512", IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_512, 0);
	assert_name(IKE_TRANS_PRF, "sha256", IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	/* DH groups by number: 2 and 14 to 24, as AWS lists them, and 31. */
	assert_name(IKE_TRANS_DH, "2", IKE_TRANS_DH, 2, 0);
	for (g = 14; g <= 24; g++) {
		snprintf(num, sizeof(num), "%d", g);
		assert_name(IKE_TRANS_DH, num, IKE_TRANS_DH, (uint16_t)g, 0);
		assert_name(0, num, IKE_TRANS_DH, (uint16_t)g, 0);
	}
	assert_name(0, "31", IKE_TRANS_DH, 31, 0);
	assert_int_equal(ike_transform_from_name(IKE_TRANS_DH, "25", &t), -1);
	assert_int_equal(ike_transform_from_name(IKE_TRANS_DH, "0", &t), -1);
	assert_int_equal(ike_transform_from_name(IKE_TRANS_DH, "0014", &t), -1);
	assert_int_equal(ike_transform_from_name(IKE_TRANS_DH, "14a", &t), -1);
	assert_int_equal(ike_transform_from_name(IKE_TRANS_ENCR, "AES128-GCM", &t), -1);
}

static void test_weak_groups(void **state)
{
	static const uint16_t weak[] = { 1, 2, 5, 22, 23, 24 };
	static const uint16_t strong[] = { 14, 15, 16, 17, 18, 19, 20, 21, 31 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(weak) / sizeof(weak[0]); i++)
		assert_true(ike_dh_is_weak(weak[i]));
	for (i = 0; i < sizeof(strong) / sizeof(strong[0]); i++)
		assert_false(ike_dh_is_weak(strong[i]));
}

/* ---- proposal text ------------------------------------------------------------ */

static void test_parse_proposals(void **state)
{
	static const struct {
		const char *text;
		uint8_t protocol;
		const char *want;
	} ok[] = {
		{ "aes256-sha256-modp2048", IKE_PROTO_IKE, "aes256-sha256-prfsha256-modp2048" },
		{ "aes128-aes256-sha256-sha1-ecp256-modp2048", IKE_PROTO_IKE,
		  "aes128-aes256-sha256-sha1-prfsha256-prfsha1-ecp256-modp2048" },
		{ "aes256-sha256-prfsha512-modp2048", IKE_PROTO_IKE,
		  "aes256-sha256-prfsha512-modp2048" },
		{ "aes256gcm16-prfsha384-ecp384", IKE_PROTO_IKE, "aes256gcm16-prfsha384-ecp384" },
		/* strongSwan: with AEAD, an integrity name stands for its PRF. */
		{ "aes128gcm16-sha256-x25519", IKE_PROTO_IKE, "aes128gcm16-prfsha256-x25519" },
		{ "AES256-SHA2-256-14", IKE_PROTO_IKE, "aes256-sha256-prfsha256-modp2048" },
		{ "AES128-GCM-16-AES256-GCM-16-SHA2-384-20", IKE_PROTO_IKE,
		  "aes128gcm16-aes256gcm16-prfsha384-ecp384" },
		{ "aes256-aes256-sha256-modp2048", IKE_PROTO_IKE,
		  "aes256-sha256-prfsha256-modp2048" },
		{ "aes128gcm16-esn", IKE_PROTO_ESP, "aes128gcm16-esn" },
		{ "aes256-sha1", IKE_PROTO_ESP, "aes256-sha1-noesn" },
		{ "aes256-sha256-modp2048-esn-noesn", IKE_PROTO_ESP,
		  "aes256-sha256-modp2048-esn-noesn" },
		{ "chacha20poly1305", IKE_PROTO_ESP, "chacha20poly1305-noesn" },
		{ "AES128-GCM-16-19", IKE_PROTO_ESP, "aes128gcm16-ecp256-noesn" },
	};
	static const struct {
		const char *text;
		uint8_t protocol;
		const char *msg;
	} bad[] = {
		{ "aes256-foo-modp2048", IKE_PROTO_IKE, "unknown algorithm 'foo'" },
		{ "aes256-sha256", IKE_PROTO_IKE, "IKE needs a DH group" },
		{ "aes256-aes128gcm16-sha256-modp2048", IKE_PROTO_IKE, "mixes AEAD and non-AEAD" },
		{ "aes128gcm16-sha256", IKE_PROTO_ESP, "integrity algorithm with an AEAD" },
		{ "aes256-prfsha256-sha1", IKE_PROTO_ESP, "a PRF is for IKE only" },
		{ "aes256-sha256-modp2048-esn", IKE_PROTO_IKE, "ESN is for ESP only" },
		{ "aes256gcm16-ecp256", IKE_PROTO_IKE, "needs a PRF" },
		{ "aes256gcm16-sha256-prfsha256-ecp256", IKE_PROTO_IKE, "integrity algorithm" },
		{ "aes256-modp2048", IKE_PROTO_IKE, "no integrity algorithm" },
		{ "aes256", IKE_PROTO_ESP, "no integrity algorithm" },
		{ "sha256-modp2048", IKE_PROTO_IKE, "no encryption algorithm" },
		{ "", IKE_PROTO_ESP, "no encryption algorithm" },
		{ "aes256--sha256-modp2048", IKE_PROTO_IKE, "empty algorithm name" },
		{ "-aes256-sha256-modp2048", IKE_PROTO_IKE, "empty algorithm name" },
		{ "aes256-sha256-modp2048-", IKE_PROTO_IKE, "ends with '-'" },
		{ "aes256-sha1", IKE_PROTO_AH, "only IKE and ESP" },
	};
	struct ike_msg_err err;
	struct ike_proposal p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		p = prop(ok[i].text, ok[i].protocol);
		assert_format(&p, ok[i].want);
		assert_int_equal(p.num, 1);
		assert_int_equal(p.protocol, ok[i].protocol);
		assert_int_equal(p.spi_size, ok[i].protocol == IKE_PROTO_IKE ? 0 : 4);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		if (!ike_proposal_parse(bad[i].text, bad[i].protocol, &p, &err))
			fail_msg("'%s' parsed", bad[i].text);
		assert_int_equal(err.rc, IKE_EINVAL);
		assert_contains(err.msg, bad[i].msg);
	}
}

/* ---- selection as responder ------------------------------------------------- */

static void test_select_match(void **state)
{
	struct ike_proposal chosen;
	struct ike_msg_err err;
	struct ike_sa_pl sa = { 0 };

	(void)state;
	offer_add(&sa, prop("aes128-aes256-sha1-sha256-modp1024-modp2048", IKE_PROTO_IKE));
	assert_int_equal(select1("aes256-sha256-modp2048", &sa, &chosen, &err), 0);
	assert_format(&chosen, "aes256-sha256-prfsha256-modp2048");
	assert_int_equal(chosen.num, 1);
	assert_int_equal(chosen.protocol, IKE_PROTO_IKE);
	assert_int_equal(chosen.spi_size, 0);
	assert_int_equal(ike_proposal_get(&chosen, IKE_TRANS_DH)->id, IKE_DH_MODP_2048);
	assert_null(ike_proposal_get(&chosen, IKE_TRANS_ESN));
}

static void test_select_no_match(void **state)
{
	struct ike_proposal chosen;
	struct ike_msg_err err;
	struct ike_sa_pl sa = { 0 };

	(void)state;
	offer_add(&sa, prop("aes128-sha1-modp1024", IKE_PROTO_IKE));
	offer_add(&sa, prop("aes128gcm16-prfsha1-modp1024", IKE_PROTO_IKE));
	assert_int_equal(select1("aes256-sha256-modp2048", &sa, &chosen, &err), IKE_ENOPROPOSAL);
	assert_int_equal(err.rc, IKE_ENOPROPOSAL);
	assert_int_equal(err.notify, IKE_N_NO_PROPOSAL_CHOSEN);
	assert_contains(err.msg, "none of the 2 proposals");
	assert_contains(err.msg, "aes128-sha1-prfsha1-modp1024");
	assert_int_equal(chosen.n_transforms, 0);

	/* Same algorithms, other protocol. */
	memset(&sa, 0, sizeof(sa));
	offer_add(&sa, prop("aes256-sha256-modp2048", IKE_PROTO_ESP));
	{
		struct ike_proposal l = prop("aes256-sha256-modp2048", IKE_PROTO_IKE);

		assert_int_equal(ike_proposal_select(&l, 1, &sa, &chosen, &err), IKE_ENOPROPOSAL);
	}
	/* Nothing offered, nothing configured. */
	memset(&sa, 0, sizeof(sa));
	assert_int_equal(ike_proposal_select(NULL, 0, &sa, &chosen, &err), IKE_ENOPROPOSAL);
}

static void test_select_preference(void **state)
{
	struct ike_proposal local[2], chosen;
	struct ike_msg_err err;
	struct ike_sa_pl sa = { 0 };

	(void)state;
	/* We prefer aes256, the peer aes128: the peer's order wins (RFC 7296 2.7). */
	local[0] = prop("aes256-sha256-modp2048", IKE_PROTO_IKE);
	local[1] = prop("aes128-sha256-ecp256", IKE_PROTO_IKE);
	offer_add(&sa, prop("aes128-sha256-ecp256", IKE_PROTO_IKE));
	offer_add(&sa, prop("aes256-sha256-modp2048", IKE_PROTO_IKE));
	assert_int_equal(ike_proposal_select(local, 2, &sa, &chosen, &err), 0);
	assert_int_equal(chosen.num, 1);
	assert_format(&chosen, "aes128-sha256-prfsha256-ecp256");

	/* The first offer unacceptable: the second, with its own number. */
	sa.p[0] = prop("aes128-sha1-modp1024", IKE_PROTO_IKE);
	sa.p[0].num = 1;
	assert_int_equal(ike_proposal_select(local, 2, &sa, &chosen, &err), 0);
	assert_int_equal(chosen.num, 2);
	assert_format(&chosen, "aes256-sha256-prfsha256-modp2048");

	/* Within a proposal, too, the peer's order of transforms decides. */
	memset(&sa, 0, sizeof(sa));
	offer_add(&sa, prop("aes128-aes256-sha256-sha512-ecp256-modp2048", IKE_PROTO_IKE));
	assert_int_equal(select1("aes256-aes128-sha512-sha256-modp2048-ecp256", &sa, &chosen,
				 &err), 0);
	assert_format(&chosen, "aes128-sha256-prfsha256-ecp256");
}

static void test_select_key_length(void **state)
{
	struct ike_proposal chosen;
	struct ike_msg_err err;
	struct ike_sa_pl sa = { 0 };

	(void)state;
	offer_add(&sa, prop("aes192-sha256-modp2048", IKE_PROTO_IKE));
	assert_int_equal(select1("aes256-sha256-modp2048", &sa, &chosen, &err), IKE_ENOPROPOSAL);
	sa.p[0] = prop("aes256gcm16-prfsha256-modp2048", IKE_PROTO_IKE);
	assert_int_equal(select1("aes128gcm16-prfsha256-modp2048", &sa, &chosen, &err),
			 IKE_ENOPROPOSAL);
	/* AES-CBC without its Key Length attribute. */
	sa.p[0] = prop("aes256-sha256-modp2048", IKE_PROTO_IKE);
	sa.p[0].t[0].key_len = 0;
	assert_int_equal(select1("aes256-sha256-modp2048", &sa, &chosen, &err), IKE_ENOPROPOSAL);
	/* A Key Length on a fixed-size transform is not the transform we know. */
	sa.p[0] = prop("aes256-sha256-modp2048", IKE_PROTO_IKE);
	sa.p[0].t[1].key_len = 256;
	assert_int_equal(select1("aes256-sha256-modp2048", &sa, &chosen, &err), IKE_ENOPROPOSAL);

	/* A transform flagged for an unknown attribute is skipped, not the proposal. */
	sa.p[0] = prop("aes256-aes128-sha256-modp2048", IKE_PROTO_IKE);
	sa.p[0].t[0].flags = IKE_TF_UNACCEPTABLE;
	assert_int_equal(select1("aes256-aes128-sha256-modp2048", &sa, &chosen, &err), 0);
	assert_format(&chosen, "aes128-sha256-prfsha256-modp2048");
}

static void test_select_aead(void **state)
{
	struct ike_proposal local[2], chosen;
	struct ike_msg_err err;
	struct ike_sa_pl sa = { 0 };

	(void)state;
	/* GCM with a real integrity algorithm: refused (RFC 5282 8). */
	offer_add(&sa, prop("aes256gcm16-prfsha256-ecp256", IKE_PROTO_IKE));
	add_tf(&sa.p[0], IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
	assert_int_equal(select1("aes256gcm16-prfsha256-ecp256", &sa, &chosen, &err),
			 IKE_ENOPROPOSAL);
	/* GCM with integrity NONE offered as well: NONE it is, and it is echoed. */
	add_tf(&sa.p[0], IKE_TRANS_INTEG, IKE_INTEG_NONE, 0);
	assert_int_equal(select1("aes256gcm16-prfsha256-ecp256", &sa, &chosen, &err), 0);
	assert_format(&chosen, "aes256gcm16-integnone-prfsha256-ecp256");

	/* ESP: ChaCha20-Poly1305 with SHA1. */
	memset(&sa, 0, sizeof(sa));
	offer_add(&sa, prop("chacha20poly1305-esn", IKE_PROTO_ESP));
	add_tf(&sa.p[0], IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA1_96, 0);
	assert_int_equal(select1("chacha20poly1305-esn", &sa, &chosen, &err), IKE_ENOPROPOSAL);

	/* One peer proposal with GCM and CBC and SHA-256: CBC is the only way. */
	memset(&sa, 0, sizeof(sa));
	offer_add(&sa, prop("aes256-sha256-modp2048", IKE_PROTO_IKE));
	sa.p[0].t[0] = (struct ike_transform){ .type = IKE_TRANS_ENCR,
					       .id = IKE_ENCR_AES_GCM_16, .key_len = 256 };
	add_tf(&sa.p[0], IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 256);
	local[0] = prop("aes256gcm16-prfsha256-modp2048", IKE_PROTO_IKE);
	local[1] = prop("aes256-sha256-modp2048", IKE_PROTO_IKE);
	assert_int_equal(ike_proposal_select(local, 2, &sa, &chosen, &err), 0);
	assert_format(&chosen, "aes256-sha256-prfsha256-modp2048");

	/* Non-AEAD with only integrity NONE: refused. */
	memset(&sa, 0, sizeof(sa));
	offer_add(&sa, prop("aes256-sha256-modp2048", IKE_PROTO_ESP));
	sa.p[0].t[1].id = IKE_INTEG_NONE;
	assert_int_equal(select1("aes256-sha256-modp2048", &sa, &chosen, &err), IKE_ENOPROPOSAL);
}

static void test_select_esp_pfs_esn(void **state)
{
	struct ike_proposal chosen;
	struct ike_msg_err err;
	struct ike_sa_pl sa = { 0 };

	(void)state;
	/* The peer wants PFS, we do not, unless it also offers DH NONE. */
	offer_add(&sa, prop("aes256gcm16-modp2048-esn", IKE_PROTO_ESP));
	sa.p[0].spi[0] = 0xde;
	sa.p[0].spi[3] = 0xef;
	assert_int_equal(select1("aes256gcm16-esn", &sa, &chosen, &err), IKE_ENOPROPOSAL);
	add_tf(&sa.p[0], IKE_TRANS_DH, IKE_DH_NONE, 0);
	assert_int_equal(select1("aes256gcm16-esn", &sa, &chosen, &err), 0);
	assert_format(&chosen, "aes256gcm16-dhnone-esn");
	assert_int_equal(chosen.spi_size, 4);
	assert_memory_equal(chosen.spi, "\xde\0\0\xef", 4);
	/* We want PFS, the peer offers none. */
	sa.p[0] = prop("aes256gcm16-noesn", IKE_PROTO_ESP);
	assert_int_equal(select1("aes256gcm16-modp2048-noesn", &sa, &chosen, &err),
			 IKE_ENOPROPOSAL);
	assert_int_equal(select1("aes256gcm16-noesn", &sa, &chosen, &err), 0);

	/* ESN: the peer's choice among what we allow. */
	sa.p[0] = prop("aes256gcm16-noesn", IKE_PROTO_ESP);
	assert_int_equal(select1("aes256gcm16-esn", &sa, &chosen, &err), IKE_ENOPROPOSAL);
	sa.p[0] = prop("aes256gcm16-esn-noesn", IKE_PROTO_ESP);
	assert_int_equal(select1("aes256gcm16-esn", &sa, &chosen, &err), 0);
	assert_format(&chosen, "aes256gcm16-esn");
	assert_int_equal(select1("aes256gcm16-noesn-esn", &sa, &chosen, &err), 0);
	assert_format(&chosen, "aes256gcm16-esn");
	/* No ESN transform at all reads as "no ESN". */
	sa.p[0].n_transforms = 1;
	assert_int_equal(select1("aes256gcm16-noesn", &sa, &chosen, &err), 0);
	assert_format(&chosen, "aes256gcm16");
	assert_int_equal(select1("aes256gcm16-esn", &sa, &chosen, &err), IKE_ENOPROPOSAL);
}

static void test_select_unknown_types(void **state)
{
	struct ike_proposal chosen;
	struct ike_msg_err err;
	struct ike_sa_pl sa = { 0 };

	(void)state;
	/* RFC 7296 3.3.6: a type we do not know rules out that proposal only. */
	offer_add(&sa, prop("aes256-sha256-modp2048", IKE_PROTO_IKE));
	add_tf(&sa.p[0], 6, 31, 0);	/* RFC 9370 ADDKE1 */
	offer_add(&sa, prop("aes256-sha256-modp2048", IKE_PROTO_IKE));
	assert_int_equal(select1("aes256-sha256-modp2048", &sa, &chosen, &err), 0);
	assert_int_equal(chosen.num, 2);
	/* ESN has no place in IKE proposals, a PRF none in ESP ones. */
	sa.n = 1;
	sa.p[0] = prop("aes256-sha256-modp2048", IKE_PROTO_IKE);
	add_tf(&sa.p[0], IKE_TRANS_ESN, IKE_ESN_NO, 0);
	assert_int_equal(select1("aes256-sha256-modp2048", &sa, &chosen, &err), IKE_ENOPROPOSAL);
	sa.p[0] = prop("aes256-sha256", IKE_PROTO_ESP);
	add_tf(&sa.p[0], IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	assert_int_equal(select1("aes256-sha256", &sa, &chosen, &err), IKE_ENOPROPOSAL);
	/* IKE without a DH group, or with NONE only. */
	sa.p[0] = prop("aes256-sha256-modp2048", IKE_PROTO_IKE);
	sa.p[0].t[3].id = IKE_DH_NONE;
	assert_int_equal(select1("aes256-sha256-modp2048", &sa, &chosen, &err), IKE_ENOPROPOSAL);
	sa.p[0].n_transforms = 3;
	assert_int_equal(select1("aes256-sha256-modp2048", &sa, &chosen, &err), IKE_ENOPROPOSAL);
}

/* An offer through the wire and back: build, parse, select, answer, check. */
static void test_select_wire_roundtrip(void **state)
{
	struct ike_proposal offered[2], local, chosen, checked;
	const struct ike_hdr h = { .spi_i = 42, .exchange = IKE_SA_INIT,
				   .flags = IKE_FLAG_INITIATOR };
	struct ike_msg_err err;
	struct ike_sa_pl sa;
	struct ike_msg m;
	struct ike_buf b;

	(void)state;
	offered[0] = prop("aes128-aes256-sha256-sha384-prfsha256-ecp256-modp3072",
			  IKE_PROTO_IKE);
	offered[1] = prop("aes256gcm16-chacha20poly1305-prfsha384-x25519-ecp384",
			  IKE_PROTO_IKE);
	offered[1].num = 2;
	local = prop("chacha20poly1305-prfsha384-x25519", IKE_PROTO_IKE);

	ike_buf_init(&b);
	ike_build_msg(&b, &h);
	ike_add_sa(&b, offered, 2);
	assert_int_equal(ike_build_finish(&b), 0);
	assert_int_equal(ike_msg_parse(b.data, b.len, &m, &err), 0);
	assert_int_equal(ike_decode_sa(&m.chain.pl[0], &sa, &err), 0);
	assert_int_equal(ike_proposal_select(&local, 1, &sa, &chosen, &err), 0);
	assert_int_equal(chosen.num, 2);
	assert_format(&chosen, "chacha20poly1305-prfsha384-x25519");

	/* The responder's answer, checked by the initiator. */
	ike_build_msg(&b, &(struct ike_hdr){ .spi_i = 42, .spi_r = 43,
					     .exchange = IKE_SA_INIT,
					     .flags = IKE_FLAG_RESPONSE });
	ike_add_sa(&b, &chosen, 1);
	assert_int_equal(ike_build_finish(&b), 0);
	assert_int_equal(ike_msg_parse(b.data, b.len, &m, &err), 0);
	assert_int_equal(ike_decode_sa(&m.chain.pl[0], &sa, &err), 0);
	assert_int_equal(ike_proposal_check_reply(offered, 2, &sa, &checked, &err), 0);
	assert_int_equal(checked.num, 2);
	assert_format(&checked, "chacha20poly1305-prfsha384-x25519");
	ike_buf_free(&b);
}

/* ---- validation as initiator -------------------------------------------------- */

static void test_check_reply(void **state)
{
	struct ike_proposal offered[2], chosen;
	struct ike_msg_err err;
	struct ike_sa_pl r = { .n = 1 };

	(void)state;
	offered[0] = prop("aes128-aes256-sha256-modp2048", IKE_PROTO_IKE);
	offered[1] = prop("aes256gcm16-prfsha256-ecp256", IKE_PROTO_IKE);
	offered[1].num = 2;

	r.p[0] = prop("aes256gcm16-prfsha256-ecp256", IKE_PROTO_IKE);
	r.p[0].num = 2;
	assert_int_equal(ike_proposal_check_reply(offered, 2, &r, &chosen, &err), 0);
	assert_format(&chosen, "aes256gcm16-prfsha256-ecp256");
	assert_int_equal(chosen.num, 2);
	/* INTEG NONE with AEAD, though we listed no integrity: harmless. */
	add_tf(&r.p[0], IKE_TRANS_INTEG, IKE_INTEG_NONE, 0);
	assert_int_equal(ike_proposal_check_reply(offered, 2, &r, &chosen, &err), 0);

	/* Two transforms of one type, each offered. */
	r.p[0] = prop("aes128-aes256-sha256-modp2048", IKE_PROTO_IKE);
	assert_int_equal(ike_proposal_check_reply(offered, 2, &r, &chosen, &err), IKE_ESYNTAX);
	assert_int_equal(err.notify, IKE_N_INVALID_SYNTAX);
	assert_contains(err.msg, "several transforms of type 1");
	assert_int_equal(chosen.n_transforms, 0);

	/* A transform we did not offer. */
	r.p[0] = prop("aes256-sha256-modp1024", IKE_PROTO_IKE);
	assert_int_equal(ike_proposal_check_reply(offered, 2, &r, &chosen, &err),
			 IKE_ENOPROPOSAL);
	assert_int_equal(err.notify, IKE_N_NO_PROPOSAL_CHOSEN);
	assert_contains(err.msg, "chose modp1024, which we did not offer");
	/* Offered, but in the other proposal. */
	r.p[0] = prop("aes256-sha256-ecp256", IKE_PROTO_IKE);
	assert_int_equal(ike_proposal_check_reply(offered, 2, &r, &chosen, &err),
			 IKE_ENOPROPOSAL);
	/* A proposal number we never sent. */
	r.p[0] = prop("aes256-sha256-modp2048", IKE_PROTO_IKE);
	r.p[0].num = 3;
	assert_int_equal(ike_proposal_check_reply(offered, 2, &r, &chosen, &err),
			 IKE_ENOPROPOSAL);
	assert_contains(err.msg, "proposal 3 (protocol 1) was not offered");
	r.p[0].num = 1;
	assert_int_equal(ike_proposal_check_reply(offered, 2, &r, &chosen, &err), 0);
	assert_format(&chosen, "aes256-sha256-prfsha256-modp2048");

	/* A type missing; an SPI where IKE_SA_INIT has none; two proposals. */
	r.p[0].n_transforms = 3;
	assert_int_equal(ike_proposal_check_reply(offered, 2, &r, &chosen, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "no transform of type 4");
	r.p[0].n_transforms = 4;
	r.p[0].spi_size = 8;
	assert_int_equal(ike_proposal_check_reply(offered, 2, &r, &chosen, &err), IKE_ESYNTAX);
	r.p[0].spi_size = 0;
	r.n = 2;
	r.p[1] = r.p[0];
	assert_int_equal(ike_proposal_check_reply(offered, 2, &r, &chosen, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "2 proposals, not 1");
	r.n = 1;
	/* A transform the peer flagged with an attribute we do not know. */
	r.p[0].t[0].flags = IKE_TF_UNACCEPTABLE;
	assert_int_equal(ike_proposal_check_reply(offered, 2, &r, &chosen, &err),
			 IKE_ENOPROPOSAL);
}

static void test_check_reply_esp(void **state)
{
	struct ike_proposal offered, chosen;
	struct ike_msg_err err;
	struct ike_sa_pl r = { .n = 1 };

	(void)state;
	offered = prop("aes256gcm16-modp2048-esn-noesn", IKE_PROTO_ESP);
	r.p[0] = prop("aes256gcm16-modp2048-noesn", IKE_PROTO_ESP);
	memcpy(r.p[0].spi, "\x01\x02\x03\x04", 4);
	assert_int_equal(ike_proposal_check_reply(&offered, 1, &r, &chosen, &err), 0);
	assert_memory_equal(chosen.spi, "\x01\x02\x03\x04", 4);
	/* We asked for PFS: leaving DH out is not an answer. */
	r.p[0] = prop("aes256gcm16-noesn", IKE_PROTO_ESP);
	assert_int_equal(ike_proposal_check_reply(&offered, 1, &r, &chosen, &err), IKE_ESYNTAX);
	/* Without DH in the offer, DH NONE in the reply is fine, a group is not. */
	offered = prop("aes256gcm16-esn", IKE_PROTO_ESP);
	r.p[0] = prop("aes256gcm16-esn", IKE_PROTO_ESP);
	add_tf(&r.p[0], IKE_TRANS_DH, IKE_DH_NONE, 0);
	assert_int_equal(ike_proposal_check_reply(&offered, 1, &r, &chosen, &err), 0);
	r.p[0].t[2].id = IKE_DH_MODP_2048;
	assert_int_equal(ike_proposal_check_reply(&offered, 1, &r, &chosen, &err),
			 IKE_ENOPROPOSAL);
	/* Protocol other than offered. */
	r.p[0] = prop("aes256gcm16-prfsha256-modp2048", IKE_PROTO_IKE);
	assert_int_equal(ike_proposal_check_reply(&offered, 1, &r, &chosen, &err),
			 IKE_ENOPROPOSAL);
}

/* ---- sizes ---------------------------------------------------------------------- */

static void test_sizes(void **state)
{
	struct ike_prop_sizes ks;
	struct ike_msg_err err;
	struct ike_proposal p;

	(void)state;
	p = prop("aes256-sha256-modp2048", IKE_PROTO_IKE);
	assert_int_equal(ike_proposal_sizes(&p, &ks, &err), 0);
	assert_false(ks.aead);
	assert_int_equal(ks.encr_key, 32);
	assert_int_equal(ks.salt, 0);
	assert_int_equal(ks.iv, 16);
	assert_int_equal(ks.block, 16);
	assert_int_equal(ks.integ_key, 32);
	assert_int_equal(ks.icv, 16);
	assert_int_equal(ks.prf_key, 32);
	assert_int_equal(ks.prf_out, 32);

	/* GCM: key plus 4-byte salt (RFC 5282 7.1), no integrity key. */
	p = prop("aes128gcm16-prfsha384-ecp384", IKE_PROTO_IKE);
	assert_int_equal(ike_proposal_sizes(&p, &ks, &err), 0);
	assert_true(ks.aead);
	assert_int_equal(ks.encr_key, 16 + 4);
	assert_int_equal(ks.salt, 4);
	assert_int_equal(ks.iv, 8);
	assert_int_equal(ks.block, 1);
	assert_int_equal(ks.icv, 16);
	assert_int_equal(ks.integ_key, 0);
	assert_int_equal(ks.prf_out, 48);
	p = prop("aes256gcm16-prfsha512-ecp384", IKE_PROTO_IKE);
	assert_int_equal(ike_proposal_sizes(&p, &ks, &err), 0);
	assert_int_equal(ks.encr_key, 36);
	assert_int_equal(ks.prf_key, 64);
	/* ChaCha20-Poly1305: 32 + 4 (RFC 7634 2). */
	p = prop("chacha20poly1305-prfsha256-x25519", IKE_PROTO_IKE);
	assert_int_equal(ike_proposal_sizes(&p, &ks, &err), 0);
	assert_int_equal(ks.encr_key, 36);

	/* ESP: no PRF of its own. */
	p = prop("aes256gcm16-esn", IKE_PROTO_ESP);
	assert_int_equal(ike_proposal_sizes(&p, &ks, &err), 0);
	assert_int_equal(ks.encr_key, 36);
	assert_int_equal(ks.block, 4);
	assert_int_equal(ks.prf_out, 0);
	p = prop("aes128-sha1", IKE_PROTO_ESP);
	assert_int_equal(ike_proposal_sizes(&p, &ks, &err), 0);
	assert_int_equal(ks.encr_key, 16);
	assert_int_equal(ks.integ_key, 20);
	assert_int_equal(ks.icv, 12);
	p = prop("aes192-sha512", IKE_PROTO_ESP);
	assert_int_equal(ike_proposal_sizes(&p, &ks, &err), 0);
	assert_int_equal(ks.encr_key, 24);
	assert_int_equal(ks.integ_key, 64);
	assert_int_equal(ks.icv, 32);
	p = prop("aes192-sha384", IKE_PROTO_ESP);
	assert_int_equal(ike_proposal_sizes(&p, &ks, &err), 0);
	assert_int_equal(ks.icv, 24);

	/* What the crypto module could not key. */
	p = prop("aes256-sha256", IKE_PROTO_ESP);
	p.t[0].key_len = 100;
	assert_int_equal(ike_proposal_sizes(&p, &ks, &err), IKE_EINVAL);
	assert_contains(err.msg, "key length 100");
	p.t[0].id = 3;	/* 3DES */
	p.t[0].key_len = 0;
	assert_int_equal(ike_proposal_sizes(&p, &ks, &err), IKE_EINVAL);
	p = prop("aes256gcm16-esn", IKE_PROTO_ESP);
	add_tf(&p, IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
	assert_int_equal(ike_proposal_sizes(&p, &ks, &err), IKE_EINVAL);
	p = prop("aes256-sha256-modp2048", IKE_PROTO_IKE);
	p.n_transforms = 2;	/* no PRF */
	assert_int_equal(ike_proposal_sizes(&p, &ks, &err), IKE_EINVAL);
	p.n_transforms = 1;	/* no integrity */
	assert_int_equal(ike_proposal_sizes(&p, &ks, &err), IKE_EINVAL);
	p.n_transforms = 0;
	assert_int_equal(ike_proposal_sizes(&p, &ks, &err), IKE_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_strongswan),
		cmocka_unit_test(test_names_aws),
		cmocka_unit_test(test_weak_groups),
		cmocka_unit_test(test_parse_proposals),
		cmocka_unit_test(test_select_match),
		cmocka_unit_test(test_select_no_match),
		cmocka_unit_test(test_select_preference),
		cmocka_unit_test(test_select_key_length),
		cmocka_unit_test(test_select_aead),
		cmocka_unit_test(test_select_esp_pfs_esn),
		cmocka_unit_test(test_select_unknown_types),
		cmocka_unit_test(test_select_wire_roundtrip),
		cmocka_unit_test(test_check_reply),
		cmocka_unit_test(test_check_reply_esp),
		cmocka_unit_test(test_sizes),
	};

	return cmocka_run_group_tests_name("proposal", tests, NULL, NULL);
}

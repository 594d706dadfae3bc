// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the IKEv2 message codec (msg.c, with msg_build.c to make
 * the messages): round trips of every payload and of whole messages,
 * malformed input of every kind, and a fuzz loop. Every parse runs over a
 * heap copy of exactly the message's size, so ASan reports any read past
 * the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "msg.h"

#define assert_contains(hay, needle) do {				\
	const char *h_ = (hay), *n_ = (needle);				\
	if (!strstr(h_, n_))						\
		fail_msg("\"%s\" does not contain \"%s\"", h_, n_);	\
} while (0)

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + 7 * i);
}

static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	assert_non_null(c);
	if (n)
		memcpy(c, p, n);
	return c;
}

/* Parse a heap copy of exactly LEN bytes; only the result and ERR survive. */
static int parse_copy(const uint8_t *buf, size_t len, struct ike_msg_err *err)
{
	uint8_t *c = dup_exact(buf, len);
	struct ike_msg m;
	int rc;

	memset(err, 0, sizeof(*err));
	rc = ike_msg_parse(c, len, &m, err);
	free(c);
	if (rc)
		assert_true(err->msg[0] != '\0');
	return rc;
}

static int chain_copy(uint8_t first, const uint8_t *buf, size_t len, struct ike_msg_err *err)
{
	uint8_t *c = dup_exact(buf, len);
	struct ike_chain ch;
	int rc;

	memset(err, 0, sizeof(*err));
	rc = ike_msg_parse_chain(first, c, len, &ch, err);
	free(c);
	return rc;
}

static void tf(struct ike_proposal *p, uint8_t type, uint16_t id, uint16_t key_len)
{
	p->t[p->n_transforms++] = (struct ike_transform){ .type = type, .id = id,
							   .key_len = key_len };
}

static void assert_proposal_equal(const struct ike_proposal *a, const struct ike_proposal *b)
{
	unsigned int i;

	assert_int_equal(a->num, b->num);
	assert_int_equal(a->protocol, b->protocol);
	assert_int_equal(a->spi_size, b->spi_size);
	assert_memory_equal(a->spi, b->spi, a->spi_size);
	assert_int_equal(a->n_transforms, b->n_transforms);
	for (i = 0; i < a->n_transforms; i++) {
		assert_int_equal(a->t[i].type, b->t[i].type);
		assert_int_equal(a->t[i].id, b->t[i].id);
		assert_int_equal(a->t[i].key_len, b->t[i].key_len);
		assert_int_equal(a->t[i].flags, b->t[i].flags);
	}
}

/* A payload struct over BODY, as the chain parser would make it. */
static struct ike_payload mkpl(uint8_t type, const uint8_t *body, size_t len)
{
	return (struct ike_payload){ .type = type, .index = 1, .body = body,
				     .body_len = (uint16_t)len };
}

/* ---- fixtures: an IKE_SA_INIT request and an IKE_AUTH request ------------ */

struct sa_init {
	struct ike_hdr hdr;
	struct ike_proposal prop[2];
	uint8_t ke[64];
	uint8_t nonce[32];
	uint8_t natd_s[20];
	uint8_t natd_d[20];
	struct ike_buf b;
};

static void build_sa_init(struct sa_init *f)
{
	memset(f, 0, sizeof(*f));
	f->hdr = (struct ike_hdr){ .spi_i = 0x0102030405060708ULL, .exchange = IKE_SA_INIT,
				   .flags = IKE_FLAG_INITIATOR };
	/* As strongSwan offers: a non-AEAD proposal, then an AEAD one. */
	f->prop[0].num = 1;
	f->prop[0].protocol = IKE_PROTO_IKE;
	tf(&f->prop[0], IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 128);
	tf(&f->prop[0], IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 256);
	tf(&f->prop[0], IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
	tf(&f->prop[0], IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	tf(&f->prop[0], IKE_TRANS_DH, IKE_DH_ECP_256, 0);
	tf(&f->prop[0], IKE_TRANS_DH, IKE_DH_MODP_2048, 0);
	f->prop[1].num = 2;
	f->prop[1].protocol = IKE_PROTO_IKE;
	tf(&f->prop[1], IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 256);
	tf(&f->prop[1], IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	tf(&f->prop[1], IKE_TRANS_DH, IKE_DH_ECP_256, 0);
	fill(f->ke, sizeof(f->ke), 1);
	fill(f->nonce, sizeof(f->nonce), 2);
	fill(f->natd_s, sizeof(f->natd_s), 3);
	fill(f->natd_d, sizeof(f->natd_d), 4);

	ike_buf_init(&f->b);
	ike_build_msg(&f->b, &f->hdr);
	ike_add_sa(&f->b, f->prop, 2);
	ike_add_ke(&f->b, &(struct ike_ke_pl){ .group = IKE_DH_ECP_256, .data = f->ke,
					       .len = sizeof(f->ke) });
	ike_add_nonce(&f->b, f->nonce, sizeof(f->nonce));
	ike_add_notify(&f->b, &(struct ike_notify_pl){ .type = IKE_N_NAT_DETECTION_SOURCE_IP,
						       .data = f->natd_s,
						       .len = sizeof(f->natd_s) });
	ike_add_notify(&f->b, &(struct ike_notify_pl){
		.type = IKE_N_NAT_DETECTION_DESTINATION_IP, .data = f->natd_d,
		.len = sizeof(f->natd_d) });
	assert_int_equal(ike_build_finish(&f->b), 0);
}

static const char FQDN[] = "left.example.net";

struct ike_auth {
	uint8_t auth[32];
	uint8_t esp_spi[4];
	struct ike_proposal esp;
	struct ike_ts tsi[1];
	struct ike_ts tsr[2];
	struct ike_buf inner;
	struct ike_buf outer;
	uint8_t *sk_body;
	size_t sk_len;
};

/* IKE_AUTH request; the SK body is IV (16) | inner chain in clear | ICV (16) when WRAP. */
static void build_ike_auth(struct ike_auth *f, bool wrap)
{
	const struct ike_hdr hdr = { .spi_i = 0x1111, .spi_r = 0x2222, .exchange = IKE_AUTH,
				     .flags = IKE_FLAG_INITIATOR, .msg_id = 1 };
	size_t pad = wrap ? 16 : 0;

	memset(f, 0, sizeof(*f));
	fill(f->auth, sizeof(f->auth), 9);
	memcpy(f->esp_spi, "\xc0\xff\xee\x01", 4);
	f->esp = (struct ike_proposal){ .num = 1, .protocol = IKE_PROTO_ESP, .spi_size = 4 };
	memcpy(f->esp.spi, f->esp_spi, 4);
	tf(&f->esp, IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 256);
	tf(&f->esp, IKE_TRANS_ESN, IKE_ESN_NO, 0);
	tf(&f->esp, IKE_TRANS_ESN, IKE_ESN_YES, 0);
	f->tsi[0] = (struct ike_ts){ .type = IKE_TS_IPV4_ADDR_RANGE, .end_port = 65535,
				     .start = { 10, 1, 0, 0 }, .end = { 10, 1, 255, 255 } };
	f->tsr[0] = (struct ike_ts){ .type = IKE_TS_IPV4_ADDR_RANGE, .ip_proto = 6,
				     .start_port = 443, .end_port = 443,
				     .start = { 10, 2, 0, 0 }, .end = { 10, 2, 0, 255 } };
	f->tsr[1] = (struct ike_ts){ .type = IKE_TS_IPV6_ADDR_RANGE, .end_port = 65535,
				     .start = { 0x20, 0x01, 0x0d, 0xb8 },
				     .end = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

	ike_buf_init(&f->inner);
	ike_build_chain(&f->inner);
	ike_add_id(&f->inner, IKE_PL_IDI, &(struct ike_id_pl){
		.type = IKE_ID_FQDN, .data = (const uint8_t *)FQDN, .len = strlen(FQDN) });
	ike_add_auth(&f->inner, &(struct ike_auth_pl){ .method = IKE_AUTH_SHARED_KEY_MIC,
						       .data = f->auth, .len = sizeof(f->auth) });
	ike_add_notify(&f->inner, &(struct ike_notify_pl){ .type = IKE_N_INITIAL_CONTACT });
	ike_add_sa(&f->inner, &f->esp, 1);
	ike_add_ts(&f->inner, IKE_PL_TSI, f->tsi, 1);
	ike_add_ts(&f->inner, IKE_PL_TSR, f->tsr, 2);
	assert_int_equal(ike_build_finish(&f->inner), 0);
	assert_int_equal(f->inner.first, IKE_PL_IDI);

	f->sk_len = pad + f->inner.len + pad;
	ike_buf_init(&f->outer);
	ike_build_msg(&f->outer, &hdr);
	f->sk_body = ike_add_sk(&f->outer, f->inner.first, NULL, f->sk_len);
	assert_non_null(f->sk_body);
	assert_int_equal(ike_build_finish(&f->outer), 0);
	/* Where encryption would go, after the length is final. */
	memcpy(f->sk_body + pad, f->inner.data, f->inner.len);
}

static void free_ike_auth(struct ike_auth *f)
{
	ike_buf_free(&f->inner);
	ike_buf_free(&f->outer);
}

/* ---- round trips ----------------------------------------------------------- */

static void test_sa_init_roundtrip(void **state)
{
	struct ike_msg_err err;
	struct ike_notify_pl n;
	struct ike_nonce_pl no;
	struct ike_sa_pl sa;
	struct ike_ke_pl ke;
	struct sa_init f;
	struct ike_msg m;
	uint8_t *c;
	unsigned int i;

	(void)state;
	build_sa_init(&f);
	c = dup_exact(f.b.data, f.b.len);
	assert_int_equal(ike_msg_parse(c, f.b.len, &m, &err), 0);
	assert_int_equal(m.hdr.spi_i, 0x0102030405060708ULL);
	assert_int_equal(m.hdr.spi_r, 0);
	assert_int_equal(m.hdr.version, IKE_VERSION);
	assert_int_equal(m.hdr.exchange, IKE_SA_INIT);
	assert_int_equal(m.hdr.flags, IKE_FLAG_INITIATOR);
	assert_int_equal(m.hdr.msg_id, 0);
	assert_int_equal(m.hdr.length, f.b.len);
	assert_int_equal(m.hdr.next_payload, IKE_PL_SA);
	assert_int_equal(m.chain.n, 5);
	assert_int_equal(m.chain.n_skipped, 0);
	assert_null(ike_msg_sk(&m));

	assert_int_equal(ike_decode_sa(&m.chain.pl[0], &sa, &err), 0);
	assert_int_equal(sa.n, 2);
	for (i = 0; i < 2; i++)
		assert_proposal_equal(&sa.p[i], &f.prop[i]);
	assert_int_equal(ike_decode_ke(&m.chain.pl[1], &ke, &err), 0);
	assert_int_equal(ke.group, IKE_DH_ECP_256);
	assert_int_equal(ke.len, sizeof(f.ke));
	assert_memory_equal(ke.data, f.ke, sizeof(f.ke));
	assert_int_equal(ike_decode_nonce(&m.chain.pl[2], &no, &err), 0);
	assert_int_equal(no.len, sizeof(f.nonce));
	assert_memory_equal(no.data, f.nonce, sizeof(f.nonce));
	assert_ptr_equal(ike_chain_find(&m.chain, IKE_PL_NOTIFY, NULL), &m.chain.pl[3]);
	assert_ptr_equal(ike_chain_find(&m.chain, IKE_PL_NOTIFY, &m.chain.pl[3]), &m.chain.pl[4]);
	assert_null(ike_chain_find(&m.chain, IKE_PL_NOTIFY, &m.chain.pl[4]));
	assert_int_equal(ike_chain_count(&m.chain, IKE_PL_NOTIFY), 2);
	assert_int_equal(ike_decode_notify(&m.chain.pl[3], &n, &err), 0);
	assert_int_equal(n.type, IKE_N_NAT_DETECTION_SOURCE_IP);
	assert_int_equal(n.protocol, 0);
	assert_int_equal(n.spi_size, 0);
	assert_int_equal(n.len, 20);
	assert_memory_equal(n.data, f.natd_s, 20);
	assert_int_equal(ike_decode_notify(&m.chain.pl[4], &n, &err), 0);
	assert_int_equal(n.type, IKE_N_NAT_DETECTION_DESTINATION_IP);
	assert_memory_equal(n.data, f.natd_d, 20);
	/* The chain is zero-copy: bodies point into the buffer. */
	assert_true(m.chain.pl[2].body > c && m.chain.pl[2].body < c + f.b.len);
	free(c);
	ike_buf_free(&f.b);
}

static void test_ike_auth_roundtrip(void **state)
{
	const struct ike_payload *sk;
	struct ike_msg_err err;
	struct ike_notify_pl n;
	struct ike_auth_pl a;
	struct ike_ts_pl ts;
	struct ike_sa_pl sa;
	struct ike_chain ch;
	struct ike_id_pl id;
	struct ike_auth f;
	struct ike_msg m;

	(void)state;
	build_ike_auth(&f, true);
	assert_int_equal(ike_msg_parse(f.outer.data, f.outer.len, &m, &err), 0);
	assert_int_equal(m.hdr.exchange, IKE_AUTH);
	assert_int_equal(m.hdr.msg_id, 1);
	assert_int_equal(m.hdr.next_payload, IKE_PL_SK);
	assert_int_equal(m.chain.n, 1);
	sk = ike_msg_sk(&m);
	assert_non_null(sk);
	assert_int_equal(sk->next, IKE_PL_IDI);
	assert_int_equal(sk->offset, IKE_HDR_LEN);	/* AAD: header + SK header */
	assert_int_equal(sk->body_len, f.sk_len);
	assert_ptr_equal(sk->body, f.sk_body);

	assert_int_equal(ike_msg_parse_chain(sk->next, sk->body + 16, sk->body_len - 32, &ch,
					     &err), 0);
	assert_int_equal(ch.n, 6);
	assert_int_equal(ike_decode_id(&ch.pl[0], &id, &err), 0);
	assert_int_equal(id.type, IKE_ID_FQDN);
	assert_int_equal(id.len, strlen(FQDN));
	assert_memory_equal(id.data, FQDN, id.len);
	assert_int_equal(ike_decode_auth(&ch.pl[1], &a, &err), 0);
	assert_int_equal(a.method, IKE_AUTH_SHARED_KEY_MIC);
	assert_int_equal(a.len, sizeof(f.auth));
	assert_memory_equal(a.data, f.auth, sizeof(f.auth));
	assert_int_equal(ike_decode_notify(&ch.pl[2], &n, &err), 0);
	assert_int_equal(n.type, IKE_N_INITIAL_CONTACT);
	assert_int_equal(n.len, 0);
	assert_int_equal(ike_decode_sa(&ch.pl[3], &sa, &err), 0);
	assert_int_equal(sa.n, 1);
	assert_proposal_equal(&sa.p[0], &f.esp);
	assert_int_equal(ike_decode_ts(&ch.pl[4], &ts, &err), 0);
	assert_int_equal(ts.n, 1);
	assert_memory_equal(&ts.ts[0], &f.tsi[0], sizeof(ts.ts[0]));
	assert_int_equal(ike_decode_ts(&ch.pl[5], &ts, &err), 0);
	assert_int_equal(ts.n, 2);
	assert_memory_equal(ts.ts, f.tsr, sizeof(f.tsr));
	free_ike_auth(&f);
}

/* Build one payload alone in a chain, parse it back; the chain owns B. */
static const struct ike_payload *one(struct ike_buf *b, struct ike_chain *ch, uint8_t type)
{
	struct ike_msg_err err;

	assert_int_equal(ike_build_finish(b), 0);
	assert_int_equal(b->first, type);
	if (ike_msg_parse_chain(b->first, b->data, b->len, ch, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(ch->n, 1);
	assert_int_equal(ch->pl[0].type, type);
	return &ch->pl[0];
}

static void test_payload_roundtrips(void **state)
{
	uint8_t data[300], spis[12] = { 0, 0, 0, 1, 0xc0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff };
	const struct ike_payload *pl;
	struct ike_msg_err err;
	struct ike_delete_pl d;
	struct ike_notify_pl n;
	struct ike_vendor_pl v;
	struct ike_nonce_pl no;
	struct ike_ke_pl ke;
	struct ike_id_pl id;
	struct ike_chain ch;
	struct ike_buf b;
	size_t len;

	(void)state;
	fill(data, sizeof(data), 5);
	ike_buf_init(&b);

	/* Nonce at both limits of RFC 7296 2.10. */
	for (len = 16; len <= 256; len += 240) {
		ike_build_chain(&b);
		ike_add_nonce(&b, data, len);
		pl = one(&b, &ch, IKE_PL_NONCE);
		assert_int_equal(ike_decode_nonce(pl, &no, &err), 0);
		assert_int_equal(no.len, len);
		assert_memory_equal(no.data, data, len);
	}

	ike_build_chain(&b);
	ike_add_ke(&b, &(struct ike_ke_pl){ .group = IKE_DH_MODP_2048, .data = data, .len = 256 });
	pl = one(&b, &ch, IKE_PL_KE);
	assert_int_equal(ike_decode_ke(pl, &ke, &err), 0);
	assert_int_equal(ke.group, IKE_DH_MODP_2048);
	assert_int_equal(ke.len, 256);
	assert_memory_equal(ke.data, data, 256);

	/* Notify naming a Child SA (REKEY_SA, 4-byte ESP SPI), with data. */
	ike_build_chain(&b);
	ike_add_notify(&b, &(struct ike_notify_pl){ .protocol = IKE_PROTO_ESP, .spi_size = 4,
						    .type = IKE_N_REKEY_SA,
						    .spi = { 1, 2, 3, 4 }, .data = data,
						    .len = 3 });
	pl = one(&b, &ch, IKE_PL_NOTIFY);
	assert_int_equal(ike_decode_notify(pl, &n, &err), 0);
	assert_int_equal(n.protocol, IKE_PROTO_ESP);
	assert_int_equal(n.spi_size, 4);
	assert_int_equal(n.type, IKE_N_REKEY_SA);
	assert_memory_equal(n.spi, "\x01\x02\x03\x04", 4);
	assert_int_equal(n.len, 3);
	assert_memory_equal(n.data, data, 3);

	/* IDs: IPv4, IPv6, key ID; IDr too. */
	ike_build_chain(&b);
	ike_add_id(&b, IKE_PL_IDR, &(struct ike_id_pl){ .type = IKE_ID_IPV4_ADDR,
							 .data = data, .len = 4 });
	pl = one(&b, &ch, IKE_PL_IDR);
	assert_int_equal(ike_decode_id(pl, &id, &err), 0);
	assert_int_equal(id.type, IKE_ID_IPV4_ADDR);
	assert_int_equal(id.len, 4);
	assert_memory_equal(id.data, data, 4);
	ike_build_chain(&b);
	ike_add_id(&b, IKE_PL_IDI, &(struct ike_id_pl){ .type = IKE_ID_IPV6_ADDR,
							 .data = data, .len = 16 });
	pl = one(&b, &ch, IKE_PL_IDI);
	assert_int_equal(ike_decode_id(pl, &id, &err), 0);
	assert_int_equal(id.len, 16);
	ike_build_chain(&b);
	ike_add_id(&b, IKE_PL_IDI, &(struct ike_id_pl){ .type = IKE_ID_KEY_ID,
							 .data = data, .len = 1 });
	pl = one(&b, &ch, IKE_PL_IDI);
	assert_int_equal(ike_decode_id(pl, &id, &err), 0);
	assert_int_equal(id.type, IKE_ID_KEY_ID);
	assert_int_equal(id.data[0], data[0]);

	/* Delete: three ESP SPIs, then the IKE SA (no SPI). */
	ike_build_chain(&b);
	ike_add_delete(&b, &(struct ike_delete_pl){ .protocol = IKE_PROTO_ESP, .spi_size = 4,
						    .n = 3, .spis = spis });
	pl = one(&b, &ch, IKE_PL_DELETE);
	assert_int_equal(ike_decode_delete(pl, &d, &err), 0);
	assert_int_equal(d.protocol, IKE_PROTO_ESP);
	assert_int_equal(d.n, 3);
	assert_int_equal(ike_delete_spi(&d, 0), 1);
	assert_int_equal(ike_delete_spi(&d, 1), 0xc0000002);
	assert_int_equal(ike_delete_spi(&d, 2), 0xffffffff);
	assert_int_equal(ike_delete_spi(&d, 3), 0);	/* out of range */
	ike_build_chain(&b);
	ike_add_delete(&b, &(struct ike_delete_pl){ .protocol = IKE_PROTO_IKE });
	pl = one(&b, &ch, IKE_PL_DELETE);
	assert_int_equal(ike_decode_delete(pl, &d, &err), 0);
	assert_int_equal(d.protocol, IKE_PROTO_IKE);
	assert_int_equal(d.n, 0);

	ike_build_chain(&b);
	ike_add_vendor(&b, data, 16);
	pl = one(&b, &ch, IKE_PL_VENDOR);
	assert_int_equal(ike_decode_vendor(pl, &v, &err), 0);
	assert_int_equal(v.len, 16);
	assert_memory_equal(v.data, data, 16);

	/* A raw payload of a known type keeps its critical bit. */
	ike_build_chain(&b);
	ike_add_raw(&b, IKE_PL_CERTREQ, true, data, 5);
	pl = one(&b, &ch, IKE_PL_CERTREQ);
	assert_true(pl->critical);
	assert_int_equal(pl->body_len, 5);
	ike_buf_free(&b);
}

static void test_sa_roundtrip(void **state)
{
	struct ike_proposal p[3] = { { 0 } };
	const struct ike_payload *pl;
	struct ike_msg_err err;
	struct ike_chain ch;
	struct ike_sa_pl sa;
	struct ike_buf b;
	unsigned int i;

	(void)state;
	/* IKE rekey (8-byte SPI), ESP (4), AH (4); every transform type. */
	p[0] = (struct ike_proposal){ .num = 1, .protocol = IKE_PROTO_IKE, .spi_size = 8,
				      .spi = { 1, 2, 3, 4, 5, 6, 7, 8 } };
	tf(&p[0], IKE_TRANS_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0);
	tf(&p[0], IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_512, 0);
	tf(&p[0], IKE_TRANS_DH, IKE_DH_CURVE25519, 0);
	p[1] = (struct ike_proposal){ .num = 2, .protocol = IKE_PROTO_ESP, .spi_size = 4,
				      .spi = { 0xca, 0xfe, 0, 1 } };
	tf(&p[1], IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 192);
	tf(&p[1], IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA1_96, 0);
	tf(&p[1], IKE_TRANS_DH, IKE_DH_NONE, 0);
	tf(&p[1], IKE_TRANS_ESN, IKE_ESN_YES, 0);
	p[2] = (struct ike_proposal){ .num = 3, .protocol = IKE_PROTO_AH, .spi_size = 4 };
	tf(&p[2], IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0);

	ike_buf_init(&b);
	ike_build_chain(&b);
	ike_add_sa(&b, p, 3);
	pl = one(&b, &ch, IKE_PL_SA);
	assert_int_equal(ike_decode_sa(pl, &sa, &err), 0);
	assert_int_equal(sa.n, 3);
	for (i = 0; i < 3; i++)
		assert_proposal_equal(&sa.p[i], &p[i]);

	/* A responder's answer: one proposal carrying a number other than 1. */
	ike_build_chain(&b);
	ike_add_sa(&b, &p[1], 1);
	pl = one(&b, &ch, IKE_PL_SA);
	assert_int_equal(ike_decode_sa(pl, &sa, &err), 0);
	assert_int_equal(sa.n, 1);
	assert_proposal_equal(&sa.p[0], &p[1]);
	ike_buf_free(&b);
}

static void test_version_flags(void **state)
{
	struct ike_msg_err err;
	struct sa_init f;
	struct ike_msg m;

	(void)state;
	build_sa_init(&f);
	/* Minor version and unknown flag bits are ignored (RFC 7296 3.1). */
	f.b.data[17] = 0x2f;
	f.b.data[19] |= 0xc7;
	assert_int_equal(parse_copy(f.b.data, f.b.len, &err), 0);

	f.b.data[17] = 0x30;
	assert_int_equal(ike_msg_parse(f.b.data, f.b.len, &m, &err), IKE_EVERSION);
	assert_int_equal(err.rc, IKE_EVERSION);
	assert_int_equal(err.notify, IKE_N_INVALID_MAJOR_VERSION);
	assert_contains(err.msg, "major version 3");
	/* The header is there to answer to. */
	assert_int_equal(m.hdr.spi_i, 0x0102030405060708ULL);
	assert_int_equal(m.hdr.exchange, IKE_SA_INIT);
	f.b.data[17] = 0x10;	/* IKEv1 */
	assert_int_equal(parse_copy(f.b.data, f.b.len, &err), IKE_EVERSION);
	ike_buf_free(&f.b);
}

/* ---- malformed messages ---------------------------------------------------- */

static void test_truncated_everywhere(void **state)
{
	struct ike_msg_err err;
	struct ike_auth a;
	struct sa_init f;
	size_t n;

	(void)state;
	build_sa_init(&f);
	for (n = 0; n < f.b.len; n++) {
		uint8_t *c = dup_exact(f.b.data, n);

		/* As received (the length field lies) ... */
		assert_int_equal(parse_copy(c, n, &err), IKE_ESYNTAX);
		/* ... and with the length field made to agree: the chain must fail. */
		if (n >= IKE_HDR_LEN) {
			wr32(c + 24, (uint32_t)n);
			assert_int_equal(parse_copy(c, n, &err), IKE_ESYNTAX);
			assert_int_equal(err.notify, IKE_N_INVALID_SYNTAX);
		}
		free(c);
	}
	assert_int_equal(parse_copy(f.b.data, f.b.len, &err), 0);

	build_ike_auth(&a, false);
	for (n = 0; n < a.inner.len; n++)
		assert_int_equal(chain_copy(a.inner.first, a.inner.data, n, &err), IKE_ESYNTAX);
	assert_int_equal(chain_copy(a.inner.first, a.inner.data, a.inner.len, &err), 0);
	free_ike_auth(&a);
	ike_buf_free(&f.b);
}

static void test_length_field_lies(void **state)
{
	struct ike_msg_err err;
	struct sa_init f;
	uint8_t *big;

	(void)state;
	build_sa_init(&f);
	wr32(f.b.data + 24, (uint32_t)f.b.len + 1);
	assert_int_equal(parse_copy(f.b.data, f.b.len, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "header length");
	wr32(f.b.data + 24, (uint32_t)f.b.len - 1);
	assert_int_equal(parse_copy(f.b.data, f.b.len, &err), IKE_ESYNTAX);
	wr32(f.b.data + 24, 0xffffffff);
	assert_int_equal(parse_copy(f.b.data, f.b.len, &err), IKE_ESYNTAX);
	wr32(f.b.data + 24, 0);
	assert_int_equal(parse_copy(f.b.data, f.b.len, &err), IKE_ESYNTAX);

	/* Datagram longer than the message it carries: not ours to guess. */
	big = calloc(1, f.b.len + 8);
	assert_non_null(big);
	memcpy(big, f.b.data, f.b.len);
	wr32(big + 24, (uint32_t)f.b.len);
	assert_int_equal(parse_copy(big, f.b.len + 8, &err), IKE_ESYNTAX);
	free(big);
	assert_int_equal(parse_copy(f.b.data, 10, &err), IKE_ESYNTAX);
	assert_int_equal(err.notify, 0);	/* no SPIs to answer to */
	ike_buf_free(&f.b);
}

static void test_payload_length_lies(void **state)
{
	struct ike_msg_err err;
	struct sa_init f;
	struct ike_msg m;
	uint32_t nonce_at, last_at;
	char want[96];

	(void)state;
	build_sa_init(&f);
	assert_int_equal(ike_msg_parse(f.b.data, f.b.len, &m, &err), 0);
	nonce_at = m.chain.pl[2].offset;
	last_at = m.chain.pl[4].offset;

	wr16(f.b.data + nonce_at + 2, 2);
	assert_int_equal(parse_copy(f.b.data, f.b.len, &err), IKE_ESYNTAX);
	snprintf(want, sizeof(want),
		 "payload 3 (NONCE) length 2 below the 4-byte header at offset %u", nonce_at);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.notify, IKE_N_INVALID_SYNTAX);
	wr16(f.b.data + nonce_at + 2, 0);
	assert_int_equal(parse_copy(f.b.data, f.b.len, &err), IKE_ESYNTAX);
	wr16(f.b.data + nonce_at + 2, 4 + 32);

	/* Overrunning the message. */
	wr16(f.b.data + last_at + 2, (uint16_t)(f.b.len - last_at + 1));
	assert_int_equal(parse_copy(f.b.data, f.b.len, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "payload 5 (NOTIFY)");
	assert_contains(err.msg, "runs 1 bytes past the end");
	wr16(f.b.data + last_at + 2, 0xffff);
	assert_int_equal(parse_copy(f.b.data, f.b.len, &err), IKE_ESYNTAX);

	/* Shorter than it is: the rest reads as a bogus next payload header. */
	wr16(f.b.data + last_at + 2, (uint16_t)(f.b.len - last_at - 1));
	assert_int_equal(parse_copy(f.b.data, f.b.len, &err), IKE_ESYNTAX);
	wr16(f.b.data + last_at + 2, (uint16_t)(f.b.len - last_at));
	assert_int_equal(parse_copy(f.b.data, f.b.len, &err), 0);
	ike_buf_free(&f.b);
}

static void test_chain_bounds(void **state)
{
	struct ike_msg_err err;
	struct sa_init f;
	struct ike_msg m;
	uint8_t *longer;
	uint32_t ke_at, last_at;

	(void)state;
	build_sa_init(&f);
	assert_int_equal(ike_msg_parse(f.b.data, f.b.len, &m, &err), 0);
	ke_at = m.chain.pl[1].offset;
	last_at = m.chain.pl[4].offset;

	/* The last payload claims a successor past the end. */
	f.b.data[last_at] = IKE_PL_VENDOR;
	assert_int_equal(parse_copy(f.b.data, f.b.len, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "payload 6 (VENDOR) at offset");
	assert_contains(err.msg, ": 0 bytes left for its header");
	f.b.data[last_at] = IKE_PL_NONE;

	/* The chain ends early: the rest is trailing garbage. */
	f.b.data[ke_at] = IKE_PL_NONE;
	assert_int_equal(parse_copy(f.b.data, f.b.len, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "bytes after the last payload");
	f.b.data[ke_at] = IKE_PL_NONCE;

	/* Trailing bytes counted in the header length. */
	longer = calloc(1, f.b.len + 3);
	assert_non_null(longer);
	memcpy(longer, f.b.data, f.b.len);
	wr32(longer + 24, (uint32_t)f.b.len + 3);
	assert_int_equal(parse_copy(longer, f.b.len + 3, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "3 bytes after the last payload");
	free(longer);

	/* A header with no payload at all is well formed. */
	f.b.data[16] = IKE_PL_NONE;
	wr32(f.b.data + 24, IKE_HDR_LEN);
	assert_int_equal(parse_copy(f.b.data, IKE_HDR_LEN, &err), 0);
	ike_buf_free(&f.b);
}

static void test_sk_placement(void **state)
{
	const struct ike_hdr h = { .exchange = IKE_INFORMATIONAL, .msg_id = 7 };
	uint8_t body[40] = { 0 };
	struct ike_msg_err err;
	struct ike_buf b;

	(void)state;
	ike_buf_init(&b);
	/* SK (added raw, so nothing stops us) followed by another payload. */
	ike_build_msg(&b, &h);
	ike_add_raw(&b, IKE_PL_SK, false, body, sizeof(body));
	ike_add_nonce(&b, body, 16);
	assert_int_equal(ike_build_finish(&b), 0);
	assert_int_equal(parse_copy(b.data, b.len, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "payload 1 (SK) at offset 28 is not the last: 20 bytes follow");

	/* A payload before SK is fine, so long as SK is last. */
	ike_build_msg(&b, &h);
	ike_add_vendor(&b, body, 4);
	assert_non_null(ike_add_sk(&b, IKE_PL_DELETE, body, sizeof(body)));
	assert_int_equal(ike_build_finish(&b), 0);
	assert_int_equal(parse_copy(b.data, b.len, &err), 0);

	/* No SK inside SK. */
	ike_build_chain(&b);
	ike_add_vendor(&b, body, 4);
	ike_add_raw(&b, IKE_PL_SK, false, body, 8);
	assert_int_equal(ike_build_finish(&b), 0);
	assert_int_equal(chain_copy(b.first, b.data, b.len, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "nested in SK");
	ike_buf_free(&b);
}

static void test_unknown_payloads(void **state)
{
	const struct ike_hdr h = { .exchange = IKE_SA_INIT };
	uint8_t body[24] = { 1, 2, 3 };
	struct ike_msg_err err;
	struct ike_buf b;
	struct ike_msg m;

	(void)state;
	ike_buf_init(&b);
	ike_build_msg(&b, &h);
	ike_add_nonce(&b, body, 16);
	ike_add_raw(&b, 200, false, body, 3);
	ike_add_raw(&b, 12, false, NULL, 0);	/* an IKEv1 type number, also unknown */
	ike_add_vendor(&b, body, 2);
	assert_int_equal(ike_build_finish(&b), 0);
	assert_int_equal(ike_msg_parse(b.data, b.len, &m, &err), 0);
	assert_int_equal(m.chain.n, 2);
	assert_int_equal(m.chain.n_skipped, 2);
	assert_int_equal(m.chain.pl[0].type, IKE_PL_NONCE);
	assert_int_equal(m.chain.pl[1].type, IKE_PL_VENDOR);
	assert_int_equal(m.chain.pl[1].index, 4);

	ike_build_msg(&b, &h);
	ike_add_nonce(&b, body, 16);
	ike_add_raw(&b, 200, true, body, 3);
	assert_int_equal(ike_build_finish(&b), 0);
	assert_int_equal(parse_copy(b.data, b.len, &err), IKE_ECRITICAL);
	assert_int_equal(err.notify, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);
	assert_int_equal(err.payload_type, 200);
	assert_contains(err.msg, "payload 2 of unknown type 200 at offset 48: critical");

	/* The critical bit on a known type is not ours to act on. */
	ike_build_msg(&b, &h);
	ike_add_raw(&b, IKE_PL_CP, true, body, 8);
	assert_int_equal(ike_build_finish(&b), 0);
	assert_int_equal(parse_copy(b.data, b.len, &err), 0);
	ike_buf_free(&b);
}

static void test_payload_cap(void **state)
{
	const struct ike_hdr h = { .exchange = IKE_INFORMATIONAL };
	struct ike_msg_err err;
	struct ike_buf b;
	int i;

	(void)state;
	ike_buf_init(&b);
	ike_build_msg(&b, &h);
	for (i = 0; i < IKE_MAX_PAYLOADS; i++)
		ike_add_vendor(&b, NULL, 0);
	assert_int_equal(ike_build_finish(&b), 0);
	assert_int_equal(parse_copy(b.data, b.len, &err), 0);
	/* Skipped payloads count too: nothing loops forever. */
	ike_add_raw(&b, 201, false, NULL, 0);
	assert_int_equal(ike_build_finish(&b), 0);
	assert_int_equal(parse_copy(b.data, b.len, &err), IKE_ELIMIT);
	assert_contains(err.msg, "more than 64 payloads");
	ike_buf_free(&b);
}

/* ---- SA payload bodies, written by hand to make them lie ------------------ */

static size_t put_transform(uint8_t *o, bool more, uint8_t type, uint16_t id, uint16_t key_len)
{
	size_t n = key_len ? 12 : 8;

	memset(o, 0, n);
	o[0] = more ? IKE_SUBSTRUC_TRANSFORM : IKE_SUBSTRUC_LAST;
	wr16(o + 2, (uint16_t)n);
	o[4] = type;
	wr16(o + 6, id);
	if (key_len) {
		wr16(o + 8, IKE_ATTR_FORMAT_TV | IKE_ATTR_KEY_LENGTH);
		wr16(o + 10, key_len);
	}
	return n;
}

/* A proposal of N_TF AES-CBC-128 transforms and a zero SPI. */
static size_t put_proposal(uint8_t *o, bool more, uint8_t num, uint8_t proto, uint8_t spi_size,
			   unsigned int n_tf)
{
	size_t n = 8 + spi_size;
	unsigned int i;

	memset(o, 0, n);
	o[0] = more ? IKE_SUBSTRUC_PROPOSAL : IKE_SUBSTRUC_LAST;
	o[4] = num;
	o[5] = proto;
	o[6] = spi_size;
	o[7] = (uint8_t)n_tf;
	for (i = 0; i < n_tf; i++)
		n += put_transform(o + n, i + 1 < n_tf, IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 128);
	wr16(o + 2, (uint16_t)n);
	return n;
}

static int decode_sa_bytes(const uint8_t *body, size_t len, struct ike_sa_pl *sa,
			   struct ike_msg_err *err)
{
	uint8_t *c = dup_exact(body, len);
	struct ike_payload pl = mkpl(IKE_PL_SA, c, len);
	int rc;

	memset(err, 0, sizeof(*err));
	rc = ike_decode_sa(&pl, sa, err);
	free(c);
	if (rc)
		assert_true(err->msg[0] != '\0');
	return rc;
}

static void test_sa_malformed(void **state)
{
	uint8_t o[4096];
	struct ike_msg_err err;
	struct ike_sa_pl sa;
	size_t n, p2;

	(void)state;
	/* Two good proposals to start from. */
	n = put_proposal(o, true, 1, IKE_PROTO_IKE, 0, 2);
	p2 = n;
	n += put_proposal(o + n, false, 2, IKE_PROTO_IKE, 0, 1);
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), 0);
	assert_int_equal(sa.n, 2);
	assert_int_equal(sa.p[0].n_transforms, 2);
	assert_int_equal(sa.p[0].t[1].key_len, 128);

	/* Every prefix fails. */
	for (size_t k = 0; k < n; k++)
		assert_int_equal(decode_sa_bytes(o, k, &sa, &err), IKE_ESYNTAX);

	/* Proposal length too big, too small. */
	wr16(o + 2, (uint16_t)(p2 + 1));
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	wr16(o + 2, (uint16_t)(p2 - 1));
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	wr16(o + 2, 7);
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "below its header");
	wr16(o + 2, (uint16_t)(n + 8));
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "past the payload");
	wr16(o + 2, (uint16_t)p2);

	/* Transform length below its header, and overrunning the proposal. */
	wr16(o + 8 + 2, 4);
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "proposal 1 transform 1: length 4 below the 8-byte header");
	wr16(o + 8 + 2, (uint16_t)(p2 + 4));
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	/* One transform swallowing the other: the count no longer adds up. */
	wr16(o + 8 + 2, (uint16_t)(p2 - 8));
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	wr16(o + 8 + 2, 12);

	/* Transform count lies both ways. */
	o[7] = 3;
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	o[7] = 1;
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	o[7] = 0;
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	o[7] = 2;

	/* Last Substruc inconsistent: "more" on the last, "last" on the first. */
	o[p2] = IKE_SUBSTRUC_PROPOSAL;
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "more follow");
	o[p2] = IKE_SUBSTRUC_LAST;
	o[0] = IKE_SUBSTRUC_LAST;
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	o[0] = 1;
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	o[0] = IKE_SUBSTRUC_PROPOSAL;
	o[8] = IKE_SUBSTRUC_LAST;	/* first transform claims to be the last */
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	o[8] = IKE_SUBSTRUC_TRANSFORM;

	/* Proposal numbers out of order (RFC 7296 3.3.1). */
	o[p2 + 4] = 3;
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "SA proposal 2: numbered 3, out of order");
	o[p2 + 4] = 1;
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	o[4] = 2;
	o[p2 + 4] = 3;
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	o[4] = 0;
	assert_int_equal(decode_sa_bytes(o, p2, &sa, &err), IKE_ESYNTAX);
	o[4] = 1;
	o[p2 + 4] = 2;
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), 0);

	/* SPI size against protocol: IKE 0 or 8, ESP and AH 4. */
	n = put_proposal(o, false, 1, IKE_PROTO_ESP, 0, 1);
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "SPI size 0 for protocol 3");
	n = put_proposal(o, false, 1, IKE_PROTO_ESP, 8, 1);
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	n = put_proposal(o, false, 1, IKE_PROTO_IKE, 4, 1);
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	n = put_proposal(o, false, 1, 9, 4, 1);
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	n = put_proposal(o, false, 1, IKE_PROTO_IKE, 8, 1);
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), 0);
	n = put_proposal(o, false, 1, IKE_PROTO_AH, 4, 1);
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), 0);

	/* SPI larger than the proposal. */
	n = put_proposal(o, false, 1, IKE_PROTO_ESP, 4, 1);
	o[6] = 200;
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);

	assert_int_equal(decode_sa_bytes(o, 0, &sa, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "without a proposal");
}

static void test_sa_attributes(void **state)
{
	uint8_t o[64];
	struct ike_msg_err err;
	struct ike_sa_pl sa;
	size_t n;

	(void)state;
	n = put_proposal(o, false, 1, IKE_PROTO_IKE, 0, 1);	/* transform at 8, attr at 16 */
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), 0);
	assert_int_equal(sa.p[0].t[0].flags, 0);

	/* Unknown TV attribute: the transform is flagged, not the payload refused. */
	wr16(o + 16, IKE_ATTR_FORMAT_TV | 99);
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), 0);
	assert_int_equal(sa.p[0].t[0].flags, IKE_TF_UNACCEPTABLE);
	assert_int_equal(sa.p[0].t[0].key_len, 0);
	/* Key Length in TLV form, with a 0-byte value: unacceptable too. */
	wr16(o + 16, IKE_ATTR_KEY_LENGTH);
	wr16(o + 18, 0);
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), 0);
	assert_int_equal(sa.p[0].t[0].flags, IKE_TF_UNACCEPTABLE);
	/* TLV whose length runs past the transform. */
	wr16(o + 18, 1);
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "SA proposal 1 transform 1: attribute length 1 overruns");
	/* Key Length of zero. */
	wr16(o + 16, IKE_ATTR_FORMAT_TV | IKE_ATTR_KEY_LENGTH);
	wr16(o + 18, 0);
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), 0);
	assert_int_equal(sa.p[0].t[0].flags, IKE_TF_UNACCEPTABLE);

	/* Two Key Lengths: the second is not understood. */
	n = put_proposal(o, false, 1, IKE_PROTO_IKE, 0, 1);
	wr16(o + 20, IKE_ATTR_FORMAT_TV | IKE_ATTR_KEY_LENGTH);
	wr16(o + 22, 256);
	wr16(o + 8 + 2, 16);
	wr16(o + 2, 24);
	assert_int_equal(decode_sa_bytes(o, 24, &sa, &err), 0);
	assert_int_equal(sa.p[0].t[0].key_len, 128);
	assert_int_equal(sa.p[0].t[0].flags, IKE_TF_UNACCEPTABLE);
	/* A truncated attribute header. */
	wr16(o + 8 + 2, 14);
	wr16(o + 2, 22);
	assert_int_equal(decode_sa_bytes(o, 22, &sa, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "truncated (2 of 4 bytes)");
}

static void test_sa_capacity(void **state)
{
	uint8_t *o = calloc(1, 8192);
	struct ike_msg_err err;
	struct ike_sa_pl sa;
	size_t n = 0;
	unsigned int i;

	(void)state;
	assert_non_null(o);
	for (i = 1; i <= IKE_MAX_PROPOSALS; i++)
		n += put_proposal(o + n, i < IKE_MAX_PROPOSALS, (uint8_t)i, IKE_PROTO_ESP, 4, 1);
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), 0);
	assert_int_equal(sa.n, IKE_MAX_PROPOSALS);
	n = 0;
	for (i = 1; i <= IKE_MAX_PROPOSALS + 1; i++)
		n += put_proposal(o + n, i <= IKE_MAX_PROPOSALS, (uint8_t)i, IKE_PROTO_ESP, 4, 1);
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ELIMIT);
	assert_int_equal(err.notify, IKE_N_NO_PROPOSAL_CHOSEN);
	assert_contains(err.msg, "more than 8 proposals");

	n = put_proposal(o, false, 1, IKE_PROTO_IKE, 0, IKE_MAX_TRANSFORMS);
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), 0);
	assert_int_equal(sa.p[0].n_transforms, IKE_MAX_TRANSFORMS);
	n = put_proposal(o, false, 1, IKE_PROTO_IKE, 0, IKE_MAX_TRANSFORMS + 1);
	assert_int_equal(decode_sa_bytes(o, n, &sa, &err), IKE_ELIMIT);
	assert_contains(err.msg, "49 transforms, more than 48");
	free(o);
}

/* ---- other payload bodies ------------------------------------------------ */

static int decode_bytes(uint8_t type, const uint8_t *body, size_t len, struct ike_msg_err *err)
{
	uint8_t *c = dup_exact(body, len);
	struct ike_payload pl = mkpl(type, c, len);
	union {
		struct ike_ke_pl ke;
		struct ike_nonce_pl nonce;
		struct ike_notify_pl n;
		struct ike_id_pl id;
		struct ike_auth_pl auth;
		struct ike_ts_pl ts;
		struct ike_delete_pl d;
		struct ike_vendor_pl v;
	} u;
	int rc = IKE_EINVAL;

	memset(err, 0, sizeof(*err));
	switch (type) {
	case IKE_PL_KE:
		rc = ike_decode_ke(&pl, &u.ke, err);
		break;
	case IKE_PL_NONCE:
		rc = ike_decode_nonce(&pl, &u.nonce, err);
		break;
	case IKE_PL_NOTIFY:
		rc = ike_decode_notify(&pl, &u.n, err);
		break;
	case IKE_PL_IDI:
		rc = ike_decode_id(&pl, &u.id, err);
		break;
	case IKE_PL_AUTH:
		rc = ike_decode_auth(&pl, &u.auth, err);
		break;
	case IKE_PL_TSI:
		rc = ike_decode_ts(&pl, &u.ts, err);
		break;
	case IKE_PL_DELETE:
		rc = ike_decode_delete(&pl, &u.d, err);
		break;
	}
	free(c);
	if (rc)
		assert_true(err->msg[0] != '\0');
	return rc;
}

/* One IPv4 selector: 10.0.0.START - 10.0.0.END, ports SP - EP. */
static size_t put_ts4(uint8_t *o, uint8_t start, uint8_t end, uint16_t sp, uint16_t ep)
{
	memset(o, 0, 16);
	o[0] = IKE_TS_IPV4_ADDR_RANGE;
	wr16(o + 2, 16);
	wr16(o + 4, sp);
	wr16(o + 6, ep);
	o[8] = 10;
	o[11] = start;
	o[12] = 10;
	o[15] = end;
	return 16;
}

static void test_ts_malformed(void **state)
{
	uint8_t o[4 + 16 * (IKE_MAX_TS + 2)] = { 0 };
	struct ike_msg_err err;
	struct ike_ts_pl ts;
	struct ike_payload pl;
	size_t n;
	unsigned int i;

	(void)state;
	o[0] = 2;
	n = 4 + put_ts4(o + 4, 1, 2, 0, 65535);
	n += put_ts4(o + n, 9, 9, 65535, 0);	/* OPAQUE ports */
	assert_int_equal(decode_bytes(IKE_PL_TSI, o, n, &err), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(decode_bytes(IKE_PL_TSI, o, i, &err), IKE_ESYNTAX);

	o[4 + 11] = 3;		/* start 10.0.0.3 > end 10.0.0.2 */
	assert_int_equal(decode_bytes(IKE_PL_TSI, o, n, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "TSi: selector 1 start address above its end");
	o[4 + 11] = 1;
	wr16(o + 4 + 4, 100);
	wr16(o + 4 + 6, 50);
	assert_int_equal(decode_bytes(IKE_PL_TSI, o, n, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "port range 100-50 is empty");
	wr16(o + 4 + 4, 0);
	wr16(o + 4 + 6, 65535);

	/* Count lies, selector length lies. */
	o[0] = 3;
	assert_int_equal(decode_bytes(IKE_PL_TSI, o, n, &err), IKE_ESYNTAX);
	o[0] = 1;
	assert_int_equal(decode_bytes(IKE_PL_TSI, o, n, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "bytes after its 1 selectors");
	o[0] = 0;
	assert_int_equal(decode_bytes(IKE_PL_TSI, o, n, &err), IKE_ESYNTAX);
	o[0] = 2;
	wr16(o + 4 + 2, 40);	/* an IPv6 length on an IPv4 selector */
	assert_int_equal(decode_bytes(IKE_PL_TSI, o, n, &err), IKE_ESYNTAX);
	wr16(o + 4 + 2, 2);
	assert_int_equal(decode_bytes(IKE_PL_TSI, o, n, &err), IKE_ESYNTAX);
	wr16(o + 4 + 2, 16);

	/* A selector type we do not know is skipped, not refused. */
	o[4 + 16] = 10;		/* TS_SECLABEL */
	pl = mkpl(IKE_PL_TSR, o, n);
	assert_int_equal(ike_decode_ts(&pl, &ts, &err), 0);
	assert_int_equal(ts.n, 1);
	assert_int_equal(ts.n_unknown, 1);

	/* Capacity. */
	o[0] = IKE_MAX_TS + 1;
	n = 4;
	for (i = 0; i < IKE_MAX_TS + 1; i++)
		n += put_ts4(o + n, 1, 2, 0, 65535);
	assert_int_equal(decode_bytes(IKE_PL_TSI, o, n, &err), IKE_ELIMIT);
	assert_int_equal(err.notify, IKE_N_TS_UNACCEPTABLE);
	o[0] = IKE_MAX_TS;
	assert_int_equal(decode_bytes(IKE_PL_TSI, o, n - 16, &err), 0);
}

static void test_delete_malformed(void **state)
{
	uint8_t o[4 + 12] = { IKE_PROTO_ESP, 4, 0, 3 };
	struct ike_msg_err err;

	(void)state;
	assert_int_equal(decode_bytes(IKE_PL_DELETE, o, 16, &err), 0);
	o[3] = 2;
	assert_int_equal(decode_bytes(IKE_PL_DELETE, o, 16, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "2 SPIs of 4 bytes but 12 bytes follow");
	o[3] = 4;
	assert_int_equal(decode_bytes(IKE_PL_DELETE, o, 16, &err), IKE_ESYNTAX);
	o[3] = 0xff;
	o[2] = 0xff;		/* 65535 SPIs: the product must not wrap anything */
	assert_int_equal(decode_bytes(IKE_PL_DELETE, o, 16, &err), IKE_ESYNTAX);
	o[2] = 0;
	o[3] = 3;
	o[1] = 8;
	assert_int_equal(decode_bytes(IKE_PL_DELETE, o, 16, &err), IKE_ESYNTAX);
	o[1] = 4;
	o[0] = IKE_PROTO_IKE;
	assert_int_equal(decode_bytes(IKE_PL_DELETE, o, 16, &err), IKE_ESYNTAX);
	o[0] = 7;
	assert_int_equal(decode_bytes(IKE_PL_DELETE, o, 16, &err), IKE_ESYNTAX);
	assert_int_equal(decode_bytes(IKE_PL_DELETE, o, 3, &err), IKE_ESYNTAX);
}

static void test_small_payloads_malformed(void **state)
{
	uint8_t o[300] = { 0 };
	struct ike_msg_err err;
	struct ike_payload pl;
	struct ike_sa_pl sa;

	(void)state;
	/* Nonce: 16 to 256 bytes. */
	assert_int_equal(decode_bytes(IKE_PL_NONCE, o, 15, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "NONCE of 15 bytes");
	assert_int_equal(decode_bytes(IKE_PL_NONCE, o, 257, &err), IKE_ESYNTAX);
	assert_int_equal(decode_bytes(IKE_PL_NONCE, o, 16, &err), 0);

	/* KE, AUTH, ID need data after their 4-byte header. */
	assert_int_equal(decode_bytes(IKE_PL_KE, o, 4, &err), IKE_ESYNTAX);
	assert_int_equal(decode_bytes(IKE_PL_KE, o, 5, &err), 0);
	assert_int_equal(decode_bytes(IKE_PL_AUTH, o, 4, &err), IKE_ESYNTAX);
	o[0] = IKE_ID_IPV4_ADDR;
	assert_int_equal(decode_bytes(IKE_PL_IDI, o, 8, &err), 0);
	assert_int_equal(decode_bytes(IKE_PL_IDI, o, 9, &err), IKE_ESYNTAX);
	o[0] = IKE_ID_IPV6_ADDR;
	assert_int_equal(decode_bytes(IKE_PL_IDI, o, 8, &err), IKE_ESYNTAX);
	o[0] = IKE_ID_FQDN;
	memcpy(o + 4, "a\0b", 3);
	assert_int_equal(decode_bytes(IKE_PL_IDI, o, 7, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "NUL");
	assert_int_equal(decode_bytes(IKE_PL_IDI, o, 4, &err), IKE_ESYNTAX);

	/* Notify: SPI size against protocol and length. */
	memset(o, 0, 16);
	o[0] = IKE_PROTO_ESP;
	o[1] = 4;
	assert_int_equal(decode_bytes(IKE_PL_NOTIFY, o, 8, &err), 0);
	assert_int_equal(decode_bytes(IKE_PL_NOTIFY, o, 7, &err), IKE_ESYNTAX);
	assert_contains(err.msg, "SPI size 4 runs past");
	o[0] = IKE_PROTO_IKE;
	assert_int_equal(decode_bytes(IKE_PL_NOTIFY, o, 8, &err), IKE_ESYNTAX);
	o[1] = 8;
	assert_int_equal(decode_bytes(IKE_PL_NOTIFY, o, 12, &err), 0);
	o[1] = 3;
	assert_int_equal(decode_bytes(IKE_PL_NOTIFY, o, 12, &err), IKE_ESYNTAX);
	assert_int_equal(decode_bytes(IKE_PL_NOTIFY, o, 3, &err), IKE_ESYNTAX);

	/* The wrong decoder for a payload is a caller error. */
	pl = mkpl(IKE_PL_KE, o, 16);
	assert_int_equal(ike_decode_sa(&pl, &sa, &err), IKE_EINVAL);
	assert_contains(err.msg, "is KE, not SA");
}

/* ---- fuzz -------------------------------------------------------------------- */

static uint32_t xorshift32(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* Run every decoder over every payload of C. */
static void decode_all(const struct ike_chain *c)
{
	struct ike_msg_err err;
	unsigned int i;

	for (i = 0; i < c->n; i++) {
		const struct ike_payload *pl = &c->pl[i];
		union {
			struct ike_sa_pl sa;
			struct ike_ke_pl ke;
			struct ike_nonce_pl nonce;
			struct ike_notify_pl n;
			struct ike_id_pl id;
			struct ike_auth_pl auth;
			struct ike_ts_pl ts;
			struct ike_delete_pl d;
			struct ike_vendor_pl v;
		} u;
		int rc = 0;

		switch (pl->type) {
		case IKE_PL_SA:
			rc = ike_decode_sa(pl, &u.sa, &err);
			break;
		case IKE_PL_KE:
			rc = ike_decode_ke(pl, &u.ke, &err);
			break;
		case IKE_PL_NONCE:
			rc = ike_decode_nonce(pl, &u.nonce, &err);
			break;
		case IKE_PL_NOTIFY:
			rc = ike_decode_notify(pl, &u.n, &err);
			break;
		case IKE_PL_IDI:
		case IKE_PL_IDR:
			rc = ike_decode_id(pl, &u.id, &err);
			break;
		case IKE_PL_AUTH:
			rc = ike_decode_auth(pl, &u.auth, &err);
			break;
		case IKE_PL_TSI:
		case IKE_PL_TSR:
			rc = ike_decode_ts(pl, &u.ts, &err);
			break;
		case IKE_PL_DELETE:
			rc = ike_decode_delete(pl, &u.d, &err);
			if (!rc && u.d.n)
				(void)ike_delete_spi(&u.d, u.d.n - 1u);
			break;
		case IKE_PL_VENDOR:
			rc = ike_decode_vendor(pl, &u.v, &err);
			break;
		}
		assert_true(rc == 0 || rc == IKE_ESYNTAX || rc == IKE_ELIMIT);
	}
}

/* Mutate a copy of MSG ROUNDS times; count the parses that succeed. */
static unsigned int fuzz(const uint8_t *msg, size_t len, uint32_t seed, unsigned int rounds)
{
	const size_t slack = 8;
	unsigned int r, ok = 0;
	uint32_t s = seed;

	for (r = 0; r < rounds; r++) {
		uint8_t *c = malloc(len + slack);
		size_t n = len, at;
		unsigned int k, edits = 1 + xorshift32(&s) % 3;
		struct ike_msg_err err;
		struct ike_msg m;

		assert_non_null(c);
		memcpy(c, msg, len);
		memset(c + len, 0xa5, slack);
		for (k = 0; k < edits; k++) {
			at = xorshift32(&s) % n;
			switch (xorshift32(&s) % 6) {
			case 0:		/* bit flip */
				c[at] ^= (uint8_t)(1u << (xorshift32(&s) % 8));
				break;
			case 1:		/* random byte */
				c[at] = (uint8_t)xorshift32(&s);
				break;
			case 2:		/* a 16-bit length field nudged: any offset may be one */
				if (at + 1 < n)
					wr16(c + at, (uint16_t)(rd16(c + at) +
							       (int)(xorshift32(&s) % 9) - 4));
				break;
			case 3:		/* a 16-bit length field set to anything */
				if (at + 1 < n)
					wr16(c + at, (uint16_t)xorshift32(&s));
				break;
			case 4:		/* the datagram shortened or lengthened */
				n = (n + slack) - xorshift32(&s) % (2 * slack);
				if (n > len + slack)
					n = len + slack;
				if (n == 0)
					n = 1;
				break;
			case 5:		/* the header length made to agree with the datagram */
				if (n >= IKE_HDR_LEN)
					wr32(c + 24, (uint32_t)n);
				break;
			}
		}
		/* Exactly N bytes on the heap, so ASan sees any overread. */
		{
			uint8_t *e = dup_exact(c, n);

			if (ike_msg_parse(e, n, &m, &err) == 0) {
				const struct ike_payload *sk = ike_msg_sk(&m);
				struct ike_chain inner;

				ok++;
				decode_all(&m.chain);
				if (sk && !ike_msg_parse_chain(sk->next, sk->body, sk->body_len,
							       &inner, &err))
					decode_all(&inner);
			} else {
				assert_true(err.msg[0] != '\0');
			}
			free(e);
		}
		free(c);
	}
	return ok;
}

static void test_fuzz(void **state)
{
	struct ike_auth a;
	struct sa_init f;
	unsigned int ok;

	(void)state;
	build_sa_init(&f);
	ok = fuzz(f.b.data, f.b.len, 0x5eed1234, 10000);
	print_message("fuzz: %u of 10000 mutated IKE_SA_INIT requests parsed\n", ok);
	/* Both outcomes are exercised, and the seed makes the run repeatable. */
	assert_true(ok > 100 && ok < 9900);
	assert_int_equal(fuzz(f.b.data, f.b.len, 0x5eed1234, 10000), ok);
	/* The SK body is the inner chain in clear, to fuzz its decoders too. */
	build_ike_auth(&a, false);
	ok = fuzz(a.outer.data, a.outer.len, 0xfeedf00d, 10000);
	print_message("fuzz: %u of 10000 mutated IKE_AUTH requests parsed\n", ok);
	assert_true(ok > 100 && ok < 9900);
	free_ike_auth(&a);
	ike_buf_free(&f.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sa_init_roundtrip),
		cmocka_unit_test(test_ike_auth_roundtrip),
		cmocka_unit_test(test_payload_roundtrips),
		cmocka_unit_test(test_sa_roundtrip),
		cmocka_unit_test(test_version_flags),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_length_field_lies),
		cmocka_unit_test(test_payload_length_lies),
		cmocka_unit_test(test_chain_bounds),
		cmocka_unit_test(test_sk_placement),
		cmocka_unit_test(test_unknown_payloads),
		cmocka_unit_test(test_payload_cap),
		cmocka_unit_test(test_sa_malformed),
		cmocka_unit_test(test_sa_attributes),
		cmocka_unit_test(test_sa_capacity),
		cmocka_unit_test(test_ts_malformed),
		cmocka_unit_test(test_delete_malformed),
		cmocka_unit_test(test_small_payloads_malformed),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests_name("msg", tests, NULL, NULL);
}

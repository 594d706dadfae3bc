// SPDX-License-Identifier: GPL-2.0
/*
 * IKE SA core: lifecycle, the caller's table, message transport with
 * message IDs and retransmission (RFC 7296 2.1-2.3), SK protection,
 * timers, INFORMATIONAL (2.4, 1.4) and the administrative triggers. The
 * exchanges live in ike_exchange.c (IKE_SA_INIT, IKE_AUTH, IKE rekey) and
 * ike_child.c (CHILD_SAs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <openssl/crypto.h>

#include "config.h"
#include "ike_sa_priv.h"

/* ---- small helpers --------------------------------------------------------- */

uint64_t ike_get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

void ike_put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

uint32_t ike_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void ike_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void ike_sa_log(struct ike_sa *sa, int level, const char *fmt, ...)
{
	va_list ap;

	if (!sa->ops->log)
		return;
	va_start(ap, fmt);
	sa->ops->log(sa->ctx, sa, level, fmt, ap);
	va_end(ap);
}

void ike_sa_event_emit(struct ike_sa *sa, enum ike_sa_event ev)
{
	if (sa->ops->event)
		sa->ops->event(sa->ctx, sa, ev);
}

void ike_sa_set_state(struct ike_sa *sa, enum ike_sa_state s)
{
	if (sa->state == s)
		return;
	ike_sa_log(sa, LOG_INFO, "%s -> %s", ike_sa_state_name(sa->state),
		   ike_sa_state_name(s));
	sa->state = s;
	ike_sa_event_emit(sa, IKE_SA_EV_STATE);
}

const char *ike_sa_state_name(enum ike_sa_state s)
{
	switch (s) {
	case IKE_SA_IDLE:
		return "IDLE";
	case IKE_SA_INIT_SENT:
		return "INIT_SENT";
	case IKE_SA_AUTH_SENT:
		return "AUTH_SENT";
	case IKE_SA_HALF_OPEN:
		return "HALF_OPEN";
	case IKE_SA_ESTABLISHED:
		return "ESTABLISHED";
	case IKE_SA_DELETING:
		return "DELETING";
	case IKE_SA_CLOSED:
		return "CLOSED";
	}
	return "?";
}

void ike_alg_from_proposal(const struct ike_proposal *p, struct ike_alg *alg)
{
	const struct ike_transform *e = ike_proposal_get(p, IKE_TRANS_ENCR);
	const struct ike_transform *i = ike_proposal_get(p, IKE_TRANS_INTEG);
	const struct ike_transform *f = ike_proposal_get(p, IKE_TRANS_PRF);

	memset(alg, 0, sizeof(*alg));
	if (e) {
		alg->encr = e->id;
		alg->encr_keybits = e->key_len;
	}
	alg->integ = i ? i->id : IKE_INTEG_NONE;
	alg->prf = f ? f->id : 0;
}

uint16_t ike_first_dh(const struct ike_proposal *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct ike_transform *t = ike_proposal_get(&p[i], IKE_TRANS_DH);

		if (t && t->id)
			return t->id;
	}
	return 0;
}

bool ike_dh_offered(const struct ike_proposal *p, unsigned int n, uint16_t group)
{
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = 0; j < p[i].n_transforms; j++)
			if (p[i].t[j].type == IKE_TRANS_DH && p[i].t[j].id == group)
				return group != 0;
	return false;
}

bool ike_find_notify(const struct ike_chain *c, uint16_t type, struct ike_notify_pl *n)
{
	const struct ike_payload *pl = NULL;

	while ((pl = ike_chain_find(c, IKE_PL_NOTIFY, pl)))
		if (!ike_decode_notify(pl, n, NULL) && n->type == type)
			return true;
	return false;
}

uint16_t ike_error_notify(const struct ike_chain *c)
{
	const struct ike_payload *pl = NULL;
	struct ike_notify_pl n;

	while ((pl = ike_chain_find(c, IKE_PL_NOTIFY, pl)))
		if (!ike_decode_notify(pl, &n, NULL) && n.type && n.type < 16384)
			return n.type;
	return 0;
}

/* Nonces compare as big-endian numbers of their bytes; a shorter prefix is lower. */
int ike_nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

bool ike_rekey_redundant(const uint8_t *mine, size_t mine_len, const uint8_t *theirs,
			 size_t theirs_len, bool ike_initiator)
{
	int c = ike_nonce_cmp(mine, mine_len, theirs, theirs_len);

	/* A tie: the exchange the original initiator started survives. */
	return c < 0 || (c == 0 && !ike_initiator);
}

uint16_t ike_invalid_ke_group(const struct ike_chain *c)
{
	struct ike_notify_pl n;

	if (!ike_find_notify(c, IKE_N_INVALID_KE_PAYLOAD, &n) || n.len != 2)
		return 0;
	return (uint16_t)(n.data[0] << 8 | n.data[1]);
}

uint16_t ike_ke_retry_group(struct ike_sa *sa, const char *what,
			    const struct ike_proposal *allowed, unsigned int n,
			    const struct ike_req *req, const struct ike_chain *c)
{
	uint16_t group = ike_invalid_ke_group(c);

	if (!ike_dh_offered(allowed, n, group)) {
		ike_sa_log(sa, LOG_ERR, "%s rekey: the peer wants DH group %u, which the "
			   "configuration does not allow", what, group);
		return 0;
	}
	if (req->ke_retry || (req->dh && group == ike_dh_group(req->dh))) {
		ike_sa_log(sa, LOG_ERR, "%s rekey: the peer wants DH group %u again: giving up",
			   what, group);
		return 0;
	}
	ike_sa_log(sa, LOG_INFO, "%s rekey: the peer wants DH group %u: retrying", what, group);
	return group;
}

void ike_nonce_low(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		   uint8_t *out, size_t *outlen)
{
	if (ike_nonce_cmp(a, alen, b, blen) <= 0) {
		memcpy(out, a, alen);
		*outlen = alen;
	} else {
		memcpy(out, b, blen);
		*outlen = blen;
	}
}

static uint32_t random_below(uint32_t n)
{
	uint32_t r = 0;

	if (!n || ike_random(&r, sizeof(r)))
		return 0;
	return r % n;
}

uint64_t ike_sa_rekey_time(const struct ike_sa *sa, uint64_t now, uint32_t ms)
{
	uint32_t fuzz = sa->p.rekey_fuzz_ms < ms / 2 ? sa->p.rekey_fuzz_ms : ms / 2;

	if (!ms)
		return 0;
	return now + ms - random_below(fuzz + 1);
}

uint64_t ike_sa_rekey_retry(const struct ike_sa *sa, uint64_t now)
{
	uint32_t base = sa->p.retransmit_max_ms ? sa->p.retransmit_max_ms : 1000;

	return now + base + random_below(base);
}

/* ---- instances and requests ---------------------------------------------- */

void ike_req_clear(struct ike_req *req)
{
	free(req->msg);
	ike_dh_free(req->dh);
	OPENSSL_cleanse(req, sizeof(*req));
	req->kind = IKE_REQ_NONE;
	req->child = -1;
}

/* RFC 7296 2.18 and requirement of ours: no key outlives its SA. */
void ike_inst_clear(struct ike_inst *in)
{
	ike_req_clear(&in->req);
	ike_sk_free(in->sk_out);
	ike_sk_free(in->sk_in);
	ike_sa_keys_wipe(&in->keys);
	free(in->resp);
	OPENSSL_cleanse(in, sizeof(*in));
	in->req.child = -1;
}

void ike_inst_drop(struct ike_sa *sa, struct ike_inst *in, uint64_t now)
{
	ike_child_abandon(sa, &in->req, now);
	ike_inst_clear(in);
}

struct ike_inst *ike_sa_pending(struct ike_sa *sa)
{
	for (int i = 0; i < IKE_SA_INSTS; i++)
		if (sa->inst[i].used && sa->inst[i].pending)
			return &sa->inst[i];
	return NULL;
}

int ike_inst_set_keys(struct ike_sa *sa, struct ike_inst *in, const uint8_t *skeyseed,
		      size_t skeyseed_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		      size_t nr_len)
{
	const struct ike_sa_keys *k = &in->keys;
	int rc, rc2;

	rc = ike_sa_keys_derive(&in->alg, skeyseed, skeyseed_len, ni, ni_len, nr, nr_len,
				in->spi_i, in->spi_r, &in->keys);
	if (rc) {
		ike_sa_log(sa, LOG_ERR, "IKE key derivation: %s", ike_crypto_strerror(rc));
		return IKE_SA_EFAIL;
	}
	/* The original initiator sends with SK_ei/SK_ai (RFC 7296 2.14). */
	if (in->initiator) {
		in->sk_out = ike_sk_new(&in->alg, k->sk_ei, k->sz.encr_key, k->sk_ai,
					k->sz.integ_key, &rc);
		in->sk_in = ike_sk_new(&in->alg, k->sk_er, k->sz.encr_key, k->sk_ar,
				       k->sz.integ_key, &rc2);
	} else {
		in->sk_out = ike_sk_new(&in->alg, k->sk_er, k->sz.encr_key, k->sk_ar,
					k->sz.integ_key, &rc);
		in->sk_in = ike_sk_new(&in->alg, k->sk_ei, k->sz.encr_key, k->sk_ai,
				       k->sz.integ_key, &rc2);
	}
	if (!in->sk_out || !in->sk_in) {
		ike_sa_log(sa, LOG_ERR, "SK setup: %s", ike_crypto_strerror(rc ? rc : rc2));
		return IKE_SA_EFAIL;
	}
	return 0;
}

/* ---- sending --------------------------------------------------------------- */

int ike_sa_send_raw(struct ike_sa *sa, const uint8_t *msg, size_t len)
{
	int rc = sa->ops->send(sa->ctx, sa, msg, len, (const struct sockaddr *)&sa->local,
			       (const struct sockaddr *)&sa->remote);

	/* A lost send is a lost packet: retransmission deals with it. */
	if (rc)
		ike_sa_log(sa, LOG_DEBUG, "send failed (%d)", rc);
	return 0;
}

/* HDR | SK{INNER} (RFC 7296 3.14) in OUT. */
static int build_encrypted(struct ike_sa *sa, struct ike_inst *in, uint8_t exchange,
			   bool response, uint32_t id, struct ike_buf *inner, struct ike_buf *out)
{
	struct ike_hdr h = {
		.spi_i = ike_get64(in->spi_i),
		.spi_r = ike_get64(in->spi_r),
		.exchange = exchange,
		.flags = (uint8_t)((in->initiator ? IKE_FLAG_INITIATOR : 0) |
				   (response ? IKE_FLAG_RESPONSE : 0)),
		.msg_id = id,
	};
	uint8_t *body;
	int rc;

	ike_buf_init(out);
	if (inner->error || !in->sk_out)
		return IKE_SA_EFAIL;
	ike_build_msg(out, &h);
	body = ike_add_sk(out, inner->first, NULL, ike_sk_body_len(in->sk_out, inner->len));
	if (!body || ike_build_finish(out)) {
		ike_buf_free(out);
		return IKE_SA_EFAIL;
	}
	rc = ike_sk_encrypt(in->sk_out, out->data, out->len, (size_t)(body - out->data),
			    inner->data, inner->len);
	if (rc) {
		ike_sa_log(sa, LOG_ERR, "encrypting %s: %s", ike_exchange_name(exchange),
			   ike_crypto_strerror(rc));
		ike_buf_free(out);
		return IKE_SA_EFAIL;
	}
	return 0;
}

static bool sa_up(const struct ike_sa *sa)
{
	return sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_DELETING;
}

int ike_sa_start_request(struct ike_sa *sa, struct ike_inst *in, struct ike_req *req,
			 uint64_t now)
{
	/* An established SA whose requests go unanswered is dead (DPD, RFC 7296 2.4). */
	uint32_t limit = sa_up(sa) ? sa->p.dpd_timeout_ms : sa->p.setup_timeout_ms;

	ike_req_clear(&in->req);
	req->tries = 0;
	req->deadline = now + limit;
	req->next_retx = now + sa->p.retransmit_base_ms;
	if (req->next_retx > req->deadline)
		req->next_retx = req->deadline;
	in->req = *req;
	memset(req, 0, sizeof(*req));
	req->child = -1;
	return ike_sa_send_raw(sa, in->req.msg, in->req.len);
}

int ike_sa_send_request(struct ike_sa *sa, struct ike_inst *in, uint8_t exchange,
			struct ike_buf *inner, struct ike_req *req, uint64_t now)
{
	struct ike_buf out;
	int rc;

	if (in->req.kind != IKE_REQ_NONE)
		return IKE_SA_EBUSY;
	rc = build_encrypted(sa, in, exchange, false, in->next_req_id, inner, &out);
	if (rc)
		return rc;
	req->id = in->next_req_id++;
	req->exchange = exchange;
	req->msg = out.data;
	req->len = out.len;
	return ike_sa_start_request(sa, in, req, now);
}

int ike_sa_send_response(struct ike_sa *sa, struct ike_inst *in, uint8_t exchange,
			 uint32_t id, struct ike_buf *inner)
{
	struct ike_buf out;
	int rc;

	rc = build_encrypted(sa, in, exchange, true, id, inner, &out);
	if (rc)
		return rc;
	/* Kept for retransmitted requests (RFC 7296 2.1). */
	free(in->resp);
	in->resp = out.data;
	in->resp_len = out.len;
	in->resp_id = id;
	in->has_resp = true;
	return ike_sa_send_raw(sa, in->resp, in->resp_len);
}

int ike_sa_send_notify_response(struct ike_sa *sa, struct ike_inst *in, uint8_t exchange,
				uint32_t id, uint16_t type, const uint8_t *data, size_t len)
{
	struct ike_notify_pl n = { .type = type, .data = data, .len = len };
	struct ike_buf b;
	int rc;

	ike_buf_init(&b);
	ike_build_chain(&b);
	ike_add_notify(&b, &n);
	rc = ike_sa_send_response(sa, in, exchange, id, &b);
	ike_buf_free(&b);
	return rc;
}

/* ---- lifecycle ----------------------------------------------------------- */

void ike_sa_params_default(struct ike_sa_params *p)
{
	memset(p, 0, sizeof(*p));
	p->retransmit_base_ms = 1000;
	p->retransmit_max_ms = 16000;
	p->setup_timeout_ms = 31000;	/* 1 + 2 + 4 + 8 + 16 s */
	p->dpd_timeout_ms = 40000;	/* AWS's default */
	p->child_grace_ms = 5000;
	p->initial_contact = true;
}

struct ike_sa *ike_sa_new(struct ike_sa_table *t, const struct ike_sa_params *p,
			  const struct ike_sa_ops *ops, void *ctx)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));

	if (!sa)
		return NULL;
	sa->table = t;
	sa->ops = ops;
	sa->ctx = ctx;
	sa->p = *p;
	sa->local = p->local;
	sa->remote = p->remote;
	for (int i = 0; i < IKE_SA_INSTS; i++)
		sa->inst[i].req.child = -1;
	for (int i = 0; i < IKE_SA_MAX_CHILDREN; i++)
		sa->child[i].successor = -1;
	if (t) {
		sa->next = t->head;
		t->head = sa;
	}
	return sa;
}

/* What only IKE_SA_INIT and IKE_AUTH need. */
void ike_sa_setup_clear(struct ike_sa *sa)
{
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	free(sa->init_req);
	free(sa->init_resp);
	sa->init_req = sa->init_resp = NULL;
	sa->init_req_len = sa->init_resp_len = 0;
	OPENSSL_cleanse(sa->ni, sizeof(sa->ni));
	OPENSSL_cleanse(sa->nr, sizeof(sa->nr));
}

void ike_sa_close(struct ike_sa *sa, enum ike_sa_fail why)
{
	if (sa->state == IKE_SA_CLOSED)
		return;
	ike_child_remove_all(sa);
	for (int i = 0; i < IKE_SA_INSTS; i++)
		ike_inst_clear(&sa->inst[i]);
	ike_sa_setup_clear(sa);
	sa->fail = why;
	if (why == IKE_SA_FAIL_PEER_DEAD)
		ike_sa_event_emit(sa, IKE_SA_EV_PEER_DEAD);
	ike_sa_set_state(sa, IKE_SA_CLOSED);
}

void ike_sa_free(struct ike_sa *sa)
{
	struct ike_sa **pp;

	if (!sa)
		return;
	if (sa->table)
		for (pp = &sa->table->head; *pp; pp = &(*pp)->next)
			if (*pp == sa) {
				*pp = sa->next;
				break;
			}
	/* Like ike_sa_close(): no CHILD_SA outlives its IKE SA in the kernel. */
	ike_child_remove_all(sa);
	for (int i = 0; i < IKE_SA_INSTS; i++)
		ike_inst_clear(&sa->inst[i]);
	ike_sa_setup_clear(sa);
	for (int i = 0; i < IKE_SA_MAX_CHILDREN; i++)
		OPENSSL_cleanse(&sa->child[i], sizeof(sa->child[i]));
	OPENSSL_clear_free(sa, sizeof(*sa));
}

struct ike_sa *ike_sa_initiate(struct ike_sa_table *t, const struct ike_sa_params *p,
			       const struct ike_sa_ops *ops, void *ctx, uint64_t now)
{
	struct ike_sa *sa;

	if (!p || !ops || !ops->send || !p->n_ike || p->n_ike > IKE_SA_MAX_PROPOSALS ||
	    p->n_esp > IKE_SA_MAX_PROPOSALS || p->psk_len > IKE_SA_PSK_MAX)
		return NULL;
	sa = ike_sa_new(t, p, ops, ctx);
	if (!sa)
		return NULL;
	if (ike_init_start(sa, now)) {
		ike_sa_free(sa);
		return NULL;
	}
	return sa;
}

int ike_sa_table_init(struct ike_sa_table *t)
{
	memset(t, 0, sizeof(*t));
	t->cookie_threshold = IKE_SA_COOKIE_NEVER;
	t->cookie_per_source = IKE_SA_COOKIE_NEVER;
	t->half_open_max = IKE_SA_COOKIE_NEVER;
	t->cookie_version = 1;
	return ike_random(t->cookie_secret, sizeof(t->cookie_secret)) ? IKE_SA_EFAIL : 0;
}

void ike_sa_table_wipe(struct ike_sa_table *t)
{
	OPENSSL_cleanse(t->cookie_secret, sizeof(t->cookie_secret));
	OPENSSL_cleanse(t->cookie_prev, sizeof(t->cookie_prev));
}

unsigned int ike_sa_table_half_open(const struct ike_sa_table *t)
{
	unsigned int n = 0;

	for (const struct ike_sa *sa = t->head; sa; sa = sa->next)
		n += sa->state == IKE_SA_HALF_OPEN;
	return n;
}

unsigned int ike_sa_table_count(const struct ike_sa_table *t)
{
	unsigned int n = 0;

	for (const struct ike_sa *sa = t->head; sa; sa = sa->next)
		n++;
	return n;
}

/*
 * The instance of SA a header names. The I flag says which SPI is ours
 * (RFC 7296 3.1); the responder's SPI is still zero in IKE_SA_INIT
 * requests and in the error responses to them.
 */
static struct ike_inst *match_inst(struct ike_sa *sa, uint64_t spi_i, uint64_t spi_r,
				   uint8_t exchange, uint8_t flags)
{
	for (int i = 0; i < IKE_SA_INSTS; i++) {
		struct ike_inst *in = &sa->inst[i];
		uint64_t my_r = ike_get64(in->spi_r);

		if (!in->used || ike_get64(in->spi_i) != spi_i)
			continue;
		if (flags & IKE_FLAG_INITIATOR) {
			if (in->initiator)
				continue;
			if (spi_r == my_r || (spi_r == 0 && exchange == IKE_SA_INIT))
				return in;
		} else {
			if (!in->initiator)
				continue;
			if (spi_r == my_r || my_r == 0 || (spi_r == 0 && exchange == IKE_SA_INIT))
				return in;
		}
	}
	return NULL;
}

struct ike_sa *ike_sa_lookup(struct ike_sa_table *t, const uint8_t *msg, size_t len,
			     const struct sockaddr *from)
{
	(void)from;	/* SPIs suffice: ours are random, and 2.23 lets the peer move */
	if (!t || !msg || len < IKE_HDR_LEN)
		return NULL;
	for (struct ike_sa *sa = t->head; sa; sa = sa->next)
		if (sa->state != IKE_SA_CLOSED &&
		    match_inst(sa, ike_get64(msg), ike_get64(msg + 8), msg[18], msg[19]))
			return sa;
	return NULL;
}

int ike_sa_accept(struct ike_sa_table *t, const struct ike_sa_params *p,
		  const struct ike_sa_ops *ops, void *ctx, const uint8_t *msg, size_t len,
		  const struct sockaddr *from, const struct sockaddr *to, uint64_t now,
		  struct ike_sa **out)
{
	struct ike_msg m;

	if (out)
		*out = NULL;
	if (!t || !p || !ops || !ops->send || !msg || !from || !to || !out ||
	    !p->n_ike || p->n_ike > IKE_SA_MAX_PROPOSALS || p->n_esp > IKE_SA_MAX_PROPOSALS ||
	    p->psk_len > IKE_SA_PSK_MAX)
		return IKE_SA_EDROP;
	if (ike_msg_parse(msg, len, &m, NULL))
		return IKE_SA_EDROP;
	/* Only a new IKE_SA_INIT request may create state (RFC 7296 2.1, 2.6). */
	if (m.hdr.exchange != IKE_SA_INIT || (m.hdr.flags & IKE_FLAG_RESPONSE) ||
	    !(m.hdr.flags & IKE_FLAG_INITIATOR) || m.hdr.msg_id != 0 || m.hdr.spi_r != 0 ||
	    m.hdr.spi_i == 0)
		return IKE_SA_EDROP;
	return ike_init_accept(t, p, ops, ctx, &m, from, to, now, out);
}

/* ---- receiving ------------------------------------------------------------- */

/*
 * Decrypt M's SK payload and parse the inner chain into C, whose payloads
 * point into *PLAIN (the caller's to free). IKE_SA_EDROP if it does not
 * authenticate (ignored, RFC 7296 2.21); 1 if authentic but malformed
 * (ERR says how); 0 if fine.
 */
static int decrypt(struct ike_sa *sa, struct ike_inst *in, const struct ike_msg *m,
		   uint8_t **plain, size_t *plain_len, struct ike_chain *c,
		   struct ike_msg_err *err)
{
	const struct ike_payload *sk = ike_msg_sk(m);
	size_t len = m->raw_len;
	uint8_t *buf;
	int rc;

	*plain = NULL;
	if (!sk || sk->type != IKE_PL_SK || !in->sk_in) {
		ike_sa_log(sa, LOG_DEBUG, "%s without SK payload dropped",
			   ike_exchange_name(m->hdr.exchange));
		return IKE_SA_EDROP;
	}
	buf = malloc(len);
	if (!buf)
		return IKE_SA_EDROP;
	rc = ike_sk_decrypt(in->sk_in, m->raw, m->raw_len, (size_t)(sk->body - m->raw), buf,
			    &len);
	if (rc) {
		ike_sa_log(sa, LOG_DEBUG, "%s dropped: %s", ike_exchange_name(m->hdr.exchange),
			   ike_crypto_strerror(rc));
		free(buf);
		return IKE_SA_EDROP;
	}
	*plain = buf;
	*plain_len = len;
	if (ike_msg_parse_chain(sk->next, buf, len, c, err)) {
		ike_sa_log(sa, LOG_WARNING, "malformed %s: %s",
			   ike_exchange_name(m->hdr.exchange), err->msg);
		return 1;
	}
	return 0;
}

static int informational_request(struct ike_sa *sa, struct ike_inst *in, uint32_t id,
				 const struct ike_chain *c, uint64_t now)
{
	const struct ike_payload *pl = NULL;
	struct ike_delete_pl d;
	struct ike_buf b;
	bool del_ike = false;
	uint16_t error;
	int rc;

	while ((pl = ike_chain_find(c, IKE_PL_DELETE, pl))) {
		if (ike_decode_delete(pl, &d, NULL))
			return ike_sa_send_notify_response(sa, in, IKE_INFORMATIONAL, id,
							   IKE_N_INVALID_SYNTAX, NULL, 0);
		if (d.protocol == IKE_PROTO_IKE)
			del_ike = true;
	}
	error = ike_error_notify(c);
	if (error)
		ike_sa_log(sa, LOG_WARNING, "peer reports error %u", error);
	/*
	 * RFC 7296 2.4: an empty INFORMATIONAL request checks liveness; the
	 * peer has not heard from us for a while. Whether that says something
	 * about our own path to it is the caller's to judge.
	 */
	if (c->n == 0 && sa->state == IKE_SA_ESTABLISHED)
		ike_sa_event_emit(sa, IKE_SA_EV_PEER_PROBE);

	ike_buf_init(&b);
	ike_build_chain(&b);
	/*
	 * RFC 7296 1.4.1: DELETE of the IKE SA takes its children; answer
	 * empty. The CHILD_SAs belong to every instance of the IKE SA: a
	 * DELETE sent over the old one before a rekey counts all the same.
	 */
	if (!del_ike)
		ike_child_delete_request(sa, c, &b, now);
	rc = ike_sa_send_response(sa, in, IKE_INFORMATIONAL, id, &b);
	ike_buf_free(&b);

	if (del_ike && in == CUR(sa) && ike_sa_pending(sa)) {
		/*
		 * 2.8.2: the peer finished its rekey without seeing ours, and
		 * deletes the old IKE SA: its new one takes over, ours is dropped.
		 */
		struct ike_inst *nw = ike_sa_pending(sa);

		ike_sa_log(sa, LOG_INFO, "IKE rekey collision: the peer's rekey completed first");
		nw->pending = false;
		ike_sa_switch_inst(sa, (int)(nw - sa->inst), now);
		ike_inst_drop(sa, in, now);
	} else if (del_ike) {
		ike_sa_log(sa, LOG_INFO, "peer deleted the %sIKE SA", in == CUR(sa) ? "" : "old ");
		if (in == CUR(sa))
			ike_sa_close(sa, IKE_SA_FAIL_DELETED);
		else
			ike_inst_drop(sa, in, now);
	} else if (error == IKE_N_AUTHENTICATION_FAILED && sa->state != IKE_SA_ESTABLISHED) {
		ike_sa_close(sa, IKE_SA_FAIL_AUTH);
	}
	return rc;
}

static int create_child_request(struct ike_sa *sa, struct ike_inst *in, uint32_t id,
				const struct ike_chain *c, uint64_t now)
{
	const struct ike_payload *pl = ike_chain_find(c, IKE_PL_SA, NULL);
	struct ike_notify_pl rekey;
	uint8_t proto = 0;

	/* Peek at the first proposal's protocol: IKE means an IKE rekey (1.3.2). */
	if (pl && pl->body_len >= IKE_PROPOSAL_HDR_LEN)
		proto = pl->body[5];
	/* 2.25.2: an IKE SA we are closing (or have rekeyed) is not rekeyed. */
	if (in != CUR(sa) || sa->state != IKE_SA_ESTABLISHED)
		return ike_sa_send_notify_response(sa, in, IKE_CREATE_CHILD_SA, id,
						   IKE_N_TEMPORARY_FAILURE, NULL, 0);
	if (proto == IKE_PROTO_IKE)
		return ike_rekey_ike_request(sa, in, id, c, now);
	/*
	 * 2.25.2: while the IKE SA is being rekeyed a CHILD_SA may be refused
	 * with TEMPORARY_FAILURE: its keys would come from an SK_d about to go.
	 */
	if (in->req.kind == IKE_REQ_REKEY_IKE || ike_sa_pending(sa)) {
		ike_sa_log(sa, LOG_INFO, "CREATE_CHILD_SA during our IKE rekey: TEMPORARY_FAILURE");
		return ike_sa_send_notify_response(sa, in, IKE_CREATE_CHILD_SA, id,
						   IKE_N_TEMPORARY_FAILURE, NULL, 0);
	}
	if (ike_find_notify(c, IKE_N_REKEY_SA, &rekey))
		return ike_child_rekey_request(sa, in, id, c, &rekey, now);
	/* A route-based tunnel has one CHILD_SA pair: no additional ones (1.3.1). */
	return ike_sa_send_notify_response(sa, in, IKE_CREATE_CHILD_SA, id,
					   IKE_N_NO_ADDITIONAL_SAS, NULL, 0);
}

static int handle_request(struct ike_sa *sa, struct ike_inst *in, const struct ike_msg *m,
			  const struct ike_chain *c, bool malformed,
			  const struct ike_msg_err *err, uint64_t now)
{
	uint32_t id = m->hdr.msg_id;

	/* RFC 7296 2.1: a retransmitted request gets the same response again. */
	if (in->has_resp && id == in->resp_id && id + 1 == in->peer_next_id) {
		ike_sa_log(sa, LOG_DEBUG, "retransmitted request %u: resending response", id);
		return ike_sa_send_raw(sa, in->resp, in->resp_len);
	}
	/* 2.3: outside the window (of 1): drop. */
	if (id != in->peer_next_id) {
		ike_sa_log(sa, LOG_DEBUG, "request %u outside the window (%u) dropped", id,
			   in->peer_next_id);
		return IKE_SA_EDROP;
	}
	in->peer_next_id++;

	if (malformed) {
		uint16_t notify = err->notify ? err->notify : IKE_N_INVALID_SYNTAX;
		uint8_t type = err->payload_type;
		int rc;

		/* 2.21.2, 3.10.1: INVALID_SYNTAX, or the unsupported critical payload. */
		rc = ike_sa_send_notify_response(sa, in, m->hdr.exchange, id, notify, &type,
						 notify == IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);
		if (m->hdr.exchange == IKE_AUTH && sa->state == IKE_SA_HALF_OPEN)
			ike_sa_close(sa, IKE_SA_FAIL_PROTOCOL);
		return rc;
	}

	switch (m->hdr.exchange) {
	case IKE_AUTH:
		if (in == CUR(sa) && !in->initiator && sa->state == IKE_SA_HALF_OPEN)
			return ike_auth_request(sa, in, id, c, now);
		break;
	case IKE_CREATE_CHILD_SA:
		if (sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_DELETING)
			return create_child_request(sa, in, id, c, now);
		break;
	case IKE_INFORMATIONAL:
		if (sa->state != IKE_SA_HALF_OPEN)
			return informational_request(sa, in, id, c, now);
		break;
	}
	ike_sa_log(sa, LOG_WARNING, "%s request unexpected in state %s",
		   ike_exchange_name(m->hdr.exchange), ike_sa_state_name(sa->state));
	return ike_sa_send_notify_response(sa, in, m->hdr.exchange, id, IKE_N_INVALID_SYNTAX,
					   NULL, 0);
}

static int handle_response(struct ike_sa *sa, struct ike_inst *in, const struct ike_msg *m,
			   const struct ike_chain *c, bool malformed, uint64_t now)
{
	struct ike_req req;

	/* 2.3: a response must match our outstanding request. */
	if (in->req.kind == IKE_REQ_NONE || m->hdr.msg_id != in->req.id ||
	    m->hdr.exchange != in->req.exchange) {
		ike_sa_log(sa, LOG_DEBUG, "unexpected response %u dropped", m->hdr.msg_id);
		return IKE_SA_EDROP;
	}
	/* Take the request over: its handler may start the next one. */
	req = in->req;
	memset(&in->req, 0, sizeof(in->req));
	in->req.kind = IKE_REQ_NONE;
	in->req.child = -1;

	if (malformed) {
		if (req.kind == IKE_REQ_AUTH)
			ike_sa_close(sa, IKE_SA_FAIL_PROTOCOL);
		else if (req.kind == IKE_REQ_DELETE_IKE)
			in == CUR(sa) ? ike_sa_close(sa, IKE_SA_FAIL_NONE) : ike_inst_clear(in);
		else if (req.kind == IKE_REQ_DELETE_CHILD)
			ike_child_delete_response(sa, &req, now);	/* answered, if badly */
		else
			ike_child_abandon(sa, &req, now);
		if (req.kind == IKE_REQ_REKEY_IKE && sa->p.ike_rekey_ms)
			sa->ike_rekey_at = ike_sa_rekey_retry(sa, now);
		ike_req_clear(&req);
		return 0;
	}

	switch (req.kind) {
	case IKE_REQ_AUTH:
		ike_auth_response(sa, in, c, now);
		break;
	case IKE_REQ_DPD:
		ike_sa_log(sa, LOG_DEBUG, "peer alive");
		break;
	case IKE_REQ_DELETE_IKE:
		if (in == CUR(sa))
			ike_sa_close(sa, IKE_SA_FAIL_NONE);
		else
			ike_inst_clear(in);
		break;
	case IKE_REQ_DELETE_CHILD:
		ike_child_delete_response(sa, &req, now);
		break;
	case IKE_REQ_REKEY_CHILD:
		ike_child_rekey_response(sa, in, &req, c, now);
		break;
	case IKE_REQ_REKEY_IKE:
		ike_rekey_ike_response(sa, in, &req, c, now);
		break;
	default:
		break;
	}
	ike_req_clear(&req);
	return 0;
}

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr *b)
{
	if (a->ss_family != b->sa_family)
		return false;
	if (b->sa_family == AF_INET)
		return !memcmp(a, b, sizeof(struct sockaddr_in));
	if (b->sa_family == AF_INET6)
		return !memcmp(a, b, sizeof(struct sockaddr_in6));
	return false;
}

static void copy_addr(struct sockaddr_storage *dst, const struct sockaddr *src)
{
	if (src->sa_family == AF_INET)
		memcpy(dst, src, sizeof(struct sockaddr_in));
	else if (src->sa_family == AF_INET6)
		memcpy(dst, src, sizeof(struct sockaddr_in6));
}

/*
 * H, of an authentic message, is new: the request the window expects, or
 * the response to our outstanding request. Not a retransmission, nor an
 * old message replayed.
 */
static bool in_window(const struct ike_inst *in, const struct ike_hdr *h)
{
	if (h->flags & IKE_FLAG_RESPONSE)
		return in->req.kind != IKE_REQ_NONE && h->msg_id == in->req.id &&
		       h->exchange == in->req.exchange;
	return h->msg_id == in->peer_next_id;
}

/*
 * RFC 7296 2.23: follow the peer if it moved (NAT), on an authentic, new,
 * in-window message only, so that a replayed one moves nothing.
 */
static void follow_peer(struct ike_sa *sa, const struct sockaddr *from,
			const struct sockaddr *to)
{
	if (same_addr(&sa->remote, from))
		return;
	copy_addr(&sa->remote, from);
	if (to)
		copy_addr(&sa->local, to);
}

int ike_sa_receive(struct ike_sa *sa, const uint8_t *msg, size_t len,
		   const struct sockaddr *from, const struct sockaddr *to, uint64_t now)
{
	struct ike_msg_err err = { 0 };
	struct ike_chain *c;
	struct ike_inst *in;
	struct ike_msg m;
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	int rc;

	if (!sa || !msg || sa->state == IKE_SA_CLOSED)
		return IKE_SA_EDROP;
	if (ike_msg_parse(msg, len, &m, &err)) {
		ike_sa_log(sa, LOG_DEBUG, "unparsable message dropped: %s", err.msg);
		return IKE_SA_EDROP;
	}
	in = match_inst(sa, m.hdr.spi_i, m.hdr.spi_r, m.hdr.exchange, m.hdr.flags);
	if (!in)
		return IKE_SA_EDROP;
	if (m.hdr.exchange == IKE_SA_INIT)
		return ike_init_receive(sa, in, &m, now);

	c = malloc(sizeof(*c));
	if (!c)
		return IKE_SA_EDROP;
	rc = decrypt(sa, in, &m, &plain, &plain_len, c, &err);
	if (rc >= 0) {
		if (from && in_window(in, &m.hdr))
			follow_peer(sa, from, to);
		if (m.hdr.flags & IKE_FLAG_RESPONSE)
			rc = handle_response(sa, in, &m, c, rc == 1, now);
		else
			rc = handle_request(sa, in, &m, c, rc == 1, &err, now);
	}
	/* A DELETE that waited for the window, now free, or for a new IKE SA. */
	if (sa->state != IKE_SA_CLOSED)
		ike_child_send_queued(sa, now);
	if (plain) {
		OPENSSL_cleanse(plain, plain_len);
		free(plain);
	}
	free(c);
	return rc;
}

/* ---- timers ------------------------------------------------------------------ */

static void give_up(struct ike_sa *sa, struct ike_inst *in, uint64_t now)
{
	enum ike_req_kind kind = in->req.kind;

	if (in != CUR(sa)) {
		ike_sa_log(sa, LOG_INFO, "old IKE SA unanswered: dropped");
		ike_inst_drop(sa, in, now);
		return;
	}
	ike_req_clear(&in->req);
	switch (sa->state) {
	case IKE_SA_ESTABLISHED:
		ike_sa_log(sa, LOG_WARNING, "peer dead: no answer for %u ms",
			   sa->p.dpd_timeout_ms);
		ike_sa_close(sa, IKE_SA_FAIL_PEER_DEAD);
		break;
	case IKE_SA_DELETING:
		ike_sa_close(sa, IKE_SA_FAIL_NONE);
		break;
	default:
		ike_sa_log(sa, LOG_WARNING, "no answer to %s",
			   kind == IKE_REQ_INIT ? "IKE_SA_INIT" : "IKE_AUTH");
		ike_sa_close(sa, IKE_SA_FAIL_TIMEOUT);
		break;
	}
}

static void retransmit(struct ike_sa *sa, struct ike_inst *in, uint64_t now)
{
	struct ike_req *req = &in->req;
	uint64_t step;

	if (now >= req->deadline) {
		give_up(sa, in, now);
		return;
	}
	/* Exponential backoff, 1, 2, 4 ... s, capped (RFC 7296 2.1). */
	req->tries++;
	step = (uint64_t)sa->p.retransmit_base_ms << (req->tries < 20 ? req->tries : 20);
	if (sa->p.retransmit_max_ms && step > sa->p.retransmit_max_ms)
		step = sa->p.retransmit_max_ms;
	req->next_retx = now + step;
	if (req->next_retx > req->deadline)
		req->next_retx = req->deadline;
	ike_sa_log(sa, LOG_DEBUG, "retransmitting request %u (try %u)", req->id, req->tries);
	ike_sa_send_raw(sa, req->msg, req->len);
}

void ike_sa_timer(struct ike_sa *sa, uint64_t now)
{
	if (!sa || sa->state == IKE_SA_CLOSED)
		return;
	for (int i = 0; i < IKE_SA_INSTS; i++) {
		struct ike_inst *in = &sa->inst[i];

		if (!in->used)
			continue;
		if (in != CUR(sa) && in->expire_at && now >= in->expire_at) {
			ike_inst_drop(sa, in, now);
			continue;
		}
		if (in->req.kind != IKE_REQ_NONE && now >= in->req.next_retx)
			retransmit(sa, in, now);
		if (sa->state == IKE_SA_CLOSED)
			return;
	}
	if (sa->state == IKE_SA_HALF_OPEN && now >= sa->half_open_deadline) {
		ike_sa_log(sa, LOG_INFO, "half-open SA timed out");
		ike_sa_close(sa, IKE_SA_FAIL_TIMEOUT);
		return;
	}
	ike_child_timer(sa, now);
	if (sa->state != IKE_SA_ESTABLISHED)
		return;
	ike_child_send_queued(sa, now);
	/* Window size 1: a rekey waits for the outstanding request. */
	if (sa->ike_rekey_at && now >= sa->ike_rekey_at) {
		/* Rescheduled when the rekey completes or fails. */
		sa->ike_rekey_at = ike_sa_rekey_ike(sa, now) ? ike_sa_rekey_retry(sa, now) : 0;
	} else if (sa->child_rekey_at && now >= sa->child_rekey_at) {
		int rc = ike_sa_rekey_child(sa, 0, now);

		/* No CHILD_SA left to rekey: nothing to retry. */
		sa->child_rekey_at = rc && rc != IKE_SA_ENOENT ? ike_sa_rekey_retry(sa, now) : 0;
	}
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t ike_sa_next_timer(const struct ike_sa *sa)
{
	uint64_t t = IKE_SA_NEVER;

	if (!sa || sa->state == IKE_SA_CLOSED)
		return t;
	for (int i = 0; i < IKE_SA_INSTS; i++) {
		const struct ike_inst *in = &sa->inst[i];

		if (!in->used)
			continue;
		if (in->req.kind != IKE_REQ_NONE)
			t = min64(t, in->req.next_retx);
		if (i != sa->cur && in->expire_at)
			t = min64(t, in->expire_at);
	}
	if (sa->state == IKE_SA_HALF_OPEN)
		t = min64(t, sa->half_open_deadline);
	t = min64(t, ike_child_next_timer(sa));
	if (sa->state == IKE_SA_ESTABLISHED) {
		if (sa->ike_rekey_at)
			t = min64(t, sa->ike_rekey_at);
		if (sa->child_rekey_at)
			t = min64(t, sa->child_rekey_at);
	}
	return t;
}

/* ---- triggers and accessors ------------------------------------------------ */

int ike_sa_dpd(struct ike_sa *sa, uint64_t now)
{
	struct ike_req req = { .kind = IKE_REQ_DPD, .child = -1 };
	struct ike_buf b;
	int rc;

	if (!sa || sa->state != IKE_SA_ESTABLISHED)
		return IKE_SA_ESTATE;
	/* An outstanding request already tests liveness (RFC 7296 2.4). */
	if (CUR(sa)->req.kind != IKE_REQ_NONE)
		return 0;
	ike_buf_init(&b);
	ike_build_chain(&b);
	rc = ike_sa_send_request(sa, CUR(sa), IKE_INFORMATIONAL, &b, &req, now);
	ike_buf_free(&b);
	return rc;
}

int ike_inst_send_delete(struct ike_sa *sa, struct ike_inst *in, uint64_t now)
{
	struct ike_req req = { .kind = IKE_REQ_DELETE_IKE, .child = -1 };
	struct ike_delete_pl d = { .protocol = IKE_PROTO_IKE };
	struct ike_buf b;
	int rc;

	ike_buf_init(&b);
	ike_build_chain(&b);
	ike_add_delete(&b, &d);
	rc = ike_sa_send_request(sa, in, IKE_INFORMATIONAL, &b, &req, now);
	ike_buf_free(&b);
	return rc;
}

int ike_sa_delete(struct ike_sa *sa, uint64_t now)
{
	int rc;

	if (!sa || sa->state == IKE_SA_CLOSED || sa->state == IKE_SA_DELETING)
		return IKE_SA_ESTATE;
	if (sa->state != IKE_SA_ESTABLISHED) {
		/* Nothing authenticated to tell yet. */
		ike_sa_close(sa, IKE_SA_FAIL_NONE);
		return 0;
	}
	if (CUR(sa)->req.kind != IKE_REQ_NONE)
		return IKE_SA_EBUSY;
	rc = ike_inst_send_delete(sa, CUR(sa), now);
	if (rc)
		return rc;
	/* Deleting the IKE SA deletes its CHILD_SAs (RFC 7296 1.4.1). */
	ike_child_remove_all(sa);
	ike_sa_set_state(sa, IKE_SA_DELETING);
	return 0;
}

void ike_sa_replace(struct ike_sa *sa, uint64_t now)
{
	if (!sa || sa->state == IKE_SA_CLOSED)
		return;
	ike_sa_log(sa, LOG_NOTICE, "replaced by a newer authenticated IKE SA of the peer");
	if (sa->state == IKE_SA_ESTABLISHED && CUR(sa)->req.kind == IKE_REQ_NONE)
		ike_inst_send_delete(sa, CUR(sa), now);
	ike_sa_close(sa, IKE_SA_FAIL_REPLACED);
}

void ike_sa_shutdown(struct ike_sa *sa, uint64_t now)
{
	if (!sa || sa->state == IKE_SA_CLOSED)
		return;
	if (sa->state == IKE_SA_DELETING) {
		ike_child_remove_all(sa);
		return;
	}
	if (sa->state == IKE_SA_ESTABLISHED && !ike_sa_delete(sa, now))
		return;
	ike_sa_close(sa, IKE_SA_FAIL_NONE);
}

int ike_sa_rekey_child(struct ike_sa *sa, uint32_t spi_in, uint64_t now)
{
	if (!sa || sa->state != IKE_SA_ESTABLISHED)
		return IKE_SA_ESTATE;
	if (CUR(sa)->req.kind != IKE_REQ_NONE)
		return IKE_SA_EBUSY;
	return ike_child_rekey_start(sa, spi_in, now);
}

int ike_sa_delete_child(struct ike_sa *sa, uint32_t spi_in, uint64_t now)
{
	if (!sa || sa->state != IKE_SA_ESTABLISHED)
		return IKE_SA_ESTATE;
	if (CUR(sa)->req.kind != IKE_REQ_NONE)
		return IKE_SA_EBUSY;
	return ike_child_delete_start(sa, spi_in, now);
}

int ike_sa_rekey_ike(struct ike_sa *sa, uint64_t now)
{
	if (!sa || sa->state != IKE_SA_ESTABLISHED)
		return IKE_SA_ESTATE;
	if (CUR(sa)->req.kind != IKE_REQ_NONE)
		return IKE_SA_EBUSY;
	/* One rekey at a time: the last one's old IKE SA must be gone. */
	for (int i = 0; i < IKE_SA_INSTS; i++)
		if (i != sa->cur && sa->inst[i].used)
			return IKE_SA_EBUSY;
	return ike_rekey_ike_start(sa, 0, false, now);
}

enum ike_sa_state ike_sa_state(const struct ike_sa *sa)
{
	return sa->state;
}

enum ike_sa_fail ike_sa_failure(const struct ike_sa *sa)
{
	return sa->fail;
}

bool ike_sa_is_initiator(const struct ike_sa *sa)
{
	return sa->inst[sa->cur].initiator;
}

void ike_sa_spis(const struct ike_sa *sa, uint8_t spi_i[IKE_SPI_LEN],
		 uint8_t spi_r[IKE_SPI_LEN])
{
	memcpy(spi_i, sa->inst[sa->cur].spi_i, IKE_SPI_LEN);
	memcpy(spi_r, sa->inst[sa->cur].spi_r, IKE_SPI_LEN);
}

unsigned int ike_sa_children(const struct ike_sa *sa, uint32_t *spi_in, uint32_t *spi_out,
			     unsigned int max)
{
	unsigned int n = 0;

	for (int i = 0; i < IKE_SA_MAX_CHILDREN; i++) {
		const struct ike_child *ch = &sa->child[i];

		if (ch->state != IKE_CHILD_INSTALLED)
			continue;
		if (n < max) {
			if (spi_in)
				spi_in[n] = ch->spi_in;
			if (spi_out)
				spi_out[n] = ch->spi_out;
		}
		n++;
	}
	return n;
}

/* ---- configuration ----------------------------------------------------------- */

static void set_addr(struct sockaddr_storage *ss, const struct ike_config_addr *a)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(IKE_PORT);
		s->sin_addr = a->v4;
	} else if (a->family == AF_INET6) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(IKE_PORT);
		s->sin6_addr = a->v6;
	}
}

static int add_list(struct ike_proposal *p, uint8_t type, const struct ike_config_list *l)
{
	for (unsigned int i = 0; i < l->n; i++) {
		if (p->n_transforms >= IKE_MAX_TRANSFORMS)
			return -1;
		p->t[p->n_transforms++] = (struct ike_transform){
			.type = type, .id = l->t[i].id, .key_len = l->t[i].key_bits,
		};
	}
	return 0;
}

static int phase_proposals(const struct ike_config_phase *ph, uint8_t protocol,
			   struct ike_proposal *out, unsigned int *n)
{
	*n = 0;
	for (unsigned int i = 0; i < ph->n_proposals && i < IKE_SA_MAX_PROPOSALS; i++) {
		const struct ike_config_proposal *cp = &ph->proposals[i];
		struct ike_proposal *p = &out[(*n)++];

		memset(p, 0, sizeof(*p));
		p->num = (uint8_t)*n;
		p->protocol = protocol;
		if (add_list(p, IKE_TRANS_ENCR, &cp->encr) ||
		    add_list(p, IKE_TRANS_INTEG, &cp->integ) ||
		    (protocol == IKE_PROTO_IKE && add_list(p, IKE_TRANS_PRF, &cp->prf)) ||
		    add_list(p, IKE_TRANS_DH, &cp->dh))
			return -1;
		if (protocol == IKE_PROTO_ESP) {
			if (p->n_transforms >= IKE_MAX_TRANSFORMS)
				return -1;
			p->t[p->n_transforms++] = (struct ike_transform){
				.type = IKE_TRANS_ESN, .id = IKE_ESN_NO,
			};
		}
	}
	return *n ? 0 : -1;
}

static void set_id(struct ike_sa_id *dst, const struct ike_config_id *src)
{
	dst->type = src->type;
	dst->len = src->len;
	memcpy(dst->data, src->data, src->len);
}

int ike_sa_params_from_config(const struct ike_config *cfg, unsigned int tunnel,
			      struct ike_sa_params *p)
{
	const struct ike_config_tunnel *t;

	if (!cfg || !p || tunnel >= IKE_CONFIG_MAX_TUNNELS || !cfg->tunnel[tunnel].present)
		return IKE_SA_EFAIL;
	t = &cfg->tunnel[tunnel];
	ike_sa_params_default(p);
	set_addr(&p->local, &cfg->local_address);
	set_addr(&p->remote, &t->outside);
	set_id(&p->local_id, &cfg->local_id);
	set_id(&p->remote_id, &t->remote_id);
	if (t->psk.len > IKE_SA_PSK_MAX)
		return IKE_SA_EFAIL;
	memcpy(p->psk, t->psk.key, t->psk.len);
	p->psk_len = t->psk.len;
	if (phase_proposals(&t->phase1, IKE_PROTO_IKE, p->ike, &p->n_ike) ||
	    phase_proposals(&t->phase2, IKE_PROTO_ESP, p->esp, &p->n_esp)) {
		OPENSSL_cleanse(p, sizeof(*p));
		return IKE_SA_EFAIL;
	}
	/* Rekey rekey_margin before expiry; the caller may add rekey_fuzz. */
	if (t->phase1.lifetime > t->rekey_margin)
		p->ike_rekey_ms = (t->phase1.lifetime - t->rekey_margin) * 1000u;
	if (t->phase2.lifetime > t->rekey_margin)
		p->child_rekey_ms = (t->phase2.lifetime - t->rekey_margin) * 1000u;
	p->rekey_fuzz_ms = (uint32_t)((uint64_t)t->rekey_margin * t->rekey_fuzz / 100 * 1000);
	p->dpd_timeout_ms = t->dpd_timeout * 1000u;
	/*
	 * Retransmit every 1, 2, 4, 4 ... s: a tunnel whose path comes back
	 * is up again within 4 s instead of waiting out a 16 s interval, and
	 * a rekey that met TEMPORARY_FAILURE is retried within 4 to 8 s.
	 */
	p->retransmit_max_ms = 4000;
	return 0;
}

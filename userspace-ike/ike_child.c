// SPDX-License-Identifier: GPL-2.0
/*
 * CHILD_SAs of an IKE SA: the first one (IKE_AUTH, RFC 7296 1.2), rekeying
 * with CREATE_CHILD_SA (1.3.3) including simultaneous rekeys (2.8.1), and
 * deletion (1.4.1). ESP in tunnel mode, 4-byte SPIs, traffic selectors
 * 0.0.0.0/0 and ::/0 only: s2svpn is route-based.
 *
 * Make-before-break: a new CHILD_SA's inbound SA goes in first; the
 * outbound one replaces the old outbound when both ends have the new SA
 * (the rekey initiator at once, the responder when the old SA's DELETE
 * arrives); the old inbound SA stays for child_grace_ms to catch packets
 * in flight.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_sa_priv.h"

/* ---- records ----------------------------------------------------------------- */

static int child_idx(const struct ike_sa *sa, const struct ike_child *ch)
{
	return (int)(ch - sa->child);
}

static struct ike_child *child_alloc(struct ike_sa *sa)
{
	for (int i = 0; i < IKE_SA_MAX_CHILDREN; i++) {
		struct ike_child *ch = &sa->child[i];

		if (ch->state == IKE_CHILD_FREE) {
			memset(ch, 0, sizeof(*ch));
			ch->successor = -1;
			return ch;
		}
	}
	return NULL;
}

static void child_free(struct ike_sa *sa, struct ike_child *ch)
{
	int idx = child_idx(sa, ch);

	for (int i = 0; i < IKE_SA_MAX_CHILDREN; i++)
		if (sa->child[i].successor == idx)
			sa->child[i].successor = -1;
	OPENSSL_cleanse(ch, sizeof(*ch));
	ch->state = IKE_CHILD_FREE;
	ch->successor = -1;
}

static struct ike_child *child_by_out(struct ike_sa *sa, uint32_t spi)
{
	for (int i = 0; i < IKE_SA_MAX_CHILDREN; i++)
		if (sa->child[i].state != IKE_CHILD_FREE && sa->child[i].spi_out == spi)
			return &sa->child[i];
	return NULL;
}

static void child_remove(struct ike_sa *sa, struct ike_child *ch, enum ike_sa_dir dir)
{
	bool *installed = dir == IKE_SA_DIR_IN ? &ch->in_installed : &ch->out_installed;

	if (!*installed)
		return;
	*installed = false;
	if (sa->ops->child_remove)
		sa->ops->child_remove(sa->ctx, sa, dir == IKE_SA_DIR_IN ? ch->spi_in : ch->spi_out,
				      dir);
}

static int child_install(struct ike_sa *sa, struct ike_child *ch, struct ike_sa_child_sa *c)
{
	int rc = sa->ops->child_install ? sa->ops->child_install(sa->ctx, sa, c) : 0;

	if (rc) {
		ike_sa_log(sa, LOG_ERR, "installing SPI %08x failed (%d)", c->spi, rc);
	} else if (c->dir == IKE_SA_DIR_IN) {
		ch->in_installed = true;
	} else {
		ch->out_installed = true;
	}
	OPENSSL_cleanse(c, sizeof(*c));
	return rc ? IKE_SA_EFAIL : 0;
}

/* Both directions out of the kernel, keys wiped. */
static void child_drop(struct ike_sa *sa, struct ike_child *ch)
{
	child_remove(sa, ch, IKE_SA_DIR_IN);
	child_remove(sa, ch, IKE_SA_DIR_OUT);
	child_free(sa, ch);
}

void ike_child_remove_all(struct ike_sa *sa)
{
	for (int i = 0; i < IKE_SA_MAX_CHILDREN; i++)
		if (sa->child[i].state != IKE_CHILD_FREE)
			child_drop(sa, &sa->child[i]);
}

/* ---- proposals and selectors ---------------------------------------------------- */

static void strip_dh(struct ike_proposal *p)
{
	unsigned int j = 0;

	for (unsigned int i = 0; i < p->n_transforms; i++)
		if (p->t[i].type != IKE_TRANS_DH)
			p->t[j++] = p->t[i];
	p->n_transforms = (uint8_t)j;
}

void ike_child_offer(const struct ike_sa *sa, uint32_t spi, bool with_dh,
		     struct ike_proposal *out, unsigned int *n)
{
	*n = 0;
	for (unsigned int i = 0; i < sa->p.n_esp; i++) {
		struct ike_proposal *p = &out[(*n)++];

		*p = sa->p.esp[i];
		p->num = (uint8_t)(i + 1);
		p->protocol = IKE_PROTO_ESP;
		p->spi_size = 4;
		memset(p->spi, 0, sizeof(p->spi));
		ike_put32(p->spi, spi);
		if (!with_dh)
			strip_dh(p);
	}
}

static void wildcard(struct ike_ts *ts, uint8_t type)
{
	memset(ts, 0, sizeof(*ts));
	ts->type = type;
	ts->end_port = 65535;
	memset(ts->end, 0xff, ike_ts_addr_len(type));
}

static bool is_wildcard(const struct ike_ts *ts, uint8_t type)
{
	struct ike_ts w;
	size_t alen = ike_ts_addr_len(type);

	wildcard(&w, type);
	return ts->type == type && !ts->ip_proto && !ts->start_port && ts->end_port == 65535 &&
	       !memcmp(ts->start, w.start, alen) && !memcmp(ts->end, w.end, alen);
}

static bool has_wildcard(const struct ike_ts_pl *tsp, uint8_t type)
{
	for (unsigned int i = 0; i < tsp->n; i++)
		if (is_wildcard(&tsp->ts[i], type))
			return true;
	return false;
}

void ike_child_add_ts_list(struct ike_buf *b, const struct ike_ts *ts, unsigned int n)
{
	ike_add_ts(b, IKE_PL_TSI, ts, n);
	ike_add_ts(b, IKE_PL_TSR, ts, n);
}

void ike_child_add_ts(struct ike_buf *b)
{
	struct ike_ts ts[2];

	wildcard(&ts[0], IKE_TS_IPV4_ADDR_RANGE);
	wildcard(&ts[1], IKE_TS_IPV6_ADDR_RANGE);
	ike_child_add_ts_list(b, ts, 2);
}

/*
 * A route-based tunnel carries everything: the families for which both
 * TSi and TSr hold the whole address space (2.9), in OUT. We narrow
 * nothing; anything else is TS_UNACCEPTABLE (-1).
 */
int ike_child_check_ts(const struct ike_chain *c, struct ike_ts *out, unsigned int *n)
{
	const struct ike_payload *pi = ike_chain_find(c, IKE_PL_TSI, NULL);
	const struct ike_payload *pr = ike_chain_find(c, IKE_PL_TSR, NULL);
	static const uint8_t types[] = { IKE_TS_IPV4_ADDR_RANGE, IKE_TS_IPV6_ADDR_RANGE };
	struct ike_ts_pl *tsi, *tsr;
	int rc = -1;

	*n = 0;
	if (!pi || !pr)
		return -1;
	tsi = malloc(sizeof(*tsi));
	tsr = malloc(sizeof(*tsr));
	if (tsi && tsr && !ike_decode_ts(pi, tsi, NULL) && !ike_decode_ts(pr, tsr, NULL)) {
		for (unsigned int i = 0; i < sizeof(types); i++)
			if (has_wildcard(tsi, types[i]) && has_wildcard(tsr, types[i]))
				wildcard(&out[(*n)++], types[i]);
		rc = *n ? 0 : -1;
	}
	free(tsi);
	free(tsr);
	return rc;
}

/* ---- installing ------------------------------------------------------------------ */

static void fill(const struct ike_sa *sa, const struct ike_child *ch, enum ike_sa_dir dir,
		 const struct ike_child_keys *k, bool ir, struct ike_sa_child_sa *c)
{
	memset(c, 0, sizeof(*c));
	c->dir = dir;
	c->spi = dir == IKE_SA_DIR_IN ? ch->spi_in : ch->spi_out;
	c->alg = ch->alg;
	c->esn = ch->esn;
	c->src = dir == IKE_SA_DIR_IN ? sa->remote : sa->local;
	c->dst = dir == IKE_SA_DIR_IN ? sa->local : sa->remote;
	c->encr_len = k->sz.encr_key;
	c->salt_len = k->sz.salt;
	c->integ_len = k->sz.integ_key;
	c->icv_len = k->sz.icv;
	memcpy(c->encr, ir ? k->encr_ir : k->encr_ri, k->sz.encr_key);
	memcpy(c->integ, ir ? k->integ_ir : k->integ_ri, k->sz.integ_key);
}

/*
 * Install CH from KEYMAT K (2.17): "i" is the exchange initiator, so when
 * we initiated (WE_I) we send with the i->r keys. Inbound first; outbound
 * now, or kept for later (make-before-break).
 */
static int child_setup(struct ike_sa *sa, struct ike_child *ch, const struct ike_child_keys *k,
		       bool we_i, bool out_now)
{
	struct ike_sa_child_sa c;

	ch->state = IKE_CHILD_DELETING;	/* placeholder until installed */
	fill(sa, ch, IKE_SA_DIR_IN, k, !we_i, &c);
	if (child_install(sa, ch, &c))
		return IKE_SA_EFAIL;
	fill(sa, ch, IKE_SA_DIR_OUT, k, we_i, &ch->out_pending);
	if (!out_now) {
		ch->state = IKE_CHILD_OUT_PENDING;
		return 0;
	}
	if (child_install(sa, ch, &ch->out_pending))
		return IKE_SA_EFAIL;
	ch->state = IKE_CHILD_INSTALLED;
	ike_sa_log(sa, LOG_INFO, "CHILD_SA up: in %08x out %08x", ch->spi_in, ch->spi_out);
	ike_sa_event_emit(sa, IKE_SA_EV_CHILD_UP);
	return 0;
}

/* The peer's rekey of CH's predecessor is complete: CH takes over sending. */
static void switch_out(struct ike_sa *sa, struct ike_child *ch, uint64_t now)
{
	int idx = child_idx(sa, ch);

	if (child_install(sa, ch, &ch->out_pending)) {
		ike_sa_log(sa, LOG_ERR, "CHILD_SA %08x: outbound switch failed", ch->spi_in);
		return;
	}
	ch->state = IKE_CHILD_INSTALLED;
	ch->switch_at = 0;
	for (int i = 0; i < IKE_SA_MAX_CHILDREN; i++) {
		struct ike_child *old = &sa->child[i];

		if (old->successor != idx || old->state == IKE_CHILD_FREE)
			continue;
		child_remove(sa, old, IKE_SA_DIR_OUT);
		if (old->state == IKE_CHILD_INSTALLED) {
			old->state = IKE_CHILD_REKEYED;
			old->remove_at = now + sa->p.child_grace_ms;
		}
	}
	ike_sa_log(sa, LOG_INFO, "CHILD_SA up: in %08x out %08x", ch->spi_in, ch->spi_out);
	ike_sa_event_emit(sa, IKE_SA_EV_CHILD_UP);
}

static void set_from_proposal(struct ike_child *ch, const struct ike_proposal *chosen)
{
	const struct ike_transform *esn = ike_proposal_get(chosen, IKE_TRANS_ESN);

	ike_alg_from_proposal(chosen, &ch->alg);
	ch->alg.prf = 0;
	ch->esn = esn && esn->id == IKE_ESN_YES;
	ch->spi_out = ike_get32(chosen->spi);
}

/* KEYMAT from the SK_d of IN, the IKE SA instance the exchange ran on (2.17). */
static int keymat(struct ike_sa *sa, const struct ike_inst *in, const struct ike_child *ch,
		  const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len,
		  const uint8_t *nr, size_t nr_len, struct ike_child_keys *k)
{
	int rc = ike_child_keys_derive(in->alg.prf, in->keys.sk_d, in->keys.sz.prf_len, &ch->alg,
				       gir, gir_len, ni, ni_len, nr, nr_len, k);

	if (rc)
		ike_sa_log(sa, LOG_ERR, "CHILD_SA keys: %s", ike_crypto_strerror(rc));
	return rc;
}

/* ---- the first CHILD_SA (IKE_AUTH) ------------------------------------------------- */

static void add_error(struct ike_buf *b, uint16_t type)
{
	struct ike_notify_pl n = { .protocol = IKE_PROTO_ESP, .type = type };

	ike_add_notify(b, &n);
}

/* Select ESP from a proposal list with DH transforms ignored (no KE in IKE_AUTH, 1.2). */
static int select_esp(struct ike_sa *sa, const struct ike_payload *pl, bool with_dh,
		      struct ike_proposal *chosen)
{
	struct ike_proposal local[IKE_SA_MAX_PROPOSALS];
	struct ike_sa_pl *offer = malloc(sizeof(*offer));
	unsigned int n;
	int rc = IKE_ESYNTAX;

	if (!offer)
		return IKE_EINVAL;
	if (!ike_decode_sa(pl, offer, NULL)) {
		if (!with_dh)
			for (unsigned int i = 0; i < offer->n; i++)
				strip_dh(&offer->p[i]);
		ike_child_offer(sa, 0, with_dh, local, &n);
		rc = ike_proposal_select(local, n, offer, chosen, NULL);
		if (!rc && (chosen->protocol != IKE_PROTO_ESP || chosen->spi_size != 4))
			rc = IKE_ENOPROPOSAL;
	}
	free(offer);
	return rc;
}

int ike_child_first_responder(struct ike_sa *sa, const struct ike_chain *c, struct ike_buf *b)
{
	const struct ike_payload *pl = ike_chain_find(c, IKE_PL_SA, NULL);
	struct ike_proposal chosen;
	struct ike_child_keys k;
	struct ike_ts ts[2];
	struct ike_child *ch;
	unsigned int nts;
	int rc;

	if (!pl)
		return 0;	/* an IKE SA alone was asked for */
	if (!sa->p.n_esp || select_esp(sa, pl, false, &chosen)) {
		ike_sa_log(sa, LOG_WARNING, "no acceptable CHILD_SA proposal");
		add_error(b, IKE_N_NO_PROPOSAL_CHOSEN);
		return 0;
	}
	if (ike_child_check_ts(c, ts, &nts)) {
		ike_sa_log(sa, LOG_WARNING, "traffic selectors are not 0.0.0.0/0 or ::/0");
		add_error(b, IKE_N_TS_UNACCEPTABLE);
		return 0;
	}
	ch = child_alloc(sa);
	if (!ch || ike_spi_esp(&ch->spi_in)) {
		add_error(b, IKE_N_NO_ADDITIONAL_SAS);
		return 0;
	}
	set_from_proposal(ch, &chosen);
	rc = keymat(sa, CUR(sa), ch, NULL, 0, sa->ni, sa->ni_len, sa->nr, sa->nr_len, &k);
	if (!rc)
		rc = child_setup(sa, ch, &k, false, true);
	ike_child_keys_wipe(&k);
	if (rc) {
		child_drop(sa, ch);
		add_error(b, IKE_N_TEMPORARY_FAILURE);
		return 0;
	}
	ike_put32(chosen.spi, ch->spi_in);
	ike_add_sa(b, &chosen, 1);
	ike_child_add_ts_list(b, ts, nts);
	return 0;
}

void ike_child_first_initiator(struct ike_sa *sa, const struct ike_chain *c)
{
	const struct ike_payload *pl = ike_chain_find(c, IKE_PL_SA, NULL);
	struct ike_proposal offer[IKE_SA_MAX_PROPOSALS], chosen;
	uint16_t error = ike_error_notify(c);
	struct ike_child_keys k;
	struct ike_sa_pl *sapl;
	struct ike_ts ts[2];
	struct ike_child *ch;
	unsigned int n, nts;
	int rc;

	if (!sa->p.n_esp)
		return;
	/* 2.21.2: the IKE SA stands; only the CHILD_SA was refused. */
	if (error || !pl) {
		ike_sa_log(sa, LOG_ERR, "no CHILD_SA: the peer answered error %u", error);
		return;
	}
	sapl = malloc(sizeof(*sapl));
	if (!sapl)
		return;
	ike_child_offer(sa, sa->first_spi_in, false, offer, &n);
	rc = ike_decode_sa(pl, sapl, NULL) || ike_proposal_check_reply(offer, n, sapl, &chosen,
								       NULL);
	free(sapl);
	if (rc || chosen.spi_size != 4 || ike_child_check_ts(c, ts, &nts)) {
		ike_sa_log(sa, LOG_ERR, "no CHILD_SA: unacceptable proposal or selectors");
		return;
	}
	ch = child_alloc(sa);
	if (!ch)
		return;
	ch->spi_in = sa->first_spi_in;
	set_from_proposal(ch, &chosen);
	rc = keymat(sa, CUR(sa), ch, NULL, 0, sa->ni, sa->ni_len, sa->nr, sa->nr_len, &k);
	if (!rc)
		rc = child_setup(sa, ch, &k, true, true);
	ike_child_keys_wipe(&k);
	if (rc)
		child_drop(sa, ch);
}

/* ---- rekeying (1.3.3, 2.8), simultaneous rekeys (2.8.1, 2.25.1) -------------------- */

/* The child REQ names, if its slot still holds it (the peer may have deleted it). */
static struct ike_child *req_child(struct ike_sa *sa, const struct ike_req *req)
{
	struct ike_child *ch;

	if (req->child < 0 || req->child >= IKE_SA_MAX_CHILDREN)
		return NULL;
	ch = &sa->child[req->child];
	return ch->state != IKE_CHILD_FREE && ch->spi_in == req->child_spi ? ch : NULL;
}

/* OLD needs no rekey of ours: it is gone, replaced, or being replaced by the peer's. */
static bool superseded(const struct ike_child *old)
{
	return !old || old->state != IKE_CHILD_INSTALLED || old->successor >= 0;
}

/* Our DELETE's answer came, or never will: the SA's inbound goes after the grace. */
static void delete_done(struct ike_sa *sa, struct ike_child *ch, uint64_t now)
{
	ch->delete_queued = false;
	if (ch->state == IKE_CHILD_REKEYED && !ch->remove_at)
		ch->remove_at = now + sa->p.child_grace_ms;
	else if (ch->state == IKE_CHILD_DELETING)
		child_drop(sa, ch);
}

/* DELETE CH (INFORMATIONAL), now or, if a request is out, when the window frees. */
static void child_delete_send(struct ike_sa *sa, struct ike_child *ch, uint64_t now)
{
	struct ike_req req = { .kind = IKE_REQ_DELETE_CHILD, .child = child_idx(sa, ch),
			       .child_spi = ch->spi_in };
	uint8_t spi[4];
	struct ike_delete_pl d = { .protocol = IKE_PROTO_ESP, .spi_size = 4, .n = 1,
				   .spis = spi };
	struct ike_buf b;
	int rc;

	/* 3.11: the SPI we expect in inbound packets. */
	ike_put32(spi, ch->spi_in);
	ike_buf_init(&b);
	ike_build_chain(&b);
	ike_add_delete(&b, &d);
	rc = ike_sa_send_request(sa, CUR(sa), IKE_INFORMATIONAL, &b, &req, now);
	ike_buf_free(&b);
	ch->delete_queued = rc == IKE_SA_EBUSY;
	if (rc && rc != IKE_SA_EBUSY)
		delete_done(sa, ch, now);
}

void ike_child_send_queued(struct ike_sa *sa, uint64_t now)
{
	if (sa->state != IKE_SA_ESTABLISHED || CUR(sa)->req.kind != IKE_REQ_NONE)
		return;
	for (int i = 0; i < IKE_SA_MAX_CHILDREN; i++) {
		struct ike_child *ch = &sa->child[i];

		if (ch->state != IKE_CHILD_FREE && ch->delete_queued) {
			child_delete_send(sa, ch, now);
			return;
		}
	}
}

static int child_rekey_send(struct ike_sa *sa, struct ike_child *ch, uint16_t group,
			    bool ke_retry, uint64_t now)
{
	struct ike_req req = { .kind = IKE_REQ_REKEY_CHILD, .child = child_idx(sa, ch),
			       .child_spi = ch->spi_in, .ke_retry = ke_retry };
	struct ike_proposal offer[IKE_SA_MAX_PROPOSALS];
	struct ike_notify_pl rn = { .protocol = IKE_PROTO_ESP, .spi_size = 4,
				    .type = IKE_N_REKEY_SA };
	uint8_t pub[IKE_DH_MAX_PUBLIC];
	size_t pub_len = sizeof(pub);
	struct ike_buf b;
	unsigned int n;
	int rc, err;

	req.nonce_len = IKE_NONCE_LEN;
	if (ike_spi_esp(&req.new_spi) || ike_nonce(req.nonce, req.nonce_len))
		return IKE_SA_EFAIL;
	/* PFS when the configuration lists groups (2.17: KE in CREATE_CHILD_SA). */
	if (group) {
		req.dh = ike_dh_new(group, &err);
		if (!req.dh || ike_dh_public(req.dh, pub, &pub_len)) {
			ike_req_clear(&req);
			return IKE_SA_EFAIL;
		}
	}
	ike_put32(rn.spi, ch->spi_in);	/* the SA being rekeyed, as we know it (3.10.1) */
	ike_child_offer(sa, req.new_spi, true, offer, &n);
	ike_buf_init(&b);
	ike_build_chain(&b);
	ike_add_notify(&b, &rn);
	ike_add_sa(&b, offer, n);
	ike_add_nonce(&b, req.nonce, req.nonce_len);
	if (group) {
		struct ike_ke_pl ke = { .group = group, .data = pub, .len = pub_len };

		ike_add_ke(&b, &ke);
	}
	ike_child_add_ts(&b);
	rc = ike_sa_send_request(sa, CUR(sa), IKE_CREATE_CHILD_SA, &b, &req, now);
	ike_buf_free(&b);
	ike_req_clear(&req);
	if (!rc) {
		ch->rekeying = true;
		if (group)
			ike_sa_log(sa, LOG_INFO, "rekeying CHILD_SA %08x with PFS (DH group %u)",
				   ch->spi_in, group);
		else
			ike_sa_log(sa, LOG_INFO, "rekeying CHILD_SA %08x", ch->spi_in);
	}
	return rc;
}

int ike_child_rekey_start(struct ike_sa *sa, uint32_t spi_in, uint64_t now)
{
	/* The group that worked last time, else the first one configured. */
	uint16_t group = sa->pfs_group ? sa->pfs_group : ike_first_dh(sa->p.esp, sa->p.n_esp);

	for (int i = 0; i < IKE_SA_MAX_CHILDREN; i++) {
		struct ike_child *ch = &sa->child[i];

		/* One the peer is already replacing is not rekeyed again. */
		if (ch->state == IKE_CHILD_INSTALLED && (!spi_in || ch->spi_in == spi_in) &&
		    !superseded(ch) && !ch->rekeying)
			return child_rekey_send(sa, ch, group, false, now);
	}
	return IKE_SA_ENOENT;
}

static int rekey_refuse(struct ike_sa *sa, struct ike_inst *in, uint32_t id, uint16_t type,
			uint16_t group)
{
	uint8_t g[2] = { (uint8_t)(group >> 8), (uint8_t)group };

	ike_sa_log(sa, LOG_WARNING, "CHILD_SA rekey refused with %u", type);
	return ike_sa_send_notify_response(sa, in, IKE_CREATE_CHILD_SA, id, type, g,
					   type == IKE_N_INVALID_KE_PAYLOAD ? 2 : 0);
}

/* g^ir for a PFS rekey, or nothing; PUB gets our KE data when DH is set. */
static int pfs_shared(struct ike_dh_ctx *dh, const struct ike_ke_pl *ke, uint8_t *gir,
		      size_t *gir_len)
{
	if (!dh) {
		*gir_len = 0;
		return 0;
	}
	return ike_dh_shared(dh, ke->data, ke->len, gir, gir_len);
}

int ike_child_rekey_request(struct ike_sa *sa, struct ike_inst *in, uint32_t id,
			    const struct ike_chain *c, const struct ike_notify_pl *rekey,
			    uint64_t now)
{
	const struct ike_payload *pl_sa = ike_chain_find(c, IKE_PL_SA, NULL);
	const struct ike_payload *pl_n = ike_chain_find(c, IKE_PL_NONCE, NULL);
	const struct ike_payload *pl_ke = ike_chain_find(c, IKE_PL_KE, NULL);
	struct ike_child *old, *ch;
	struct ike_proposal chosen;
	const struct ike_transform *dh;
	struct ike_dh_ctx *mydh = NULL;
	uint8_t gir[IKE_DH_MAX_PUBLIC], pub[IKE_DH_MAX_PUBLIC], nr[IKE_NONCE_LEN];
	size_t gir_len = sizeof(gir), pub_len = sizeof(pub);
	struct ike_child_keys k;
	struct ike_nonce_pl ni;
	struct ike_ke_pl ke = { 0 };
	struct ike_ts ts[2];
	struct ike_buf b;
	unsigned int nts;
	uint16_t group;
	int rc, err;

	if (rekey->protocol != IKE_PROTO_ESP || rekey->spi_size != 4 || !pl_sa || !pl_n ||
	    ike_decode_nonce(pl_n, &ni, NULL) || (pl_ke && ike_decode_ke(pl_ke, &ke, NULL)))
		return rekey_refuse(sa, in, id, IKE_N_INVALID_SYNTAX, 0);
	old = child_by_out(sa, ike_get32(rekey->spi));
	if (!old)
		return rekey_refuse(sa, in, id, IKE_N_CHILD_SA_NOT_FOUND, 0);
	/* 2.25.1: one we are deleting, or already replaced, is not rekeyed again. */
	if (old->state != IKE_CHILD_INSTALLED || old->successor >= 0)
		return rekey_refuse(sa, in, id, IKE_N_TEMPORARY_FAILURE, 0);
	rc = select_esp(sa, pl_sa, true, &chosen);
	if (rc)
		return rekey_refuse(sa, in, id, rc == IKE_ENOPROPOSAL ? IKE_N_NO_PROPOSAL_CHOSEN :
				    IKE_N_INVALID_SYNTAX, 0);
	dh = ike_proposal_get(&chosen, IKE_TRANS_DH);
	group = dh ? dh->id : 0;
	if (group && (!pl_ke || ke.group != group))
		return rekey_refuse(sa, in, id, IKE_N_INVALID_KE_PAYLOAD, group);
	if (!ike_nonce_len_ok(in->alg.prf, ni.len))
		return rekey_refuse(sa, in, id, IKE_N_INVALID_SYNTAX, 0);
	if (ike_child_check_ts(c, ts, &nts))
		return rekey_refuse(sa, in, id, IKE_N_TS_UNACCEPTABLE, 0);
	ch = child_alloc(sa);
	if (!ch)
		return rekey_refuse(sa, in, id, IKE_N_NO_ADDITIONAL_SAS, 0);
	set_from_proposal(ch, &chosen);
	if (group)
		mydh = ike_dh_new(group, &err);
	rc = ike_spi_esp(&ch->spi_in) || ike_nonce(nr, sizeof(nr)) || (group && !mydh) ||
	     (mydh && ike_dh_public(mydh, pub, &pub_len)) ||
	     pfs_shared(mydh, &ke, gir, &gir_len) ||
	     keymat(sa, in, ch, gir_len ? gir : NULL, gir_len, ni.data, ni.len, nr, sizeof(nr),
		    &k);
	OPENSSL_cleanse(gir, sizeof(gir));
	if (!rc)
		rc = child_setup(sa, ch, &k, false, false);
	ike_child_keys_wipe(&k);
	if (rc) {
		ike_dh_free(mydh);
		child_drop(sa, ch);
		return rekey_refuse(sa, in, id, IKE_N_NO_PROPOSAL_CHOSEN, 0);
	}
	/*
	 * Our inbound is in; our outbound waits for the peer's DELETE of OLD.
	 * If we are rekeying OLD too (2.8.1), the nonces decide when our
	 * response comes: this SA may yet turn out to be the redundant one.
	 */
	sa->child_rekey_at = ike_sa_rekey_time(sa, now, sa->p.child_rekey_ms);
	if (group)
		sa->pfs_group = group;
	ike_nonce_low(ni.data, ni.len, nr, sizeof(nr), ch->low_nonce, &ch->low_nonce_len);
	ch->switch_at = now + sa->p.dpd_timeout_ms;
	old->successor = child_idx(sa, ch);

	ike_put32(chosen.spi, ch->spi_in);
	ike_buf_init(&b);
	ike_build_chain(&b);
	ike_add_sa(&b, &chosen, 1);
	ike_add_nonce(&b, nr, sizeof(nr));
	if (mydh) {
		struct ike_ke_pl myke = { .group = group, .data = pub, .len = pub_len };

		ike_add_ke(&b, &myke);
	}
	ike_child_add_ts_list(&b, ts, nts);
	rc = ike_sa_send_response(sa, in, IKE_CREATE_CHILD_SA, id, &b);
	ike_buf_free(&b);
	ike_dh_free(mydh);
	ike_sa_log(sa, LOG_INFO, "CHILD_SA %08x rekeyed by the peer: new in %08x", old->spi_in,
		   ch->spi_in);
	return rc;
}


/* Our rekey of OLD (REQ) got no new SA; ERROR: the peer's error notify, 0 if none. */
static void rekey_failed(struct ike_sa *sa, struct ike_child *old, const struct ike_req *req,
			 const struct ike_chain *c, uint16_t error, uint64_t now)
{
	uint16_t group;

	if (superseded(old)) {
		/* 2.8.1, 2.25.1: the peer's own rekey of OLD, or its DELETE, settled it. */
		ike_sa_log(sa, LOG_INFO, "CHILD_SA rekey not done (error %u): the peer %s it",
			   error, old ? "rekeyed" : "deleted");
		return;
	}
	if (error == IKE_N_INVALID_KE_PAYLOAD) {
		group = ike_ke_retry_group(sa, "CHILD_SA", sa->p.esp, sa->p.n_esp, req, c);
		if (group && !child_rekey_send(sa, old, group, true, now))
			return;
	} else {
		ike_sa_log(sa, LOG_WARNING, "CHILD_SA rekey failed (error %u)", error);
	}
	if (sa->p.child_rekey_ms)
		sa->child_rekey_at = ike_sa_rekey_retry(sa, now);
}

/* The peer's redundant SA of a collision: it deletes it; we never send on it. */
static void retire_redundant(struct ike_sa *sa, struct ike_child *old, struct ike_child *succ,
			     uint64_t now)
{
	ike_sa_log(sa, LOG_INFO, "CHILD_SA rekey collision: ours survives, the peer's (%08x) "
		   "is redundant", succ->spi_in);
	OPENSSL_cleanse(&succ->out_pending, sizeof(succ->out_pending));
	succ->state = IKE_CHILD_REKEYED;
	succ->switch_at = 0;
	succ->remove_at = now + sa->p.child_grace_ms;
	old->successor = -1;
}

void ike_child_rekey_response(struct ike_sa *sa, struct ike_inst *in, struct ike_req *req,
			      const struct ike_chain *c, uint64_t now)
{
	const struct ike_payload *pl_sa = ike_chain_find(c, IKE_PL_SA, NULL);
	const struct ike_payload *pl_n = ike_chain_find(c, IKE_PL_NONCE, NULL);
	const struct ike_payload *pl_ke = ike_chain_find(c, IKE_PL_KE, NULL);
	struct ike_proposal offer[IKE_SA_MAX_PROPOSALS], chosen;
	struct ike_child *old = req_child(sa, req), *nc, *succ = NULL;
	uint8_t gir[IKE_DH_MAX_PUBLIC];
	size_t gir_len = sizeof(gir);
	const struct ike_transform *dh;
	uint16_t error = ike_error_notify(c);
	struct ike_child_keys k;
	struct ike_sa_pl *sapl;
	struct ike_nonce_pl nr;
	struct ike_ke_pl ke = { 0 };
	struct ike_ts ts[2];
	unsigned int n, nts;
	int rc;

	if (old)
		old->rekeying = false;
	if (error || !pl_sa || !pl_n || ike_decode_nonce(pl_n, &nr, NULL) ||
	    (pl_ke && ike_decode_ke(pl_ke, &ke, NULL))) {
		rekey_failed(sa, old, req, c, error, now);
		return;
	}
	sapl = malloc(sizeof(*sapl));
	if (!sapl)
		return;
	ike_child_offer(sa, req->new_spi, true, offer, &n);
	rc = ike_decode_sa(pl_sa, sapl, NULL) ||
	     ike_proposal_check_reply(offer, n, sapl, &chosen, NULL);
	free(sapl);
	dh = rc ? NULL : ike_proposal_get(&chosen, IKE_TRANS_DH);
	if (rc || chosen.spi_size != 4 || ike_child_check_ts(c, ts, &nts) ||
	    (dh && dh->id && (!req->dh || !pl_ke || ke.group != dh->id ||
			      ke.group != ike_dh_group(req->dh))) ||
	    !ike_nonce_len_ok(in->alg.prf, nr.len)) {
		ike_sa_log(sa, LOG_WARNING, "CHILD_SA rekey: unacceptable response");
		rekey_failed(sa, old, req, c, 0, now);
		return;
	}
	nc = child_alloc(sa);
	if (!nc) {
		rekey_failed(sa, old, req, c, 0, now);
		return;
	}
	nc->spi_in = req->new_spi;
	set_from_proposal(nc, &chosen);
	rc = pfs_shared(dh && dh->id ? req->dh : NULL, &ke, gir, &gir_len) ||
	     keymat(sa, in, nc, gir_len ? gir : NULL, gir_len, req->nonce, req->nonce_len,
		    nr.data, nr.len, &k);
	OPENSSL_cleanse(gir, sizeof(gir));
	if (rc) {
		child_free(sa, nc);
		rekey_failed(sa, old, req, c, 0, now);
		return;
	}
	ike_nonce_low(req->nonce, req->nonce_len, nr.data, nr.len, nc->low_nonce,
		      &nc->low_nonce_len);

	/*
	 * 2.8.1: if the peer rekeyed OLD at the same time, the new SA holding
	 * the lowest of the four nonces is redundant, and its creator deletes
	 * it. Ours is redundant too if the peer already replaced OLD, and
	 * useless if the peer deleted OLD meanwhile (2.25.1).
	 */
	if (old && old->successor >= 0 && sa->child[old->successor].state == IKE_CHILD_OUT_PENDING)
		succ = &sa->child[old->successor];
	if (!old || old->state != IKE_CHILD_INSTALLED ||
	    (succ && ike_rekey_redundant(nc->low_nonce, nc->low_nonce_len, succ->low_nonce,
					 succ->low_nonce_len, in->initiator))) {
		if (old)
			ike_sa_log(sa, LOG_INFO, "CHILD_SA rekey collision: ours (%08x) is "
				   "redundant, the peer's takes over", nc->spi_in);
		else
			ike_sa_log(sa, LOG_INFO, "CHILD_SA deleted by the peer while we rekeyed "
				   "it: deleting the new one (%08x)", nc->spi_in);
		ike_child_keys_wipe(&k);
		/* Never installed here; the peer has only its inbound half. */
		nc->state = IKE_CHILD_DELETING;
		child_delete_send(sa, nc, now);
		return;
	}
	sa->child_rekey_at = ike_sa_rekey_time(sa, now, sa->p.child_rekey_ms);
	if (dh && dh->id)
		sa->pfs_group = dh->id;
	rc = child_setup(sa, nc, &k, true, true);
	ike_child_keys_wipe(&k);
	if (rc) {
		/* The peer has it: tell it, or it would switch to it in time. */
		child_remove(sa, nc, IKE_SA_DIR_IN);
		child_remove(sa, nc, IKE_SA_DIR_OUT);
		nc->state = IKE_CHILD_DELETING;
		child_delete_send(sa, nc, now);
		if (sa->p.child_rekey_ms)
			sa->child_rekey_at = ike_sa_rekey_retry(sa, now);
		return;
	}
	if (succ)
		retire_redundant(sa, old, succ, now);
	/* Make-before-break: new in and out are up; the old outbound goes now. */
	child_remove(sa, old, IKE_SA_DIR_OUT);
	old->state = IKE_CHILD_REKEYED;
	old->remove_at = 0;	/* set when the peer confirms the DELETE */
	child_delete_send(sa, old, now);
}

/* ---- deleting (1.4.1, 2.25.1) ------------------------------------------------------ */

/* The peer deleted CH; false if our reply should not name it (we are closing it too). */
static bool peer_deleted(struct ike_sa *sa, struct ike_child *ch, uint64_t now)
{
	struct ike_child *succ = NULL;

	if (ch->successor >= 0 && sa->child[ch->successor].state == IKE_CHILD_OUT_PENDING)
		succ = &sa->child[ch->successor];
	switch (ch->state) {
	case IKE_CHILD_INSTALLED:
		if (succ) {
			/* The peer finished its rekey of CH: switch to the successor. */
			switch_out(sa, succ, now);
			child_remove(sa, ch, IKE_SA_DIR_OUT);
			ch->state = IKE_CHILD_REKEYED;
			ch->remove_at = now + sa->p.child_grace_ms;
			return true;
		}
		/* 2.25.1: even while we rekey it; our rekey's answer finds it gone. */
		ike_sa_log(sa, LOG_INFO, "CHILD_SA %08x deleted by the peer%s", ch->spi_in,
			   ch->rekeying ? " while we rekey it" : "");
		child_drop(sa, ch);
		ike_sa_event_emit(sa, IKE_SA_EV_CHILD_DOWN);
		return true;
	case IKE_CHILD_REKEYED:
		if (ch->remove_at)
			return true;
		/* Our DELETE of it crossed the peer's: the answers say nothing more. */
		ch->delete_queued = false;
		ch->remove_at = now + sa->p.child_grace_ms;
		return false;
	case IKE_CHILD_OUT_PENDING:	/* the peer's redundant SA of a collision */
		child_drop(sa, ch);
		return true;
	case IKE_CHILD_DELETING:	/* deletes crossed */
		child_drop(sa, ch);
		return false;
	case IKE_CHILD_FREE:
		break;
	}
	return false;
}

void ike_child_delete_request(struct ike_sa *sa, const struct ike_chain *c, struct ike_buf *b,
			      uint64_t now)
{
	const struct ike_payload *pl = NULL;
	uint8_t spis[4 * IKE_SA_MAX_CHILDREN];
	struct ike_delete_pl d;
	uint16_t n = 0;

	while ((pl = ike_chain_find(c, IKE_PL_DELETE, pl))) {
		if (ike_decode_delete(pl, &d, NULL) || d.protocol != IKE_PROTO_ESP ||
		    d.spi_size != 4)
			continue;
		for (unsigned int i = 0; i < d.n; i++) {
			/* 3.11: the peer names its inbound SPI, which is our outbound. */
			struct ike_child *ch = child_by_out(sa, ike_delete_spi(&d, i));
			uint32_t spi_in;

			if (!ch)
				continue;
			spi_in = ch->spi_in;
			if (peer_deleted(sa, ch, now) && n < IKE_SA_MAX_CHILDREN)
				ike_put32(spis + 4 * n++, spi_in);
		}
	}
	if (n) {
		struct ike_delete_pl mine = { .protocol = IKE_PROTO_ESP, .spi_size = 4, .n = n,
					      .spis = spis };

		ike_add_delete(b, &mine);
	}
}

int ike_child_delete_start(struct ike_sa *sa, uint32_t spi_in, uint64_t now)
{
	for (int i = 0; i < IKE_SA_MAX_CHILDREN; i++) {
		struct ike_child *ch = &sa->child[i];

		if (ch->state != IKE_CHILD_INSTALLED || (spi_in && ch->spi_in != spi_in))
			continue;
		ike_sa_log(sa, LOG_INFO, "deleting CHILD_SA %08x", ch->spi_in);
		/* 1.4.1: nothing more goes out on it; what is in flight still comes in. */
		child_remove(sa, ch, IKE_SA_DIR_OUT);
		ch->state = IKE_CHILD_DELETING;
		child_delete_send(sa, ch, now);
		ike_sa_event_emit(sa, IKE_SA_EV_CHILD_DOWN);
		return 0;
	}
	return IKE_SA_ENOENT;
}

void ike_child_delete_response(struct ike_sa *sa, struct ike_req *req, uint64_t now)
{
	struct ike_child *ch = req_child(sa, req);

	if (ch)
		delete_done(sa, ch, now);
}

void ike_child_abandon(struct ike_sa *sa, const struct ike_req *req, uint64_t now)
{
	struct ike_child *ch = req_child(sa, req);

	if (!ch)
		return;
	if (req->kind == IKE_REQ_REKEY_CHILD) {
		ch->rekeying = false;
		if (!superseded(ch) && sa->p.child_rekey_ms)
			sa->child_rekey_at = ike_sa_rekey_retry(sa, now);
	} else if (req->kind == IKE_REQ_DELETE_CHILD &&
		   (ch->state == IKE_CHILD_DELETING ||
		    (ch->state == IKE_CHILD_REKEYED && !ch->remove_at))) {
		/* Again over the IKE SA in use: the peer may never have seen it. */
		ch->delete_queued = true;
	}
}

/* ---- timers ----------------------------------------------------------------------- */

void ike_child_timer(struct ike_sa *sa, uint64_t now)
{
	for (int i = 0; i < IKE_SA_MAX_CHILDREN; i++) {
		struct ike_child *ch = &sa->child[i];

		if (ch->state == IKE_CHILD_REKEYED && ch->remove_at && now >= ch->remove_at) {
			ike_sa_log(sa, LOG_INFO, "old CHILD_SA %08x removed", ch->spi_in);
			child_drop(sa, ch);
		} else if (ch->state == IKE_CHILD_OUT_PENDING && ch->switch_at &&
			   now >= ch->switch_at) {
			/* The peer's DELETE of the old SA never came: switch anyway. */
			switch_out(sa, ch, now);
		}
	}
}

uint64_t ike_child_next_timer(const struct ike_sa *sa)
{
	uint64_t t = IKE_SA_NEVER;

	for (int i = 0; i < IKE_SA_MAX_CHILDREN; i++) {
		const struct ike_child *ch = &sa->child[i];

		if (ch->state == IKE_CHILD_REKEYED && ch->remove_at && ch->remove_at < t)
			t = ch->remove_at;
		if (ch->state == IKE_CHILD_OUT_PENDING && ch->switch_at && ch->switch_at < t)
			t = ch->switch_at;
	}
	return t;
}

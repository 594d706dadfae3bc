// SPDX-License-Identifier: GPL-2.0
/*
 * IKE SA exchanges: IKE_SA_INIT (RFC 7296 1.2, 2.6, 2.7, 2.23), IKE_AUTH
 * with pre-shared keys (1.2, 2.15) and rekeying the IKE SA with
 * CREATE_CHILD_SA (1.3.2, 2.18).
 */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <openssl/crypto.h>

#include "ike_sa_priv.h"

#define COOKIE_MAX	64	/* RFC 7296 2.6: 1 to 64 octets */
#define COOKIE_TRIES	3

/* ---- helpers ------------------------------------------------------------- */

static uint8_t *dup_bytes(const uint8_t *p, size_t len)
{
	uint8_t *d = malloc(len ? len : 1);

	if (d && len)
		memcpy(d, p, len);
	return d;
}

/* Our proposals as offered, numbered from 1; SPI (8 bytes) when rekeying. */
static void ike_offer(const struct ike_sa *sa, const uint8_t *spi, struct ike_proposal *out)
{
	for (unsigned int i = 0; i < sa->p.n_ike; i++) {
		out[i] = sa->p.ike[i];
		out[i].num = (uint8_t)(i + 1);
		out[i].protocol = IKE_PROTO_IKE;
		out[i].spi_size = spi ? IKE_SPI_LEN : 0;
		memset(out[i].spi, 0, sizeof(out[i].spi));
		if (spi)
			memcpy(out[i].spi, spi, IKE_SPI_LEN);
	}
}

/* The ID payload body (Type | RESERVED | data) that AUTH signs (2.15). */
static size_t id_body(const struct ike_sa *sa, const struct ike_sa_id *id, uint8_t *out)
{
	const struct sockaddr_storage *ss = &sa->p.local;

	memset(out, 0, 4);
	if (id->type) {
		out[0] = id->type;
		memcpy(out + 4, id->data, id->len);
		return 4u + id->len;
	}
	/* Default identity: our address (what AWS expects). */
	if (ss->ss_family == AF_INET6) {
		out[0] = IKE_ID_IPV6_ADDR;
		memcpy(out + 4, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
		return 20;
	}
	out[0] = IKE_ID_IPV4_ADDR;
	memcpy(out + 4, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	return 8;
}

static void add_id(struct ike_buf *b, uint8_t type, const uint8_t *body, size_t len)
{
	struct ike_id_pl id = { .type = body[0], .data = body + 4, .len = len - 4 };

	ike_add_id(b, type, &id);
}

/* The peer's identity must be the configured one, if any (2.15: IDs are policy). */
static bool id_ok(const struct ike_sa *sa, const struct ike_payload *pl)
{
	const struct ike_sa_id *want = &sa->p.remote_id;

	if (!want->type)
		return true;
	return pl->body_len == 4u + want->len && pl->body[0] == want->type &&
	       !memcmp(pl->body + 4, want->data, want->len);
}

static int decode_first(const struct ike_chain *c, uint8_t type, const struct ike_payload **pl)
{
	*pl = ike_chain_find(c, type, NULL);
	return *pl ? 0 : -1;
}

/*
 * NAT detection (2.23). Our NAT_DETECTION_SOURCE_IP deliberately hashes a
 * wrong source (the unspecified address, port 0): the peer then sees a
 * NAT in front of us and, like us, moves to port 4500 and UDP-encapsulates
 * ESP (RFC 3948), as strongSwan's encap=yes does. AWS tunnels work best so.
 */
static void add_natd(struct ike_buf *b, const uint8_t *spi_i, const uint8_t *spi_r,
		     const struct sockaddr *local, const struct sockaddr *remote)
{
	struct sockaddr_storage fake;
	uint8_t src[IKE_NATD_HASH_LEN], dst[IKE_NATD_HASH_LEN];
	struct ike_notify_pl n = { .len = IKE_NATD_HASH_LEN };

	memset(&fake, 0, sizeof(fake));
	fake.ss_family = local->sa_family;
	if (ike_natd_hash(spi_i, spi_r, (const struct sockaddr *)&fake, src) ||
	    ike_natd_hash(spi_i, spi_r, remote, dst)) {
		b->error = true;
		return;
	}
	n.type = IKE_N_NAT_DETECTION_SOURCE_IP;
	n.data = src;
	ike_add_notify(b, &n);
	n.type = IKE_N_NAT_DETECTION_DESTINATION_IP;
	n.data = dst;
	ike_add_notify(b, &n);
}

/* Log what the peer's NAT-D hashes say; we float to 4500 whatever they say. */
static void check_natd(struct ike_sa *sa, const struct ike_chain *c, const uint8_t *spi_i,
		       const uint8_t *spi_r, const struct sockaddr *from)
{
	const struct ike_payload *pl = NULL;
	uint8_t want[IKE_NATD_HASH_LEN];
	struct ike_notify_pl n;
	bool seen = false, match = false;

	if (ike_natd_hash(spi_i, spi_r, from, want))
		return;
	while ((pl = ike_chain_find(c, IKE_PL_NOTIFY, pl))) {
		if (ike_decode_notify(pl, &n, NULL) || n.type != IKE_N_NAT_DETECTION_SOURCE_IP)
			continue;
		seen = true;
		match |= n.len == IKE_NATD_HASH_LEN && !CRYPTO_memcmp(n.data, want, n.len);
	}
	if (seen)
		ike_sa_log(sa, LOG_INFO, "NAT detection: %s", match ? "no NAT in front of the peer" :
			   "the peer is behind a NAT (or forces encapsulation)");
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

/* g^ir, then SKEYSEED (2.14) or, when rekeying, SKEYSEED from the old SK_d (2.18). */
static int derive_skeyseed(struct ike_dh_ctx *dh, const struct ike_ke_pl *ke,
			   const struct ike_inst *old, int prf, const uint8_t *ni, size_t ni_len,
			   const uint8_t *nr, size_t nr_len, uint8_t *seed, size_t *seed_len)
{
	uint8_t gir[IKE_DH_MAX_PUBLIC];
	size_t gir_len = sizeof(gir);
	int rc;

	rc = ike_dh_shared(dh, ke->data, ke->len, gir, &gir_len);
	if (!rc && old)
		rc = ike_skeyseed_rekey(old->alg.prf, old->keys.sk_d, old->keys.sz.prf_len, gir,
					gir_len, ni, ni_len, nr, nr_len, seed, seed_len);
	else if (!rc)
		rc = ike_skeyseed(prf, ni, ni_len, nr, nr_len, gir, gir_len, seed, seed_len);
	OPENSSL_cleanse(gir, sizeof(gir));
	return rc;
}

static void schedule_ike_rekey(struct ike_sa *sa, uint64_t now)
{
	sa->ike_rekey_at = ike_sa_rekey_time(sa, now, sa->p.ike_rekey_ms);
}

static void established(struct ike_sa *sa, uint64_t now)
{
	ike_sa_set_state(sa, IKE_SA_ESTABLISHED);
	schedule_ike_rekey(sa, now);
	sa->child_rekey_at = ike_sa_rekey_time(sa, now, sa->p.child_rekey_ms);
}

/* ---- IKE_SA_INIT, initiator --------------------------------------------------- */

/* (Re)send IKE_SA_INIT: [N(COOKIE)], SA, KE, Ni, N(NAT_D) x2 (1.2, 2.6). */
static int init_send(struct ike_sa *sa, uint64_t now)
{
	struct ike_inst *in = CUR(sa);
	struct ike_proposal offer[IKE_SA_MAX_PROPOSALS];
	uint8_t pub[IKE_DH_MAX_PUBLIC], zero[IKE_SPI_LEN] = { 0 };
	size_t pub_len = sizeof(pub);
	struct ike_hdr h = {
		.spi_i = ike_get64(in->spi_i),
		.exchange = IKE_SA_INIT,
		.flags = IKE_FLAG_INITIATOR,
	};
	struct ike_req req = { .kind = IKE_REQ_INIT, .exchange = IKE_SA_INIT, .child = -1 };
	struct ike_ke_pl ke;
	struct ike_buf b;

	if (ike_dh_public(sa->dh, pub, &pub_len))
		return IKE_SA_EFAIL;
	ke = (struct ike_ke_pl){ .group = (uint16_t)ike_dh_group(sa->dh), .data = pub,
				 .len = pub_len };
	ike_offer(sa, NULL, offer);
	ike_buf_init(&b);
	ike_build_msg(&b, &h);
	if (sa->cookie_len) {
		/* 2.6: the cookie comes first, everything else unchanged. */
		struct ike_notify_pl n = { .type = IKE_N_COOKIE, .data = sa->cookie,
					   .len = sa->cookie_len };

		ike_add_notify(&b, &n);
	}
	ike_add_sa(&b, offer, sa->p.n_ike);
	ike_add_ke(&b, &ke);
	ike_add_nonce(&b, sa->ni, sa->ni_len);
	add_natd(&b, in->spi_i, zero, (const struct sockaddr *)&sa->local,
		 (const struct sockaddr *)&sa->remote);
	if (ike_build_finish(&b)) {
		ike_buf_free(&b);
		return IKE_SA_EFAIL;
	}
	/* The initiator's AUTH signs the request it sent last (2.15). */
	free(sa->init_req);
	sa->init_req = dup_bytes(b.data, b.len);
	sa->init_req_len = b.len;
	if (!sa->init_req) {
		ike_buf_free(&b);
		return IKE_SA_EFAIL;
	}
	req.msg = b.data;
	req.len = b.len;
	in->next_req_id = 1;
	ike_sa_set_state(sa, IKE_SA_INIT_SENT);
	return ike_sa_start_request(sa, in, &req, now);
}

static int new_dh(struct ike_sa *sa, uint16_t group)
{
	int err;

	ike_dh_free(sa->dh);
	sa->dh = ike_dh_new(group, &err);
	if (!sa->dh) {
		ike_sa_log(sa, LOG_ERR, "DH group %u: %s", group, ike_crypto_strerror(err));
		return IKE_SA_EFAIL;
	}
	return 0;
}

int ike_init_start(struct ike_sa *sa, uint64_t now)
{
	struct ike_inst *in = CUR(sa);
	uint16_t group = sa->p.ke_group ? sa->p.ke_group : ike_first_dh(sa->p.ike, sa->p.n_ike);

	in->used = true;
	in->initiator = true;
	sa->ni_len = IKE_NONCE_LEN;
	if (!group || ike_spi_ike(in->spi_i) || ike_nonce(sa->ni, sa->ni_len) ||
	    new_dh(sa, group))
		return IKE_SA_EFAIL;
	return init_send(sa, now);
}

static int auth_send(struct ike_sa *sa, struct ike_inst *in, uint64_t now);

/* An error answer to our IKE_SA_INIT (unauthenticated, 2.21.1). */
static int init_error(struct ike_sa *sa, const struct ike_chain *c, uint64_t now)
{
	struct ike_notify_pl n;
	uint16_t error;

	if (ike_find_notify(c, IKE_N_COOKIE, &n)) {
		if (!n.len || n.len > COOKIE_MAX || sa->cookie_tries >= COOKIE_TRIES)
			return IKE_SA_EDROP;
		sa->cookie_tries++;
		memcpy(sa->cookie, n.data, n.len);
		sa->cookie_len = n.len;
		ike_sa_log(sa, LOG_INFO, "responder demands a cookie: retrying");
		return init_send(sa, now);
	}
	if (ike_find_notify(c, IKE_N_INVALID_KE_PAYLOAD, &n)) {
		uint16_t group = n.len == 2 ? (uint16_t)(n.data[0] << 8 | n.data[1]) : 0;

		/* 1.2: retry once with the group it wants, if we offered it. */
		if (sa->ke_retried || !ike_dh_offered(sa->p.ike, sa->p.n_ike, group) ||
		    group == ike_dh_group(sa->dh)) {
			ike_sa_log(sa, LOG_ERR, "responder wants DH group %u: cannot comply",
				   group);
			ike_sa_close(sa, IKE_SA_FAIL_INVALID_KE);
			return 0;
		}
		ike_sa_log(sa, LOG_INFO, "responder wants DH group %u: retrying", group);
		sa->ke_retried = true;
		if (new_dh(sa, group)) {
			ike_sa_close(sa, IKE_SA_FAIL_INTERNAL);
			return 0;
		}
		return init_send(sa, now);
	}
	error = ike_error_notify(c);
	if (!error)
		return 1;
	ike_sa_log(sa, LOG_ERR, "IKE_SA_INIT refused with error %u", error);
	ike_sa_close(sa, error == IKE_N_NO_PROPOSAL_CHOSEN ? IKE_SA_FAIL_NO_PROPOSAL :
			 IKE_SA_FAIL_PROTOCOL);
	return 0;
}

static int init_response(struct ike_sa *sa, struct ike_inst *in, const struct ike_msg *m,
			 uint64_t now)
{
	const struct ike_chain *c = &m->chain;
	const struct ike_payload *pl_sa, *pl_ke, *pl_n;
	struct ike_proposal offer[IKE_SA_MAX_PROPOSALS], chosen;
	const struct ike_transform *dh;
	struct ike_sa_pl *sapl;
	struct ike_nonce_pl nr;
	struct ike_ke_pl ke;
	uint8_t seed[IKE_MAX_PRF_LEN];
	size_t seed_len = sizeof(seed);
	struct ike_alg alg;
	int rc;

	if (sa->state != IKE_SA_INIT_SENT || in->req.kind != IKE_REQ_INIT ||
	    !(m->hdr.flags & IKE_FLAG_RESPONSE) || m->hdr.msg_id != 0)
		return IKE_SA_EDROP;
	rc = init_error(sa, c, now);
	if (rc <= 0)
		return rc;
	/*
	 * Unauthenticated: anything malformed is ignored and we keep waiting
	 * for the real answer (2.21.1); only well-formed errors fail us.
	 */
	if (!m->hdr.spi_r || decode_first(c, IKE_PL_SA, &pl_sa) ||
	    decode_first(c, IKE_PL_KE, &pl_ke) || decode_first(c, IKE_PL_NONCE, &pl_n) ||
	    ike_decode_ke(pl_ke, &ke, NULL) || ike_decode_nonce(pl_n, &nr, NULL))
		return IKE_SA_EDROP;
	sapl = malloc(sizeof(*sapl));
	if (!sapl)
		return IKE_SA_EDROP;
	ike_offer(sa, NULL, offer);
	rc = ike_decode_sa(pl_sa, sapl, NULL) ||
	     ike_proposal_check_reply(offer, sa->p.n_ike, sapl, &chosen, NULL);
	free(sapl);
	if (rc)
		return IKE_SA_EDROP;
	dh = ike_proposal_get(&chosen, IKE_TRANS_DH);
	ike_alg_from_proposal(&chosen, &alg);
	if (!dh || dh->id != ke.group || ke.group != ike_dh_group(sa->dh) ||
	    !ike_nonce_len_ok(alg.prf, nr.len))
		return IKE_SA_EDROP;
	memcpy(sa->nr, nr.data, nr.len);
	sa->nr_len = nr.len;
	if (derive_skeyseed(sa->dh, &ke, NULL, alg.prf, sa->ni, sa->ni_len, sa->nr, sa->nr_len,
			    seed, &seed_len))
		return IKE_SA_EDROP;

	ike_put64(in->spi_r, m->hdr.spi_r);
	in->prop = chosen;
	in->alg = alg;
	in->dh_group = ke.group;
	rc = ike_inst_set_keys(sa, in, seed, seed_len, sa->ni, sa->ni_len, sa->nr, sa->nr_len);
	OPENSSL_cleanse(seed, sizeof(seed));
	free(sa->init_resp);
	sa->init_resp = dup_bytes(m->raw, m->raw_len);
	sa->init_resp_len = m->raw_len;
	if (rc || !sa->init_resp) {
		ike_sa_close(sa, IKE_SA_FAIL_INTERNAL);
		return 0;
	}
	check_natd(sa, c, in->spi_i, in->spi_r, (const struct sockaddr *)&sa->remote);
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	ike_req_clear(&in->req);

	/* 2.23: we "detected" a NAT (we always do): float to port 4500. */
	set_port(&sa->local, IKE_NATT_PORT);
	set_port(&sa->remote, IKE_NATT_PORT);
	ike_sa_set_state(sa, IKE_SA_AUTH_SENT);
	if (auth_send(sa, in, now))
		ike_sa_close(sa, IKE_SA_FAIL_INTERNAL);
	return 0;
}

/* ---- IKE_SA_INIT, responder ------------------------------------------------- */

/* An unencrypted error or cookie answer that creates no state (2.6, 2.21.1). */
static void refuse_log(const struct ike_sa_ops *ops, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void refuse_log(const struct ike_sa_ops *ops, void *ctx, const char *fmt, ...)
{
	va_list ap;

	if (!ops->log)
		return;
	va_start(ap, fmt);
	ops->log(ctx, NULL, LOG_NOTICE, fmt, ap);
	va_end(ap);
}

int ike_init_refuse(const struct ike_sa_ops *ops, void *ctx, const struct ike_msg *m,
		    const struct sockaddr *from, const struct sockaddr *to, uint16_t type,
		    const uint8_t *data, size_t len)
{
	struct ike_hdr h = {
		.spi_i = m->hdr.spi_i,
		.exchange = IKE_SA_INIT,
		.flags = IKE_FLAG_RESPONSE,
	};
	struct ike_notify_pl n = { .type = type, .data = data, .len = len };
	struct ike_buf b;

	/* No SA exists to log through: say it here, or the responder is mute. */
	if (type != IKE_N_COOKIE)
		refuse_log(ops, ctx, type == IKE_N_NO_PROPOSAL_CHOSEN ?
			   "IKE_SA_INIT refused: NO_PROPOSAL_CHOSEN (no proposal of the peer "
			   "matches phase1_encryption/integrity/dh_groups)" :
			   type == IKE_N_INVALID_KE_PAYLOAD ?
			   "IKE_SA_INIT: INVALID_KE_PAYLOAD, asking the peer for another DH group" :
			   "IKE_SA_INIT refused: INVALID_SYNTAX");
	ike_buf_init(&b);
	ike_build_msg(&b, &h);
	ike_add_notify(&b, &n);
	if (!ike_build_finish(&b))
		ops->send(ctx, NULL, b.data, b.len, to, from);
	ike_buf_free(&b);
	return IKE_SA_EREFUSED;
}

/* Our IKE_SA_INIT response: SA, KE, Nr, N(NAT_D) x2. */
static int init_build_response(struct ike_sa *sa, struct ike_inst *in, struct ike_buf *b)
{
	uint8_t pub[IKE_DH_MAX_PUBLIC];
	size_t pub_len = sizeof(pub);
	struct ike_hdr h = {
		.spi_i = ike_get64(in->spi_i),
		.spi_r = ike_get64(in->spi_r),
		.exchange = IKE_SA_INIT,
		.flags = IKE_FLAG_RESPONSE,
	};
	struct ike_ke_pl ke;

	if (ike_dh_public(sa->dh, pub, &pub_len))
		return -1;
	ke = (struct ike_ke_pl){ .group = in->dh_group, .data = pub, .len = pub_len };
	ike_build_msg(b, &h);
	ike_add_sa(b, &in->prop, 1);
	ike_add_ke(b, &ke);
	ike_add_nonce(b, sa->nr, sa->nr_len);
	add_natd(b, in->spi_i, in->spi_r, (const struct sockaddr *)&sa->local,
		 (const struct sockaddr *)&sa->remote);
	return ike_build_finish(b);
}

static int init_setup_responder(struct ike_sa *sa, const struct ike_msg *m,
				const struct ike_proposal *chosen, const struct ike_ke_pl *ke,
				const struct ike_nonce_pl *ni, uint64_t now)
{
	struct ike_inst *in = CUR(sa);
	uint8_t seed[IKE_MAX_PRF_LEN];
	size_t seed_len = sizeof(seed);
	struct ike_buf b;
	int rc;

	in->used = true;
	ike_put64(in->spi_i, m->hdr.spi_i);
	in->prop = *chosen;
	ike_alg_from_proposal(chosen, &in->alg);
	in->dh_group = ke->group;
	memcpy(sa->ni, ni->data, ni->len);
	sa->ni_len = ni->len;
	sa->nr_len = IKE_NONCE_LEN;
	if (ike_spi_ike(in->spi_r) || ike_nonce(sa->nr, sa->nr_len) || new_dh(sa, ke->group))
		return IKE_SA_EFAIL;
	rc = derive_skeyseed(sa->dh, ke, NULL, in->alg.prf, sa->ni, sa->ni_len, sa->nr,
			     sa->nr_len, seed, &seed_len);
	if (rc) {
		/* A KE value off the group (RFC 6989, RFC 5903): INVALID_SYNTAX. */
		ike_sa_log(sa, LOG_WARNING, "peer KE refused: %s", ike_crypto_strerror(rc));
		return IKE_SA_EREFUSED;
	}
	rc = ike_inst_set_keys(sa, in, seed, seed_len, sa->ni, sa->ni_len, sa->nr, sa->nr_len);
	OPENSSL_cleanse(seed, sizeof(seed));
	if (rc)
		return rc;

	ike_buf_init(&b);
	if (init_build_response(sa, in, &b)) {
		ike_buf_free(&b);
		return IKE_SA_EFAIL;
	}
	/* Our AUTH signs our response; the peer's signs its request (2.15). */
	sa->init_req = dup_bytes(m->raw, m->raw_len);
	sa->init_req_len = m->raw_len;
	sa->init_resp = dup_bytes(b.data, b.len);
	sa->init_resp_len = b.len;
	in->resp = b.data;
	in->resp_len = b.len;
	in->resp_id = 0;
	in->has_resp = true;
	in->peer_next_id = 1;
	if (!sa->init_req || !sa->init_resp)
		return IKE_SA_EFAIL;
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	check_natd(sa, &m->chain, in->spi_i, (const uint8_t[IKE_SPI_LEN]){ 0 },
		   (const struct sockaddr *)&sa->remote);
	sa->half_open_deadline = now + sa->p.setup_timeout_ms;
	ike_sa_set_state(sa, IKE_SA_HALF_OPEN);
	return ike_sa_send_raw(sa, in->resp, in->resp_len);
}

int ike_init_accept(struct ike_sa_table *t, const struct ike_sa_params *p,
		    const struct ike_sa_ops *ops, void *ctx, const struct ike_msg *m,
		    const struct sockaddr *from, const struct sockaddr *to, uint64_t now,
		    struct ike_sa **out)
{
	const struct ike_chain *c = &m->chain;
	const struct ike_payload *pl_sa, *pl_ke, *pl_n;
	const struct ike_transform *dh;
	struct ike_proposal chosen;
	struct ike_sa_pl *sapl;
	struct ike_nonce_pl ni;
	struct ike_ke_pl ke;
	struct ike_alg alg;
	struct ike_sa *sa;
	uint8_t group[2];
	int rc;

	/* Malformed or incomplete: unauthenticated, so just dropped. */
	if (decode_first(c, IKE_PL_SA, &pl_sa) || decode_first(c, IKE_PL_KE, &pl_ke) ||
	    decode_first(c, IKE_PL_NONCE, &pl_n) || ike_decode_ke(pl_ke, &ke, NULL) ||
	    ike_decode_nonce(pl_n, &ni, NULL))
		return IKE_SA_EDROP;
	rc = ike_cookie_check(t, ops, ctx, m, &ni, from, to, now);
	if (rc)
		return rc;

	sapl = malloc(sizeof(*sapl));
	if (!sapl)
		return IKE_SA_EDROP;
	rc = ike_decode_sa(pl_sa, sapl, NULL);
	if (!rc)
		rc = ike_proposal_select(p->ike, p->n_ike, sapl, &chosen, NULL);
	free(sapl);
	if (rc == IKE_ENOPROPOSAL)
		return ike_init_refuse(ops, ctx, m, from, to, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
	if (rc || chosen.spi_size != 0)
		return ike_init_refuse(ops, ctx, m, from, to, IKE_N_INVALID_SYNTAX, NULL, 0);
	dh = ike_proposal_get(&chosen, IKE_TRANS_DH);
	ike_alg_from_proposal(&chosen, &alg);
	if (!dh || !dh->id)
		return ike_init_refuse(ops, ctx, m, from, to, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
	/* 1.2: the KE guess must be the group we chose; tell which one we want. */
	if (ke.group != dh->id) {
		group[0] = (uint8_t)(dh->id >> 8);
		group[1] = (uint8_t)dh->id;
		return ike_init_refuse(ops, ctx, m, from, to, IKE_N_INVALID_KE_PAYLOAD, group, 2);
	}
	if (!ike_nonce_len_ok(alg.prf, ni.len))
		return ike_init_refuse(ops, ctx, m, from, to, IKE_N_INVALID_SYNTAX, NULL, 0);

	sa = ike_sa_new(t, p, ops, ctx);
	if (!sa)
		return IKE_SA_EDROP;
	memset(&sa->local, 0, sizeof(sa->local));
	memset(&sa->remote, 0, sizeof(sa->remote));
	memcpy(&sa->local, to, to->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
			       sizeof(struct sockaddr_in));
	memcpy(&sa->remote, from, from->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
				  sizeof(struct sockaddr_in));
	rc = init_setup_responder(sa, m, &chosen, &ke, &ni, now);
	if (rc) {
		ike_sa_free(sa);
		if (rc == IKE_SA_EREFUSED)
			return ike_init_refuse(ops, ctx, m, from, to, IKE_N_INVALID_SYNTAX, NULL, 0);
		return IKE_SA_EDROP;
	}
	*out = sa;
	return 0;
}

int ike_init_receive(struct ike_sa *sa, struct ike_inst *in, const struct ike_msg *m,
		     uint64_t now)
{
	if (in->initiator)
		return init_response(sa, in, m, now);
	/* Responder: only a retransmission of the request we answered (2.1). */
	if (m->hdr.flags & IKE_FLAG_RESPONSE || m->hdr.msg_id != 0 || !in->has_resp ||
	    in->resp_id != 0 || !sa->init_req || m->raw_len != sa->init_req_len ||
	    memcmp(m->raw, sa->init_req, m->raw_len))
		return IKE_SA_EDROP;
	ike_sa_log(sa, LOG_DEBUG, "retransmitted IKE_SA_INIT: resending response");
	return ike_sa_send_raw(sa, in->resp, in->resp_len);
}

/* ---- IKE_AUTH -------------------------------------------------------------------- */

/* AUTH for our side: over MSG (our IKE_SA_INIT message), the peer's nonce, our ID (2.15). */
static int make_auth(struct ike_sa *sa, struct ike_inst *in, const uint8_t *msg, size_t msg_len,
		     const uint8_t *nonce, size_t nonce_len, const uint8_t *idb, size_t idb_len,
		     uint8_t *auth, size_t *auth_len)
{
	const uint8_t *sk_p = in->initiator ? in->keys.sk_pi : in->keys.sk_pr;

	return ike_psk_auth(in->alg.prf, sa->p.psk, sa->p.psk_len, msg, msg_len, nonce, nonce_len,
			    sk_p, in->keys.sz.prf_len, idb, idb_len, auth, auth_len);
}

/* The peer's AUTH, checked in constant time (ike_psk_verify). */
static bool auth_ok(struct ike_sa *sa, struct ike_inst *in, const struct ike_payload *pl_id,
		    const struct ike_payload *pl_auth, const uint8_t *msg, size_t msg_len,
		    const uint8_t *nonce, size_t nonce_len)
{
	const uint8_t *sk_p = in->initiator ? in->keys.sk_pr : in->keys.sk_pi;
	struct ike_auth_pl a;

	if (ike_decode_auth(pl_auth, &a, NULL) || a.method != IKE_AUTH_SHARED_KEY_MIC) {
		ike_sa_log(sa, LOG_WARNING, "AUTH method is not a shared key");
		return false;
	}
	if (pl_id->body_len < 4 || !id_ok(sa, pl_id)) {
		ike_sa_log(sa, LOG_WARNING, "peer identity is not the configured one");
		return false;
	}
	if (ike_psk_verify(in->alg.prf, sa->p.psk, sa->p.psk_len, msg, msg_len, nonce,
			   nonce_len, sk_p, in->keys.sz.prf_len, pl_id->body, pl_id->body_len,
			   a.data, a.len)) {
		ike_sa_log(sa, LOG_WARNING, "peer AUTH does not match: wrong pre-shared key?");
		return false;
	}
	return true;
}

/* IDi, [IDr], AUTH, [N(INITIAL_CONTACT)], SA, TSi, TSr (1.2). */
static int auth_send(struct ike_sa *sa, struct ike_inst *in, uint64_t now)
{
	struct ike_req req = { .kind = IKE_REQ_AUTH, .child = -1 };
	struct ike_proposal offer[IKE_SA_MAX_PROPOSALS];
	uint8_t idb[4 + IKE_SA_ID_MAX], auth[IKE_MAX_PRF_LEN];
	size_t idb_len = id_body(sa, &sa->p.local_id, idb), auth_len = sizeof(auth);
	struct ike_auth_pl a;
	struct ike_buf b;
	unsigned int n;
	int rc;

	if (make_auth(sa, in, sa->init_req, sa->init_req_len, sa->nr, sa->nr_len, idb, idb_len,
		      auth, &auth_len))
		return IKE_SA_EFAIL;
	a = (struct ike_auth_pl){ .method = IKE_AUTH_SHARED_KEY_MIC, .data = auth,
				  .len = auth_len };
	ike_buf_init(&b);
	ike_build_chain(&b);
	add_id(&b, IKE_PL_IDI, idb, idb_len);
	if (sa->p.remote_id.type) {
		struct ike_id_pl idr = { .type = sa->p.remote_id.type,
					 .data = sa->p.remote_id.data,
					 .len = sa->p.remote_id.len };

		ike_add_id(&b, IKE_PL_IDR, &idr);
	}
	ike_add_auth(&b, &a);
	if (sa->p.initial_contact) {
		struct ike_notify_pl ic = { .type = IKE_N_INITIAL_CONTACT };

		ike_add_notify(&b, &ic);
	}
	if (sa->p.n_esp) {
		/* The first CHILD_SA has no KE: no DH transforms (1.2). */
		if (ike_spi_esp(&sa->first_spi_in))
			b.error = true;
		ike_child_offer(sa, sa->first_spi_in, false, offer, &n);
		ike_add_sa(&b, offer, n);
		ike_child_add_ts(&b);
	}
	rc = ike_sa_send_request(sa, in, IKE_AUTH, &b, &req, now);
	ike_buf_free(&b);
	OPENSSL_cleanse(auth, sizeof(auth));
	return rc;
}

int ike_auth_request(struct ike_sa *sa, struct ike_inst *in, uint32_t id,
		     const struct ike_chain *c, uint64_t now)
{
	const struct ike_payload *pl_id = ike_chain_find(c, IKE_PL_IDI, NULL);
	const struct ike_payload *pl_auth = ike_chain_find(c, IKE_PL_AUTH, NULL);
	uint8_t idb[4 + IKE_SA_ID_MAX], auth[IKE_MAX_PRF_LEN];
	size_t idb_len = id_body(sa, &sa->p.local_id, idb), auth_len = sizeof(auth);
	struct ike_notify_pl ic;
	struct ike_auth_pl a;
	struct ike_buf b;
	int rc;

	if (!pl_id || !pl_auth) {
		ike_sa_send_notify_response(sa, in, IKE_AUTH, id, IKE_N_INVALID_SYNTAX, NULL, 0);
		ike_sa_close(sa, IKE_SA_FAIL_PROTOCOL);
		return 0;
	}
	if (!auth_ok(sa, in, pl_id, pl_auth, sa->init_req, sa->init_req_len, sa->nr,
		     sa->nr_len)) {
		/* 2.21.2: tell the peer, and forget the half-open SA. */
		ike_sa_send_notify_response(sa, in, IKE_AUTH, id, IKE_N_AUTHENTICATION_FAILED,
					    NULL, 0);
		ike_sa_close(sa, IKE_SA_FAIL_AUTH);
		return 0;
	}
	if (make_auth(sa, in, sa->init_resp, sa->init_resp_len, sa->ni, sa->ni_len, idb,
		      idb_len, auth, &auth_len)) {
		ike_sa_close(sa, IKE_SA_FAIL_INTERNAL);
		return 0;
	}
	established(sa, now);
	if (ike_find_notify(c, IKE_N_INITIAL_CONTACT, &ic))
		ike_sa_event_emit(sa, IKE_SA_EV_INITIAL_CONTACT);

	a = (struct ike_auth_pl){ .method = IKE_AUTH_SHARED_KEY_MIC, .data = auth,
				  .len = auth_len };
	ike_buf_init(&b);
	ike_build_chain(&b);
	add_id(&b, IKE_PL_IDR, idb, idb_len);
	ike_add_auth(&b, &a);
	ike_child_first_responder(sa, c, &b);
	rc = ike_sa_send_response(sa, in, IKE_AUTH, id, &b);
	ike_buf_free(&b);
	OPENSSL_cleanse(auth, sizeof(auth));
	ike_sa_setup_clear(sa);
	return rc;
}

void ike_auth_response(struct ike_sa *sa, struct ike_inst *in, const struct ike_chain *c,
		       uint64_t now)
{
	const struct ike_payload *pl_id = ike_chain_find(c, IKE_PL_IDR, NULL);
	const struct ike_payload *pl_auth = ike_chain_find(c, IKE_PL_AUTH, NULL);
	uint16_t error = ike_error_notify(c);

	if (!pl_auth || !pl_id) {
		/* 2.21.2: an error alone means no IKE SA. */
		ike_sa_log(sa, LOG_ERR, "IKE_AUTH refused with error %u%s", error,
			   error == IKE_N_AUTHENTICATION_FAILED ? " (AUTHENTICATION_FAILED)" : "");
		ike_sa_close(sa, error == IKE_N_AUTHENTICATION_FAILED ? IKE_SA_FAIL_AUTH :
				 IKE_SA_FAIL_PROTOCOL);
		return;
	}
	if (!auth_ok(sa, in, pl_id, pl_auth, sa->init_resp, sa->init_resp_len, sa->ni,
		     sa->ni_len)) {
		ike_sa_close(sa, IKE_SA_FAIL_AUTH);
		return;
	}
	established(sa, now);
	ike_child_first_initiator(sa, c);
	ike_sa_setup_clear(sa);
}

/* ---- IKE SA rekey (1.3.2, 2.18), simultaneous rekeys (2.8.2) ------------------------ */

static struct ike_inst *free_inst(struct ike_sa *sa)
{
	for (int i = 0; i < IKE_SA_INSTS; i++)
		if (!sa->inst[i].used)
			return &sa->inst[i];
	return NULL;
}

static int inst_idx(const struct ike_sa *sa, const struct ike_inst *in)
{
	return (int)(in - sa->inst);
}

int ike_rekey_ike_start(struct ike_sa *sa, uint16_t group, bool ke_retry, uint64_t now)
{
	struct ike_req req = { .kind = IKE_REQ_REKEY_IKE, .child = -1, .ke_retry = ke_retry };
	struct ike_proposal offer[IKE_SA_MAX_PROPOSALS];
	uint8_t pub[IKE_DH_MAX_PUBLIC];
	size_t pub_len = sizeof(pub);
	struct ike_ke_pl ke;
	struct ike_buf b;
	int rc, err;

	/* The group the peer chose last time, unless it asked for another one. */
	if (!group)
		group = CUR(sa)->dh_group;
	req.nonce_len = IKE_NONCE_LEN;
	if (ike_spi_ike(req.new_ike_spi) || ike_nonce(req.nonce, req.nonce_len))
		return IKE_SA_EFAIL;
	req.dh = ike_dh_new(group, &err);
	if (!req.dh || ike_dh_public(req.dh, pub, &pub_len)) {
		ike_req_clear(&req);
		return IKE_SA_EFAIL;
	}
	ke = (struct ike_ke_pl){ .group = group, .data = pub, .len = pub_len };
	ike_offer(sa, req.new_ike_spi, offer);
	ike_buf_init(&b);
	ike_build_chain(&b);
	ike_add_sa(&b, offer, sa->p.n_ike);
	ike_add_nonce(&b, req.nonce, req.nonce_len);
	ike_add_ke(&b, &ke);
	rc = ike_sa_send_request(sa, CUR(sa), IKE_CREATE_CHILD_SA, &b, &req, now);
	ike_buf_free(&b);
	ike_req_clear(&req);
	if (!rc)
		ike_sa_log(sa, LOG_INFO, "rekeying the IKE SA (DH group %u)", group);
	return rc;
}

void ike_sa_switch_inst(struct ike_sa *sa, int idx, uint64_t now)
{
	struct ike_inst *old = CUR(sa);

	sa->cur = idx;
	CUR(sa)->pending = false;
	CUR(sa)->expire_at = 0;
	old->expire_at = now + sa->p.dpd_timeout_ms;
	schedule_ike_rekey(sa, now);
	ike_sa_event_emit(sa, IKE_SA_EV_IKE_REKEYED);
}

int ike_rekey_ike_request(struct ike_sa *sa, struct ike_inst *in, uint32_t id,
			  const struct ike_chain *c, uint64_t now)
{
	const struct ike_payload *pl_sa = ike_chain_find(c, IKE_PL_SA, NULL);
	const struct ike_payload *pl_ke = ike_chain_find(c, IKE_PL_KE, NULL);
	const struct ike_payload *pl_n = ike_chain_find(c, IKE_PL_NONCE, NULL);
	/* 2.8.2: the peer's rekey crossed ours: answer as usual, decide later. */
	bool collide = in->req.kind == IKE_REQ_REKEY_IKE;
	struct ike_inst *nw = NULL;
	struct ike_proposal chosen;
	const struct ike_transform *dh;
	uint8_t seed[IKE_MAX_PRF_LEN], pub[IKE_DH_MAX_PUBLIC], nr[IKE_NONCE_LEN], grp[2];
	size_t seed_len = sizeof(seed), pub_len = sizeof(pub);
	struct ike_dh_ctx *mydh;
	struct ike_sa_pl *sapl;
	struct ike_nonce_pl ni;
	struct ike_ke_pl ke;
	struct ike_buf b;
	int rc, err;

	/* One rekey at a time: the last one's old IKE SA must be gone. */
	for (int i = 0; i < IKE_SA_INSTS; i++)
		if (i != sa->cur && sa->inst[i].used)
			return ike_sa_send_notify_response(sa, in, IKE_CREATE_CHILD_SA, id,
							   IKE_N_TEMPORARY_FAILURE, NULL, 0);
	nw = free_inst(sa);
	if (!pl_sa || !pl_ke || !pl_n || ike_decode_ke(pl_ke, &ke, NULL) ||
	    ike_decode_nonce(pl_n, &ni, NULL))
		return ike_sa_send_notify_response(sa, in, IKE_CREATE_CHILD_SA, id,
						   IKE_N_INVALID_SYNTAX, NULL, 0);
	sapl = malloc(sizeof(*sapl));
	if (!sapl)
		return IKE_SA_EFAIL;
	rc = ike_decode_sa(pl_sa, sapl, NULL);
	if (!rc)
		rc = ike_proposal_select(sa->p.ike, sa->p.n_ike, sapl, &chosen, NULL);
	free(sapl);
	dh = rc ? NULL : ike_proposal_get(&chosen, IKE_TRANS_DH);
	if (rc || chosen.spi_size != IKE_SPI_LEN || !dh || !dh->id)
		return ike_sa_send_notify_response(sa, in, IKE_CREATE_CHILD_SA, id,
						   rc == IKE_ESYNTAX ? IKE_N_INVALID_SYNTAX :
						   IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
	if (ke.group != dh->id) {
		grp[0] = (uint8_t)(dh->id >> 8);
		grp[1] = (uint8_t)dh->id;
		return ike_sa_send_notify_response(sa, in, IKE_CREATE_CHILD_SA, id,
						   IKE_N_INVALID_KE_PAYLOAD, grp, 2);
	}

	ike_inst_clear(nw);
	nw->used = true;
	nw->initiator = false;	/* the rekey's initiator is the new SA's initiator (2.18) */
	memcpy(nw->spi_i, chosen.spi, IKE_SPI_LEN);
	nw->prop = chosen;
	ike_alg_from_proposal(&chosen, &nw->alg);
	nw->dh_group = dh->id;
	mydh = ike_dh_new(dh->id, &err);
	rc = !mydh || !ike_nonce_len_ok(nw->alg.prf, ni.len) || ike_spi_ike(nw->spi_r) ||
	     ike_nonce(nr, sizeof(nr)) || ike_dh_public(mydh, pub, &pub_len) ||
	     derive_skeyseed(mydh, &ke, in, 0, ni.data, ni.len, nr, sizeof(nr), seed,
			     &seed_len) ||
	     ike_inst_set_keys(sa, nw, seed, seed_len, ni.data, ni.len, nr, sizeof(nr));
	OPENSSL_cleanse(seed, sizeof(seed));
	if (rc) {
		ike_dh_free(mydh);
		ike_inst_clear(nw);
		return ike_sa_send_notify_response(sa, in, IKE_CREATE_CHILD_SA, id,
						   IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
	}
	memcpy(chosen.spi, nw->spi_r, IKE_SPI_LEN);
	ke = (struct ike_ke_pl){ .group = dh->id, .data = pub, .len = pub_len };
	ike_buf_init(&b);
	ike_build_chain(&b);
	ike_add_sa(&b, &chosen, 1);
	ike_add_nonce(&b, nr, sizeof(nr));
	ike_add_ke(&b, &ke);
	rc = ike_sa_send_response(sa, in, IKE_CREATE_CHILD_SA, id, &b);
	ike_buf_free(&b);
	ike_dh_free(mydh);
	if (rc) {
		ike_inst_clear(nw);
		return rc;
	}
	if (collide) {
		nw->pending = true;
		ike_nonce_low(ni.data, ni.len, nr, sizeof(nr), nw->low_nonce, &nw->low_nonce_len);
		OPENSSL_cleanse(nr, sizeof(nr));
		ike_sa_log(sa, LOG_INFO, "IKE rekey collision: both ends rekey, the nonces decide");
		return 0;
	}
	OPENSSL_cleanse(nr, sizeof(nr));
	ike_sa_log(sa, LOG_INFO, "IKE SA rekeyed by the peer");
	ike_sa_switch_inst(sa, inst_idx(sa, nw), now);
	return 0;
}

/* Our rekey failed or was refused (ERROR, 0 if malformed); REQ is the request. */
static void rekey_ike_failed(struct ike_sa *sa, const struct ike_req *req,
			     const struct ike_chain *c, uint16_t error, uint64_t now)
{
	struct ike_inst *peer = ike_sa_pending(sa);
	uint16_t group;

	if (peer) {
		/* 2.8.2: the peer's colliding rekey stands alone; it deletes the old SA. */
		ike_sa_log(sa, LOG_INFO, "IKE rekey failed (error %u): the peer's rekey takes over",
			   error);
		ike_sa_switch_inst(sa, inst_idx(sa, peer), now);
		return;
	}
	if (error == IKE_N_INVALID_KE_PAYLOAD) {
		group = ike_ke_retry_group(sa, "IKE", sa->p.ike, sa->p.n_ike, req, c);
		if (group && !ike_rekey_ike_start(sa, group, true, now))
			return;
	} else {
		ike_sa_log(sa, LOG_WARNING, "IKE rekey failed (error %u)", error);
	}
	if (sa->p.ike_rekey_ms)
		sa->ike_rekey_at = ike_sa_rekey_retry(sa, now);
}

void ike_rekey_ike_response(struct ike_sa *sa, struct ike_inst *in, struct ike_req *req,
			    const struct ike_chain *c, uint64_t now)
{
	const struct ike_payload *pl_sa = ike_chain_find(c, IKE_PL_SA, NULL);
	const struct ike_payload *pl_ke = ike_chain_find(c, IKE_PL_KE, NULL);
	const struct ike_payload *pl_n = ike_chain_find(c, IKE_PL_NONCE, NULL);
	struct ike_proposal offer[IKE_SA_MAX_PROPOSALS], chosen;
	struct ike_inst *old = in, *nw = free_inst(sa), *peer = ike_sa_pending(sa);
	uint8_t seed[IKE_MAX_PRF_LEN];
	size_t seed_len = sizeof(seed);
	const struct ike_transform *dh;
	struct ike_sa_pl *sapl;
	struct ike_nonce_pl nr;
	struct ike_ke_pl ke;
	uint16_t error = ike_error_notify(c);
	int rc;

	if (error || !pl_sa || !pl_ke || !pl_n || ike_decode_ke(pl_ke, &ke, NULL) ||
	    ike_decode_nonce(pl_n, &nr, NULL) || !nw || old != CUR(sa)) {
		rekey_ike_failed(sa, req, c, error, now);
		return;
	}
	sapl = malloc(sizeof(*sapl));
	if (!sapl)
		return;
	ike_offer(sa, req->new_ike_spi, offer);
	rc = ike_decode_sa(pl_sa, sapl, NULL) ||
	     ike_proposal_check_reply(offer, sa->p.n_ike, sapl, &chosen, NULL);
	free(sapl);
	dh = rc ? NULL : ike_proposal_get(&chosen, IKE_TRANS_DH);
	if (!dh || chosen.spi_size != IKE_SPI_LEN || dh->id != ke.group ||
	    ke.group != ike_dh_group(req->dh)) {
		ike_sa_log(sa, LOG_WARNING, "IKE rekey: unacceptable response");
		rekey_ike_failed(sa, req, c, 0, now);
		return;
	}
	nw->used = true;
	nw->initiator = true;
	memcpy(nw->spi_i, req->new_ike_spi, IKE_SPI_LEN);
	memcpy(nw->spi_r, chosen.spi, IKE_SPI_LEN);
	nw->prop = chosen;
	ike_alg_from_proposal(&chosen, &nw->alg);
	nw->dh_group = ke.group;
	rc = !ike_nonce_len_ok(nw->alg.prf, nr.len) ||
	     derive_skeyseed(req->dh, &ke, old, 0, req->nonce, req->nonce_len, nr.data, nr.len,
			     seed, &seed_len) ||
	     ike_inst_set_keys(sa, nw, seed, seed_len, req->nonce, req->nonce_len, nr.data,
			       nr.len);
	OPENSSL_cleanse(seed, sizeof(seed));
	if (rc) {
		ike_inst_clear(nw);
		ike_sa_log(sa, LOG_WARNING, "IKE rekey: key derivation failed");
		rekey_ike_failed(sa, req, c, 0, now);
		return;
	}
	ike_nonce_low(req->nonce, req->nonce_len, nr.data, nr.len, nw->low_nonce,
		      &nw->low_nonce_len);
	if (peer && ike_rekey_redundant(nw->low_nonce, nw->low_nonce_len, peer->low_nonce,
					peer->low_nonce_len, old->initiator)) {
		/*
		 * 2.8.2: ours holds the lowest nonce: we delete it, the peer's
		 * inherits the CHILD_SAs, and the peer deletes the old IKE SA.
		 */
		ike_sa_log(sa, LOG_INFO, "IKE rekey collision: ours is redundant, the peer's "
			   "takes over");
		ike_sa_switch_inst(sa, inst_idx(sa, peer), now);
		if (ike_inst_send_delete(sa, nw, now))
			ike_inst_clear(nw);
		return;
	}
	if (peer) {
		/* The peer deletes its redundant one; we drop it at the latest then. */
		ike_sa_log(sa, LOG_INFO, "IKE rekey collision: ours survives, the peer's is "
			   "redundant");
		peer->pending = false;
		peer->expire_at = now + sa->p.dpd_timeout_ms;
	}
	ike_sa_switch_inst(sa, inst_idx(sa, nw), now);
	/* 2.18: the initiator of the (surviving) rekey deletes the old IKE SA. */
	if (ike_inst_send_delete(sa, old, now))
		ike_inst_drop(sa, old, now);
	ike_sa_log(sa, LOG_INFO, "IKE SA rekeyed");
}

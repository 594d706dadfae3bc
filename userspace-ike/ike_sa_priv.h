/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals shared by ike_sa.c (lifecycle, transport, message IDs,
 * INFORMATIONAL), ike_exchange.c (IKE_SA_INIT, IKE_AUTH, IKE rekey) and
 * ike_child.c (CHILD_SAs: first one, rekey, delete). Not an API.
 */
#ifndef S2SVPN_IKE_SA_PRIV_H
#define S2SVPN_IKE_SA_PRIV_H

#include <syslog.h>

#include "ike_sa.h"
#include "proposal.h"

enum ike_req_kind {
	IKE_REQ_NONE,
	IKE_REQ_INIT,
	IKE_REQ_AUTH,
	IKE_REQ_DPD,
	IKE_REQ_DELETE_IKE,
	IKE_REQ_DELETE_CHILD,
	IKE_REQ_REKEY_CHILD,
	IKE_REQ_REKEY_IKE,
};

/* Our one outstanding request (window size 1, RFC 7296 2.3). */
struct ike_req {
	enum ike_req_kind kind;
	uint32_t id;
	uint8_t exchange;
	uint8_t *msg;
	size_t len;
	uint64_t next_retx;
	uint64_t deadline;
	unsigned int tries;
	/* Kind-specific. */
	int child;				/* rekeyed or deleted child, -1 */
	uint32_t child_spi;			/* its inbound SPI, should the slot be reused */
	uint32_t new_spi;			/* REKEY_CHILD: our new inbound SPI */
	bool ke_retry;				/* REKEY_*: already retried after INVALID_KE */
	uint8_t new_ike_spi[IKE_SPI_LEN];	/* REKEY_IKE: our new SPI */
	struct ike_dh_ctx *dh;			/* REKEY_*: our KE */
	size_t nonce_len;
	uint8_t nonce[IKE_NONCE_LEN];
};

/*
 * One IKE SA proper: SPIs, keys, message windows. struct ike_sa keeps the
 * one in use and, during an IKE rekey, the old one until it is deleted;
 * after simultaneous rekeys (RFC 7296 2.8.2) also the peer's new one: old,
 * ours and the peer's make three.
 */
#define IKE_SA_INSTS	3

struct ike_inst {
	bool used;
	bool initiator;			/* original initiator: I flag, which SPI is ours */
	uint8_t spi_i[IKE_SPI_LEN], spi_r[IKE_SPI_LEN];
	struct ike_proposal prop;
	struct ike_alg alg;
	uint16_t dh_group;
	struct ike_sa_keys keys;
	struct ike_sk *sk_out, *sk_in;
	uint32_t next_req_id;		/* of our next request */
	uint32_t peer_next_id;		/* of the peer's next request */
	struct ike_req req;
	bool has_resp;			/* cached response to peer_next_id - 1 */
	uint32_t resp_id;
	uint8_t *resp;
	size_t resp_len;
	uint64_t expire_at;		/* old instance: dropped then at the latest */
	/*
	 * Made by the peer's rekey of the IKE SA while ours was out (2.8.2):
	 * not in use until the nonces decide, when our rekey's response comes,
	 * or until the peer deletes the old IKE SA (it did not see ours).
	 */
	bool pending;
	size_t low_nonce_len;		/* lowest nonce of the exchange that made it */
	uint8_t low_nonce[IKE_NONCE_MAX];
};

enum ike_child_state {
	IKE_CHILD_FREE,
	IKE_CHILD_INSTALLED,	/* both directions in use */
	/* Rekeyed by the peer: inbound in, outbound waits for the old one's DELETE. */
	IKE_CHILD_OUT_PENDING,
	/*
	 * Superseded, or the peer's redundant SA of a collision: no outbound,
	 * inbound kept until remove_at (grace).
	 */
	IKE_CHILD_REKEYED,
	IKE_CHILD_DELETING,	/* our DELETE for it is out */
};

struct ike_child {
	enum ike_child_state state;
	uint32_t spi_in, spi_out;
	struct ike_alg alg;
	bool esn;
	bool in_installed, out_installed;
	bool rekeying;			/* our CREATE_CHILD_SA for it is out */
	bool delete_queued;		/* our DELETE for it waits for the window */
	int successor;			/* child the peer's rekey of this one made, -1 */
	uint64_t remove_at;		/* REKEYED: remove inbound then; 0: not yet known */
	uint64_t switch_at;		/* OUT_PENDING: install outbound then at the latest */
	size_t low_nonce_len;		/* lowest nonce of its exchange (RFC 7296 2.8.1) */
	uint8_t low_nonce[IKE_NONCE_MAX];
	struct ike_sa_child_sa out_pending;	/* OUT_PENDING: outbound keys */
};

struct ike_sa {
	struct ike_sa *next;		/* in the table */
	struct ike_sa_table *table;
	const struct ike_sa_ops *ops;
	void *ctx;
	struct ike_sa_params p;
	enum ike_sa_state state;
	enum ike_sa_fail fail;
	struct sockaddr_storage local, remote;	/* current, after floating */
	struct ike_inst inst[IKE_SA_INSTS];
	int cur;			/* index of the instance in use */
	/* IKE_SA_INIT and IKE_AUTH only. */
	struct ike_dh_ctx *dh;
	size_t ni_len, nr_len;
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	uint8_t *init_req, *init_resp;	/* signed by AUTH (RFC 7296 2.15) */
	size_t init_req_len, init_resp_len;
	size_t cookie_len;
	uint8_t cookie[IKE_NONCE_MAX];
	unsigned int cookie_tries;
	bool ke_retried;
	uint32_t first_spi_in;		/* initiator: SPI offered in IKE_AUTH */
	uint64_t half_open_deadline;
	uint64_t ike_rekey_at, child_rekey_at;	/* 0: none */
	uint16_t pfs_group;		/* DH group of the last CHILD rekey; 0: first configured */
	struct ike_child child[IKE_SA_MAX_CHILDREN];
};

#define CUR(sa)	(&(sa)->inst[(sa)->cur])

/* ike_sa.c */
void ike_sa_log(struct ike_sa *sa, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ike_sa_event_emit(struct ike_sa *sa, enum ike_sa_event ev);
void ike_sa_set_state(struct ike_sa *sa, enum ike_sa_state s);
void ike_sa_close(struct ike_sa *sa, enum ike_sa_fail why);
struct ike_sa *ike_sa_new(struct ike_sa_table *t, const struct ike_sa_params *p,
			  const struct ike_sa_ops *ops, void *ctx);
/* Drop what only IKE_SA_INIT and IKE_AUTH need (DH, nonces, signed messages). */
void ike_sa_setup_clear(struct ike_sa *sa);
/* REQ (message built, kind set) becomes IN's outstanding request, and is sent. */
int ike_sa_start_request(struct ike_sa *sa, struct ike_inst *in, struct ike_req *req,
			 uint64_t now);
int ike_sa_send_raw(struct ike_sa *sa, const uint8_t *msg, size_t len);
int ike_sa_send_request(struct ike_sa *sa, struct ike_inst *in, uint8_t exchange,
			struct ike_buf *inner, struct ike_req *req, uint64_t now);
int ike_sa_send_response(struct ike_sa *sa, struct ike_inst *in, uint8_t exchange,
			 uint32_t id, struct ike_buf *inner);
/* An INFORMATIONAL request with DELETE of IN, the IKE SA (1.4.1). */
int ike_inst_send_delete(struct ike_sa *sa, struct ike_inst *in, uint64_t now);
/* A response made of one notify (error replies). */
int ike_sa_send_notify_response(struct ike_sa *sa, struct ike_inst *in, uint8_t exchange,
				uint32_t id, uint16_t type, const uint8_t *data, size_t len);
void ike_req_clear(struct ike_req *req);
void ike_inst_clear(struct ike_inst *in);
/* Clear IN, a non-current instance, after settling its outstanding request. */
void ike_inst_drop(struct ike_sa *sa, struct ike_inst *in, uint64_t now);
/* The instance the peer's colliding IKE rekey made, not yet in use, or NULL. */
struct ike_inst *ike_sa_pending(struct ike_sa *sa);
int ike_inst_set_keys(struct ike_sa *sa, struct ike_inst *in, const uint8_t *skeyseed,
		      size_t skeyseed_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		      size_t nr_len);
void ike_alg_from_proposal(const struct ike_proposal *p, struct ike_alg *alg);
uint16_t ike_first_dh(const struct ike_proposal *p, unsigned int n);
bool ike_dh_offered(const struct ike_proposal *p, unsigned int n, uint16_t group);
/* When to rekey something up for MS (0: never), fuzzed so peers do not collide. */
uint64_t ike_sa_rekey_time(const struct ike_sa *sa, uint64_t now, uint32_t ms);
/* When to retry a failed rekey: 1 to 2 times retransmit_max_ms, at random. */
uint64_t ike_sa_rekey_retry(const struct ike_sa *sa, uint64_t now);
uint64_t ike_get64(const uint8_t *p);
void ike_put64(uint8_t *p, uint64_t v);
void ike_put32(uint8_t *p, uint32_t v);
uint32_t ike_get32(const uint8_t *p);
/* First notify of TYPE in C (decoded into N); false if none or malformed. */
bool ike_find_notify(const struct ike_chain *c, uint16_t type, struct ike_notify_pl *n);
/* First error notify (type < 16384) in C, 0 if none. */
uint16_t ike_error_notify(const struct ike_chain *c);
void ike_nonce_low(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		   uint8_t *out, size_t *outlen);
int ike_nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
/*
 * RFC 7296 2.8.1, 2.8.2: of the two SAs simultaneous rekeys made, the one
 * whose exchange holds the lowest of the four nonces is redundant. MINE
 * and THEIRS are the lowest nonce of each exchange (ike_nonce_low); true
 * if ours is the redundant one. IKE_INITIATOR: we are the current IKE SA's
 * original initiator, which breaks a tie (a nonce seen in both exchanges,
 * left open by the RFC) the same way on both ends.
 */
bool ike_rekey_redundant(const uint8_t *mine, size_t mine_len, const uint8_t *theirs,
			 size_t theirs_len, bool ike_initiator);
/* The DH group an INVALID_KE_PAYLOAD notify in C asks for; 0 if none or malformed. */
uint16_t ike_invalid_ke_group(const struct ike_chain *c);
/*
 * INVALID_KE_PAYLOAD (in C) answered our rekey REQ: the group to retry
 * with, once (1.3.2, 1.3.3), if ALLOWED (our configured proposals, N of
 * them) has it; else 0. Logs which, WHAT naming the rekey.
 */
uint16_t ike_ke_retry_group(struct ike_sa *sa, const char *what,
			    const struct ike_proposal *allowed, unsigned int n,
			    const struct ike_req *req, const struct ike_chain *c);

/* ike_exchange.c */
/* An unencrypted answer to IKE_SA_INIT that creates no state: IKE_SA_EREFUSED. */
int ike_init_refuse(const struct ike_sa_ops *ops, void *ctx, const struct ike_msg *m,
		    const struct sockaddr *from, const struct sockaddr *to, uint16_t type,
		    const uint8_t *data, size_t len);
int ike_init_start(struct ike_sa *sa, uint64_t now);
int ike_init_accept(struct ike_sa_table *t, const struct ike_sa_params *p,
		    const struct ike_sa_ops *ops, void *ctx, const struct ike_msg *m,
		    const struct sockaddr *from, const struct sockaddr *to, uint64_t now,
		    struct ike_sa **out);
int ike_init_receive(struct ike_sa *sa, struct ike_inst *in, const struct ike_msg *m,
		     uint64_t now);
int ike_auth_request(struct ike_sa *sa, struct ike_inst *in, uint32_t id,
		     const struct ike_chain *c, uint64_t now);
void ike_auth_response(struct ike_sa *sa, struct ike_inst *in, const struct ike_chain *c,
		       uint64_t now);
/* GROUP: the KE's DH group, 0 for the IKE SA's; KE_RETRY: after INVALID_KE_PAYLOAD. */
int ike_rekey_ike_start(struct ike_sa *sa, uint16_t group, bool ke_retry, uint64_t now);
/* Instance IDX becomes the one in use; the old one waits for its DELETE. */
void ike_sa_switch_inst(struct ike_sa *sa, int idx, uint64_t now);
int ike_rekey_ike_request(struct ike_sa *sa, struct ike_inst *in, uint32_t id,
			  const struct ike_chain *c, uint64_t now);
void ike_rekey_ike_response(struct ike_sa *sa, struct ike_inst *in, struct ike_req *req,
			    const struct ike_chain *c, uint64_t now);

/* ike_cookie.c */
/*
 * 2.6: 0 if M (whose nonce is NI) may create state; else it was answered
 * with a COOKIE (IKE_SA_EREFUSED) or dropped (IKE_SA_EDROP).
 */
int ike_cookie_check(struct ike_sa_table *t, const struct ike_sa_ops *ops, void *ctx,
		     const struct ike_msg *m, const struct ike_nonce_pl *ni,
		     const struct sockaddr *from, const struct sockaddr *to, uint64_t now);
void ike_cookie_rotate(struct ike_sa_table *t, uint64_t now);

/* ike_child.c */
void ike_child_offer(const struct ike_sa *sa, uint32_t spi, bool with_dh,
		     struct ike_proposal *out, unsigned int *n);
void ike_child_add_ts(struct ike_buf *b);
int ike_child_check_ts(const struct ike_chain *c, struct ike_ts *out, unsigned int *n);
void ike_child_add_ts_list(struct ike_buf *b, const struct ike_ts *ts, unsigned int n);
int ike_child_first_responder(struct ike_sa *sa, const struct ike_chain *c, struct ike_buf *b);
void ike_child_first_initiator(struct ike_sa *sa, const struct ike_chain *c);
int ike_child_rekey_start(struct ike_sa *sa, uint32_t spi_in, uint64_t now);
int ike_child_rekey_request(struct ike_sa *sa, struct ike_inst *in, uint32_t id,
			    const struct ike_chain *c, const struct ike_notify_pl *rekey,
			    uint64_t now);
/* IN: the IKE SA instance the exchange ran on, whose SK_d makes the keys. */
void ike_child_rekey_response(struct ike_sa *sa, struct ike_inst *in, struct ike_req *req,
			      const struct ike_chain *c, uint64_t now);
/* DELETE payloads for ESP in a request: handles them, adds our DELETE to B. */
void ike_child_delete_request(struct ike_sa *sa, const struct ike_chain *c, struct ike_buf *b,
			      uint64_t now);
int ike_child_delete_start(struct ike_sa *sa, uint32_t spi_in, uint64_t now);
void ike_child_delete_response(struct ike_sa *sa, struct ike_req *req, uint64_t now);
/* REQ (REKEY_CHILD or DELETE_CHILD) will get no answer: its IKE SA instance is gone. */
void ike_child_abandon(struct ike_sa *sa, const struct ike_req *req, uint64_t now);
/* Send a DELETE that waited for the window, if the window is free. */
void ike_child_send_queued(struct ike_sa *sa, uint64_t now);
void ike_child_timer(struct ike_sa *sa, uint64_t now);
uint64_t ike_child_next_timer(const struct ike_sa *sa);
void ike_child_remove_all(struct ike_sa *sa);

#endif /* S2SVPN_IKE_SA_PRIV_H */

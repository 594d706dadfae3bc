/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv2 message codec (RFC 7296 section 3).
 *
 * Parsing is zero-copy: struct ike_msg and the decoded payload structs
 * point into the caller's buffer, which must outlive them. Nothing here
 * allocates while parsing; every decoder fills a fixed-capacity struct
 * and fails cleanly when a peer sends more than it holds.
 *
 * Building (msg_build.c) uses struct ike_buf, a growable buffer with a
 * hard maximum and a sticky error flag: add every payload, then check
 * once with ike_build_finish().
 */
#ifndef S2SVPN_MSG_H
#define S2SVPN_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike.h"

#define IKE_MAX_PAYLOADS	64	/* per chain, skipped ones included */
#define IKE_MAX_PROPOSALS	8
/*
 * strongSwan's default IKE proposal alone carries about 26 transforms, so
 * the 16 one might guess would refuse it.
 */
#define IKE_MAX_TRANSFORMS	48
#define IKE_MAX_TS		16
#define IKE_BUF_MAX		65536	/* largest message we build */
#define IKE_SPI_MAX		8	/* an IKE SPI; Child SA SPIs are 4 */
#define IKE_ERR_LEN		256

/* Fixed parts of the wire format (RFC 7296 3.3.1, 3.3.2, 3.3.5, 3.13.1). */
#define IKE_PROPOSAL_HDR_LEN	8
#define IKE_TRANSFORM_HDR_LEN	8
#define IKE_ATTR_HDR_LEN	4
#define IKE_TS_HDR_LEN		8	/* type, protocol, length, ports */

/* Return codes (negative on failure), also kept in ike_msg_err.rc. */
enum ike_rc {
	IKE_OK = 0,
	IKE_ESYNTAX = -1,	/* malformed */
	IKE_EVERSION = -2,	/* major version is not 2 */
	IKE_ECRITICAL = -3,	/* unknown payload with the critical bit */
	IKE_ELIMIT = -4,	/* well formed, but beyond a fixed capacity */
	IKE_ENOPROPOSAL = -5,	/* proposal.c: nothing acceptable */
	IKE_EINVAL = -6,	/* bad argument or configuration text */
};

struct ike_msg_err {
	int rc;			/* enum ike_rc */
	uint16_t notify;	/* IKE_N_* the caller should answer with, 0: none */
	uint8_t payload_type;	/* for UNSUPPORTED_CRITICAL_PAYLOAD: its data */
	char msg[IKE_ERR_LEN];	/* for the log */
};

/* Fills ERR (if not NULL) and returns RC. */
int ike_err_set(struct ike_msg_err *err, int rc, uint16_t notify, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- parsed message ---------------------------------------------------- */

struct ike_hdr {
	uint64_t spi_i;		/* host order */
	uint64_t spi_r;
	uint8_t next_payload;
	uint8_t version;	/* major << 4 | minor */
	uint8_t exchange;
	uint8_t flags;		/* IKE_FLAG_* */
	uint32_t msg_id;
	uint32_t length;
};

struct ike_payload {
	uint8_t type;
	uint8_t next;		/* raw Next Payload; for SK, the first inner type */
	bool critical;
	uint8_t index;		/* 1-based position in the chain */
	uint32_t offset;	/* of the generic header, in the parsed buffer */
	const uint8_t *body;	/* after the 4-byte generic header */
	uint16_t body_len;
};

struct ike_chain {
	unsigned int n;			/* payloads kept in pl[] */
	unsigned int n_skipped;		/* unknown non-critical ones, dropped */
	struct ike_payload pl[IKE_MAX_PAYLOADS];
};

struct ike_msg {
	struct ike_hdr hdr;
	const uint8_t *raw;	/* the whole message (AUTH octets, SK's AAD) */
	size_t raw_len;
	struct ike_chain chain;
};

/*
 * Parse a whole message of exactly LEN bytes (no non-ESP marker). On
 * IKE_EVERSION m->hdr is filled, so the caller can answer with the SPIs.
 */
int ike_msg_parse(const uint8_t *buf, size_t len, struct ike_msg *m, struct ike_msg_err *err);

/* Parse a decrypted SK body: FIRST_TYPE is the SK payload's Next Payload. */
int ike_msg_parse_chain(uint8_t first_type, const uint8_t *buf, size_t len,
			struct ike_chain *c, struct ike_msg_err *err);

/* The SK (or SKF) payload, always last; NULL if there is none. */
const struct ike_payload *ike_msg_sk(const struct ike_msg *m);

/* Next payload of TYPE after AFTER (NULL: the first); NULL if none. */
const struct ike_payload *ike_chain_find(const struct ike_chain *c, uint8_t type,
					 const struct ike_payload *after);
unsigned int ike_chain_count(const struct ike_chain *c, uint8_t type);

const char *ike_payload_name(uint8_t type);
const char *ike_exchange_name(uint8_t exchange);

/* ---- payload bodies ---------------------------------------------------- */

/* Transform flag: an attribute we do not understand (RFC 7296 3.3.6). */
#define IKE_TF_UNACCEPTABLE	0x01

struct ike_transform {
	uint8_t type;		/* IKE_TRANS_* */
	uint8_t flags;		/* IKE_TF_* */
	uint16_t id;
	uint16_t key_len;	/* bits; 0: no Key Length attribute */
};

struct ike_proposal {
	uint8_t num;
	uint8_t protocol;	/* IKE_PROTO_* */
	uint8_t spi_size;
	uint8_t n_transforms;
	uint8_t spi[IKE_SPI_MAX];
	struct ike_transform t[IKE_MAX_TRANSFORMS];
};

struct ike_sa_pl {
	unsigned int n;
	struct ike_proposal p[IKE_MAX_PROPOSALS];
};

struct ike_ke_pl {
	uint16_t group;
	const uint8_t *data;
	size_t len;
};

struct ike_nonce_pl {
	const uint8_t *data;
	size_t len;
};

struct ike_notify_pl {
	uint8_t protocol;
	uint8_t spi_size;	/* 0, 4 (AH, ESP) or 8 (IKE) */
	uint16_t type;		/* IKE_N_* */
	uint8_t spi[IKE_SPI_MAX];
	const uint8_t *data;
	size_t len;
};

struct ike_id_pl {
	uint8_t type;		/* IKE_ID_* */
	const uint8_t *data;
	size_t len;
};

struct ike_auth_pl {
	uint8_t method;		/* IKE_AUTH_* */
	const uint8_t *data;
	size_t len;
};

struct ike_ts {
	uint8_t type;		/* IKE_TS_IPV4_ADDR_RANGE or IKE_TS_IPV6_ADDR_RANGE */
	uint8_t ip_proto;	/* 0: any */
	uint16_t start_port;
	uint16_t end_port;
	uint8_t start[16];	/* 4 bytes used for IPv4 */
	uint8_t end[16];
};

struct ike_ts_pl {
	unsigned int n;
	unsigned int n_unknown;	/* selectors of other types, skipped */
	struct ike_ts ts[IKE_MAX_TS];
};

struct ike_delete_pl {
	uint8_t protocol;
	uint8_t spi_size;	/* 0 for IKE, 4 for AH and ESP */
	uint16_t n;
	const uint8_t *spis;	/* n * spi_size bytes */
};

struct ike_vendor_pl {
	const uint8_t *data;
	size_t len;
};

int ike_decode_sa(const struct ike_payload *pl, struct ike_sa_pl *sa, struct ike_msg_err *err);
int ike_decode_ke(const struct ike_payload *pl, struct ike_ke_pl *ke, struct ike_msg_err *err);
int ike_decode_nonce(const struct ike_payload *pl, struct ike_nonce_pl *n,
		     struct ike_msg_err *err);
int ike_decode_notify(const struct ike_payload *pl, struct ike_notify_pl *n,
		      struct ike_msg_err *err);
int ike_decode_id(const struct ike_payload *pl, struct ike_id_pl *id, struct ike_msg_err *err);
int ike_decode_auth(const struct ike_payload *pl, struct ike_auth_pl *a, struct ike_msg_err *err);
int ike_decode_ts(const struct ike_payload *pl, struct ike_ts_pl *ts, struct ike_msg_err *err);
int ike_decode_delete(const struct ike_payload *pl, struct ike_delete_pl *d,
		      struct ike_msg_err *err);
int ike_decode_vendor(const struct ike_payload *pl, struct ike_vendor_pl *v,
		      struct ike_msg_err *err);

/* SPI I (0-based) of a 4-byte-SPI Delete payload, host order. */
uint32_t ike_delete_spi(const struct ike_delete_pl *d, unsigned int i);

/* Address length of a TS type: 4, 16, or 0 if unknown. */
size_t ike_ts_addr_len(uint8_t type);

/* ---- building ---------------------------------------------------------- */

struct ike_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	bool error;		/* sticky: any failure since the last start */
	bool has_hdr;		/* a message (not a bare inner chain) */
	bool sealed;		/* SK added: nothing may follow */
	uint8_t first;		/* first payload type (what SK's Next Payload says) */
	size_t next_at;		/* offset of the Next Payload byte to patch */
};

void ike_buf_init(struct ike_buf *b);
void ike_buf_free(struct ike_buf *b);

/* Start a message: header from H (version 2.0; next payload and length filled in later). */
void ike_build_msg(struct ike_buf *b, const struct ike_hdr *h);
/* Start a bare payload chain, to be encrypted into an SK payload. */
void ike_build_chain(struct ike_buf *b);
/* Write the total length; 0, or -1 if anything failed since the start. */
int ike_build_finish(struct ike_buf *b);

void ike_add_raw(struct ike_buf *b, uint8_t type, bool critical, const uint8_t *body, size_t len);
void ike_add_sa(struct ike_buf *b, const struct ike_proposal *p, unsigned int n);
void ike_add_ke(struct ike_buf *b, const struct ike_ke_pl *ke);
void ike_add_nonce(struct ike_buf *b, const uint8_t *nonce, size_t len);
void ike_add_notify(struct ike_buf *b, const struct ike_notify_pl *n);
void ike_add_id(struct ike_buf *b, uint8_t payload_type, const struct ike_id_pl *id);
void ike_add_auth(struct ike_buf *b, const struct ike_auth_pl *a);
void ike_add_ts(struct ike_buf *b, uint8_t payload_type, const struct ike_ts *ts, unsigned int n);
void ike_add_delete(struct ike_buf *b, const struct ike_delete_pl *d);
void ike_add_vendor(struct ike_buf *b, const uint8_t *data, size_t len);
/*
 * Add the SK payload, which must be last: Next Payload = INNER_FIRST, body
 * (IV | ciphertext | ICV) copied from BODY, or zeroed if BODY is NULL.
 * Returns where the body lies in b->data (to encrypt in place after
 * ike_build_finish() wrote the length, which the AAD covers), NULL on error.
 */
uint8_t *ike_add_sk(struct ike_buf *b, uint8_t inner_first, const uint8_t *body, size_t len);

#endif /* S2SVPN_MSG_H */

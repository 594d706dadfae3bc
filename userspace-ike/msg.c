// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv2 message parsing: header and generic payload chain (RFC 7296 3.1,
 * 3.2) and the typed payload decoders (3.3 to 3.14). Building is in
 * msg_build.c.
 *
 * Everything read from the wire is untrusted: every length is checked
 * against what is left before it is used, with the check written out
 * next to the read, and every loop is bounded by a length or a cap.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

int ike_err_set(struct ike_msg_err *err, int rc, uint16_t notify, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return rc;
	err->rc = rc;
	err->notify = notify;
	err->payload_type = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return rc;
}

/* Most decoding failures: the peer sent something RFC 7296 does not allow. */
#define syntax(err, ...) ike_err_set(err, IKE_ESYNTAX, IKE_N_INVALID_SYNTAX, __VA_ARGS__)

/* Append to ERR's message, after a prefix naming where the problem is. */
static void err_append(struct ike_msg_err *err, const char *fmt, va_list ap)
{
	size_t n = strlen(err->msg);

	vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
}

/* INVALID_SYNTAX for payload IDX of TYPE: "payload 3 (NONCE) ..." */
__attribute__((format(printf, 4, 5)))
static int pl_syntax(struct ike_msg_err *err, unsigned int idx, uint8_t type, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return IKE_ESYNTAX;
	syntax(err, "payload %u (%s) ", idx, ike_payload_name(type));
	va_start(ap, fmt);
	err_append(err, fmt, ap);
	va_end(ap);
	return IKE_ESYNTAX;
}

/* INVALID_SYNTAX in an SA payload: "SA proposal 2 transform 3: ..." (TN 0: none). */
__attribute__((format(printf, 4, 5)))
static int sa_syntax(struct ike_msg_err *err, unsigned int pn, unsigned int tn, const char *fmt,
		     ...)
{
	va_list ap;

	if (!err)
		return IKE_ESYNTAX;
	if (tn)
		syntax(err, "SA proposal %u transform %u: ", pn, tn);
	else
		syntax(err, "SA proposal %u: ", pn);
	va_start(ap, fmt);
	err_append(err, fmt, ap);
	va_end(ap);
	return IKE_ESYNTAX;
}

const char *ike_payload_name(uint8_t type)
{
	static const char *const names[] = {
		[IKE_PL_SA] = "SA",		[IKE_PL_KE] = "KE",
		[IKE_PL_IDI] = "IDi",		[IKE_PL_IDR] = "IDr",
		[IKE_PL_CERT] = "CERT",		[IKE_PL_CERTREQ] = "CERTREQ",
		[IKE_PL_AUTH] = "AUTH",		[IKE_PL_NONCE] = "NONCE",
		[IKE_PL_NOTIFY] = "NOTIFY",	[IKE_PL_DELETE] = "DELETE",
		[IKE_PL_VENDOR] = "VENDOR",	[IKE_PL_TSI] = "TSi",
		[IKE_PL_TSR] = "TSr",		[IKE_PL_SK] = "SK",
		[IKE_PL_CP] = "CP",		[IKE_PL_EAP] = "EAP",
		[IKE_PL_SKF] = "SKF",
	};

	if (type == IKE_PL_NONE)
		return "NONE";
	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "unknown";
}

const char *ike_exchange_name(uint8_t exchange)
{
	switch (exchange) {
	case IKE_SA_INIT:
		return "IKE_SA_INIT";
	case IKE_AUTH:
		return "IKE_AUTH";
	case IKE_CREATE_CHILD_SA:
		return "CREATE_CHILD_SA";
	case IKE_INFORMATIONAL:
		return "INFORMATIONAL";
	}
	return "unknown";
}

/*
 * Payload types of RFC 7296 (33 to 48) and RFC 7383 (SKF). The critical
 * bit only matters for types outside this set (RFC 7296 3.2); whether a
 * known type is welcome in a given exchange is the state machine's call.
 */
static bool payload_known(uint8_t type)
{
	return (type >= IKE_PL_SA && type <= IKE_PL_EAP) || type == IKE_PL_SKF;
}

static bool payload_encrypted(uint8_t type)
{
	return type == IKE_PL_SK || type == IKE_PL_SKF;
}

/*
 * The generic payload chain of BUF[START..LEN), first type FIRST. OUTER:
 * the chain of a message, where SK may appear (as the last payload);
 * inner chains are SK bodies, where it may not (no nesting, RFC 7296 3.14).
 */
static int parse_chain(uint8_t first, const uint8_t *buf, size_t start, size_t len, bool outer,
		       struct ike_chain *c, struct ike_msg_err *err)
{
	uint8_t type = first;
	size_t off = start;
	unsigned int idx = 0;

	c->n = 0;
	c->n_skipped = 0;
	while (type != IKE_PL_NONE) {
		size_t left = len - off;	/* off <= len: checked below */
		struct ike_payload *pl;
		uint16_t plen;

		if (idx == IKE_MAX_PAYLOADS)
			return ike_err_set(err, IKE_ELIMIT, IKE_N_INVALID_SYNTAX,
					   "more than %d payloads", IKE_MAX_PAYLOADS);
		idx++;
		if (left < IKE_GENERIC_HDR_LEN)
			return pl_syntax(err, idx, type,
					 "at offset %zu: %zu bytes left for its header", off, left);
		plen = get16(buf + off + 2);
		if (plen < IKE_GENERIC_HDR_LEN)
			return pl_syntax(err, idx, type,
					 "length %u below the 4-byte header at offset %zu",
					 plen, off);
		if (plen > left)
			return pl_syntax(err, idx, type,
					 "length %u at offset %zu runs %zu bytes past the end",
					 plen, off, plen - left);

		if (!payload_known(type)) {
			/* RFC 7296 3.2: skip unless the sender says we must understand it. */
			if (buf[off + 1] & IKE_PAYLOAD_CRITICAL) {
				ike_err_set(err, IKE_ECRITICAL, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD,
					    "payload %u of unknown type %u at offset %zu: critical",
					    idx, type, off);
				if (err)
					err->payload_type = type;
				return IKE_ECRITICAL;
			}
			c->n_skipped++;
			type = buf[off];
			off += plen;
			continue;
		}
		if (payload_encrypted(type)) {
			if (!outer)
				return pl_syntax(err, idx, type, "at offset %zu nested in SK", off);
			/* RFC 7296 3.14, RFC 7383 2.5: SK and SKF are last. */
			if (plen != left)
				return pl_syntax(err, idx, type,
						 "at offset %zu is not the last: %zu bytes follow",
						 off, left - plen);
		}

		pl = &c->pl[c->n++];
		pl->type = type;
		pl->next = buf[off];
		pl->critical = buf[off + 1] & IKE_PAYLOAD_CRITICAL;
		pl->index = (uint8_t)idx;
		pl->offset = (uint32_t)off;
		pl->body = buf + off + IKE_GENERIC_HDR_LEN;
		pl->body_len = (uint16_t)(plen - IKE_GENERIC_HDR_LEN);
		off += plen;
		/* An encrypted payload's Next Payload starts the inner chain. */
		type = payload_encrypted(type) ? IKE_PL_NONE : pl->next;
	}
	if (off != len)
		return syntax(err, "%zu bytes after the last payload at offset %zu",
			      len - off, off);
	return IKE_OK;
}

int ike_msg_parse(const uint8_t *buf, size_t len, struct ike_msg *m, struct ike_msg_err *err)
{
	struct ike_hdr *h = &m->hdr;

	memset(h, 0, sizeof(*h));
	m->raw = buf;
	m->raw_len = len;
	m->chain.n = 0;
	m->chain.n_skipped = 0;
	/* Too short to hold the SPIs: nothing to answer to, just drop. */
	if (len < IKE_HDR_LEN)
		return ike_err_set(err, IKE_ESYNTAX, 0,
				   "message of %zu bytes is shorter than the %d-byte header",
				   len, IKE_HDR_LEN);
	h->spi_i = get64(buf);
	h->spi_r = get64(buf + 8);
	h->next_payload = buf[16];
	h->version = buf[17];
	h->exchange = buf[18];
	h->flags = buf[19];
	h->msg_id = get32(buf + 20);
	h->length = get32(buf + 24);

	/*
	 * RFC 7296 2.5: checked before anything else in the layout, which a
	 * later major version may change. The minor version is ignored.
	 */
	if ((h->version >> 4) != 2)
		return ike_err_set(err, IKE_EVERSION, IKE_N_INVALID_MAJOR_VERSION,
				   "major version %u, only 2 is supported", h->version >> 4);
	if (h->length != len)
		return syntax(err, "header length %u but the message has %zu bytes",
			      h->length, len);
	return parse_chain(h->next_payload, buf, IKE_HDR_LEN, len, true, &m->chain, err);
}

int ike_msg_parse_chain(uint8_t first_type, const uint8_t *buf, size_t len,
			struct ike_chain *c, struct ike_msg_err *err)
{
	return parse_chain(first_type, buf, 0, len, false, c, err);
}

const struct ike_payload *ike_msg_sk(const struct ike_msg *m)
{
	const struct ike_payload *last;

	if (m->chain.n == 0)
		return NULL;
	last = &m->chain.pl[m->chain.n - 1];
	return payload_encrypted(last->type) ? last : NULL;
}

const struct ike_payload *ike_chain_find(const struct ike_chain *c, uint8_t type,
					 const struct ike_payload *after)
{
	unsigned int i = after ? (unsigned int)(after - c->pl) + 1 : 0;

	for (; i < c->n; i++)
		if (c->pl[i].type == type)
			return &c->pl[i];
	return NULL;
}

unsigned int ike_chain_count(const struct ike_chain *c, uint8_t type)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->n; i++)
		n += c->pl[i].type == type;
	return n;
}

/* ---- typed decoders ------------------------------------------------------ */

static int check_type(const struct ike_payload *pl, uint8_t a, uint8_t b, struct ike_msg_err *err)
{
	if (pl->type == a || pl->type == b)
		return IKE_OK;
	return ike_err_set(err, IKE_EINVAL, 0, "payload %u is %s, not %s", pl->index,
			   ike_payload_name(pl->type), ike_payload_name(a));
}

/*
 * Transform attributes (RFC 7296 3.3.5). Only Key Length (TV) is defined;
 * a transform with any other attribute, or Key Length in a form we do not
 * expect, is flagged unacceptable rather than rejected, because 3.3.6 says
 * to refuse that transform and carry on with the others.
 */
static int decode_attrs(const uint8_t *p, size_t len, struct ike_transform *t, unsigned int pn,
			unsigned int tn, struct ike_msg_err *err)
{
	size_t off = 0;

	while (off < len) {
		uint16_t af_type, val;
		size_t alen;

		if (len - off < IKE_ATTR_HDR_LEN)
			return sa_syntax(err, pn, tn, "attribute truncated (%zu of 4 bytes)",
					 len - off);
		af_type = get16(p + off);
		val = get16(p + off + 2);
		if (af_type & IKE_ATTR_FORMAT_TV) {
			alen = IKE_ATTR_HDR_LEN;
		} else {
			if (val > len - off - IKE_ATTR_HDR_LEN)
				return sa_syntax(err, pn, tn, "attribute length %u overruns",
						 val);
			alen = IKE_ATTR_HDR_LEN + val;
		}
		if (af_type == (IKE_ATTR_FORMAT_TV | IKE_ATTR_KEY_LENGTH) && !t->key_len && val)
			t->key_len = val;
		else
			t->flags |= IKE_TF_UNACCEPTABLE;
		off += alen;
	}
	return IKE_OK;
}

/* COUNT transforms filling P[0..LEN) exactly; PN is the proposal's position. */
static int decode_transforms(const uint8_t *p, size_t len, struct ike_proposal *prop,
			     unsigned int count, unsigned int pn, struct ike_msg_err *err)
{
	size_t off = 0;
	unsigned int i;

	for (i = 0; i < count; i++) {
		struct ike_transform *t = &prop->t[i];
		unsigned int tn = i + 1;
		uint8_t last;
		uint16_t tlen;
		int rc;

		if (len - off < IKE_TRANSFORM_HDR_LEN)
			return sa_syntax(err, pn, tn, "truncated, %zu bytes left of %u transforms",
					 len - off, count);
		last = p[off];
		tlen = get16(p + off + 2);
		if (tlen < IKE_TRANSFORM_HDR_LEN)
			return sa_syntax(err, pn, tn, "length %u below the 8-byte header", tlen);
		if (tlen > len - off)
			return sa_syntax(err, pn, tn, "length %u runs %zu bytes past the proposal",
					 tlen, tlen - (len - off));
		if (last != (tn == count ? IKE_SUBSTRUC_LAST : IKE_SUBSTRUC_TRANSFORM))
			return sa_syntax(err, pn, tn, "Last Substruc %u, but %u transforms", last,
					 count);
		t->type = p[off + 4];
		t->id = get16(p + off + 6);
		t->flags = 0;
		t->key_len = 0;
		rc = decode_attrs(p + off + IKE_TRANSFORM_HDR_LEN, tlen - IKE_TRANSFORM_HDR_LEN,
				  t, pn, tn, err);
		if (rc)
			return rc;
		off += tlen;
	}
	if (off != len)
		return sa_syntax(err, pn, 0, "%zu bytes after its %u transforms", len - off, count);
	prop->n_transforms = (uint8_t)count;
	return IKE_OK;
}

/* RFC 7296 3.3.1: IKE SPIs are 8 bytes, or absent in IKE_SA_INIT; AH, ESP: 4. */
static bool spi_size_ok(uint8_t protocol, uint8_t spi_size)
{
	switch (protocol) {
	case IKE_PROTO_IKE:
		return spi_size == 0 || spi_size == 8;
	case IKE_PROTO_AH:
	case IKE_PROTO_ESP:
		return spi_size == 4;
	}
	return false;
}

int ike_decode_sa(const struct ike_payload *pl, struct ike_sa_pl *sa, struct ike_msg_err *err)
{
	const uint8_t *p = pl->body;
	size_t len = pl->body_len, off = 0;
	int rc = check_type(pl, IKE_PL_SA, IKE_PL_SA, err);

	sa->n = 0;
	if (rc)
		return rc;
	if (len == 0)
		return syntax(err, "SA payload without a proposal");
	for (;;) {
		unsigned int pn = sa->n + 1;
		struct ike_proposal *prop;
		uint8_t last, num, proto, spi_size, count;
		uint16_t plen;

		if (len - off < IKE_PROPOSAL_HDR_LEN)
			return sa_syntax(err, pn, 0, "truncated, %zu bytes left", len - off);
		last = p[off];
		plen = get16(p + off + 2);
		num = p[off + 4];
		proto = p[off + 5];
		spi_size = p[off + 6];
		count = p[off + 7];
		if (last != IKE_SUBSTRUC_LAST && last != IKE_SUBSTRUC_PROPOSAL)
			return sa_syntax(err, pn, 0, "Last Substruc %u", last);
		if (plen < IKE_PROPOSAL_HDR_LEN + spi_size)
			return sa_syntax(err, pn, 0, "length %u below its header and %u-byte SPI",
					 plen, spi_size);
		if (plen > len - off)
			return sa_syntax(err, pn, 0, "length %u runs %zu bytes past the payload",
					 plen, plen - (len - off));
		if (sa->n == IKE_MAX_PROPOSALS)
			return ike_err_set(err, IKE_ELIMIT, IKE_N_NO_PROPOSAL_CHOSEN,
					   "SA: more than %d proposals", IKE_MAX_PROPOSALS);
		/*
		 * RFC 7296 3.3.1: numbered 1, 2, ... in an offer; a reply has
		 * one proposal carrying the number of the one it accepted.
		 */
		if (num == 0 || (sa->n > 0 && num != sa->p[sa->n - 1].num + 1) ||
		    (sa->n == 1 && sa->p[0].num != 1))
			return sa_syntax(err, pn, 0, "numbered %u, out of order", num);
		if (!spi_size_ok(proto, spi_size))
			return sa_syntax(err, pn, 0, "SPI size %u for protocol %u", spi_size,
					 proto);
		if (count == 0)
			return sa_syntax(err, pn, 0, "no transform");
		if (count > IKE_MAX_TRANSFORMS)
			return ike_err_set(err, IKE_ELIMIT, IKE_N_NO_PROPOSAL_CHOSEN,
					   "SA proposal %u: %u transforms, more than %d", pn, count,
					   IKE_MAX_TRANSFORMS);
		prop = &sa->p[sa->n];
		memset(prop->spi, 0, sizeof(prop->spi));
		prop->num = num;
		prop->protocol = proto;
		prop->spi_size = spi_size;
		memcpy(prop->spi, p + off + IKE_PROPOSAL_HDR_LEN, spi_size);
		rc = decode_transforms(p + off + IKE_PROPOSAL_HDR_LEN + spi_size,
				       plen - IKE_PROPOSAL_HDR_LEN - spi_size, prop, count, pn,
				       err);
		if (rc)
			return rc;
		sa->n++;
		off += plen;
		if (last == IKE_SUBSTRUC_LAST) {
			if (off != len)
				return sa_syntax(err, pn, 0, "last, but %zu bytes follow",
						 len - off);
			return IKE_OK;
		}
		if (off == len)
			return sa_syntax(err, pn, 0, "says more follow, but the payload ends");
	}
}

int ike_decode_ke(const struct ike_payload *pl, struct ike_ke_pl *ke, struct ike_msg_err *err)
{
	int rc = check_type(pl, IKE_PL_KE, IKE_PL_KE, err);

	if (rc)
		return rc;
	/* Group, RESERVED (ignored on receipt, RFC 7296 3.4), then data. */
	if (pl->body_len < 5)
		return syntax(err, "KE: %u bytes, below the 4-byte header and 1 byte of data",
			      pl->body_len);
	ke->group = get16(pl->body);
	ke->data = pl->body + 4;
	ke->len = pl->body_len - 4u;
	return IKE_OK;
}

int ike_decode_nonce(const struct ike_payload *pl, struct ike_nonce_pl *n,
		     struct ike_msg_err *err)
{
	int rc = check_type(pl, IKE_PL_NONCE, IKE_PL_NONCE, err);

	if (rc)
		return rc;
	if (pl->body_len < IKE_NONCE_MIN || pl->body_len > IKE_NONCE_MAX)
		return syntax(err, "NONCE of %u bytes, outside %d..%d (RFC 7296 2.10)",
			      pl->body_len, IKE_NONCE_MIN, IKE_NONCE_MAX);
	n->data = pl->body;
	n->len = pl->body_len;
	return IKE_OK;
}

int ike_decode_notify(const struct ike_payload *pl, struct ike_notify_pl *n,
		      struct ike_msg_err *err)
{
	const uint8_t *p = pl->body;
	size_t len = pl->body_len;
	int rc = check_type(pl, IKE_PL_NOTIFY, IKE_PL_NOTIFY, err);

	if (rc)
		return rc;
	if (len < 4)
		return syntax(err, "NOTIFY: %zu bytes, below the 4-byte header", len);
	n->protocol = p[0];
	n->spi_size = p[1];
	n->type = get16(p + 2);
	if (n->spi_size > len - 4)
		return syntax(err, "NOTIFY %u: SPI size %u runs past the payload", n->type,
			      n->spi_size);
	/*
	 * RFC 7296 3.10: an SPI names a Child SA (AH or ESP, 4 bytes); an
	 * empty SPI makes the protocol meaningless. 8 bytes with IKE is not
	 * defined by 7296 but harmless to accept.
	 */
	if (n->spi_size != 0 &&
	    !(n->spi_size == 4 && (n->protocol == IKE_PROTO_AH || n->protocol == IKE_PROTO_ESP)) &&
	    !(n->spi_size == 8 && n->protocol == IKE_PROTO_IKE))
		return syntax(err, "NOTIFY %u: SPI size %u for protocol %u", n->type, n->spi_size,
			      n->protocol);
	memset(n->spi, 0, sizeof(n->spi));
	memcpy(n->spi, p + 4, n->spi_size);
	n->data = p + 4 + n->spi_size;
	n->len = len - 4 - n->spi_size;
	return IKE_OK;
}

int ike_decode_id(const struct ike_payload *pl, struct ike_id_pl *id, struct ike_msg_err *err)
{
	size_t len = pl->body_len;
	int rc = check_type(pl, IKE_PL_IDI, IKE_PL_IDR, err);

	if (rc)
		return rc;
	if (len < 5)
		return syntax(err, "%s: %zu bytes, below the 4-byte header and 1 byte of data",
			      ike_payload_name(pl->type), len);
	id->type = pl->body[0];
	id->data = pl->body + 4;
	id->len = len - 4;
	switch (id->type) {
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV6_ADDR:
		if (id->len != (id->type == IKE_ID_IPV4_ADDR ? 4u : 16u))
			return syntax(err, "%s: address of %zu bytes for ID type %u",
				      ike_payload_name(pl->type), id->len, id->type);
		break;
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
		/* Text compared and logged as C strings: a NUL would cut it short. */
		if (memchr(id->data, 0, id->len))
			return syntax(err, "%s: NUL byte in a name", ike_payload_name(pl->type));
		break;
	}
	return IKE_OK;
}

int ike_decode_auth(const struct ike_payload *pl, struct ike_auth_pl *a, struct ike_msg_err *err)
{
	int rc = check_type(pl, IKE_PL_AUTH, IKE_PL_AUTH, err);

	if (rc)
		return rc;
	if (pl->body_len < 5)
		return syntax(err, "AUTH: %u bytes, below the 4-byte header and 1 byte of data",
			      pl->body_len);
	a->method = pl->body[0];
	a->data = pl->body + 4;
	a->len = pl->body_len - 4u;
	return IKE_OK;
}

size_t ike_ts_addr_len(uint8_t type)
{
	switch (type) {
	case IKE_TS_IPV4_ADDR_RANGE:
		return 4;
	case IKE_TS_IPV6_ADDR_RANGE:
		return 16;
	}
	return 0;
}

int ike_decode_ts(const struct ike_payload *pl, struct ike_ts_pl *ts, struct ike_msg_err *err)
{
	const char *name = ike_payload_name(pl->type);
	const uint8_t *p = pl->body;
	size_t len = pl->body_len, off = 4;
	unsigned int i, count;
	int rc = check_type(pl, IKE_PL_TSI, IKE_PL_TSR, err);

	ts->n = 0;
	ts->n_unknown = 0;
	if (rc)
		return rc;
	if (len < 4)
		return syntax(err, "%s: %zu bytes, below the 4-byte header", name, len);
	count = p[0];
	if (count == 0)
		return syntax(err, "%s: no traffic selector", name);
	for (i = 1; i <= count; i++) {
		struct ike_ts *t;
		uint16_t slen;
		size_t alen;

		/* Type, protocol and length are common to every TS type (3.13.1). */
		if (len - off < 4)
			return syntax(err, "%s: selector %u of %u at byte %zu truncated", name, i,
				      count, off);
		slen = get16(p + off + 2);
		if (slen < 4 || slen > len - off)
			return syntax(err, "%s: selector %u length %u, %zu bytes left", name, i,
				      slen, len - off);
		alen = ike_ts_addr_len(p[off]);
		if (!alen) {
			/* E.g. TS_SECLABEL (RFC 9478): not ours to narrow, skip it. */
			ts->n_unknown++;
			off += slen;
			continue;
		}
		if (slen != IKE_TS_HDR_LEN + 2 * alen)
			return syntax(err, "%s: selector %u of type %u has length %u, not %zu",
				      name, i, p[off], slen, IKE_TS_HDR_LEN + 2 * alen);
		if (ts->n == IKE_MAX_TS)
			return ike_err_set(err, IKE_ELIMIT, IKE_N_TS_UNACCEPTABLE,
					   "%s: more than %d selectors", name, IKE_MAX_TS);
		t = &ts->ts[ts->n];
		memset(t, 0, sizeof(*t));
		t->type = p[off];
		t->ip_proto = p[off + 1];
		t->start_port = get16(p + off + 4);
		t->end_port = get16(p + off + 6);
		memcpy(t->start, p + off + IKE_TS_HDR_LEN, alen);
		memcpy(t->end, p + off + IKE_TS_HDR_LEN + alen, alen);
		/* 65535..0 is how RFC 7296 3.13.1 says OPAQUE ports. */
		if (t->start_port > t->end_port && !(t->start_port == 65535 && t->end_port == 0))
			return syntax(err, "%s: selector %u port range %u-%u is empty", name, i,
				      t->start_port, t->end_port);
		if (memcmp(t->start, t->end, alen) > 0)
			return syntax(err, "%s: selector %u start address above its end", name, i);
		ts->n++;
		off += slen;
	}
	if (off != len)
		return syntax(err, "%s: %zu bytes after its %u selectors", name, len - off, count);
	return IKE_OK;
}

int ike_decode_delete(const struct ike_payload *pl, struct ike_delete_pl *d,
		      struct ike_msg_err *err)
{
	const uint8_t *p = pl->body;
	size_t len = pl->body_len;
	int rc = check_type(pl, IKE_PL_DELETE, IKE_PL_DELETE, err);

	if (rc)
		return rc;
	if (len < 4)
		return syntax(err, "DELETE: %zu bytes, below the 4-byte header", len);
	d->protocol = p[0];
	d->spi_size = p[1];
	d->n = get16(p + 2);
	d->spis = p + 4;
	/* RFC 7296 3.11: the IKE SA is named by the header, so no SPI. */
	if (d->protocol == IKE_PROTO_IKE) {
		if (d->spi_size != 0 || d->n != 0)
			return syntax(err, "DELETE of the IKE SA with SPI size %u and %u SPIs",
				      d->spi_size, d->n);
	} else if (d->protocol == IKE_PROTO_AH || d->protocol == IKE_PROTO_ESP) {
		if (d->spi_size != 4)
			return syntax(err, "DELETE for protocol %u with SPI size %u", d->protocol,
				      d->spi_size);
	} else {
		return syntax(err, "DELETE for unknown protocol %u", d->protocol);
	}
	if (len - 4 != (size_t)d->n * d->spi_size)
		return syntax(err, "DELETE: %u SPIs of %u bytes but %zu bytes follow the header",
			      d->n, d->spi_size, len - 4);
	return IKE_OK;
}

uint32_t ike_delete_spi(const struct ike_delete_pl *d, unsigned int i)
{
	if (d->spi_size != 4 || i >= d->n)
		return 0;
	return get32(d->spis + 4 * (size_t)i);
}

int ike_decode_vendor(const struct ike_payload *pl, struct ike_vendor_pl *v,
		      struct ike_msg_err *err)
{
	int rc = check_type(pl, IKE_PL_VENDOR, IKE_PL_VENDOR, err);

	if (rc)
		return rc;
	v->data = pl->body;
	v->len = pl->body_len;
	return IKE_OK;
}

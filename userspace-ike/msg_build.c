// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv2 message building (RFC 7296 section 3): a header, then payloads
 * each chained to the previous one through its Next Payload field, then
 * the lengths. Failures are sticky in struct ike_buf, so a caller adds
 * everything and checks once, in ike_build_finish().
 */
#include <stdlib.h>
#include <string.h>

#include "msg.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

#define NO_NEXT SIZE_MAX

void ike_buf_init(struct ike_buf *b)
{
	memset(b, 0, sizeof(*b));
	b->next_at = NO_NEXT;
}

void ike_buf_free(struct ike_buf *b)
{
	free(b->data);
	ike_buf_init(b);
}

/* Append N bytes; their offset, or NO_NEXT (error set) if it cannot. */
static size_t buf_put(struct ike_buf *b, const void *src, size_t n)
{
	size_t at = b->len;

	if (b->error)
		return NO_NEXT;
	if (n > IKE_BUF_MAX - b->len) {
		b->error = true;
		return NO_NEXT;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		uint8_t *data;

		while (cap < b->len + n)
			cap *= 2;
		if (cap > IKE_BUF_MAX)
			cap = IKE_BUF_MAX;
		data = realloc(b->data, cap);
		if (!data) {
			b->error = true;
			return NO_NEXT;
		}
		b->data = data;
		b->cap = cap;
	}
	if (src)
		memcpy(b->data + at, src, n);
	else
		memset(b->data + at, 0, n);
	b->len += n;
	return at;
}

static void buf_start(struct ike_buf *b, bool has_hdr)
{
	b->len = 0;
	b->error = false;
	b->sealed = false;
	b->has_hdr = has_hdr;
	b->first = IKE_PL_NONE;
	b->next_at = NO_NEXT;
}

void ike_build_msg(struct ike_buf *b, const struct ike_hdr *h)
{
	uint8_t hdr[IKE_HDR_LEN] = { 0 };

	buf_start(b, true);
	put64(hdr, h->spi_i);
	put64(hdr + 8, h->spi_r);
	hdr[17] = IKE_VERSION;
	hdr[18] = h->exchange;
	hdr[19] = h->flags;
	put32(hdr + 20, h->msg_id);
	if (buf_put(b, hdr, sizeof(hdr)) != NO_NEXT)
		b->next_at = 16;
}

void ike_build_chain(struct ike_buf *b)
{
	buf_start(b, false);
}

int ike_build_finish(struct ike_buf *b)
{
	if (b->error)
		return -1;
	if (b->has_hdr)
		put32(b->data + 24, (uint32_t)b->len);
	return 0;
}

/* Generic header of a new payload, chained to the previous one; its offset or NO_NEXT. */
static size_t pl_begin(struct ike_buf *b, uint8_t type, bool critical)
{
	uint8_t gh[IKE_GENERIC_HDR_LEN] = { 0, critical ? IKE_PAYLOAD_CRITICAL : 0, 0, 0 };
	size_t at;

	if (b->sealed)
		b->error = true;
	at = buf_put(b, gh, sizeof(gh));
	if (at == NO_NEXT)
		return NO_NEXT;
	if (b->next_at != NO_NEXT)
		b->data[b->next_at] = type;
	if (b->first == IKE_PL_NONE)
		b->first = type;
	b->next_at = at;
	return at;
}

static void pl_end(struct ike_buf *b, size_t at)
{
	if (b->error || at == NO_NEXT)
		return;
	if (b->len - at > UINT16_MAX) {
		b->error = true;
		return;
	}
	put16(b->data + at + 2, (uint16_t)(b->len - at));
}

static void put_be16(struct ike_buf *b, uint16_t v)
{
	uint8_t x[2];

	put16(x, v);
	buf_put(b, x, sizeof(x));
}

/* A payload made of a 4-byte fixed part and variable data. */
static void add_fixed(struct ike_buf *b, uint8_t type, const uint8_t fixed[4], const uint8_t *data,
		      size_t len)
{
	size_t at = pl_begin(b, type, false);

	buf_put(b, fixed, 4);
	buf_put(b, data, len);
	pl_end(b, at);
}

void ike_add_raw(struct ike_buf *b, uint8_t type, bool critical, const uint8_t *body, size_t len)
{
	size_t at = pl_begin(b, type, critical);

	buf_put(b, body, len);
	pl_end(b, at);
}

void ike_add_sa(struct ike_buf *b, const struct ike_proposal *p, unsigned int n)
{
	size_t at = pl_begin(b, IKE_PL_SA, false);
	unsigned int i, j;

	if (n == 0 || n > IKE_MAX_PROPOSALS)
		b->error = true;
	for (i = 0; i < n && !b->error; i++) {
		const struct ike_proposal *prop = &p[i];
		uint8_t ph[IKE_PROPOSAL_HDR_LEN] = {
			i + 1 < n ? IKE_SUBSTRUC_PROPOSAL : IKE_SUBSTRUC_LAST, 0, 0, 0,
			prop->num, prop->protocol, prop->spi_size, prop->n_transforms,
		};
		size_t pat;

		if (prop->spi_size > IKE_SPI_MAX || prop->n_transforms > IKE_MAX_TRANSFORMS) {
			b->error = true;
			break;
		}
		pat = buf_put(b, ph, sizeof(ph));
		buf_put(b, prop->spi, prop->spi_size);
		for (j = 0; j < prop->n_transforms; j++) {
			const struct ike_transform *t = &prop->t[j];
			bool more = j + 1 < prop->n_transforms;
			uint8_t th[IKE_TRANSFORM_HDR_LEN] = {
				more ? IKE_SUBSTRUC_TRANSFORM : IKE_SUBSTRUC_LAST, 0, 0, 0,
				t->type, 0, (uint8_t)(t->id >> 8), (uint8_t)t->id,
			};
			size_t tat = buf_put(b, th, sizeof(th));

			if (t->key_len) {
				put_be16(b, IKE_ATTR_FORMAT_TV | IKE_ATTR_KEY_LENGTH);
				put_be16(b, t->key_len);
			}
			if (!b->error)
				put16(b->data + tat + 2, (uint16_t)(b->len - tat));
		}
		/* Bounded by the payload's own check in pl_end(). */
		if (!b->error && b->len - pat <= UINT16_MAX)
			put16(b->data + pat + 2, (uint16_t)(b->len - pat));
	}
	pl_end(b, at);
}

void ike_add_ke(struct ike_buf *b, const struct ike_ke_pl *ke)
{
	uint8_t fixed[4] = { (uint8_t)(ke->group >> 8), (uint8_t)ke->group, 0, 0 };

	if (ke->len == 0)
		b->error = true;
	add_fixed(b, IKE_PL_KE, fixed, ke->data, ke->len);
}

void ike_add_nonce(struct ike_buf *b, const uint8_t *nonce, size_t len)
{
	if (len < IKE_NONCE_MIN || len > IKE_NONCE_MAX)
		b->error = true;
	ike_add_raw(b, IKE_PL_NONCE, false, nonce, len);
}

void ike_add_notify(struct ike_buf *b, const struct ike_notify_pl *n)
{
	uint8_t fixed[4] = { n->protocol, n->spi_size, (uint8_t)(n->type >> 8), (uint8_t)n->type };
	size_t at;

	if (n->spi_size > IKE_SPI_MAX)
		b->error = true;
	at = pl_begin(b, IKE_PL_NOTIFY, false);
	buf_put(b, fixed, sizeof(fixed));
	if (!b->error)
		buf_put(b, n->spi, n->spi_size);
	buf_put(b, n->data, n->len);
	pl_end(b, at);
}

void ike_add_id(struct ike_buf *b, uint8_t payload_type, const struct ike_id_pl *id)
{
	uint8_t fixed[4] = { id->type, 0, 0, 0 };

	if (payload_type != IKE_PL_IDI && payload_type != IKE_PL_IDR)
		b->error = true;
	add_fixed(b, payload_type, fixed, id->data, id->len);
}

void ike_add_auth(struct ike_buf *b, const struct ike_auth_pl *a)
{
	uint8_t fixed[4] = { a->method, 0, 0, 0 };

	add_fixed(b, IKE_PL_AUTH, fixed, a->data, a->len);
}

void ike_add_ts(struct ike_buf *b, uint8_t payload_type, const struct ike_ts *ts, unsigned int n)
{
	uint8_t fixed[4] = { (uint8_t)n, 0, 0, 0 };
	size_t at;
	unsigned int i;

	if ((payload_type != IKE_PL_TSI && payload_type != IKE_PL_TSR) || n == 0 || n > 255)
		b->error = true;
	at = pl_begin(b, payload_type, false);
	buf_put(b, fixed, sizeof(fixed));
	for (i = 0; i < n && !b->error; i++) {
		size_t alen = ike_ts_addr_len(ts[i].type);
		uint8_t sh[IKE_TS_HDR_LEN] = {
			ts[i].type, ts[i].ip_proto, 0, (uint8_t)(IKE_TS_HDR_LEN + 2 * alen),
			(uint8_t)(ts[i].start_port >> 8), (uint8_t)ts[i].start_port,
			(uint8_t)(ts[i].end_port >> 8), (uint8_t)ts[i].end_port,
		};

		if (!alen) {
			b->error = true;
			break;
		}
		buf_put(b, sh, sizeof(sh));
		buf_put(b, ts[i].start, alen);
		buf_put(b, ts[i].end, alen);
	}
	pl_end(b, at);
}

void ike_add_delete(struct ike_buf *b, const struct ike_delete_pl *d)
{
	uint8_t fixed[4] = { d->protocol, d->spi_size, (uint8_t)(d->n >> 8), (uint8_t)d->n };

	add_fixed(b, IKE_PL_DELETE, fixed, d->spis, (size_t)d->n * d->spi_size);
}

void ike_add_vendor(struct ike_buf *b, const uint8_t *data, size_t len)
{
	ike_add_raw(b, IKE_PL_VENDOR, false, data, len);
}

uint8_t *ike_add_sk(struct ike_buf *b, uint8_t inner_first, const uint8_t *body, size_t len)
{
	size_t at = pl_begin(b, IKE_PL_SK, false);
	size_t body_at;

	body_at = buf_put(b, body, len);
	pl_end(b, at);
	b->sealed = true;
	if (b->error)
		return NULL;
	/* Not a chain link: RFC 7296 3.14 makes it the first inner type. */
	b->data[at] = inner_first;
	return b->data + body_at;
}

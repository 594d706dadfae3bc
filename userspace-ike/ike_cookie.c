// SPDX-License-Identifier: GPL-2.0
/*
 * Responder cookies (RFC 7296 2.6) and the bound on half-open IKE SAs.
 *
 * Under load (too many half-open SAs in the table, or from one address) an
 * IKE_SA_INIT without a valid cookie gets a COOKIE notify and creates no
 * state. A cookie is VERSION | HMAC-SHA256(secret, VERSION | Ni | IPi |
 * SPIi) (ike_cookie_make()); the secret rotates every
 * IKE_SA_COOKIE_ROTATE_MS, and cookies made with the current or the
 * previous secret are accepted, so an issued cookie is good for one to two
 * periods. Past half_open_max half-open SAs, IKE_SA_INIT is dropped outright.
 */
#include <string.h>
#include <netinet/in.h>

#include <openssl/crypto.h>

#include "ike_sa_priv.h"

static bool same_host(const struct sockaddr_storage *a, const struct sockaddr *b)
{
	if (a->ss_family != b->sa_family)
		return false;
	if (b->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		       &((const struct sockaddr_in6 *)b)->sin6_addr, 16);
}

unsigned int ike_sa_table_half_open_from(const struct ike_sa_table *t,
					 const struct sockaddr *from)
{
	unsigned int n = 0;

	for (const struct ike_sa *sa = t->head; sa; sa = sa->next)
		n += sa->state == IKE_SA_HALF_OPEN && same_host(&sa->remote, from);
	return n;
}

/* A new secret every period; the last one stays valid for one more. */
void ike_cookie_rotate(struct ike_sa_table *t, uint64_t now)
{
	if (!t->cookie_rotate_at) {
		t->cookie_rotate_at = now + IKE_SA_COOKIE_ROTATE_MS;
		return;
	}
	if (now < t->cookie_rotate_at)
		return;
	if (now >= t->cookie_rotate_at + IKE_SA_COOKIE_ROTATE_MS) {
		/* Idle for two periods or more: the last secret is too old as well. */
		OPENSSL_cleanse(t->cookie_prev, sizeof(t->cookie_prev));
		t->cookie_prev_version = 0;
	} else {
		memcpy(t->cookie_prev, t->cookie_secret, sizeof(t->cookie_prev));
		t->cookie_prev_version = t->cookie_version;
	}
	if (ike_random(t->cookie_secret, sizeof(t->cookie_secret))) {
		/* No fresh secret: refuse every cookie rather than keep an old one. */
		t->cookie_prev_version = 0;
	}
	t->cookie_version = t->cookie_version + 1 ? t->cookie_version + 1 : 1;
	t->cookie_rotate_at = now + IKE_SA_COOKIE_ROTATE_MS;
}

static bool under_load(const struct ike_sa_table *t, const struct sockaddr *from)
{
	return ike_sa_table_half_open(t) >= t->cookie_threshold ||
	       ike_sa_table_half_open_from(t, from) >= t->cookie_per_source;
}

static bool cookie_valid(const struct ike_sa_table *t, const struct ike_notify_pl *n,
			 const struct ike_nonce_pl *ni, const struct sockaddr *from,
			 const uint8_t spi_i[IKE_SPI_LEN])
{
	int64_t version = ike_cookie_version(n->data, n->len);
	const uint8_t *secret;

	if (version <= 0)
		return false;
	if (version == t->cookie_version)
		secret = t->cookie_secret;
	else if (t->cookie_prev_version && version == t->cookie_prev_version)
		secret = t->cookie_prev;
	else
		return false;
	return !ike_cookie_verify(secret, sizeof(t->cookie_secret), ni->data, ni->len, from,
				  spi_i, n->data, n->len);
}

int ike_cookie_check(struct ike_sa_table *t, const struct ike_sa_ops *ops, void *ctx,
		     const struct ike_msg *m, const struct ike_nonce_pl *ni,
		     const struct sockaddr *from, const struct sockaddr *to, uint64_t now)
{
	const struct ike_payload *first = m->chain.n ? &m->chain.pl[0] : NULL;
	uint8_t spi_i[IKE_SPI_LEN], cookie[IKE_COOKIE_LEN];
	struct ike_notify_pl n;

	if (ike_sa_table_half_open(t) >= t->half_open_max) {
		t->half_open_refused++;
		return IKE_SA_EDROP;
	}
	if (!under_load(t, from))
		return 0;
	ike_cookie_rotate(t, now);
	ike_put64(spi_i, m->hdr.spi_i);
	/* The cookie must be the first payload. */
	if (first && first->type == IKE_PL_NOTIFY && !ike_decode_notify(first, &n, NULL) &&
	    n.type == IKE_N_COOKIE && cookie_valid(t, &n, ni, from, spi_i))
		return 0;
	if (ike_cookie_make(t->cookie_secret, sizeof(t->cookie_secret), t->cookie_version,
			    ni->data, ni->len, from, spi_i, cookie))
		return IKE_SA_EDROP;
	t->cookies_sent++;
	return ike_init_refuse(ops, ctx, m, from, to, IKE_N_COOKIE, cookie, sizeof(cookie));
}

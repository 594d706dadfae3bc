// SPDX-License-Identifier: GPL-2.0
/*
 * Transforms and proposals: names, selection (RFC 7296 2.7, 3.3), key
 * sizes.
 *
 * Selection treats an optional transform type (INTEG, DH, ESN) that a
 * proposal leaves out as if it listed only NONE (id 0), which is what RFC
 * 7296 3.3.3 makes of an omitted optional type, and what "noesn" is for
 * ESN. A type one side lists and the other cannot match makes the pair
 * of proposals incompatible.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proposal.h"

struct alg {
	uint8_t type;
	uint16_t id;
	uint16_t key_len;
	const char *name;
};

/*
 * Canonical (strongSwan) names come first: ike_transform_name() prints
 * the first entry that matches. Lookups ignore case, so "AES256" and
 * "SHA1" from AWS's console are the canonical entries already.
 */
static const struct alg algs[] = {
	{ IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 128, "aes128" },
	{ IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 192, "aes192" },
	{ IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 256, "aes256" },
	{ IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 128, "aes128gcm16" },
	{ IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 192, "aes192gcm16" },
	{ IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 256, "aes256gcm16" },
	{ IKE_TRANS_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0, "chacha20poly1305" },
	{ IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA1_96, 0, "sha1" },
	{ IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0, "sha256" },
	{ IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0, "sha384" },
	{ IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0, "sha512" },
	{ IKE_TRANS_PRF, IKE_PRF_HMAC_SHA1, 0, "prfsha1" },
	{ IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_256, 0, "prfsha256" },
	{ IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_384, 0, "prfsha384" },
	{ IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_512, 0, "prfsha512" },
	{ IKE_TRANS_DH, IKE_DH_MODP_1024, 0, "modp1024" },
	{ IKE_TRANS_DH, IKE_DH_MODP_2048, 0, "modp2048" },
	{ IKE_TRANS_DH, IKE_DH_MODP_3072, 0, "modp3072" },
	{ IKE_TRANS_DH, IKE_DH_MODP_4096, 0, "modp4096" },
	{ IKE_TRANS_DH, IKE_DH_MODP_6144, 0, "modp6144" },
	{ IKE_TRANS_DH, IKE_DH_MODP_8192, 0, "modp8192" },
	{ IKE_TRANS_DH, IKE_DH_ECP_256, 0, "ecp256" },
	{ IKE_TRANS_DH, IKE_DH_ECP_384, 0, "ecp384" },
	{ IKE_TRANS_DH, IKE_DH_ECP_521, 0, "ecp521" },
	{ IKE_TRANS_DH, IKE_DH_MODP_1024_160, 0, "modp1024s160" },
	{ IKE_TRANS_DH, IKE_DH_MODP_2048_224, 0, "modp2048s224" },
	{ IKE_TRANS_DH, IKE_DH_MODP_2048_256, 0, "modp2048s256" },
	{ IKE_TRANS_DH, IKE_DH_CURVE25519, 0, "x25519" },
	{ IKE_TRANS_ESN, IKE_ESN_YES, 0, "esn" },
	{ IKE_TRANS_ESN, IKE_ESN_NO, 0, "noesn" },
	/* Aliases: strongSwan's ICV-in-bits spelling and older names. */
	{ IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 128, "aes128gcm128" },
	{ IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 192, "aes192gcm128" },
	{ IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 256, "aes256gcm128" },
	{ IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA1_96, 0, "sha" },
	{ IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0, "sha2_256" },
	{ IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0, "sha2_384" },
	{ IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0, "sha2_512" },
	{ IKE_TRANS_DH, IKE_DH_CURVE25519, 0, "curve25519" },
	/* AWS Site-to-Site VPN console and API names (DH groups are numbers). */
	{ IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 128, "AES128-GCM-16" },
	{ IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 256, "AES256-GCM-16" },
	{ IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0, "SHA2-256" },
	{ IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0, "SHA2-384" },
	{ IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0, "SHA2-512" },
};

#define N_ALGS (sizeof(algs) / sizeof(algs[0]))
#define ANY_TYPE 0

#define syntax_err(err, ...) ike_err_set(err, IKE_ESYNTAX, IKE_N_INVALID_SYNTAX, __VA_ARGS__)
#define noprop(err, ...) ike_err_set(err, IKE_ENOPROPOSAL, IKE_N_NO_PROPOSAL_CHOSEN, __VA_ARGS__)

static bool transform_eq(const struct ike_transform *a, const struct ike_transform *b)
{
	return a->type == b->type && a->id == b->id && a->key_len == b->key_len;
}

static const struct alg *alg_find(uint8_t type, uint16_t id, uint16_t key_len)
{
	size_t i;

	for (i = 0; i < N_ALGS; i++)
		if (algs[i].type == type && algs[i].id == id && algs[i].key_len == key_len)
			return &algs[i];
	return NULL;
}

/* The HMAC PRF over the hash of an HMAC integrity transform (0 if none). */
static uint16_t integ_to_prf(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA1_96:
		return IKE_PRF_HMAC_SHA1;
	case IKE_INTEG_HMAC_SHA2_256_128:
		return IKE_PRF_HMAC_SHA2_256;
	case IKE_INTEG_HMAC_SHA2_384_192:
		return IKE_PRF_HMAC_SHA2_384;
	case IKE_INTEG_HMAC_SHA2_512_256:
		return IKE_PRF_HMAC_SHA2_512;
	}
	return 0;
}

int ike_transform_from_name(uint8_t type, const char *name, struct ike_transform *t)
{
	size_t i, n = strlen(name);

	memset(t, 0, sizeof(*t));
	/* A bare number is a DH group, as AWS writes them ("14"). */
	if ((type == ANY_TYPE || type == IKE_TRANS_DH) && n > 0 && n <= 3 &&
	    strspn(name, "0123456789") == n) {
		const struct alg *a = alg_find(IKE_TRANS_DH, (uint16_t)strtoul(name, NULL, 10), 0);

		if (!a)
			return -1;
		*t = (struct ike_transform){ .type = IKE_TRANS_DH, .id = a->id };
		return 0;
	}
	for (i = 0; i < N_ALGS; i++) {
		if ((type != ANY_TYPE && algs[i].type != type) || strcasecmp(name, algs[i].name))
			continue;
		t->type = algs[i].type;
		t->id = algs[i].id;
		t->key_len = algs[i].key_len;
		return 0;
	}
	if (type == IKE_TRANS_PRF && !ike_transform_from_name(IKE_TRANS_INTEG, name, t)) {
		*t = (struct ike_transform){ .type = IKE_TRANS_PRF, .id = integ_to_prf(t->id) };
		return 0;
	}
	memset(t, 0, sizeof(*t));
	return -1;
}

const char *ike_transform_name(const struct ike_transform *t, char *buf, size_t len)
{
	static const char *const types[] = { "TYPE0", "ENCR", "PRF", "INTEG", "DH", "ESN" };
	const struct alg *a = alg_find(t->type, t->id, t->key_len);

	if (a)
		snprintf(buf, len, "%s", a->name);
	else if (t->id == 0 && (t->type == IKE_TRANS_INTEG || t->type == IKE_TRANS_DH))
		snprintf(buf, len, "%snone", t->type == IKE_TRANS_INTEG ? "integ" : "dh");
	else if (t->type < sizeof(types) / sizeof(types[0]))
		snprintf(buf, len, t->key_len ? "%s_%u_%u" : "%s_%u", types[t->type], t->id,
			 t->key_len);
	else
		snprintf(buf, len, "TYPE%u_%u", t->type, t->id);
	return buf;
}

bool ike_dh_is_weak(uint16_t group)
{
	switch (group) {
	case 1:		/* modp768 */
	case IKE_DH_MODP_1024:
	case 5:		/* modp1536 */
	case IKE_DH_MODP_1024_160:
	case IKE_DH_MODP_2048_224:
	case IKE_DH_MODP_2048_256:
		return true;
	}
	return false;
}

bool ike_encr_is_aead(uint16_t encr)
{
	return encr == IKE_ENCR_AES_GCM_16 || encr == IKE_ENCR_CHACHA20_POLY1305;
}

const struct ike_transform *ike_proposal_get(const struct ike_proposal *p, uint8_t type)
{
	unsigned int i;

	for (i = 0; i < p->n_transforms; i++)
		if (p->t[i].type == type)
			return &p->t[i];
	return NULL;
}

static bool has_transform(const struct ike_proposal *p, const struct ike_transform *t)
{
	unsigned int i;

	for (i = 0; i < p->n_transforms; i++)
		if (transform_eq(&p->t[i], t))
			return true;
	return false;
}

/* ---- configuration text ------------------------------------------------ */

struct parsed {
	struct ike_proposal *p;
	struct ike_msg_err *err;
	const char *text;
};

static int add_unique(struct parsed *ps, const struct ike_transform *t)
{
	struct ike_proposal *p = ps->p;

	if (has_transform(p, t))
		return 0;
	if (p->n_transforms == IKE_MAX_TRANSFORMS)
		return ike_err_set(ps->err, IKE_EINVAL, 0, "'%s': more than %d transforms",
				   ps->text, IKE_MAX_TRANSFORMS);
	p->t[p->n_transforms++] = *t;
	return 0;
}

/* Copy the transforms of TYPE from SRC, as TYPE AS (mapping integrity to PRF). */
static int add_all(struct parsed *ps, const struct ike_proposal *src, uint8_t type, uint8_t as)
{
	unsigned int i;

	for (i = 0; i < src->n_transforms; i++) {
		struct ike_transform t = src->t[i];
		int rc;

		if (t.type != type)
			continue;
		if (as == IKE_TRANS_PRF && type == IKE_TRANS_INTEG) {
			t.type = IKE_TRANS_PRF;
			t.id = integ_to_prf(t.id);
		}
		rc = add_unique(ps, &t);
		if (rc)
			return rc;
	}
	return 0;
}

static unsigned int count_type(const struct ike_proposal *p, uint8_t type, unsigned int *aead)
{
	unsigned int i, n = 0;

	for (i = 0; i < p->n_transforms; i++) {
		if (p->t[i].type != type)
			continue;
		n++;
		if (aead && ike_encr_is_aead(p->t[i].id))
			(*aead)++;
	}
	return n;
}

/*
 * Split TEXT on '-' into known names. AWS's names contain dashes
 * ("AES128-GCM-16", "SHA2-256"), so the longest run of up to three
 * tokens that names an algorithm wins.
 */
static int parse_tokens(const char *text, struct ike_proposal *all, struct ike_msg_err *err)
{
	const char *s = text;

	all->n_transforms = 0;
	while (*s) {
		const char *end[3];
		int k, n = 0;

		for (end[0] = s; *end[0] && *end[0] != '-'; end[0]++)
			;
		if (end[0] == s)
			return ike_err_set(err, IKE_EINVAL, 0, "'%s': empty algorithm name", text);
		for (n = 1; n < 3 && *end[n - 1] == '-'; n++)
			for (end[n] = end[n - 1] + 1; *end[n] && *end[n] != '-'; end[n]++)
				;
		for (k = n - 1; k >= 0; k--) {
			struct ike_transform t;
			char name[32];
			size_t len = (size_t)(end[k] - s);

			if (len >= sizeof(name))
				continue;
			memcpy(name, s, len);
			name[len] = '\0';
			if (ike_transform_from_name(ANY_TYPE, name, &t))
				continue;
			if (all->n_transforms == IKE_MAX_TRANSFORMS)
				return ike_err_set(err, IKE_EINVAL, 0, "'%s': too many algorithms",
						   text);
			all->t[all->n_transforms++] = t;
			s = *end[k] ? end[k] + 1 : end[k];
			if (*end[k] && !*s)
				return ike_err_set(err, IKE_EINVAL, 0, "'%s' ends with '-'", text);
			break;
		}
		if (k < 0)
			return ike_err_set(err, IKE_EINVAL, 0, "'%s': unknown algorithm '%.*s'",
					   text, (int)(end[0] - s), s);
	}
	return 0;
}

int ike_proposal_parse(const char *text, uint8_t protocol, struct ike_proposal *p,
		       struct ike_msg_err *err)
{
	struct parsed ps = { .p = p, .err = err, .text = text };
	struct ike_proposal all;
	unsigned int n_encr, n_aead = 0, n_integ, n_prf;
	bool ike = protocol == IKE_PROTO_IKE;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!ike && protocol != IKE_PROTO_ESP)
		return ike_err_set(err, IKE_EINVAL, 0, "protocol %u: only IKE and ESP", protocol);
	rc = parse_tokens(text, &all, err);
	if (rc)
		return rc;
	n_encr = count_type(&all, IKE_TRANS_ENCR, &n_aead);
	n_integ = count_type(&all, IKE_TRANS_INTEG, NULL);
	n_prf = count_type(&all, IKE_TRANS_PRF, NULL);
	if (n_encr == 0)
		return ike_err_set(err, IKE_EINVAL, 0, "'%s': no encryption algorithm", text);
	/* strongSwan splits these in two proposals; we ask for two. */
	if (n_aead && n_aead != n_encr)
		return ike_err_set(err, IKE_EINVAL, 0,
				   "'%s' mixes AEAD and non-AEAD ciphers: make two proposals",
				   text);
	if (ike) {
		if (count_type(&all, IKE_TRANS_ESN, NULL))
			return ike_err_set(err, IKE_EINVAL, 0, "'%s': ESN is for ESP only", text);
		if (!count_type(&all, IKE_TRANS_DH, NULL))
			return ike_err_set(err, IKE_EINVAL, 0, "'%s': IKE needs a DH group", text);
		if (n_aead && n_integ && n_prf)
			return ike_err_set(err, IKE_EINVAL, 0,
					   "'%s': integrity algorithm with an AEAD cipher", text);
		if (!n_aead && !n_integ)
			return ike_err_set(err, IKE_EINVAL, 0, "'%s': no integrity algorithm",
					   text);
		if (n_aead && !n_integ && !n_prf)
			return ike_err_set(err, IKE_EINVAL, 0,
					   "'%s': an AEAD cipher needs a PRF (e.g. prfsha256)",
					   text);
	} else {
		if (n_prf)
			return ike_err_set(err, IKE_EINVAL, 0, "'%s': a PRF is for IKE only", text);
		if (n_aead && n_integ)
			return ike_err_set(err, IKE_EINVAL, 0,
					   "'%s': integrity algorithm with an AEAD cipher", text);
		if (!n_aead && !n_integ)
			return ike_err_set(err, IKE_EINVAL, 0, "'%s': no integrity algorithm",
					   text);
	}

	p->num = 1;
	p->protocol = protocol;
	p->spi_size = ike ? 0 : 4;
	rc = add_all(&ps, &all, IKE_TRANS_ENCR, IKE_TRANS_ENCR);
	if (!rc && !n_aead)
		rc = add_all(&ps, &all, IKE_TRANS_INTEG, IKE_TRANS_INTEG);
	if (!rc && ike)
		rc = add_all(&ps, &all, n_prf ? IKE_TRANS_PRF : IKE_TRANS_INTEG, IKE_TRANS_PRF);
	if (!rc)
		rc = add_all(&ps, &all, IKE_TRANS_DH, IKE_TRANS_DH);
	if (!rc && !ike && !count_type(&all, IKE_TRANS_ESN, NULL)) {
		const struct ike_transform noesn = { .type = IKE_TRANS_ESN, .id = IKE_ESN_NO };

		rc = add_unique(&ps, &noesn);
	}
	if (!rc)
		rc = add_all(&ps, &all, IKE_TRANS_ESN, IKE_TRANS_ESN);
	return rc;
}

const char *ike_proposal_format(const struct ike_proposal *p, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int i;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < p->n_transforms && used + 1 < len; i++) {
		char name[IKE_TRANSFORM_NAME_LEN];
		int n = snprintf(buf + used, len - used, "%s%s", i ? "-" : "",
				 ike_transform_name(&p->t[i], name, sizeof(name)));

		if (n < 0)
			break;
		used += (size_t)n < len - used ? (size_t)n : len - used - 1;
	}
	return buf;
}

/* ---- selection --------------------------------------------------------- */

static bool type_optional(uint8_t type)
{
	return type == IKE_TRANS_INTEG || type == IKE_TRANS_DH || type == IKE_TRANS_ESN;
}

static bool type_known(uint8_t type)
{
	return type >= IKE_TRANS_ENCR && type <= IKE_TRANS_ESN;
}

/* Does our proposal L take the peer's transform T? */
static bool accepts(const struct ike_proposal *l, const struct ike_transform *t)
{
	/* RFC 7296 3.3.6: an attribute we do not understand rules it out. */
	if (t->flags & IKE_TF_UNACCEPTABLE)
		return false;
	if (!ike_proposal_get(l, t->type))
		return type_optional(t->type) && t->id == 0 && t->key_len == 0;
	return has_transform(l, t);
}

/* Can the peer leave TYPE out, given our proposal L? */
static bool accepts_absent(const struct ike_proposal *l, uint8_t type)
{
	struct ike_transform none = { .type = type };

	return !ike_proposal_get(l, type) || (type_optional(type) && has_transform(l, &none));
}

enum want {
	WANT_ANY,	/* whatever both accept, or nothing if both may omit it */
	WANT_REAL,	/* a transform with a non-zero id: PRF and DH for IKE, INTEG without AEAD */
	WANT_NONE,	/* absent or id 0: INTEG with an AEAD cipher (RFC 5282 8, RFC 7634 3) */
};

/* Add to OUT the transform of TYPE to use; 0, or -1 if the proposals cannot agree. */
static int choose(const struct ike_proposal *l, const struct ike_proposal *p, uint8_t type,
		  enum want want, struct ike_proposal *out)
{
	unsigned int i;

	if (!ike_proposal_get(p, type)) {
		if (want == WANT_NONE || (want == WANT_ANY && accepts_absent(l, type)))
			return 0;
		return -1;
	}
	for (i = 0; i < p->n_transforms; i++) {
		const struct ike_transform *t = &p->t[i];
		bool ok;

		if (t->type != type)
			continue;
		/* NONE with AEAD is fine whatever integrity we list for other ciphers. */
		if (want == WANT_NONE)
			ok = t->id == 0 && !(t->flags & IKE_TF_UNACCEPTABLE);
		else
			ok = accepts(l, t) && !(want == WANT_REAL && t->id == 0);
		if (!ok)
			continue;
		out->t[out->n_transforms++] = *t;
		return 0;
	}
	return -1;
}

/*
 * Does our L accept the peer's P in full? If so, OUT gets one transform
 * per type, ENCR, INTEG, PRF, DH, ESN (strongSwan's order, as the parser's).
 */
static bool match(const struct ike_proposal *l, const struct ike_proposal *p,
		  struct ike_proposal *out)
{
	bool ike = p->protocol == IKE_PROTO_IKE;
	unsigned int i;

	if (l->protocol != p->protocol || (!ike && p->protocol != IKE_PROTO_ESP))
		return false;
	for (i = 0; i < p->n_transforms; i++) {
		uint8_t type = p->t[i].type;

		/*
		 * 3.3.6: a type we do not understand makes the proposal
		 * unacceptable; so do ESN in IKE and a PRF in ESP, which
		 * 3.3.3 does not give those protocols.
		 */
		if (!type_known(type) || (ike && type == IKE_TRANS_ESN) ||
		    (!ike && type == IKE_TRANS_PRF))
			return false;
	}

	out->num = p->num;
	out->protocol = p->protocol;
	out->spi_size = p->spi_size;
	memcpy(out->spi, p->spi, sizeof(out->spi));
	/* Ciphers in the peer's order; the first that works with the rest wins. */
	for (i = 0; i < p->n_transforms; i++) {
		const struct ike_transform *e = &p->t[i];
		bool aead = ike_encr_is_aead(e->id);

		if (e->type != IKE_TRANS_ENCR || !accepts(l, e))
			continue;
		out->n_transforms = 0;
		out->t[out->n_transforms++] = *e;
		if (choose(l, p, IKE_TRANS_INTEG, aead ? WANT_NONE : WANT_REAL, out))
			continue;
		if (choose(l, p, IKE_TRANS_PRF, ike ? WANT_REAL : WANT_ANY, out))
			return false;
		if (choose(l, p, IKE_TRANS_DH, ike ? WANT_REAL : WANT_ANY, out))
			return false;
		if (choose(l, p, IKE_TRANS_ESN, WANT_ANY, out))
			return false;
		return true;
	}
	return false;
}

int ike_proposal_select(const struct ike_proposal *local, unsigned int n_local,
			const struct ike_sa_pl *offer, struct ike_proposal *chosen,
			struct ike_msg_err *err)
{
	char first[128] = "";
	unsigned int i, j;

	for (i = 0; i < offer->n; i++)
		for (j = 0; j < n_local; j++)
			if (match(&local[j], &offer->p[i], chosen))
				return IKE_OK;
	memset(chosen, 0, sizeof(*chosen));
	if (offer->n)
		ike_proposal_format(&offer->p[0], first, sizeof(first));
	return ike_err_set(err, IKE_ENOPROPOSAL, IKE_N_NO_PROPOSAL_CHOSEN,
			   "none of the %u proposals offered is acceptable; the first: %s",
			   offer->n, first);
}

int ike_proposal_check_reply(const struct ike_proposal *offered, unsigned int n_offered,
			     const struct ike_sa_pl *reply, struct ike_proposal *chosen,
			     struct ike_msg_err *err)
{
	const struct ike_proposal *r, *o = NULL;
	const struct ike_transform *encr, *integ, *dh;
	unsigned int seen[IKE_TRANS_ESN + 1] = { 0 };
	char name[IKE_TRANSFORM_NAME_LEN];
	unsigned int i;
	uint8_t type;

	memset(chosen, 0, sizeof(*chosen));
	/* RFC 7296 2.7, 3.3.1: the answer is one proposal, numbered as offered. */
	if (reply->n != 1)
		return syntax_err(err, "the reply carries %u proposals, not 1", reply->n);
	r = &reply->p[0];
	for (i = 0; i < n_offered && !o; i++)
		if (offered[i].num == r->num && offered[i].protocol == r->protocol)
			o = &offered[i];
	if (!o)
		return noprop(err, "the reply's proposal %u (protocol %u) was not offered",
			      r->num, r->protocol);
	if (r->spi_size != o->spi_size)
		return syntax_err(err, "the reply's SPI size is %u, not %u", r->spi_size,
				  o->spi_size);
	for (i = 0; i < r->n_transforms; i++) {
		const struct ike_transform *t = &r->t[i];

		if (!type_known(t->type) || !accepts(o, t))
			return noprop(err, "the reply chose %s, which we did not offer",
				      ike_transform_name(t, name, sizeof(name)));
		if (seen[t->type]++)
			return syntax_err(err, "the reply has several transforms of type %u",
					  t->type);
	}
	for (type = IKE_TRANS_ENCR; type <= IKE_TRANS_ESN; type++)
		if (!seen[type] && !accepts_absent(o, type))
			return syntax_err(err, "the reply has no transform of type %u", type);

	/* What we offered should make these hold; check the combination anyway. */
	encr = ike_proposal_get(r, IKE_TRANS_ENCR);
	integ = ike_proposal_get(r, IKE_TRANS_INTEG);
	dh = ike_proposal_get(r, IKE_TRANS_DH);
	if (!encr)
		return syntax_err(err, "the reply has no encryption transform");
	if (ike_encr_is_aead(encr->id) ? integ && integ->id : !integ || !integ->id)
		return noprop(err, "the reply pairs %s with %s",
			      ike_transform_name(encr, name, sizeof(name)),
			      integ ? "the wrong integrity" : "no integrity");
	if (r->protocol == IKE_PROTO_IKE &&
	    (!ike_proposal_get(r, IKE_TRANS_PRF) || !dh || !dh->id))
		return noprop(err, "the reply lacks a PRF or DH group for IKE");
	*chosen = *r;
	return IKE_OK;
}

/* ---- sizes --------------------------------------------------------------- */

int ike_proposal_sizes(const struct ike_proposal *p, struct ike_prop_sizes *ks,
		       struct ike_msg_err *err)
{
	const struct ike_transform *e = ike_proposal_get(p, IKE_TRANS_ENCR);
	const struct ike_transform *i = ike_proposal_get(p, IKE_TRANS_INTEG);
	const struct ike_transform *f = ike_proposal_get(p, IKE_TRANS_PRF);
	bool aes_len;

	memset(ks, 0, sizeof(*ks));
	if (!e)
		return ike_err_set(err, IKE_EINVAL, 0, "no encryption transform");
	aes_len = e->key_len == 128 || e->key_len == 192 || e->key_len == 256;
	switch (e->id) {
	case IKE_ENCR_AES_CBC:
		if (!aes_len)
			break;
		ks->encr_key = e->key_len / 8;
		ks->iv = 16;
		ks->block = 16;
		break;
	case IKE_ENCR_AES_GCM_16:
	case IKE_ENCR_CHACHA20_POLY1305:
		if (e->id == IKE_ENCR_AES_GCM_16 ? !aes_len : e->key_len != 0)
			break;
		ks->aead = true;
		ks->salt = 4;
		ks->encr_key = (e->key_len ? e->key_len / 8u : 32u) + ks->salt;
		ks->iv = 8;
		/* No block for SK (RFC 5282 3); ESP aligns its trailer (RFC 4303 2.4). */
		ks->block = p->protocol == IKE_PROTO_IKE ? 1 : 4;
		ks->icv = 16;
		break;
	}
	if (!ks->encr_key)
		return ike_err_set(err, IKE_EINVAL, 0, "unsupported cipher %u with key length %u",
				   e->id, e->key_len);

	if (ks->aead) {
		if (i && i->id != IKE_INTEG_NONE)
			return ike_err_set(err, IKE_EINVAL, 0, "integrity %u with an AEAD cipher",
					   i->id);
	} else {
		switch (i ? i->id : IKE_INTEG_NONE) {
		case IKE_INTEG_HMAC_SHA1_96:
			ks->integ_key = 20;
			ks->icv = 12;
			break;
		case IKE_INTEG_HMAC_SHA2_256_128:
			ks->integ_key = 32;
			ks->icv = 16;
			break;
		case IKE_INTEG_HMAC_SHA2_384_192:
			ks->integ_key = 48;
			ks->icv = 24;
			break;
		case IKE_INTEG_HMAC_SHA2_512_256:
			ks->integ_key = 64;
			ks->icv = 32;
			break;
		default:
			return ike_err_set(err, IKE_EINVAL, 0, "unsupported integrity %u",
					   i ? i->id : 0);
		}
	}

	if (p->protocol != IKE_PROTO_IKE)
		return IKE_OK;
	switch (f ? f->id : 0) {
	case IKE_PRF_HMAC_SHA1:
		ks->prf_out = 20;
		break;
	case IKE_PRF_HMAC_SHA2_256:
		ks->prf_out = 32;
		break;
	case IKE_PRF_HMAC_SHA2_384:
		ks->prf_out = 48;
		break;
	case IKE_PRF_HMAC_SHA2_512:
		ks->prf_out = 64;
		break;
	default:
		return ike_err_set(err, IKE_EINVAL, 0, "unsupported PRF %u", f ? f->id : 0);
	}
	/* HMAC's preferred key size is its output size (RFC 7296 2.13). */
	ks->prf_key = ks->prf_out;
	return IKE_OK;
}

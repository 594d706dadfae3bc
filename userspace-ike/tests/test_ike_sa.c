// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the IKE SA state machine (ike_sa.c, ike_exchange.c,
 * ike_child.c): two instances wired to each other in memory through a
 * packet queue, a fake clock and a fake kernel that records CHILD_SA
 * installs and removals. Set IKE_SA_TEST_LOG=1 to see the SAs' logs.
 * The rekey collision tests (RFC 7296 2.8) look inside through
 * ike_sa_priv.h, for the nonces that decide.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "ike_sa.h"
#include "ike_sa_priv.h"
#include "proposal.h"

#define QMAX	64
#define KMAX	16
#define OPMAX	64
#define CAPMAX	128

struct pkt {
	int to;
	uint8_t *data;
	size_t len;
	struct sockaddr_storage src, dst;
};

struct op {
	bool install;
	enum ike_sa_dir dir;
	uint32_t spi;
};

struct world;

struct side {
	struct world *w;
	int idx;
	struct ike_sa_table table;
	struct ike_sa_params p;
	struct ike_sa *sa;
	int drop;			/* drop this many of the next sends */
	bool mute;			/* drop every send */
	unsigned int sent;
	int accept_rc;
	unsigned int events[8];
	bool kused[KMAX];
	struct ike_sa_child_sa k[KMAX];
	unsigned int n_ops;
	struct op ops[OPMAX];
	unsigned int bad_remove;
	bool probing;			/* sends of a throwaway responder: discarded */
	uint32_t sending;		/* the outbound SA the kernel sends on, 0: none */
	unsigned int kseq[KMAX], seq;	/* install order */
	unsigned int n_stopped;
	struct { uint32_t spi; uint64_t at; } stopped[OPMAX];	/* sent on until AT */
	char last_err[256];		/* last log line at LOG_ERR or worse */
};

struct world {
	struct side s[2];
	struct pkt q[QMAX];
	unsigned int nq;
	uint64_t now;
	unsigned int ncap;
	struct pkt cap[CAPMAX];		/* every message sent, for replays */
	/*
	 * Check make-before-break at every kernel change: each side sends on
	 * an SA the other has inbound, and an inbound SA goes only once the
	 * other side stopped sending on it child_grace_ms before.
	 */
	bool mbb;
};

/* ---- fakes ------------------------------------------------------------------ */

static int fake_send(void *ctx, struct ike_sa *sa, const uint8_t *msg, size_t len,
		     const struct sockaddr *src, const struct sockaddr *dst)
{
	struct side *s = ctx;
	struct world *w = s->w;
	struct pkt pk = { .to = !s->idx, .len = len };

	(void)sa;
	assert_non_null(src);
	assert_non_null(dst);
	if (s->probing)
		return 0;
	memcpy(&pk.src, src, src->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
						    sizeof(struct sockaddr_in));
	memcpy(&pk.dst, dst, dst->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
						    sizeof(struct sockaddr_in));
	if (w->ncap < CAPMAX) {
		w->cap[w->ncap] = pk;
		w->cap[w->ncap].data = malloc(len);
		memcpy(w->cap[w->ncap].data, msg, len);
		w->ncap++;
	}
	s->sent++;
	if (s->mute)
		return 0;
	if (s->drop > 0) {
		s->drop--;
		return 0;
	}
	assert_true(w->nq < QMAX);
	pk.data = malloc(len);
	memcpy(pk.data, msg, len);
	w->q[w->nq++] = pk;
	return 0;
}

static const struct ike_sa_child_sa *kfind(const struct side *s, enum ike_sa_dir dir,
					   uint32_t spi);

static void stop_sending(struct side *s, uint32_t spi)
{
	assert_true(s->n_stopped < OPMAX);
	s->stopped[s->n_stopped].spi = spi;
	s->stopped[s->n_stopped++].at = s->w->now;
}

static int fake_install(void *ctx, struct ike_sa *sa, const struct ike_sa_child_sa *c)
{
	struct side *s = ctx;
	struct side *peer = &s->w->s[!s->idx];

	(void)sa;
	/* The peer must be ready for what we are about to send. */
	if (s->w->mbb && c->dir == IKE_SA_DIR_OUT && !kfind(peer, IKE_SA_DIR_IN, c->spi))
		fail_msg("%c sends on %08x, which %c has not installed", 'A' + s->idx, c->spi,
			 'A' + peer->idx);
	for (int i = 0; i < KMAX; i++) {
		if (s->kused[i])
			continue;
		s->kused[i] = true;
		s->k[i] = *c;
		s->kseq[i] = ++s->seq;
		assert_true(s->n_ops < OPMAX);
		s->ops[s->n_ops++] = (struct op){ true, c->dir, c->spi };
		if (c->dir == IKE_SA_DIR_OUT) {
			/* The newest outbound SA is the one used (ike_sa.h). */
			if (s->sending)
				stop_sending(s, s->sending);
			s->sending = c->spi;
		}
		return 0;
	}
	fail_msg("fake kernel full");
	return -1;
}

/* The SA sent on went: the kernel falls back to the newest outbound left. */
static void fake_out_removed(struct side *s)
{
	unsigned int best = 0;

	stop_sending(s, s->sending);
	s->sending = 0;
	for (int i = 0; i < KMAX; i++)
		if (s->kused[i] && s->k[i].dir == IKE_SA_DIR_OUT && s->kseq[i] > best) {
			best = s->kseq[i];
			s->sending = s->k[i].spi;
		}
}

/* S drops inbound SPI: the peer no longer sends on it, and stopped a grace period ago. */
static void check_in_removal(struct side *s, uint32_t spi)
{
	struct side *peer = &s->w->s[!s->idx];

	if (peer->sending == spi)
		fail_msg("%c removed inbound %08x, on which %c still sends", 'A' + s->idx, spi,
			 'A' + peer->idx);
	for (unsigned int i = 0; i < peer->n_stopped; i++)
		if (peer->stopped[i].spi == spi &&
		    s->w->now < peer->stopped[i].at + s->p.child_grace_ms)
			fail_msg("%c removed inbound %08x %llu ms after %c stopped sending on it",
				 'A' + s->idx, spi,
				 (unsigned long long)(s->w->now - peer->stopped[i].at),
				 'A' + peer->idx);
}

static int fake_remove(void *ctx, struct ike_sa *sa, uint32_t spi, enum ike_sa_dir dir)
{
	struct side *s = ctx;

	(void)sa;
	for (int i = 0; i < KMAX; i++) {
		if (s->kused[i] && s->k[i].spi == spi && s->k[i].dir == dir) {
			s->kused[i] = false;
			assert_true(s->n_ops < OPMAX);
			s->ops[s->n_ops++] = (struct op){ false, dir, spi };
			if (dir == IKE_SA_DIR_OUT && spi == s->sending)
				fake_out_removed(s);
			if (dir == IKE_SA_DIR_IN && s->w->mbb)
				check_in_removal(s, spi);
			return 0;
		}
	}
	s->bad_remove++;
	return -1;
}

__attribute__((format(printf, 4, 0)))
static void fake_log(void *ctx, struct ike_sa *sa, int level, const char *fmt, va_list ap)
{
	struct side *s = ctx;
	char line[256];

	(void)sa;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (level <= LOG_ERR)
		snprintf(s->last_err, sizeof(s->last_err), "%s", line);
	if (getenv("IKE_SA_TEST_LOG"))
		fprintf(stderr, "[%c %6llu %d] %s\n", s->idx ? 'B' : 'A',
			(unsigned long long)s->w->now, level, line);
}

static void fake_event(void *ctx, struct ike_sa *sa, enum ike_sa_event ev)
{
	struct side *s = ctx;

	(void)sa;
	s->events[ev]++;
}

static const struct ike_sa_ops ops = {
	.send = fake_send,
	.child_install = fake_install,
	.child_remove = fake_remove,
	.log = fake_log,
	.event = fake_event,
};

/* ---- the world ------------------------------------------------------------------ */

static void set_addr(struct sockaddr_storage *ss, int family, int host)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(IKE_PORT);
		inet_pton(AF_INET6, host ? "2001:db8::2" : "2001:db8::1", &s6->sin6_addr);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(IKE_PORT);
		inet_pton(AF_INET, host ? "192.0.2.2" : "192.0.2.1", &s4->sin_addr);
	}
}

static void prop(struct ike_proposal *p, const char *text, uint8_t protocol)
{
	struct ike_msg_err err;

	assert_int_equal(ike_proposal_parse(text, protocol, p, &err), 0);
}

/* Side IDX's parameters: IKE and ESP proposals (one each). */
static void side_params(struct side *s, int family, const char *ike, const char *esp,
			const char *psk)
{
	struct ike_sa_params *p = &s->p;

	ike_sa_params_default(p);
	set_addr(&p->local, family, s->idx);
	set_addr(&p->remote, family, !s->idx);
	p->n_ike = 1;
	prop(&p->ike[0], ike, IKE_PROTO_IKE);
	p->n_esp = 1;
	prop(&p->esp[0], esp, IKE_PROTO_ESP);
	p->psk_len = strlen(psk);
	memcpy(p->psk, psk, p->psk_len);
}

static struct world *world_new(int family, const char *ike, const char *esp)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	for (int i = 0; i < 2; i++) {
		w->s[i].w = w;
		w->s[i].idx = i;
		assert_int_equal(ike_sa_table_init(&w->s[i].table), 0);
		side_params(&w->s[i], family, ike, esp, "Sup3r.secret_psk");
	}
	w->now = 1000000;
	return w;
}

static void world_free(struct world *w)
{
	w->mbb = false;		/* freeing removes what is left: not a rekey */
	for (int i = 0; i < 2; i++) {
		struct side *s = &w->s[i];

		s->n_ops = 0;
		while (s->table.head)
			ike_sa_free(s->table.head);
		ike_sa_table_wipe(&s->table);
	}
	for (unsigned int i = 0; i < w->nq; i++)
		free(w->q[i].data);
	for (unsigned int i = 0; i < w->ncap; i++)
		free(w->cap[i].data);
	free(w);
}

static void deliver(struct world *w, const struct pkt *pk)
{
	struct side *d = &w->s[pk->to];
	const struct sockaddr *from = (const struct sockaddr *)&pk->src;
	const struct sockaddr *to = (const struct sockaddr *)&pk->dst;
	struct ike_sa *sa = ike_sa_lookup(&d->table, pk->data, pk->len, from);

	if (sa) {
		ike_sa_receive(sa, pk->data, pk->len, from, to, w->now);
		return;
	}
	sa = NULL;
	d->accept_rc = ike_sa_accept(&d->table, &d->p, &ops, d, pk->data, pk->len, from, to,
				     w->now, &sa);
	if (sa)
		d->sa = sa;
}

/* Take queued message I out of the queue and deliver it. */
static void deliver_at(struct world *w, unsigned int i)
{
	struct pkt pk;

	assert_true(i < w->nq);
	pk = w->q[i];
	memmove(&w->q[i], &w->q[i + 1], (w->nq - i - 1) * sizeof(w->q[0]));
	w->nq--;
	deliver(w, &pk);
	free(pk.data);
}

/* Deliver queued messages, in order, until none is left. */
static void pump(struct world *w)
{
	for (int n = 0; w->nq; n++) {
		assert_true(n < 1000);
		deliver_at(w, 0);
	}
}

/* Run timers and deliveries until the clock reaches T. */
static void run_until(struct world *w, uint64_t t)
{
	for (int n = 0;; n++) {
		uint64_t next = IKE_SA_NEVER;

		assert_true(n < 10000);
		pump(w);
		for (int i = 0; i < 2; i++)
			if (w->s[i].sa) {
				uint64_t x = ike_sa_next_timer(w->s[i].sa);

				next = x < next ? x : next;
			}
		if (next > t)
			break;
		if (next > w->now)
			w->now = next;
		for (int i = 0; i < 2; i++)
			if (w->s[i].sa && ike_sa_next_timer(w->s[i].sa) <= w->now)
				ike_sa_timer(w->s[i].sa, w->now);
	}
	w->now = t;
}

static unsigned int kcount(const struct side *s, enum ike_sa_dir dir)
{
	unsigned int n = 0;

	for (int i = 0; i < KMAX; i++)
		n += s->kused[i] && s->k[i].dir == dir;
	return n;
}

static const struct ike_sa_child_sa *kfind(const struct side *s, enum ike_sa_dir dir,
					   uint32_t spi)
{
	for (int i = 0; i < KMAX; i++)
		if (s->kused[i] && s->k[i].dir == dir && (!spi || s->k[i].spi == spi))
			return &s->k[i];
	return NULL;
}

static void same_keys(const struct ike_sa_child_sa *a, const struct ike_sa_child_sa *b)
{
	assert_int_equal(a->spi, b->spi);
	assert_memory_equal(&a->alg, &b->alg, sizeof(a->alg));
	assert_int_equal(a->esn, b->esn);
	assert_int_equal(a->encr_len, b->encr_len);
	assert_int_equal(a->integ_len, b->integ_len);
	assert_true(a->encr_len > 0);
	assert_memory_equal(a->encr, b->encr, a->encr_len);
	assert_memory_equal(a->integ, b->integ, a->integ_len);
}

static uint16_t port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

/*
 * Exactly one CHILD_SA pair on each side, mirrored: A's outbound is B's
 * inbound with byte-identical keys, and the other way round; UDP 4500.
 */
static void check_one_pair(struct world *w, uint32_t *spi_a_in, uint32_t *spi_b_in)
{
	struct side *a = &w->s[0], *b = &w->s[1];
	const struct ike_sa_child_sa *ai, *ao, *bi, *bo;
	uint32_t in[2], out[2];

	assert_int_equal(kcount(a, IKE_SA_DIR_IN), 1);
	assert_int_equal(kcount(a, IKE_SA_DIR_OUT), 1);
	assert_int_equal(kcount(b, IKE_SA_DIR_IN), 1);
	assert_int_equal(kcount(b, IKE_SA_DIR_OUT), 1);
	ai = kfind(a, IKE_SA_DIR_IN, 0);
	ao = kfind(a, IKE_SA_DIR_OUT, 0);
	bi = kfind(b, IKE_SA_DIR_IN, 0);
	bo = kfind(b, IKE_SA_DIR_OUT, 0);
	same_keys(ao, bi);
	same_keys(bo, ai);
	/* The two directions have different keys (RFC 7296 2.17). */
	assert_memory_not_equal(ai->encr, ao->encr, ai->encr_len);
	assert_int_equal(port_of(&ao->dst), IKE_NATT_PORT);
	assert_int_equal(port_of(&ao->src), IKE_NATT_PORT);
	assert_int_equal(port_of(&bi->src), IKE_NATT_PORT);
	assert_int_equal(a->bad_remove, 0);
	assert_int_equal(b->bad_remove, 0);
	assert_int_equal(ike_sa_children(a->sa, in, out, 2), 1);
	assert_int_equal(in[0], ai->spi);
	assert_int_equal(out[0], ao->spi);
	assert_int_equal(ike_sa_children(b->sa, in, out, 2), 1);
	assert_int_equal(in[0], bi->spi);
	if (spi_a_in)
		*spi_a_in = ai->spi;
	if (spi_b_in)
		*spi_b_in = bi->spi;
}

static void initiate(struct world *w)
{
	struct side *a = &w->s[0];

	a->sa = ike_sa_initiate(&a->table, &a->p, &ops, a, w->now);
	assert_non_null(a->sa);
	assert_int_equal(ike_sa_state(a->sa), IKE_SA_INIT_SENT);
}

static void establish(struct world *w)
{
	initiate(w);
	pump(w);
	assert_non_null(w->s[1].sa);
	assert_int_equal(ike_sa_state(w->s[0].sa), IKE_SA_ESTABLISHED);
	assert_int_equal(ike_sa_state(w->s[1].sa), IKE_SA_ESTABLISHED);
	assert_true(ike_sa_is_initiator(w->s[0].sa));
	assert_false(ike_sa_is_initiator(w->s[1].sa));
	check_one_pair(w, NULL, NULL);
}

static void same_ike_spis(struct world *w, uint8_t *spi_i, uint8_t *spi_r)
{
	uint8_t ai[IKE_SPI_LEN], ar[IKE_SPI_LEN], bi[IKE_SPI_LEN], br[IKE_SPI_LEN];

	ike_sa_spis(w->s[0].sa, ai, ar);
	ike_sa_spis(w->s[1].sa, bi, br);
	assert_memory_equal(ai, bi, IKE_SPI_LEN);
	assert_memory_equal(ar, br, IKE_SPI_LEN);
	if (spi_i)
		memcpy(spi_i, ai, IKE_SPI_LEN);
	if (spi_r)
		memcpy(spi_r, ar, IKE_SPI_LEN);
}

static void dpd_ok(struct world *w, int who)
{
	unsigned int sent = w->s[!who].sent;

	assert_int_equal(ike_sa_dpd(w->s[who].sa, w->now), 0);
	pump(w);
	assert_int_equal(w->s[!who].sent, sent + 1);	/* answered */
	assert_int_equal(ike_sa_next_timer(w->s[who].sa) == IKE_SA_NEVER ||
			 ike_sa_next_timer(w->s[who].sa) > w->now + 1000, 1);
	assert_int_equal(ike_sa_state(w->s[who].sa), IKE_SA_ESTABLISHED);
}

/* ---- IKE_SA_INIT + IKE_AUTH --------------------------------------------------------- */

static void set_id(struct ike_sa_id *id, uint8_t type, const char *data)
{
	id->type = type;
	id->len = (uint8_t)strlen(data);
	memcpy(id->data, data, id->len);
}

static void test_suites(void **state)
{
	static const struct {
		int family;
		const char *ike, *esp;
		uint8_t id_type;	/* 0: addresses */
	} suites[] = {
		{ AF_INET, "aes128-sha256-modp2048", "aes128-sha256", 0 },
		{ AF_INET, "aes256-sha1-modp2048", "aes256-sha1", IKE_ID_FQDN },
		{ AF_INET, "aes256gcm16-prfsha384-ecp384", "aes256gcm16", IKE_ID_KEY_ID },
		{ AF_INET6, "chacha20poly1305-prfsha256-x25519", "chacha20poly1305", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		struct world *w = world_new(suites[i].family, suites[i].ike, suites[i].esp);

		if (suites[i].id_type) {
			const char *ida = suites[i].id_type == IKE_ID_FQDN ? "a.example.net" : "A";
			const char *idb = suites[i].id_type == IKE_ID_FQDN ? "b.example.net" : "B";

			set_id(&w->s[0].p.local_id, suites[i].id_type, ida);
			set_id(&w->s[0].p.remote_id, suites[i].id_type, idb);
			set_id(&w->s[1].p.local_id, suites[i].id_type, idb);
			set_id(&w->s[1].p.remote_id, suites[i].id_type, ida);
		}
		establish(w);
		same_ike_spis(w, NULL, NULL);
		assert_int_equal(w->s[0].events[IKE_SA_EV_CHILD_UP], 1);
		assert_int_equal(w->s[1].events[IKE_SA_EV_CHILD_UP], 1);
		assert_int_equal(w->s[1].events[IKE_SA_EV_INITIAL_CONTACT], 1);
		/* IN before OUT on both sides. */
		assert_true(w->s[0].ops[0].install && w->s[0].ops[0].dir == IKE_SA_DIR_IN);
		assert_true(w->s[1].ops[0].install && w->s[1].ops[0].dir == IKE_SA_DIR_IN);
		dpd_ok(w, 0);
		dpd_ok(w, 1);
		world_free(w);
	}
}

static void test_remote_id_mismatch(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-modp2048", "aes128-sha256");

	(void)state;
	set_id(&w->s[1].p.remote_id, IKE_ID_FQDN, "someone.else");
	initiate(w);
	pump(w);
	assert_int_equal(ike_sa_state(w->s[0].sa), IKE_SA_CLOSED);
	assert_int_equal(ike_sa_failure(w->s[0].sa), IKE_SA_FAIL_AUTH);
	assert_int_equal(ike_sa_failure(w->s[1].sa), IKE_SA_FAIL_AUTH);
	world_free(w);
}

static void test_no_proposal(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-modp2048", "aes128-sha256");

	(void)state;
	w->s[1].p.ike[0] = (struct ike_proposal){ 0 };
	prop(&w->s[1].p.ike[0], "aes256gcm16-prfsha384-ecp384", IKE_PROTO_IKE);
	initiate(w);
	pump(w);
	assert_int_equal(ike_sa_state(w->s[0].sa), IKE_SA_CLOSED);
	assert_int_equal(ike_sa_failure(w->s[0].sa), IKE_SA_FAIL_NO_PROPOSAL);
	assert_int_equal(w->s[1].accept_rc, IKE_SA_EREFUSED);
	assert_null(w->s[1].sa);
	assert_null(w->s[1].table.head);
	assert_int_equal(w->s[0].n_ops + w->s[1].n_ops, 0);
	assert_int_equal(ike_sa_next_timer(w->s[0].sa), IKE_SA_NEVER);
	world_free(w);
}

static void test_wrong_psk(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-modp2048", "aes128-sha256");

	(void)state;
	memcpy(w->s[1].p.psk, "Wrong.secret_psk", 16);
	initiate(w);
	pump(w);
	assert_int_equal(ike_sa_state(w->s[0].sa), IKE_SA_CLOSED);
	assert_int_equal(ike_sa_failure(w->s[0].sa), IKE_SA_FAIL_AUTH);
	assert_non_null(w->s[1].sa);
	assert_int_equal(ike_sa_state(w->s[1].sa), IKE_SA_CLOSED);
	assert_int_equal(ike_sa_failure(w->s[1].sa), IKE_SA_FAIL_AUTH);
	assert_int_equal(w->s[0].n_ops + w->s[1].n_ops, 0);
	assert_int_equal(ike_sa_table_half_open(&w->s[1].table), 0);
	world_free(w);
}

static void test_invalid_ke(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-modp2048-ecp256", "aes128-sha256");

	(void)state;
	/* The initiator guesses group 14 first; the responder only takes 19. */
	w->s[1].p.ike[0] = (struct ike_proposal){ 0 };
	prop(&w->s[1].p.ike[0], "aes128-sha256-ecp256", IKE_PROTO_IKE);
	initiate(w);
	pump(w);
	assert_int_equal(w->s[0].sent, 3);	/* INIT, INIT again with group 19, AUTH */
	assert_int_equal(ike_sa_state(w->s[0].sa), IKE_SA_ESTABLISHED);
	assert_int_equal(ike_sa_state(w->s[1].sa), IKE_SA_ESTABLISHED);
	check_one_pair(w, NULL, NULL);

	world_free(w);

	/* A (forged or broken) demand for a group we did not offer: fail clearly. */
	w = world_new(AF_INET, "aes128-sha256-modp2048", "aes128-sha256");
	w->s[1].mute = true;
	initiate(w);
	{
		static const uint8_t want[2] = { 0, IKE_DH_ECP_521 };
		struct ike_notify_pl n = { .type = IKE_N_INVALID_KE_PAYLOAD, .data = want,
					   .len = 2 };
		struct ike_hdr h = { .exchange = IKE_SA_INIT, .flags = IKE_FLAG_RESPONSE };
		struct ike_buf b;
		struct pkt pk = { .to = 0, .src = w->s[1].p.local, .dst = w->s[1].p.remote };
		uint64_t spi = 0;

		for (int i = 0; i < 8; i++)
			spi = spi << 8 | w->cap[0].data[i];
		h.spi_i = spi;
		ike_buf_init(&b);
		ike_build_msg(&b, &h);
		ike_add_notify(&b, &n);
		assert_int_equal(ike_build_finish(&b), 0);
		pk.data = b.data;
		pk.len = b.len;
		deliver(w, &pk);
		ike_buf_free(&b);
	}
	assert_int_equal(ike_sa_state(w->s[0].sa), IKE_SA_CLOSED);
	assert_int_equal(ike_sa_failure(w->s[0].sa), IKE_SA_FAIL_INVALID_KE);
	world_free(w);
}

static void test_cookie(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-modp2048", "aes128-sha256");

	(void)state;
	w->s[1].table.cookie_threshold = 0;	/* always under attack */
	initiate(w);
	pump(w);
	assert_int_equal(w->s[0].sent, 3);	/* INIT, INIT with COOKIE, AUTH */
	assert_int_equal(ike_sa_state(w->s[0].sa), IKE_SA_ESTABLISHED);
	assert_int_equal(ike_sa_state(w->s[1].sa), IKE_SA_ESTABLISHED);
	check_one_pair(w, NULL, NULL);
	world_free(w);
}

/* The cookie secret rotates: a cookie older than two periods is refused. */
static void test_cookie_expires(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-modp2048", "aes128-sha256");

	(void)state;
	w->s[1].table.cookie_threshold = 0;
	initiate(w);
	deliver_at(w, 0);	/* INIT; the COOKIE answer waits in the queue */
	assert_int_equal(w->s[1].sent, 1);
	w->now += IKE_SA_COOKIE_ROTATE_MS / 2;
	deliver_at(w, 0);	/* A retries with the cookie ... */
	w->now += 2 * IKE_SA_COOKIE_ROTATE_MS;
	deliver_at(w, 0);	/* ... which is too old by the time B sees it */
	assert_int_equal(w->s[1].sent, 2);
	assert_null(w->s[1].sa);
	pump(w);		/* a fresh cookie, and then it works */
	assert_int_equal(w->s[1].table.cookies_sent, 2);
	assert_int_equal(ike_sa_state(w->s[0].sa), IKE_SA_ESTABLISHED);
	assert_int_equal(ike_sa_state(w->s[1].sa), IKE_SA_ESTABLISHED);

	/* Within a period after a rotation the previous secret still counts. */
	w->s[1].table.cookie_rotate_at = 0;
	ike_cookie_rotate(&w->s[1].table, w->now);
	assert_int_equal(w->s[1].table.cookie_version, 2);
	w->now += IKE_SA_COOKIE_ROTATE_MS;
	ike_cookie_rotate(&w->s[1].table, w->now);
	assert_int_equal(w->s[1].table.cookie_prev_version, 2);
	assert_int_equal(w->s[1].table.cookie_version, 3);
	world_free(w);
}

/* More half-open SAs from one address than cookie_per_source: a cookie first. */
static void test_cookie_per_source(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-modp2048", "aes128-sha256");
	struct side *b = &w->s[1];
	struct ike_sa *sa = NULL;
	struct pkt pk;

	(void)state;
	b->table.cookie_per_source = 1;
	initiate(w);
	assert_int_equal(w->nq, 1);
	pk = w->q[0];
	for (int i = 0; i < 2; i++) {
		int rc = ike_sa_accept(&b->table, &b->p, &ops, b, pk.data, pk.len,
				       (struct sockaddr *)&pk.src, (struct sockaddr *)&pk.dst,
				       w->now, &sa);

		assert_int_equal(rc, i ? IKE_SA_EREFUSED : 0);
	}
	assert_int_equal(ike_sa_table_half_open(&b->table), 1);
	assert_int_equal(b->table.cookies_sent, 1);
	/* A hard bound: past half_open_max, dropped without an answer. */
	b->table.cookie_per_source = IKE_SA_COOKIE_NEVER;
	b->table.half_open_max = 1;
	assert_int_equal(ike_sa_accept(&b->table, &b->p, &ops, b, pk.data, pk.len,
				       (struct sockaddr *)&pk.src, (struct sockaddr *)&pk.dst,
				       w->now, &sa), IKE_SA_EDROP);
	assert_int_equal(b->table.half_open_refused, 1);
	world_free(w);
}

/* ---- retransmission, message IDs, DPD ---------------------------------------------- */

static void test_lost_messages(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-modp2048", "aes128-sha256");
	uint64_t t0 = w->now;

	(void)state;
	w->s[0].drop = 2;	/* INIT and its first retransmission */
	w->s[1].drop = 2;	/* the INIT response, then its resent copy */
	initiate(w);
	run_until(w, t0 + 2500);
	assert_int_equal(w->s[0].sent, 2);	/* at 0 and 1 s */
	run_until(w, t0 + 20000);
	assert_int_equal(ike_sa_state(w->s[0].sa), IKE_SA_ESTABLISHED);
	assert_int_equal(ike_sa_state(w->s[1].sa), IKE_SA_ESTABLISHED);
	/* One responder SA, whatever the retransmissions. */
	assert_ptr_equal(w->s[1].table.head, w->s[1].sa);
	assert_int_equal(ike_sa_table_count(&w->s[1].table), 1);
	check_one_pair(w, NULL, NULL);

	/* A lost response: the request is retransmitted and answered from the cache. */
	world_free(w);
	w = world_new(AF_INET, "aes128-sha256-modp2048", "aes128-sha256");
	t0 = w->now;
	initiate(w);
	pump(w);	/* established */
	assert_int_equal(ike_sa_dpd(w->s[0].sa, w->now), 0);
	w->s[1].drop = 1;	/* the DPD response */
	run_until(w, t0 + 5000);
	assert_int_equal(w->s[1].sent, 4);	/* INIT resp, AUTH resp, DPD resp twice */
	assert_int_equal(ike_sa_next_timer(w->s[0].sa), IKE_SA_NEVER);
	dpd_ok(w, 0);
	check_one_pair(w, NULL, NULL);
	world_free(w);
}

static void test_setup_timeout(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-modp2048", "aes128-sha256");
	uint64_t t0 = w->now;

	(void)state;
	w->s[0].mute = true;
	initiate(w);
	run_until(w, t0 + w->s[0].p.setup_timeout_ms - 1);
	assert_int_equal(ike_sa_state(w->s[0].sa), IKE_SA_INIT_SENT);
	assert_int_equal(w->s[0].sent, 5);	/* 0, 1, 3, 7, 15 s */
	run_until(w, t0 + w->s[0].p.setup_timeout_ms);
	assert_int_equal(ike_sa_state(w->s[0].sa), IKE_SA_CLOSED);
	assert_int_equal(ike_sa_failure(w->s[0].sa), IKE_SA_FAIL_TIMEOUT);
	world_free(w);
}

/* Deliver a copy of captured message I to its destination again. */
static void replay(struct world *w, unsigned int i)
{
	struct pkt pk = w->cap[i];

	pk.data = malloc(pk.len);
	memcpy(pk.data, w->cap[i].data, pk.len);
	deliver(w, &pk);
	free(pk.data);
}

static void test_duplicate_requests(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-modp2048", "aes128-sha256");
	unsigned int sent, ops_a, ops_b;

	(void)state;
	establish(w);
	/* cap: 0 INIT req, 1 INIT resp, 2 AUTH req, 3 AUTH resp */
	assert_int_equal(w->ncap, 4);
	sent = w->s[1].sent;
	ops_a = w->s[0].n_ops;
	ops_b = w->s[1].n_ops;
	replay(w, 0);	/* IKE_SA_INIT again: that exchange is over, ignored */
	assert_int_equal(w->s[1].sent, sent);
	replay(w, 2);	/* IKE_AUTH again: the same response, from the cache */
	assert_int_equal(w->s[1].sent, sent + 1);
	assert_int_equal(w->cap[4].len, w->cap[3].len);
	assert_memory_equal(w->cap[4].data, w->cap[3].data, w->cap[3].len);
	pump(w);	/* the copies reach A, which has nothing outstanding */
	assert_int_equal(w->s[0].n_ops, ops_a);
	assert_int_equal(w->s[1].n_ops, ops_b);
	assert_int_equal(ike_sa_state(w->s[0].sa), IKE_SA_ESTABLISHED);
	assert_int_equal(ike_sa_state(w->s[1].sa), IKE_SA_ESTABLISHED);
	assert_int_equal(ike_sa_table_count(&w->s[1].table), 1);

	/* A DPD request replayed after the next one: outside the window, dropped. */
	dpd_ok(w, 0);
	dpd_ok(w, 0);
	sent = w->s[1].sent;
	replay(w, 5);	/* the first DPD request, message ID 2 */
	assert_int_equal(w->s[1].sent, sent);
	replay(w, 7);	/* the second, ID 3: the cached response */
	assert_int_equal(w->s[1].sent, sent + 1);
	pump(w);
	dpd_ok(w, 0);
	dpd_ok(w, 1);
	check_one_pair(w, NULL, NULL);
	world_free(w);
}

/* Replay capture I to B from another port and host: B must not follow it. */
static void replay_from_elsewhere(struct world *w, unsigned int i)
{
	struct pkt pk = w->cap[i];
	struct sockaddr_in *sin = (struct sockaddr_in *)&pk.src;

	sin->sin_port = htons(40000);
	sin->sin_addr.s_addr = htonl(0xc0000263);	/* 192.0.2.99 */
	pk.data = malloc(pk.len);
	memcpy(pk.data, w->cap[i].data, pk.len);
	deliver(w, &pk);
	free(pk.data);
}

/* RFC 7296 2.23: only a new, authentic, in-window message moves the peer. */
static void test_replay_moves_nothing(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-modp2048", "aes128-sha256");
	struct ike_sa_info before, after;
	unsigned int nq;

	(void)state;
	establish(w);
	ike_sa_info(w->s[1].sa, &before);
	replay_from_elsewhere(w, 2);	/* the IKE_AUTH request: a retransmission */
	dpd_ok(w, 0);
	dpd_ok(w, 0);
	replay_from_elsewhere(w, 5);	/* an old DPD request: outside the window */
	replay_from_elsewhere(w, 7);	/* the last one: a retransmission */
	ike_sa_info(w->s[1].sa, &after);
	assert_memory_equal(&before.remote, &after.remote, sizeof(struct sockaddr_in));
	/* The cached response went to the peer's real address, not the replayer's. */
	nq = w->nq;
	assert_true(nq > 0);
	assert_memory_equal(&w->q[nq - 1].dst, &before.remote, sizeof(struct sockaddr_in));
	pump(w);
	dpd_ok(w, 1);
	check_one_pair(w, NULL, NULL);
	world_free(w);
}

/* Freeing an IKE SA takes its CHILD_SAs out of the kernel, like closing it. */
static void test_free_removes_children(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-modp2048", "aes128-sha256");

	(void)state;
	establish(w);
	assert_int_equal(kcount(&w->s[1], IKE_SA_DIR_IN), 1);
	assert_int_equal(kcount(&w->s[1], IKE_SA_DIR_OUT), 1);
	ike_sa_free(w->s[1].sa);
	w->s[1].sa = NULL;
	assert_int_equal(kcount(&w->s[1], IKE_SA_DIR_IN), 0);
	assert_int_equal(kcount(&w->s[1], IKE_SA_DIR_OUT), 0);
	assert_int_equal(w->s[1].bad_remove, 0);
	world_free(w);
}

static void test_dpd_dead(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-modp2048", "aes128-sha256");
	uint64_t t0;

	(void)state;
	establish(w);
	w->s[1].mute = true;
	t0 = w->now;
	assert_int_equal(ike_sa_dpd(w->s[0].sa, t0), 0);
	run_until(w, t0 + 40000 - 1);
	assert_int_equal(ike_sa_state(w->s[0].sa), IKE_SA_ESTABLISHED);
	assert_int_equal(w->s[0].events[IKE_SA_EV_PEER_DEAD], 0);
	assert_true(w->s[0].sent >= 2 + 5);	/* retransmitted, backing off */
	run_until(w, t0 + 40000);
	assert_int_equal(ike_sa_state(w->s[0].sa), IKE_SA_CLOSED);
	assert_int_equal(ike_sa_failure(w->s[0].sa), IKE_SA_FAIL_PEER_DEAD);
	assert_int_equal(w->s[0].events[IKE_SA_EV_PEER_DEAD], 1);
	assert_int_equal(kcount(&w->s[0], IKE_SA_DIR_IN) + kcount(&w->s[0], IKE_SA_DIR_OUT), 0);
	assert_int_equal(w->s[0].bad_remove, 0);
	world_free(w);
}

/* An empty INFORMATIONAL request is the peer checking our liveness; a DELETE is not. */
static void test_peer_probe_reported(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-modp2048", "aes128-sha256");

	(void)state;
	establish(w);
	assert_int_equal(w->s[1].events[IKE_SA_EV_PEER_PROBE], 0);
	dpd_ok(w, 0);
	assert_int_equal(w->s[1].events[IKE_SA_EV_PEER_PROBE], 1);
	assert_int_equal(w->s[0].events[IKE_SA_EV_PEER_PROBE], 0);
	dpd_ok(w, 1);
	assert_int_equal(w->s[0].events[IKE_SA_EV_PEER_PROBE], 1);
	assert_int_equal(ike_sa_delete(w->s[0].sa, w->now), 0);
	pump(w);
	assert_int_equal(ike_sa_state(w->s[1].sa), IKE_SA_CLOSED);
	assert_int_equal(w->s[1].events[IKE_SA_EV_PEER_PROBE], 1);
	world_free(w);
}

static void test_delete(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-modp2048", "aes128-sha256");

	(void)state;
	establish(w);
	assert_int_equal(ike_sa_delete(w->s[0].sa, w->now), 0);
	assert_int_equal(ike_sa_state(w->s[0].sa), IKE_SA_DELETING);
	pump(w);
	assert_int_equal(ike_sa_state(w->s[0].sa), IKE_SA_CLOSED);
	assert_int_equal(ike_sa_failure(w->s[0].sa), IKE_SA_FAIL_NONE);
	assert_int_equal(ike_sa_state(w->s[1].sa), IKE_SA_CLOSED);
	assert_int_equal(ike_sa_failure(w->s[1].sa), IKE_SA_FAIL_DELETED);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(kcount(&w->s[i], IKE_SA_DIR_IN), 0);
		assert_int_equal(kcount(&w->s[i], IKE_SA_DIR_OUT), 0);
		assert_int_equal(w->s[i].bad_remove, 0);
	}
	world_free(w);
}

/* ---- CHILD_SA rekey ------------------------------------------------------------------ */

static int op_index(const struct side *s, bool install, enum ike_sa_dir dir, uint32_t spi)
{
	for (unsigned int i = 0; i < s->n_ops; i++)
		if (s->ops[i].install == install && s->ops[i].dir == dir && s->ops[i].spi == spi)
			return (int)i;
	return -1;
}

static void child_rekey(const char *esp, int who)
{
	struct world *w = world_new(AF_INET, "aes256gcm16-prfsha256-ecp256", esp);
	uint32_t old_a, old_b, new_a, new_b;
	uint8_t old_key[IKE_MAX_ENCR_KEY];
	uint64_t t0;

	establish(w);
	w->mbb = true;
	check_one_pair(w, &old_a, &old_b);
	memcpy(old_key, kfind(&w->s[0], IKE_SA_DIR_IN, 0)->encr, IKE_MAX_ENCR_KEY);
	t0 = w->now;
	assert_int_equal(ike_sa_rekey_child(w->s[who].sa, 0, t0), 0);
	assert_int_equal(ike_sa_rekey_child(w->s[who].sa, 0, t0), IKE_SA_EBUSY);
	pump(w);
	/* Old inbound SAs stay for the grace period; the outbound ones are replaced. */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(kcount(&w->s[i], IKE_SA_DIR_IN), 2);
		assert_int_equal(kcount(&w->s[i], IKE_SA_DIR_OUT), 1);
	}
	assert_non_null(kfind(&w->s[0], IKE_SA_DIR_IN, old_a));
	assert_non_null(kfind(&w->s[1], IKE_SA_DIR_IN, old_b));
	run_until(w, t0 + w->s[0].p.child_grace_ms - 1);
	assert_non_null(kfind(&w->s[0], IKE_SA_DIR_IN, old_a));
	run_until(w, t0 + w->s[0].p.child_grace_ms);
	check_one_pair(w, &new_a, &new_b);
	assert_int_not_equal(new_a, old_a);
	assert_int_not_equal(new_b, old_b);
	assert_memory_not_equal(kfind(&w->s[0], IKE_SA_DIR_IN, 0)->encr, old_key,
				kfind(&w->s[0], IKE_SA_DIR_IN, 0)->encr_len);
	/* Make-before-break: new inbound in before the old one goes, on both sides. */
	for (int i = 0; i < 2; i++) {
		uint32_t o = i ? old_b : old_a, n = i ? new_b : new_a;
		int new_in = op_index(&w->s[i], true, IKE_SA_DIR_IN, n);
		int old_gone = op_index(&w->s[i], false, IKE_SA_DIR_IN, o);

		assert_true(new_in >= 0 && old_gone > new_in);
	}
	dpd_ok(w, 0);
	/* And again, from the other side. */
	assert_int_equal(ike_sa_rekey_child(w->s[!who].sa, 0, w->now), 0);
	run_until(w, w->now + w->s[0].p.child_grace_ms);
	check_one_pair(w, NULL, NULL);
	world_free(w);
}

static void test_child_rekey_no_pfs(void **state)
{
	(void)state;
	child_rekey("aes128gcm16", 0);
}

static void test_child_rekey_pfs(void **state)
{
	(void)state;
	child_rekey("aes128-sha256-modp2048", 0);
	child_rekey("aes256gcm16-ecp256", 1);
}

/* ---- IKE rekey --------------------------------------------------------------------- */

static void ike_rekey(int who)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-modp2048", "aes128gcm16");
	uint8_t old_i[IKE_SPI_LEN], old_r[IKE_SPI_LEN], new_i[IKE_SPI_LEN], new_r[IKE_SPI_LEN];
	unsigned int n_old;
	uint32_t a_in, b_in, a_in2, b_in2;

	establish(w);
	check_one_pair(w, &a_in, &b_in);
	same_ike_spis(w, old_i, old_r);
	n_old = w->ncap;
	assert_int_equal(ike_sa_rekey_ike(w->s[who].sa, w->now), 0);
	pump(w);
	same_ike_spis(w, new_i, new_r);
	assert_memory_not_equal(old_i, new_i, IKE_SPI_LEN);
	assert_memory_not_equal(old_r, new_r, IKE_SPI_LEN);
	assert_int_equal(ike_sa_is_initiator(w->s[who].sa), true);
	assert_int_equal(ike_sa_is_initiator(w->s[!who].sa), false);
	assert_int_equal(w->s[0].events[IKE_SA_EV_IKE_REKEYED], 1);
	assert_int_equal(w->s[1].events[IKE_SA_EV_IKE_REKEYED], 1);
	/* The old IKE SA is gone on both sides: its messages find no SA. */
	assert_null(ike_sa_lookup(&w->s[!who].table, w->cap[n_old].data, w->cap[n_old].len,
				  NULL));
	assert_null(ike_sa_lookup(&w->s[who].table, w->cap[n_old + 1].data,
				  w->cap[n_old + 1].len, NULL));
	/* The new one works, both ways, and the CHILD_SAs were kept. */
	dpd_ok(w, 0);
	dpd_ok(w, 1);
	check_one_pair(w, &a_in2, &b_in2);
	assert_int_equal(a_in, a_in2);
	assert_int_equal(b_in, b_in2);
	/* A CHILD_SA rekey over the new IKE SA uses its SK_d. */
	assert_int_equal(ike_sa_rekey_child(w->s[0].sa, 0, w->now), 0);
	run_until(w, w->now + w->s[0].p.child_grace_ms);
	check_one_pair(w, NULL, NULL);
	/* Nothing left pending. */
	assert_int_equal(ike_sa_next_timer(w->s[0].sa), IKE_SA_NEVER);
	assert_int_equal(ike_sa_next_timer(w->s[1].sa), IKE_SA_NEVER);
	world_free(w);
}

static void test_ike_rekey(void **state)
{
	(void)state;
	ike_rekey(0);
	ike_rekey(1);	/* by the original responder: the I flag changes hands */
}

/* ---- garbage ------------------------------------------------------------------------ */

/* xorshift: deterministic, no global state. */
/* Lifetimes start rekeys on their own: not before lifetime - fuzz, not after it. */
static void test_lifetimes(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-modp2048", "aes128gcm16");
	uint8_t spi_i[8], spi_r[8], spi_i2[8], spi_r2[8];
	uint32_t old_a, old_b, new_a, new_b;
	uint64_t t0;

	(void)state;
	/* Only the initiator has lifetimes here: no rekey collisions. */
	w->s[0].p.child_rekey_ms = 60000;
	w->s[0].p.ike_rekey_ms = 300000;
	w->s[0].p.rekey_fuzz_ms = 10000;
	w->s[1].p.child_rekey_ms = 0;
	w->s[1].p.ike_rekey_ms = 0;
	establish(w);
	w->mbb = true;
	t0 = w->now;
	check_one_pair(w, &old_a, &old_b);
	same_ike_spis(w, spi_i, spi_r);

	run_until(w, t0 + 60000 - 10000 - 1);
	check_one_pair(w, &new_a, &new_b);
	assert_int_equal(new_a, old_a);
	assert_int_equal(new_b, old_b);
	run_until(w, t0 + 60000 + w->s[0].p.child_grace_ms);
	check_one_pair(w, &new_a, &new_b);
	assert_int_not_equal(new_a, old_a);
	assert_int_not_equal(new_b, old_b);

	run_until(w, t0 + 300000 - 10000 - 1);
	same_ike_spis(w, spi_i2, spi_r2);
	assert_memory_equal(spi_i2, spi_i, 8);
	run_until(w, t0 + 300000 + 1);
	same_ike_spis(w, spi_i2, spi_r2);
	assert_memory_not_equal(spi_i2, spi_i, 8);
	dpd_ok(w, 0);
	world_free(w);
}

static uint32_t rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

struct snap {
	enum ike_sa_state st[2];
	unsigned int sent[2], ops[2];
	uint64_t next[2];
};

static void snap_take(struct world *w, struct snap *s)
{
	for (int i = 0; i < 2; i++) {
		s->st[i] = w->s[i].sa ? ike_sa_state(w->s[i].sa) : IKE_SA_IDLE;
		s->sent[i] = w->s[i].sent;
		s->ops[i] = w->s[i].n_ops;
		s->next[i] = w->s[i].sa ? ike_sa_next_timer(w->s[i].sa) : 0;
	}
}

static void feed(struct world *w, struct side *s, const uint8_t *msg, size_t len)
{
	struct sockaddr_storage from = s->p.remote, to = s->p.local;
	struct ike_sa_table probe;
	struct ike_sa *fresh = NULL;

	if (s->sa)
		assert_int_equal(ike_sa_receive(s->sa, msg, len, (struct sockaddr *)&from,
						(struct sockaddr *)&to, w->now),
				 IKE_SA_EDROP);
	/* And to a responder with no SA yet: no crash, maybe an error reply. */
	assert_int_equal(ike_sa_table_init(&probe), 0);
	s->probing = true;
	ike_sa_accept(&probe, &s->p, &ops, s, msg, len, (struct sockaddr *)&from,
		      (struct sockaddr *)&to, w->now, &fresh);
	s->probing = false;
	ike_sa_free(fresh);
	ike_sa_table_wipe(&probe);
}

/* Random bytes, truncations and bit flips of every captured message, to both sides. */
static void garbage_round(struct world *w, uint32_t *seed)
{
	uint8_t buf[2048];
	struct snap before, after;

	snap_take(w, &before);
	for (int i = 0; i < 2; i++) {
		struct side *s = &w->s[i];

		for (int n = 0; n < 40; n++) {
			size_t len = rnd(seed) % sizeof(buf);

			for (size_t j = 0; j < len; j++)
				buf[j] = (uint8_t)rnd(seed);
			if (n & 1 && len >= IKE_HDR_LEN) {
				/* A plausible header: version 2, the real length. */
				buf[17] = IKE_VERSION;
				buf[24] = buf[25] = 0;
				buf[26] = (uint8_t)(len >> 8);
				buf[27] = (uint8_t)len;
			}
			feed(w, s, buf, len);
		}
		for (unsigned int c = 0; c < w->ncap; c++) {
			const struct pkt *pk = &w->cap[c];
			size_t len = pk->len < sizeof(buf) ? pk->len : sizeof(buf);

			/* Truncated, with and without the length fixed up. */
			for (size_t cut = 0; cut < len; cut += 1 + rnd(seed) % 7) {
				memcpy(buf, pk->data, cut);
				feed(w, s, buf, cut);
				if (cut >= IKE_HDR_LEN) {
					buf[24] = (uint8_t)(cut >> 24);
					buf[25] = (uint8_t)(cut >> 16);
					buf[26] = (uint8_t)(cut >> 8);
					buf[27] = (uint8_t)cut;
					feed(w, s, buf, cut);
				}
			}
			/* Flipped bits in protected messages fail their ICV. */
			if (pk->data[18] != IKE_SA_INIT) {
				for (int n = 0; n < 20; n++) {
					memcpy(buf, pk->data, len);
					buf[rnd(seed) % len] ^= (uint8_t)(1u << (rnd(seed) % 8));
					feed(w, s, buf, len);
				}
			}
		}
	}
	snap_take(w, &after);
	assert_memory_equal(&before, &after, sizeof(before));
}

static void test_garbage(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-modp2048", "aes128-sha256");
	uint32_t seed = 0x2545f491;

	(void)state;
	initiate(w);
	garbage_round(w, &seed);		/* A: INIT_SENT */
	/* B: HALF_OPEN, A: INIT_SENT (response queued) */
	{
		struct pkt pk = w->q[0];

		w->nq = 0;
		deliver(w, &pk);
		free(pk.data);
		garbage_round(w, &seed);
	}
	pump(w);				/* B's response: A to AUTH_SENT and on */
	assert_int_equal(ike_sa_state(w->s[0].sa), IKE_SA_ESTABLISHED);
	garbage_round(w, &seed);		/* both established */
	assert_int_equal(ike_sa_rekey_child(w->s[0].sa, 0, w->now), 0);
	garbage_round(w, &seed);		/* a CHILD rekey outstanding */
	pump(w);
	garbage_round(w, &seed);		/* old inbound SAs in their grace period */
	run_until(w, w->now + w->s[0].p.child_grace_ms);
	check_one_pair(w, NULL, NULL);
	dpd_ok(w, 0);
	dpd_ok(w, 1);
	world_free(w);
}

/* ---- rekey collisions (RFC 7296 2.8.1, 2.8.2, 2.25) ------------------------------------ */

static void test_nonce_order(void **state)
{
	static const uint8_t n1234[] = { 1, 2, 3, 4 }, n1235[] = { 1, 2, 3, 5 };
	static const uint8_t n123[] = { 1, 2, 3 }, nff[] = { 0xff }, n00ffff[] = { 0, 0xff, 0xff };
	static const uint8_t n80[] = { 0x80, 0 }, n7f[] = { 0x7f, 0xff, 0xff, 0xff };
	uint8_t low[8];
	size_t low_len;

	(void)state;
	/* Octet by octet: the first difference decides. */
	assert_true(ike_nonce_cmp(n1234, 4, n1235, 4) < 0);
	assert_true(ike_nonce_cmp(n1235, 4, n1234, 4) > 0);
	assert_int_equal(ike_nonce_cmp(n1234, 4, n1234, 4), 0);
	assert_true(ike_nonce_cmp(n7f, 4, n80, 2) < 0);
	/* An equal prefix: "If you reach the end of one nonce, that nonce is the lower one". */
	assert_true(ike_nonce_cmp(n123, 3, n1234, 4) < 0);
	assert_true(ike_nonce_cmp(n1234, 4, n123, 3) > 0);
	assert_true(ike_nonce_cmp(n123, 0, n123, 1) < 0);
	/* Not as large integers: 0x00ffff is above 0xff as a number, below it octet-wise. */
	assert_true(ike_nonce_cmp(n00ffff, 3, nff, 1) < 0);
	assert_true(ike_nonce_cmp(nff, 1, n00ffff, 3) > 0);

	ike_nonce_low(n1234, 4, n123, 3, low, &low_len);
	assert_int_equal(low_len, 3);
	assert_memory_equal(low, n123, 3);
	ike_nonce_low(nff, 1, n00ffff, 3, low, &low_len);
	assert_int_equal(low_len, 3);
	assert_memory_equal(low, n00ffff, 3);

	/* The SA whose exchange holds the lowest nonce is the redundant one. */
	assert_true(ike_rekey_redundant(n1234, 4, n1235, 4, true));
	assert_false(ike_rekey_redundant(n1235, 4, n1234, 4, false));
	assert_true(ike_rekey_redundant(n123, 3, n1234, 4, true));
	assert_false(ike_rekey_redundant(n1234, 4, n123, 3, false));
	assert_true(ike_rekey_redundant(n00ffff, 3, nff, 1, true));
	/* A tie goes the same way on both ends: the original initiator's survives. */
	assert_false(ike_rekey_redundant(n1234, 4, n1234, 4, true));
	assert_true(ike_rekey_redundant(n1234, 4, n1234, 4, false));
}

/* Both sides with the same lifetimes and no fuzz: their rekeys fall due together. */
static void same_lifetimes(struct world *w, uint32_t child_ms, uint32_t ike_ms)
{
	for (int i = 0; i < 2; i++) {
		w->s[i].p.child_rekey_ms = child_ms;
		w->s[i].p.ike_rekey_ms = ike_ms;
		w->s[i].p.rekey_fuzz_ms = 0;
	}
}

/* Run to T, when both sides' rekey timers fire: their requests cross in flight. */
static void fire_both(struct world *w, uint64_t t)
{
	run_until(w, t - 1);
	assert_int_equal(w->nq, 0);
	w->now = t;
	ike_sa_timer(w->s[0].sa, t);
	ike_sa_timer(w->s[1].sa, t);
	assert_int_equal(w->nq, 2);
}

/*
 * Establish, then run until both sides' rekeys fire at AFTER ms: their
 * requests cross in flight. The inbound SPIs of the pair before go to
 * A_IN and B_IN.
 */
static void establish_collide(struct world *w, uint32_t after, uint32_t *a_in, uint32_t *b_in)
{
	establish(w);
	w->mbb = true;
	check_one_pair(w, a_in, b_in);
	fire_both(w, w->now + after);
}

/* Both sides with equal lifetimes and no fuzz: they collide. */
static void collide(struct world *w, uint32_t child_ms, uint32_t ike_ms, uint32_t *a_in,
		    uint32_t *b_in)
{
	same_lifetimes(w, child_ms, ike_ms);
	establish_collide(w, child_ms ? child_ms : ike_ms, a_in, b_in);
}

/* No retry nor any other rekey for a while: the pair (A_IN, B_IN) stays. */
static void no_more_rekeys(struct world *w, uint32_t a_in, uint32_t b_in)
{
	uint32_t a, b;

	run_until(w, w->now + 100000);
	check_one_pair(w, &a, &b);
	assert_int_equal(a, a_in);
	assert_int_equal(b, b_in);
}

static struct ike_req *outstanding(struct side *s)
{
	return &s->sa->inst[s->sa->cur].req;
}

/* The CHILD_SA the peer's rekey made, waiting for the old one's DELETE. */
static const struct ike_child *out_pending(const struct side *s)
{
	for (int i = 0; i < IKE_SA_MAX_CHILDREN; i++)
		if (s->sa->child[i].state == IKE_CHILD_OUT_PENDING)
			return &s->sa->child[i];
	fail_msg("%c has no CHILD_SA waiting for its outbound half", 'A' + s->idx);
	return NULL;
}

static unsigned int n_out_pending(const struct side *s)
{
	unsigned int n = 0;

	for (int i = 0; i < IKE_SA_MAX_CHILDREN; i++)
		n += s->sa->child[i].state == IKE_CHILD_OUT_PENDING;
	return n;
}

static unsigned int n_inst(const struct ike_sa *sa)
{
	unsigned int n = 0;

	for (int i = 0; i < IKE_SA_INSTS; i++)
		n += sa->inst[i].used;
	return n;
}

static unsigned int n_installs(const struct side *s, enum ike_sa_dir dir)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < s->n_ops; i++)
		n += s->ops[i].install && s->ops[i].dir == dir;
	return n;
}

static void test_child_rekey_collision(void **state)
{
	(void)state;
	for (int round = 0; round < 6; round++) {
		struct world *w = world_new(AF_INET, "aes128-sha256-ecp256",
					    round & 1 ? "aes128gcm16-x25519" : "aes128gcm16");
		struct side *a = &w->s[0], *b = &w->s[1], *maker, *other;
		uint32_t old_a, old_b, new_a, new_b, x_a, x_b, y_a, y_b, lost_own, lost_other;
		bool x_lost;

		collide(w, 600000, 0, &old_a, &old_b);
		/* Each answers the other's request before its own answer comes (2.8.1). */
		deliver_at(w, 0);
		deliver_at(w, 0);
		assert_int_equal(w->nq, 2);
		/* X: A's rekey; Y: B's. Each side's record of the other's holds its low nonce. */
		x_a = outstanding(a)->new_spi;
		x_b = out_pending(b)->spi_in;
		y_a = out_pending(a)->spi_in;
		y_b = outstanding(b)->new_spi;
		x_lost = ike_nonce_cmp(out_pending(b)->low_nonce, out_pending(b)->low_nonce_len,
				       out_pending(a)->low_nonce, out_pending(a)->low_nonce_len) < 0;
		/*
		 * Both answers in, the loser's DELETE not yet: the redundant SA
		 * waits for no switch on either side (were that DELETE lost).
		 */
		deliver_at(w, 0);
		deliver_at(w, 0);
		assert_int_equal(n_out_pending(a) + n_out_pending(b), x_lost ? 1 : 1);
		assert_int_equal(n_out_pending(x_lost ? b : a), 0);
		pump(w);
		run_until(w, w->now + w->s[0].p.child_grace_ms);
		check_one_pair(w, &new_a, &new_b);
		/* The SA with the lowest nonce is gone; the other one carries the traffic. */
		assert_int_equal(new_a, x_lost ? y_a : x_a);
		assert_int_equal(new_b, x_lost ? y_b : x_b);
		/* Its maker never installed it; the other side only its inbound half. */
		maker = x_lost ? a : b;
		other = x_lost ? b : a;
		lost_own = x_lost ? x_a : y_b;
		lost_other = x_lost ? x_b : y_a;
		assert_int_equal(op_index(maker, true, IKE_SA_DIR_IN, lost_own), -1);
		assert_int_equal(op_index(other, true, IKE_SA_DIR_OUT, lost_own), -1);
		assert_int_equal(op_index(maker, true, IKE_SA_DIR_OUT, lost_other), -1);
		assert_true(op_index(other, true, IKE_SA_DIR_IN, lost_other) >= 0);
		assert_true(op_index(other, false, IKE_SA_DIR_IN, lost_other) >= 0);
		/* Two outbound SAs in all on each side: the first, and the survivor. */
		assert_int_equal(n_installs(a, IKE_SA_DIR_OUT), 2);
		assert_int_equal(n_installs(b, IKE_SA_DIR_OUT), 2);
		assert_int_equal(n_installs(maker, IKE_SA_DIR_IN), 2);
		assert_int_equal(n_installs(other, IKE_SA_DIR_IN), 3);
		/* Nothing retried: the next rekey is a lifetime away. */
		no_more_rekeys(w, new_a, new_b);
		dpd_ok(w, 0);
		dpd_ok(w, 1);
		world_free(w);
	}
}

/*
 * Only B sees the collision: A's rekey completes before B's request
 * reaches A, which refuses it (the old SA is being closed, 2.25.1). B
 * takes A's new SA when A's DELETE comes, whatever the order of the
 * DELETE and of the refusal, and does not retry.
 */
static void test_child_rekey_collision_one_sided(void **state)
{
	(void)state;
	for (int order = 0; order < 2; order++) {
		struct world *w = world_new(AF_INET, "aes128-sha256-ecp256", "aes128gcm16-ecp256");
		uint32_t old_a, old_b, new_a, new_b, x_a;
		uint64_t t1;

		collide(w, 600000, 0, &old_a, &old_b);
		t1 = w->now;
		x_a = outstanding(&w->s[0])->new_spi;
		deliver_at(w, 0);	/* A's request to B, which answers: B1, resp */
		deliver_at(w, 1);	/* the answer to A, done: B1, DELETE */
		deliver_at(w, 0);	/* B's request to A: TEMPORARY_FAILURE */
		deliver_at(w, (unsigned int)order);	/* DELETE or refusal first */
		pump(w);
		run_until(w, w->now + w->s[0].p.child_grace_ms);
		check_one_pair(w, &new_a, &new_b);
		assert_int_equal(new_a, x_a);
		assert_int_equal(n_installs(&w->s[1], IKE_SA_DIR_IN), 2);
		assert_int_equal(n_installs(&w->s[1], IKE_SA_DIR_OUT), 2);
		/* No retry: the peer's rekey made the fresh SA. */
		assert_int_equal(ike_sa_next_timer(w->s[1].sa), t1 + 600000);
		no_more_rekeys(w, new_a, new_b);
		dpd_ok(w, 1);
		world_free(w);
	}
}

/*
 * A rekeys the CHILD_SA that B deletes (2.25.1): crossing; and B answering
 * the rekey, then deleting, its DELETE overtaking the answer (A deletes
 * the new SA it then gets). Nothing is left, nothing is retried.
 */
static void test_child_rekey_meets_delete(void **state)
{
	(void)state;
	for (int v = 0; v < 2; v++) {
		struct world *w = world_new(AF_INET, "aes128-sha256-ecp256", "aes128gcm16");

		establish(w);
		w->s[0].p.child_rekey_ms = 600000;	/* a retry would show */
		assert_int_equal(ike_sa_rekey_child(w->s[0].sa, 0, w->now), 0);
		if (v == 0) {
			assert_int_equal(ike_sa_delete_child(w->s[1].sa, 0, w->now), 0);
		} else {
			deliver_at(w, 0);
			assert_int_equal(ike_sa_delete_child(w->s[1].sa, 0, w->now), 0);
			deliver_at(w, 1);
		}
		pump(w);
		run_until(w, w->now + w->s[0].p.child_grace_ms);
		for (int i = 0; i < 2; i++) {
			assert_int_equal(kcount(&w->s[i], IKE_SA_DIR_IN), 0);
			assert_int_equal(kcount(&w->s[i], IKE_SA_DIR_OUT), 0);
			assert_int_equal(w->s[i].bad_remove, 0);
			assert_int_equal(w->s[i].events[IKE_SA_EV_CHILD_DOWN], 1);
			assert_int_equal(ike_sa_children(w->s[i].sa, NULL, NULL, 0), 0);
			assert_int_equal(ike_sa_next_timer(w->s[i].sa), IKE_SA_NEVER);
		}
		dpd_ok(w, 0);
		dpd_ok(w, 1);
		world_free(w);
	}
}

/* INVALID_KE_PAYLOAD to a CHILD_SA rekey: retried with the group asked for, if allowed. */
static void test_child_rekey_invalid_ke(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-ecp256", "aes128gcm16-modp2048-ecp256");
	uint32_t old_a, old_b, new_a, new_b;
	unsigned int sent;

	(void)state;
	/* B takes PFS with ECP 256 only: A's first guess, MODP 2048, is refused. */
	w->s[1].p.esp[0] = (struct ike_proposal){ 0 };
	prop(&w->s[1].p.esp[0], "aes128gcm16-ecp256", IKE_PROTO_ESP);
	establish(w);
	w->mbb = true;
	check_one_pair(w, &old_a, &old_b);
	sent = w->s[0].sent;
	assert_int_equal(ike_sa_rekey_child(w->s[0].sa, 0, w->now), 0);
	run_until(w, w->now + w->s[0].p.child_grace_ms);
	assert_int_equal(w->s[0].sent, sent + 3);	/* group 14, group 19, DELETE */
	check_one_pair(w, &new_a, &new_b);
	assert_int_not_equal(new_a, old_a);
	/* The next rekey guesses right at once. */
	sent = w->s[0].sent;
	assert_int_equal(ike_sa_rekey_child(w->s[0].sa, 0, w->now), 0);
	run_until(w, w->now + w->s[0].p.child_grace_ms);
	assert_int_equal(w->s[0].sent, sent + 2);
	check_one_pair(w, &old_a, &old_b);
	assert_int_not_equal(new_a, old_a);
	world_free(w);

	/* A group the configuration does not allow is refused, with a log line. */
	w = world_new(AF_INET, "aes128-sha256-ecp256", "aes128gcm16-modp2048-ecp256");
	w->s[1].p.esp[0] = (struct ike_proposal){ 0 };
	prop(&w->s[1].p.esp[0], "aes128gcm16-ecp256", IKE_PROTO_ESP);
	establish(w);
	check_one_pair(w, &old_a, &old_b);
	assert_int_equal(ike_sa_rekey_child(w->s[0].sa, 0, w->now), 0);
	deliver_at(w, 0);	/* B answers INVALID_KE_PAYLOAD(19) */
	/* A's configuration lost ECP 256 meanwhile. */
	w->s[0].sa->p.esp[0] = (struct ike_proposal){ 0 };
	prop(&w->s[0].sa->p.esp[0], "aes128gcm16-modp2048", IKE_PROTO_ESP);
	sent = w->s[0].sent;
	pump(w);
	assert_int_equal(w->s[0].sent, sent);
	assert_non_null(strstr(w->s[0].last_err, "DH group 19"));
	assert_non_null(strstr(w->s[0].last_err, "not allow"));
	check_one_pair(w, &new_a, &new_b);
	assert_int_equal(new_a, old_a);
	dpd_ok(w, 0);
	world_free(w);
}

static void test_ike_rekey_collision(void **state)
{
	(void)state;
	for (int round = 0; round < 4; round++) {
		struct world *w = world_new(AF_INET, round & 1 ? "aes128-sha256-ecp256" :
					    "aes128-sha256-modp2048", "aes128gcm16");
		struct side *a = &w->s[0], *b = &w->s[1];
		uint8_t x_i[IKE_SPI_LEN], x_r[IKE_SPI_LEN], y_i[IKE_SPI_LEN], y_r[IKE_SPI_LEN];
		uint8_t spi_i[IKE_SPI_LEN], spi_r[IKE_SPI_LEN];
		uint32_t a_in, b_in, a_in2, b_in2;
		const struct ike_inst *pa, *pb;
		unsigned int ops_a, ops_b;
		bool x_lost;

		collide(w, 0, 600000, &a_in, &b_in);
		ops_a = a->n_ops;
		ops_b = b->n_ops;
		deliver_at(w, 0);
		deliver_at(w, 0);
		/* Both answered: B holds A's new IKE SA (X), A holds B's (Y), pending. */
		pb = ike_sa_pending(b->sa);
		pa = ike_sa_pending(a->sa);
		assert_non_null(pa);
		assert_non_null(pb);
		memcpy(x_i, pb->spi_i, IKE_SPI_LEN);
		memcpy(x_r, pb->spi_r, IKE_SPI_LEN);
		memcpy(y_i, pa->spi_i, IKE_SPI_LEN);
		memcpy(y_r, pa->spi_r, IKE_SPI_LEN);
		x_lost = ike_nonce_cmp(pb->low_nonce, pb->low_nonce_len, pa->low_nonce,
				       pa->low_nonce_len) < 0;
		pump(w);
		same_ike_spis(w, spi_i, spi_r);
		assert_memory_equal(spi_i, x_lost ? y_i : x_i, IKE_SPI_LEN);
		assert_memory_equal(spi_r, x_lost ? y_r : x_r, IKE_SPI_LEN);
		/* The survivor's initiator is the one that started its rekey (2.18). */
		assert_int_equal(ike_sa_is_initiator(a->sa), !x_lost);
		assert_int_equal(ike_sa_is_initiator(b->sa), x_lost);
		/* The old IKE SA and the redundant new one are deleted, on both sides. */
		assert_int_equal(n_inst(a->sa), 1);
		assert_int_equal(n_inst(b->sa), 1);
		assert_int_equal(a->events[IKE_SA_EV_IKE_REKEYED], 1);
		assert_int_equal(b->events[IKE_SA_EV_IKE_REKEYED], 1);
		/* The CHILD_SAs were inherited as they were. */
		assert_int_equal(a->n_ops, ops_a);
		assert_int_equal(b->n_ops, ops_b);
		check_one_pair(w, &a_in2, &b_in2);
		assert_int_equal(a_in2, a_in);
		assert_int_equal(b_in2, b_in);
		dpd_ok(w, 0);
		dpd_ok(w, 1);
		/* Both use the survivor's SK_d: a CHILD_SA rekey agrees on the keys. */
		assert_int_equal(ike_sa_rekey_child(b->sa, 0, w->now), 0);
		run_until(w, w->now + w->s[0].p.child_grace_ms);
		check_one_pair(w, &a_in2, &b_in2);
		assert_int_not_equal(a_in2, a_in);
		/* Nothing left to retry: the next IKE rekey is a lifetime away. */
		assert_true(ike_sa_next_timer(a->sa) > w->now + 500000);
		assert_true(ike_sa_next_timer(b->sa) > w->now + 500000);
		world_free(w);
	}
}

/*
 * Only B sees the IKE rekey collision (the 2.8.2 special case): A's
 * rekey completes, B's request meets the old IKE SA A is closing
 * (TEMPORARY_FAILURE), and A's DELETE of the old IKE SA tells B to take
 * A's new one, in either order. B does not retry.
 */
static void test_ike_rekey_collision_one_sided(void **state)
{
	(void)state;
	for (int order = 0; order < 2; order++) {
		struct world *w = world_new(AF_INET, "aes128-sha256-ecp256", "aes128gcm16");
		uint8_t x_i[IKE_SPI_LEN], spi_i[IKE_SPI_LEN];
		unsigned int ops_b;

		collide(w, 0, 600000, NULL, NULL);
		ops_b = w->s[1].n_ops;
		memcpy(x_i, outstanding(&w->s[0])->new_ike_spi, IKE_SPI_LEN);
		deliver_at(w, 0);	/* A's request to B, which answers: B1, resp */
		deliver_at(w, 1);	/* A is done and deletes the old SA: B1, DELETE */
		deliver_at(w, 0);	/* B's request meets the old SA: TEMPORARY_FAILURE */
		deliver_at(w, (unsigned int)order);
		if (order == 1) {
			/* Refused, with A's rekey answered: B takes it at once. */
			same_ike_spis(w, spi_i, NULL);
			assert_memory_equal(spi_i, x_i, IKE_SPI_LEN);
		}
		pump(w);
		same_ike_spis(w, spi_i, NULL);
		assert_memory_equal(spi_i, x_i, IKE_SPI_LEN);
		assert_int_equal(n_inst(w->s[0].sa), 1);
		assert_int_equal(n_inst(w->s[1].sa), 1);
		assert_int_equal(w->s[1].events[IKE_SA_EV_IKE_REKEYED], 1);
		assert_int_equal(w->s[1].n_ops, ops_b);
		assert_int_equal(ike_sa_next_timer(w->s[0].sa), w->now + 600000);
		assert_int_equal(ike_sa_next_timer(w->s[1].sa), w->now + 600000);
		dpd_ok(w, 0);
		dpd_ok(w, 1);
		check_one_pair(w, NULL, NULL);
		world_free(w);
	}
}

/* An IKE rekey that meets the peer's DELETE of the IKE SA: forgotten (2.25.2). */
static void test_ike_rekey_meets_delete(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-ecp256", "aes128gcm16");

	(void)state;
	establish(w);
	assert_int_equal(ike_sa_rekey_ike(w->s[0].sa, w->now), 0);
	assert_int_equal(ike_sa_delete(w->s[1].sa, w->now), 0);
	pump(w);
	assert_int_equal(ike_sa_state(w->s[0].sa), IKE_SA_CLOSED);
	assert_int_equal(ike_sa_failure(w->s[0].sa), IKE_SA_FAIL_DELETED);
	assert_int_equal(ike_sa_state(w->s[1].sa), IKE_SA_CLOSED);
	assert_int_equal(ike_sa_failure(w->s[1].sa), IKE_SA_FAIL_NONE);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(kcount(&w->s[i], IKE_SA_DIR_IN) + kcount(&w->s[i], IKE_SA_DIR_OUT),
				 0);
		assert_int_equal(w->s[i].bad_remove, 0);
		assert_int_equal(w->s[i].events[IKE_SA_EV_IKE_REKEYED], 0);
	}
	world_free(w);
}

/* CHILD_SA and IKE SA rekeys at once. */
static void test_child_rekey_during_ike_rekey(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-ecp256", "aes128gcm16-ecp256");
	uint32_t old_a, old_b, new_a, new_b;

	(void)state;
	w->s[1].p.child_rekey_ms = 600000;
	establish(w);
	w->mbb = true;
	check_one_pair(w, &old_a, &old_b);
	/* Crossing: A refuses B's CHILD rekey while its IKE rekey is out (2.25.2). */
	assert_int_equal(ike_sa_rekey_ike(w->s[0].sa, w->now), 0);
	assert_int_equal(ike_sa_rekey_child(w->s[1].sa, 0, w->now), 0);
	pump(w);
	same_ike_spis(w, NULL, NULL);
	assert_int_equal(n_inst(w->s[0].sa), 1);
	assert_int_equal(n_inst(w->s[1].sa), 1);
	check_one_pair(w, &new_a, &new_b);
	assert_int_equal(new_a, old_a);
	/* B retries later, over the new IKE SA. */
	run_until(w, w->now + 2 * w->s[1].p.retransmit_max_ms + w->s[1].p.child_grace_ms);
	check_one_pair(w, &new_a, &new_b);
	assert_int_not_equal(new_a, old_a);
	assert_int_not_equal(new_b, old_b);

	/*
	 * B answers A's CHILD rekey, then rekeys the IKE SA; its request
	 * overtakes the answer, so A switches IKE SAs first: the CHILD_SA's
	 * keys still come from the SK_d of the IKE SA its exchange ran on.
	 */
	assert_int_equal(ike_sa_rekey_child(w->s[0].sa, 0, w->now), 0);
	deliver_at(w, 0);
	assert_int_equal(ike_sa_rekey_ike(w->s[1].sa, w->now), 0);
	deliver_at(w, 1);
	/* A's DPD on the new IKE SA: the old CHILD_SA's DELETE waits for the window. */
	assert_int_equal(ike_sa_dpd(w->s[0].sa, w->now), 0);
	pump(w);
	run_until(w, w->now + w->s[0].p.child_grace_ms);
	same_ike_spis(w, NULL, NULL);
	check_one_pair(w, &old_a, &old_b);
	assert_int_not_equal(new_a, old_a);
	dpd_ok(w, 0);
	dpd_ok(w, 1);
	world_free(w);

	/*
	 * A's DELETE of the old CHILD_SA goes over the old IKE SA, which B's
	 * IKE rekey replaces meanwhile. 0: B gets the DELETE after switching
	 * IKE SAs, and must still act on it; 1: B's DELETE of the old IKE SA
	 * reaches A before B's answer, so A sends its DELETE again over the
	 * new IKE SA.
	 */
	for (int order = 0; order < 2; order++) {
		w = world_new(AF_INET, "aes128-sha256-ecp256", "aes128gcm16-ecp256");
		establish(w);
		w->mbb = true;
		check_one_pair(w, &old_a, &old_b);
		assert_int_equal(ike_sa_rekey_child(w->s[0].sa, 0, w->now), 0);
		deliver_at(w, 0);	/* B answers */
		assert_int_equal(ike_sa_rekey_ike(w->s[1].sa, w->now), 0);
		deliver_at(w, 0);	/* A done: DELETE over the old IKE SA: B1, D */
		deliver_at(w, 0);	/* A answers B's IKE rekey and switches: D, rB1 */
		deliver_at(w, 1);	/* B switches, deletes the old IKE SA: D, DI */
		if (order == 0) {
			deliver_at(w, 0);	/* the CHILD DELETE over B's old IKE SA: DI, rD */
			deliver_at(w, 1);	/* its answer, before DI */
		} else {
			deliver_at(w, 0);	/* DI, rD */
			deliver_at(w, 0);	/* DI first: A's DELETE goes again */
		}
		pump(w);
		run_until(w, w->now + w->s[0].p.child_grace_ms);
		same_ike_spis(w, NULL, NULL);
		assert_int_equal(n_inst(w->s[0].sa), 1);
		assert_int_equal(n_inst(w->s[1].sa), 1);
		check_one_pair(w, &new_a, &new_b);
		assert_int_not_equal(new_a, old_a);
		assert_int_equal(ike_sa_next_timer(w->s[0].sa), IKE_SA_NEVER);
		assert_int_equal(ike_sa_next_timer(w->s[1].sa), IKE_SA_NEVER);
		world_free(w);
	}
}

/* INVALID_KE_PAYLOAD to an IKE SA rekey: retried with the group asked for, if allowed. */
static void test_ike_rekey_invalid_ke(void **state)
{
	struct world *w = world_new(AF_INET, "aes128-sha256-modp2048-ecp256", "aes128gcm16");
	uint8_t spi_i[IKE_SPI_LEN], spi_i2[IKE_SPI_LEN];
	unsigned int sent;

	(void)state;
	establish(w);	/* with MODP 2048, A's first guess */
	assert_int_equal(w->s[0].sa->inst[w->s[0].sa->cur].dh_group, IKE_DH_MODP_2048);
	same_ike_spis(w, spi_i, NULL);
	/* B now takes ECP 256 only (a reload). */
	w->s[1].sa->p.ike[0] = (struct ike_proposal){ 0 };
	prop(&w->s[1].sa->p.ike[0], "aes128-sha256-ecp256", IKE_PROTO_IKE);
	sent = w->s[0].sent;
	assert_int_equal(ike_sa_rekey_ike(w->s[0].sa, w->now), 0);
	pump(w);
	assert_int_equal(w->s[0].sent, sent + 3);	/* group 14, group 19, DELETE */
	same_ike_spis(w, spi_i2, NULL);
	assert_memory_not_equal(spi_i, spi_i2, IKE_SPI_LEN);
	assert_int_equal(w->s[0].sa->inst[w->s[0].sa->cur].dh_group, IKE_DH_ECP_256);
	assert_int_equal(n_inst(w->s[0].sa), 1);
	dpd_ok(w, 0);
	dpd_ok(w, 1);
	world_free(w);

	/* A group phase 1 does not allow is refused, with a log line. */
	w = world_new(AF_INET, "aes128-sha256-modp2048-ecp256", "aes128gcm16");
	establish(w);
	same_ike_spis(w, spi_i, NULL);
	w->s[1].sa->p.ike[0] = (struct ike_proposal){ 0 };
	prop(&w->s[1].sa->p.ike[0], "aes128-sha256-ecp256", IKE_PROTO_IKE);
	assert_int_equal(ike_sa_rekey_ike(w->s[0].sa, w->now), 0);
	deliver_at(w, 0);	/* B answers INVALID_KE_PAYLOAD(19) */
	w->s[0].sa->p.ike[0] = (struct ike_proposal){ 0 };
	prop(&w->s[0].sa->p.ike[0], "aes128-sha256-modp2048", IKE_PROTO_IKE);
	sent = w->s[0].sent;
	pump(w);
	assert_int_equal(w->s[0].sent, sent);
	assert_non_null(strstr(w->s[0].last_err, "DH group 19"));
	assert_non_null(strstr(w->s[0].last_err, "not allow"));
	same_ike_spis(w, spi_i2, NULL);
	assert_memory_equal(spi_i, spi_i2, IKE_SPI_LEN);
	dpd_ok(w, 0);
	world_free(w);
}

/* Simultaneous rekeys whose messages overtake each other at random. */
static void test_rekey_collision_reordered(void **state)
{
	uint32_t seed = 0x9e3779b9;

	(void)state;
	for (int round = 0; round < 48; round++) {
		/* CHILD and CHILD, IKE and IKE, A's CHILD and B's IKE, all four at once. */
		int kind = round % 4;
		struct world *w = world_new(AF_INET, "aes128-sha256-ecp256", "aes128gcm16-ecp256");

		same_lifetimes(w, kind == 1 ? 0 : 600000, kind == 0 ? 0 : 600000);
		if (kind == 2) {
			w->s[0].p.ike_rekey_ms = 0;
			w->s[1].p.child_rekey_ms = 0;
		}
		establish_collide(w, 600000, NULL, NULL);
		for (int n = 0; w->nq; n++) {
			assert_true(n < 1000);
			deliver_at(w, rnd(&seed) % w->nq);
			/* The CHILD rekeys of kind 3 go when the IKE rekeys are done. */
			if (!w->nq)
				run_until(w, w->now + 1);
		}
		/*
		 * Retries done; and a redundant IKE SA whose maker never learnt
		 * of it (it took our DELETE of the old one first) expired.
		 */
		run_until(w, w->now + w->s[0].p.dpd_timeout_ms + 1);
		check_one_pair(w, NULL, NULL);
		same_ike_spis(w, NULL, NULL);
		assert_int_equal(n_inst(w->s[0].sa), 1);
		assert_int_equal(n_inst(w->s[1].sa), 1);
		dpd_ok(w, 0);
		dpd_ok(w, 1);
		world_free(w);
	}
}

/* ---- configuration ----------------------------------------------------------------- */

static void load(const char *text, struct ike_sa_params *p)
{
	struct ike_config_errors errs = { 0 };
	struct ike_config *cfg = NULL;

	if (ike_config_load_string("t.conf", text, &cfg, &errs)) {
		ike_config_errors_print(&errs, stderr);
		fail_msg("configuration refused");
	}
	assert_int_equal(ike_sa_params_from_config(cfg, 0, p), 0);
	assert_int_equal(ike_sa_params_from_config(cfg, 1, p) == 0, false);
	assert_int_equal(ike_sa_params_from_config(cfg, 0, p), 0);
	ike_config_free(cfg);
	ike_config_errors_free(&errs);
}

static void test_from_config(void **state)
{
	static const char a[] =
		"[connection]\nlocal_address = 192.0.2.1\n"
		"[tunnel1]\noutside_address = 192.0.2.2\npsk = Secret.psk_123\n"
		"inside_cidr = 169.254.10.0/30\n";
	static const char b[] =
		"[connection]\nlocal_address = 192.0.2.2\nphase1_encryption = AES256-GCM-16\n"
		"phase2_dh_groups = 20\n"
		"[tunnel1]\noutside_address = 192.0.2.1\npsk = Secret.psk_123\n"
		"inside_cidr = 169.254.10.0/30\ninside_role = aws\n";
	struct world *w = world_new(AF_INET, "aes128-sha256-modp2048", "aes128-sha256");

	(void)state;
	load(a, &w->s[0].p);
	load(b, &w->s[1].p);
	assert_int_equal(w->s[0].p.psk_len, 14);
	assert_true(w->s[0].p.n_ike >= 1 && w->s[0].p.n_esp >= 1);
	assert_int_equal(w->s[0].p.dpd_timeout_ms, 40000);
	assert_int_equal(w->s[0].p.child_rekey_ms, (3600 - 270) * 1000);
	assert_int_equal(port_of(&w->s[0].p.remote), IKE_PORT);
	establish(w);
	/* PFS with the only group B allows, ECP 384. */
	assert_int_equal(ike_sa_rekey_child(w->s[0].sa, 0, w->now), 0);
	run_until(w, w->now + w->s[0].p.child_grace_ms);
	check_one_pair(w, NULL, NULL);
	/* A's default phase 2 list puts the CBC proposal (AES128 first) first. */
	assert_int_equal(kfind(&w->s[0], IKE_SA_DIR_IN, 0)->alg.encr, IKE_ENCR_AES_CBC);
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suites),
		cmocka_unit_test(test_remote_id_mismatch),
		cmocka_unit_test(test_no_proposal),
		cmocka_unit_test(test_wrong_psk),
		cmocka_unit_test(test_invalid_ke),
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_cookie_expires),
		cmocka_unit_test(test_cookie_per_source),
		cmocka_unit_test(test_replay_moves_nothing),
		cmocka_unit_test(test_free_removes_children),
		cmocka_unit_test(test_lost_messages),
		cmocka_unit_test(test_setup_timeout),
		cmocka_unit_test(test_duplicate_requests),
		cmocka_unit_test(test_dpd_dead),
		cmocka_unit_test(test_peer_probe_reported),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_child_rekey_no_pfs),
		cmocka_unit_test(test_child_rekey_pfs),
		cmocka_unit_test(test_ike_rekey),
		cmocka_unit_test(test_lifetimes),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_nonce_order),
		cmocka_unit_test(test_child_rekey_collision),
		cmocka_unit_test(test_child_rekey_collision_one_sided),
		cmocka_unit_test(test_child_rekey_meets_delete),
		cmocka_unit_test(test_child_rekey_invalid_ke),
		cmocka_unit_test(test_ike_rekey_collision),
		cmocka_unit_test(test_ike_rekey_collision_one_sided),
		cmocka_unit_test(test_ike_rekey_meets_delete),
		cmocka_unit_test(test_child_rekey_during_ike_rekey),
		cmocka_unit_test(test_ike_rekey_invalid_ke),
		cmocka_unit_test(test_rekey_collision_reordered),
		cmocka_unit_test(test_from_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

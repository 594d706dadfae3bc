// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the IKE SA state machine (ike_sa.c, ike_exchange.c,
 * ike_child.c): two instances wired to each other in memory through a
 * packet queue, a fake clock and a fake kernel that records CHILD_SA
 * installs and removals. Set IKE_SA_TEST_LOG=1 to see the SAs' logs.
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
};

struct world {
	struct side s[2];
	struct pkt q[QMAX];
	unsigned int nq;
	uint64_t now;
	unsigned int ncap;
	struct pkt cap[CAPMAX];		/* every message sent, for replays */
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

static int fake_install(void *ctx, struct ike_sa *sa, const struct ike_sa_child_sa *c)
{
	struct side *s = ctx;

	(void)sa;
	for (int i = 0; i < KMAX; i++) {
		if (s->kused[i])
			continue;
		s->kused[i] = true;
		s->k[i] = *c;
		assert_true(s->n_ops < OPMAX);
		s->ops[s->n_ops++] = (struct op){ true, c->dir, c->spi };
		return 0;
	}
	fail_msg("fake kernel full");
	return -1;
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

	(void)sa;
	if (!getenv("IKE_SA_TEST_LOG"))
		return;
	fprintf(stderr, "[%c %6llu %d] ", s->idx ? 'B' : 'A', (unsigned long long)s->w->now,
		level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
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
	for (int i = 0; i < 2; i++) {
		struct side *s = &w->s[i];

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

/* Deliver queued messages, in order, until none is left. */
static void pump(struct world *w)
{
	for (int n = 0; w->nq; n++) {
		struct pkt pk = w->q[0];

		assert_true(n < 1000);
		memmove(&w->q[0], &w->q[1], (w->nq - 1) * sizeof(w->q[0]));
		w->nq--;
		deliver(w, &pk);
		free(pk.data);
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

static void test_child_rekey_collision(void **state)
{
	(void)state;
	for (int round = 0; round < 4; round++) {
		struct world *w = world_new(AF_INET, "aes128-sha256-ecp256",
					    round & 1 ? "aes128gcm16-x25519" : "aes128gcm16");
		uint32_t old_a, old_b, new_a, new_b;

		establish(w);
		check_one_pair(w, &old_a, &old_b);
		/* Both sides rekey the same CHILD_SA at once (RFC 7296 2.8.1). */
		assert_int_equal(ike_sa_rekey_child(w->s[0].sa, 0, w->now), 0);
		assert_int_equal(ike_sa_rekey_child(w->s[1].sa, 0, w->now), 0);
		pump(w);
		run_until(w, w->now + w->s[0].p.child_grace_ms);
		check_one_pair(w, &new_a, &new_b);
		assert_int_not_equal(new_a, old_a);
		assert_int_not_equal(new_b, old_b);
		dpd_ok(w, 0);
		dpd_ok(w, 1);
		world_free(w);
	}
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
		cmocka_unit_test(test_lost_messages),
		cmocka_unit_test(test_setup_timeout),
		cmocka_unit_test(test_duplicate_requests),
		cmocka_unit_test(test_dpd_dead),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_child_rekey_no_pfs),
		cmocka_unit_test(test_child_rekey_pfs),
		cmocka_unit_test(test_child_rekey_collision),
		cmocka_unit_test(test_ike_rekey),
		cmocka_unit_test(test_lifetimes),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_from_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

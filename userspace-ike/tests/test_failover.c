// SPDX-License-Identifier: GPL-2.0
/*
 * failover.c: which tunnel carries traffic as tunnels come and go, with
 * and without a preferred tunnel, and the history that explains it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "failover.h"

static const bool both[2] = { true, true };

static void test_first_up_becomes_active(void **state)
{
	struct ike_failover f;
	const struct ike_fo_transition *t;

	(void)state;
	ike_failover_init(&f, 0, both);
	assert_int_equal(f.active, -1);
	/* The non-preferred tunnel may come up first: it carries traffic. */
	t = ike_failover_update(&f, 1, true, NULL, 1000);
	assert_non_null(t);
	assert_int_equal(t->kind, IKE_FO_FIRST);
	assert_int_equal(t->from, -1);
	assert_int_equal(t->to, 1);
	assert_int_equal(f.active, 1);
	assert_string_equal(f.why, "tunnel 2 up");
	/* Then the preferred one: traffic moves, but it is no failback. */
	t = ike_failover_update(&f, 0, true, NULL, 2000);
	assert_non_null(t);
	assert_int_equal(t->kind, IKE_FO_FIRST);
	assert_int_equal(t->from, 1);
	assert_int_equal(t->to, 0);
	assert_string_equal(t->reason, "preferred tunnel 1 up");
	assert_int_equal(f.failbacks, 0);
	assert_int_equal(f.failovers, 0);
	/* Repeated reports change nothing. */
	assert_null(ike_failover_update(&f, 0, true, NULL, 2500));
	assert_null(ike_failover_update(&f, 1, true, NULL, 2500));
}

static void test_failover_and_failback(void **state)
{
	struct ike_failover f;
	const struct ike_fo_transition *t;

	(void)state;
	ike_failover_init(&f, 0, both);
	ike_failover_update(&f, 0, true, NULL, 1000);
	assert_null(ike_failover_update(&f, 1, true, NULL, 1100));	/* standby */
	assert_int_equal(f.active, 0);
	/* The standby going down moves nothing. */
	assert_null(ike_failover_update(&f, 1, false, "peer dead (DPD)", 1200));
	assert_null(ike_failover_update(&f, 1, true, NULL, 1300));
	t = ike_failover_update(&f, 0, false, "peer dead (DPD)", 5000);
	assert_non_null(t);
	assert_int_equal(t->kind, IKE_FO_FAILOVER);
	assert_int_equal(t->from, 0);
	assert_int_equal(t->to, 1);
	assert_int_equal(t->at_ms, 5000);
	assert_string_equal(t->reason, "failover: tunnel 1 down (peer dead (DPD))");
	assert_string_equal(f.why, t->reason);
	assert_int_equal(f.failovers, 1);
	t = ike_failover_update(&f, 0, true, NULL, 9000);
	assert_non_null(t);
	assert_int_equal(t->kind, IKE_FO_FAILBACK);
	assert_int_equal(f.active, 0);
	assert_string_equal(f.why, "failback: preferred tunnel 1 up again");
}

static void test_no_preference_stays(void **state)
{
	struct ike_failover f;

	(void)state;
	ike_failover_init(&f, -1, both);
	ike_failover_update(&f, 0, true, NULL, 1000);
	ike_failover_update(&f, 1, true, NULL, 1000);
	assert_non_null(ike_failover_update(&f, 0, false, NULL, 2000));
	assert_int_equal(f.active, 1);
	/* Tunnel 1 back: traffic stays on 2. */
	assert_null(ike_failover_update(&f, 0, true, NULL, 3000));
	assert_int_equal(f.active, 1);
	assert_int_equal(f.failbacks, 0);
}

static void test_all_down_then_up(void **state)
{
	struct ike_failover f;
	const struct ike_fo_transition *t;

	(void)state;
	ike_failover_init(&f, 0, both);
	ike_failover_update(&f, 0, true, NULL, 1000);
	t = ike_failover_update(&f, 0, false, "deleted by the peer", 2000);
	assert_non_null(t);
	assert_int_equal(t->kind, IKE_FO_ALL_DOWN);
	assert_int_equal(t->to, -1);
	/* The device keeps its last active tunnel; nothing to switch. */
	assert_int_equal(f.active, 0);
	assert_string_equal(f.why, "tunnel 1 down (deleted by the peer); no tunnel up");
	t = ike_failover_update(&f, 1, true, NULL, 3000);
	assert_non_null(t);
	assert_int_equal(t->kind, IKE_FO_FIRST);
	assert_int_equal(t->to, 1);
	assert_string_equal(t->reason, "tunnel 2 up after all were down");
	assert_int_equal(f.failovers, 0);
}

static void test_single_tunnel_and_bad_input(void **state)
{
	const bool one[2] = { true, false };
	struct ike_failover f;

	(void)state;
	/* A preference for a tunnel the connection lacks is no preference. */
	ike_failover_init(&f, 1, one);
	assert_int_equal(f.preferred, -1);
	assert_null(ike_failover_update(&f, 1, true, NULL, 1));
	assert_null(ike_failover_update(&f, 2, true, NULL, 1));
	assert_null(ike_failover_update(&f, -1, true, NULL, 1));
	assert_non_null(ike_failover_update(&f, 0, true, NULL, 1));
	assert_int_equal(f.active, 0);
}

static void test_history_ring(void **state)
{
	struct ike_failover f;
	const struct ike_fo_transition *t;

	(void)state;
	ike_failover_init(&f, 0, both);
	ike_failover_update(&f, 1, true, NULL, 0);
	for (unsigned int i = 0; i < 20; i++) {
		ike_failover_update(&f, 0, true, NULL, 10 * i + 1);
		ike_failover_update(&f, 0, false, "test", 10 * i + 2);
	}
	/* 1 + 40 transitions, the last 16 kept in order. */
	assert_int_equal(f.n_hist, 41);
	assert_int_equal(ike_failover_history_len(&f), IKE_FO_HISTORY);
	t = ike_failover_history(&f, 0);
	assert_int_equal(t->at_ms, 10 * 12 + 1);
	assert_int_equal(t->kind, IKE_FO_FAILBACK);
	t = ike_failover_history(&f, IKE_FO_HISTORY - 1);
	assert_int_equal(t->at_ms, 10 * 19 + 2);
	assert_int_equal(t->kind, IKE_FO_FAILOVER);
	assert_null(ike_failover_history(&f, IKE_FO_HISTORY));
	assert_int_equal(f.failovers, 20);
	assert_int_equal(f.failbacks, 19);	/* the first time is no failback */
	assert_string_equal(ike_failover_kind_name(IKE_FO_ALL_DOWN), "down");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_up_becomes_active),
		cmocka_unit_test(test_failover_and_failback),
		cmocka_unit_test(test_no_preference_stays),
		cmocka_unit_test(test_all_down_then_up),
		cmocka_unit_test(test_single_tunnel_and_bad_input),
		cmocka_unit_test(test_history_ring),
	};

	return cmocka_run_group_tests_name("failover", tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the anti-replay window. Included from replay.c.
 */

#include <kunit/test.h>

static struct s2svpn_replay *replay_new(struct kunit *test, u32 size)
{
	struct s2svpn_replay *r = s2svpn_replay_alloc(size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	return r;
}

/* Check, then record after "authentication", as the receive path does. */
static int replay_accept(struct s2svpn_replay *r, u64 seq)
{
	int err = s2svpn_replay_check(r, seq);

	return err ?: s2svpn_replay_update(r, seq);
}

static void replay_accepts_in_order(struct kunit *test)
{
	struct s2svpn_replay *r = replay_new(test, 64);
	u64 seq;

	for (seq = 1; seq <= 1000; seq++)
		KUNIT_EXPECT_EQ(test, replay_accept(r, seq), 0);
	KUNIT_EXPECT_EQ(test, r->top, 1000);
	kfree(r);
}

static void replay_rejects_duplicate(struct kunit *test)
{
	struct s2svpn_replay *r = replay_new(test, 1024);

	KUNIT_EXPECT_EQ(test, replay_accept(r, 5), 0);
	KUNIT_EXPECT_EQ(test, replay_accept(r, 5), -EEXIST);
	KUNIT_EXPECT_EQ(test, replay_accept(r, 3), 0);
	KUNIT_EXPECT_EQ(test, replay_accept(r, 3), -EEXIST);
	kfree(r);
}

static void replay_accepts_reordered_inside_window(struct kunit *test)
{
	struct s2svpn_replay *r = replay_new(test, 64);
	u64 seq;

	KUNIT_EXPECT_EQ(test, replay_accept(r, 100), 0);
	/* Everything within 64 below the top, in any order, once. */
	for (seq = 99; seq > 36; seq -= 2)
		KUNIT_EXPECT_EQ(test, replay_accept(r, seq), 0);
	for (seq = 98; seq > 36; seq -= 2)
		KUNIT_EXPECT_EQ(test, replay_accept(r, seq), 0);
	for (seq = 37; seq <= 100; seq++)
		KUNIT_EXPECT_EQ(test, replay_accept(r, seq), -EEXIST);
	kfree(r);
}

static void replay_rejects_too_old(struct kunit *test)
{
	struct s2svpn_replay *r = replay_new(test, 64);

	KUNIT_EXPECT_EQ(test, replay_accept(r, 100), 0);
	KUNIT_EXPECT_EQ(test, replay_accept(r, 37), 0);	/* top - 63 */
	KUNIT_EXPECT_EQ(test, replay_accept(r, 36), -ERANGE);	/* top - 64 */
	KUNIT_EXPECT_EQ(test, replay_accept(r, 1), -ERANGE);
	kfree(r);
}

static void replay_rejects_zero(struct kunit *test)
{
	struct s2svpn_replay *r = replay_new(test, 64);

	KUNIT_EXPECT_EQ(test, replay_accept(r, 0), -EINVAL);
	kfree(r);
}

static void replay_check_does_not_record(struct kunit *test)
{
	struct s2svpn_replay *r = replay_new(test, 64);

	/* A forged packet passes the pre-check but never authenticates. */
	KUNIT_EXPECT_EQ(test, s2svpn_replay_check(r, 5000), 0);
	KUNIT_EXPECT_EQ(test, r->top, 0);
	KUNIT_EXPECT_EQ(test, replay_accept(r, 10), 0);
	kfree(r);
}

static void replay_big_jump_clears_window(struct kunit *test)
{
	struct s2svpn_replay *r = replay_new(test, 128);
	u64 seq;

	for (seq = 1; seq <= 128; seq++)
		KUNIT_EXPECT_EQ(test, replay_accept(r, seq), 0);
	/* Slots of 1..128 alias 1000000-...: they must read as new. */
	KUNIT_EXPECT_EQ(test, replay_accept(r, 1000000), 0);
	for (seq = 1000000 - 127; seq < 1000000; seq++)
		KUNIT_EXPECT_EQ(test, replay_accept(r, seq), 0);
	kfree(r);
}

static void replay_window_sizes(struct kunit *test)
{
	static const u32 sizes[] = { 1, 32, 63, 64, 65, 1024, 4096 };
	int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct s2svpn_replay *r = replay_new(test, sizes[i]);
		u64 top = 3 * sizes[i] + 7;

		KUNIT_EXPECT_EQ(test, replay_accept(r, top), 0);
		KUNIT_EXPECT_EQ(test, replay_accept(r, top - sizes[i] + 1), sizes[i] == 1 ?
				-EEXIST : 0);
		KUNIT_EXPECT_EQ(test, replay_accept(r, top - sizes[i]), -ERANGE);
		kfree(r);
	}
}

static void replay_off_accepts_all(struct kunit *test)
{
	struct s2svpn_replay *r = replay_new(test, 0);

	KUNIT_EXPECT_EQ(test, replay_accept(r, 10), 0);
	KUNIT_EXPECT_EQ(test, replay_accept(r, 10), 0);
	KUNIT_EXPECT_EQ(test, replay_accept(r, 1), 0);
	kfree(r);
}

static void replay_esn_infers_high_bits(struct kunit *test)
{
	struct s2svpn_replay *r = replay_new(test, 1024);
	u64 base = 5ULL << 32;

	/* Top well inside sub-space 5. */
	KUNIT_EXPECT_EQ(test, replay_accept(r, base + 100000), 0);
	KUNIT_EXPECT_EQ(test, s2svpn_replay_infer(r, 100001, true), base + 100001);
	KUNIT_EXPECT_EQ(test, s2svpn_replay_infer(r, 99500, true), base + 99500);
	/* Below the window: the peer wrapped into sub-space 6. */
	KUNIT_EXPECT_EQ(test, s2svpn_replay_infer(r, 5, true), base + (1ULL << 32) + 5);
	/* Without ESN the wire value is the sequence number. */
	KUNIT_EXPECT_EQ(test, s2svpn_replay_infer(r, 5, false), 5);
	kfree(r);
}

static void replay_esn_wraps_into_next_subspace(struct kunit *test)
{
	struct s2svpn_replay *r = replay_new(test, 64);
	u64 seq;

	/* Across 2^32: 0xfffffff0 .. 0x1_00000010, as the wire carries it. */
	for (seq = 0xfffffff0ULL; seq <= 0x100000010ULL; seq++) {
		u64 got = s2svpn_replay_infer(r, lower_32_bits(seq), true);

		KUNIT_ASSERT_EQ(test, got, seq);
		KUNIT_EXPECT_EQ(test, replay_accept(r, got), 0);
	}
	/* Late packets from before the wrap still map below it. */
	KUNIT_EXPECT_EQ(test, s2svpn_replay_infer(r, 0xfffffff8U, true), 0xfffffff8ULL);
	KUNIT_EXPECT_EQ(test, replay_accept(r, 0xfffffff8ULL), -EEXIST);
	kfree(r);
}

static struct kunit_case s2svpn_replay_cases[] = {
	KUNIT_CASE(replay_accepts_in_order),
	KUNIT_CASE(replay_rejects_duplicate),
	KUNIT_CASE(replay_accepts_reordered_inside_window),
	KUNIT_CASE(replay_rejects_too_old),
	KUNIT_CASE(replay_rejects_zero),
	KUNIT_CASE(replay_check_does_not_record),
	KUNIT_CASE(replay_big_jump_clears_window),
	KUNIT_CASE(replay_window_sizes),
	KUNIT_CASE(replay_off_accepts_all),
	KUNIT_CASE(replay_esn_infers_high_bits),
	KUNIT_CASE(replay_esn_wraps_into_next_subspace),
	{}
};

static struct kunit_suite s2svpn_replay_suite = {
	.name = "s2svpn_replay",
	.test_cases = s2svpn_replay_cases,
};

kunit_test_suite(s2svpn_replay_suite);

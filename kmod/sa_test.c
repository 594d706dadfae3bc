// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for SAs on a real device and tunnel: the SPI table, slots,
 * limits and sequence numbers. Included from sa.c.
 */

#include <kunit/test.h>

#include "socket.h"

static const u8 sa_test_key[32] = { 0x42 };

struct sa_test_ctx {
	struct net_device *dev;
	struct s2svpn_dev *s2;
	struct s2svpn_tunnel *t;
};

static void sa_test_setup(struct kunit *test, struct sa_test_ctx *c, u16 port)
{
	struct s2svpn_tunnel_cfg *cfg;
	struct s2svpn_sock *sock;
	int err;

	/* 6.1's KUnit runs module suites before the module's init function. */
	if (!s2svpn_wq)
		kunit_skip(test, "module not initialized yet when this kernel runs suites");

	c->dev = alloc_netdev(sizeof(struct s2svpn_dev), "s2svpnsa%d", NET_NAME_ENUM,
			      s2svpn_link_ops.setup);
	KUNIT_ASSERT_NOT_NULL(test, c->dev);
	rtnl_lock();
	err = register_netdevice(c->dev);
	rtnl_unlock();
	if (err)
		free_netdev(c->dev);
	KUNIT_ASSERT_EQ(test, err, 0);
	c->s2 = netdev_priv(c->dev);

	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cfg);
	cfg->family = AF_INET;
	cfg->remote4 = htonl(0x7f000002);
	cfg->remote_port = htons(4500);
	sock = s2svpn_sock_kernel(&init_net, AF_INET, port, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(sock));
	mutex_lock(&c->s2->lock);
	err = s2svpn_tunnel_set(c->s2, 0, cfg, sock, NULL);
	c->t = rcu_dereference_protected(c->s2->tunnels[0], true);
	mutex_unlock(&c->s2->lock);
	KUNIT_ASSERT_EQ(test, err, 0);
}

static void sa_test_teardown(struct sa_test_ctx *c)
{
	rtnl_lock();
	unregister_netdevice(c->dev);
	rtnl_unlock();
}

static int sa_test_add(struct sa_test_ctx *c, u8 dir, u32 spi,
		       const struct s2svpn_sa_params *extra, struct s2svpn_sa **out)
{
	struct s2svpn_crypto_params cp = {
		.alg = s2svpn_alg_find("rfc4106(gcm(aes))"),
		.enc_key = sa_test_key,
		.enc_keylen = 16,
		.salt = sa_test_key,
	};
	struct s2svpn_sa_params p = extra ? *extra : (struct s2svpn_sa_params){};
	struct s2svpn_sa *sa;
	int err;

	p.dir = dir;
	p.spi = htonl(spi);
	/* A first sequence number past 32 bits needs ESN. */
	cp.esn = p.seq > U32_MAX;
	if (!extra)
		p.replay_window = 64;
	sa = s2svpn_sa_new(c->t, &p, &cp, NULL);
	if (IS_ERR(sa))
		return PTR_ERR(sa);
	mutex_lock(&c->s2->lock);
	err = s2svpn_tunnel_sa_add(c->t, sa, NULL);
	mutex_unlock(&c->s2->lock);
	if (err)
		s2svpn_sa_put(sa);
	else if (out)
		*out = sa;
	return err;
}

static void sa_table_add_lookup_delete(struct kunit *test)
{
	struct sa_test_ctx c;
	struct s2svpn_sa *sa;
	int err;

	sa_test_setup(test, &c, 45101);
	KUNIT_ASSERT_EQ(test, sa_test_add(&c, S2SVPN_DIR_IN, 0x1001, NULL, &sa), 0);
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, s2svpn_sa_lookup(&init_net, htonl(0x1001)), sa);
	KUNIT_EXPECT_NULL(test, s2svpn_sa_lookup(&init_net, htonl(0x1002)));
	rcu_read_unlock();

	mutex_lock(&c.s2->lock);
	err = s2svpn_tunnel_sa_del(c.t, S2SVPN_DIR_IN, htonl(0x1001), NULL);
	mutex_unlock(&c.s2->lock);
	KUNIT_EXPECT_EQ(test, err, 0);
	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, s2svpn_sa_lookup(&init_net, htonl(0x1001)));
	rcu_read_unlock();
	mutex_lock(&c.s2->lock);
	err = s2svpn_tunnel_sa_del(c.t, S2SVPN_DIR_IN, htonl(0x1001), NULL);
	mutex_unlock(&c.s2->lock);
	KUNIT_EXPECT_EQ(test, err, -ENOENT);
	sa_test_teardown(&c);
}

static void sa_table_rejects_duplicate_spi(struct kunit *test)
{
	struct sa_test_ctx a, b;

	sa_test_setup(test, &a, 45102);
	sa_test_setup(test, &b, 45103);
	KUNIT_EXPECT_EQ(test, sa_test_add(&a, S2SVPN_DIR_IN, 0x2001, NULL, NULL), 0);
	/* Unique per namespace, across devices. */
	KUNIT_EXPECT_EQ(test, sa_test_add(&b, S2SVPN_DIR_IN, 0x2001, NULL, NULL), -EEXIST);
	/* Outbound SPIs belong to the peer's table, not ours. */
	KUNIT_EXPECT_EQ(test, sa_test_add(&b, S2SVPN_DIR_OUT, 0x2001, NULL, NULL), 0);
	sa_test_teardown(&a);
	sa_test_teardown(&b);
}

static void sa_inbound_slots_rotate(struct kunit *test)
{
	struct s2svpn_sa *first, *second;
	struct sa_test_ctx c;
	int err;

	sa_test_setup(test, &c, 45104);
	KUNIT_ASSERT_EQ(test, sa_test_add(&c, S2SVPN_DIR_IN, 0x3001, NULL, &first), 0);
	KUNIT_ASSERT_EQ(test, sa_test_add(&c, S2SVPN_DIR_IN, 0x3002, NULL, &second), 0);
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(c.t->sa_in[0]), second);
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(c.t->sa_in[1]), first);
	KUNIT_EXPECT_EQ(test, sa_test_add(&c, S2SVPN_DIR_IN, 0x3003, NULL, NULL), -ENOSPC);

	/* Deleting the current one makes the previous one current. */
	mutex_lock(&c.s2->lock);
	err = s2svpn_tunnel_sa_del(c.t, S2SVPN_DIR_IN, htonl(0x3002), NULL);
	mutex_unlock(&c.s2->lock);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(c.t->sa_in[0]), first);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(c.t->sa_in[1]));
	sa_test_teardown(&c);
}

static void sa_outbound_makes_tunnel_usable(struct kunit *test)
{
	struct sa_test_ctx c;

	sa_test_setup(test, &c, 45105);
	KUNIT_EXPECT_FALSE(test, c.t->usable);
	KUNIT_EXPECT_FALSE(test, netif_carrier_ok(c.dev));
	KUNIT_ASSERT_EQ(test, sa_test_add(&c, S2SVPN_DIR_OUT, 0x4001, NULL, NULL), 0);
	KUNIT_EXPECT_TRUE(test, c.t->usable);
	KUNIT_EXPECT_TRUE(test, netif_carrier_ok(c.dev));
	sa_test_teardown(&c);
}

static void sa_seq_never_wraps(struct kunit *test)
{
	struct s2svpn_sa_params p = { .seq = U32_MAX - 2 };
	struct sa_test_ctx c;
	struct s2svpn_sa *sa;
	u64 seq;

	sa_test_setup(test, &c, 45106);
	KUNIT_ASSERT_EQ(test, sa_test_add(&c, S2SVPN_DIR_OUT, 0x5001, &p, &sa), 0);
	KUNIT_EXPECT_EQ(test, s2svpn_sa_next_seq(sa, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, U32_MAX - 1);
	KUNIT_EXPECT_TRUE(test, test_bit(S2SVPN_SA_SOFT, &sa->flags));
	KUNIT_EXPECT_EQ(test, s2svpn_sa_next_seq(sa, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, U32_MAX);
	KUNIT_EXPECT_EQ(test, s2svpn_sa_next_seq(sa, &seq), -ENOSPC);
	KUNIT_EXPECT_EQ(test, s2svpn_sa_next_seq(sa, &seq), -ENOSPC);
	KUNIT_EXPECT_TRUE(test, test_bit(S2SVPN_SA_HARD, &sa->flags));
	/* The expire work removes it; the tunnel stops being usable. */
	flush_workqueue(s2svpn_wq);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(c.t->sa_out));
	KUNIT_EXPECT_FALSE(test, c.t->usable);
	sa_test_teardown(&c);
}

/*
 * ESN: the last sequence number is 2^64 - 1; past it the counter stays at
 * the limit, never wrapping to 0 or 1 (IV reuse under the key), however
 * often the exhausted SA is asked again.
 */
static void sa_seq_esn_pinned_at_limit(struct kunit *test)
{
	struct s2svpn_sa_params p = { .seq = U64_MAX - 1 };
	struct sa_test_ctx c;
	struct s2svpn_sa *sa;
	u64 seq = 0;
	int i;

	sa_test_setup(test, &c, 45108);
	KUNIT_ASSERT_EQ(test, sa_test_add(&c, S2SVPN_DIR_OUT, 0x7001, &p, &sa), 0);
	KUNIT_ASSERT_TRUE(test, sa->esn);
	KUNIT_EXPECT_EQ(test, s2svpn_sa_next_seq(sa, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, U64_MAX);
	for (i = 0; i < 3; i++) {
		seq = 0;
		KUNIT_EXPECT_EQ(test, s2svpn_sa_next_seq(sa, &seq), -ENOSPC);
		KUNIT_EXPECT_EQ(test, seq, 0);
		KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&sa->seq), U64_MAX);
	}
	KUNIT_EXPECT_TRUE(test, test_bit(S2SVPN_SA_HARD, &sa->flags));
	KUNIT_EXPECT_EQ(test, READ_ONCE(sa->hard_reason), S2SVPN_EXPIRE_SEQ);
	flush_workqueue(s2svpn_wq);
	sa_test_teardown(&c);
}

/* Soft and hard reached before any work runs: both are reported. */
static void sa_soft_and_hard_both_queued(struct kunit *test)
{
	struct s2svpn_sa_params p = { .soft_packets = 1, .hard_packets = 2 };
	struct sa_test_ctx c;
	struct s2svpn_sa *sa;

	sa_test_setup(test, &c, 45109);
	KUNIT_ASSERT_EQ(test, sa_test_add(&c, S2SVPN_DIR_OUT, 0x8001, &p, &sa), 0);
	/* Hold the SA: the hard work frees the slot's reference. */
	KUNIT_ASSERT_TRUE(test, s2svpn_sa_hold(sa));
	local_bh_disable();
	KUNIT_EXPECT_EQ(test, s2svpn_sa_account(sa, 100), 0);
	KUNIT_EXPECT_EQ(test, s2svpn_sa_account(sa, 100), 0);
	KUNIT_EXPECT_EQ(test, s2svpn_sa_account(sa, 100), -EKEYEXPIRED);
	/* One CPU (UML), BH off: no work ran yet, both are queued. */
	KUNIT_EXPECT_TRUE(test, work_pending(&sa->soft_work));
	KUNIT_EXPECT_TRUE(test, work_pending(&sa->hard_work));
	KUNIT_EXPECT_EQ(test, READ_ONCE(sa->soft_reason), S2SVPN_EXPIRE_PACKETS);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sa->hard_reason), S2SVPN_EXPIRE_PACKETS);
	local_bh_enable();
	flush_workqueue(s2svpn_wq);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(c.t->sa_out));
	s2svpn_sa_put(sa);
	sa_test_teardown(&c);
}

/*
 * Moving a tunnel's inbound SAs to a namespace where another device holds
 * one of their SPIs fails as a whole: they stay findable where they were,
 * the other device keeps its SA, and nothing WARNs.
 */
static void sa_rehash_all_or_none(struct kunit *test)
{
	struct s2svpn_sa_params p = { .replay_window = 64 };
	struct s2svpn_sa *in1, *in2, *squatter, *sas[2];
	struct sa_test_ctx c, c2;
	const struct net *other;

	sa_test_setup(test, &c, 45110);
	sa_test_setup(test, &c2, 45111);
	/* Only a key: the table never dereferences it. */
	other = (const struct net *)c2.dev;
	KUNIT_ASSERT_EQ(test, sa_test_add(&c, S2SVPN_DIR_IN, 0x9001, &p, &in1), 0);
	KUNIT_ASSERT_EQ(test, sa_test_add(&c, S2SVPN_DIR_IN, 0x9002, &p, &in2), 0);
	squatter = s2svpn_sa_new(c2.t, &(struct s2svpn_sa_params){
				 .dir = S2SVPN_DIR_IN, .spi = htonl(0x9002),
				 .replay_window = 64 }, &(struct s2svpn_crypto_params){
				 .alg = s2svpn_alg_find("rfc4106(gcm(aes))"),
				 .enc_key = sa_test_key, .enc_keylen = 16,
				 .salt = sa_test_key }, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(squatter));
	mutex_lock(&c2.s2->lock);
	KUNIT_EXPECT_EQ(test, s2svpn_sa_hash(squatter, other), 0);
	mutex_unlock(&c2.s2->lock);

	sas[0] = in1;
	sas[1] = in2;
	mutex_lock(&c.s2->lock);
	KUNIT_EXPECT_EQ(test, s2svpn_sa_rehash(sas, 2, other, NULL), -EEXIST);
	mutex_unlock(&c.s2->lock);
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, s2svpn_sa_lookup(&init_net, htonl(0x9001)), in1);
	KUNIT_EXPECT_PTR_EQ(test, s2svpn_sa_lookup(&init_net, htonl(0x9002)), in2);
	KUNIT_EXPECT_PTR_EQ(test, s2svpn_sa_lookup(other, htonl(0x9002)), squatter);
	KUNIT_EXPECT_NULL(test, s2svpn_sa_lookup(other, htonl(0x9001)));
	rcu_read_unlock();

	mutex_lock(&c2.s2->lock);
	s2svpn_sa_unhash(squatter);
	mutex_unlock(&c2.s2->lock);
	s2svpn_sa_put(squatter);
	sa_test_teardown(&c2);
	sa_test_teardown(&c);
}

static void sa_limits_soft_then_hard(struct kunit *test)
{
	struct s2svpn_sa_params p = { .soft_packets = 3, .hard_packets = 5,
				      .soft_bytes = 0, .hard_bytes = 0 };
	struct sa_test_ctx c;
	struct s2svpn_sa *sa;
	int i;

	sa_test_setup(test, &c, 45107);
	KUNIT_ASSERT_EQ(test, sa_test_add(&c, S2SVPN_DIR_OUT, 0x6001, &p, &sa), 0);
	for (i = 1; i <= 5; i++) {
		KUNIT_EXPECT_EQ(test, s2svpn_sa_account(sa, 100), 0);
		KUNIT_EXPECT_EQ(test, test_bit(S2SVPN_SA_SOFT, &sa->flags), i >= 3);
	}
	KUNIT_EXPECT_EQ(test, s2svpn_sa_account(sa, 100), -EKEYEXPIRED);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sa->hard_reason), S2SVPN_EXPIRE_PACKETS);
	flush_workqueue(s2svpn_wq);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(c.t->sa_out));
	sa_test_teardown(&c);
}

static struct kunit_case s2svpn_sa_cases[] = {
	KUNIT_CASE(sa_table_add_lookup_delete),
	KUNIT_CASE(sa_table_rejects_duplicate_spi),
	KUNIT_CASE(sa_inbound_slots_rotate),
	KUNIT_CASE(sa_outbound_makes_tunnel_usable),
	KUNIT_CASE(sa_seq_never_wraps),
	KUNIT_CASE(sa_limits_soft_then_hard),
	KUNIT_CASE(sa_seq_esn_pinned_at_limit),
	KUNIT_CASE(sa_soft_and_hard_both_queued),
	KUNIT_CASE(sa_rehash_all_or_none),
	{}
};

static struct kunit_suite s2svpn_sa_suite = {
	.name = "s2svpn_sa",
	.test_cases = s2svpn_sa_cases,
};

kunit_test_suite(s2svpn_sa_suite);

// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the s2svpn device: defaults, MTU bounds, size arithmetic
 * and drop accounting. Included from device.c to reach its static functions.
 */

#include <kunit/test.h>
#include <linux/ip.h>

static struct net_device *s2svpn_test_alloc(struct kunit *test)
{
	struct net_device *dev;

	dev = alloc_netdev(sizeof(struct s2svpn_dev), "s2svpnkunit%d",
			   NET_NAME_ENUM, s2svpn_dev_setup);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	return dev;
}

/* Registered in init_net; needs_free_netdev frees it on unregister. */
static struct net_device *s2svpn_test_register(struct kunit *test)
{
	struct net_device *dev = s2svpn_test_alloc(test);
	int err;

	rtnl_lock();
	err = register_netdevice(dev);
	rtnl_unlock();
	if (err)
		free_netdev(dev);
	KUNIT_ASSERT_EQ(test, err, 0);
	return dev;
}

static void s2svpn_test_unregister(struct net_device *dev)
{
	rtnl_lock();
	unregister_netdevice(dev);
	rtnl_unlock();
}

static void device_defaults(struct kunit *test)
{
	struct net_device *dev = s2svpn_test_alloc(test);
	struct s2svpn_dev *s2 = netdev_priv(dev);

	KUNIT_EXPECT_PTR_EQ(test, s2->dev, dev);
	KUNIT_EXPECT_EQ(test, dev->type, ARPHRD_NONE);
	KUNIT_EXPECT_EQ(test, dev->flags, IFF_POINTOPOINT | IFF_NOARP);
	KUNIT_EXPECT_TRUE(test, dev->priv_flags & IFF_NO_QUEUE);
	KUNIT_EXPECT_EQ(test, dev->hard_header_len, 0);
	KUNIT_EXPECT_EQ(test, dev->addr_len, 0);
	KUNIT_EXPECT_EQ(test, dev->mtu, 1436);
	KUNIT_EXPECT_EQ(test, dev->min_mtu, 68);
	KUNIT_EXPECT_EQ(test, dev->max_mtu, 65414);
	KUNIT_EXPECT_GE(test, dev->needed_headroom, S2SVPN_HEADROOM_MAX);
	KUNIT_EXPECT_GE(test, dev->needed_tailroom, S2SVPN_TAILROOM_MAX);
	/* No tunnel can send yet. */
	KUNIT_EXPECT_FALSE(test, netif_carrier_ok(dev));
	KUNIT_EXPECT_TRUE(test, dev->features & NETIF_F_GSO_SOFTWARE);
	free_netdev(dev);
}

static void mtu_default_fills_ethernet_with_gcm(struct kunit *test)
{
	/* IPv4, UDP, ESP, 8-byte IV, 16-byte ICV: exactly one 1500-byte frame. */
	KUNIT_EXPECT_EQ(test, s2svpn_esp_outer_len(20, 8, 1, 16, S2SVPN_MTU_DEFAULT),
			1500);
}

static void mtu_max_fits_ip_worst_case(struct kunit *test)
{
	unsigned int len;

	/* Outer IPv6, AES-CBC IV and block, HMAC-SHA-512-256: the largest overhead. */
	for (len = S2SVPN_MTU_MAX - 64; len <= S2SVPN_MTU_MAX; len++)
		KUNIT_EXPECT_LE(test, s2svpn_esp_outer_len(40, 16, 16, 32, len),
				IP_MAX_MTU);
	/* ...and the bound is tight to within one cipher block. */
	KUNIT_EXPECT_GT(test, s2svpn_esp_outer_len(40, 16, 16, 32, S2SVPN_MTU_MAX),
			IP_MAX_MTU - S2SVPN_ESP_BLOCK_MAX);
}

static void esp_padding_aligns_to_four(struct kunit *test)
{
	unsigned int len;

	/* Stream ciphers still end the trailer on a 4-byte boundary. */
	for (len = 1; len < 64; len++)
		KUNIT_EXPECT_EQ(test,
				(s2svpn_esp_outer_len(20, 8, 1, 16, len) - 20 - 8 - 16) % 4,
				0);
}

static void mtu_bounds_enforced(struct kunit *test)
{
	struct net_device *dev = s2svpn_test_register(test);
	int below, min, max, above;

	rtnl_lock();
	below = dev_set_mtu(dev, S2SVPN_MTU_MIN - 1);
	min = dev_set_mtu(dev, S2SVPN_MTU_MIN);
	max = dev_set_mtu(dev, S2SVPN_MTU_MAX);
	above = dev_set_mtu(dev, S2SVPN_MTU_MAX + 1);
	rtnl_unlock();

	KUNIT_EXPECT_EQ(test, below, -EINVAL);
	KUNIT_EXPECT_EQ(test, min, 0);
	KUNIT_EXPECT_EQ(test, max, 0);
	KUNIT_EXPECT_EQ(test, above, -EINVAL);
	KUNIT_EXPECT_EQ(test, dev->mtu, S2SVPN_MTU_MAX);
	s2svpn_test_unregister(dev);
}

static int s2svpn_test_validate_mtu(u32 mtu, struct netlink_ext_ack *extack)
{
	struct {
		struct nlattr nla;
		u32 mtu;
	} attr = {
		.nla = { .nla_len = nla_attr_size(sizeof(u32)), .nla_type = IFLA_MTU },
		.mtu = mtu,
	};
	struct nlattr *tb[IFLA_MAX + 1] = { [IFLA_MTU] = &attr.nla };

	return s2svpn_link_validate(tb, NULL, extack);
}

static void link_validate_rejects_bad_mtu(struct kunit *test)
{
	struct netlink_ext_ack extack = {};

	KUNIT_EXPECT_EQ(test, s2svpn_test_validate_mtu(1436, &extack), 0);
	KUNIT_EXPECT_NULL(test, extack._msg);
	KUNIT_EXPECT_EQ(test, s2svpn_test_validate_mtu(67, &extack), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, extack._msg);
	extack._msg = NULL;
	KUNIT_EXPECT_EQ(test, s2svpn_test_validate_mtu(65415, &extack), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, extack._msg);
}

static void stats_tx_without_sa_counts_drop(struct kunit *test)
{
	struct net_device *dev = s2svpn_test_register(test);
	struct rtnl_link_stats64 stats;
	int i;

	for (i = 0; i < 3; i++) {
		struct sk_buff *skb = alloc_skb(128, GFP_KERNEL);
		struct iphdr *iph;

		KUNIT_ASSERT_NOT_NULL(test, skb);
		skb_reset_network_header(skb);
		iph = skb_put_zero(skb, 100);
		iph->version = 4;
		iph->ihl = 5;
		iph->tot_len = htons(100);
		skb->protocol = htons(ETH_P_IP);
		skb->dev = dev;
		rcu_read_lock_bh();
		KUNIT_EXPECT_EQ(test, s2svpn_xmit(skb, dev), NETDEV_TX_OK);
		rcu_read_unlock_bh();
	}

	dev_get_stats(dev, &stats);
	KUNIT_EXPECT_EQ(test, stats.tx_dropped, 3);
	KUNIT_EXPECT_EQ(test, stats.tx_packets, 0);
	KUNIT_EXPECT_EQ(test, stats.tx_bytes, 0);
	KUNIT_EXPECT_EQ(test, stats.rx_packets, 0);
	s2svpn_test_unregister(dev);
}

static struct kunit_case s2svpn_device_cases[] = {
	KUNIT_CASE(device_defaults),
	KUNIT_CASE(mtu_default_fills_ethernet_with_gcm),
	KUNIT_CASE(mtu_max_fits_ip_worst_case),
	KUNIT_CASE(esp_padding_aligns_to_four),
	KUNIT_CASE(mtu_bounds_enforced),
	KUNIT_CASE(link_validate_rejects_bad_mtu),
	KUNIT_CASE(stats_tx_without_sa_counts_drop),
	{}
};

static struct kunit_suite s2svpn_device_suite = {
	.name = "s2svpn_device",
	.test_cases = s2svpn_device_cases,
};

kunit_test_suite(s2svpn_device_suite);

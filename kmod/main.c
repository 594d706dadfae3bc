// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn: site-to-site IPsec VPN device, ESP in UDP in the kernel.
 *
 * Module entry: the "s2svpn" link type, the "s2svpn" generic netlink family,
 * per-namespace state. Unloading deletes every s2svpn device in every
 * network namespace.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/workqueue.h>
#include <net/rtnetlink.h>

#include "crypto.h"
#include "device.h"
#include "main.h"
#include "netlink.h"
#include "sa.h"
#include "socket.h"

unsigned int s2svpn_net_id __read_mostly;
struct workqueue_struct *s2svpn_wq;

static void __net_exit s2svpn_net_exit(struct net *net)
{
	s2svpn_sock_net_exit(net);
}

static struct pernet_operations s2svpn_net_ops = {
	.exit = s2svpn_net_exit,
	.id = &s2svpn_net_id,
	.size = sizeof(struct s2svpn_net),
};

/*
 * Everything queued or RCU-deferred has run: nothing refers to the module.
 * The longest chain is an SA's slot reference: call_rcu (slot_rcu), then
 * the last put queues free_work after another grace period, then the work
 * runs (and may drop a tunnel's last reference, itself RCU-deferred).
 */
static void s2svpn_quiesce(void)
{
	rcu_barrier();
	flush_workqueue(s2svpn_wq);
	rcu_barrier();
	flush_workqueue(s2svpn_wq);
	rcu_barrier();
}

static int __init s2svpn_init(void)
{
	int err;

	err = s2svpn_crypto_init();
	if (err)
		return err;
	s2svpn_wq = alloc_workqueue("s2svpn", WQ_UNBOUND, 0);
	if (!s2svpn_wq) {
		err = -ENOMEM;
		goto crypto;
	}
	err = s2svpn_sa_table_init();
	if (err)
		goto wq;
	err = register_pernet_device(&s2svpn_net_ops);
	if (err)
		goto table;
	err = s2svpn_nl_init();
	if (err) {
		pr_err("cannot register generic netlink family %s: %d\n",
		       S2SVPN_FAMILY_NAME, err);
		goto pernet;
	}
	err = rtnl_link_register(&s2svpn_link_ops);
	if (err) {
		pr_err("cannot register link type %s: %d\n", S2SVPN_DRV_NAME, err);
		goto genl;
	}
	pr_info("ESP-in-UDP site-to-site VPN device loaded\n");
	return 0;

genl:
	s2svpn_nl_exit();
pernet:
	unregister_pernet_device(&s2svpn_net_ops);
table:
	s2svpn_sa_table_exit();
wq:
	destroy_workqueue(s2svpn_wq);
crypto:
	s2svpn_crypto_exit();
	return err;
}

static void __exit s2svpn_exit(void)
{
	rtnl_link_unregister(&s2svpn_link_ops);
	/* Events of the last SAs and sockets go out before the family goes. */
	s2svpn_quiesce();
	s2svpn_nl_exit();
	unregister_pernet_device(&s2svpn_net_ops);
	s2svpn_quiesce();
	destroy_workqueue(s2svpn_wq);
	s2svpn_sa_table_exit();
	s2svpn_crypto_exit();
}

module_init(s2svpn_init);
module_exit(s2svpn_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Site-to-site IPsec VPN device: ESP in UDP (RFC 4303, RFC 3948)");
MODULE_AUTHOR("s2svpn developers");
MODULE_ALIAS_RTNL_LINK(S2SVPN_DRV_NAME);
MODULE_ALIAS_GENL_FAMILY(S2SVPN_FAMILY_NAME);

// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn: the "s2svpn" generic netlink family (uapi/s2svpn.yaml).
 *
 * Every operation has its own strict policy: an attribute the operation does
 * not take is refused with an extack message naming it. Devices are found by
 * ifindex in the requester's namespace. Every operation needs CAP_NET_ADMIN
 * in the initial user namespace (GENL_ADMIN_PERM, as ovpn): the module is
 * not meant to be driven from unprivileged user namespaces, whose root could
 * otherwise load it and reach every operation. Joining the events group
 * needs CAP_NET_ADMIN over the namespace.
 */

#include <linux/in6.h>
#include <linux/s2svpn.h>
#include <linux/ktime.h>
#include <net/addrconf.h>
#include <net/genetlink.h>
#include <net/route.h>
#include <net/sock.h>

#include "compat.h"
#include "crypto.h"
#include "device.h"
#include "main.h"
#include "netlink.h"
#include "replay.h"
#include "sa.h"
#include "socket.h"
#include "tunnel.h"

static struct genl_family s2svpn_family;

enum { S2SVPN_MCGRP_EVENTS_ID };

static const struct genl_multicast_group s2svpn_mcgrps[] = {
	/* Events name SPIs and tunnel state: CAP_NET_ADMIN, as the operations. */
	[S2SVPN_MCGRP_EVENTS_ID] = { .name = S2SVPN_MCGRP_EVENTS,
				     .flags = GENL_MCAST_CAP_NET_ADMIN },
};

/* Nested policies, one per operation. */
static const struct nla_policy s2svpn_tunnel_set_policy[S2SVPN_A_TUNNEL_MAX + 1] = {
	[S2SVPN_A_TUNNEL_ID] = NLA_POLICY_MAX(NLA_U8, S2SVPN_TUNNELS - 1),
	[S2SVPN_A_TUNNEL_SOCK_FD] = { .type = NLA_U32 },
	[S2SVPN_A_TUNNEL_LOCAL4] = NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[S2SVPN_A_TUNNEL_REMOTE4] = NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[S2SVPN_A_TUNNEL_LOCAL6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[S2SVPN_A_TUNNEL_REMOTE6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[S2SVPN_A_TUNNEL_REMOTE_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[S2SVPN_A_TUNNEL_LOCAL_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[S2SVPN_A_TUNNEL_INSIDE_PEER4] = NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[S2SVPN_A_TUNNEL_INSIDE_PEER6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

static const struct nla_policy s2svpn_tunnel_del_policy[S2SVPN_A_TUNNEL_MAX + 1] = {
	[S2SVPN_A_TUNNEL_ID] = NLA_POLICY_MAX(NLA_U8, S2SVPN_TUNNELS - 1),
};

static const struct nla_policy s2svpn_sa_new_policy[S2SVPN_A_SA_MAX + 1] = {
	[S2SVPN_A_SA_TUNNEL_ID] = NLA_POLICY_MAX(NLA_U8, S2SVPN_TUNNELS - 1),
	[S2SVPN_A_SA_DIR] = NLA_POLICY_MAX(NLA_U8, S2SVPN_DIR_OUT),
	[S2SVPN_A_SA_SPI] = NLA_POLICY_MIN(NLA_U32, 1),
	[S2SVPN_A_SA_ALG] = { .type = NLA_NUL_STRING, .len = CRYPTO_MAX_ALG_NAME - 1 },
	[S2SVPN_A_SA_ENC_KEY] = { .type = NLA_BINARY, .len = 32 },
	[S2SVPN_A_SA_AUTH_KEY] = { .type = NLA_BINARY, .len = 64 },
	[S2SVPN_A_SA_SALT] = NLA_POLICY_EXACT_LEN(S2SVPN_SALT_LEN),
	[S2SVPN_A_SA_ICV_LEN] = NLA_POLICY_RANGE(NLA_U8, 8, 32),
	[S2SVPN_A_SA_REPLAY_WINDOW] = NLA_POLICY_MAX(NLA_U32, S2SVPN_REPLAY_WINDOW_MAX),
	[S2SVPN_A_SA_ESN] = { .type = NLA_FLAG },
	[S2SVPN_A_SA_SOFT_BYTES] = { .type = NLA_U64 },
	[S2SVPN_A_SA_HARD_BYTES] = { .type = NLA_U64 },
	[S2SVPN_A_SA_SOFT_PACKETS] = { .type = NLA_U64 },
	[S2SVPN_A_SA_HARD_PACKETS] = { .type = NLA_U64 },
	[S2SVPN_A_SA_SEQ] = { .type = NLA_U64 },
};

static const struct nla_policy s2svpn_sa_id_policy[S2SVPN_A_SA_MAX + 1] = {
	[S2SVPN_A_SA_TUNNEL_ID] = NLA_POLICY_MAX(NLA_U8, S2SVPN_TUNNELS - 1),
	[S2SVPN_A_SA_DIR] = NLA_POLICY_MAX(NLA_U8, S2SVPN_DIR_OUT),
	[S2SVPN_A_SA_SPI] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* Top-level policies, one per operation. */
static const struct nla_policy s2svpn_dev_get_policy[S2SVPN_A_MAX + 1] = {
	[S2SVPN_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy s2svpn_dev_set_policy[S2SVPN_A_MAX + 1] = {
	[S2SVPN_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[S2SVPN_A_ACTIVE_TUNNEL] = NLA_POLICY_MAX(NLA_U8, S2SVPN_TUNNELS - 1),
	[S2SVPN_A_DF] = NLA_POLICY_MAX(NLA_U8, S2SVPN_DF_SET),
	/* Range checked in code: policy bounds are s16. */
	[S2SVPN_A_MSS_CLAMP] = { .type = NLA_U16 },
};

static const struct nla_policy s2svpn_tunnel_set_top_policy[S2SVPN_A_MAX + 1] = {
	[S2SVPN_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[S2SVPN_A_TUNNEL] = NLA_POLICY_NESTED(s2svpn_tunnel_set_policy),
};

static const struct nla_policy s2svpn_tunnel_del_top_policy[S2SVPN_A_MAX + 1] = {
	[S2SVPN_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[S2SVPN_A_TUNNEL] = NLA_POLICY_NESTED(s2svpn_tunnel_del_policy),
};

static const struct nla_policy s2svpn_sa_new_top_policy[S2SVPN_A_MAX + 1] = {
	[S2SVPN_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[S2SVPN_A_SA] = NLA_POLICY_NESTED(s2svpn_sa_new_policy),
};

static const struct nla_policy s2svpn_sa_id_top_policy[S2SVPN_A_MAX + 1] = {
	[S2SVPN_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[S2SVPN_A_SA] = NLA_POLICY_NESTED(s2svpn_sa_id_policy),
};

/* The device named by S2SVPN_A_IFINDEX, referenced. */
static struct s2svpn_dev *s2svpn_nl_dev(struct genl_info *info)
{
	struct s2svpn_dev *s2;

	if (GENL_REQ_ATTR_CHECK(info, S2SVPN_A_IFINDEX))
		return ERR_PTR(-EINVAL);
	s2 = s2svpn_dev_get(genl_info_net(info),
			    nla_get_u32(info->attrs[S2SVPN_A_IFINDEX]));
	if (!s2) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[S2SVPN_A_IFINDEX],
				    "no s2svpn device with this ifindex in the namespace");
		return ERR_PTR(-ENODEV);
	}
	return s2;
}

/* Lock @s2 for a change; fails once it is being unregistered. */
static int s2svpn_nl_lock(struct s2svpn_dev *s2, struct netlink_ext_ack *extack)
{
	mutex_lock(&s2->lock);
	if (s2->dead) {
		mutex_unlock(&s2->lock);
		NL_SET_ERR_MSG(extack, "device is being deleted");
		return -ENODEV;
	}
	return 0;
}

static int s2svpn_nl_put_dev_id(struct sk_buff *msg, struct net_device *dev)
{
	if (nla_put_u32(msg, S2SVPN_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(msg, S2SVPN_A_IFNAME, dev->name))
		return -EMSGSIZE;
	return 0;
}

static int s2svpn_nl_put_tunnel(struct sk_buff *msg, struct s2svpn_tunnel *t)
{
	const struct s2svpn_tunnel_cfg *cfg = rcu_dereference(t->cfg);
	struct s2svpn_sock *sock = rcu_dereference(t->sock);
	struct s2svpn_stats stats = {};
	struct nlattr *nest;

	nest = nla_nest_start(msg, S2SVPN_A_TUNNEL);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(msg, S2SVPN_A_TUNNEL_ID, t->id) ||
	    nla_put_u16(msg, S2SVPN_A_TUNNEL_REMOTE_PORT, ntohs(cfg->remote_port)) ||
	    nla_put_u8(msg, S2SVPN_A_TUNNEL_STATE, READ_ONCE(t->usable) ?
		       S2SVPN_TUNNEL_USABLE : S2SVPN_TUNNEL_UNUSABLE) ||
	    nla_put_u64_64bit(msg, S2SVPN_A_TUNNEL_LAST_RX, READ_ONCE(t->last_rx),
			      S2SVPN_A_TUNNEL_PAD))
		goto cancel;
	if (sock && READ_ONCE(sock->sk) &&
	    nla_put_u16(msg, S2SVPN_A_TUNNEL_LOCAL_PORT, sock->port))
		goto cancel;
	if (cfg->family == AF_INET) {
		if (nla_put_in_addr(msg, S2SVPN_A_TUNNEL_REMOTE4, cfg->remote4) ||
		    (cfg->local4 &&
		     nla_put_in_addr(msg, S2SVPN_A_TUNNEL_LOCAL4, cfg->local4)))
			goto cancel;
	} else {
		if (nla_put_in6_addr(msg, S2SVPN_A_TUNNEL_REMOTE6, &cfg->remote6) ||
		    (!ipv6_addr_any(&cfg->local6) &&
		     nla_put_in6_addr(msg, S2SVPN_A_TUNNEL_LOCAL6, &cfg->local6)))
			goto cancel;
	}
	if ((cfg->has_peer4 &&
	     nla_put_in_addr(msg, S2SVPN_A_TUNNEL_INSIDE_PEER4, cfg->peer4)) ||
	    (cfg->has_peer6 &&
	     nla_put_in6_addr(msg, S2SVPN_A_TUNNEL_INSIDE_PEER6, &cfg->peer6)))
		goto cancel;
	s2svpn_stats_fold(&stats, t->stats);
	if (s2svpn_stats_put(msg, S2SVPN_A_TUNNEL_STATS, &stats))
		goto cancel;
	nla_nest_end(msg, nest);
	return 0;
cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

static int s2svpn_nl_fill_dev(struct sk_buff *msg, struct s2svpn_dev *s2,
			      u32 portid, u32 seq, int flags)
{
	struct s2svpn_net *sn = s2svpn_net(dev_net(s2->dev));
	struct s2svpn_stats net_stats = {};
	void *hdr;
	int i;

	hdr = genlmsg_put(msg, portid, seq, &s2svpn_family, flags,
			  S2SVPN_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;
	for (i = 0; i < S2SVPN_DROP_MAX; i++)
		net_stats.drops[i] = atomic64_read(&sn->drops[i]);

	rcu_read_lock();
	if (s2svpn_nl_put_dev_id(msg, s2->dev) ||
	    nla_put_u8(msg, S2SVPN_A_ACTIVE_TUNNEL, READ_ONCE(s2->active)) ||
	    nla_put_u8(msg, S2SVPN_A_DF, READ_ONCE(s2->df)) ||
	    nla_put_u16(msg, S2SVPN_A_MSS_CLAMP, READ_ONCE(s2->mss_clamp)) ||
	    s2svpn_stats_put(msg, S2SVPN_A_NET_STATS, &net_stats))
		goto cancel;
	for (i = 0; i < S2SVPN_TUNNELS; i++) {
		struct s2svpn_tunnel *t = rcu_dereference(s2->tunnels[i]);

		if (t && s2svpn_nl_put_tunnel(msg, t))
			goto cancel;
	}
	rcu_read_unlock();
	genlmsg_end(msg, hdr);
	return 0;
cancel:
	rcu_read_unlock();
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

static int s2svpn_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct s2svpn_dev *s2 = s2svpn_nl_dev(info);
	struct sk_buff *msg;
	int err;

	if (IS_ERR(s2))
		return PTR_ERR(s2);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto put;
	}
	err = s2svpn_nl_fill_dev(msg, s2, info->snd_portid, info->snd_seq, 0);
	if (err) {
		nlmsg_free(msg);
		goto put;
	}
	err = genlmsg_reply(msg, info);
put:
	s2svpn_dev_put(s2);
	return err;
}

/* cb->args[0]: s2svpn devices of the namespace already dumped. */
static int s2svpn_nl_dev_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct net_device *dev;
	long idx = 0;
	int err = 0;

	rcu_read_lock();
	cb->seq = READ_ONCE(net->dev_base_seq);
	for_each_netdev_rcu(net, dev) {
		if (dev->rtnl_link_ops != &s2svpn_link_ops)
			continue;
		if (idx++ < cb->args[0])
			continue;
		err = s2svpn_nl_fill_dev(skb, netdev_priv(dev),
					 NETLINK_CB(cb->skb).portid,
					 cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err) {
			idx--;
			break;
		}
		nl_dump_check_consistent(cb, nlmsg_hdr(skb));
	}
	rcu_read_unlock();
	cb->args[0] = idx;
	/* A full message ends this part; a device too big for one is an error. */
	return err && !skb->len ? err : skb->len;
}

static int s2svpn_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct s2svpn_dev *s2 = s2svpn_nl_dev(info);
	struct nlattr **attrs = info->attrs;
	int err;

	if (IS_ERR(s2))
		return PTR_ERR(s2);
	err = s2svpn_nl_lock(s2, info->extack);
	if (err)
		goto put;
	if (attrs[S2SVPN_A_MSS_CLAMP]) {
		u16 mss = nla_get_u16(attrs[S2SVPN_A_MSS_CLAMP]);

		if (mss && (mss < 536 || mss > 65495)) {
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[S2SVPN_A_MSS_CLAMP],
					    "MSS clamp out of range 536 to 65495 (0 turns it off)");
			err = -EINVAL;
			goto unlock;
		}
		WRITE_ONCE(s2->mss_clamp, mss);
	}
	if (attrs[S2SVPN_A_ACTIVE_TUNNEL])
		WRITE_ONCE(s2->active, nla_get_u8(attrs[S2SVPN_A_ACTIVE_TUNNEL]));
	if (attrs[S2SVPN_A_DF])
		WRITE_ONCE(s2->df, nla_get_u8(attrs[S2SVPN_A_DF]));
unlock:
	mutex_unlock(&s2->lock);
put:
	s2svpn_dev_put(s2);
	return err;
}

/* Decode the addresses of TUNNEL_SET into a new configuration. */
static struct s2svpn_tunnel_cfg *
s2svpn_nl_tunnel_cfg(struct nlattr **tb, struct netlink_ext_ack *extack)
{
	struct s2svpn_tunnel_cfg *cfg;

	if (!!tb[S2SVPN_A_TUNNEL_REMOTE4] == !!tb[S2SVPN_A_TUNNEL_REMOTE6]) {
		NL_SET_ERR_MSG(extack, "give exactly one remote address, IPv4 or IPv6");
		return ERR_PTR(-EINVAL);
	}
	if ((tb[S2SVPN_A_TUNNEL_REMOTE4] && tb[S2SVPN_A_TUNNEL_LOCAL6]) ||
	    (tb[S2SVPN_A_TUNNEL_REMOTE6] && tb[S2SVPN_A_TUNNEL_LOCAL4])) {
		NL_SET_ERR_MSG(extack, "local and remote addresses of different families");
		return ERR_PTR(-EINVAL);
	}
	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL_ACCOUNT);
	if (!cfg)
		return ERR_PTR(-ENOMEM);
	if (tb[S2SVPN_A_TUNNEL_REMOTE4]) {
		cfg->family = AF_INET;
		cfg->remote4 = nla_get_in_addr(tb[S2SVPN_A_TUNNEL_REMOTE4]);
		if (tb[S2SVPN_A_TUNNEL_LOCAL4])
			cfg->local4 = nla_get_in_addr(tb[S2SVPN_A_TUNNEL_LOCAL4]);
	} else {
		cfg->family = AF_INET6;
		cfg->remote6 = nla_get_in6_addr(tb[S2SVPN_A_TUNNEL_REMOTE6]);
		if (tb[S2SVPN_A_TUNNEL_LOCAL6])
			cfg->local6 = nla_get_in6_addr(tb[S2SVPN_A_TUNNEL_LOCAL6]);
	}
	cfg->remote_port = htons(tb[S2SVPN_A_TUNNEL_REMOTE_PORT] ?
				 nla_get_u16(tb[S2SVPN_A_TUNNEL_REMOTE_PORT]) : 4500);
	if (tb[S2SVPN_A_TUNNEL_INSIDE_PEER4]) {
		cfg->has_peer4 = true;
		cfg->peer4 = nla_get_in_addr(tb[S2SVPN_A_TUNNEL_INSIDE_PEER4]);
	}
	if (tb[S2SVPN_A_TUNNEL_INSIDE_PEER6]) {
		cfg->has_peer6 = true;
		cfg->peer6 = nla_get_in6_addr(tb[S2SVPN_A_TUNNEL_INSIDE_PEER6]);
	}
	return cfg;
}

/* Is @cfg's local address one of @net's (or unset: routing picks one)? */
static bool s2svpn_nl_local_ok(struct net *net,
			       const struct s2svpn_tunnel_cfg *cfg)
{
	if (cfg->family == AF_INET)
		return !cfg->local4 ||
		       inet_addr_type(net, cfg->local4) == RTN_LOCAL;
#if IS_ENABLED(CONFIG_IPV6)
	/* Tentative addresses count: the daemon may set up before DAD ends. */
	return ipv6_addr_any(&cfg->local6) ||
	       ipv6_chk_addr_and_flags(net, &cfg->local6, NULL, true, 0, 0);
#else
	return false;
#endif
}

/*
 * An IPv4 tunnel sends on an IPv4 or dual-stack socket, IPv6 on IPv6; from
 * a local address of the socket's namespace, so that the tunnel cannot
 * send with somebody else's source address.
 */
static int s2svpn_nl_sock_fits(struct s2svpn_sock *sock,
			       const struct s2svpn_tunnel_cfg *cfg,
			       struct netlink_ext_ack *extack)
{
	struct sock *sk;
	int err = 0;

	if (cfg->family == AF_INET6 && sock->family != AF_INET6) {
		NL_SET_ERR_MSG(extack, "an IPv6 tunnel needs an IPv6 socket");
		return -EAFNOSUPPORT;
	}
	if (cfg->family == AF_INET && sock->family == AF_INET6 && sock->ipv6only) {
		NL_SET_ERR_MSG(extack, "an IPv4 tunnel cannot use an IPv6-only socket");
		return -EAFNOSUPPORT;
	}
	/* UDP sockets are freed after a grace period (SOCK_RCU_FREE). */
	rcu_read_lock();
	sk = READ_ONCE(sock->sk);
	if (sk && !s2svpn_nl_local_ok(sock_net(sk), cfg)) {
		NL_SET_ERR_MSG(extack,
			       "local address is not an address of the socket's network namespace");
		err = -EADDRNOTAVAIL;
	}
	rcu_read_unlock();
	return err;
}

/* Parse the tunnel nest with @policy; TUNNEL_ID is required. */
static int s2svpn_nl_tunnel_parse(struct genl_info *info, struct nlattr **tb,
				  const struct nla_policy *policy)
{
	int err;

	if (GENL_REQ_ATTR_CHECK(info, S2SVPN_A_TUNNEL))
		return -EINVAL;
	err = nla_parse_nested(tb, S2SVPN_A_TUNNEL_MAX, info->attrs[S2SVPN_A_TUNNEL],
			       policy, info->extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, info->attrs[S2SVPN_A_TUNNEL], tb,
			      S2SVPN_A_TUNNEL_ID))
		return -EINVAL;
	return 0;
}

static int s2svpn_nl_tunnel_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[S2SVPN_A_TUNNEL_MAX + 1];
	struct s2svpn_tunnel_cfg *cfg = NULL;
	struct s2svpn_sock *sock = NULL;
	const struct s2svpn_tunnel *t;
	struct s2svpn_dev *s2;
	sa_family_t family;
	u8 id;
	int err;

	err = s2svpn_nl_tunnel_parse(info, tb, s2svpn_tunnel_set_policy);
	if (err)
		return err;
	if (tb[S2SVPN_A_TUNNEL_SOCK_FD] && tb[S2SVPN_A_TUNNEL_LOCAL_PORT]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[S2SVPN_A_TUNNEL_LOCAL_PORT],
				    "give a socket fd or a listen port, not both");
		return -EINVAL;
	}
	id = nla_get_u8(tb[S2SVPN_A_TUNNEL_ID]);

	s2 = s2svpn_nl_dev(info);
	if (IS_ERR(s2))
		return PTR_ERR(s2);
	if (tb[S2SVPN_A_TUNNEL_REMOTE4] || tb[S2SVPN_A_TUNNEL_REMOTE6]) {
		cfg = s2svpn_nl_tunnel_cfg(tb, info->extack);
		if (IS_ERR(cfg)) {
			err = PTR_ERR(cfg);
			goto put_dev;
		}
	}

	err = s2svpn_nl_lock(s2, info->extack);
	if (err)
		goto free_cfg;
	t = rcu_dereference_protected(s2->tunnels[id], lockdep_is_held(&s2->lock));
	if (!t && !cfg) {
		NL_SET_ERR_MSG(info->extack, "a new tunnel needs a remote address");
		err = -EINVAL;
		goto unlock;
	}
	family = cfg ? cfg->family :
		 rcu_dereference_protected(t->cfg, lockdep_is_held(&s2->lock))->family;

	if (tb[S2SVPN_A_TUNNEL_SOCK_FD]) {
		sock = s2svpn_sock_from_fd(nla_get_u32(tb[S2SVPN_A_TUNNEL_SOCK_FD]),
					   info->extack);
	} else if (tb[S2SVPN_A_TUNNEL_LOCAL_PORT] || !t) {
		u16 port = tb[S2SVPN_A_TUNNEL_LOCAL_PORT] ?
			   nla_get_u16(tb[S2SVPN_A_TUNNEL_LOCAL_PORT]) : 4500;

		sock = s2svpn_sock_kernel(dev_net(s2->dev), family, port,
					  info->extack);
	}
	if (IS_ERR(sock)) {
		err = PTR_ERR(sock);
		sock = NULL;
		goto unlock;
	}
	/*
	 * A socket of another namespace sends and receives there, and its
	 * SAs take SPIs there: only for a caller who administers it.
	 */
	if (sock && !net_eq(sock->net, dev_net(s2->dev)) &&
	    !netlink_ns_capable(skb, sock->net->user_ns, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG(info->extack,
			       "socket of another network namespace: needs CAP_NET_ADMIN over it");
		err = -EPERM;
		goto unlock;
	}
	if (sock || cfg) {
		const struct s2svpn_tunnel_cfg *now = cfg;
		struct s2svpn_sock *check = sock;

		if (!check)
			check = rcu_dereference_protected(t->sock,
							  lockdep_is_held(&s2->lock));
		if (!now)
			now = rcu_dereference_protected(t->cfg,
							lockdep_is_held(&s2->lock));
		err = check ? s2svpn_nl_sock_fits(check, now, info->extack) : 0;
		if (err)
			goto unlock;
	}
	err = s2svpn_tunnel_set(s2, id, cfg, sock, info->extack);
	if (!err) {
		cfg = NULL;
		sock = NULL;
	}
unlock:
	mutex_unlock(&s2->lock);
	if (sock)
		s2svpn_sock_put(sock);
free_cfg:
	kfree(cfg);
put_dev:
	s2svpn_dev_put(s2);
	return err;
}

static int s2svpn_nl_tunnel_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[S2SVPN_A_TUNNEL_MAX + 1];
	struct s2svpn_dev *s2;
	int err;

	err = s2svpn_nl_tunnel_parse(info, tb, s2svpn_tunnel_del_policy);
	if (err)
		return err;
	s2 = s2svpn_nl_dev(info);
	if (IS_ERR(s2))
		return PTR_ERR(s2);
	err = s2svpn_nl_lock(s2, info->extack);
	if (!err) {
		err = s2svpn_tunnel_del(s2, nla_get_u8(tb[S2SVPN_A_TUNNEL_ID]),
					info->extack);
		mutex_unlock(&s2->lock);
	}
	s2svpn_dev_put(s2);
	return err;
}

/* Parse the SA nest with @policy; TUNNEL_ID, DIR and SPI are required. */
static int s2svpn_nl_sa_parse(struct genl_info *info, struct nlattr **tb,
			      const struct nla_policy *policy)
{
	int err;

	if (GENL_REQ_ATTR_CHECK(info, S2SVPN_A_SA))
		return -EINVAL;
	err = nla_parse_nested(tb, S2SVPN_A_SA_MAX, info->attrs[S2SVPN_A_SA],
			       policy, info->extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, info->attrs[S2SVPN_A_SA], tb,
			      S2SVPN_A_SA_TUNNEL_ID) ||
	    NL_REQ_ATTR_CHECK(info->extack, info->attrs[S2SVPN_A_SA], tb,
			      S2SVPN_A_SA_DIR) ||
	    NL_REQ_ATTR_CHECK(info->extack, info->attrs[S2SVPN_A_SA], tb,
			      S2SVPN_A_SA_SPI))
		return -EINVAL;
	return 0;
}

static struct s2svpn_tunnel *s2svpn_nl_tunnel(struct s2svpn_dev *s2,
					      struct nlattr *id_attr,
					      struct netlink_ext_ack *extack)
{
	struct s2svpn_tunnel *t;

	t = rcu_dereference_protected(s2->tunnels[nla_get_u8(id_attr)],
				      lockdep_is_held(&s2->lock));
	if (!t)
		NL_SET_ERR_MSG_ATTR(extack, id_attr,
				    "no such tunnel: create it with TUNNEL_SET first");
	return t;
}

static u64 s2svpn_nl_u64(struct nlattr *attr)
{
	return attr ? nla_get_u64(attr) : 0;
}

static int s2svpn_nl_sa_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[S2SVPN_A_SA_MAX + 1];
	struct s2svpn_crypto_params cp = {};
	struct s2svpn_sa_params p = {};
	struct netlink_ext_ack *extack = info->extack;
	struct s2svpn_tunnel *t;
	struct s2svpn_dev *s2;
	struct s2svpn_sa *sa;
	int err;

	err = s2svpn_nl_sa_parse(info, tb, s2svpn_sa_new_policy);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, info->attrs[S2SVPN_A_SA], tb, S2SVPN_A_SA_ALG) ||
	    NL_REQ_ATTR_CHECK(extack, info->attrs[S2SVPN_A_SA], tb, S2SVPN_A_SA_ENC_KEY))
		return -EINVAL;

	p.dir = nla_get_u8(tb[S2SVPN_A_SA_DIR]);
	p.spi = htonl(nla_get_u32(tb[S2SVPN_A_SA_SPI]));
	if (p.dir == S2SVPN_DIR_OUT && tb[S2SVPN_A_SA_REPLAY_WINDOW]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[S2SVPN_A_SA_REPLAY_WINDOW],
				    "replay window applies to inbound SAs only");
		return -EINVAL;
	}
	if (p.dir == S2SVPN_DIR_IN && tb[S2SVPN_A_SA_SEQ]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[S2SVPN_A_SA_SEQ],
				    "initial sequence number applies to outbound SAs only");
		return -EINVAL;
	}
	p.replay_window = tb[S2SVPN_A_SA_REPLAY_WINDOW] ?
			  nla_get_u32(tb[S2SVPN_A_SA_REPLAY_WINDOW]) :
			  S2SVPN_REPLAY_WINDOW_DEFAULT;
	p.seq = s2svpn_nl_u64(tb[S2SVPN_A_SA_SEQ]);
	p.soft_bytes = s2svpn_nl_u64(tb[S2SVPN_A_SA_SOFT_BYTES]);
	p.hard_bytes = s2svpn_nl_u64(tb[S2SVPN_A_SA_HARD_BYTES]);
	p.soft_packets = s2svpn_nl_u64(tb[S2SVPN_A_SA_SOFT_PACKETS]);
	p.hard_packets = s2svpn_nl_u64(tb[S2SVPN_A_SA_HARD_PACKETS]);

	cp.alg = s2svpn_alg_find(nla_data(tb[S2SVPN_A_SA_ALG]));
	if (!cp.alg) {
		NL_SET_ERR_MSG_ATTR(extack, tb[S2SVPN_A_SA_ALG],
				    "unknown algorithm (see uapi/linux/s2svpn.h)");
		return -EINVAL;
	}
	if (!tb[S2SVPN_A_SA_ESN] && p.seq > U32_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, tb[S2SVPN_A_SA_SEQ],
				    "sequence number above 2^32-1 needs ESN");
		return -EINVAL;
	}
	cp.enc_key = nla_data(tb[S2SVPN_A_SA_ENC_KEY]);
	cp.enc_keylen = nla_len(tb[S2SVPN_A_SA_ENC_KEY]);
	if (tb[S2SVPN_A_SA_AUTH_KEY]) {
		cp.auth_key = nla_data(tb[S2SVPN_A_SA_AUTH_KEY]);
		cp.auth_keylen = nla_len(tb[S2SVPN_A_SA_AUTH_KEY]);
	}
	if (tb[S2SVPN_A_SA_SALT])
		cp.salt = nla_data(tb[S2SVPN_A_SA_SALT]);
	if (tb[S2SVPN_A_SA_ICV_LEN])
		cp.icv_len = nla_get_u8(tb[S2SVPN_A_SA_ICV_LEN]);
	cp.esn = nla_get_flag(tb[S2SVPN_A_SA_ESN]);

	s2 = s2svpn_nl_dev(info);
	if (IS_ERR(s2))
		return PTR_ERR(s2);
	err = s2svpn_nl_lock(s2, extack);
	if (err)
		goto put;
	t = s2svpn_nl_tunnel(s2, tb[S2SVPN_A_SA_TUNNEL_ID], extack);
	if (!t) {
		err = -ENOENT;
		goto unlock;
	}
	sa = s2svpn_sa_new(t, &p, &cp, extack);
	if (IS_ERR(sa)) {
		err = PTR_ERR(sa);
		goto unlock;
	}
	err = s2svpn_tunnel_sa_add(t, sa, extack);
	if (err)
		s2svpn_sa_put(sa);
unlock:
	mutex_unlock(&s2->lock);
put:
	s2svpn_dev_put(s2);
	return err;
}

static int s2svpn_nl_sa_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[S2SVPN_A_SA_MAX + 1];
	struct s2svpn_tunnel *t;
	struct s2svpn_dev *s2;
	int err;

	err = s2svpn_nl_sa_parse(info, tb, s2svpn_sa_id_policy);
	if (err)
		return err;
	s2 = s2svpn_nl_dev(info);
	if (IS_ERR(s2))
		return PTR_ERR(s2);
	err = s2svpn_nl_lock(s2, info->extack);
	if (err)
		goto put;
	t = s2svpn_nl_tunnel(s2, tb[S2SVPN_A_SA_TUNNEL_ID], info->extack);
	err = t ? s2svpn_tunnel_sa_del(t, nla_get_u8(tb[S2SVPN_A_SA_DIR]),
				       htonl(nla_get_u32(tb[S2SVPN_A_SA_SPI])),
				       info->extack) : -ENOENT;
	mutex_unlock(&s2->lock);
put:
	s2svpn_dev_put(s2);
	return err;
}

static int s2svpn_nl_put_sa(struct sk_buff *msg, struct s2svpn_sa *sa,
			    bool current_in)
{
	struct s2svpn_stats stats = {};
	struct nlattr *nest;
	int i;

	if (sa->dir == S2SVPN_DIR_IN) {
		stats.rx_packets = atomic64_read(&sa->packets);
		stats.rx_bytes = atomic64_read(&sa->bytes);
	} else {
		stats.tx_packets = atomic64_read(&sa->packets);
		stats.tx_bytes = atomic64_read(&sa->bytes);
	}
	for (i = 0; i < S2SVPN_DROP_MAX; i++)
		stats.drops[i] = atomic64_read(&sa->drops[i]);

	nest = nla_nest_start(msg, S2SVPN_A_SA);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(msg, S2SVPN_A_SA_TUNNEL_ID, sa->tunnel->id) ||
	    nla_put_u8(msg, S2SVPN_A_SA_DIR, sa->dir) ||
	    nla_put_u32(msg, S2SVPN_A_SA_SPI, ntohl(sa->key.spi)) ||
	    nla_put_string(msg, S2SVPN_A_SA_ALG, sa->alg->name) ||
	    nla_put_u8(msg, S2SVPN_A_SA_ICV_LEN, sa->icv_len) ||
	    (sa->esn && nla_put_flag(msg, S2SVPN_A_SA_ESN)) ||
	    (current_in && nla_put_flag(msg, S2SVPN_A_SA_CURRENT)) ||
	    nla_put_u64_64bit(msg, S2SVPN_A_SA_AGE,
			      ktime_get_real_seconds() - sa->created, S2SVPN_A_SA_PAD) ||
	    nla_put_u64_64bit(msg, S2SVPN_A_SA_SOFT_BYTES, sa->soft_bytes, S2SVPN_A_SA_PAD) ||
	    nla_put_u64_64bit(msg, S2SVPN_A_SA_HARD_BYTES, sa->hard_bytes, S2SVPN_A_SA_PAD) ||
	    nla_put_u64_64bit(msg, S2SVPN_A_SA_SOFT_PACKETS, sa->soft_packets,
			      S2SVPN_A_SA_PAD) ||
	    nla_put_u64_64bit(msg, S2SVPN_A_SA_HARD_PACKETS, sa->hard_packets,
			      S2SVPN_A_SA_PAD) ||
	    s2svpn_stats_put(msg, S2SVPN_A_SA_STATS, &stats))
		goto cancel;
	if (sa->dir == S2SVPN_DIR_OUT) {
		if (nla_put_u64_64bit(msg, S2SVPN_A_SA_SEQ,
				      min_t(u64, atomic64_read(&sa->seq), sa->seq_max),
				      S2SVPN_A_SA_PAD))
			goto cancel;
	} else {
		if (nla_put_u32(msg, S2SVPN_A_SA_REPLAY_WINDOW, sa->replay->size) ||
		    nla_put_u64_64bit(msg, S2SVPN_A_SA_SEQ, s2svpn_replay_top(sa->replay),
				      S2SVPN_A_SA_PAD))
			goto cancel;
	}
	nla_nest_end(msg, nest);
	return 0;
cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

static int s2svpn_nl_fill_sa(struct sk_buff *msg, struct s2svpn_sa *sa,
			     bool current_in, u32 portid, u32 seq, int flags,
			     u8 cmd)
{
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &s2svpn_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (s2svpn_nl_put_dev_id(msg, sa->tunnel->s2->dev) ||
	    s2svpn_nl_put_sa(msg, sa, current_in)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

/* Slot @i of a tunnel: 0 outbound, 1 current inbound, 2 previous inbound. */
static struct s2svpn_sa *s2svpn_nl_sa_slot(struct s2svpn_tunnel *t, int i)
{
	return i == 0 ? rcu_dereference(t->sa_out) : rcu_dereference(t->sa_in[i - 1]);
}

#define S2SVPN_NL_SA_SLOTS	3

static int s2svpn_nl_sa_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[S2SVPN_A_SA_MAX + 1];
	struct s2svpn_sa *sa, *found = NULL;
	struct sk_buff *msg = NULL;
	struct s2svpn_tunnel *t;
	struct s2svpn_dev *s2;
	__be32 spi;
	int err, i;
	u8 dir;

	err = s2svpn_nl_sa_parse(info, tb, s2svpn_sa_id_policy);
	if (err)
		return err;
	dir = nla_get_u8(tb[S2SVPN_A_SA_DIR]);
	spi = htonl(nla_get_u32(tb[S2SVPN_A_SA_SPI]));
	s2 = s2svpn_nl_dev(info);
	if (IS_ERR(s2))
		return PTR_ERR(s2);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto put;
	}

	rcu_read_lock();
	t = rcu_dereference(s2->tunnels[nla_get_u8(tb[S2SVPN_A_SA_TUNNEL_ID])]);
	for (i = 0; t && i < S2SVPN_NL_SA_SLOTS; i++) {
		sa = s2svpn_nl_sa_slot(t, i);
		if (sa && sa->dir == dir && sa->key.spi == spi) {
			found = sa;
			err = s2svpn_nl_fill_sa(msg, sa, i == 1, info->snd_portid,
						info->snd_seq, 0, S2SVPN_CMD_SA_GET);
			break;
		}
	}
	rcu_read_unlock();
	if (!found) {
		NL_SET_ERR_MSG(info->extack, "no SA with that tunnel, direction and SPI");
		err = -ENOENT;
	}
	if (err) {
		nlmsg_free(msg);
		goto put;
	}
	err = genlmsg_reply(msg, info);
put:
	s2svpn_dev_put(s2);
	return err;
}

/*
 * One message per SA, of one device (S2SVPN_A_IFINDEX) or of every s2svpn
 * device in the namespace. cb->args[0]: s2svpn devices finished,
 * cb->args[1]: SA slots finished on the next one.
 */
static int s2svpn_nl_sa_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = s2svpn_compat_dump_attrs(cb);
	struct net *net = sock_net(skb->sk);
	int ifindex = attrs[S2SVPN_A_IFINDEX] ?
		      nla_get_u32(attrs[S2SVPN_A_IFINDEX]) : 0;
	long dev_idx = 0, slot;
	struct net_device *dev;
	int err = 0;

	rcu_read_lock();
	cb->seq = READ_ONCE(net->dev_base_seq);
	for_each_netdev_rcu(net, dev) {
		struct s2svpn_dev *s2 = netdev_priv(dev);

		if (dev->rtnl_link_ops != &s2svpn_link_ops ||
		    (ifindex && dev->ifindex != ifindex))
			continue;
		if (dev_idx++ < cb->args[0])
			continue;
		for (slot = cb->args[1]; slot < S2SVPN_TUNNELS * S2SVPN_NL_SA_SLOTS; slot++) {
			struct s2svpn_tunnel *t;
			struct s2svpn_sa *sa;

			t = rcu_dereference(s2->tunnels[slot / S2SVPN_NL_SA_SLOTS]);
			sa = t ? s2svpn_nl_sa_slot(t, slot % S2SVPN_NL_SA_SLOTS) : NULL;
			if (!sa)
				continue;
			err = s2svpn_nl_fill_sa(skb, sa, slot % S2SVPN_NL_SA_SLOTS == 1,
						NETLINK_CB(cb->skb).portid,
						cb->nlh->nlmsg_seq, NLM_F_MULTI,
						S2SVPN_CMD_SA_GET);
			if (err) {
				cb->args[0] = dev_idx - 1;
				cb->args[1] = slot;
				goto out;
			}
			nl_dump_check_consistent(cb, nlmsg_hdr(skb));
		}
		cb->args[1] = 0;
	}
	cb->args[0] = dev_idx;
out:
	rcu_read_unlock();
	return err && !skb->len ? err : skb->len;
}

static const struct genl_ops s2svpn_ops[] = {
	{
		.cmd = S2SVPN_CMD_DEV_GET,
		.doit = s2svpn_nl_dev_get_doit,
		.dumpit = s2svpn_nl_dev_get_dumpit,
		.policy = s2svpn_dev_get_policy,
		.maxattr = S2SVPN_A_MAX,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = S2SVPN_CMD_DEV_SET,
		.doit = s2svpn_nl_dev_set_doit,
		.policy = s2svpn_dev_set_policy,
		.maxattr = S2SVPN_A_MAX,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = S2SVPN_CMD_TUNNEL_SET,
		.doit = s2svpn_nl_tunnel_set_doit,
		.policy = s2svpn_tunnel_set_top_policy,
		.maxattr = S2SVPN_A_MAX,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = S2SVPN_CMD_TUNNEL_DEL,
		.doit = s2svpn_nl_tunnel_del_doit,
		.policy = s2svpn_tunnel_del_top_policy,
		.maxattr = S2SVPN_A_MAX,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = S2SVPN_CMD_SA_NEW,
		.doit = s2svpn_nl_sa_new_doit,
		.policy = s2svpn_sa_new_top_policy,
		.maxattr = S2SVPN_A_MAX,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = S2SVPN_CMD_SA_DEL,
		.doit = s2svpn_nl_sa_del_doit,
		.policy = s2svpn_sa_id_top_policy,
		.maxattr = S2SVPN_A_MAX,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = S2SVPN_CMD_SA_GET,
		.doit = s2svpn_nl_sa_get_doit,
		.dumpit = s2svpn_nl_sa_get_dumpit,
		.policy = s2svpn_sa_id_top_policy,
		.maxattr = S2SVPN_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family s2svpn_family __ro_after_init = {
	.name = S2SVPN_FAMILY_NAME,
	.version = S2SVPN_FAMILY_VERSION,
	.maxattr = S2SVPN_A_MAX,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = s2svpn_ops,
	.n_ops = ARRAY_SIZE(s2svpn_ops),
	.resv_start_op = S2SVPN_CMD_SA_GET + 1,
	.mcgrps = s2svpn_mcgrps,
	.n_mcgrps = ARRAY_SIZE(s2svpn_mcgrps),
};

/* Send @msg (built by the caller) to the events group of @dev's namespace. */
static void s2svpn_nl_notify(struct sk_buff *msg, struct net_device *dev)
{
	genlmsg_multicast_netns(&s2svpn_family, dev_net(dev), msg, 0,
				S2SVPN_MCGRP_EVENTS_ID, GFP_KERNEL);
}

/**
 * s2svpn_nl_notify_sa_expire - announce that an SA reached a limit
 * @sa: the SA
 * @hard: hard limit (the SA is being removed)
 * @reason: enum s2svpn_expire_reason
 *
 * Context: process context.
 */
void s2svpn_nl_notify_sa_expire(struct s2svpn_sa *sa, bool hard, u8 reason)
{
	struct net_device *dev = sa->tunnel->s2->dev;
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &s2svpn_family, 0, S2SVPN_CMD_SA_EXPIRE_NTF);
	if (!hdr)
		goto free;
	if (s2svpn_nl_put_dev_id(msg, dev))
		goto free;
	nest = nla_nest_start(msg, S2SVPN_A_SA);
	if (!nest ||
	    nla_put_u8(msg, S2SVPN_A_SA_TUNNEL_ID, sa->tunnel->id) ||
	    nla_put_u8(msg, S2SVPN_A_SA_DIR, sa->dir) ||
	    nla_put_u32(msg, S2SVPN_A_SA_SPI, ntohl(sa->key.spi)) ||
	    nla_put_u8(msg, S2SVPN_A_SA_EXPIRE, reason) ||
	    (hard && nla_put_flag(msg, S2SVPN_A_SA_HARD)))
		goto free;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	s2svpn_nl_notify(msg, dev);
	return;
free:
	nlmsg_free(msg);
}

static void s2svpn_nl_notify_tunnel(struct s2svpn_tunnel *t, u8 cmd, int state)
{
	struct net_device *dev = t->s2->dev;
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &s2svpn_family, 0, cmd);
	if (!hdr || s2svpn_nl_put_dev_id(msg, dev))
		goto free;
	nest = nla_nest_start(msg, S2SVPN_A_TUNNEL);
	if (!nest || nla_put_u8(msg, S2SVPN_A_TUNNEL_ID, t->id) ||
	    (state >= 0 && nla_put_u8(msg, S2SVPN_A_TUNNEL_STATE, state)))
		goto free;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	s2svpn_nl_notify(msg, dev);
	return;
free:
	nlmsg_free(msg);
}

/**
 * s2svpn_nl_notify_sock_detach - announce that a tunnel lost its socket
 * @t: the tunnel
 */
void s2svpn_nl_notify_sock_detach(struct s2svpn_tunnel *t)
{
	s2svpn_nl_notify_tunnel(t, S2SVPN_CMD_SOCK_DETACH_NTF, -1);
}

/**
 * s2svpn_nl_notify_tunnel_state - announce that a tunnel can or cannot send
 * @t: the tunnel
 * @usable: its new state
 */
void s2svpn_nl_notify_tunnel_state(struct s2svpn_tunnel *t, bool usable)
{
	s2svpn_nl_notify_tunnel(t, S2SVPN_CMD_TUNNEL_STATE_NTF,
				usable ? S2SVPN_TUNNEL_USABLE : S2SVPN_TUNNEL_UNUSABLE);
}

int s2svpn_nl_init(void)
{
	return genl_register_family(&s2svpn_family);
}

void s2svpn_nl_exit(void)
{
	genl_unregister_family(&s2svpn_family);
}

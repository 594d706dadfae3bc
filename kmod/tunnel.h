/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn: tunnels, the two paths of one VPN connection.
 */
#ifndef _S2SVPN_TUNNEL_H
#define _S2SVPN_TUNNEL_H

#include <linux/netlink.h>
#include <linux/in6.h>
#include <linux/netdevice.h>
#include <linux/refcount.h>
#include <net/dst_cache.h>

#include "stats.h"

struct s2svpn_dev;
struct s2svpn_sa;
struct s2svpn_sock;

/**
 * struct s2svpn_tunnel_cfg - addresses of a tunnel, replaced as a whole
 * @rcu: freed after readers are done
 * @family: AF_INET or AF_INET6, of the outer addresses
 * @local4: outer local address (0: chosen by routing)
 * @remote4: outer remote address
 * @local6: outer local address (any: chosen by routing)
 * @remote6: outer remote address
 * @remote_port: remote UDP port, network order
 * @has_peer4: @peer4 is set
 * @has_peer6: @peer6 is set
 * @peer4: inside peer: routes with this next hop use this tunnel
 * @peer6: the same for IPv6
 */
struct s2svpn_tunnel_cfg {
	struct rcu_head rcu;
	sa_family_t family;
	__be32 local4;
	__be32 remote4;
	struct in6_addr local6;
	struct in6_addr remote6;
	__be16 remote_port;
	bool has_peer4;
	bool has_peer6;
	__be32 peer4;
	struct in6_addr peer6;
};

/**
 * struct s2svpn_tunnel - one tunnel of a device
 * @s2: the device (referenced through @dev_tracker)
 * @dev_tracker: tracks the device reference
 * @id: 0 or 1
 * @refcnt: the device's slot, each SA, in-flight packets
 * @rcu: freed after readers are done
 * @cfg: addresses (RCU; written under the device lock)
 * @sock: UDP socket it sends and receives on (RCU; device lock)
 * @dst_cache: outer route cache
 * @sa_out: outbound SA (RCU; device lock)
 * @sa_in: inbound SAs: [0] current, [1] previous (RCU; device lock)
 * @stats: per-CPU counters
 * @last_rx: ktime_get_real_seconds() of the last authenticated packet, in
 *	one word so that lockless reads never tear (good until 2106 on 32-bit)
 * @usable: has a socket and an outbound SA (device lock)
 */
struct s2svpn_tunnel {
	struct s2svpn_dev *s2;
	netdevice_tracker dev_tracker;
	u8 id;
	refcount_t refcnt;
	struct rcu_head rcu;
	struct s2svpn_tunnel_cfg __rcu *cfg;
	struct s2svpn_sock __rcu *sock;
	struct dst_cache dst_cache;
	struct s2svpn_sa __rcu *sa_out;
	struct s2svpn_sa __rcu *sa_in[2];
	struct s2svpn_pcpu_stats __percpu *stats;
	unsigned long last_rx;
	bool usable;
};

int s2svpn_tunnel_set(struct s2svpn_dev *s2, u8 id,
		      struct s2svpn_tunnel_cfg *cfg, struct s2svpn_sock *sock,
		      struct netlink_ext_ack *extack);
int s2svpn_tunnel_del(struct s2svpn_dev *s2, u8 id,
		      struct netlink_ext_ack *extack);
void s2svpn_tunnel_destroy(struct s2svpn_tunnel *t);
void s2svpn_tunnel_put(struct s2svpn_tunnel *t);
static inline void s2svpn_tunnel_hold(struct s2svpn_tunnel *t)
{
	refcount_inc(&t->refcnt);
}

int s2svpn_tunnel_sa_add(struct s2svpn_tunnel *t, struct s2svpn_sa *sa,
			 struct netlink_ext_ack *extack);
int s2svpn_tunnel_sa_del(struct s2svpn_tunnel *t, u8 dir, __be32 spi,
			 struct netlink_ext_ack *extack);
void s2svpn_tunnel_sa_remove(struct s2svpn_tunnel *t, struct s2svpn_sa *sa);
void s2svpn_tunnel_sock_detach(struct s2svpn_tunnel *t,
			       struct s2svpn_sock *sock);
void s2svpn_tunnels_update_state(struct s2svpn_dev *s2);

#endif /* _S2SVPN_TUNNEL_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn: the UDP sockets tunnels send and receive on.
 */
#ifndef _S2SVPN_SOCKET_H
#define _S2SVPN_SOCKET_H

#include <linux/netlink.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/workqueue.h>
#include <net/sock.h>

/**
 * struct s2svpn_sock - a UDP socket turned into an ESP-in-UDP socket
 * @sk: the socket; NULL once it closed (RCU readers see it or NULL; the
 *	socket is freed RCU-deferred, SOCK_RCU_FREE)
 * @net: its namespace, for table keys only (no reference)
 * @refcnt: one per tunnel using it, plus the detach work while queued
 * @lock: protects @sk against close racing the last put
 * @family: AF_INET or AF_INET6
 * @ipv6only: an IPv6 socket that takes no IPv4 (fixed once bound)
 * @port: local port, host order
 * @ksock: the socket when s2svpn opened it itself (static keying), closed
 *	when the last tunnel lets go or its namespace dies; NULL for the
 *	daemon's socket (s2svpn_ksock_lock)
 * @kernel: s2svpn opened it (set once, before it receives): nothing reads
 *	it, so datagrams that are not ESP are dropped, not queued
 * @knode: in s2svpn_ksocks while @ksock is set (s2svpn_ksock_lock)
 * @detach_work: tells every tunnel on it that the socket is gone
 * @rcu: freed after readers are done
 */
struct s2svpn_sock {
	struct sock *sk;
	const struct net *net;
	refcount_t refcnt;
	spinlock_t lock; /* see above */
	sa_family_t family;
	bool ipv6only;
	u16 port;
	struct socket *ksock;
	bool kernel;
	struct list_head knode;
	struct work_struct detach_work;
	struct rcu_head rcu;
};

struct s2svpn_sock *s2svpn_sock_from_fd(int fd, struct netlink_ext_ack *extack);
struct s2svpn_sock *s2svpn_sock_kernel(struct net *net, sa_family_t family,
				       u16 port, struct netlink_ext_ack *extack);
void s2svpn_sock_hold(struct s2svpn_sock *s);
bool s2svpn_sock_check(struct s2svpn_sock *s, struct sock *sk);
void s2svpn_sock_put(struct s2svpn_sock *s);

void s2svpn_sock_net_exit(struct net *net);

#endif /* _S2SVPN_SOCKET_H */

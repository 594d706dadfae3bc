// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn: the UDP sockets tunnels send and receive on.
 *
 * Normally the socket is the IKE daemon's own (port 4500): the daemon passes
 * its fd and keeps receiving IKE on it, while ESP is consumed here. For static
 * keys s2svpn opens a socket itself. When the daemon closes its socket (or
 * dies), every tunnel on it is detached and told so; the socket is never
 * kept open behind the daemon's back.
 */

#include <linux/file.h>
#include <linux/net.h>
#include <linux/udp.h>
#include <net/ipv6.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "device.h"
#include "esp.h"
#include "main.h"
#include "rx.h"
#include "socket.h"
#include "tunnel.h"

/* Sockets s2svpn opened itself, in every namespace. */
static LIST_HEAD(s2svpn_ksocks);
static DEFINE_MUTEX(s2svpn_ksock_lock);

static struct s2svpn_sock *s2svpn_sock_of(struct sock *sk)
{
	if (READ_ONCE(udp_sk(sk)->encap_type) != UDP_ENCAP_ESPINUDP)
		return NULL;
	return rcu_dereference_sk_user_data(sk);
}

/*
 * RFC 3948 section 2: on this port, a datagram is IKE if it starts with the
 * 4-byte non-ESP marker, a NAT-keepalive if it is the single byte 0xff, and
 * ESP otherwise. IKE, keepalives and anything too short for ESP go up to the
 * daemon unchanged.
 *
 * Return: 0 if consumed, 1 to deliver it to the socket.
 */
static int s2svpn_sock_encap_rcv(struct sock *sk, struct sk_buff *skb)
{
	unsigned int len = skb->len - sizeof(struct udphdr);
	struct s2svpn_sock *s;
	__be32 spi;

	s = s2svpn_sock_of(sk);
	if (unlikely(!s))
		return 1;
	if (len <= S2SVPN_ESP_HDR_LEN ||
	    !pskb_may_pull(skb, sizeof(struct udphdr) + S2SVPN_ESP_HDR_LEN))
		goto not_esp;
	spi = *(__be32 *)(skb->data + sizeof(struct udphdr));
	if (spi == htonl(S2SVPN_NON_ESP_MARKER))
		goto not_esp;

	__skb_pull(skb, sizeof(struct udphdr));
	skb_reset_transport_header(skb);
	s2svpn_rx(sock_net(sk), skb, spi);
	return 0;

not_esp:
	/* Nobody reads s2svpn's own sockets: do not queue for nobody. */
	if (s->kernel) {
		consume_skb(skb);
		return 0;
	}
	return 1;
}

static void s2svpn_sock_detach_work(struct work_struct *work)
{
	struct s2svpn_sock *s = container_of(work, struct s2svpn_sock, detach_work);
	struct s2svpn_dev *s2;
	int i;

	mutex_lock(&s2svpn_devs_lock);
	list_for_each_entry(s2, &s2svpn_devs, node) {
		mutex_lock(&s2->lock);
		for (i = 0; i < S2SVPN_TUNNELS; i++) {
			struct s2svpn_tunnel *t;

			t = rcu_dereference_protected(s2->tunnels[i],
						      lockdep_is_held(&s2->lock));
			if (t && rcu_access_pointer(t->sock) == s)
				s2svpn_tunnel_sock_detach(t, s);
		}
		s2svpn_tunnels_update_state(s2);
		mutex_unlock(&s2->lock);
	}
	mutex_unlock(&s2svpn_devs_lock);
	s2svpn_sock_put(s);
}

/* The socket is going away: forget it, then detach the tunnels on it. */
static void s2svpn_sock_gone(struct s2svpn_sock *s, struct sock *sk)
{
	bool owner;

	spin_lock_bh(&s->lock);
	owner = s->sk == sk;
	if (owner)
		WRITE_ONCE(s->sk, NULL);
	spin_unlock_bh(&s->lock);
	if (!owner)
		return;
	sock_put(sk);
	if (refcount_inc_not_zero(&s->refcnt) &&
	    !queue_work(s2svpn_wq, &s->detach_work))
		s2svpn_sock_put(s);
}

/**
 * s2svpn_sock_check - is @sk still s2svpn's, and open?
 * @s: the s2svpn socket
 * @sk: its socket, as read by the caller
 *
 * The owner of a daemon's socket may take it back with setsockopt(UDP_ENCAP):
 * the kernel then installs xfrm's encap_rcv (with encapsulation type 0 on
 * 6.1), and a later close never calls s2svpn_sock_encap_destroy(). Such a
 * socket is let go of as if it had closed, when a packet would use it.
 *
 * Context: BH disabled, RCU read section.
 * Return: true if @sk may carry the tunnel's packets.
 */
bool s2svpn_sock_check(struct s2svpn_sock *s, struct sock *sk)
{
	if (likely(READ_ONCE(udp_sk(sk)->encap_rcv) == s2svpn_sock_encap_rcv &&
		   !sock_flag(sk, SOCK_DEAD)))
		return true;
	s2svpn_sock_gone(s, sk);
	return false;
}

/* Called by UDP when the socket closes (process context). */
static void s2svpn_sock_encap_destroy(struct sock *sk)
{
	struct s2svpn_sock *s;

	rcu_read_lock();
	s = s2svpn_sock_of(sk);
	if (s && !refcount_inc_not_zero(&s->refcnt))
		s = NULL;
	rcu_read_unlock();
	if (!s)
		return;
	s2svpn_sock_gone(s, sk);
	s2svpn_sock_put(s);
}

static struct s2svpn_sock *s2svpn_sock_alloc(struct sock *sk)
{
	struct s2svpn_sock *s;

	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return NULL;
	sock_hold(sk);
	s->sk = sk;
	s->net = sock_net(sk);
	s->family = sk->sk_family;
	s->ipv6only = sk->sk_family == AF_INET6 && sk->sk_ipv6only;
	s->port = ntohs(inet_sk(sk)->inet_sport);
	refcount_set(&s->refcnt, 1);
	spin_lock_init(&s->lock);
	INIT_LIST_HEAD(&s->knode);
	INIT_WORK(&s->detach_work, s2svpn_sock_detach_work);
	return s;
}

static void s2svpn_sock_setup(struct socket *sock, struct s2svpn_sock *s)
{
	struct udp_tunnel_sock_cfg cfg = {
		.sk_user_data = s,
		.encap_type = UDP_ENCAP_ESPINUDP,
		.encap_rcv = s2svpn_sock_encap_rcv,
		.encap_destroy = s2svpn_sock_encap_destroy,
	};

	setup_udp_tunnel_sock(sock_net(sock->sk), sock, &cfg);
}

/**
 * s2svpn_sock_from_fd - use the caller's UDP socket
 * @fd: a bound UDP socket of the calling process
 * @extack: for errors
 *
 * The socket is shared by every tunnel that names it; the caller keeps it
 * open (s2svpn holds no file reference).
 *
 * Return: a reference to the s2svpn socket, or an ERR_PTR().
 */
struct s2svpn_sock *s2svpn_sock_from_fd(int fd, struct netlink_ext_ack *extack)
{
	struct s2svpn_sock *s;
	struct socket *sock;
	struct sock *sk;
	int err;

	sock = sockfd_lookup(fd, &err);
	if (!sock) {
		NL_SET_ERR_MSG(extack, "socket fd is not an open socket of the caller");
		return ERR_PTR(err);
	}
	sk = sock->sk;
	if (sk->sk_protocol != IPPROTO_UDP || sk->sk_type != SOCK_DGRAM ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)) {
		NL_SET_ERR_MSG(extack, "socket fd is not a UDP socket");
		s = ERR_PTR(-EINVAL);
		goto out;
	}

	lock_sock(sk);
	if (!inet_sk(sk)->inet_num) {
		NL_SET_ERR_MSG(extack, "UDP socket is not bound: bind it (port 4500) first");
		s = ERR_PTR(-EINVAL);
		goto unlock;
	}
	if (READ_ONCE(udp_sk(sk)->encap_type) || READ_ONCE(sk->sk_user_data)) {
		rcu_read_lock();
		s = s2svpn_sock_of(sk);
		if (!s || READ_ONCE(s->sk) != sk || !refcount_inc_not_zero(&s->refcnt)) {
			NL_SET_ERR_MSG(extack,
				       "UDP socket already used by another encapsulation (xfrm?)");
			s = ERR_PTR(-EBUSY);
		}
		rcu_read_unlock();
		goto unlock;
	}
	s = s2svpn_sock_alloc(sk);
	if (!s) {
		s = ERR_PTR(-ENOMEM);
		goto unlock;
	}
	s2svpn_sock_setup(sock, s);
unlock:
	release_sock(sk);
out:
	sockfd_put(sock);
	return s;
}

/**
 * s2svpn_sock_kernel - a socket of s2svpn's own, for static keying
 * @net: namespace to open it in
 * @family: AF_INET, or AF_INET6 (IPv6 only)
 * @port: local port
 * @extack: for errors
 *
 * Tunnels naming the same family and port share one socket.
 *
 * Return: a reference to the s2svpn socket, or an ERR_PTR().
 */
struct s2svpn_sock *s2svpn_sock_kernel(struct net *net, sa_family_t family,
				       u16 port, struct netlink_ext_ack *extack)
{
	struct udp_port_cfg cfg = {
		.family = family,
		.local_udp_port = htons(port),
		.ipv6_v6only = family == AF_INET6,
	};
	struct s2svpn_sock *s;
	struct socket *sock;
	int err;

	mutex_lock(&s2svpn_ksock_lock);
	list_for_each_entry(s, &s2svpn_ksocks, knode)
		if (net_eq(s->net, net) && s->family == family &&
		    s->port == port && refcount_inc_not_zero(&s->refcnt))
			goto out;

	err = udp_sock_create(net, &cfg, &sock);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot open a UDP socket on the listen port (in use?)");
		s = ERR_PTR(err);
		goto out;
	}
	s = s2svpn_sock_alloc(sock->sk);
	if (!s) {
		udp_tunnel_sock_release(sock);
		s = ERR_PTR(-ENOMEM);
		goto out;
	}
	s->ksock = sock;
	s->kernel = true;
	s2svpn_sock_setup(sock, s);
	list_add(&s->knode, &s2svpn_ksocks);
out:
	mutex_unlock(&s2svpn_ksock_lock);
	return s;
}

void s2svpn_sock_hold(struct s2svpn_sock *s)
{
	refcount_inc(&s->refcnt);
}

/* Hand a socket that is still open back to plain UDP. */
static void s2svpn_sock_unset(struct sock *sk)
{
	lock_sock(sk);
	WRITE_ONCE(udp_sk(sk)->encap_rcv, NULL);
	WRITE_ONCE(udp_sk(sk)->encap_destroy, NULL);
	WRITE_ONCE(udp_sk(sk)->encap_type, 0);
	rcu_assign_sk_user_data(sk, NULL);
	release_sock(sk);
}

/**
 * s2svpn_sock_put - drop a reference
 * @s: the socket
 *
 * The last reference hands a daemon's socket back to plain UDP, or closes a
 * socket of s2svpn's own.
 *
 * Context: process context, may sleep.
 */
void s2svpn_sock_put(struct s2svpn_sock *s)
{
	struct socket *ksock;
	struct sock *sk;

	might_sleep();
	if (!refcount_dec_and_test(&s->refcnt))
		return;

	spin_lock_bh(&s->lock);
	sk = s->sk;
	WRITE_ONCE(s->sk, NULL);
	spin_unlock_bh(&s->lock);

	mutex_lock(&s2svpn_ksock_lock);
	ksock = s->ksock;
	s->ksock = NULL;
	list_del_init(&s->knode);
	mutex_unlock(&s2svpn_ksock_lock);

	if (sk) {
		if (!ksock)
			s2svpn_sock_unset(sk);
		sock_put(sk);
	}
	if (ksock)
		udp_tunnel_sock_release(ksock);
	kfree_rcu(s, rcu);
}

/**
 * s2svpn_sock_net_exit - close s2svpn's own sockets in a dying namespace
 * @net: the namespace
 *
 * Tunnels elsewhere that used them are detached, as if a daemon had closed
 * its socket.
 */
void s2svpn_sock_net_exit(struct net *net)
{
	struct s2svpn_sock *s, *tmp;
	LIST_HEAD(dying);

	mutex_lock(&s2svpn_ksock_lock);
	list_for_each_entry_safe(s, tmp, &s2svpn_ksocks, knode) {
		if (!net_eq(s->net, net) || !refcount_inc_not_zero(&s->refcnt))
			continue;
		list_move(&s->knode, &dying);
	}
	mutex_unlock(&s2svpn_ksock_lock);

	list_for_each_entry_safe(s, tmp, &dying, knode) {
		struct socket *ksock;
		struct sock *sk;

		mutex_lock(&s2svpn_ksock_lock);
		list_del_init(&s->knode);
		ksock = s->ksock;
		s->ksock = NULL;
		mutex_unlock(&s2svpn_ksock_lock);

		spin_lock_bh(&s->lock);
		sk = s->sk;
		spin_unlock_bh(&s->lock);
		if (sk)
			s2svpn_sock_gone(s, sk);
		/*
		 * Detach now: until then the tunnels' SAs stay hashed under a
		 * key naming this namespace, which a new one may soon reuse.
		 */
		flush_work(&s->detach_work);
		if (ksock)
			udp_tunnel_sock_release(ksock);
		s2svpn_sock_put(s);
	}
}

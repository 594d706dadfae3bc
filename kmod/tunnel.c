// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn: tunnels, the two paths of one VPN connection.
 *
 * Everything here runs under the device's configuration lock and publishes
 * with rcu_assign_pointer() for the data path, which only reads.
 */

#include <linux/slab.h>

#include "device.h"
#include "netlink.h"
#include "sa.h"
#include "socket.h"
#include "tunnel.h"

#define s2svpn_deref(s2, p) rcu_dereference_protected(p, lockdep_is_held(&(s2)->lock))

static void s2svpn_tunnel_free_rcu(struct rcu_head *rcu)
{
	struct s2svpn_tunnel *t = container_of(rcu, struct s2svpn_tunnel, rcu);

	kfree(rcu_dereference_protected(t->cfg, true));
	dst_cache_destroy(&t->dst_cache);
	free_percpu(t->stats);
	netdev_put(t->s2->dev, &t->dev_tracker);
	kfree(t);
}

/**
 * s2svpn_tunnel_put - drop a reference
 * @t: the tunnel; the last reference frees it after an RCU grace period
 */
void s2svpn_tunnel_put(struct s2svpn_tunnel *t)
{
	if (refcount_dec_and_test(&t->refcnt))
		call_rcu(&t->rcu, s2svpn_tunnel_free_rcu);
}

static struct s2svpn_tunnel *s2svpn_tunnel_new(struct s2svpn_dev *s2, u8 id)
{
	struct s2svpn_tunnel *t;

	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return NULL;
	t->stats = alloc_percpu_gfp(struct s2svpn_pcpu_stats, GFP_KERNEL_ACCOUNT);
	if (!t->stats)
		goto free;
	if (dst_cache_init(&t->dst_cache, GFP_KERNEL_ACCOUNT))
		goto free_stats;
	t->s2 = s2;
	t->id = id;
	refcount_set(&t->refcnt, 1);
	netdev_hold(s2->dev, &t->dev_tracker, GFP_KERNEL);
	return t;

free_stats:
	free_percpu(t->stats);
free:
	kfree(t);
	return NULL;
}

static void s2svpn_tunnel_unhash_in(struct s2svpn_tunnel *t)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(t->sa_in); i++) {
		struct s2svpn_sa *sa = s2svpn_deref(t->s2, t->sa_in[i]);

		if (sa)
			s2svpn_sa_unhash(sa);
	}
}

/* Make the inbound SAs findable by packets arriving in @net, or fail. */
static int s2svpn_tunnel_hash_in(struct s2svpn_tunnel *t, const struct net *net,
				 struct netlink_ext_ack *extack)
{
	struct s2svpn_sa *sas[ARRAY_SIZE(t->sa_in)];
	int i;

	for (i = 0; i < ARRAY_SIZE(t->sa_in); i++)
		sas[i] = s2svpn_deref(t->s2, t->sa_in[i]);
	return s2svpn_sa_rehash(sas, ARRAY_SIZE(sas), net, extack);
}

/* Move the tunnel to @sock, taking over the caller's reference on success. */
static int s2svpn_tunnel_set_sock(struct s2svpn_tunnel *t,
				  struct s2svpn_sock *sock,
				  struct netlink_ext_ack *extack)
{
	struct s2svpn_sock *old = s2svpn_deref(t->s2, t->sock);
	int err;

	if (old == sock) {
		/* The tunnel holds a reference already. */
		s2svpn_sock_put(sock);
		return 0;
	}
	if (!old || !net_eq(old->net, sock->net)) {
		/* All or none: on error the SAs stay hashed where they were. */
		err = s2svpn_tunnel_hash_in(t, sock->net, extack);
		if (err)
			return err;
	}
	rcu_assign_pointer(t->sock, sock);
	dst_cache_reset(&t->dst_cache);
	if (old)
		s2svpn_sock_put(old);
	return 0;
}

/**
 * s2svpn_tunnel_set - create or update a tunnel
 * @s2: the device
 * @id: tunnel id
 * @cfg: new addresses (the tunnel takes ownership), or NULL to keep them
 * @sock: new socket (the tunnel takes the reference), or NULL to keep it;
 *	a new tunnel needs both
 * @extack: for errors
 *
 * Context: @s2->lock held.
 * Return: 0 or an error; on error @cfg and @sock still belong to the caller.
 */
int s2svpn_tunnel_set(struct s2svpn_dev *s2, u8 id,
		      struct s2svpn_tunnel_cfg *cfg, struct s2svpn_sock *sock,
		      struct netlink_ext_ack *extack)
{
	struct s2svpn_tunnel *t = s2svpn_deref(s2, s2->tunnels[id]);
	struct s2svpn_tunnel_cfg *old_cfg;
	bool created = false;
	int err;

	lockdep_assert_held(&s2->lock);
	if (!t) {
		if (!cfg || !sock) {
			NL_SET_ERR_MSG(extack, "a new tunnel needs a remote address and a socket");
			return -EINVAL;
		}
		t = s2svpn_tunnel_new(s2, id);
		if (!t)
			return -ENOMEM;
		created = true;
	}
	if (sock) {
		err = s2svpn_tunnel_set_sock(t, sock, extack);
		if (err) {
			if (created)
				s2svpn_tunnel_put(t);
			return err;
		}
	}
	if (cfg) {
		old_cfg = s2svpn_deref(s2, t->cfg);
		rcu_assign_pointer(t->cfg, cfg);
		dst_cache_reset(&t->dst_cache);
		if (old_cfg)
			kfree_rcu(old_cfg, rcu);
	}
	if (created)
		rcu_assign_pointer(s2->tunnels[id], t);
	s2svpn_tunnels_update_state(s2);
	return 0;
}

/**
 * s2svpn_tunnel_destroy - release what an unpublished tunnel holds
 * @t: the tunnel, already removed from its device slot
 *
 * Context: the device lock held. Drops the slot's reference.
 */
void s2svpn_tunnel_destroy(struct s2svpn_tunnel *t)
{
	struct s2svpn_dev *s2 = t->s2;
	struct s2svpn_sock *sock;
	struct s2svpn_sa *sa;
	int i;

	lockdep_assert_held(&s2->lock);
	sa = s2svpn_deref(s2, t->sa_out);
	RCU_INIT_POINTER(t->sa_out, NULL);
	if (sa)
		s2svpn_sa_put_slot(sa);
	for (i = 0; i < ARRAY_SIZE(t->sa_in); i++) {
		sa = s2svpn_deref(s2, t->sa_in[i]);
		RCU_INIT_POINTER(t->sa_in[i], NULL);
		if (sa) {
			s2svpn_sa_unhash(sa);
			s2svpn_sa_put_slot(sa);
		}
	}
	sock = s2svpn_deref(s2, t->sock);
	RCU_INIT_POINTER(t->sock, NULL);
	if (sock)
		s2svpn_sock_put(sock);
	s2svpn_tunnel_put(t);
}

/**
 * s2svpn_tunnel_del - delete a tunnel with its SAs
 * @s2: the device
 * @id: tunnel id
 * @extack: for errors
 *
 * Context: @s2->lock held.
 * Return: 0 or -ENOENT.
 */
int s2svpn_tunnel_del(struct s2svpn_dev *s2, u8 id, struct netlink_ext_ack *extack)
{
	struct s2svpn_tunnel *t = s2svpn_deref(s2, s2->tunnels[id]);

	if (!t) {
		NL_SET_ERR_MSG(extack, "no such tunnel on the device");
		return -ENOENT;
	}
	RCU_INIT_POINTER(s2->tunnels[id], NULL);
	if (t->usable)
		s2svpn_nl_notify_tunnel_state(t, false);
	s2svpn_tunnel_destroy(t);
	s2svpn_tunnels_update_state(s2);
	return 0;
}

/**
 * s2svpn_tunnel_sa_add - install an SA
 * @t: the tunnel
 * @sa: the SA; the tunnel takes the caller's reference on success
 * @extack: for errors
 *
 * An outbound SA replaces the previous one at once (the make-before-break
 * switch of a rekey). An inbound SA becomes the current one and the current
 * one the previous; a tunnel holds two inbound SAs at most.
 *
 * Context: the device lock held.
 * Return: 0, -ENOSPC (two inbound SAs already) or -EEXIST (SPI in use).
 */
int s2svpn_tunnel_sa_add(struct s2svpn_tunnel *t, struct s2svpn_sa *sa,
			 struct netlink_ext_ack *extack)
{
	struct s2svpn_dev *s2 = t->s2;
	struct s2svpn_sa *cur, *prev;
	struct s2svpn_sock *sock;
	int err;

	lockdep_assert_held(&s2->lock);
	if (sa->dir == S2SVPN_DIR_OUT) {
		prev = s2svpn_deref(s2, t->sa_out);
		rcu_assign_pointer(t->sa_out, sa);
		if (prev)
			s2svpn_sa_put_slot(prev);
		s2svpn_tunnels_update_state(s2);
		return 0;
	}

	cur = s2svpn_deref(s2, t->sa_in[0]);
	prev = s2svpn_deref(s2, t->sa_in[1]);
	if ((cur && cur->key.spi == sa->key.spi) ||
	    (prev && prev->key.spi == sa->key.spi)) {
		NL_SET_ERR_MSG(extack, "inbound SPI already in use on this tunnel");
		return -EEXIST;
	}
	if (cur && prev) {
		NL_SET_ERR_MSG(extack,
			       "tunnel has two inbound SAs already: delete the previous one first");
		return -ENOSPC;
	}
	sock = s2svpn_deref(s2, t->sock);
	if (sock) {
		err = s2svpn_sa_hash(sa, sock->net);
		if (err) {
			NL_SET_ERR_MSG(extack,
				       "inbound SPI already in use in this network namespace");
			return err;
		}
	}
	rcu_assign_pointer(t->sa_in[1], cur);
	rcu_assign_pointer(t->sa_in[0], sa);
	return 0;
}

/* Remove @sa from whichever slot holds it; the slot's reference is put. */
static bool s2svpn_tunnel_sa_unlink(struct s2svpn_tunnel *t, struct s2svpn_sa *sa)
{
	struct s2svpn_dev *s2 = t->s2;

	if (sa == s2svpn_deref(s2, t->sa_out)) {
		RCU_INIT_POINTER(t->sa_out, NULL);
	} else if (sa == s2svpn_deref(s2, t->sa_in[0])) {
		/* The previous SA becomes the current one. */
		rcu_assign_pointer(t->sa_in[0], s2svpn_deref(s2, t->sa_in[1]));
		RCU_INIT_POINTER(t->sa_in[1], NULL);
	} else if (sa == s2svpn_deref(s2, t->sa_in[1])) {
		RCU_INIT_POINTER(t->sa_in[1], NULL);
	} else {
		return false;
	}
	s2svpn_sa_unhash(sa);
	s2svpn_sa_put_slot(sa);
	s2svpn_tunnels_update_state(s2);
	return true;
}

/**
 * s2svpn_tunnel_sa_del - delete an SA by direction and SPI
 * @t: the tunnel
 * @dir: S2SVPN_DIR_IN or S2SVPN_DIR_OUT
 * @spi: SPI, network order
 * @extack: for errors
 *
 * Context: the device lock held.
 * Return: 0 or -ENOENT.
 */
int s2svpn_tunnel_sa_del(struct s2svpn_tunnel *t, u8 dir, __be32 spi,
			 struct netlink_ext_ack *extack)
{
	struct s2svpn_dev *s2 = t->s2;
	struct s2svpn_sa *sa;
	int i;

	lockdep_assert_held(&s2->lock);
	if (dir == S2SVPN_DIR_OUT) {
		sa = s2svpn_deref(s2, t->sa_out);
		if (sa && sa->key.spi == spi && s2svpn_tunnel_sa_unlink(t, sa))
			return 0;
	} else {
		for (i = 0; i < ARRAY_SIZE(t->sa_in); i++) {
			sa = s2svpn_deref(s2, t->sa_in[i]);
			if (sa && sa->key.spi == spi && s2svpn_tunnel_sa_unlink(t, sa))
				return 0;
		}
	}
	NL_SET_ERR_MSG(extack, "no SA with that SPI and direction on the tunnel");
	return -ENOENT;
}

/**
 * s2svpn_tunnel_sa_remove - remove a hard-expired SA if still installed
 * @t: the tunnel
 * @sa: the SA
 *
 * Context: the device lock held.
 */
void s2svpn_tunnel_sa_remove(struct s2svpn_tunnel *t, struct s2svpn_sa *sa)
{
	lockdep_assert_held(&t->s2->lock);
	s2svpn_tunnel_sa_unlink(t, sa);
}

/**
 * s2svpn_tunnel_sock_detach - the tunnel's socket closed
 * @t: the tunnel
 * @sock: its socket
 *
 * The inbound SAs stay installed but unhashed until a new socket comes.
 *
 * Context: the device lock held.
 */
void s2svpn_tunnel_sock_detach(struct s2svpn_tunnel *t, struct s2svpn_sock *sock)
{
	lockdep_assert_held(&t->s2->lock);
	RCU_INIT_POINTER(t->sock, NULL);
	s2svpn_tunnel_unhash_in(t);
	dst_cache_reset(&t->dst_cache);
	s2svpn_nl_notify_sock_detach(t);
	s2svpn_sock_put(sock);
}

static bool s2svpn_tunnel_is_usable(struct s2svpn_tunnel *t)
{
	struct s2svpn_dev *s2 = t->s2;
	struct s2svpn_sock *sock = s2svpn_deref(s2, t->sock);
	struct s2svpn_sa *sa = s2svpn_deref(s2, t->sa_out);

	return sock && READ_ONCE(sock->sk) && sa &&
	       !test_bit(S2SVPN_SA_HARD, &sa->flags);
}

/**
 * s2svpn_tunnels_update_state - recompute which tunnels can send
 * @s2: the device
 *
 * A tunnel is usable with a socket and a live outbound SA; the carrier is on
 * while one is. Changes are announced on the events group.
 *
 * Context: @s2->lock held.
 */
void s2svpn_tunnels_update_state(struct s2svpn_dev *s2)
{
	bool any = false;
	int i;

	lockdep_assert_held(&s2->lock);
	for (i = 0; i < S2SVPN_TUNNELS; i++) {
		struct s2svpn_tunnel *t = s2svpn_deref(s2, s2->tunnels[i]);
		bool usable;

		if (!t)
			continue;
		usable = s2svpn_tunnel_is_usable(t);
		if (usable != t->usable) {
			WRITE_ONCE(t->usable, usable);
			s2svpn_nl_notify_tunnel_state(t, usable);
		}
		any |= usable;
	}
	if (any)
		netif_carrier_on(s2->dev);
	else
		netif_carrier_off(s2->dev);
}

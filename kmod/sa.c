// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn: security associations and the inbound SPI table.
 *
 * Inbound SAs are found by (namespace of the receiving socket, SPI) in one
 * RCU hash table, so that SPIs are unique per namespace. An SA is hashed
 * while its tunnel has a socket. SAs are reference counted and freed after
 * an RCU grace period, in process context (crypto_free_aead()).
 */

#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/ktime.h>

#include "chapoly.h"
#include "crypto.h"
#include "device.h"
#include "main.h"
#include "netlink.h"
#include "replay.h"
#include "sa.h"
#include "tunnel.h"

/* Soft expiry this many sequence numbers before the space runs out. */
#define S2SVPN_SEQ_SOFT_MARGIN	BIT_ULL(16)

static const struct rhashtable_params s2svpn_sa_ht_params = {
	/* Not sizeof: the tail padding is not part of the key. */
	.key_len	= offsetofend(struct s2svpn_sa_key, spi),
	.key_offset	= offsetof(struct s2svpn_sa, key),
	.head_offset	= offsetof(struct s2svpn_sa, node),
	.automatic_shrinking = true,
};

static struct rhashtable s2svpn_sa_table;
/*
 * Serializes insertions, so that s2svpn_sa_rehash() can check that SPIs
 * are free and then take them. Taken inside device locks.
 */
static DEFINE_MUTEX(s2svpn_sa_hash_lock);

static void s2svpn_sa_free_work(struct work_struct *work)
{
	struct s2svpn_sa *sa = container_of(to_rcu_work(work), struct s2svpn_sa,
					    free_work);

	crypto_free_aead(sa->tfm);
	s2svpn_chapoly_free(sa->chapoly);
	kfree(sa->replay);
	s2svpn_tunnel_put(sa->tunnel);
	kfree(sa);
}

/**
 * s2svpn_sa_put - drop a reference
 * @sa: the SA
 *
 * The last one frees it once RCU readers are done with it.
 */
void s2svpn_sa_put(struct s2svpn_sa *sa)
{
	if (refcount_dec_and_test(&sa->refcnt)) {
		DEBUG_NET_WARN_ON_ONCE(sa->hashed);
		queue_rcu_work(s2svpn_wq, &sa->free_work);
	}
}

static void s2svpn_sa_put_slot_rcu(struct rcu_head *head)
{
	s2svpn_sa_put(container_of(head, struct s2svpn_sa, slot_rcu));
}

/**
 * s2svpn_sa_put_slot - drop the reference of the tunnel slot it just left
 * @sa: the SA, no longer reachable from its tunnel
 *
 * A CPU that read the slot under RCU just before may still take a
 * reference for asynchronous crypto: the slot's reference outlives every
 * such reader, or a make-before-break switch would drop the packets that
 * raced with it instead of sending them with the SA they started with.
 * Every slot reference is dropped here. An SA enters a tunnel once and
 * leaves it once (moving from sa_in[0] to sa_in[1] keeps the reference),
 * so @sa->slot_rcu is queued at most once.
 *
 * Context: the device lock held (the SA was just unpublished under it).
 */
void s2svpn_sa_put_slot(struct s2svpn_sa *sa)
{
	call_rcu(&sa->slot_rcu, s2svpn_sa_put_slot_rcu);
}

/* Soft and hard expiry have a work item each: one never hides the other. */
static void s2svpn_sa_soft_work(struct work_struct *work)
{
	struct s2svpn_sa *sa = container_of(work, struct s2svpn_sa, soft_work);

	s2svpn_nl_notify_sa_expire(sa, false, READ_ONCE(sa->soft_reason));
	s2svpn_sa_put(sa);
}

static void s2svpn_sa_hard_work(struct work_struct *work)
{
	struct s2svpn_sa *sa = container_of(work, struct s2svpn_sa, hard_work);
	struct s2svpn_dev *s2 = sa->tunnel->s2;

	s2svpn_nl_notify_sa_expire(sa, true, READ_ONCE(sa->hard_reason));
	mutex_lock(&s2->lock);
	/* An unregistered device has let go of its SAs already. */
	if (!s2->dead)
		s2svpn_tunnel_sa_remove(sa->tunnel, sa);
	mutex_unlock(&s2->lock);
	s2svpn_sa_put(sa);
}

/**
 * s2svpn_sa_expire - a limit was reached
 * @sa: the SA
 * @hard: hard limit: the SA is unusable from now on and removed
 * @reason: enum s2svpn_expire_reason
 *
 * Safe in any context: the event and the removal happen in a work item.
 * Each kind of expiry is reported once, with the reason of the first limit
 * of its kind reached.
 */
void s2svpn_sa_expire(struct s2svpn_sa *sa, bool hard, u8 reason)
{
	int bit = hard ? S2SVPN_SA_HARD : S2SVPN_SA_SOFT;

	/* Test first: every packet after the soft limit comes here. */
	if (test_bit(bit, &sa->flags) || test_and_set_bit(bit, &sa->flags))
		return;
	if (hard) {
		WRITE_ONCE(sa->hard_reason, reason);
		if (s2svpn_sa_hold(sa) && !queue_work(s2svpn_wq, &sa->hard_work))
			s2svpn_sa_put(sa);
	} else {
		WRITE_ONCE(sa->soft_reason, reason);
		if (s2svpn_sa_hold(sa) && !queue_work(s2svpn_wq, &sa->soft_work))
			s2svpn_sa_put(sa);
	}
}

/* The transform, or the ChaCha20-Poly1305 library key, and the ICV length. */
static int s2svpn_sa_crypto_init(struct s2svpn_sa *sa,
				 const struct s2svpn_crypto_params *cp,
				 struct netlink_ext_ack *extack)
{
	int err;

	if (s2svpn_crypto_lib(cp)) {
		err = s2svpn_crypto_check(cp, extack);
		if (err)
			return err;
		sa->chapoly = s2svpn_chapoly_new(cp);
		if (!sa->chapoly)
			return -ENOMEM;
		sa->icv_len = S2SVPN_CHAPOLY_ICV_LEN;
		return 0;
	}
	sa->tfm = s2svpn_crypto_tfm_new(cp, extack);
	if (IS_ERR(sa->tfm)) {
		err = PTR_ERR(sa->tfm);
		sa->tfm = NULL;
		return err;
	}
	sa->icv_len = crypto_aead_authsize(sa->tfm);
	return 0;
}

/**
 * s2svpn_sa_new - create an SA for a tunnel (not installed yet)
 * @tunnel: the tunnel; the SA takes a reference
 * @p: SPI, direction, window, limits
 * @cp: algorithm and keys
 * @extack: for errors
 *
 * Return: the SA with one reference, or an ERR_PTR().
 */
struct s2svpn_sa *s2svpn_sa_new(struct s2svpn_tunnel *tunnel,
				const struct s2svpn_sa_params *p,
				const struct s2svpn_crypto_params *cp,
				struct netlink_ext_ack *extack)
{
	struct s2svpn_sa *sa;
	int err, i;

	sa = kzalloc(sizeof(*sa), GFP_KERNEL_ACCOUNT);
	if (!sa)
		return ERR_PTR(-ENOMEM);

	err = s2svpn_sa_crypto_init(sa, cp, extack);
	if (err)
		goto free;
	if (p->dir == S2SVPN_DIR_IN) {
		sa->replay = s2svpn_replay_alloc(p->replay_window, GFP_KERNEL_ACCOUNT);
		if (!sa->replay) {
			err = -ENOMEM;
			goto free;
		}
	}

	refcount_set(&sa->refcnt, 1);
	s2svpn_tunnel_hold(tunnel);
	sa->tunnel = tunnel;
	sa->key.spi = p->spi;
	sa->dir = p->dir;
	sa->esn = cp->esn;
	sa->alg = cp->alg;
	sa->seq_max = cp->esn ? U64_MAX : U32_MAX;
	atomic64_set(&sa->seq, p->seq);
	sa->soft_bytes = p->soft_bytes;
	sa->hard_bytes = p->hard_bytes;
	sa->soft_packets = p->soft_packets;
	sa->hard_packets = p->hard_packets;
	atomic64_set(&sa->packets, 0);
	atomic64_set(&sa->bytes, 0);
	for (i = 0; i < S2SVPN_DROP_MAX; i++)
		atomic64_set(&sa->drops[i], 0);
	INIT_WORK(&sa->soft_work, s2svpn_sa_soft_work);
	INIT_WORK(&sa->hard_work, s2svpn_sa_hard_work);
	INIT_RCU_WORK(&sa->free_work, s2svpn_sa_free_work);
	sa->created = ktime_get_real_seconds();
	return sa;

free:
	crypto_free_aead(sa->tfm);
	s2svpn_chapoly_free(sa->chapoly);
	kfree(sa);
	return ERR_PTR(err);
}

static int s2svpn_sa_insert(struct s2svpn_sa *sa, const struct net *net)
{
	int err;

	lockdep_assert_held(&s2svpn_sa_hash_lock);
	sa->key.net = net;
	err = rhashtable_lookup_insert_fast(&s2svpn_sa_table, &sa->node,
					    s2svpn_sa_ht_params);
	if (err)
		return err;
	sa->hashed = true;
	return 0;
}

/**
 * s2svpn_sa_hash - make an inbound SA findable by packets received in @net
 * @sa: the SA, not hashed
 * @net: namespace of the tunnel's socket
 *
 * Context: the tunnel's device lock.
 * Return: 0, or -EEXIST if the SPI is taken in @net.
 */
int s2svpn_sa_hash(struct s2svpn_sa *sa, const struct net *net)
{
	int err;

	lockdep_assert_held(&sa->tunnel->s2->lock);
	mutex_lock(&s2svpn_sa_hash_lock);
	err = s2svpn_sa_insert(sa, net);
	mutex_unlock(&s2svpn_sa_hash_lock);
	return err;
}

/**
 * s2svpn_sa_rehash - move inbound SAs to the SPI space of @net, all or none
 * @sas: the SAs (NULL entries skipped), hashed or not, of one tunnel
 * @n: number of entries
 * @net: namespace of the tunnel's new socket
 * @extack: for errors
 *
 * Another device may take an SPI at any time: the SPIs are checked and
 * taken under one lock, and the SAs stay where they were on error.
 *
 * Context: the tunnel's device lock.
 * Return: 0, -EEXIST if an SPI is taken in @net, or an rhashtable error
 * (the SAs are then back where they were, or unhashed if even that failed).
 */
int s2svpn_sa_rehash(struct s2svpn_sa **sas, unsigned int n,
		     const struct net *net, struct netlink_ext_ack *extack)
{
	const struct net *was[2] = {};
	unsigned int i, j;
	int err = 0;

	if (WARN_ON_ONCE(n > ARRAY_SIZE(was)))
		return -EINVAL;
	mutex_lock(&s2svpn_sa_hash_lock);
	for (i = 0; i < n; i++) {
		struct s2svpn_sa *other;

		if (!sas[i])
			continue;
		rcu_read_lock();
		other = s2svpn_sa_lookup(net, sas[i]->key.spi);
		rcu_read_unlock();
		for (j = 0; other && j < n; j++)
			if (other == sas[j])
				other = NULL;
		if (other) {
			NL_SET_ERR_MSG(extack,
				       "an inbound SPI of the tunnel is in use in the socket's netns");
			err = -EEXIST;
			goto unlock;
		}
	}
	for (i = 0; i < n; i++) {
		if (!sas[i] || !sas[i]->hashed)
			continue;
		was[i] = sas[i]->key.net;
		s2svpn_sa_unhash(sas[i]);
	}
	for (i = 0; i < n; i++) {
		if (!sas[i])
			continue;
		err = s2svpn_sa_insert(sas[i], net);
		if (err)
			break;
	}
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot hash the tunnel's inbound SAs");
		for (i = 0; i < n; i++) {
			if (!sas[i])
				continue;
			s2svpn_sa_unhash(sas[i]);
			if (was[i] && s2svpn_sa_insert(sas[i], was[i]))
				net_warn_ratelimited("s2svpn: inbound SA %08x left unhashed\n",
						     ntohl(sas[i]->key.spi));
		}
	}
unlock:
	mutex_unlock(&s2svpn_sa_hash_lock);
	return err;
}

/**
 * s2svpn_sa_unhash - stop finding an SA by its SPI
 * @sa: the SA; nothing happens if it is not hashed
 *
 * Context: the tunnel's device lock. Readers may still hold it until a grace
 * period passes; references keep it alive after that.
 */
void s2svpn_sa_unhash(struct s2svpn_sa *sa)
{
	lockdep_assert_held(&sa->tunnel->s2->lock);
	if (!sa->hashed)
		return;
	rhashtable_remove_fast(&s2svpn_sa_table, &sa->node, s2svpn_sa_ht_params);
	sa->hashed = false;
}

/**
 * s2svpn_sa_lookup - find the inbound SA of a received packet
 * @net: namespace of the receiving socket
 * @spi: SPI from the ESP header
 *
 * Context: rcu_read_lock(); no reference is taken.
 * Return: the SA or NULL.
 */
struct s2svpn_sa *s2svpn_sa_lookup(const struct net *net, __be32 spi)
{
	struct s2svpn_sa_key key = { .net = net, .spi = spi };

	return rhashtable_lookup(&s2svpn_sa_table, &key, s2svpn_sa_ht_params);
}

/**
 * s2svpn_sa_next_seq - take the next outbound sequence number
 * @sa: outbound SA
 * @seq: set to the sequence number
 *
 * The sequence space never wraps (RFC 4303 section 3.3.3): once exhausted
 * the SA is dead and expires hard.
 *
 * Return: 0 or -ENOSPC.
 */
int s2svpn_sa_next_seq(struct s2svpn_sa *sa, u64 *seq)
{
	s64 old = atomic64_read(&sa->seq);
	u64 s;

	/*
	 * Compare and exchange: the counter never passes the limit, not even
	 * for a moment. An increment past it, pinned back afterwards, would
	 * let another CPU take the wrapped value (IV reuse under one key).
	 */
	do {
		if (unlikely((u64)old >= sa->seq_max)) {
			s2svpn_sa_expire(sa, true, S2SVPN_EXPIRE_SEQ);
			return -ENOSPC;
		}
	} while (!atomic64_try_cmpxchg(&sa->seq, &old, old + 1));
	s = (u64)old + 1;
	if (unlikely(sa->seq_max - s < S2SVPN_SEQ_SOFT_MARGIN))
		s2svpn_sa_expire(sa, false, S2SVPN_EXPIRE_SEQ);
	*seq = s;
	return 0;
}

/**
 * s2svpn_sa_account - count a packet against the SA's limits
 * @sa: the SA
 * @len: inner packet length
 *
 * Return: 0, or -EKEYEXPIRED if a hard limit is reached (the packet is
 * dropped).
 */
int s2svpn_sa_account(struct s2svpn_sa *sa, unsigned int len)
{
	u64 packets = atomic64_inc_return(&sa->packets);
	u64 bytes = atomic64_add_return(len, &sa->bytes);

	if (unlikely(test_bit(S2SVPN_SA_HARD, &sa->flags)))
		return -EKEYEXPIRED;
	if (unlikely(sa->hard_packets && packets > sa->hard_packets)) {
		s2svpn_sa_expire(sa, true, S2SVPN_EXPIRE_PACKETS);
		return -EKEYEXPIRED;
	}
	if (unlikely(sa->hard_bytes && bytes > sa->hard_bytes)) {
		s2svpn_sa_expire(sa, true, S2SVPN_EXPIRE_BYTES);
		return -EKEYEXPIRED;
	}
	if (unlikely(sa->soft_packets && packets >= sa->soft_packets))
		s2svpn_sa_expire(sa, false, S2SVPN_EXPIRE_PACKETS);
	else if (unlikely(sa->soft_bytes && bytes >= sa->soft_bytes))
		s2svpn_sa_expire(sa, false, S2SVPN_EXPIRE_BYTES);
	return 0;
}

/**
 * s2svpn_sa_drop - count a drop against the SA (the caller counts the tunnel)
 * @sa: the SA
 * @reason: why
 */
void s2svpn_sa_drop(struct s2svpn_sa *sa, enum s2svpn_drop reason)
{
	atomic64_inc(&sa->drops[reason]);
}

int s2svpn_sa_table_init(void)
{
	return rhashtable_init(&s2svpn_sa_table, &s2svpn_sa_ht_params);
}

void s2svpn_sa_table_exit(void)
{
	/* Every device, hence every SA, is gone by now. */
	rhashtable_destroy(&s2svpn_sa_table);
}

#if IS_ENABLED(CONFIG_S2SVPN_KUNIT_TEST)
#include "sa_test.c"
#endif

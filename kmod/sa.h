/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn: security associations and the inbound SPI table.
 */
#ifndef _S2SVPN_SA_H
#define _S2SVPN_SA_H

#include <crypto/aead.h>
#include <linux/netlink.h>
#include <linux/atomic.h>
#include <linux/refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "stats.h"

struct s2svpn_tunnel;
struct s2svpn_replay;
struct s2svpn_chapoly;
struct s2svpn_alg;

/**
 * struct s2svpn_sa_key - what an inbound SA is found by
 * @net: namespace of the socket the tunnel receives on
 * @spi: SPI in network order
 */
struct s2svpn_sa_key {
	const struct net *net;
	__be32 spi;
};

/* Bits of &struct s2svpn_sa.flags. */
enum {
	S2SVPN_SA_SOFT,		/* soft limit reached, event sent or queued */
	S2SVPN_SA_HARD,		/* hard limit reached: unusable, being removed */
};

/**
 * struct s2svpn_sa - one direction of a CHILD_SA
 * @node: in the SPI table while @hashed (inbound only)
 * @key: table key; @key.net is set when hashed
 * @hashed: in the table; changed under the table lock and the device lock
 * @refcnt: references: the tunnel's slot, in-flight async crypto, work
 * @tunnel: the tunnel it belongs to (referenced)
 * @dir: S2SVPN_DIR_IN or S2SVPN_DIR_OUT
 * @esn: 64-bit extended sequence numbers
 * @icv_len: ICV length
 * @alg: algorithm table entry
 * @tfm: keyed transform, or NULL when @chapoly is set
 * @chapoly: ChaCha20-Poly1305 library key (s2svpn_crypto_lib())
 * @seq: outbound: last sequence number used (the next is @seq + 1), never
 *	above @seq_max
 * @seq_max: outbound: last usable sequence number
 * @replay: inbound: anti-replay window
 * @soft_bytes: soft byte limit, 0 for none
 * @hard_bytes: hard byte limit
 * @soft_packets: soft packet limit
 * @hard_packets: hard packet limit
 * @packets: inner packets through this SA
 * @bytes: inner bytes through this SA
 * @drops: drops attributed to this SA, by reason
 * @flags: S2SVPN_SA_SOFT, S2SVPN_SA_HARD
 * @soft_reason: enum s2svpn_expire_reason of the soft limit reached
 * @hard_reason: enum s2svpn_expire_reason of the hard limit reached
 * @soft_work: sends the soft expire event
 * @hard_work: sends the hard expire event and removes the SA
 * @free_work: frees the SA after an RCU grace period, in process context
 * @slot_rcu: drops a tunnel slot's reference after an RCU grace period;
 *	queued once, when the SA leaves its tunnel (s2svpn_sa_put_slot())
 * @created: ktime_get_real_seconds() at creation
 */
struct s2svpn_sa {
	struct rhash_head node;
	struct s2svpn_sa_key key;
	bool hashed;
	refcount_t refcnt;
	struct s2svpn_tunnel *tunnel;
	u8 dir;
	bool esn;
	u8 icv_len;
	const struct s2svpn_alg *alg;
	struct crypto_aead *tfm;
	struct s2svpn_chapoly *chapoly;
	atomic64_t seq;
	u64 seq_max;
	struct s2svpn_replay *replay;
	u64 soft_bytes;
	u64 hard_bytes;
	u64 soft_packets;
	u64 hard_packets;
	atomic64_t packets;
	atomic64_t bytes;
	atomic64_t drops[S2SVPN_DROP_MAX];
	unsigned long flags;
	u8 soft_reason;
	u8 hard_reason;
	struct work_struct soft_work;
	struct work_struct hard_work;
	struct rcu_work free_work;
	struct rcu_head slot_rcu;
	time64_t created;
};

/**
 * struct s2svpn_sa_params - SA_NEW, decoded
 * @dir: direction
 * @spi: SPI, network order
 * @replay_window: inbound window size
 * @seq: outbound: first sequence number minus one
 * @soft_bytes: limits, 0 for none
 * @hard_bytes: see @soft_bytes
 * @soft_packets: see @soft_bytes
 * @hard_packets: see @soft_bytes
 */
struct s2svpn_sa_params {
	u8 dir;
	__be32 spi;
	u32 replay_window;
	u64 seq;
	u64 soft_bytes;
	u64 hard_bytes;
	u64 soft_packets;
	u64 hard_packets;
};

struct s2svpn_crypto_params;

struct s2svpn_sa *s2svpn_sa_new(struct s2svpn_tunnel *tunnel,
				const struct s2svpn_sa_params *p,
				const struct s2svpn_crypto_params *cp,
				struct netlink_ext_ack *extack);
void s2svpn_sa_put(struct s2svpn_sa *sa);
void s2svpn_sa_put_slot(struct s2svpn_sa *sa);
static inline bool s2svpn_sa_hold(struct s2svpn_sa *sa)
{
	return refcount_inc_not_zero(&sa->refcnt);
}

int s2svpn_sa_hash(struct s2svpn_sa *sa, const struct net *net);
void s2svpn_sa_unhash(struct s2svpn_sa *sa);
int s2svpn_sa_rehash(struct s2svpn_sa **sas, unsigned int n,
		     const struct net *net, struct netlink_ext_ack *extack);
struct s2svpn_sa *s2svpn_sa_lookup(const struct net *net, __be32 spi);

int s2svpn_sa_account(struct s2svpn_sa *sa, unsigned int len);
int s2svpn_sa_next_seq(struct s2svpn_sa *sa, u64 *seq);
void s2svpn_sa_drop(struct s2svpn_sa *sa, enum s2svpn_drop reason);
void s2svpn_sa_expire(struct s2svpn_sa *sa, bool hard, u8 reason);

int s2svpn_sa_table_init(void);
void s2svpn_sa_table_exit(void);

#endif /* _S2SVPN_SA_H */

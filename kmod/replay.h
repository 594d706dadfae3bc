/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn: anti-replay window (RFC 4303 section 3.4.3 and appendix A,
 * bitmap as in RFC 6479).
 */
#ifndef _S2SVPN_REPLAY_H
#define _S2SVPN_REPLAY_H

#include <linux/spinlock.h>
#include <linux/types.h>

/**
 * struct s2svpn_replay - receive window of an inbound SA
 * @lock: serializes @top and @bitmap; the only data path lock
 * @top: highest authenticated sequence number, 64 bits even without ESN;
 *	read under @lock too (a 64-bit load may tear on 32-bit hosts)
 * @size: window size in packets, 0 when anti-replay is off
 * @words: number of longs in @bitmap, a power of two
 * @bitmap: bit (seq & (@words * BITS_PER_LONG - 1)) set when seq was
 *	received; at least one long more than @size needs, so that advancing
 *	clears whole words (RFC 6479) and never a bit still inside the window
 */
struct s2svpn_replay {
	spinlock_t lock; /* see above */
	u64 top;
	u32 size;
	u32 words;
	unsigned long bitmap[];
};

struct s2svpn_replay *s2svpn_replay_alloc(u32 size, gfp_t gfp);
u64 s2svpn_replay_infer(struct s2svpn_replay *r, u32 seq_lo, bool esn);
u64 s2svpn_replay_top(struct s2svpn_replay *r);
int s2svpn_replay_check(struct s2svpn_replay *r, u64 seq);
int s2svpn_replay_check_lo(struct s2svpn_replay *r, u32 seq_lo, bool esn,
			   u64 *seq);
int s2svpn_replay_update(struct s2svpn_replay *r, u64 seq);

#endif /* _S2SVPN_REPLAY_H */

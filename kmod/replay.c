// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn: anti-replay window.
 *
 * The window is checked before decryption, so that replayed packets cost no
 * crypto, and updated only after authentication, so that forged packets
 * cannot move it (RFC 4303 section 3.4.3).
 */

#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/slab.h>

#include "replay.h"

/**
 * s2svpn_replay_alloc - allocate an empty window
 * @size: window size in packets, 0 (off) to S2SVPN_REPLAY_WINDOW_MAX
 * @gfp: allocation flags
 *
 * Return: the window or NULL.
 */
struct s2svpn_replay *s2svpn_replay_alloc(u32 size, gfp_t gfp)
{
	/* A power of two: positions are masks, never a 64-bit division. */
	u32 words = size ? roundup_pow_of_two(BITS_TO_LONGS(size) + 1) : 0;
	struct s2svpn_replay *r;

	r = kzalloc(struct_size(r, bitmap, words), gfp);
	if (!r)
		return NULL;
	spin_lock_init(&r->lock);
	r->size = size;
	r->words = words;
	return r;
}

/*
 * RFC 4303 appendix A.2.2: with ESN, the high 32 bits are those of the
 * window's top unless the low bits are far enough from it to say that the
 * sequence space wrapped (one more) or that the packet predates the wrap
 * (one less). The window reaches back @r->size packets (at least one, so that
 * the inference is defined with anti-replay off).
 *
 * Context: @r->lock held: a 64-bit @r->top may tear on 32-bit hosts.
 */
static u64 s2svpn_replay_infer_locked(const struct s2svpn_replay *r,
				      u32 seq_lo, bool esn)
{
	u64 top = r->top;
	u32 tl = lower_32_bits(top);
	u32 th = upper_32_bits(top);
	u32 w = max_t(u32, r->size, 1);

	if (!esn)
		return seq_lo;

	if (tl >= w - 1) {
		/* Window within one sub-space [tl - w + 1, tl]. */
		if (seq_lo >= tl - w + 1)
			return ((u64)th << 32) | seq_lo;
		/* Below the window: the next sub-space, unless at the top. */
		if (th == U32_MAX)
			return ((u64)th << 32) | seq_lo;
		return ((u64)(th + 1) << 32) | seq_lo;
	}
	/* Window spans two sub-spaces: [tl - w + 1 + 2^32, 2^32) and [0, tl]. */
	if (seq_lo >= tl - w + 1 && th > 0)
		return ((u64)(th - 1) << 32) | seq_lo;
	return ((u64)th << 32) | seq_lo;
}

/**
 * s2svpn_replay_infer - the full sequence number of a received packet
 * @r: the window
 * @seq_lo: the 32 bits on the wire
 * @esn: whether the SA uses extended sequence numbers
 *
 * Return: the 64-bit sequence number to authenticate and check.
 */
u64 s2svpn_replay_infer(struct s2svpn_replay *r, u32 seq_lo, bool esn)
{
	u64 seq;

	spin_lock_bh(&r->lock);
	seq = s2svpn_replay_infer_locked(r, seq_lo, esn);
	spin_unlock_bh(&r->lock);
	return seq;
}

/**
 * s2svpn_replay_top - the highest authenticated sequence number
 * @r: the window
 *
 * Return: @r->top, read whole even on 32-bit hosts.
 */
u64 s2svpn_replay_top(struct s2svpn_replay *r)
{
	u64 top;

	spin_lock_bh(&r->lock);
	top = r->top;
	spin_unlock_bh(&r->lock);
	return top;
}

static bool s2svpn_replay_seen(const struct s2svpn_replay *r, u64 seq)
{
	unsigned long bit = seq & ((unsigned long)r->words * BITS_PER_LONG - 1);

	return test_bit(bit, r->bitmap);
}

static int s2svpn_replay_test(const struct s2svpn_replay *r, u64 seq)
{
	if (unlikely(!seq))
		return -EINVAL;
	if (!r->size || seq > r->top)
		return 0;
	if (r->top - seq >= r->size)
		return -ERANGE;
	return s2svpn_replay_seen(r, seq) ? -EEXIST : 0;
}

/**
 * s2svpn_replay_check - may a packet with @seq be new?
 * @r: the window
 * @seq: its inferred 64-bit sequence number
 *
 * Called before decryption; the answer is confirmed by
 * s2svpn_replay_update() once the packet authenticated.
 *
 * Return: 0 if it may be new, -EINVAL for sequence number 0 (never sent),
 * -ERANGE if older than the window, -EEXIST if already received.
 */
int s2svpn_replay_check(struct s2svpn_replay *r, u64 seq)
{
	int err;

	spin_lock_bh(&r->lock);
	err = s2svpn_replay_test(r, seq);
	spin_unlock_bh(&r->lock);
	return err;
}

/**
 * s2svpn_replay_check_lo - infer a received packet's sequence number and
 *	check it, under one lock
 * @r: the window
 * @seq_lo: the 32 bits on the wire
 * @esn: whether the SA uses extended sequence numbers
 * @seq: set to the inferred 64-bit sequence number
 *
 * Return: as s2svpn_replay_check().
 */
int s2svpn_replay_check_lo(struct s2svpn_replay *r, u32 seq_lo, bool esn,
			   u64 *seq)
{
	int err;

	spin_lock_bh(&r->lock);
	*seq = s2svpn_replay_infer_locked(r, seq_lo, esn);
	err = s2svpn_replay_test(r, *seq);
	spin_unlock_bh(&r->lock);
	return err;
}

/**
 * s2svpn_replay_update - record an authenticated packet
 * @r: the window
 * @seq: its 64-bit sequence number
 *
 * Tests again under the lock: two copies of one packet may have passed
 * s2svpn_replay_check() on two CPUs.
 *
 * Return: 0, or the error s2svpn_replay_check() would give now.
 */
int s2svpn_replay_update(struct s2svpn_replay *r, u64 seq)
{
	unsigned long mask = (unsigned long)r->words * BITS_PER_LONG - 1;
	int err;

	spin_lock_bh(&r->lock);
	err = s2svpn_replay_test(r, seq);
	if (err)
		goto out;
	if (seq > r->top) {
		if (r->size) {
			/* Clear the words the window slides over, whole. */
			u64 from = (r->top >> ilog2(BITS_PER_LONG)) + 1;
			u64 to = seq >> ilog2(BITS_PER_LONG);
			u64 w;

			if (to - from + 1 >= r->words)
				bitmap_zero(r->bitmap, mask + 1);
			else
				for (w = from; w <= to; w++)
					r->bitmap[(unsigned long)w & (r->words - 1)] = 0;
		}
		r->top = seq;
	}
	if (r->size)
		set_bit(seq & mask, r->bitmap);
out:
	spin_unlock_bh(&r->lock);
	return err;
}

#if IS_ENABLED(CONFIG_S2SVPN_KUNIT_TEST)
#include "replay_test.c"
#endif

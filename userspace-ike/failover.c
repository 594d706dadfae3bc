// SPDX-License-Identifier: GPL-2.0
/*
 * The active-tunnel policy of a connection: see failover.h.
 */

#include <stdarg.h>
#include <string.h>

#include "failover.h"

void ike_failover_init(struct ike_failover *f, int preferred, const bool *present)
{
	memset(f, 0, sizeof(*f));
	f->preferred = preferred >= 0 && preferred < IKE_FO_TUNNELS && present[preferred] ?
		       preferred : -1;
	for (int i = 0; i < IKE_FO_TUNNELS; i++)
		f->present[i] = present[i];
	f->active = -1;
	snprintf(f->why, sizeof(f->why), "no tunnel up yet");
}

static const struct ike_fo_transition *record(struct ike_failover *f, enum ike_fo_kind kind,
					      int to, uint64_t now_ms, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static const struct ike_fo_transition *record(struct ike_failover *f, enum ike_fo_kind kind,
					      int to, uint64_t now_ms, const char *fmt, ...)
{
	struct ike_fo_transition *t = &f->hist[f->n_hist % IKE_FO_HISTORY];
	va_list ap;

	t->at_ms = now_ms;
	t->kind = kind;
	t->from = f->active;
	t->to = to;
	va_start(ap, fmt);
	vsnprintf(t->reason, sizeof(t->reason), fmt, ap);
	va_end(ap);
	f->n_hist++;
	if (kind == IKE_FO_FAILOVER)
		f->failovers++;
	else if (kind == IKE_FO_FAILBACK)
		f->failbacks++;
	if (to >= 0)
		f->active = to;
	memcpy(f->why, t->reason, sizeof(f->why));
	return t;
}

/* The tunnel to use among those up: the preferred one first. */
static int best_up(const struct ike_failover *f)
{
	if (f->preferred >= 0 && f->up[f->preferred])
		return f->preferred;
	for (int i = 0; i < IKE_FO_TUNNELS; i++)
		if (f->up[i])
			return i;
	return -1;
}

const struct ike_fo_transition *ike_failover_update(struct ike_failover *f, int tunnel,
						    bool up, const char *detail,
						    uint64_t now_ms)
{
	int next;

	if (tunnel < 0 || tunnel >= IKE_FO_TUNNELS || !f->present[tunnel] ||
	    f->up[tunnel] == up)
		return NULL;
	f->up[tunnel] = up;
	next = best_up(f);

	if (up) {
		bool first = !f->ever_up[tunnel];

		f->ever_up[tunnel] = true;
		if (f->active < 0 || !f->up[f->active])
			return record(f, IKE_FO_FIRST, tunnel, now_ms, "tunnel %d up%s%s",
				      tunnel + 1, f->active < 0 ? "" : " after all were down",
				      f->preferred == tunnel ? " (preferred)" : "");
		if (tunnel != f->preferred || f->active == tunnel)
			return NULL;
		/* At startup the other tunnel may simply have been quicker. */
		if (first)
			return record(f, IKE_FO_FIRST, tunnel, now_ms,
				      "preferred tunnel %d up", tunnel + 1);
		return record(f, IKE_FO_FAILBACK, tunnel, now_ms,
			      "failback: preferred tunnel %d up again", tunnel + 1);
	}
	if (tunnel != f->active)
		return NULL;
	if (next < 0)
		return record(f, IKE_FO_ALL_DOWN, -1, now_ms, "tunnel %d down (%s); no tunnel up",
			      tunnel + 1, detail ? detail : "closed");
	return record(f, IKE_FO_FAILOVER, next, now_ms, "failover: tunnel %d down (%s)",
		      tunnel + 1, detail ? detail : "closed");
}

unsigned int ike_failover_history_len(const struct ike_failover *f)
{
	return f->n_hist < IKE_FO_HISTORY ? (unsigned int)f->n_hist : IKE_FO_HISTORY;
}

const struct ike_fo_transition *ike_failover_history(const struct ike_failover *f,
						     unsigned int i)
{
	unsigned int n = ike_failover_history_len(f);

	if (i >= n)
		return NULL;
	return &f->hist[(f->n_hist - n + i) % IKE_FO_HISTORY];
}

const char *ike_failover_kind_name(enum ike_fo_kind kind)
{
	switch (kind) {
	case IKE_FO_FIRST:
		return "up";
	case IKE_FO_FAILOVER:
		return "failover";
	case IKE_FO_FAILBACK:
		return "failback";
	case IKE_FO_ALL_DOWN:
		return "down";
	}
	return "?";
}

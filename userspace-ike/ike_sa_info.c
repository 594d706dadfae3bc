// SPDX-License-Identifier: GPL-2.0
/*
 * What the daemon's control socket shows of an IKE SA: a read-only
 * snapshot, so status code never reaches into the state machine.
 */

#include <stdio.h>
#include <string.h>

#include "ike_sa_priv.h"

static void child_alg_format(const struct ike_alg *a, bool esn, char *buf, size_t len)
{
	struct ike_transform e = { .type = IKE_TRANS_ENCR, .id = a->encr,
				   .key_len = a->encr_keybits };
	struct ike_transform i = { .type = IKE_TRANS_INTEG, .id = a->integ };
	char en[IKE_TRANSFORM_NAME_LEN], in[IKE_TRANSFORM_NAME_LEN];

	ike_transform_name(&e, en, sizeof(en));
	if (a->integ)
		snprintf(buf, len, "%s-%s%s", en, ike_transform_name(&i, in, sizeof(in)),
			 esn ? "-esn" : "");
	else
		snprintf(buf, len, "%s%s", en, esn ? "-esn" : "");
}

/**
 * ike_sa_info - a snapshot of @sa for status output
 * @sa: the SA
 * @out: filled in (zeroed first)
 */
void ike_sa_info(const struct ike_sa *sa, struct ike_sa_info *out)
{
	const struct ike_inst *in = CUR(sa);

	memset(out, 0, sizeof(*out));
	out->state = sa->state;
	out->initiator = in->initiator;
	out->remote = sa->remote;
	if (sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_DELETING) {
		memcpy(out->spi_i, in->spi_i, IKE_SPI_LEN);
		memcpy(out->spi_r, in->spi_r, IKE_SPI_LEN);
		ike_proposal_format(&in->prop, out->ike_alg, sizeof(out->ike_alg));
	}
	out->ike_rekey_at = sa->ike_rekey_at;
	out->child_rekey_at = sa->child_rekey_at;
	out->dpd_pending = in->req.kind == IKE_REQ_DPD;
	out->rekeying = in->req.kind == IKE_REQ_REKEY_CHILD || in->req.kind == IKE_REQ_REKEY_IKE;
	/* An old IKE SA awaiting its DELETE, or a colliding rekey's new one. */
	for (int i = 0; i < IKE_SA_INSTS; i++)
		out->rekeying |= i != sa->cur && sa->inst[i].used;
	for (unsigned int i = 0; i < IKE_SA_MAX_CHILDREN; i++) {
		const struct ike_child *c = &sa->child[i];

		if (c->state != IKE_CHILD_INSTALLED)
			continue;
		out->child = true;
		out->spi_in = c->spi_in;
		out->spi_out = c->spi_out;
		child_alg_format(&c->alg, c->esn, out->child_alg, sizeof(out->child_alg));
		out->rekeying |= c->rekeying;
		break;
	}
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Transforms and proposals (RFC 7296 2.7, 3.3): names for logs and
 * configuration, proposal selection as responder, validation of the
 * responder's choice as initiator, and the key sizes a choice implies.
 *
 * Proposals use struct ike_proposal from msg.h, so a decoded SA payload,
 * a configured proposal and a chosen one are the same thing. A chosen
 * proposal holds exactly one transform per type present, ready for
 * ike_add_sa().
 */
#ifndef S2SVPN_PROPOSAL_H
#define S2SVPN_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"

/* Longest name ike_transform_name() writes, NUL included. */
#define IKE_TRANSFORM_NAME_LEN	24

/*
 * Look NAME up among the transforms of TYPE (0: any type; then "sha256"
 * means integrity). Case-insensitive; takes strongSwan's tokens ("aes256",
 * "aes128gcm16", "sha256", "prfsha256", "modp2048", "x25519", "esn") and
 * AWS's console names ("AES256", "AES128-GCM-16", "SHA2-256", "14"). With
 * TYPE = IKE_TRANS_PRF an integrity name gives the HMAC PRF of the same
 * hash, as AWS's "Phase 1 integrity algorithms" also pick the PRF.
 * Returns 0, or -1 if unknown.
 */
int ike_transform_from_name(uint8_t type, const char *name, struct ike_transform *t);

/* Canonical lowercase name ("aes256", "prfsha256", "ENCR_99" if unknown), in BUF. */
const char *ike_transform_name(const struct ike_transform *t, char *buf, size_t len);

/* RFC 8247 2.4: groups 1, 2, 5 and 22 to 24 are too weak to use by default. */
bool ike_dh_is_weak(uint16_t group);
bool ike_encr_is_aead(uint16_t encr);

/*
 * Parse a proposal in strongSwan's syntax, tokens joined by '-'
 * ("aes256-sha256-modp2048", "aes256gcm16-prfsha384-ecp384", ESP
 * "aes128gcm16-esn"); AWS names work too ("AES256-SHA2-256-14"). For IKE
 * an integrity algorithm also gives the PRF unless one is named, and with
 * an AEAD cipher it only gives the PRF. ESP gets "noesn" unless ESN is
 * named. PROTOCOL is IKE_PROTO_IKE or IKE_PROTO_ESP. Returns 0 or
 * IKE_EINVAL with a message in ERR.
 */
int ike_proposal_parse(const char *text, uint8_t protocol, struct ike_proposal *p,
		       struct ike_msg_err *err);

/* The transforms of P joined by '-', for logs; truncated to fit LEN. */
const char *ike_proposal_format(const struct ike_proposal *p, char *buf, size_t len);

/* First transform of TYPE in P, or NULL. */
const struct ike_transform *ike_proposal_get(const struct ike_proposal *p, uint8_t type);

/*
 * Responder: choose the first of the peer's proposals (its order of
 * preference, RFC 7296 2.7) that one of LOCAL accepts in full. CHOSEN
 * gets the peer's proposal number and SPI and one transform per type.
 * Returns 0, or IKE_ENOPROPOSAL (notify NO_PROPOSAL_CHOSEN). The caller
 * checks the SPI size the exchange needs (0 in IKE_SA_INIT, 8 in an IKE
 * rekey, 4 for ESP).
 */
int ike_proposal_select(const struct ike_proposal *local, unsigned int n_local,
			const struct ike_sa_pl *offer, struct ike_proposal *chosen,
			struct ike_msg_err *err);

/*
 * Initiator: check the responder's SA payload against what we OFFERED
 * (numbered as sent): exactly one proposal, one we offered, exactly one
 * transform of each type, each from that proposal. Returns 0 with the
 * choice in CHOSEN, IKE_ESYNTAX (INVALID_SYNTAX) or IKE_ENOPROPOSAL
 * (NO_PROPOSAL_CHOSEN).
 */
int ike_proposal_check_reply(const struct ike_proposal *offered, unsigned int n_offered,
			     const struct ike_sa_pl *reply, struct ike_proposal *chosen,
			     struct ike_msg_err *err);

/*
 * Sizes in bytes that a chosen proposal implies, to size prf+ output
 * (RFC 7296 2.14, 2.17). Named apart from crypto.h's struct ike_keysizes,
 * which the crypto module fills from its own algorithm description.
 */
struct ike_prop_sizes {
	bool aead;
	size_t encr_key;	/* SK_e* / ESP key, with the 4-byte salt of GCM and ChaCha */
	size_t salt;		/* of which salt (RFC 5282 7.1, RFC 4106 8.1, RFC 7634 2) */
	size_t iv;		/* per message */
	size_t block;		/* the padding aligns the plaintext to this */
	size_t icv;		/* AEAD tag or truncated HMAC */
	size_t integ_key;	/* SK_a*, 0 with AEAD */
	size_t prf_key;		/* SK_d, SK_p*: the PRF's preferred key size (RFC 7296 2.13) */
	size_t prf_out;		/* 0 for ESP, which uses the IKE SA's PRF */
};

int ike_proposal_sizes(const struct ike_proposal *p, struct ike_prop_sizes *ks,
		       struct ike_msg_err *err);

#endif /* S2SVPN_PROPOSAL_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IKE SA state machine of s2svpn-iked (RFC 7296), with no I/O.
 *
 * A pure, event-driven core: the daemon's event loop feeds it received
 * messages (ike_sa_receive), the clock (ike_sa_timer) and administrative
 * triggers (initiate, rekey, delete, DPD); everything it wants done goes
 * out through struct ike_sa_ops, which the caller provides: send a
 * message, install or remove one direction of a CHILD_SA, log, report an
 * event. After every call the caller re-arms its timer for
 * ike_sa_next_timer(). Nothing here reads a clock, opens a socket or
 * keeps global mutable state.
 *
 * Addresses and NAT traversal: we always make the peer see a NAT
 * (NAT_DETECTION_SOURCE_IP hashed over a wrong address, like strongSwan's
 * encap=yes), so after IKE_SA_INIT both sides float to UDP port 4500 and
 * every CHILD_SA is UDP-encapsulated (RFC 3948). Messages handed to send()
 * and to ike_sa_receive() never carry the 4-byte non-ESP marker: the caller
 * adds it on, and strips it from, port 4500.
 *
 * Lifetime: an SA that reaches IKE_SA_CLOSED has already wiped its keys
 * and removed its CHILD_SAs; the caller frees it with ike_sa_free() after
 * the call that closed it returned (never from inside a callback).
 *
 * Times are milliseconds on the caller's monotonic clock.
 */
#ifndef S2SVPN_IKE_SA_H
#define S2SVPN_IKE_SA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "crypto.h"
#include "msg.h"

#define IKE_SA_MAX_PROPOSALS	4
#define IKE_SA_MAX_CHILDREN	8
#define IKE_SA_PSK_MAX		128
#define IKE_SA_ID_MAX		255
#define IKE_PORT		500
#define IKE_NATT_PORT		4500
#define IKE_SA_NEVER		UINT64_MAX	/* ike_sa_next_timer(): nothing due */
#define IKE_SA_COOKIE_NEVER	UINT32_MAX	/* table: never demand a cookie */

/* Return codes of the API (0 or negative). */
enum ike_sa_rc {
	IKE_SA_OK = 0,
	IKE_SA_EDROP = -20,	/* message ignored (not ours, garbage, out of window) */
	IKE_SA_EBUSY = -21,	/* a request is outstanding (window size 1): try later */
	IKE_SA_ESTATE = -22,	/* not possible in this state */
	IKE_SA_ENOENT = -23,	/* no such CHILD_SA */
	IKE_SA_EFAIL = -24,	/* crypto, memory or configuration failure */
	IKE_SA_EREFUSED = -25,	/* new IKE_SA_INIT refused (error notify or cookie sent) */
};

enum ike_sa_state {
	IKE_SA_IDLE,
	IKE_SA_INIT_SENT,	/* initiator: IKE_SA_INIT request out */
	IKE_SA_AUTH_SENT,	/* initiator: IKE_AUTH request out */
	IKE_SA_HALF_OPEN,	/* responder: IKE_SA_INIT answered, IKE_AUTH awaited */
	IKE_SA_ESTABLISHED,
	IKE_SA_DELETING,	/* our DELETE of the IKE SA is out */
	IKE_SA_CLOSED,		/* final: see ike_sa_failure() */
};

/* Why an SA closed (IKE_SA_FAIL_NONE: a normal delete). */
enum ike_sa_fail {
	IKE_SA_FAIL_NONE,
	IKE_SA_FAIL_TIMEOUT,		/* setup retransmissions unanswered */
	IKE_SA_FAIL_NO_PROPOSAL,	/* NO_PROPOSAL_CHOSEN */
	IKE_SA_FAIL_INVALID_KE,		/* INVALID_KE_PAYLOAD we cannot follow */
	IKE_SA_FAIL_AUTH,		/* AUTHENTICATION_FAILED, either side */
	IKE_SA_FAIL_PEER_DEAD,		/* established, requests unanswered (DPD) */
	IKE_SA_FAIL_DELETED,		/* the peer deleted the IKE SA */
	IKE_SA_FAIL_PROTOCOL,		/* other error notify or malformed exchange */
	IKE_SA_FAIL_INTERNAL,		/* crypto, memory or callback failure */
	IKE_SA_FAIL_REPLACED,		/* a newer authenticated IKE SA took over */
};

enum ike_sa_event {
	IKE_SA_EV_STATE,		/* ike_sa_state() changed */
	IKE_SA_EV_CHILD_UP,		/* a CHILD_SA has both directions installed */
	IKE_SA_EV_CHILD_DOWN,		/* a CHILD_SA is gone without a successor */
	IKE_SA_EV_IKE_REKEYED,		/* new IKE SPIs and keys in use */
	IKE_SA_EV_PEER_DEAD,		/* requests unanswered for dpd_timeout */
	IKE_SA_EV_INITIAL_CONTACT,	/* peer forgot earlier SAs (RFC 7296 2.4) */
	IKE_SA_EV_PEER_PROBE,		/* peer sent a liveness check (empty INFORMATIONAL) */
};

enum ike_sa_dir {
	IKE_SA_DIR_IN,
	IKE_SA_DIR_OUT,
};

/*
 * One direction of a CHILD_SA (ESP, tunnel mode, UDP-encapsulated), for
 * child_install(). SPI is the one ESP packets carry in that direction
 * (host order): for IN it is ours, for OUT the peer's. src/dst are the
 * outer addresses with their UDP ports. Installing an OUT SA makes it the
 * one used for sending; the one it replaces is removed with child_remove().
 */
struct ike_sa_child_sa {
	enum ike_sa_dir dir;
	uint32_t spi;
	struct ike_alg alg;		/* prf is 0 */
	bool esn;
	struct sockaddr_storage src, dst;
	size_t encr_len;		/* salt included for AEAD */
	size_t salt_len;
	size_t integ_len;		/* 0 with AEAD */
	size_t icv_len;
	uint8_t encr[IKE_MAX_ENCR_KEY];
	uint8_t integ[IKE_MAX_INTEG_KEY];
};

struct ike_sa;

/* The caller's side. ctx is passed back; sa may be NULL for stateless replies. */
struct ike_sa_ops {
	int (*send)(void *ctx, struct ike_sa *sa, const uint8_t *msg, size_t len,
		    const struct sockaddr *src, const struct sockaddr *dst);
	/* The keys are wiped after the call: copy what is kept. */
	int (*child_install)(void *ctx, struct ike_sa *sa, const struct ike_sa_child_sa *c);
	int (*child_remove)(void *ctx, struct ike_sa *sa, uint32_t spi, enum ike_sa_dir dir);
	/* LEVEL is a syslog priority (LOG_ERR .. LOG_DEBUG). */
	void (*log)(void *ctx, struct ike_sa *sa, int level, const char *fmt, va_list ap)
		__attribute__((format(printf, 4, 0)));
	void (*event)(void *ctx, struct ike_sa *sa, enum ike_sa_event ev);
};

struct ike_sa_id {
	uint8_t type;			/* enum ike_id_type; 0: not set (remote: any) */
	uint8_t len;
	uint8_t data[IKE_SA_ID_MAX];
};

/* What one IKE SA needs; copied by ike_sa_initiate()/ike_sa_accept(). */
struct ike_sa_params {
	struct sockaddr_storage local, remote;	/* with ports, normally 500 */
	unsigned int n_ike, n_esp;
	struct ike_proposal ike[IKE_SA_MAX_PROPOSALS];	/* our preference order */
	/* DH transforms here are the PFS groups of CREATE_CHILD_SA only. */
	struct ike_proposal esp[IKE_SA_MAX_PROPOSALS];
	struct ike_sa_id local_id, remote_id;
	size_t psk_len;
	uint8_t psk[IKE_SA_PSK_MAX];
	uint16_t ke_group;		/* first KE guess; 0: first group of ike[0] */
	uint32_t retransmit_base_ms;	/* first retransmission; doubles each time */
	uint32_t retransmit_max_ms;	/* cap of one interval */
	uint32_t setup_timeout_ms;	/* give up IKE_SA_INIT / IKE_AUTH after */
	uint32_t dpd_timeout_ms;	/* established: a request unanswered this long = dead */
	uint32_t child_grace_ms;	/* keep a replaced inbound SA this long */
	uint32_t ike_rekey_ms;		/* rekey the IKE SA this long after it is up; 0: never */
	uint32_t child_rekey_ms;	/* same for CHILD_SAs */
	uint32_t rekey_fuzz_ms;		/* rekey up to this much earlier, at random */
	bool initial_contact;		/* send INITIAL_CONTACT in IKE_AUTH */
};

/* Timers to AWS-friendly defaults; everything else zero. */
void ike_sa_params_default(struct ike_sa_params *p);

/*
 * Tunnel TUNNEL (0-based) of a loaded connection file: addresses (port 500),
 * identities, PSK, proposals, lifetimes (rekey rekey_margin before
 * expiry) and DPD. Returns 0 or IKE_SA_EFAIL.
 */
struct ike_config;
int ike_sa_params_from_config(const struct ike_config *cfg, unsigned int tunnel,
			      struct ike_sa_params *p);

#define IKE_SA_COOKIE_ROTATE_MS	5000	/* a cookie is good for 5 to 10 s */

/*
 * The caller's table of SAs (a plain list) and the responder's stateless
 * cookie secret (RFC 7296 2.6, ike_cookie.c). Cookies are demanded once
 * the number of half-open responder SAs reaches cookie_threshold, or those
 * from the sender's address reach cookie_per_source; past half_open_max
 * half-open SAs, IKE_SA_INIT is dropped. All three default to
 * IKE_SA_COOKIE_NEVER.
 */
struct ike_sa_table {
	struct ike_sa *head;
	uint32_t cookie_threshold;
	uint32_t cookie_per_source;
	uint32_t half_open_max;
	uint32_t cookie_version;		/* of cookie_secret, never 0 */
	uint32_t cookie_prev_version;		/* of cookie_prev; 0: none */
	uint64_t cookie_rotate_at;		/* 0: not used yet */
	uint64_t cookies_sent;			/* COOKIE notifies sent */
	uint64_t half_open_refused;		/* IKE_SA_INIT dropped at half_open_max */
	uint8_t cookie_secret[32];
	uint8_t cookie_prev[32];
};

int ike_sa_table_init(struct ike_sa_table *t);
/* Wipes the secret; the SAs in the table must have been freed. */
void ike_sa_table_wipe(struct ike_sa_table *t);
unsigned int ike_sa_table_half_open(const struct ike_sa_table *t);
unsigned int ike_sa_table_count(const struct ike_sa_table *t);
/* Half-open responder SAs whose peer has FROM's address (any port). */
unsigned int ike_sa_table_half_open_from(const struct ike_sa_table *t,
					 const struct sockaddr *from);

/* The SA (in T) a received message belongs to, by SPIs and I flag; or NULL. */
struct ike_sa *ike_sa_lookup(struct ike_sa_table *t, const uint8_t *msg, size_t len,
			     const struct sockaddr *from);

/* Start an IKE SA as initiator: sends IKE_SA_INIT. NULL on failure. */
struct ike_sa *ike_sa_initiate(struct ike_sa_table *t, const struct ike_sa_params *p,
			       const struct ike_sa_ops *ops, void *ctx, uint64_t now);

/*
 * Responder: an IKE_SA_INIT request no SA of T claims (ike_sa_lookup()
 * returned NULL), for the peer P describes. Returns 0 with a new half-open
 * SA in *out; IKE_SA_EREFUSED if answered without creating state (COOKIE,
 * INVALID_KE_PAYLOAD, NO_PROPOSAL_CHOSEN, INVALID_SYNTAX); IKE_SA_EDROP if
 * ignored.
 */
int ike_sa_accept(struct ike_sa_table *t, const struct ike_sa_params *p,
		  const struct ike_sa_ops *ops, void *ctx, const uint8_t *msg, size_t len,
		  const struct sockaddr *from, const struct sockaddr *to, uint64_t now,
		  struct ike_sa **out);

/* One received message (no non-ESP marker). 0, or IKE_SA_EDROP if ignored. */
int ike_sa_receive(struct ike_sa *sa, const uint8_t *msg, size_t len,
		   const struct sockaddr *from, const struct sockaddr *to, uint64_t now);

/* Retransmissions, DPD timeouts, grace periods and rekeys due by NOW. */
void ike_sa_timer(struct ike_sa *sa, uint64_t now);
/* When ike_sa_timer() wants to run next; IKE_SA_NEVER if nothing is pending. */
uint64_t ike_sa_next_timer(const struct ike_sa *sa);

/* Rekey the CHILD_SA whose inbound SPI is SPI_IN (0: the first one). */
int ike_sa_rekey_child(struct ike_sa *sa, uint32_t spi_in, uint64_t now);
int ike_sa_rekey_ike(struct ike_sa *sa, uint64_t now);
/*
 * Delete the CHILD_SA whose inbound SPI is SPI_IN (0: the first) with an
 * INFORMATIONAL DELETE: its outbound SA goes now, its inbound once the
 * peer answers. IKE_SA_EBUSY while a request is outstanding.
 */
int ike_sa_delete_child(struct ike_sa *sa, uint32_t spi_in, uint64_t now);
/* Delete the IKE SA and its CHILD_SAs (INFORMATIONAL with DELETE). */
int ike_sa_delete(struct ike_sa *sa, uint64_t now);
/*
 * The peer authenticated a newer IKE SA for the same tunnel (INITIAL_CONTACT
 * or a restart): close this one now, its CHILD_SAs out of the kernel, with
 * a DELETE sent once if it is established and its window is free (no
 * answer awaited). Closed with IKE_SA_FAIL_REPLACED.
 */
void ike_sa_replace(struct ike_sa *sa, uint64_t now);
/*
 * The daemon is exiting: an established SA sends its DELETE (1.4.1) and
 * becomes DELETING, which refuses CREATE_CHILD_SA; any other SA, or one
 * whose window is busy, closes at once. Either way its CHILD_SAs leave the
 * kernel now.
 */
void ike_sa_shutdown(struct ike_sa *sa, uint64_t now);
/* Liveness check: an empty INFORMATIONAL; unanswered for dpd_timeout = PEER_DEAD. */
int ike_sa_dpd(struct ike_sa *sa, uint64_t now);

enum ike_sa_state ike_sa_state(const struct ike_sa *sa);
enum ike_sa_fail ike_sa_failure(const struct ike_sa *sa);
const char *ike_sa_state_name(enum ike_sa_state s);
bool ike_sa_is_initiator(const struct ike_sa *sa);
/* SPIs of the IKE SA in use. */
void ike_sa_spis(const struct ike_sa *sa, uint8_t spi_i[IKE_SPI_LEN],
		 uint8_t spi_r[IKE_SPI_LEN]);
/* Installed CHILD_SA pairs (both directions in use): up to MAX of them. */
unsigned int ike_sa_children(const struct ike_sa *sa, uint32_t *spi_in, uint32_t *spi_out,
			     unsigned int max);
/* A snapshot for status output (ike_sa_info.c); times are the SA's clock (ms). */
struct ike_sa_info {
	enum ike_sa_state state;
	bool initiator;			/* we started this IKE SA */
	bool rekeying;			/* an IKE or CHILD rekey is under way */
	bool dpd_pending;		/* a liveness check awaits its answer */
	bool child;			/* a CHILD_SA is installed */
	uint8_t spi_i[IKE_SPI_LEN], spi_r[IKE_SPI_LEN];
	char ike_alg[96];		/* "aes256-sha256-prfsha256-modp2048" */
	char child_alg[64];		/* "aes128gcm16" */
	uint32_t spi_in, spi_out;
	uint64_t ike_rekey_at, child_rekey_at;	/* 0: none planned */
	struct sockaddr_storage remote;	/* current peer address and port */
};

void ike_sa_info(const struct ike_sa *sa, struct ike_sa_info *out);

/* Unlink from the table, wipe and free. NULL is fine. */
void ike_sa_free(struct ike_sa *sa);

#endif /* S2SVPN_IKE_SA_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connection file of s2svpn-iked: one file describes one VPN connection,
 * that is one s2svpn device with up to two tunnels, in the terms of AWS
 * Site-to-Site VPN. s2svpn-iked.conf.example is a complete sample.
 *
 * Syntax (parsed with inih)
 *   [section] headers and "key = value" lines ("key: value" works too).
 *   Keys and section names are lower case. Leading and trailing blanks are
 *   ignored, so keys may be indented. A line whose first non-blank
 *   character is ';' or '#' is a comment; so is the rest of a line from a
 *   ';' or '#' that follows a blank. Lines are at most 197 characters,
 *   comments excluded, and hold no control character but tabs. No key may
 *   appear twice in a section, nor a section twice in the file, and a key
 *   before the first section is an error. A UTF-8 BOM and CRLF line ends
 *   are accepted.
 *
 * [connection]  (required)
 *   local_address     this side's outside IPv4 or IPv6 address (required;
 *                     a literal address, not a host name)
 *   name              label in logs; 1-63 printable characters, no blanks
 *                     (default: the file's base name without its extension)
 *   device            s2svpn device to use, created if missing (default s2svpn0)
 *   local_id          IKE identity of this side (default: local_address), one of
 *                       203.0.113.10 | 2001:db8::1     ID_IPV4_ADDR / ID_IPV6_ADDR
 *                       vpn.example.com | fqdn:NAME | @NAME     ID_FQDN
 *                       user@example.com | email:ADDR            ID_RFC822_ADDR
 *                       keyid:TEXT | keyid:#HEX                  ID_KEY_ID
 *   ike_version       ikev2 (the only value: ikev1 is refused)
 *   allow_weak        yes | no (default no): allow DH groups 2, 5, 22, 23, 24
 *                     and SHA1 in phase1_integrity (where it is also the PRF)
 *   mtu               device MTU, 68..65414 (default 1436, AWS's tunnel MTU)
 *   mss_clamp         TCP MSS clamp, 0 (off) or 536..65495 and at most
 *                     mtu - 40 (default 1379, as AWS recommends)
 *   preferred_tunnel  1 | 2 | none: the tunnel that carries traffic when both
 *                     are up; after a failover traffic moves back to it once
 *                     it is up again (failback). none: stay on whichever
 *                     tunnel took over (default 1)
 *   remote_prefixes   networks behind the peer, "10.0.0.0/16, 2001:db8::/48"
 *                     (at most 32): routed via the device while at least one
 *                     tunnel is up, withdrawn while none is (static routing;
 *                     leave it out with BGP)
 *   route_metric      metric of those routes (default 0)
 *   bgp_asn           this side's BGP AS number, 1..4294967295 (AWS's
 *                     "Customer Gateway ASN"); optional. The daemon does not
 *                     speak BGP (the routing daemon does, over each tunnel's
 *                     inside addresses): it only checks and keeps the value
 *   and the defaults of every tunnel option below.
 *
 * Tunnel options: in [connection] for both tunnels, in [tunnelN] for one
 *   startup_action    start: initiate IKE | add: wait for the peer (default
 *                     start; AWS's own default, add, makes AWS wait for us)
 *   phase1_encryption AES128, AES256, AES128-GCM-16, AES256-GCM-16,
 *                     chacha20poly1305 (default: the four AWS ones)
 *   phase1_integrity  SHA1 (weak here), SHA2-256, SHA2-384, SHA2-512
 *                     (default: the SHA2 ones); also the PRF of phase 1
 *   phase1_dh_groups  2, 5, 14..24, 31 (default 14..21; 2 5 22 23 24 are weak)
 *   phase1_lifetime   seconds, 1..86400 (default 28800)
 *   phase2_encryption as phase1_encryption (same default)
 *   phase2_integrity  as phase1_integrity; SHA1 is not weak here (HMAC-SHA1-96
 *                     is still a MUST for ESP, RFC 8221) (default: SHA2 ones)
 *   phase2_dh_groups  as phase1_dh_groups, or none: PFS groups of
 *                     CREATE_CHILD_SA (default 14..21; the first child SA,
 *                     made in IKE_AUTH, never has a DH exchange)
 *   phase2_lifetime   seconds, 1..86400, less than phase1_lifetime (default 3600)
 *   phase2_lifetime_bytes, phase2_lifetime_packets
 *                     per SA and direction, 0 (none, the default, as AWS) or
 *                     at least 10000 bytes / 10 packets: the kernel asks for
 *                     a rekey at nine tenths and drops the SA at the limit
 *   rekey_margin      seconds before expiry to rekey, 1..86400 (default 270)
 *   rekey_fuzz        percent of rekey_margin added at random, 0..100
 *                     (default 100); rekey_margin * (100 + rekey_fuzz) / 100
 *                     must be less than phase2_lifetime
 *   replay_window     anti-replay window in packets, 0 (off)..4096 (default 1024)
 *   dpd_timeout       seconds without an answer before the peer is dead,
 *                     1..86400 (default 40)
 *   dpd_interval      seconds of silence before a liveness check, 1..3600,
 *                     less than dpd_timeout (default 10)
 *   dpd_action        clear | restart | none (default clear)
 *
 *   Algorithms are comma- and/or blank-separated, case-insensitive, offered
 *   in the order listed. AWS console names and strongSwan tokens both work:
 *     AES128 aes128, AES256 aes256, AES128-GCM-16 aes128gcm16 aes128gcm128,
 *     AES256-GCM-16 aes256gcm16 aes256gcm128, chacha20poly1305;
 *     SHA1 sha1 sha, SHA2-256 sha256 sha2_256, SHA2-384 sha384 sha2_384,
 *     SHA2-512 sha512 sha2_512;
 *     2 modp1024, 5 modp1536, 14 modp2048, 15 modp3072, 16 modp4096,
 *     17 modp6144, 18 modp8192, 19 ecp256, 20 ecp384, 21 ecp521,
 *     22 modp1024s160, 23 modp2048s224, 24 modp2048s256, 31 x25519 curve25519.
 *   AWS lists encryption and integrity independently, so a phase may mix
 *   AEAD (GCM, ChaCha20-Poly1305) and CBC ciphers with integrity algorithms.
 *   RFC 7296 forbids an integrity transform next to an AEAD cipher, so each
 *   phase gets up to two proposals (struct ike_config_phase.proposals): one
 *   with the CBC ciphers and the integrity algorithms, one with the AEAD
 *   ciphers and no integrity; the one holding the first listed cipher comes
 *   first. Phase 1 proposals carry the PRFs matching phase1_integrity (also
 *   for AEAD), and the phase's DH groups.
 *
 * [tunnel1], [tunnel2]  (at least one)
 *   outside_address   the peer's outside address, same family as
 *                     local_address (required; each tunnel its own)
 *   psk               the pre-shared key, inline; then the connection file
 *                     must not be accessible by group or others (chmod 600)
 *   psk_file          or a file holding it (one trailing newline is
 *                     dropped): a regular file not accessible by group or
 *                     others; relative paths start at the connection
 *                     file's directory. Exactly one of psk, psk_file.
 *                     The key follows AWS's rules: 8 to 64 characters
 *                     among A-Z a-z 0-9 . _, not starting with 0.
 *   inside_cidr       inside IPv4 network, a /30 given by its network
 *                     address, e.g. 169.254.10.0/30
 *   inside_cidr6      inside IPv6 network, a /126 (at least one of the two)
 *   inside_role       customer: local .2, peer .1 (AWS's customer gateway,
 *                     the default) | aws: local .1, peer .2 (for the peer
 *                     of an s2svpn box that plays AWS)
 *   remote_id         the peer's IKE identity, as local_id (default:
 *                     outside_address)
 *   bgp_peer_asn      the peer's BGP AS number on this tunnel, 1..4294967295
 *                     (AWS's "Virtual Private Gateway ASN"); optional, needs
 *                     bgp_asn. The BGP neighbor is the inside peer address.
 *   and any tunnel option above, overriding [connection]'s.
 *
 * Errors
 *   Every error is "FILE:LINE: message" (only a file that cannot be read
 *   has "FILE: message"); a problem between keys is reported at the line of
 *   the key at fault (or of the other one when the first is a default), a
 *   missing key at its section's header, a missing section at the last
 *   line. All errors are collected, sorted by line; any error fails the load.
 *   No message ever contains a pre-shared key.
 */
#ifndef S2SVPN_IKE_CONFIG_H
#define S2SVPN_IKE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

#define IKE_CONFIG_MAX_TUNNELS		2
#define IKE_CONFIG_MAX_ALGS		16	/* per list: all 14 DH groups fit */
#define IKE_CONFIG_MAX_PROPOSALS	2	/* CBC + integrity, AEAD */
#define IKE_CONFIG_NAME_MAX		63
#define IKE_CONFIG_DEVICE_MAX		15	/* IFNAMSIZ - 1 */
#define IKE_CONFIG_PSK_MIN		8	/* AWS's limits */
#define IKE_CONFIG_PSK_MAX		64
#define IKE_CONFIG_ID_MAX		255
#define IKE_CONFIG_MAX_ERRORS		100	/* kept per load; more are counted */
#define IKE_CONFIG_MAX_ROUTES		32	/* remote_prefixes */
#define IKE_CONFIG_NO_PREFERENCE	(-1)	/* preferred_tunnel = none */

struct ike_config_addr {
	sa_family_t family;		/* AF_INET, AF_INET6; 0: not set */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

struct ike_config_id {
	uint8_t type;			/* enum ike_id_type; 0: not set */
	uint8_t len;
	uint8_t data[IKE_CONFIG_ID_MAX];	/* as in the ID payload */
};

/* One transform: an IANA ID of ike.h and, for ciphers, its key length. */
struct ike_config_transform {
	uint16_t id;			/* enum ike_encr, ike_integ, ike_prf, ike_dh */
	uint16_t key_bits;		/* Key Length attribute; 0: none */
};

struct ike_config_list {
	unsigned int n;
	struct ike_config_transform t[IKE_CONFIG_MAX_ALGS];
};

/* One SA proposal, ready to put on the wire (transform order kept). */
struct ike_config_proposal {
	struct ike_config_list encr;
	struct ike_config_list prf;	/* phase 1 only */
	struct ike_config_list integ;	/* empty with AEAD ciphers */
	struct ike_config_list dh;	/* phase 2: PFS groups, maybe none */
};

struct ike_config_phase {
	struct ike_config_list encr;	/* as listed in the file */
	struct ike_config_list integ;
	struct ike_config_list dh;
	uint32_t lifetime;		/* seconds */
	uint64_t lifetime_bytes;	/* phase 2: per SA, 0 for none */
	uint64_t lifetime_packets;	/* phase 2: per SA, 0 for none */
	unsigned int n_proposals;	/* 1 or 2 */
	struct ike_config_proposal proposals[IKE_CONFIG_MAX_PROPOSALS];
};

enum ike_config_startup {
	IKE_CONFIG_START,		/* initiate */
	IKE_CONFIG_ADD,			/* respond only */
};

enum ike_config_dpd_action {
	IKE_CONFIG_DPD_CLEAR,		/* delete the SAs, wait for the peer */
	IKE_CONFIG_DPD_RESTART,		/* delete the SAs, initiate again */
	IKE_CONFIG_DPD_NONE,		/* keep the SAs */
};

enum ike_config_role {
	IKE_CONFIG_ROLE_CUSTOMER,	/* local = network + 2, peer = network + 1 */
	IKE_CONFIG_ROLE_AWS,		/* local = network + 1, peer = network + 2 */
};

/* An inside network (/30 or /126) and the two addresses in it. */
struct ike_config_inside {
	bool set;
	uint8_t prefix_len;		/* 30 or 126 */
	struct ike_config_addr net;
	struct ike_config_addr local;
	struct ike_config_addr peer;
};

struct ike_config_psk {
	size_t len;
	char key[IKE_CONFIG_PSK_MAX + 1];	/* NUL-terminated; wiped on free */
};

struct ike_config_tunnel {
	bool present;			/* the file has [tunnelN] */
	unsigned int index;		/* N of [tunnelN]; kernel tunnel id N - 1 */
	struct ike_config_addr outside;
	struct ike_config_id remote_id;
	struct ike_config_psk psk;
	enum ike_config_role inside_role;
	struct ike_config_inside inside4;
	struct ike_config_inside inside6;
	/* Tunnel options: [tunnelN]'s, else [connection]'s, else defaults. */
	enum ike_config_startup startup_action;
	struct ike_config_phase phase1;
	struct ike_config_phase phase2;
	uint32_t rekey_margin;		/* seconds */
	uint32_t rekey_fuzz;		/* percent */
	uint32_t replay_window;		/* packets */
	uint32_t dpd_timeout;		/* seconds */
	uint32_t dpd_interval;		/* seconds */
	enum ike_config_dpd_action dpd_action;
	uint32_t bgp_peer_asn;		/* 0: not set */
};

struct ike_config_prefix {
	struct ike_config_addr addr;
	uint8_t len;
};

struct ike_config_routes {
	unsigned int n;
	struct ike_config_prefix v[IKE_CONFIG_MAX_ROUTES];
};

struct ike_config {
	char name[IKE_CONFIG_NAME_MAX + 1];
	char device[IKE_CONFIG_DEVICE_MAX + 1];
	struct ike_config_addr local_address;
	struct ike_config_id local_id;
	bool allow_weak;
	uint32_t mtu;
	uint32_t mss_clamp;
	int preferred_tunnel;		/* tunnel index, or IKE_CONFIG_NO_PREFERENCE */
	struct ike_config_routes routes;	/* remote_prefixes */
	uint32_t route_metric;
	uint32_t bgp_asn;		/* 0: not set */
	struct ike_config_tunnel tunnel[IKE_CONFIG_MAX_TUNNELS];	/* [0]: [tunnel1] */
};

struct ike_config_error {
	unsigned int line;		/* 0: about the whole file */
	char *msg;			/* "FILE:LINE: message" */
};

/*
 * Messages of failed loads, appended to (so one list can gather several
 * files); start with { 0 }, release with ike_config_errors_free().
 */
struct ike_config_errors {
	size_t n;
	size_t cap;
	struct ike_config_error *v;
	size_t dropped;			/* over IKE_CONFIG_MAX_ERRORS, or no memory */
};

/*
 * Parse the connection file PATH. Returns 0 and a configuration in *out to
 * release with ike_config_free(), or -1 and *out = NULL with the reasons
 * appended to errs (which may be NULL).
 */
int ike_config_load(const char *path, struct ike_config **out, struct ike_config_errors *errs);

/*
 * The same for TEXT, named NAME in messages and for the default name;
 * relative psk_file paths start at the current directory, and no file mode
 * is checked for an inline psk.
 */
int ike_config_load_string(const char *name, const char *text, struct ike_config **out,
			   struct ike_config_errors *errs);

/* Wipe the pre-shared keys and free. NULL is fine. */
void ike_config_free(struct ike_config *cfg);

void ike_config_errors_free(struct ike_config_errors *errs);

/* One message a line, then "... and N more errors" if some were dropped. */
void ike_config_errors_print(const struct ike_config_errors *errs, FILE *f);

#endif /* S2SVPN_IKE_CONFIG_H */

/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * s2svpn: generic netlink family "s2svpn" (see uapi/s2svpn.yaml, the
 * contract this header, the kernel policy and s2svpnctl follow).
 *
 * One s2svpn device is one VPN connection with up to two tunnels (0 and 1).
 * A tunnel has outer endpoints, the UDP socket of the IKE daemon, an optional
 * inside peer address, one outbound SA and up to two inbound SAs.
 *
 * TUNNEL_SET with a remote address replaces all of the tunnel's addresses
 * and ports (an inside peer left out is cleared); without one it only
 * changes the socket. Every operation needs CAP_NET_ADMIN in the initial
 * user namespace (an unprivileged user namespace's root gets EPERM); joining
 * the "events" group needs CAP_NET_ADMIN over the network namespace.
 */
#ifndef _UAPI_LINUX_S2SVPN_H
#define _UAPI_LINUX_S2SVPN_H

#define S2SVPN_FAMILY_NAME	"s2svpn"
#define S2SVPN_FAMILY_VERSION	1
#define S2SVPN_MCGRP_EVENTS	"events"

#define S2SVPN_TUNNELS		2
#define S2SVPN_REPLAY_WINDOW_MAX	4096
#define S2SVPN_REPLAY_WINDOW_DEFAULT	1024

enum s2svpn_cmd {
	S2SVPN_CMD_UNSPEC,
	S2SVPN_CMD_DEV_GET,		/* do/dump: device, tunnels, stats */
	S2SVPN_CMD_DEV_SET,		/* active tunnel, DF policy, MSS clamp */
	S2SVPN_CMD_TUNNEL_SET,		/* create or update a tunnel */
	S2SVPN_CMD_TUNNEL_DEL,
	S2SVPN_CMD_SA_NEW,
	S2SVPN_CMD_SA_DEL,
	S2SVPN_CMD_SA_GET,		/* do/dump */
	/* notifications, multicast group "events" */
	S2SVPN_CMD_SA_EXPIRE_NTF,	/* SA soft or hard limit reached */
	S2SVPN_CMD_SOCK_DETACH_NTF,	/* the daemon's socket went away */
	S2SVPN_CMD_TUNNEL_STATE_NTF,	/* tunnel became usable or unusable */

	__S2SVPN_CMD_MAX,
	S2SVPN_CMD_MAX = __S2SVPN_CMD_MAX - 1
};

enum s2svpn_dir {
	S2SVPN_DIR_IN,
	S2SVPN_DIR_OUT,
};

/* Outer IPv4 DF bit of encapsulated packets. */
enum s2svpn_df {
	S2SVPN_DF_CLEAR,		/* never set (default, as AWS recommends) */
	S2SVPN_DF_COPY,			/* from the inner IPv4 header; set for IPv6 */
	S2SVPN_DF_SET,			/* always set */
};

enum s2svpn_expire_reason {
	S2SVPN_EXPIRE_BYTES,		/* byte limit */
	S2SVPN_EXPIRE_PACKETS,		/* packet limit */
	S2SVPN_EXPIRE_SEQ,		/* sequence number space exhausted */
};

enum s2svpn_tunnel_state {
	S2SVPN_TUNNEL_UNUSABLE,		/* no outbound SA or no socket */
	S2SVPN_TUNNEL_USABLE,
};

/* Top-level attributes of every command. */
enum s2svpn_a {
	S2SVPN_A_UNSPEC,
	S2SVPN_A_IFINDEX,		/* u32 */
	S2SVPN_A_IFNAME,		/* string, replies and events */
	S2SVPN_A_ACTIVE_TUNNEL,		/* u8: 0 or 1 */
	S2SVPN_A_DF,			/* u8: enum s2svpn_df */
	S2SVPN_A_MSS_CLAMP,		/* u16: 0 off, else 536..65495 */
	S2SVPN_A_TUNNEL,		/* nest: enum s2svpn_a_tunnel */
	S2SVPN_A_SA,			/* nest: enum s2svpn_a_sa */
	S2SVPN_A_NET_STATS,		/* nest: enum s2svpn_a_stats, namespace-wide */
	S2SVPN_A_PAD,

	__S2SVPN_A_MAX,
	S2SVPN_A_MAX = __S2SVPN_A_MAX - 1
};

enum s2svpn_a_tunnel {
	S2SVPN_A_TUNNEL_UNSPEC,
	S2SVPN_A_TUNNEL_ID,		/* u8: 0 or 1 */
	S2SVPN_A_TUNNEL_SOCK_FD,	/* u32: bound UDP socket of the caller */
	S2SVPN_A_TUNNEL_LOCAL4,		/* binary, 4 bytes, network order */
	S2SVPN_A_TUNNEL_REMOTE4,	/* binary, 4 bytes */
	S2SVPN_A_TUNNEL_LOCAL6,		/* binary, 16 bytes */
	S2SVPN_A_TUNNEL_REMOTE6,	/* binary, 16 bytes */
	S2SVPN_A_TUNNEL_REMOTE_PORT,	/* u16, host order; default 4500 */
	S2SVPN_A_TUNNEL_LOCAL_PORT,	/* u16: without SOCK_FD, the kernel opens
					 * its own socket on this port (static
					 * keys); in replies, the socket's port
					 */
	S2SVPN_A_TUNNEL_INSIDE_PEER4,	/* binary, 4 bytes: route next hop */
	S2SVPN_A_TUNNEL_INSIDE_PEER6,	/* binary, 16 bytes */
	S2SVPN_A_TUNNEL_STATE,		/* u8: enum s2svpn_tunnel_state, replies */
	S2SVPN_A_TUNNEL_LAST_RX,	/* u64: seconds since the epoch of the last
					 * authenticated packet, 0 never; replies
					 */
	S2SVPN_A_TUNNEL_STATS,		/* nest: enum s2svpn_a_stats, replies */
	S2SVPN_A_TUNNEL_PAD,

	__S2SVPN_A_TUNNEL_MAX,
	S2SVPN_A_TUNNEL_MAX = __S2SVPN_A_TUNNEL_MAX - 1
};

enum s2svpn_a_sa {
	S2SVPN_A_SA_UNSPEC,
	S2SVPN_A_SA_TUNNEL_ID,		/* u8 */
	S2SVPN_A_SA_DIR,		/* u8: enum s2svpn_dir */
	S2SVPN_A_SA_SPI,		/* u32, host order, nonzero */
	S2SVPN_A_SA_ALG,		/* string: crypto API name, see below,
					 * at most 63 characters
					 */
	S2SVPN_A_SA_ENC_KEY,		/* binary: cipher key (lengths below) */
	S2SVPN_A_SA_AUTH_KEY,		/* binary: HMAC key (authenc only;
					 * lengths below)
					 */
	S2SVPN_A_SA_SALT,		/* binary, 4 bytes (AEAD only) */
	S2SVPN_A_SA_ICV_LEN,		/* u8: bytes, 8..32; default per algorithm */
	S2SVPN_A_SA_REPLAY_WINDOW,	/* u32: 0 (off) to 4096; default 1024 */
	S2SVPN_A_SA_ESN,		/* flag: 64-bit extended sequence numbers */
	S2SVPN_A_SA_SOFT_BYTES,		/* u64: 0 = no limit */
	S2SVPN_A_SA_HARD_BYTES,		/* u64 */
	S2SVPN_A_SA_SOFT_PACKETS,	/* u64 */
	S2SVPN_A_SA_HARD_PACKETS,	/* u64 */
	S2SVPN_A_SA_SEQ,		/* u64: last sequence number sent (out)
					 * or highest received (in); in SA_NEW
					 * of an outbound SA, the first is SEQ + 1
					 */
	S2SVPN_A_SA_AGE,		/* u64, replies: seconds since install */
	S2SVPN_A_SA_STATS,		/* nest: enum s2svpn_a_stats, replies */
	S2SVPN_A_SA_EXPIRE,		/* u8: enum s2svpn_expire_reason, events */
	S2SVPN_A_SA_HARD,		/* flag, events: hard (SA removed) */
	S2SVPN_A_SA_CURRENT,		/* flag, replies: newest inbound SA */
	S2SVPN_A_SA_PAD,

	__S2SVPN_A_SA_MAX,
	S2SVPN_A_SA_MAX = __S2SVPN_A_SA_MAX - 1
};

/*
 * Algorithms (S2SVPN_A_SA_ALG), key lengths in bytes:
 *   rfc4106(gcm(aes))                 enc 16 or 32, salt 4, ICV 16 (8, 12)
 *   rfc7539esp(chacha20,poly1305)     enc 32, salt 4, ICV 16
 *   authenc(hmac(sha1),cbc(aes))      enc 16 or 32, auth 20, ICV 12
 *   authenc(hmac(sha256),cbc(aes))    enc 16 or 32, auth 32, ICV 16
 *   authenc(hmac(sha384),cbc(aes))    enc 16 or 32, auth 48, ICV 24
 *   authenc(hmac(sha512),cbc(aes))    enc 16 or 32, auth 64, ICV 32
 */

/*
 * Counters, all u64: packets and bytes count inner packets (in after
 * decryption, out before encryption, as AWS's TunnelDataIn/Out).
 */
enum s2svpn_a_stats {
	S2SVPN_A_STATS_UNSPEC,
	S2SVPN_A_STATS_RX_PACKETS,	/* u64 */
	S2SVPN_A_STATS_RX_BYTES,
	S2SVPN_A_STATS_TX_PACKETS,
	S2SVPN_A_STATS_TX_BYTES,
	S2SVPN_A_STATS_DROP_REPLAY,	/* duplicate or older than the window */
	S2SVPN_A_STATS_DROP_AUTH,	/* ICV check failed */
	S2SVPN_A_STATS_DROP_UNKNOWN_SPI,
	S2SVPN_A_STATS_DROP_TRAILER,	/* bad padding or next header */
	S2SVPN_A_STATS_DROP_MALFORMED,	/* truncated or inconsistent */
	S2SVPN_A_STATS_DROP_TOO_BIG,	/* over the tunnel MTU */
	S2SVPN_A_STATS_DROP_NO_SA,	/* no usable outbound SA or socket */
	S2SVPN_A_STATS_DROP_OTHER,	/* no memory, no route, crypto error */
	S2SVPN_A_STATS_PAD,

	__S2SVPN_A_STATS_MAX,
	S2SVPN_A_STATS_MAX = __S2SVPN_A_STATS_MAX - 1
};

#endif /* _UAPI_LINUX_S2SVPN_H */

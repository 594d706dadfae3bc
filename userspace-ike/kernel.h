/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn-iked's view of the kernel: the s2svpn device (rtnetlink), its
 * tunnels and SAs (the "s2svpn" generic netlink family, through the same
 * client code as s2svpnctl), and the family's events.
 */
#ifndef S2SVPN_IKED_KERNEL_H
#define S2SVPN_IKED_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

struct ike_kernel;

/* An ESP algorithm as IKE negotiated it, in the kernel's terms. */
struct ike_kernel_alg {
	const char *name;	/* crypto API name for S2SVPN_A_SA_ALG */
	size_t enc_len;		/* cipher key bytes, without the salt */
	size_t salt_len;	/* 4 for AES-GCM and ChaCha20-Poly1305, else 0 */
	size_t auth_len;	/* HMAC key bytes, 0 for AEADs */
	uint8_t icv_len;	/* ICV bytes */
};

int ike_kernel_alg(uint16_t encr, uint16_t key_bits, uint16_t integ,
		   struct ike_kernel_alg *alg);

/* One side's inside address of a tunnel: local/prefix on the device. */
struct ike_kernel_inside {
	int family;		/* AF_INET or AF_INET6; 0: none */
	uint8_t local[16];
	uint8_t prefix;
};

/* A child SA to install: IKE's keying material for one direction. */
struct ike_kernel_sa {
	uint8_t tunnel;
	bool inbound;
	uint32_t spi;		/* host order */
	struct ike_kernel_alg alg;
	const uint8_t *encr;	/* cipher key followed by the salt, if any */
	const uint8_t *integ;	/* HMAC key, if any */
	bool esn;
	uint32_t replay_window;
	uint64_t soft_bytes, hard_bytes, soft_packets, hard_packets;
};

struct nlmsghdr;
/* For the unit tests: the SA_NEW request ike_kernel_sa_add() sends. */
int ike_kernel_sa_msg(struct nlmsghdr *nlh, int ifindex, const struct ike_kernel_sa *sa);

struct ike_kernel *ike_kernel_open(char *err, size_t errlen);
void ike_kernel_close(struct ike_kernel *k);

int ike_kernel_dev_setup(struct ike_kernel *k, const char *name, unsigned int mtu,
			 uint16_t mss_clamp, const struct ike_kernel_inside *inside,
			 size_t n_inside, int *ifindex, char *err, size_t errlen);
int ike_kernel_route(struct ike_kernel *k, int ifindex, int family, const void *dst,
		     uint8_t plen, uint32_t metric, bool add, char *err, size_t errlen);
int ike_kernel_tunnel_set(struct ike_kernel *k, int ifindex, uint8_t tunnel,
			  const struct sockaddr *local, const struct sockaddr *remote,
			  int sock_fd, const struct in_addr *inside_peer4,
			  const struct in6_addr *inside_peer6, char *err, size_t errlen);
int ike_kernel_sa_add(struct ike_kernel *k, int ifindex, const struct ike_kernel_sa *sa,
		      char *err, size_t errlen);
int ike_kernel_sa_del(struct ike_kernel *k, int ifindex, uint8_t tunnel, bool inbound,
		      uint32_t spi, char *err, size_t errlen);
int ike_kernel_active_tunnel(struct ike_kernel *k, int ifindex, uint8_t tunnel,
			     char *err, size_t errlen);
int ike_kernel_tunnel_del(struct ike_kernel *k, int ifindex, uint8_t tunnel,
			  char *err, size_t errlen);
int ike_kernel_rx_packets(struct ike_kernel *k, int ifindex, uint64_t rx[2],
			  char *err, size_t errlen);

/* Events of the family (SA expiry, socket detached, tunnel state). */
enum ike_kernel_event_kind {
	IKE_KERNEL_SA_EXPIRE,
	IKE_KERNEL_SOCK_DETACH,
	IKE_KERNEL_TUNNEL_STATE,
};

struct ike_kernel_event {
	enum ike_kernel_event_kind kind;
	int ifindex;
	uint8_t tunnel;
	bool inbound;		/* SA_EXPIRE */
	uint32_t spi;		/* SA_EXPIRE */
	bool hard;		/* SA_EXPIRE */
	bool usable;		/* TUNNEL_STATE */
};

typedef void (*ike_kernel_event_cb)(const struct ike_kernel_event *ev, void *data);

int ike_kernel_events_fd(struct ike_kernel *k);
int ike_kernel_events_read(struct ike_kernel *k, ike_kernel_event_cb cb, void *data,
			   char *err, size_t errlen);

#endif /* S2SVPN_IKED_KERNEL_H */

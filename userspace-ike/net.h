/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn-iked's UDP sockets: IKE on port 500, IKE with the non-ESP marker
 * and NAT-keepalives on port 4500 (RFC 3948, RFC 7296 section 2.23). The
 * port-4500 socket is also the one the kernel takes ESP from.
 */
#ifndef S2SVPN_IKED_NET_H
#define S2SVPN_IKED_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#define IKE_PORT		500
#define IKE_NATT_PORT		4500
#define IKE_NAT_KEEPALIVE	0xff

/**
 * struct ike_net - the sockets of one address family
 * @family: AF_INET or AF_INET6
 * @fd_ike: bound to @port_ike (IKE without marker)
 * @fd_natt: bound to @port_natt (IKE after the marker; ESP goes to the kernel)
 * @port_ike: local port of @fd_ike, host order
 * @port_natt: local port of @fd_natt, host order
 */
struct ike_net {
	int family;
	int fd_ike;
	int fd_natt;
	uint16_t port_ike;
	uint16_t port_natt;
};

/* What ike_net_recv() found. */
enum ike_net_kind {
	IKE_NET_NONE,		/* nothing to read */
	IKE_NET_IKE,		/* an IKE message, marker stripped */
	IKE_NET_KEEPALIVE,	/* a NAT-keepalive: no payload */
	IKE_NET_JUNK,		/* too short, or ESP on the IKE port: dropped */
};

/**
 * struct ike_net_pkt - one received datagram
 * @kind: see &enum ike_net_kind
 * @natt: it came in on the NAT-T port
 * @from: the sender
 * @to: the local address and port it was sent to
 * @len: bytes of IKE message in the caller's buffer
 */
struct ike_net_pkt {
	enum ike_net_kind kind;
	bool natt;
	struct sockaddr_storage from;
	struct sockaddr_storage to;
	size_t len;
};

int ike_net_open(struct ike_net *n, const struct sockaddr *local, uint16_t port_ike,
		 uint16_t port_natt, char *err, size_t errlen);
void ike_net_close(struct ike_net *n);
int ike_net_send(struct ike_net *n, bool natt, const struct sockaddr *to,
		 const uint8_t *msg, size_t len, char *err, size_t errlen);
int ike_net_keepalive(struct ike_net *n, const struct sockaddr *to, char *err, size_t errlen);
int ike_net_recv(struct ike_net *n, int fd, uint8_t *buf, size_t buflen,
		 struct ike_net_pkt *pkt, char *err, size_t errlen);

#endif /* S2SVPN_IKED_NET_H */

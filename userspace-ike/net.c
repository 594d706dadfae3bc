// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn-iked's UDP sockets (RFC 3948, RFC 7296 section 2.23).
 *
 * Port 500 carries bare IKE messages. Port 4500 carries IKE behind the
 * 4-byte non-ESP marker, NAT-keepalives (one 0xff byte) and ESP; once a
 * tunnel is configured the kernel takes the ESP out of this very socket,
 * and what reaches the daemon is IKE and keepalives only.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/uio.h>

#include "ike.h"
#include "net.h"

static socklen_t sa_len(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
					  sizeof(struct sockaddr_in6);
}

static void sa_set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

/* One bound, non-blocking socket; *port 0 binds any port and reports it. */
static int net_socket(const struct sockaddr *local, uint16_t *port, char *err, size_t errlen)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sa_len(local);
	int one = 1, fd;

	fd = socket(local->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	/* The local address of each datagram, to answer from the right one. */
	if (local->sa_family == AF_INET) {
		if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0)
			goto fail;
	} else {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0)
			goto fail;
	}
	memcpy(&ss, local, len);
	sa_set_port(&ss, *port);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		goto fail;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		goto fail;
	*port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
						((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
fail:
	snprintf(err, errlen, "UDP port %u: %s", *port, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/**
 * ike_net_open - bind the IKE and NAT-T ports of one address family
 * @n: filled in
 * @local: local address (any address of the family binds them all)
 * @port_ike: usually IKE_PORT; 0 for any (tests)
 * @port_natt: usually IKE_NATT_PORT; 0 for any (tests)
 * @err: what went wrong
 * @errlen: its size
 *
 * Return: 0, or -1 with @err set (port in use, no permission...).
 */
int ike_net_open(struct ike_net *n, const struct sockaddr *local, uint16_t port_ike,
		 uint16_t port_natt, char *err, size_t errlen)
{
	memset(n, 0, sizeof(*n));
	n->fd_ike = n->fd_natt = -1;
	if (local->sa_family != AF_INET && local->sa_family != AF_INET6) {
		snprintf(err, errlen, "local address of an unknown family");
		return -1;
	}
	n->family = local->sa_family;
	n->port_ike = port_ike;
	n->port_natt = port_natt;
	n->fd_ike = net_socket(local, &n->port_ike, err, errlen);
	if (n->fd_ike < 0)
		return -1;
	n->fd_natt = net_socket(local, &n->port_natt, err, errlen);
	if (n->fd_natt < 0) {
		ike_net_close(n);
		return -1;
	}
	return 0;
}

void ike_net_close(struct ike_net *n)
{
	if (n->fd_ike >= 0)
		close(n->fd_ike);
	if (n->fd_natt >= 0)
		close(n->fd_natt);
	n->fd_ike = n->fd_natt = -1;
}

static int net_sendmsg(int fd, const struct sockaddr *to, struct iovec *iov, int iovcnt,
		       char *err, size_t errlen)
{
	struct msghdr mh = {
		.msg_name = (void *)to,
		.msg_namelen = sa_len(to),
		.msg_iov = iov,
		.msg_iovlen = iovcnt,
	};

	if (sendmsg(fd, &mh, 0) < 0) {
		snprintf(err, errlen, "send: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/**
 * ike_net_send - send one IKE message
 * @n: the sockets
 * @natt: from the NAT-T port, behind the non-ESP marker
 * @to: the peer
 * @msg: the message
 * @len: its length
 * @err: what went wrong
 * @errlen: its size
 *
 * Return: 0 or -1 with @err set.
 */
int ike_net_send(struct ike_net *n, bool natt, const struct sockaddr *to,
		 const uint8_t *msg, size_t len, char *err, size_t errlen)
{
	static const uint8_t marker[IKE_NON_ESP_MARKER_LEN];
	struct iovec iov[2] = {
		{ (void *)marker, sizeof(marker) },
		{ (void *)msg, len },
	};

	if (to->sa_family != n->family) {
		snprintf(err, errlen, "send: peer of another address family");
		return -1;
	}
	if (natt)
		return net_sendmsg(n->fd_natt, to, iov, 2, err, errlen);
	return net_sendmsg(n->fd_ike, to, &iov[1], 1, err, errlen);
}

/* One NAT-keepalive (RFC 3948 section 2.3) from the NAT-T port. */
int ike_net_keepalive(struct ike_net *n, const struct sockaddr *to, char *err, size_t errlen)
{
	uint8_t ka = IKE_NAT_KEEPALIVE;
	struct iovec iov = { &ka, 1 };

	return net_sendmsg(n->fd_natt, to, &iov, 1, err, errlen);
}

/* The datagram's local address, from IP_PKTINFO / IPV6_PKTINFO. */
static void net_local(const struct msghdr *mh, struct sockaddr_storage *to)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR((struct msghdr *)mh); c; c = CMSG_NXTHDR((struct msghdr *)mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			struct sockaddr_in *sin = (struct sockaddr_in *)to;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			sin->sin_family = AF_INET;
			sin->sin_addr = pi.ipi_addr;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)to;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr = pi.ipi6_addr;
		}
	}
}

/**
 * ike_net_recv - read one datagram from @fd, one of @n's sockets
 * @n: the sockets
 * @fd: @n->fd_ike or @n->fd_natt (readable)
 * @buf: receives the IKE message (marker stripped)
 * @buflen: its size (a larger datagram is junk: IKE messages fit 64 KiB)
 * @pkt: what was received
 * @err: what went wrong
 * @errlen: its size
 *
 * Return: 0 (see @pkt->kind, IKE_NET_NONE when nothing was waiting), or -1
 * with @err set on a socket error.
 */
int ike_net_recv(struct ike_net *n, int fd, uint8_t *buf, size_t buflen,
		 struct ike_net_pkt *pkt, char *err, size_t errlen)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { buf, buflen };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t len;

	memset(pkt, 0, sizeof(*pkt));
	mh.msg_name = &pkt->from;
	mh.msg_namelen = sizeof(pkt->from);
	len = recvmsg(fd, &mh, 0);
	if (len < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		snprintf(err, errlen, "receive: %s", strerror(errno));
		return -1;
	}
	pkt->natt = fd == n->fd_natt;
	net_local(&mh, &pkt->to);
	pkt->to.ss_family = n->family;
	sa_set_port(&pkt->to, pkt->natt ? n->port_natt : n->port_ike);

	if (mh.msg_flags & MSG_TRUNC) {
		pkt->kind = IKE_NET_JUNK;
		return 0;
	}
	if (!pkt->natt) {
		pkt->kind = len >= IKE_HDR_LEN ? IKE_NET_IKE : IKE_NET_JUNK;
		pkt->len = (size_t)len;
		return 0;
	}
	if (len == 1 && buf[0] == IKE_NAT_KEEPALIVE) {
		pkt->kind = IKE_NET_KEEPALIVE;
		return 0;
	}
	/* Anything but the marker is ESP the kernel did not take: not ours. */
	if (len < IKE_NON_ESP_MARKER_LEN + IKE_HDR_LEN ||
	    buf[0] || buf[1] || buf[2] || buf[3]) {
		pkt->kind = IKE_NET_JUNK;
		return 0;
	}
	pkt->len = (size_t)len - IKE_NON_ESP_MARKER_LEN;
	memmove(buf, buf + IKE_NON_ESP_MARKER_LEN, pkt->len);
	pkt->kind = IKE_NET_IKE;
	return 0;
}

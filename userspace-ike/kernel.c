// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn-iked's view of the kernel.
 *
 * The "s2svpn" generic netlink requests go through s2svpnctl's client
 * (tools/nl.c, tools/msg.c), so that the daemon and the tool can never
 * disagree about the family. The device itself is set up over rtnetlink,
 * as ip(8) would: created if missing, MTU, up, inside addresses.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <openssl/crypto.h>

#include "s2svpnctl.h"

#include "ike.h"
#include "kernel.h"

/**
 * struct ike_kernel - the daemon's netlink sockets
 * @nl: requests to the s2svpn family
 * @events: subscribed to the family's events group, non-blocking
 * @rtnl: rtnetlink, for the device and its addresses
 * @rtnl_seq: sequence number of the last rtnetlink request
 */
struct ike_kernel {
	struct nl nl;
	struct nl events;
	struct mnl_socket *rtnl;
	uint32_t rtnl_seq;
};

/**
 * ike_kernel_alg - the kernel's algorithm for a negotiated ESP transform
 * @encr: IKE_ENCR_*
 * @key_bits: key length attribute of the encryption transform
 * @integ: IKE_INTEG_* (IKE_INTEG_NONE for AEADs)
 * @alg: filled in
 *
 * Return: 0, or -EINVAL for a combination the kernel module does not do.
 */
int ike_kernel_alg(uint16_t encr, uint16_t key_bits, uint16_t integ,
		   struct ike_kernel_alg *alg)
{
	static const struct {
		uint16_t integ;
		const char *name;
		size_t auth_len;
		uint8_t icv_len;
	} cbc[] = {
		{ IKE_INTEG_HMAC_SHA1_96, "authenc(hmac(sha1),cbc(aes))", 20, 12 },
		{ IKE_INTEG_HMAC_SHA2_256_128, "authenc(hmac(sha256),cbc(aes))", 32, 16 },
		{ IKE_INTEG_HMAC_SHA2_384_192, "authenc(hmac(sha384),cbc(aes))", 48, 24 },
		{ IKE_INTEG_HMAC_SHA2_512_256, "authenc(hmac(sha512),cbc(aes))", 64, 32 },
	};
	size_t i;

	memset(alg, 0, sizeof(*alg));
	switch (encr) {
	case IKE_ENCR_AES_GCM_16:
		if ((key_bits != 128 && key_bits != 256) || integ != IKE_INTEG_NONE)
			return -EINVAL;
		*alg = (struct ike_kernel_alg){ "rfc4106(gcm(aes))", key_bits / 8, 4, 0, 16 };
		return 0;
	case IKE_ENCR_CHACHA20_POLY1305:
		if ((key_bits && key_bits != 256) || integ != IKE_INTEG_NONE)
			return -EINVAL;
		*alg = (struct ike_kernel_alg){ "rfc7539esp(chacha20,poly1305)", 32, 4, 0, 16 };
		return 0;
	case IKE_ENCR_AES_CBC:
		if (key_bits != 128 && key_bits != 256)
			return -EINVAL;
		for (i = 0; i < ARRAY_SIZE(cbc); i++) {
			if (cbc[i].integ != integ)
				continue;
			*alg = (struct ike_kernel_alg){ cbc[i].name, key_bits / 8, 0,
							cbc[i].auth_len, cbc[i].icv_len };
			return 0;
		}
		return -EINVAL;
	default:
		return -EINVAL;
	}
}

struct ike_kernel *ike_kernel_open(char *err, size_t errlen)
{
	struct ike_kernel *k = calloc(1, sizeof(*k));
	int fd;

	if (!k) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (nl_open(&k->nl) < 0) {
		snprintf(err, errlen, "%s", k->nl.err);
		goto free;
	}
	if (nl_open(&k->events) < 0 || nl_subscribe_events(&k->events) < 0) {
		snprintf(err, errlen, "events: %s", k->events.err);
		goto close_nl;
	}
	fd = mnl_socket_get_fd(k->events.sock);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "events socket: %s", strerror(errno));
		goto close_events;
	}
	k->rtnl = mnl_socket_open(NETLINK_ROUTE);
	if (!k->rtnl || mnl_socket_bind(k->rtnl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "rtnetlink socket: %s", strerror(errno));
		goto close_rtnl;
	}
	return k;

close_rtnl:
	if (k->rtnl)
		mnl_socket_close(k->rtnl);
close_events:
	nl_close(&k->events);
close_nl:
	nl_close(&k->nl);
free:
	free(k);
	return NULL;
}

void ike_kernel_close(struct ike_kernel *k)
{
	if (!k)
		return;
	mnl_socket_close(k->rtnl);
	nl_close(&k->events);
	nl_close(&k->nl);
	free(k);
}

/* One rtnetlink request and its acknowledgement. */
static int rtnl_request(struct ike_kernel *k, struct nlmsghdr *nlh, const char *what,
			char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;
	int ret;

	nlh->nlmsg_seq = ++k->rtnl_seq;
	if (mnl_socket_sendto(k->rtnl, nlh, nlh->nlmsg_len) < 0) {
		snprintf(err, errlen, "%s: %s", what, strerror(errno));
		return -errno;
	}
	n = mnl_socket_recvfrom(k->rtnl, buf, sizeof(buf));
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", what, strerror(errno));
		return -errno;
	}
	ret = mnl_cb_run(buf, n, nlh->nlmsg_seq, mnl_socket_get_portid(k->rtnl), NULL, NULL);
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", what, strerror(errno));
		return -errno;
	}
	return 0;
}

/* RTM_NEWLINK for an s2svpn device; @create makes it, else sets MTU and up. */
static int rtnl_link(struct ike_kernel *k, const char *name, unsigned int mtu, bool create,
		     char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;
	struct nlattr *info;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (create ? NLM_F_CREATE | NLM_F_EXCL : 0);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (create) {
		info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "s2svpn");
		mnl_attr_nest_end(nlh, info);
	} else {
		ifm->ifi_flags = IFF_UP;
		ifm->ifi_change = IFF_UP;
	}
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return rtnl_request(k, nlh, create ? "create device" : "set device up", err, errlen);
}

static int rtnl_addr(struct ike_kernel *k, int ifindex, const struct ike_kernel_inside *in,
		     char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	size_t alen = in->family == AF_INET ? 4 : 16;
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = in->family;
	ifa->ifa_prefixlen = in->prefix;
	ifa->ifa_index = ifindex;
	ifa->ifa_flags = in->family == AF_INET6 ? IFA_F_NODAD : 0;
	mnl_attr_put(nlh, IFA_LOCAL, alen, in->local);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, in->local);
	return rtnl_request(k, nlh, "add inside address", err, errlen);
}

/**
 * ike_kernel_route - add or withdraw a route via the device
 * @k: the kernel handle
 * @ifindex: the device
 * @family: AF_INET or AF_INET6
 * @dst: the network (4 or 16 bytes)
 * @plen: its prefix length
 * @metric: route priority
 * @add: add (replacing a route of ours to the same network) or delete
 * @err: what went wrong
 * @errlen: its size
 *
 * The routes are RTPROT_STATIC in the main table, scope link: the device
 * is point-to-point and picks the tunnel itself. Deleting a route that is
 * already gone is not an error.
 *
 * Return: 0 or a negative errno.
 */
int ike_kernel_route(struct ike_kernel *k, int ifindex, int family, const void *dst,
		     uint8_t plen, uint32_t metric, bool add, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	int ret;

	nlh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_dst_len = plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, family == AF_INET ? 4 : 16, dst);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, metric);
	ret = rtnl_request(k, nlh, add ? "add route" : "delete route", err, errlen);
	return !add && ret == -ESRCH ? 0 : ret;
}

/**
 * ike_kernel_dev_setup - make the connection's device ready
 * @k: the kernel handle
 * @name: device name
 * @mtu: its MTU (0: leave it)
 * @mss_clamp: TCP MSS clamp (0: off)
 * @inside: inside addresses of this side, one per tunnel and family
 * @n_inside: how many
 * @ifindex: set to the device's index
 * @err: what went wrong
 * @errlen: its size
 *
 * Return: 0 or a negative errno.
 */
int ike_kernel_dev_setup(struct ike_kernel *k, const char *name, unsigned int mtu,
			 uint16_t mss_clamp, const struct ike_kernel_inside *inside,
			 size_t n_inside, int *ifindex, char *err, size_t errlen)
{
	char sub[256];
	struct dev_set_args d = { .has_mss = true, .mss_clamp = mss_clamp };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	size_t i;
	int ret;

	ret = rtnl_link(k, name, mtu, true, sub, sizeof(sub));
	if (ret < 0 && ret != -EEXIST) {
		snprintf(err, errlen, "%s: %s (is the s2svpn module loaded?)", name, sub);
		return ret;
	}
	ret = rtnl_link(k, name, mtu, false, sub, sizeof(sub));
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", name, sub);
		return ret;
	}
	*ifindex = (int)if_nametoindex(name);
	if (!*ifindex) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return -errno;
	}
	for (i = 0; i < n_inside; i++) {
		if (!inside[i].family)
			continue;
		ret = rtnl_addr(k, *ifindex, &inside[i], sub, sizeof(sub));
		if (ret < 0) {
			snprintf(err, errlen, "%s: %s", name, sub);
			return ret;
		}
	}
	msg_dev_set(nl_msg(&k->nl, buf, false), (uint32_t)*ifindex, &d);
	if (nl_request(&k->nl, (struct nlmsghdr *)buf, NULL, NULL) < 0) {
		snprintf(err, errlen, "%s: mss clamp: %s", name, k->nl.err);
		return -EIO;
	}
	return 0;
}

static void addr_from_sockaddr(const struct sockaddr *sa, struct addr *a, uint16_t *port)
{
	memset(a, 0, sizeof(*a));
	if (!sa)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		a->family = AF_INET;
		a->v4 = in->sin_addr;
		if (port)
			*port = ntohs(in->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		a->family = AF_INET6;
		a->v6 = in6->sin6_addr;
		if (port)
			*port = ntohs(in6->sin6_port);
	}
}

/**
 * ike_kernel_tunnel_set - point a tunnel at the peer over the daemon's socket
 * @k: the kernel handle
 * @ifindex: the device
 * @tunnel: 0 or 1
 * @local: local outside address (port ignored), or NULL
 * @remote: the peer's address and port (4500 after NAT-T's float)
 * @sock_fd: the daemon's bound UDP socket (the kernel takes ESP from it)
 * @inside_peer4: the peer's IPv4 inside address, or NULL
 * @inside_peer6: the peer's IPv6 inside address, or NULL
 * @err: what went wrong
 * @errlen: its size
 *
 * Return: 0 or a negative errno.
 */
int ike_kernel_tunnel_set(struct ike_kernel *k, int ifindex, uint8_t tunnel,
			  const struct sockaddr *local, const struct sockaddr *remote,
			  int sock_fd, const struct in_addr *inside_peer4,
			  const struct in6_addr *inside_peer6, char *err, size_t errlen)
{
	struct tunnel_set_args a = { .id = tunnel, .has_sock_fd = true, .sock_fd = sock_fd };
	char buf[MNL_SOCKET_BUFFER_SIZE];

	addr_from_sockaddr(remote, &a.remote, &a.remote_port);
	addr_from_sockaddr(local, &a.local, NULL);
	if (inside_peer4) {
		a.inside4.family = AF_INET;
		a.inside4.v4 = *inside_peer4;
	}
	if (inside_peer6) {
		a.inside6.family = AF_INET6;
		a.inside6.v6 = *inside_peer6;
	}
	msg_tunnel_set(nl_msg(&k->nl, buf, false), (uint32_t)ifindex, &a);
	if (nl_request(&k->nl, (struct nlmsghdr *)buf, NULL, NULL) < 0) {
		snprintf(err, errlen, "tunnel %u: %s", tunnel, k->nl.err);
		return -EIO;
	}
	return 0;
}

/**
 * ike_kernel_sa_msg - build SA_NEW for @sa into @nlh
 * @nlh: a request started for the family (room: MNL_SOCKET_BUFFER_SIZE)
 * @ifindex: the device
 * @sa: the SA
 *
 * The message holds keys: the caller wipes it once sent.
 *
 * Return: 0, or -EINVAL if the key lengths are beyond what the kernel takes.
 */
int ike_kernel_sa_msg(struct nlmsghdr *nlh, int ifindex, const struct ike_kernel_sa *sa)
{
	struct alg alg = { .name = sa->alg.name };
	struct sa_args a = {
		.tunnel = sa->tunnel,
		.dir = sa->inbound ? S2SVPN_DIR_IN : S2SVPN_DIR_OUT,
		.spi = sa->spi,
		.alg = &alg,
		.has_icv = true,
		.icv_len = sa->alg.icv_len,
		.has_replay = sa->inbound,
		.replay_window = sa->replay_window,
		.esn = sa->esn,
		.has_soft_bytes = sa->soft_bytes != 0,
		.soft_bytes = sa->soft_bytes,
		.has_hard_bytes = sa->hard_bytes != 0,
		.hard_bytes = sa->hard_bytes,
		.has_soft_packets = sa->soft_packets != 0,
		.soft_packets = sa->soft_packets,
		.has_hard_packets = sa->hard_packets != 0,
		.hard_packets = sa->hard_packets,
	};
	struct keys keys = { 0 };

	if (sa->alg.enc_len > sizeof(keys.enc) || sa->alg.auth_len > sizeof(keys.auth) ||
	    sa->alg.salt_len > sizeof(keys.salt))
		return -EINVAL;
	memcpy(keys.enc, sa->encr, sa->alg.enc_len);
	keys.enc_len = sa->alg.enc_len;
	memcpy(keys.salt, sa->encr + sa->alg.enc_len, sa->alg.salt_len);
	keys.salt_len = sa->alg.salt_len;
	if (sa->alg.auth_len) {
		memcpy(keys.auth, sa->integ, sa->alg.auth_len);
		keys.auth_len = sa->alg.auth_len;
	}
	msg_sa_new(nlh, (uint32_t)ifindex, &a, &keys);
	keys_wipe(&keys);
	return 0;
}

/* The request carries keys: it is wiped whatever happens. */
int ike_kernel_sa_add(struct ike_kernel *k, int ifindex, const struct ike_kernel_sa *sa,
		      char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int ret = 0;

	if (ike_kernel_sa_msg(nl_msg(&k->nl, buf, false), ifindex, sa) < 0) {
		snprintf(err, errlen, "key lengths beyond what the kernel takes");
		return -EINVAL;
	}
	if (nl_request(&k->nl, (struct nlmsghdr *)buf, NULL, NULL) < 0) {
		snprintf(err, errlen, "tunnel %u: SA %s 0x%08x: %s", sa->tunnel,
			 sa->inbound ? "in" : "out", sa->spi, k->nl.err);
		ret = -EIO;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	nl_wipe(&k->nl);
	return ret;
}

int ike_kernel_sa_del(struct ike_kernel *k, int ifindex, uint8_t tunnel, bool inbound,
		      uint32_t spi, char *err, size_t errlen)
{
	struct sa_args a = {
		.tunnel = tunnel,
		.dir = inbound ? S2SVPN_DIR_IN : S2SVPN_DIR_OUT,
		.spi = spi,
	};
	char buf[MNL_SOCKET_BUFFER_SIZE];

	msg_sa_del(nl_msg(&k->nl, buf, false), (uint32_t)ifindex, &a);
	if (nl_request(&k->nl, (struct nlmsghdr *)buf, NULL, NULL) < 0) {
		snprintf(err, errlen, "tunnel %u: delete SA 0x%08x: %s", tunnel, spi, k->nl.err);
		return -EIO;
	}
	return 0;
}

int ike_kernel_active_tunnel(struct ike_kernel *k, int ifindex, uint8_t tunnel,
			     char *err, size_t errlen)
{
	struct dev_set_args d = { .has_active = true, .active_tunnel = tunnel };
	char buf[MNL_SOCKET_BUFFER_SIZE];

	msg_dev_set(nl_msg(&k->nl, buf, false), (uint32_t)ifindex, &d);
	if (nl_request(&k->nl, (struct nlmsghdr *)buf, NULL, NULL) < 0) {
		snprintf(err, errlen, "active tunnel %u: %s", tunnel, k->nl.err);
		return -EIO;
	}
	return 0;
}

static int dev_reply(const struct nlmsghdr *nlh, void *data, char *err, size_t errlen)
{
	return msg_parse_dev(nlh, data, err, errlen);
}

/**
 * ike_kernel_tunnel_del - delete a tunnel and its SAs, if it exists
 * @k: the kernel handle
 * @ifindex: the device
 * @tunnel: the tunnel
 * @err: what went wrong
 * @errlen: its size
 *
 * A daemon starting over has no IKE state for SAs a predecessor left
 * behind (it was killed, say): they could only carry traffic the peer no
 * longer expects, so they go before anything is negotiated.
 *
 * Return: 0 (also if there was no such tunnel) or -EIO.
 */
int ike_kernel_tunnel_del(struct ike_kernel *k, int ifindex, uint8_t tunnel,
			  char *err, size_t errlen)
{
	struct tunnel_del_args a = { .id = tunnel };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int r;

	msg_tunnel_del(nl_msg(&k->nl, buf, false), (uint32_t)ifindex, &a);
	r = nl_request(&k->nl, (struct nlmsghdr *)buf, NULL, NULL);
	if (r < 0 && r != -ENOENT) {
		snprintf(err, errlen, "delete tunnel %u: %s", tunnel, k->nl.err);
		return -EIO;
	}
	return 0;
}

/**
 * ike_kernel_rx_packets - packets the kernel authenticated, per tunnel
 * @k: the kernel handle
 * @ifindex: the device
 * @rx: set to each tunnel's count (0 for an absent tunnel)
 * @err: what went wrong
 * @errlen: its size
 *
 * A count that moved since the last look proves the peer alive, to the
 * daemon's tick rather than to the second of S2SVPN_A_TUNNEL_LAST_RX.
 *
 * Return: 0 or -EIO.
 */
int ike_kernel_rx_packets(struct ike_kernel *k, int ifindex, uint64_t rx[S2SVPN_TUNNELS],
			  char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dev_info d;

	memset(&d, 0, sizeof(d));
	msg_dev_get(nl_msg(&k->nl, buf, false), (uint32_t)ifindex);
	if (nl_request(&k->nl, (struct nlmsghdr *)buf, dev_reply, &d) < 0) {
		snprintf(err, errlen, "device %d: %s", ifindex, k->nl.err);
		return -EIO;
	}
	for (int i = 0; i < S2SVPN_TUNNELS; i++)
		rx[i] = d.tunnels[i].present ? d.tunnels[i].stats.v[S2SVPN_A_STATS_RX_PACKETS] : 0;
	return 0;
}

int ike_kernel_events_fd(struct ike_kernel *k)
{
	return mnl_socket_get_fd(k->events.sock);
}

struct events_ctx {
	ike_kernel_event_cb cb;
	void *data;
};

static int event_one(const struct nlmsghdr *nlh, void *data, char *err, size_t errlen)
{
	struct events_ctx *ctx = data;
	struct ike_kernel_event out = { 0 };
	struct event ev;

	if (msg_parse_event(nlh, &ev, err, errlen) < 0)
		return -1;
	out.ifindex = (int)ev.ifindex;
	out.tunnel = ev.tunnel;
	switch (ev.kind) {
	case EV_SA_EXPIRE:
		out.kind = IKE_KERNEL_SA_EXPIRE;
		out.inbound = ev.dir == S2SVPN_DIR_IN;
		out.spi = ev.spi;
		out.hard = ev.hard;
		break;
	case EV_SOCK_DETACH:
		out.kind = IKE_KERNEL_SOCK_DETACH;
		break;
	case EV_TUNNEL_STATE:
		out.kind = IKE_KERNEL_TUNNEL_STATE;
		out.usable = ev.state == S2SVPN_TUNNEL_USABLE;
		break;
	}
	ctx->cb(&out, ctx->data);
	return 0;
}

/**
 * ike_kernel_events_read - handle the events waiting on the events socket
 * @k: the kernel handle
 * @cb: called once per event
 * @data: for @cb
 * @err: what went wrong
 * @errlen: its size
 *
 * Non-blocking: for the event loop, when ike_kernel_events_fd() is readable.
 *
 * Return: 0, or a negative errno (-ENOBUFS: events were lost; the caller
 * should resynchronize its view of the tunnels).
 */
int ike_kernel_events_read(struct ike_kernel *k, ike_kernel_event_cb cb, void *data,
			   char *err, size_t errlen)
{
	struct events_ctx ctx = { cb, data };

	for (;;) {
		ssize_t n = mnl_socket_recvfrom(k->events.sock, k->events.buf,
						MNL_SOCKET_BUFFER_SIZE);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)k->events.buf;
		int len = (int)n;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0) {
			snprintf(err, errlen, "events: %s", strerror(errno));
			return -errno;
		}
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type != k->events.family)
				continue;
			if (event_one(nlh, &ctx, err, errlen) < 0)
				return -EBADMSG;
		}
	}
}

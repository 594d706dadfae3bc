// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink socket: resolving the "s2svpn" family and its
 * "events" group through the controller, sending a request and reading
 * every part of the answer (a dump spans as many messages and recv()
 * calls as it needs) up to the ACK or NLMSG_DONE, and turning an error
 * into a message with the kernel's extack text and the name of the
 * offending attribute.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* also given by userspace-ike, which links this file */
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>

#include "s2svpnctl.h"

/*
 * The kernel sizes dump skbs up to 32 KiB (and to what recvmsg() asked
 * before): twice that never truncates.
 */
#define NL_RECV_SIZE	65536

static void nl_seterr(struct nl *nl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void nl_seterr(struct nl *nl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(nl->err, sizeof(nl->err), fmt, ap);
	va_end(ap);
}

/* ---- extack ----------------------------------------------------------- */

struct extack {
	const char *msg;
	bool has_offs, has_miss_type, has_miss_nest;
	uint32_t offs, miss_type, miss_nest;
};

static int extack_attr(const struct nlattr *a, void *data)
{
	struct extack *ext = data;

	switch (mnl_attr_get_type(a)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			ext->msg = mnl_attr_get_str(a);
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
			ext->has_offs = true;
			ext->offs = mnl_attr_get_u32(a);
		}
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
			ext->has_miss_type = true;
			ext->miss_type = mnl_attr_get_u32(a);
		}
		break;
	case NLMSGERR_ATTR_MISS_NEST:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
			ext->has_miss_nest = true;
			ext->miss_nest = mnl_attr_get_u32(a);
		}
		break;
	}
	return MNL_CB_OK;
}

/* TLVs after OFFSET bytes of payload, if the kernel added any. */
static void extack_parse(const struct nlmsghdr *nlh, size_t offset,
			 struct extack *ext)
{
	memset(ext, 0, sizeof(*ext));
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    offset >= mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_parse(nlh, (unsigned int)offset, extack_attr, ext);
}

/* "sa.spi", "sa.salt (missing)": what the kernel pointed at, if anything. */
static void extack_attr_desc(const struct extack *ext,
			     const struct nlmsghdr *req, char *buf, size_t len)
{
	enum attr_set set = SET_DEV;
	char path[96], name[64];

	buf[0] = '\0';
	if (ext->has_offs && req &&
	    msg_attr_path(req, ext->offs, &set, path, sizeof(path)))
		snprintf(buf, len, "attribute %s", path);
	if (!ext->has_miss_type)
		return;
	path[0] = '\0';
	set = SET_DEV;
	if (ext->has_miss_nest && req &&
	    !msg_attr_path(req, ext->miss_nest, &set, path, sizeof(path)))
		set = SET_NONE;
	msg_attr_name(set, (uint16_t)ext->miss_type, name, sizeof(name));
	snprintf(buf, len, "missing attribute %s%s%s", path, path[0] ? "." : "",
		 name);
}

static int nl_error(struct nl *nl, const struct nlmsghdr *req, int error,
		    const struct extack *ext)
{
	char attr[200];

	extack_attr_desc(ext, req, attr, sizeof(attr));
	if (ext->msg && attr[0])
		nl_seterr(nl, "%s (%s): %s", ext->msg, attr, strerror(error));
	else if (ext->msg)
		nl_seterr(nl, "%s: %s", ext->msg, strerror(error));
	else if (attr[0])
		nl_seterr(nl, "%s: %s", attr, strerror(error));
	else
		nl_seterr(nl, "%s", strerror(error));
	if (error == EPERM)
		strncat(nl->err, " (needs CAP_NET_ADMIN)",
			sizeof(nl->err) - strlen(nl->err) - 1);
	return -error;
}

/* NLMSG_ERROR: an ACK (error 0, maybe with a warning) or the error. */
static int nl_handle_error(struct nl *nl, const struct nlmsghdr *nlh,
			   const struct nlmsghdr *req)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct extack ext;
	size_t off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		nl_seterr(nl, "truncated netlink error message");
		return -EBADMSG;
	}
	/* Without NETLINK_CAP_ACK the request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len > sizeof(struct nlmsghdr))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	extack_parse(nlh, off, &ext);
	if (e->error == 0) {
		if (ext.msg)
			fprintf(stderr, "s2svpnctl: warning: %s\n", ext.msg);
		return 0;
	}
	return nl_error(nl, req, e->error < 0 ? -e->error : e->error, &ext);
}

/* NLMSG_DONE ends a dump; it carries an error if the dump failed. */
static int nl_handle_done(struct nl *nl, const struct nlmsghdr *nlh,
			  const struct nlmsghdr *req)
{
	struct extack ext;
	int error = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int))
		memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(int));
	if (error == 0)
		return 0;
	extack_parse(nlh, sizeof(int), &ext);
	return nl_error(nl, req, error < 0 ? -error : error, &ext);
}

/* ---- requests --------------------------------------------------------- */

/*
 * 1: REQ's answer is complete (*ret says how it ended), 0: read on.
 * Messages of an earlier request (a late ACK) are skipped by sequence.
 */
int nl_dispatch(struct nl *nl, const struct nlmsghdr *req, int len,
		nl_cb cb, void *data, int *ret)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->buf;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (!mnl_nlmsg_portid_ok(nlh, nl->portid) ||
		    !mnl_nlmsg_seq_ok(nlh, req->nlmsg_seq))
			continue;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			continue;
		case NLMSG_OVERRUN:
			nl_seterr(nl, "netlink overrun: %s", strerror(ENOBUFS));
			*ret = -ENOBUFS;
			return 1;
		case NLMSG_ERROR:
			*ret = nl_handle_error(nl, nlh, req);
			return 1;
		case NLMSG_DONE:
			*ret = nl_handle_done(nl, nlh, req);
			return 1;
		}
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			nl->dump_intr = true;
		if (nlh->nlmsg_type != nl->family || !cb)
			continue;
		*ret = cb(nlh, data, nl->err, sizeof(nl->err));
		if (*ret < 0)
			return 1;
	}
	return 0;
}

int nl_request(struct nl *nl, struct nlmsghdr *req, nl_cb cb, void *data)
{
	int ret = 0;

	nl->err[0] = '\0';
	nl->dump_intr = false;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0) {
		ret = -errno;
		nl_seterr(nl, "send: %s", strerror(-ret));
		return ret;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, NL_RECV_SIZE);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			nl_seterr(nl, "receive: %s", strerror(-ret));
			return ret;
		}
		if (nl_dispatch(nl, req, (int)n, cb, data, &ret))
			return ret;
	}
}

struct nlmsghdr *nl_msg(struct nl *nl, void *buf, bool dump)
{
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;

	if (dump)
		flags |= NLM_F_DUMP;
	return msg_start(buf, nl->family, flags, ++nl->seq);
}

void nl_wipe(struct nl *nl)
{
	if (nl->buf)
		explicit_bzero(nl->buf, NL_RECV_SIZE);
}

/* ---- the family ------------------------------------------------------- */

static int ctrl_group(const struct nlattr *nest, struct nl *nl)
{
	const struct nlattr *a;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			name = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
			 mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			id = mnl_attr_get_u32(a);
	}
	if (name && !strcmp(name, S2SVPN_MCGRP_EVENTS))
		nl->events_group = id;
	return 0;
}

static int ctrl_reply(const struct nlmsghdr *nlh, void *data, char *err,
		      size_t errlen)
{
	struct nl *nl = data;
	const struct nlattr *a, *g;

	(void)err;
	(void)errlen;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U16) == 0)
				nl->family = mnl_attr_get_u16(a);
			break;
		case CTRL_ATTR_VERSION:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				nl->version = mnl_attr_get_u32(a);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
				break;
			mnl_attr_for_each_nested(g, a)
				if (mnl_attr_validate(g, MNL_TYPE_NESTED) == 0)
					ctrl_group(g, nl);
			break;
		}
	}
	return 0;
}

static int nl_resolve(struct nl *nl)
{
	char buf[256];
	struct nlmsghdr *req;
	int r;

	/* The controller's replies have its type, not ours. */
	nl->family = GENL_ID_CTRL;
	req = msg_start(buf, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, ++nl->seq);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(req))->cmd = CTRL_CMD_GETFAMILY;
	((struct genlmsghdr *)mnl_nlmsg_get_payload(req))->version = 1;
	mnl_attr_put_strz(req, CTRL_ATTR_FAMILY_NAME, S2SVPN_FAMILY_NAME);
	r = nl_request(nl, req, ctrl_reply, nl);
	if (r == -ENOENT) {
		nl_seterr(nl, "s2svpn: generic netlink family not found: "
			  "is the s2svpn module loaded? (modprobe s2svpn)");
		return r;
	}
	if (r == 0 && (nl->family == GENL_ID_CTRL || nl->family == 0)) {
		nl_seterr(nl, "generic netlink controller: no family id for s2svpn");
		return -EPROTO;
	}
	/* Newer kernels only add attributes: an older one may lack some. */
	if (r == 0 && nl->version < S2SVPN_FAMILY_VERSION)
		fprintf(stderr, "s2svpnctl: warning: the kernel's s2svpn family is "
			"version %u, s2svpnctl speaks version %d\n",
			nl->version, S2SVPN_FAMILY_VERSION);
	return r;
}

/* The socket alone, without looking the family up. */
int nl_socket(struct nl *nl)
{
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->buf = malloc(NL_RECV_SIZE);
	if (!nl->buf) {
		nl_seterr(nl, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		nl_seterr(nl, "netlink socket: %s", strerror(e));
		return -e;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	/*
	 * Extended ACKs carry the kernel's explanation; capped ACKs do not
	 * echo the request back, which for SA_NEW holds keys. Both are
	 * best effort: kernels older than 4.12 just lack them.
	 */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
}

int nl_open(struct nl *nl)
{
	int r = nl_socket(nl);

	return r ? r : nl_resolve(nl);
}

int nl_subscribe_events(struct nl *nl)
{
	if (!nl->events_group) {
		nl_seterr(nl, "the s2svpn family has no \"%s\" multicast group",
			  S2SVPN_MCGRP_EVENTS);
		return -ENOENT;
	}
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP,
				  &nl->events_group,
				  sizeof(nl->events_group)) < 0) {
		int e = errno;

		nl_seterr(nl, "joining the events group: %s", strerror(e));
		return -e;
	}
	return 0;
}

/*
 * Read multicast messages forever; cb gets every message of the family.
 * A full socket buffer loses events (ENOBUFS): say so and go on.
 */
int nl_listen(struct nl *nl, nl_cb cb, void *data)
{
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, NL_RECV_SIZE);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->buf;
		int len = (int)n;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			fprintf(stderr, "s2svpnctl: warning: events lost (receive buffer overrun)\n");
			continue;
		}
		if (n < 0) {
			int e = errno;

			nl_seterr(nl, "receive: %s", strerror(e));
			return -e;
		}
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type != nl->family)
				continue;
			if (cb(nlh, data, nl->err, sizeof(nl->err)) < 0)
				return -EBADMSG;
		}
	}
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
	if (nl->buf) {
		nl_wipe(nl);
		free(nl->buf);
	}
	nl->buf = NULL;
}

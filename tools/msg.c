// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink messages of the s2svpn family: requests built from the parsed
 * arguments, replies and events parsed into structs. Works on buffers
 * only (no socket), so it is unit tested with hand-made messages.
 *
 * Every received attribute is validated against its expected type and
 * length before use; attributes this version does not know are skipped,
 * so a newer kernel can add some.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* also given by userspace-ike, which links this file */
#endif
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>

#include "s2svpnctl.h"

/* What an attribute must look like; R_NONE: unknown here, skipped. */
enum rule {
	R_NONE,
	R_U8,
	R_U16,
	R_U32,
	R_U64,		/* 8 bytes; 4 accepted too (nla_put_uint() style) */
	R_FLAG,
	R_STR,		/* NUL-terminated */
	R_NEST,
	R_BIN4,
	R_BIN16,
};

struct set_desc {
	const char *name;
	unsigned int max;
	const uint8_t *rules;
	const char *const *names;
};

static const uint8_t dev_rules[S2SVPN_A_MAX + 1] = {
	[S2SVPN_A_IFINDEX] = R_U32,
	[S2SVPN_A_IFNAME] = R_STR,
	[S2SVPN_A_ACTIVE_TUNNEL] = R_U8,
	[S2SVPN_A_DF] = R_U8,
	[S2SVPN_A_MSS_CLAMP] = R_U16,
	[S2SVPN_A_TUNNEL] = R_NEST,
	[S2SVPN_A_SA] = R_NEST,
	[S2SVPN_A_NET_STATS] = R_NEST,
};

static const uint8_t tunnel_rules[S2SVPN_A_TUNNEL_MAX + 1] = {
	[S2SVPN_A_TUNNEL_ID] = R_U8,
	[S2SVPN_A_TUNNEL_SOCK_FD] = R_U32,
	[S2SVPN_A_TUNNEL_LOCAL4] = R_BIN4,
	[S2SVPN_A_TUNNEL_REMOTE4] = R_BIN4,
	[S2SVPN_A_TUNNEL_LOCAL6] = R_BIN16,
	[S2SVPN_A_TUNNEL_REMOTE6] = R_BIN16,
	[S2SVPN_A_TUNNEL_REMOTE_PORT] = R_U16,
	[S2SVPN_A_TUNNEL_LOCAL_PORT] = R_U16,
	[S2SVPN_A_TUNNEL_INSIDE_PEER4] = R_BIN4,
	[S2SVPN_A_TUNNEL_INSIDE_PEER6] = R_BIN16,
	[S2SVPN_A_TUNNEL_STATE] = R_U8,
	[S2SVPN_A_TUNNEL_LAST_RX] = R_U64,
	[S2SVPN_A_TUNNEL_STATS] = R_NEST,
};

static const uint8_t sa_rules[S2SVPN_A_SA_MAX + 1] = {
	[S2SVPN_A_SA_TUNNEL_ID] = R_U8,
	[S2SVPN_A_SA_DIR] = R_U8,
	[S2SVPN_A_SA_SPI] = R_U32,
	[S2SVPN_A_SA_ALG] = R_STR,
	[S2SVPN_A_SA_ICV_LEN] = R_U8,
	[S2SVPN_A_SA_REPLAY_WINDOW] = R_U32,
	[S2SVPN_A_SA_ESN] = R_FLAG,
	[S2SVPN_A_SA_SOFT_BYTES] = R_U64,
	[S2SVPN_A_SA_HARD_BYTES] = R_U64,
	[S2SVPN_A_SA_SOFT_PACKETS] = R_U64,
	[S2SVPN_A_SA_HARD_PACKETS] = R_U64,
	[S2SVPN_A_SA_SEQ] = R_U64,
	[S2SVPN_A_SA_AGE] = R_U64,
	[S2SVPN_A_SA_STATS] = R_NEST,
	[S2SVPN_A_SA_EXPIRE] = R_U8,
	[S2SVPN_A_SA_HARD] = R_FLAG,
	[S2SVPN_A_SA_CURRENT] = R_FLAG,
};

static const uint8_t stats_rules[S2SVPN_A_STATS_MAX + 1] = {
	[S2SVPN_A_STATS_RX_PACKETS] = R_U64,
	[S2SVPN_A_STATS_RX_BYTES] = R_U64,
	[S2SVPN_A_STATS_TX_PACKETS] = R_U64,
	[S2SVPN_A_STATS_TX_BYTES] = R_U64,
	[S2SVPN_A_STATS_DROP_REPLAY] = R_U64,
	[S2SVPN_A_STATS_DROP_AUTH] = R_U64,
	[S2SVPN_A_STATS_DROP_UNKNOWN_SPI] = R_U64,
	[S2SVPN_A_STATS_DROP_TRAILER] = R_U64,
	[S2SVPN_A_STATS_DROP_MALFORMED] = R_U64,
	[S2SVPN_A_STATS_DROP_TOO_BIG] = R_U64,
	[S2SVPN_A_STATS_DROP_NO_SA] = R_U64,
	[S2SVPN_A_STATS_DROP_OTHER] = R_U64,
};

/* The spec's attribute names (uapi/s2svpn.yaml), for error messages. */
static const char *const dev_names[S2SVPN_A_MAX + 1] = {
	"unspec", "ifindex", "ifname", "active-tunnel", "df", "mss-clamp",
	"tunnel", "sa", "net-stats", "pad",
};

static const char *const tunnel_names[S2SVPN_A_TUNNEL_MAX + 1] = {
	"unspec", "id", "sock-fd", "local4", "remote4", "local6", "remote6",
	"remote-port", "local-port", "inside-peer4", "inside-peer6", "state",
	"last-rx", "stats", "pad",
};

static const char *const sa_names[S2SVPN_A_SA_MAX + 1] = {
	"unspec", "tunnel-id", "dir", "spi", "alg", "enc-key", "auth-key",
	"salt", "icv-len", "replay-window", "esn", "soft-bytes", "hard-bytes",
	"soft-packets", "hard-packets", "seq", "age", "stats", "expire",
	"hard", "current", "pad",
};

static const char *const stats_names[S2SVPN_A_STATS_MAX + 1] = {
	"unspec", "rx-packets", "rx-bytes", "tx-packets", "tx-bytes",
	"drop-replay", "drop-auth", "drop-unknown-spi", "drop-trailer",
	"drop-malformed", "drop-too-big", "drop-no-sa", "drop-other", "pad",
};

static const struct set_desc sets[] = {
	[SET_DEV] = { "dev", S2SVPN_A_MAX, dev_rules, dev_names },
	[SET_TUNNEL] = { "tunnel", S2SVPN_A_TUNNEL_MAX, tunnel_rules,
			 tunnel_names },
	[SET_SA] = { "sa", S2SVPN_A_SA_MAX, sa_rules, sa_names },
	[SET_STATS] = { "stats", S2SVPN_A_STATS_MAX, stats_rules, stats_names },
};

const char *msg_attr_name(enum attr_set set, uint16_t type, char *buf,
			  size_t len)
{
	if (set < SET_NONE && type <= sets[set].max)
		snprintf(buf, len, "%s", sets[set].names[type]);
	else
		snprintf(buf, len, "%s attribute %u",
			 set < SET_NONE ? sets[set].name : "unknown", type);
	return buf;
}

/* The set a nest attribute of SET holds, SET_NONE if not a nest. */
static enum attr_set nest_set(enum attr_set set, uint16_t type)
{
	switch (set) {
	case SET_DEV:
		return type == S2SVPN_A_TUNNEL ? SET_TUNNEL :
		       type == S2SVPN_A_SA ? SET_SA :
		       type == S2SVPN_A_NET_STATS ? SET_STATS : SET_NONE;
	case SET_TUNNEL:
		return type == S2SVPN_A_TUNNEL_STATS ? SET_STATS : SET_NONE;
	case SET_SA:
		return type == S2SVPN_A_SA_STATS ? SET_STATS : SET_NONE;
	default:
		return SET_NONE;
	}
}



/* 1: valid and known, 0: unknown (skip it), -1: malformed. */
static int attr_check(const struct nlattr *a, enum attr_set set, char *err,
		      size_t errlen)
{
	const struct set_desc *d = &sets[set];
	uint16_t type = mnl_attr_get_type(a);
	int r;

	if (type > d->max || d->rules[type] == R_NONE)
		return 0;
	switch (d->rules[type]) {
	case R_U8:
		r = mnl_attr_validate(a, MNL_TYPE_U8);
		break;
	case R_U16:
		r = mnl_attr_validate(a, MNL_TYPE_U16);
		break;
	case R_U32:
		r = mnl_attr_validate(a, MNL_TYPE_U32);
		break;
	case R_U64:
		r = mnl_attr_validate(a, mnl_attr_get_payload_len(a) == 4 ?
				      MNL_TYPE_U32 : MNL_TYPE_U64);
		break;
	case R_FLAG:
		r = mnl_attr_validate(a, MNL_TYPE_FLAG);
		break;
	case R_STR:
		r = mnl_attr_validate(a, MNL_TYPE_NUL_STRING);
		break;
	case R_NEST:
		r = mnl_attr_validate(a, MNL_TYPE_NESTED);
		break;
	case R_BIN4:
		r = mnl_attr_validate2(a, MNL_TYPE_BINARY, 4);
		break;
	default:
		r = mnl_attr_validate2(a, MNL_TYPE_BINARY, 16);
		break;
	}
	if (r < 0)
		return errfmt(err, errlen,
			    "malformed attribute %s.%s in the kernel's message (%u bytes): %s",
			    d->name, d->names[type], mnl_attr_get_payload_len(a),
			    strerror(errno));
	return 1;
}

static uint64_t get_u64(const struct nlattr *a)
{
	if (mnl_attr_get_payload_len(a) == 4)
		return mnl_attr_get_u32(a);
	return mnl_attr_get_u64(a);
}

static int get_str(const struct nlattr *a, char *buf, size_t len,
		   const char *what, char *err, size_t errlen)
{
	const char *s = mnl_attr_get_str(a);
	size_t n = strnlen(s, mnl_attr_get_payload_len(a));

	if (n >= len)
		return errfmt(err, errlen, "%s in the kernel's message is too long",
			    what);
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

static void get_addr(const struct nlattr *a, int family, struct addr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = family;
	memcpy(out->bytes, mnl_attr_get_payload(a),
	       family == AF_INET ? 4 : 16);
}

/* ---- requests --------------------------------------------------------- */

struct nlmsghdr *msg_start(void *buf, uint16_t family, uint16_t flags,
			   uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = S2SVPN_CMD_UNSPEC;
	genl->version = S2SVPN_FAMILY_VERSION;
	return nlh;
}

static void set_cmd(struct nlmsghdr *nlh, uint8_t cmd)
{
	struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);

	genl->cmd = cmd;
}

static void put_addr(struct nlmsghdr *nlh, uint16_t type4, uint16_t type6,
		     const struct addr *a)
{
	if (a->family == AF_INET)
		mnl_attr_put(nlh, type4, 4, a->bytes);
	else if (a->family == AF_INET6)
		mnl_attr_put(nlh, type6, 16, a->bytes);
}

/* ifindex 0: a dump of all devices. */
void msg_dev_get(struct nlmsghdr *nlh, uint32_t ifindex)
{
	set_cmd(nlh, S2SVPN_CMD_DEV_GET);
	if (ifindex)
		mnl_attr_put_u32(nlh, S2SVPN_A_IFINDEX, ifindex);
}

void msg_sa_dump(struct nlmsghdr *nlh, uint32_t ifindex)
{
	set_cmd(nlh, S2SVPN_CMD_SA_GET);
	mnl_attr_put_u32(nlh, S2SVPN_A_IFINDEX, ifindex);
}

void msg_dev_set(struct nlmsghdr *nlh, uint32_t ifindex,
		 const struct dev_set_args *a)
{
	set_cmd(nlh, S2SVPN_CMD_DEV_SET);
	mnl_attr_put_u32(nlh, S2SVPN_A_IFINDEX, ifindex);
	if (a->has_active)
		mnl_attr_put_u8(nlh, S2SVPN_A_ACTIVE_TUNNEL, a->active_tunnel);
	if (a->has_df)
		mnl_attr_put_u8(nlh, S2SVPN_A_DF, a->df);
	if (a->has_mss)
		mnl_attr_put_u16(nlh, S2SVPN_A_MSS_CLAMP, a->mss_clamp);
}

/*
 * The whole tunnel is described every time (ports default to 4500), so
 * "tunnel set" is declarative: running it twice gives the same tunnel.
 */
void msg_tunnel_set(struct nlmsghdr *nlh, uint32_t ifindex,
		    const struct tunnel_set_args *a)
{
	struct nlattr *nest;

	set_cmd(nlh, S2SVPN_CMD_TUNNEL_SET);
	mnl_attr_put_u32(nlh, S2SVPN_A_IFINDEX, ifindex);
	nest = mnl_attr_nest_start(nlh, S2SVPN_A_TUNNEL);
	mnl_attr_put_u8(nlh, S2SVPN_A_TUNNEL_ID, a->id);
	put_addr(nlh, S2SVPN_A_TUNNEL_REMOTE4, S2SVPN_A_TUNNEL_REMOTE6,
		 &a->remote);
	put_addr(nlh, S2SVPN_A_TUNNEL_LOCAL4, S2SVPN_A_TUNNEL_LOCAL6, &a->local);
	mnl_attr_put_u16(nlh, S2SVPN_A_TUNNEL_REMOTE_PORT, a->remote_port);
	if (a->has_sock_fd)
		mnl_attr_put_u32(nlh, S2SVPN_A_TUNNEL_SOCK_FD, (uint32_t)a->sock_fd);
	else
		mnl_attr_put_u16(nlh, S2SVPN_A_TUNNEL_LOCAL_PORT, a->listen_port);
	put_addr(nlh, S2SVPN_A_TUNNEL_INSIDE_PEER4, S2SVPN_A_TUNNEL_INSIDE_PEER6,
		 &a->inside4);
	put_addr(nlh, S2SVPN_A_TUNNEL_INSIDE_PEER4, S2SVPN_A_TUNNEL_INSIDE_PEER6,
		 &a->inside6);
	mnl_attr_nest_end(nlh, nest);
}

void msg_tunnel_del(struct nlmsghdr *nlh, uint32_t ifindex,
		    const struct tunnel_del_args *a)
{
	struct nlattr *nest;

	set_cmd(nlh, S2SVPN_CMD_TUNNEL_DEL);
	mnl_attr_put_u32(nlh, S2SVPN_A_IFINDEX, ifindex);
	nest = mnl_attr_nest_start(nlh, S2SVPN_A_TUNNEL);
	mnl_attr_put_u8(nlh, S2SVPN_A_TUNNEL_ID, a->id);
	mnl_attr_nest_end(nlh, nest);
}

static void put_sa_id(struct nlmsghdr *nlh, const struct sa_args *a)
{
	mnl_attr_put_u8(nlh, S2SVPN_A_SA_TUNNEL_ID, a->tunnel);
	mnl_attr_put_u8(nlh, S2SVPN_A_SA_DIR, a->dir);
	mnl_attr_put_u32(nlh, S2SVPN_A_SA_SPI, a->spi);
}

/* The message holds keys: the caller wipes the buffer once it is sent. */
void msg_sa_new(struct nlmsghdr *nlh, uint32_t ifindex,
		const struct sa_args *a, const struct keys *k)
{
	struct nlattr *nest;

	set_cmd(nlh, S2SVPN_CMD_SA_NEW);
	mnl_attr_put_u32(nlh, S2SVPN_A_IFINDEX, ifindex);
	nest = mnl_attr_nest_start(nlh, S2SVPN_A_SA);
	put_sa_id(nlh, a);
	mnl_attr_put_strz(nlh, S2SVPN_A_SA_ALG, a->alg->name);
	mnl_attr_put(nlh, S2SVPN_A_SA_ENC_KEY, k->enc_len, k->enc);
	if (k->auth_len)
		mnl_attr_put(nlh, S2SVPN_A_SA_AUTH_KEY, k->auth_len, k->auth);
	if (k->salt_len)
		mnl_attr_put(nlh, S2SVPN_A_SA_SALT, k->salt_len, k->salt);
	if (a->has_icv)
		mnl_attr_put_u8(nlh, S2SVPN_A_SA_ICV_LEN, a->icv_len);
	if (a->has_replay)
		mnl_attr_put_u32(nlh, S2SVPN_A_SA_REPLAY_WINDOW, a->replay_window);
	if (a->esn)
		mnl_attr_put(nlh, S2SVPN_A_SA_ESN, 0, NULL);
	if (a->has_soft_bytes)
		mnl_attr_put_u64(nlh, S2SVPN_A_SA_SOFT_BYTES, a->soft_bytes);
	if (a->has_hard_bytes)
		mnl_attr_put_u64(nlh, S2SVPN_A_SA_HARD_BYTES, a->hard_bytes);
	if (a->has_soft_packets)
		mnl_attr_put_u64(nlh, S2SVPN_A_SA_SOFT_PACKETS, a->soft_packets);
	if (a->has_hard_packets)
		mnl_attr_put_u64(nlh, S2SVPN_A_SA_HARD_PACKETS, a->hard_packets);
	mnl_attr_nest_end(nlh, nest);
}

void msg_sa_del(struct nlmsghdr *nlh, uint32_t ifindex,
		const struct sa_args *a)
{
	struct nlattr *nest;

	set_cmd(nlh, S2SVPN_CMD_SA_DEL);
	mnl_attr_put_u32(nlh, S2SVPN_A_IFINDEX, ifindex);
	nest = mnl_attr_nest_start(nlh, S2SVPN_A_SA);
	put_sa_id(nlh, a);
	mnl_attr_nest_end(nlh, nest);
}

/* ---- replies and events ----------------------------------------------- */

static int parse_stats(const struct nlattr *nest, struct stats *st,
		       char *err, size_t errlen)
{
	const struct nlattr *a;

	memset(st, 0, sizeof(*st));
	st->present = true;
	mnl_attr_for_each_nested(a, nest) {
		int r = attr_check(a, SET_STATS, err, errlen);
		uint16_t type = mnl_attr_get_type(a);

		if (r < 0)
			return -1;
		if (r == 0 || type >= STATS_N)
			continue;
		st->has[type] = true;
		st->v[type] = get_u64(a);
	}
	return 0;
}

static int tunnel_attr(const struct nlattr *a, struct tunnel_info *t,
		       char *err, size_t errlen)
{
	switch (mnl_attr_get_type(a)) {
	case S2SVPN_A_TUNNEL_ID:
		t->present = true;
		t->id = mnl_attr_get_u8(a);
		break;
	case S2SVPN_A_TUNNEL_LOCAL4:
		get_addr(a, AF_INET, &t->local);
		break;
	case S2SVPN_A_TUNNEL_LOCAL6:
		get_addr(a, AF_INET6, &t->local);
		break;
	case S2SVPN_A_TUNNEL_REMOTE4:
		get_addr(a, AF_INET, &t->remote);
		break;
	case S2SVPN_A_TUNNEL_REMOTE6:
		get_addr(a, AF_INET6, &t->remote);
		break;
	case S2SVPN_A_TUNNEL_INSIDE_PEER4:
		get_addr(a, AF_INET, &t->inside4);
		break;
	case S2SVPN_A_TUNNEL_INSIDE_PEER6:
		get_addr(a, AF_INET6, &t->inside6);
		break;
	case S2SVPN_A_TUNNEL_REMOTE_PORT:
		t->has_remote_port = true;
		t->remote_port = mnl_attr_get_u16(a);
		break;
	case S2SVPN_A_TUNNEL_LOCAL_PORT:
		t->has_local_port = true;
		t->local_port = mnl_attr_get_u16(a);
		break;
	case S2SVPN_A_TUNNEL_STATE:
		t->has_state = true;
		t->state = mnl_attr_get_u8(a);
		break;
	case S2SVPN_A_TUNNEL_LAST_RX:
		t->has_last_rx = true;
		t->last_rx = get_u64(a);
		break;
	case S2SVPN_A_TUNNEL_STATS:
		return parse_stats(a, &t->stats, err, errlen);
	}
	return 0;
}

/* A tunnel nest; it must say which tunnel it is. */
static int parse_tunnel(const struct nlattr *nest, struct tunnel_info *t,
			char *err, size_t errlen)
{
	const struct nlattr *a;

	memset(t, 0, sizeof(*t));
	mnl_attr_for_each_nested(a, nest) {
		int r = attr_check(a, SET_TUNNEL, err, errlen);

		if (r < 0 || (r > 0 && tunnel_attr(a, t, err, errlen)))
			return -1;
	}
	if (!t->present)
		return errfmt(err, errlen, "tunnel without an id in the kernel's message");
	if (t->id >= S2SVPN_TUNNELS)
		return errfmt(err, errlen, "tunnel id %u in the kernel's message", t->id);
	return 0;
}

static int sa_attr(const struct nlattr *a, struct sa_info *s, char *err,
		   size_t errlen)
{
	uint16_t type = mnl_attr_get_type(a);

	switch (type) {
	case S2SVPN_A_SA_TUNNEL_ID:
		s->has_tunnel = true;
		s->tunnel = mnl_attr_get_u8(a);
		break;
	case S2SVPN_A_SA_DIR:
		s->has_dir = true;
		s->dir = mnl_attr_get_u8(a);
		break;
	case S2SVPN_A_SA_SPI:
		s->has_spi = true;
		s->spi = mnl_attr_get_u32(a);
		break;
	case S2SVPN_A_SA_ALG:
		return get_str(a, s->alg, sizeof(s->alg), "sa.alg", err, errlen);
	case S2SVPN_A_SA_ICV_LEN:
		s->has_icv = true;
		s->icv_len = mnl_attr_get_u8(a);
		break;
	case S2SVPN_A_SA_REPLAY_WINDOW:
		s->has_replay = true;
		s->replay_window = mnl_attr_get_u32(a);
		break;
	case S2SVPN_A_SA_ESN:
		s->esn = true;
		break;
	case S2SVPN_A_SA_CURRENT:
		s->current = true;
		break;
	case S2SVPN_A_SA_HARD:
		s->hard = true;
		break;
	case S2SVPN_A_SA_EXPIRE:
		s->has_expire = true;
		s->expire = mnl_attr_get_u8(a);
		break;
	case S2SVPN_A_SA_SOFT_BYTES:
	case S2SVPN_A_SA_HARD_BYTES:
	case S2SVPN_A_SA_SOFT_PACKETS:
	case S2SVPN_A_SA_HARD_PACKETS:
		s->has_limit[type - S2SVPN_A_SA_SOFT_BYTES] = true;
		s->limit[type - S2SVPN_A_SA_SOFT_BYTES] = get_u64(a);
		break;
	case S2SVPN_A_SA_SEQ:
		s->has_seq = true;
		s->seq = get_u64(a);
		break;
	case S2SVPN_A_SA_AGE:
		s->has_age = true;
		s->age = get_u64(a);
		break;
	case S2SVPN_A_SA_STATS:
		return parse_stats(a, &s->stats, err, errlen);
	}
	return 0;
}

static int parse_sa_nest(const struct nlattr *nest, struct sa_info *s,
			 char *err, size_t errlen)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		int r = attr_check(a, SET_SA, err, errlen);

		if (r < 0 || (r > 0 && sa_attr(a, s, err, errlen)))
			return -1;
	}
	return 0;
}

static int dev_attr(const struct nlattr *a, struct dev_info *d, char *err,
		    size_t errlen)
{
	struct tunnel_info t;

	switch (mnl_attr_get_type(a)) {
	case S2SVPN_A_IFINDEX:
		d->ifindex = mnl_attr_get_u32(a);
		break;
	case S2SVPN_A_IFNAME:
		return get_str(a, d->ifname, sizeof(d->ifname), "ifname", err,
			       errlen);
	case S2SVPN_A_ACTIVE_TUNNEL:
		d->has_active = true;
		d->active_tunnel = mnl_attr_get_u8(a);
		break;
	case S2SVPN_A_DF:
		d->has_df = true;
		d->df = mnl_attr_get_u8(a);
		break;
	case S2SVPN_A_MSS_CLAMP:
		d->has_mss = true;
		d->mss_clamp = mnl_attr_get_u16(a);
		break;
	case S2SVPN_A_TUNNEL:	/* one per tunnel */
		if (parse_tunnel(a, &t, err, errlen))
			return -1;
		d->tunnels[t.id] = t;
		break;
	case S2SVPN_A_NET_STATS:
		return parse_stats(a, &d->net_stats, err, errlen);
	}
	return 0;
}

int msg_parse_dev(const struct nlmsghdr *nlh, struct dev_info *d,
		  char *err, size_t errlen)
{
	const struct nlattr *a;

	memset(d, 0, sizeof(*d));
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		int r = attr_check(a, SET_DEV, err, errlen);

		if (r < 0 || (r > 0 && dev_attr(a, d, err, errlen)))
			return -1;
	}
	if (!d->ifindex)
		return errfmt(err, errlen, "device reply without an ifindex");
	return 0;
}

int msg_parse_sa(const struct nlmsghdr *nlh, struct sa_info *s,
		 char *err, size_t errlen)
{
	const struct nlattr *a;
	bool nest = false;

	memset(s, 0, sizeof(*s));
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		int r = attr_check(a, SET_DEV, err, errlen);

		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		if (mnl_attr_get_type(a) == S2SVPN_A_IFINDEX) {
			s->ifindex = mnl_attr_get_u32(a);
		} else if (mnl_attr_get_type(a) == S2SVPN_A_SA) {
			nest = true;
			if (parse_sa_nest(a, s, err, errlen))
				return -1;
		}
	}
	if (!nest || !s->has_tunnel || !s->has_dir || !s->has_spi)
		return errfmt(err, errlen,
			    "SA reply without sa.tunnel-id, sa.dir or sa.spi");
	if (s->tunnel >= S2SVPN_TUNNELS)
		return errfmt(err, errlen, "SA of tunnel %u in the kernel's reply",
			    s->tunnel);
	return 0;
}

static int event_attr(const struct nlattr *a, struct event *ev, char *err,
		      size_t errlen)
{
	struct tunnel_info t;
	struct sa_info s;

	switch (mnl_attr_get_type(a)) {
	case S2SVPN_A_IFINDEX:
		ev->ifindex = mnl_attr_get_u32(a);
		return 0;
	case S2SVPN_A_IFNAME:
		return get_str(a, ev->ifname, sizeof(ev->ifname), "ifname",
			       err, errlen);
	case S2SVPN_A_TUNNEL:
		if (parse_tunnel(a, &t, err, errlen))
			return -1;
		ev->has_tunnel = true;
		ev->tunnel = t.id;
		ev->has_state = t.has_state;
		ev->state = t.state;
		return 0;
	case S2SVPN_A_SA:
		memset(&s, 0, sizeof(s));
		if (parse_sa_nest(a, &s, err, errlen))
			return -1;
		ev->has_tunnel = s.has_tunnel;
		ev->tunnel = s.tunnel;
		ev->has_dir = s.has_dir;
		ev->dir = s.dir;
		ev->has_spi = s.has_spi;
		ev->spi = s.spi;
		ev->has_reason = s.has_expire;
		ev->reason = s.expire;
		ev->hard = s.hard;
		return 0;
	}
	return 0;
}

/* 0: parsed, 1: not an s2svpn event (skip it), -1: malformed. */
int msg_parse_event(const struct nlmsghdr *nlh, struct event *ev,
		    char *err, size_t errlen)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	memset(ev, 0, sizeof(*ev));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return errfmt(err, errlen, "truncated event");
	switch (genl->cmd) {
	case S2SVPN_CMD_SA_EXPIRE_NTF:
		ev->kind = EV_SA_EXPIRE;
		break;
	case S2SVPN_CMD_SOCK_DETACH_NTF:
		ev->kind = EV_SOCK_DETACH;
		break;
	case S2SVPN_CMD_TUNNEL_STATE_NTF:
		ev->kind = EV_TUNNEL_STATE;
		break;
	default:
		return 1;
	}
	mnl_attr_for_each(a, nlh, sizeof(*genl)) {
		int r = attr_check(a, SET_DEV, err, errlen);

		if (r < 0 || (r > 0 && event_attr(a, ev, err, errlen)))
			return -1;
	}
	return 0;
}

/* ---- naming attributes of our own requests ---------------------------- */

static const char *path_in(const struct nlattr *first, const void *end,
			   const char *base, uint32_t off, enum attr_set set,
			   enum attr_set *inner, char *buf, size_t len)
{
	const struct nlattr *a;
	int left = (int)((const char *)end - (const char *)first);

	for (a = first; mnl_attr_ok(a, left); a = mnl_attr_next(a)) {
		uint32_t start = (uint32_t)((const char *)a - base);
		uint16_t type = mnl_attr_get_type(a);
		enum attr_set sub = nest_set(set, type);
		size_t n;

		left = (int)((const char *)end - (const char *)a) -
		       (int)MNL_ALIGN(a->nla_len);
		if (off < start || off >= start + MNL_ALIGN(a->nla_len))
			continue;
		msg_attr_name(set, type, buf, len);
		if (off == start) {
			*inner = sub;
			return buf;
		}
		if (sub == SET_NONE)
			return NULL;
		n = strlen(buf);
		if (n + 1 >= len)
			return NULL;
		buf[n] = '.';
		if (!path_in(mnl_attr_get_payload(a),
			     (const char *)a + a->nla_len, base, off, sub, inner,
			     buf + n + 1, len - n - 1))
			return NULL;
		return buf;
	}
	return NULL;
}

/*
 * Name the attribute starting at byte OFFSET of our request REQ, as the
 * kernel's extack NLMSGERR_ATTR_OFFS/MISS_NEST gives it: "sa.spi". *inner
 * is the set a nest there holds (SET_NONE if not a nest).
 */
const char *msg_attr_path(const struct nlmsghdr *req, uint32_t offset,
			  enum attr_set *inner, char *buf, size_t len)
{
	const struct nlattr *first;

	first = mnl_nlmsg_get_payload_offset(req, sizeof(struct genlmsghdr));
	*inner = SET_NONE;
	if (len == 0)
		return NULL;
	buf[0] = '\0';
	return path_in(first, mnl_nlmsg_get_payload_tail(req),
		       (const char *)req, offset, SET_DEV, inner, buf, len);
}

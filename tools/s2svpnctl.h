/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpnctl: configure and inspect s2svpn devices over generic netlink.
 *
 * Layers, each in its own file:
 *   parse.c   command-line arguments and key files into plain structs
 *             (no I/O but reading the key file, no netlink)
 *   msg.c     those structs into netlink requests, and replies and events
 *             into structs (libmnl on buffers only, no socket)
 *   nl.c      the socket: family lookup, requests, dumps, extack errors
 *   output.c  text and JSON output
 *   help.c    the manual
 *   import_aws.c  AWS's configuration file into s2svpn-iked's (import_aws.h)
 *   s2svpnctl.c  main: glues the above together
 * Everything but nl.c and s2svpnctl.c is unit tested without a kernel.
 */
#ifndef S2SVPNCTL_H
#define S2SVPNCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <net/if.h>
#include <netinet/in.h>

#include <linux/s2svpn.h>

#define S2SVPNCTL_VERSION	"0.1.0"

/* Exit statuses, as documented in the manual. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* the operation failed (kernel, I/O, key file) */
	EXIT_USAGE = 2,		/* the command line is wrong */
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Room for one error message: parse functions fill it, main prints it. */
#define ERRLEN	256

/* ---- parse.c ---------------------------------------------------------- */

struct addr {
	int family;		/* AF_INET or AF_INET6; 0: not set */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	};
};

#define ALG_MAX_ICVS	3
#define ALG_MAX_ENC	2

struct alg {
	const char *name;	/* crypto API name sent to the kernel */
	const char *alias;	/* short name accepted on the command line */
	bool aead;		/* AEAD: salt, no auth key */
	uint8_t enc_lens[ALG_MAX_ENC];	/* allowed cipher key bytes; 0 ends */
	uint8_t auth_len;	/* HMAC key bytes; 0: none */
	uint8_t icvs[ALG_MAX_ICVS];	/* allowed ICV bytes, default first */
};

#define KEY_ENC_MAX	32
#define KEY_AUTH_MAX	64
#define KEY_SALT_LEN	4

/* Key material: always wipe with keys_wipe() once sent. */
struct keys {
	uint8_t enc[KEY_ENC_MAX];
	uint8_t auth[KEY_AUTH_MAX];
	uint8_t salt[KEY_SALT_LEN];
	size_t enc_len, auth_len, salt_len;
};

struct dev_set_args {
	char dev[IFNAMSIZ];
	bool has_active, has_df, has_mss;
	uint8_t active_tunnel;
	uint8_t df;		/* enum s2svpn_df */
	uint16_t mss_clamp;	/* 0: off */
};

struct tunnel_set_args {
	char dev[IFNAMSIZ];
	uint8_t id;
	struct addr remote, local;	/* local.family 0: not given */
	uint16_t remote_port;
	uint16_t listen_port;
	struct addr inside4, inside6;	/* family 0: not given */
	/* The caller's bound UDP socket instead of listen_port (the daemon). */
	bool has_sock_fd;
	int sock_fd;
};

struct tunnel_del_args {
	char dev[IFNAMSIZ];
	uint8_t id;
};

struct sa_args {
	char dev[IFNAMSIZ];
	uint8_t tunnel;
	uint8_t dir;		/* enum s2svpn_dir */
	uint32_t spi;
	/* sa add only */
	const struct alg *alg;
	const char *keyfile;	/* path or "-": points into argv */
	bool has_icv, has_replay, esn;
	uint8_t icv_len;
	uint32_t replay_window;
	bool has_soft_bytes, has_hard_bytes, has_soft_packets, has_hard_packets;
	uint64_t soft_bytes, hard_bytes, soft_packets, hard_packets;
};

int errfmt(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int parse_u64(const char *s, uint64_t *out);
int parse_uint(const char *s, uint64_t max, uint64_t *out);
int parse_spi(const char *s, uint32_t *spi, char *err, size_t errlen);
int parse_addr(const char *s, struct addr *a, char *err, size_t errlen);
int parse_port(const char *s, uint16_t *port, char *err, size_t errlen);
int parse_dev(const char *s, char *dev, char *err, size_t errlen);

const struct alg *alg_find(const char *name);
const struct alg *alg_at(size_t i);	/* NULL past the end */

int parse_dev_set(int argc, char **argv, struct dev_set_args *a,
		  char *err, size_t errlen);
int parse_tunnel_set(int argc, char **argv, struct tunnel_set_args *a,
		     char *err, size_t errlen);
int parse_tunnel_del(int argc, char **argv, struct tunnel_del_args *a,
		     char *err, size_t errlen);
int parse_sa_add(int argc, char **argv, struct sa_args *a,
		 char *err, size_t errlen);
int parse_sa_del(int argc, char **argv, struct sa_args *a,
		 char *err, size_t errlen);

int keys_parse(const char *name, const char *buf, size_t len,
	       const struct alg *alg, struct keys *k, char *err, size_t errlen);
int keys_load(const char *path, const struct alg *alg, struct keys *k,
	      char *err, size_t errlen);
void keys_wipe(struct keys *k);
/* Read FD to its end into BUF; -1 with errno EFBIG if it holds MAX or more. */
int read_all(int fd, char *buf, size_t max, size_t *len);

/* ---- msg.c ------------------------------------------------------------ */

struct nlmsghdr;

/* Counters of enum s2svpn_a_stats; has[] says which the kernel sent. */
#define STATS_N	(S2SVPN_A_STATS_DROP_OTHER + 1)

struct stats {
	bool present;
	bool has[STATS_N];
	uint64_t v[STATS_N];
};

struct tunnel_info {
	bool present;
	uint8_t id;
	struct addr local, remote, inside4, inside6;
	bool has_local_port, has_remote_port, has_state, has_last_rx;
	uint16_t local_port, remote_port;
	uint8_t state;
	uint64_t last_rx;
	struct stats stats;
};

struct dev_info {
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	bool has_active, has_df, has_mss;
	uint8_t active_tunnel, df;
	uint16_t mss_clamp;
	struct tunnel_info tunnels[S2SVPN_TUNNELS];
	struct stats net_stats;
};

struct sa_info {
	uint32_t ifindex;
	bool has_tunnel, has_dir, has_spi, has_icv, has_replay, has_seq, has_age;
	uint8_t tunnel, dir, icv_len;
	uint32_t spi, replay_window;
	char alg[64];
	bool esn, current;
	bool has_limit[4];	/* soft/hard bytes, soft/hard packets */
	uint64_t limit[4];
	uint64_t seq, age;
	struct stats stats;
	bool has_expire, hard;	/* events only */
	uint8_t expire;		/* enum s2svpn_expire_reason */
};

enum event_kind { EV_SA_EXPIRE, EV_SOCK_DETACH, EV_TUNNEL_STATE };

struct event {
	enum event_kind kind;
	uint32_t ifindex;
	char ifname[IFNAMSIZ];	/* empty: not sent */
	bool has_tunnel, has_dir, has_spi, has_reason, has_state;
	uint8_t tunnel, dir, reason, state;
	uint32_t spi;
	bool hard;
};

struct nlmsghdr *msg_start(void *buf, uint16_t family, uint16_t flags,
			   uint32_t seq);
void msg_dev_get(struct nlmsghdr *nlh, uint32_t ifindex);
void msg_sa_dump(struct nlmsghdr *nlh, uint32_t ifindex);
void msg_dev_set(struct nlmsghdr *nlh, uint32_t ifindex,
		 const struct dev_set_args *a);
void msg_tunnel_set(struct nlmsghdr *nlh, uint32_t ifindex,
		    const struct tunnel_set_args *a);
void msg_tunnel_del(struct nlmsghdr *nlh, uint32_t ifindex,
		    const struct tunnel_del_args *a);
void msg_sa_new(struct nlmsghdr *nlh, uint32_t ifindex,
		const struct sa_args *a, const struct keys *k);
void msg_sa_del(struct nlmsghdr *nlh, uint32_t ifindex,
		const struct sa_args *a);

int msg_parse_dev(const struct nlmsghdr *nlh, struct dev_info *d,
		  char *err, size_t errlen);
int msg_parse_sa(const struct nlmsghdr *nlh, struct sa_info *s,
		 char *err, size_t errlen);
int msg_parse_event(const struct nlmsghdr *nlh, struct event *ev,
		    char *err, size_t errlen);
/* Attribute sets, to name attributes in error messages. */
enum attr_set { SET_DEV, SET_TUNNEL, SET_SA, SET_STATS, SET_NONE };

const char *msg_attr_name(enum attr_set set, uint16_t type, char *buf,
			  size_t len);
const char *msg_attr_path(const struct nlmsghdr *req, uint32_t offset,
			  enum attr_set *inner, char *buf, size_t len);

/* ---- nl.c ------------------------------------------------------------- */

struct mnl_socket;

struct nl {
	struct mnl_socket *sock;
	char *buf;		/* receive buffer */
	uint32_t portid, seq;
	uint16_t family;	/* generic netlink id of "s2svpn" */
	uint32_t version;	/* the kernel's family version */
	uint32_t events_group;	/* 0: none */
	bool dump_intr;		/* the last dump saw NLM_F_DUMP_INTR */
	char err[512];		/* what went wrong, for the caller to print */
};

/* Called for each message of the family; < 0 (err filled) stops. */
typedef int (*nl_cb)(const struct nlmsghdr *nlh, void *data, char *err,
		     size_t errlen);

int nl_open(struct nl *nl);
void nl_close(struct nl *nl);
struct nlmsghdr *nl_msg(struct nl *nl, void *buf, bool dump);
int nl_request(struct nl *nl, struct nlmsghdr *req, nl_cb cb, void *data);
int nl_subscribe_events(struct nl *nl);
int nl_listen(struct nl *nl, nl_cb cb, void *data);
void nl_wipe(struct nl *nl);
/* For the unit tests: the socket without the family; one received batch. */
int nl_socket(struct nl *nl);
int nl_dispatch(struct nl *nl, const struct nlmsghdr *req, int len,
		nl_cb cb, void *data, int *ret);

/* ---- output.c --------------------------------------------------------- */

void fmt_bytes(uint64_t bytes, char *buf, size_t len);
void fmt_duration(uint64_t seconds, char *buf, size_t len);
void fmt_ago(uint64_t then, uint64_t now, char *buf, size_t len);
void fmt_addr(const struct addr *a, char *buf, size_t len);
void json_str(FILE *f, const char *s);
const char *df_name(uint8_t df);
const char *dir_name(uint8_t dir);
const char *stat_key(unsigned int i);

struct show_dev {
	struct dev_info info;
	struct sa_info *sas;
	size_t n_sas;
	char *daemon;		/* s2svpn-iked's "show" text or "status -j"; NULL */
};

void show_text(FILE *f, const struct show_dev *devs, size_t n, uint64_t now);
void show_json(FILE *f, const struct show_dev *devs, size_t n);
void event_print(FILE *f, const struct event *ev, bool json,
		 const struct timespec *ts);

/* ---- daemon.c: s2svpn-iked's control socket --------------------------- */

#define IKED_CONTROL_DIR	"/run/s2svpn"
/* The longest answer s2svpnctl reads, and s2svpn-iked sends. */
#define IKED_ANSWER_MAX		(1u << 20)

void iked_socket_path(const char *dev, const char *override, char *buf, size_t len);
int iked_ask(const char *path, const char *cmd, char **answer, char *err, size_t errlen);

/* ---- metrics.c: Prometheus text exposition ------------------------------ */

void metrics_print(FILE *f, const struct show_dev *devs, size_t n);

/* ---- help.c ----------------------------------------------------------- */

void help_manual(FILE *f);
int help_command(FILE *f, const char *cmd);
void usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* S2SVPNCTL_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line arguments and key files into plain structs. Nothing here
 * talks to the kernel, so all of it is unit tested.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* also given by userspace-ike, which links this file */
#endif
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "s2svpnctl.h"

#define DEFAULT_PORT	4500
#define KEYFILE_MAX	4096	/* a key file is a few lines: refuse more */

/* The algorithms of the header's comment on S2SVPN_A_SA_ALG. */
static const struct alg algs[] = {
	{ "rfc4106(gcm(aes))", "aes-gcm", true, { 16, 32 }, 0, { 16, 8, 12 } },
	{ "rfc7539esp(chacha20,poly1305)", "chacha20-poly1305", true,
	  { 32 }, 0, { 16 } },
	{ "authenc(hmac(sha1),cbc(aes))", "aes-cbc-sha1", false,
	  { 16, 32 }, 20, { 12 } },
	{ "authenc(hmac(sha256),cbc(aes))", "aes-cbc-sha256", false,
	  { 16, 32 }, 32, { 16 } },
	{ "authenc(hmac(sha384),cbc(aes))", "aes-cbc-sha384", false,
	  { 16, 32 }, 48, { 24 } },
	{ "authenc(hmac(sha512),cbc(aes))", "aes-cbc-sha512", false,
	  { 16, 32 }, 64, { 32 } },
};

/* Format an error message into @err; returns -1 for "return errfmt(...)". */
int errfmt(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- numbers and names ------------------------------------------------ */

/*
 * strtoull() alone accepts leading blanks, a sign (and negates "-1" into
 * 2^64-1) and an empty string: insist on digits only.
 */
static int parse_base(const char *s, int base, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (base == 16 ? !isxdigit((unsigned char)s[0]) :
			 !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end || end == s)
		return -1;
	*out = v;
	return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	return parse_base(s, 10, out);
}

int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (parse_u64(s, &v) || v > max)
		return -1;
	*out = v;
	return 0;
}

/* SPI: decimal or 0x hex, 1 to 2^32-1 (0 is reserved, RFC 4303). */
int parse_spi(const char *s, uint32_t *spi, char *err, size_t errlen)
{
	uint64_t v;
	int r;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		r = parse_base(s + 2, 16, &v);
	else
		r = parse_base(s, 10, &v);
	if (r)
		return errfmt(err, errlen,
			    "spi: '%s' is not a number (decimal or 0x hex)", s);
	if (v == 0)
		return errfmt(err, errlen, "spi: 0 is reserved, use 1 to 0xffffffff");
	if (v > UINT32_MAX)
		return errfmt(err, errlen,
			    "spi: '%s' does not fit in 32 bits (1 to 0xffffffff)",
			    s);
	*spi = (uint32_t)v;
	return 0;
}

int parse_addr(const char *s, struct addr *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a->v6) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return errfmt(err, errlen, "'%s' is not an IPv4 or IPv6 address", s);
}

int parse_port(const char *s, uint16_t *port, char *err, size_t errlen)
{
	uint64_t v;

	if (parse_uint(s, UINT16_MAX, &v) || v == 0)
		return errfmt(err, errlen, "'%s' is not a port (1 to 65535)", s);
	*port = (uint16_t)v;
	return 0;
}

int parse_dev(const char *s, char *dev, char *err, size_t errlen)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IFNAMSIZ)
		return errfmt(err, errlen,
			    "'%s' is not a device name (1 to %d characters)",
			    s, IFNAMSIZ - 1);
	memcpy(dev, s, n + 1);
	return 0;
}

static int parse_tunnel_id(const char *s, uint8_t *id, char *err,
			   size_t errlen)
{
	uint64_t v;

	if (parse_uint(s, S2SVPN_TUNNELS - 1, &v))
		return errfmt(err, errlen, "tunnel: '%s' is not 0 or 1", s);
	*id = (uint8_t)v;
	return 0;
}

static int parse_dir(const char *s, uint8_t *dir, char *err, size_t errlen)
{
	if (!strcmp(s, "in"))
		*dir = S2SVPN_DIR_IN;
	else if (!strcmp(s, "out"))
		*dir = S2SVPN_DIR_OUT;
	else
		return errfmt(err, errlen, "dir: '%s' is not in or out", s);
	return 0;
}

const struct alg *alg_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(algs); i++)
		if (!strcmp(name, algs[i].name) || !strcmp(name, algs[i].alias))
			return &algs[i];
	return NULL;
}

const struct alg *alg_at(size_t i)
{
	return i < ARRAY_SIZE(algs) ? &algs[i] : NULL;
}

static bool alg_icv_ok(const struct alg *alg, uint64_t icv)
{
	for (int i = 0; i < ALG_MAX_ICVS && alg->icvs[i]; i++)
		if (alg->icvs[i] == icv)
			return true;
	return false;
}

static bool alg_enc_ok(const struct alg *alg, size_t len)
{
	for (int i = 0; i < ALG_MAX_ENC && alg->enc_lens[i]; i++)
		if (alg->enc_lens[i] == len)
			return true;
	return false;
}

/* "16 or 32", "16, 8 or 12": for messages listing what is allowed. */
static void list_lens(const uint8_t *lens, int n, char *buf, size_t len)
{
	size_t off = 0;
	int count = 0;

	while (count < n && lens[count])
		count++;
	buf[0] = '\0';
	for (int i = 0; i < count && off < len; i++) {
		const char *sep = i == 0 ? "" : i == count - 1 ? " or " : ", ";

		off += snprintf(buf + off, len - off, "%s%u", sep, lens[i]);
	}
}

/* ---- keyword arguments ------------------------------------------------ */

/*
 * The commands take "KEYWORD VALUE" pairs in any order, like ip(8).
 * kw_next() checks that argv[*i] is one of KWS (NULL-terminated), that it
 * was not given before (unless in REPEAT) and fetches its value. Returns
 * the keyword's index in KWS, or -1 with err set.
 */
static int kw_next(int argc, char **argv, int *i, const char *const *kws,
		   unsigned int repeat, unsigned int *seen, const char **val,
		   char *err, size_t errlen)
{
	const char *kw = argv[*i];
	int k;

	for (k = 0; kws[k]; k++)
		if (!strcmp(kw, kws[k]))
			break;
	if (!kws[k])
		return errfmt(err, errlen, "unknown argument '%s'", kw);
	if (*seen & ~repeat & (1u << k))
		return errfmt(err, errlen, "'%s' given twice", kw);
	if (*i + 1 >= argc)
		return errfmt(err, errlen, "'%s' needs a value", kw);
	*seen |= 1u << k;
	*i += 1;
	*val = argv[*i];
	return k;
}

static int parse_df(const char *s, uint8_t *df, char *err, size_t errlen)
{
	if (!strcmp(s, "clear"))
		*df = S2SVPN_DF_CLEAR;
	else if (!strcmp(s, "copy"))
		*df = S2SVPN_DF_COPY;
	else if (!strcmp(s, "set"))
		*df = S2SVPN_DF_SET;
	else
		return errfmt(err, errlen, "df: '%s' is not clear, copy or set", s);
	return 0;
}

/* The range of the header's comment on S2SVPN_A_MSS_CLAMP; off is 0. */
static int parse_mss(const char *s, uint16_t *mss, char *err, size_t errlen)
{
	uint64_t n;

	if (!strcmp(s, "off")) {
		*mss = 0;
		return 0;
	}
	if (parse_uint(s, 65495, &n) || n < 536)
		return errfmt(err, errlen,
			    "mss-clamp: '%s' is not off or 536 to 65495", s);
	*mss = (uint16_t)n;
	return 0;
}

enum { DS_ACTIVE, DS_DF, DS_MSS };

static const char *const dev_set_kws[] = {
	[DS_ACTIVE] = "active-tunnel", [DS_DF] = "df", [DS_MSS] = "mss-clamp",
	NULL
};

int parse_dev_set(int argc, char **argv, struct dev_set_args *a,
		  char *err, size_t errlen)
{
	unsigned int seen = 0;

	memset(a, 0, sizeof(*a));
	if (argc < 1)
		return errfmt(err, errlen, "missing DEV");
	if (parse_dev(argv[0], a->dev, err, errlen))
		return -1;
	for (int i = 1; i < argc; i++) {
		const char *v;
		int k = kw_next(argc, argv, &i, dev_set_kws, 0, &seen, &v,
				err, errlen);
		int r;

		if (k == DS_ACTIVE)
			r = parse_tunnel_id(v, &a->active_tunnel, err, errlen);
		else if (k == DS_DF)
			r = parse_df(v, &a->df, err, errlen);
		else if (k == DS_MSS)
			r = parse_mss(v, &a->mss_clamp, err, errlen);
		else
			r = -1;
		if (r)
			return -1;
	}
	a->has_active = seen & (1u << DS_ACTIVE);
	a->has_df = seen & (1u << DS_DF);
	a->has_mss = seen & (1u << DS_MSS);
	if (!seen)
		return errfmt(err, errlen,
			    "nothing to set: give active-tunnel, df or mss-clamp");
	return 0;
}

static const char *family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

static int tunnel_inside_peer(struct tunnel_set_args *a, const char *v,
			      char *err, size_t errlen)
{
	struct addr addr;
	struct addr *slot;

	if (parse_addr(v, &addr, err, errlen))
		return -1;
	slot = addr.family == AF_INET ? &a->inside4 : &a->inside6;
	if (slot->family)
		return errfmt(err, errlen,
			    "inside-peer: %s given twice (once per family)",
			    family_name(addr.family));
	*slot = addr;
	return 0;
}

enum { TS_REMOTE, TS_LOCAL, TS_PORT, TS_LISTEN, TS_INSIDE };

static const char *const tunnel_set_kws[] = {
	[TS_REMOTE] = "remote", [TS_LOCAL] = "local", [TS_PORT] = "port",
	[TS_LISTEN] = "listen-port", [TS_INSIDE] = "inside-peer", NULL
};

static int tunnel_kw(struct tunnel_set_args *a, int k, const char *v,
		     char *err, size_t errlen)
{
	switch (k) {
	case TS_REMOTE:
		return parse_addr(v, &a->remote, err, errlen);
	case TS_LOCAL:
		return parse_addr(v, &a->local, err, errlen);
	case TS_PORT:
		return parse_port(v, &a->remote_port, err, errlen);
	case TS_LISTEN:
		return parse_port(v, &a->listen_port, err, errlen);
	case TS_INSIDE:
		return tunnel_inside_peer(a, v, err, errlen);
	}
	return -1;
}

int parse_tunnel_set(int argc, char **argv, struct tunnel_set_args *a,
		     char *err, size_t errlen)
{
	unsigned int seen = 0;

	memset(a, 0, sizeof(*a));
	a->remote_port = DEFAULT_PORT;
	a->listen_port = DEFAULT_PORT;
	if (argc < 2)
		return errfmt(err, errlen, argc ? "missing ID" : "missing DEV");
	if (parse_dev(argv[0], a->dev, err, errlen) ||
	    parse_tunnel_id(argv[1], &a->id, err, errlen))
		return -1;
	for (int i = 2; i < argc; i++) {
		const char *v;
		int k = kw_next(argc, argv, &i, tunnel_set_kws,
				1u << TS_INSIDE, &seen, &v, err, errlen);

		if (k < 0 || tunnel_kw(a, k, v, err, errlen))
			return -1;
	}
	if (!a->remote.family)
		return errfmt(err, errlen, "missing 'remote ADDR'");
	if (a->local.family && a->local.family != a->remote.family)
		return errfmt(err, errlen,
			    "local address is %s but remote address is %s",
			    family_name(a->local.family),
			    family_name(a->remote.family));
	return 0;
}

int parse_tunnel_del(int argc, char **argv, struct tunnel_del_args *a,
		     char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	if (argc < 2)
		return errfmt(err, errlen, argc ? "missing ID" : "missing DEV");
	if (argc > 2)
		return errfmt(err, errlen, "unexpected argument '%s'", argv[2]);
	if (parse_dev(argv[0], a->dev, err, errlen) ||
	    parse_tunnel_id(argv[1], &a->id, err, errlen))
		return -1;
	return 0;
}

/* "sa del" takes the first three, the SA's identity. */
enum {
	SA_TUNNEL, SA_DIR, SA_SPI, SA_ALG, SA_KEYFILE, SA_ICV, SA_REPLAY,
	SA_SOFT_BYTES, SA_HARD_BYTES, SA_SOFT_PACKETS, SA_HARD_PACKETS,
};

static const char *const sa_kws[] = {
	[SA_TUNNEL] = "tunnel", [SA_DIR] = "dir", [SA_SPI] = "spi",
	[SA_ALG] = "alg", [SA_KEYFILE] = "keyfile", [SA_ICV] = "icv",
	[SA_REPLAY] = "replay-window", [SA_SOFT_BYTES] = "soft-bytes",
	[SA_HARD_BYTES] = "hard-bytes", [SA_SOFT_PACKETS] = "soft-packets",
	[SA_HARD_PACKETS] = "hard-packets", NULL
};

static const char *const sa_del_kws[] = {
	[SA_TUNNEL] = "tunnel", [SA_DIR] = "dir", [SA_SPI] = "spi", NULL
};

static int sa_limit(struct sa_args *a, int k, const char *v, char *err,
		    size_t errlen)
{
	uint64_t *val[4] = { &a->soft_bytes, &a->hard_bytes,
			     &a->soft_packets, &a->hard_packets };
	bool *has[4] = { &a->has_soft_bytes, &a->has_hard_bytes,
			 &a->has_soft_packets, &a->has_hard_packets };
	int idx = k - SA_SOFT_BYTES;

	if (parse_u64(v, val[idx]))
		return errfmt(err, errlen, "%s: '%s' is not a number (0: no limit)",
			    sa_kws[k], v);
	*has[idx] = true;
	return 0;
}

static int sa_kw(struct sa_args *a, int k, const char *v, char *err,
		 size_t errlen)
{
	uint64_t n;

	switch (k) {
	case SA_TUNNEL:
		return parse_tunnel_id(v, &a->tunnel, err, errlen);
	case SA_DIR:
		return parse_dir(v, &a->dir, err, errlen);
	case SA_SPI:
		return parse_spi(v, &a->spi, err, errlen);
	case SA_ALG:
		a->alg = alg_find(v);
		if (!a->alg)
			return errfmt(err, errlen,
				    "alg: unknown algorithm '%s' (see 's2svpnctl help sa')",
				    v);
		return 0;
	case SA_KEYFILE:
		a->keyfile = v;
		return 0;
	case SA_ICV:
		if (parse_uint(v, UINT8_MAX, &n))
			return errfmt(err, errlen, "icv: '%s' is not a length in bytes", v);
		a->icv_len = (uint8_t)n;
		a->has_icv = true;
		return 0;
	case SA_REPLAY:
		if (parse_uint(v, S2SVPN_REPLAY_WINDOW_MAX, &n))
			return errfmt(err, errlen,
				    "replay-window: '%s' is not 0 (off) to %d",
				    v, S2SVPN_REPLAY_WINDOW_MAX);
		a->replay_window = (uint32_t)n;
		a->has_replay = true;
		return 0;
	case SA_SOFT_BYTES:
	case SA_HARD_BYTES:
	case SA_SOFT_PACKETS:
	case SA_HARD_PACKETS:
		return sa_limit(a, k, v, err, errlen);
	}
	return -1;
}

static int sa_check_required(unsigned int seen, bool add, char *err,
			     size_t errlen)
{
	if (!(seen & (1u << SA_TUNNEL)))
		return errfmt(err, errlen, "missing 'tunnel ID'");
	if (!(seen & (1u << SA_DIR)))
		return errfmt(err, errlen, "missing 'dir in|out'");
	if (!(seen & (1u << SA_SPI)))
		return errfmt(err, errlen, "missing 'spi SPI'");
	if (add && !(seen & (1u << SA_ALG)))
		return errfmt(err, errlen, "missing 'alg NAME'");
	if (add && !(seen & (1u << SA_KEYFILE)))
		return errfmt(err, errlen,
			    "missing 'keyfile FILE' (keys are never taken from the command line)");
	return 0;
}

/* What the kernel would refuse anyway, said here with the argument's name. */
static int sa_add_check(const struct sa_args *a, char *err, size_t errlen)
{
	char lens[32];

	if (a->has_icv && !alg_icv_ok(a->alg, a->icv_len)) {
		list_lens(a->alg->icvs, ALG_MAX_ICVS, lens, sizeof(lens));
		return errfmt(err, errlen, "icv: %u is not valid for %s (%s)",
			    a->icv_len, a->alg->name, lens);
	}
	if (a->has_replay && a->dir == S2SVPN_DIR_OUT)
		return errfmt(err, errlen,
			    "replay-window: applies to inbound SAs only (dir in)");
	if (a->has_soft_bytes && a->has_hard_bytes && a->hard_bytes &&
	    (a->soft_bytes > a->hard_bytes || !a->soft_bytes))
		return errfmt(err, errlen,
			    "soft-bytes must be nonzero and not exceed hard-bytes");
	if (a->has_soft_packets && a->has_hard_packets && a->hard_packets &&
	    (a->soft_packets > a->hard_packets || !a->soft_packets))
		return errfmt(err, errlen,
			    "soft-packets must be nonzero and not exceed hard-packets");
	return 0;
}

static int parse_sa(int argc, char **argv, struct sa_args *a, bool add,
		    char *err, size_t errlen)
{
	unsigned int seen = 0;

	memset(a, 0, sizeof(*a));
	if (argc < 1)
		return errfmt(err, errlen, "missing DEV");
	if (parse_dev(argv[0], a->dev, err, errlen))
		return -1;
	for (int i = 1; i < argc; i++) {
		const char *v;
		int k;

		if (add && !strcmp(argv[i], "esn")) {	/* the one flag */
			if (a->esn)
				return errfmt(err, errlen, "'esn' given twice");
			a->esn = true;
			continue;
		}
		k = kw_next(argc, argv, &i, add ? sa_kws : sa_del_kws, 0, &seen,
			    &v, err, errlen);
		if (k < 0 || sa_kw(a, k, v, err, errlen))
			return -1;
	}
	if (sa_check_required(seen, add, err, errlen))
		return -1;
	return add ? sa_add_check(a, err, errlen) : 0;
}

int parse_sa_add(int argc, char **argv, struct sa_args *a,
		 char *err, size_t errlen)
{
	return parse_sa(argc, argv, a, true, err, errlen);
}

int parse_sa_del(int argc, char **argv, struct sa_args *a,
		 char *err, size_t errlen)
{
	return parse_sa(argc, argv, a, false, err, errlen);
}

/* ---- key files -------------------------------------------------------- */

void keys_wipe(struct keys *k)
{
	explicit_bzero(k, sizeof(*k));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Decode hex (optional 0x) of [s, s + n) into out. Messages name the
 * column, never the digits: they are key material.
 */
static int hex_decode(const char *where, const char *kw, const char *s,
		      size_t n, size_t col, uint8_t *out, size_t max,
		      size_t *outlen, char *err, size_t errlen)
{
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n -= 2;
		col += 2;
	}
	if (n == 0)
		return errfmt(err, errlen, "%s: %s: missing hex value", where, kw);
	for (size_t i = 0; i < n; i++)
		if (hexval(s[i]) < 0)
			return errfmt(err, errlen,
				    "%s: %s: invalid hex digit at column %zu",
				    where, kw, col + i + 1);
	if (n % 2)
		return errfmt(err, errlen, "%s: %s: odd number of hex digits (%zu)",
			    where, kw, n);
	*outlen = n / 2;
	if (*outlen > max)
		return 0;	/* too long: the caller reports the length */
	for (size_t i = 0; i < *outlen; i++)
		out[i] = (uint8_t)(hexval(s[2 * i]) << 4 | hexval(s[2 * i + 1]));
	return 0;
}

/* One "KEYWORD HEX" line, comments and blanks already stripped. */
struct key_line {
	const char *where;	/* "FILE:LINE" */
	const char *kw, *val;
	size_t kw_len, val_len, val_col;
};

static int key_store(const struct key_line *l, const struct alg *alg,
		     struct keys *k, char *err, size_t errlen)
{
	uint8_t tmp[KEY_AUTH_MAX];
	size_t len = 0;
	char kw[8], lens[32];
	int r = -1;

	snprintf(kw, sizeof(kw), "%.*s", (int)l->kw_len, l->kw);
	if (hex_decode(l->where, kw, l->val, l->val_len, l->val_col, tmp,
		       sizeof(tmp), &len, err, errlen))
		goto out;
	if (!strcmp(kw, "enc")) {
		if (!alg_enc_ok(alg, len) || len > KEY_ENC_MAX) {
			list_lens(alg->enc_lens, ALG_MAX_ENC, lens, sizeof(lens));
			errfmt(err, errlen, "%s: enc: %zu bytes, %s takes %s",
			     l->where, len, alg->name, lens);
			goto out;
		}
		memcpy(k->enc, tmp, len);
		k->enc_len = len;
	} else if (!strcmp(kw, "auth")) {
		if (!alg->auth_len) {
			errfmt(err, errlen, "%s: auth: %s takes no auth key",
			     l->where, alg->name);
			goto out;
		}
		if (len != alg->auth_len) {
			errfmt(err, errlen, "%s: auth: %zu bytes, %s takes %u",
			     l->where, len, alg->name, alg->auth_len);
			goto out;
		}
		memcpy(k->auth, tmp, len);
		k->auth_len = len;
	} else {
		if (!alg->aead) {
			errfmt(err, errlen, "%s: salt: %s takes no salt",
			     l->where, alg->name);
			goto out;
		}
		if (len != KEY_SALT_LEN) {
			errfmt(err, errlen, "%s: salt: %zu bytes, %s takes %d",
			     l->where, len, alg->name, KEY_SALT_LEN);
			goto out;
		}
		memcpy(k->salt, tmp, len);
		k->salt_len = len;
	}
	r = 0;
out:
	explicit_bzero(tmp, sizeof(tmp));
	return r;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Split a line into keyword and value; 1 if blank or comment only. */
static int key_split(const char *line, size_t n, struct key_line *l,
		     char *err, size_t errlen)
{
	size_t i = 0, end;

	for (end = 0; end < n && line[end] != '#'; end++)
		;
	while (end > 0 && is_blank(line[end - 1]))
		end--;
	while (i < end && is_blank(line[i]))
		i++;
	if (i == end)
		return 1;
	l->kw = line + i;
	while (i < end && !is_blank(line[i]))
		i++;
	l->kw_len = (size_t)(line + i - l->kw);
	while (i < end && is_blank(line[i]))
		i++;
	l->val = line + i;
	l->val_col = i;
	while (i < end && !is_blank(line[i]))
		i++;
	l->val_len = (size_t)(line + i - l->val);
	if (i < end)
		return errfmt(err, errlen,
			    "%s: unexpected text after the key (one 'KEYWORD HEX' per line)",
			    l->where);
	return 0;
}

static int key_keyword(const struct key_line *l, int lines[3], int lineno,
		       char *err, size_t errlen)
{
	static const char *const kws[3] = { "enc", "auth", "salt" };

	for (int i = 0; i < 3; i++) {
		if (l->kw_len != strlen(kws[i]) ||
		    memcmp(l->kw, kws[i], l->kw_len))
			continue;
		if (lines[i])
			return errfmt(err, errlen, "%s: duplicate '%s' (first on line %d)",
				    l->where, kws[i], lines[i]);
		lines[i] = lineno;
		return 0;
	}
	return errfmt(err, errlen,
		    "%s: unknown keyword '%.*s' (expected enc, auth or salt)",
		    l->where, (int)(l->kw_len > 32 ? 32 : l->kw_len), l->kw);
}

static int keys_complete(const char *name, const struct alg *alg,
			 const struct keys *k, char *err, size_t errlen)
{
	char lens[32];

	if (!k->enc_len) {
		list_lens(alg->enc_lens, ALG_MAX_ENC, lens, sizeof(lens));
		return errfmt(err, errlen, "%s: no 'enc' line: %s needs a %s-byte key",
			    name, alg->name, lens);
	}
	if (alg->auth_len && !k->auth_len)
		return errfmt(err, errlen,
			    "%s: no 'auth' line: %s needs a %u-byte auth key",
			    name, alg->name, alg->auth_len);
	if (alg->aead && !k->salt_len)
		return errfmt(err, errlen,
			    "%s: no 'salt' line: %s needs a %d-byte salt",
			    name, alg->name, KEY_SALT_LEN);
	return 0;
}

/*
 * Parse key file text: lines "enc HEX", "auth HEX", "salt HEX", '#'
 * comments, blank lines. Errors name FILE:LINE. On error k is wiped.
 */
int keys_parse(const char *name, const char *buf, size_t len,
	       const struct alg *alg, struct keys *k, char *err, size_t errlen)
{
	int lines[3] = { 0, 0, 0 };
	size_t pos = 0;
	int lineno = 0;

	memset(k, 0, sizeof(*k));
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		char where[300];
		struct key_line l = { .where = where };
		int r;

		lineno++;
		snprintf(where, sizeof(where), "%s:%d", name, lineno);
		if (memchr(buf + pos, '\0', n)) {
			errfmt(err, errlen, "%s: NUL byte: not a text file", where);
			goto bad;
		}
		r = key_split(buf + pos, n, &l, err, errlen);
		pos += n + 1;
		if (r > 0)
			continue;
		if (r < 0 || key_keyword(&l, lines, lineno, err, errlen) ||
		    key_store(&l, alg, k, err, errlen))
			goto bad;
	}
	if (keys_complete(name, alg, k, err, errlen))
		goto bad;
	return 0;
bad:
	keys_wipe(k);
	return -1;
}

int read_all(int fd, char *buf, size_t max, size_t *len)
{
	size_t off = 0;

	for (;;) {
		ssize_t n = read(fd, buf + off, max - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		off += (size_t)n;
		if (off == max) {
			errno = EFBIG;
			return -1;
		}
	}
	*len = off;
	return 0;
}

/*
 * Like wg(8), refuse keys others could read or change. A terminal or pipe
 * on stdin has no meaningful mode: only a regular file redirected to stdin
 * is checked then.
 */
static int key_mode_ok(const char *name, int fd, bool is_stdin, char *err,
		       size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st))
		return errfmt(err, errlen, "%s: %s", name, strerror(errno));
	if (is_stdin && !S_ISREG(st.st_mode))
		return 0;
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		return errfmt(err, errlen,
			    "%s: key file is accessible by group or others (mode %04o); "
			    "fix it with: chmod 600 %s",
			    name, (unsigned int)(st.st_mode & 07777),
			    is_stdin ? "FILE" : name);
	return 0;
}

int keys_load(const char *path, const struct alg *alg, struct keys *k,
	      char *err, size_t errlen)
{
	bool is_stdin = !strcmp(path, "-");
	const char *name = is_stdin ? "<stdin>" : path;
	char buf[KEYFILE_MAX];
	size_t len = 0;
	int fd, r = -1;

	memset(k, 0, sizeof(*k));
	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errfmt(err, errlen, "%s: %s", name, strerror(errno));
	if (key_mode_ok(name, fd, is_stdin, err, errlen))
		goto out;
	if (read_all(fd, buf, sizeof(buf), &len)) {
		if (errno == EFBIG)
			errfmt(err, errlen, "%s: too large for a key file (%d bytes or more)",
			     name, KEYFILE_MAX);
		else
			errfmt(err, errlen, "%s: %s", name, strerror(errno));
		goto out;
	}
	r = keys_parse(name, buf, len, alg, k, err, errlen);
out:
	explicit_bzero(buf, sizeof(buf));
	if (!is_stdin)
		close(fd);
	return r;
}

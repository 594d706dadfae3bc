// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpnctl import-aws: see import_aws.h for the layout, README.md for the
 * mapping of AWS's fields to s2svpn-iked's keys.
 *
 * AWS's file is prose with "  - Name : value" lines. A line is one of:
 *   "IPSec Tunnel #N"                 starts tunnel N (1 or 2)
 *   "#K: title"                       a subsection of the tunnel (1 to 4)
 *   "Outside IP Addresses:" and
 *   "Inside IP Addresses"             which addresses the next fields are
 *   "- Name : value"                  a field (blanks in Name collapsed)
 *   "Your VPN Connection ID : vpn-…"  the connection's ID, before tunnel 1
 *   "Additional Notes and Questions"  the end: nothing after counts
 *   anything else                     prose, skipped
 * A field is known by its subsection and name; an unknown one is skipped
 * with a warning, a known one with a value we cannot honour is an error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import_aws.h"

#define VALUE_SHOWN	64	/* quote at most this much of a value */

enum sub { SUB_NONE, SUB_IKE, SUB_IPSEC, SUB_TUNNEL, SUB_BGP, SUB_STATIC, SUB_OTHER };
enum grp { G_ANY, G_OUTSIDE, G_INSIDE };

static const char *const sub_titles[] = {
	[SUB_NONE] = "the tunnel's heading",
	[SUB_IKE] = "#1: Internet Key Exchange Configuration",
	[SUB_IPSEC] = "#2: IPSec Configuration",
	[SUB_TUNNEL] = "#3: Tunnel Interface Configuration",
	[SUB_BGP] = "#4: Border Gateway Protocol (BGP) Configuration",
	[SUB_STATIC] = "#4: Static Routing Configuration",
	[SUB_OTHER] = "an unknown subsection",
};

struct ctx {
	struct aws_conf *c;
	unsigned int line;
	int cur;			/* tunnel index; -1: before the first */
	enum sub sub;
	enum grp grp;
	unsigned int weak_line;		/* first weak algorithm */
	bool weak_sha1;			/* SHA1 as the PRF of phase 1 */
	unsigned int n_weak_dh;
	uint32_t weak_dh[16];
	char *err;
	size_t errlen;
};

struct field;
typedef int field_fn(struct ctx *x, struct aws_tunnel *t, const struct field *fd,
		     const char *v);

struct field {
	enum aws_field f;
	enum sub sub;
	enum grp grp;			/* G_ANY: wherever in the subsection */
	const char *name;		/* as in the file, blanks collapsed */
	const char *label;		/* in messages */
	field_fn *parse;
};

/* ---- messages --------------------------------------------------------- */

__attribute__((format(printf, 3, 4)))
static int fail_at(struct ctx *x, unsigned int line, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = (size_t)snprintf(x->err, x->errlen, "%s:%u: ", x->c->file, line);
	if (n < x->errlen) {
		va_start(ap, fmt);
		vsnprintf(x->err + n, x->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

__attribute__((format(printf, 3, 4)))
static void warn_at(struct aws_conf *c, unsigned int line, const char *fmt, ...)
{
	unsigned int i = c->n_warnings++;
	size_t n;
	va_list ap;

	if (i >= AWS_MAX_WARNINGS)
		return;
	n = (size_t)snprintf(c->warnings[i], ERRLEN, "%s:%u: warning: ", c->file, line);
	if (n < ERRLEN) {
		va_start(ap, fmt);
		vsnprintf(c->warnings[i] + n, ERRLEN - n, fmt, ap);
		va_end(ap);
	}
}

static int shown(const char *v)
{
	size_t n = strlen(v);

	return n > VALUE_SHOWN ? VALUE_SHOWN : (int)n;
}

/* ---- values ----------------------------------------------------------- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* "28800 seconds", "1436 bytes", "30": digits, then UNIT or nothing. */
static bool number_unit(const char *v, const char *unit, uint32_t *out)
{
	uint64_t n = 0;
	const char *p = v;

	if (!isdigit((unsigned char)*p))
		return false;
	for (; isdigit((unsigned char)*p); p++) {
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > UINT32_MAX)
			return false;
	}
	while (is_blank(*p))
		p++;
	if (*p && (!unit || strcasecmp(p, unit)))
		return false;
	*out = (uint32_t)n;
	return true;
}

static int number_in(struct ctx *x, const struct field *fd, const char *v, const char *unit,
		     uint32_t lo, uint32_t hi, const char *range, uint32_t *out)
{
	if (!number_unit(v, unit, out))
		return fail_at(x, x->line, "%s: \"%.*s\" is not a number%s%s", fd->label,
			       shown(v), v, unit ? " of " : "", unit ? unit : "");
	if (*out < lo || *out > hi)
		return fail_at(x, x->line, "%s: %u is out of range; %s", fd->label, *out, range);
	return 0;
}

/* v is one of the words of ALLOWED ("enabled" or "disabled"): its index. */
static int one_of(struct ctx *x, const struct field *fd, const char *v,
		  const char *const *allowed, const char *expected)
{
	for (int i = 0; allowed[i]; i++) {
		if (!strcasecmp(v, allowed[i]))
			return i;
	}
	return fail_at(x, x->line, "%s: unknown value \"%.*s\"; expected %s", fd->label,
		       shown(v), v, expected);
}

static bool addr_from(const char *s, struct addr *a)
{
	char err[ERRLEN];

	return !parse_addr(s, a, err, sizeof(err));
}

static int address(struct ctx *x, const struct field *fd, const char *v, struct addr *a)
{
	bool bad;

	if (!addr_from(v, a))
		return fail_at(x, x->line, "%s: \"%.*s\" is not an IP address", fd->label,
			       shown(v), v);
	if (a->family == AF_INET) {
		uint32_t h = ntohl(a->v4.s_addr);

		bad = !h || IN_MULTICAST(h) || h == INADDR_BROADCAST;
	} else {
		bad = IN6_IS_ADDR_UNSPECIFIED(&a->v6) || IN6_IS_ADDR_MULTICAST(&a->v6);
	}
	if (bad)
		return fail_at(x, x->line, "%s: %s is not a unicast address", fd->label, v);
	return 0;
}

static bool addr_eq(const struct addr *a, const struct addr *b)
{
	size_t n = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && !memcmp(a->bytes, b->bytes, n);
}

static const char *ntop(const struct addr *a, char *buf, size_t len)
{
	fmt_addr(a, buf, len);
	return buf;
}

/* ---- algorithms ------------------------------------------------------- */

struct alg_name {
	const char *in;		/* AWS's spelling, or another common one */
	const char *out;	/* s2svpn-iked's */
};

static const struct alg_name encr_names[] = {
	{ "aes-128-cbc", "AES128" }, { "aes128", "AES128" }, { "aes-128", "AES128" },
	{ "aes128-cbc", "AES128" },
	{ "aes-256-cbc", "AES256" }, { "aes256", "AES256" }, { "aes-256", "AES256" },
	{ "aes256-cbc", "AES256" },
	{ "aes-128-gcm-16", "AES128-GCM-16" }, { "aes128-gcm-16", "AES128-GCM-16" },
	{ "aes-128-gcm", "AES128-GCM-16" }, { "aes128gcm16", "AES128-GCM-16" },
	{ "aes-256-gcm-16", "AES256-GCM-16" }, { "aes256-gcm-16", "AES256-GCM-16" },
	{ "aes-256-gcm", "AES256-GCM-16" }, { "aes256gcm16", "AES256-GCM-16" },
	{ NULL, NULL },
};

static const struct alg_name integ_names[] = {
	{ "sha1", "SHA1" }, { "sha-1", "SHA1" }, { "sha", "SHA1" },
	{ "hmac-sha1", "SHA1" }, { "hmac-sha1-96", "SHA1" },
	{ "sha2-256", "SHA2-256" }, { "sha256", "SHA2-256" }, { "sha-256", "SHA2-256" },
	{ "hmac-sha2-256", "SHA2-256" }, { "hmac-sha256", "SHA2-256" },
	{ "hmac-sha2-256-128", "SHA2-256" }, { "hmac-sha256-128", "SHA2-256" },
	{ "sha2-384", "SHA2-384" }, { "sha384", "SHA2-384" }, { "sha-384", "SHA2-384" },
	{ "hmac-sha2-384", "SHA2-384" }, { "hmac-sha384", "SHA2-384" },
	{ "hmac-sha2-384-192", "SHA2-384" }, { "hmac-sha384-192", "SHA2-384" },
	{ "sha2-512", "SHA2-512" }, { "sha512", "SHA2-512" }, { "sha-512", "SHA2-512" },
	{ "hmac-sha2-512", "SHA2-512" }, { "hmac-sha512", "SHA2-512" },
	{ "hmac-sha2-512-256", "SHA2-512" }, { "hmac-sha512-256", "SHA2-512" },
	{ NULL, NULL },
};

static const char encr_valid[] =
	"aes-128-cbc, aes-256-cbc, aes-128-gcm-16, aes-256-gcm-16 "
	"(AWS's AES128, AES256, AES128-GCM-16, AES256-GCM-16)";
static const char integ_valid[] =
	"sha1, sha2-256, sha2-384, sha2-512 (hmac-sha1-96, hmac-sha2-256-128, ...)";

/* The DH groups s2svpn-iked knows; RFC 8247 calls the first and last weak. */
static const struct {
	uint32_t n;
	const char *name;
	bool weak;
} dh_groups[] = {
	{ 2, "2", true }, { 5, "5", true }, { 14, "14", false }, { 15, "15", false },
	{ 16, "16", false }, { 17, "17", false }, { 18, "18", false }, { 19, "19", false },
	{ 20, "20", false }, { 21, "21", false }, { 22, "22", true }, { 23, "23", true },
	{ 24, "24", true }, { 31, "31", false },
};

static int algs_add(struct ctx *x, const struct field *fd, struct aws_algs *l, const char *name)
{
	for (unsigned int i = 0; i < l->n; i++) {
		if (!strcmp(l->name[i], name))
			return fail_at(x, x->line, "%s: %s is listed twice", fd->label, name);
	}
	/* Not reached while names repeat no more than the tables hold. */
	if (l->n == AWS_MAX_ALGS)
		return fail_at(x, x->line, "%s: more than %d items", fd->label, AWS_MAX_ALGS);
	l->name[l->n++] = name;
	return 0;
}

/* A weak algorithm: SHA1 in phase 1 (dh 0), or DH group DH. */
static void weak_seen(struct ctx *x, uint32_t dh)
{
	unsigned int i = 0;

	x->c->weak = true;
	if (!x->weak_line)
		x->weak_line = x->line;
	if (!dh) {
		x->weak_sha1 = true;
		return;
	}
	while (i < x->n_weak_dh && x->weak_dh[i] != dh)
		i++;
	if (i == x->n_weak_dh && i < ARRAY_SIZE(x->weak_dh))
		x->weak_dh[x->n_weak_dh++] = dh;
}

/* "aes-256-cbc" or "aes-256-cbc, aes-128-cbc": names of TAB. */
static int alg_list(struct ctx *x, const struct field *fd, const char *v,
		    const struct alg_name *tab, const char *valid, struct aws_algs *out)
{
	struct aws_algs l = { 0 };

	for (const char *p = v; *p;) {
		size_t n = strcspn(p, ", \t");
		const struct alg_name *a = tab;

		if (!n) {
			p++;
			continue;
		}
		while (a->in && (strlen(a->in) != n || strncasecmp(a->in, p, n)))
			a++;
		if (!a->in)
			return fail_at(x, x->line, "%s: unknown algorithm \"%.*s\"; s2svpn-iked "
				       "takes %s", fd->label, n > VALUE_SHOWN ? VALUE_SHOWN : (int)n,
				       p, valid);
		if (algs_add(x, fd, &l, a->out))
			return -1;
		/* SHA1 is weak as the PRF of phase 1 only (RFC 8247). */
		if (fd->f == AWS_F_P1_INTEG && !strcmp(a->out, "SHA1"))
			weak_seen(x, 0);
		p += n;
	}
	*out = l;
	return 0;
}

/* Skip WORD and the blanks after it if V starts with it. */
static const char *skip_word(const char *v, const char *word)
{
	size_t n = strlen(word);

	if (strncasecmp(v, word, n))
		return v;
	v += n;
	while (is_blank(*v))
		v++;
	return v;
}

/* "Group 14", "Diffie-Hellman Group 14", "14", comma-separated. */
static int dh_list(struct ctx *x, const struct field *fd, const char *v, struct aws_algs *out)
{
	struct aws_algs l = { 0 };
	char item[VALUE_SHOWN + 1];

	for (const char *p = v; *p;) {
		size_t n = strcspn(p, ",");
		const char *s;
		size_t i = 0;
		uint32_t g = 0;

		snprintf(item, sizeof(item), "%.*s", (int)(n < sizeof(item) ? n : sizeof(item) - 1),
			 p);
		p += n + (p[n] == ',');
		for (i = strlen(item); i && is_blank(item[i - 1]); i--)
			item[i - 1] = '\0';
		s = item;
		while (is_blank(*s))
			s++;
		if (!*s)
			continue;
		s = skip_word(skip_word(s, "Diffie-Hellman"), "Group");
		if (!number_unit(s, NULL, &g))
			g = 0;
		for (i = 0; i < ARRAY_SIZE(dh_groups) && g != dh_groups[i].n; i++)
			;
		if (i == ARRAY_SIZE(dh_groups))
			return fail_at(x, x->line, "%s: unknown Diffie-Hellman group \"%s\"; "
				       "s2svpn-iked takes groups 2, 5, 14 to 24 and 31",
				       fd->label, item);
		if (algs_add(x, fd, &l, dh_groups[i].name))
			return -1;
		if (dh_groups[i].weak)
			weak_seen(x, g);
	}
	if (!l.n)
		return fail_at(x, x->line, "%s: no Diffie-Hellman group", fd->label);
	*out = l;
	return 0;
}

/* ---- fields ----------------------------------------------------------- */

static int f_ike_version(struct ctx *x, struct aws_tunnel *t, const struct field *fd,
			 const char *v)
{
	(void)t;
	if (!strcasecmp(v, "ikev2"))
		return 0;
	if (!strcasecmp(v, "ikev1"))
		return fail_at(x, x->line, "%s: IKEv1 is not supported: s2svpn-iked speaks "
			       "IKEv2 only; download the configuration again with IKE version "
			       "IKEv2 (and allow ikev2 in the tunnel options)", fd->label);
	return fail_at(x, x->line, "%s: unknown value \"%.*s\"; expected IKEv2", fd->label,
		       shown(v), v);
}

static int f_auth_method(struct ctx *x, struct aws_tunnel *t, const struct field *fd,
			 const char *v)
{
	(void)t;
	if (!strcasecmp(v, "Pre-Shared Key"))
		return 0;
	return fail_at(x, x->line, "%s: \"%.*s\" is not supported: s2svpn-iked "
		       "authenticates with pre-shared keys only", fd->label, shown(v), v);
}

/* AWS's rules, as s2svpn-iked checks them. The key itself is never shown. */
static int f_psk(struct ctx *x, struct aws_tunnel *t, const struct field *fd, const char *v)
{
	size_t len = strlen(v);

	if (len < AWS_PSK_MIN || len > AWS_PSK_MAX)
		return fail_at(x, x->line, "%s: the key is %zu characters long; AWS's are %d "
			       "to %d", fd->label, len, AWS_PSK_MIN, AWS_PSK_MAX);
	for (size_t i = 0; i < len; i++) {
		if (!isalnum((unsigned char)v[i]) && v[i] != '.' && v[i] != '_')
			return fail_at(x, x->line, "%s: the key has a character other than "
				       "A-Z a-z 0-9 . _ (at position %zu), which AWS does not "
				       "allow", fd->label, i + 1);
	}
	if (v[0] == '0')
		return fail_at(x, x->line, "%s: the key starts with 0, which AWS does not allow",
			       fd->label);
	memcpy(t->psk, v, len + 1);
	return 0;
}

static int f_encr(struct ctx *x, struct aws_tunnel *t, const struct field *fd, const char *v)
{
	return alg_list(x, fd, v, encr_names, encr_valid,
			fd->f == AWS_F_P1_ENCR ? &t->p1_encr : &t->p2_encr);
}

static int f_integ(struct ctx *x, struct aws_tunnel *t, const struct field *fd, const char *v)
{
	return alg_list(x, fd, v, integ_names, integ_valid,
			fd->f == AWS_F_P1_INTEG ? &t->p1_integ : &t->p2_integ);
}

/* AWS's ranges: phase 1 900 to 28800 s, phase 2 900 to 3600 s. */
static int f_lifetime(struct ctx *x, struct aws_tunnel *t, const struct field *fd,
		      const char *v)
{
	if (fd->f == AWS_F_P1_LIFETIME)
		return number_in(x, fd, v, "seconds", 900, 28800,
				 "AWS allows 900 to 28800 seconds in phase 1", &t->p1_lifetime);
	return number_in(x, fd, v, "seconds", 900, 3600,
			 "AWS allows 900 to 3600 seconds in phase 2", &t->p2_lifetime);
}

static int f_p1_mode(struct ctx *x, struct aws_tunnel *t, const struct field *fd,
		     const char *v)
{
	(void)t;
	if (!strcasecmp(v, "aggressive"))
		return fail_at(x, x->line, "%s: aggressive mode exists in IKEv1 only; "
			       "s2svpn-iked speaks IKEv2, whose exchange is always the same "
			       "(AWS writes main)", fd->label);
	if (strcasecmp(v, "main"))
		return fail_at(x, x->line, "%s: unknown value \"%.*s\"; expected main",
			       fd->label, shown(v), v);
	return 0;
}

static int f_p1_dh(struct ctx *x, struct aws_tunnel *t, const struct field *fd, const char *v)
{
	return dh_list(x, fd, v, &t->p1_dh);
}

/* "Diffie-Hellman Group 2", or no PFS at all. */
static int f_p2_pfs(struct ctx *x, struct aws_tunnel *t, const struct field *fd, const char *v)
{
	static const char *const off[] = { "disabled", "none", "no", "off", NULL };

	for (int i = 0; off[i]; i++) {
		if (!strcasecmp(v, off[i])) {
			t->p2_dh.n = 0;
			return 0;
		}
	}
	return dh_list(x, fd, v, &t->p2_dh);
}

static int f_protocol(struct ctx *x, struct aws_tunnel *t, const struct field *fd,
		      const char *v)
{
	(void)t;
	if (strcasecmp(v, "esp"))
		return fail_at(x, x->line, "%s: \"%.*s\" is not supported: s2svpn carries ESP "
			       "only", fd->label, shown(v), v);
	return 0;
}

static int f_p2_mode(struct ctx *x, struct aws_tunnel *t, const struct field *fd,
		     const char *v)
{
	(void)t;
	if (strcasecmp(v, "tunnel"))
		return fail_at(x, x->line, "%s: \"%.*s\" is not supported: s2svpn runs ESP in "
			       "tunnel mode only", fd->label, shown(v), v);
	return 0;
}

static int f_dpd(struct ctx *x, struct aws_tunnel *t, const struct field *fd, const char *v)
{
	if (fd->f == AWS_F_DPD_INTERVAL)
		return number_in(x, fd, v, "seconds", 1, 3600,
				 "s2svpn-iked takes 1 to 3600 seconds", &t->dpd_interval);
	return number_in(x, fd, v, NULL, 1, 100, "expected 1 to 100", &t->dpd_retries);
}

static int f_mss(struct ctx *x, struct aws_tunnel *t, const struct field *fd, const char *v)
{
	return number_in(x, fd, v, "bytes", 536, 65495, "s2svpn-iked clamps to 536 to 65495",
			 &t->mss);
}

static int f_mtu(struct ctx *x, struct aws_tunnel *t, const struct field *fd, const char *v)
{
	return number_in(x, fd, v, "bytes", 68, 65414, "an s2svpn device takes 68 to 65414",
			 &t->mtu);
}

/* s2svpn always clears the outer DF bit and fragments before encrypting. */
static int f_clear_df(struct ctx *x, struct aws_tunnel *t, const struct field *fd,
		      const char *v)
{
	static const char *const words[] = { "enabled", "disabled", NULL };
	int i = one_of(x, fd, v, words, "enabled or disabled");

	(void)t;
	if (i == 1)
		warn_at(x->c, x->line, "%s: disabled, but s2svpn clears the outer DF bit by "
			"default, as AWS recommends; to copy it instead: s2svpnctl set DEV df copy",
			fd->label);
	return i < 0 ? -1 : 0;
}

static int f_frag(struct ctx *x, struct aws_tunnel *t, const struct field *fd, const char *v)
{
	static const char *const words[] = {
		"before encryption", "enabled", "after encryption", "disabled", NULL,
	};
	int i = one_of(x, fd, v, words, "Before encryption");

	(void)t;
	if (i >= 2)
		warn_at(x->c, x->line, "%s: s2svpn always fragments before encryption, as AWS "
			"recommends", fd->label);
	return i < 0 ? -1 : 0;
}

static int f_outside(struct ctx *x, struct aws_tunnel *t, const struct field *fd,
		     const char *v)
{
	return address(x, fd, v, fd->f == AWS_F_OUT_CGW ? &t->out_cgw : &t->out_vgw);
}

/* "169.254.44.42/30" (or an IPv6 address in a /126). */
static int f_inside(struct ctx *x, struct aws_tunnel *t, const struct field *fd,
		    const char *v)
{
	struct addr *a = fd->f == AWS_F_IN_CGW ? &t->in_cgw : &t->in_vgw;
	const char *slash = strchr(v, '/');
	char host[INET6_ADDRSTRLEN + 1];
	uint32_t plen;

	if (!slash || (size_t)(slash - v) >= sizeof(host))
		return fail_at(x, x->line, "%s: \"%.*s\" is not an address with its prefix "
			       "length, such as 169.254.10.2/30", fd->label, shown(v), v);
	snprintf(host, sizeof(host), "%.*s", (int)(slash - v), v);
	if (address(x, fd, host, a))
		return -1;
	if (!number_unit(slash + 1, NULL, &plen) || plen != (a->family == AF_INET ? 30u : 126u))
		return fail_at(x, x->line, "%s: \"%.*s\": a tunnel's inside network is a /30 "
			       "(IPv4) or a /126 (IPv6)", fd->label, shown(v), v);
	t->in_plen = (uint8_t)plen;
	return 0;
}

static int f_asn(struct ctx *x, struct aws_tunnel *t, const struct field *fd, const char *v)
{
	return number_in(x, fd, v, NULL, 1, UINT32_MAX, "an AS number is 1 to 4294967295",
			 fd->f == AWS_F_BGP_CGW_ASN ? &t->cgw_asn : &t->vgw_asn);
}

static int f_hold(struct ctx *x, struct aws_tunnel *t, const struct field *fd, const char *v)
{
	return number_in(x, fd, v, "seconds", 3, 65535, "a BGP hold time is 3 to 65535 seconds",
			 &t->hold_time);
}

static int f_neighbor(struct ctx *x, struct aws_tunnel *t, const struct field *fd,
		      const char *v)
{
	return address(x, fd, v, fd->f == AWS_F_BGP_NEIGHBOR ? &t->neighbor : &t->next_hop);
}

static const struct field fields[] = {
	{ AWS_F_IKE_VERSION, SUB_IKE, G_ANY, "IKE version", "IKE version", f_ike_version },
	{ AWS_F_AUTH_METHOD, SUB_IKE, G_ANY, "Authentication Method", "Authentication Method",
	  f_auth_method },
	{ AWS_F_PSK, SUB_IKE, G_ANY, "Pre-Shared Key", "Pre-Shared Key", f_psk },
	{ AWS_F_P1_INTEG, SUB_IKE, G_ANY, "Authentication Algorithm",
	  "Authentication Algorithm (phase 1)", f_integ },
	{ AWS_F_P1_ENCR, SUB_IKE, G_ANY, "Encryption Algorithm", "Encryption Algorithm (phase 1)",
	  f_encr },
	{ AWS_F_P1_LIFETIME, SUB_IKE, G_ANY, "Lifetime", "Lifetime (phase 1)", f_lifetime },
	{ AWS_F_P1_MODE, SUB_IKE, G_ANY, "Phase 1 Negotiation Mode", "Phase 1 Negotiation Mode",
	  f_p1_mode },
	{ AWS_F_P1_DH, SUB_IKE, G_ANY, "Diffie-Hellman", "Diffie-Hellman (phase 1)", f_p1_dh },
	/* AWS's older files name phase 1's group so. */
	{ AWS_F_P1_DH, SUB_IKE, G_ANY, "Perfect Forward Secrecy", "Diffie-Hellman (phase 1)",
	  f_p1_dh },
	{ AWS_F_P2_PROTOCOL, SUB_IPSEC, G_ANY, "Protocol", "Protocol", f_protocol },
	{ AWS_F_P2_INTEG, SUB_IPSEC, G_ANY, "Authentication Algorithm",
	  "Authentication Algorithm (phase 2)", f_integ },
	{ AWS_F_P2_ENCR, SUB_IPSEC, G_ANY, "Encryption Algorithm", "Encryption Algorithm (phase 2)",
	  f_encr },
	{ AWS_F_P2_LIFETIME, SUB_IPSEC, G_ANY, "Lifetime", "Lifetime (phase 2)", f_lifetime },
	{ AWS_F_P2_MODE, SUB_IPSEC, G_ANY, "Mode", "Mode", f_p2_mode },
	{ AWS_F_P2_PFS, SUB_IPSEC, G_ANY, "Perfect Forward Secrecy", "Perfect Forward Secrecy",
	  f_p2_pfs },
	{ AWS_F_DPD_INTERVAL, SUB_IPSEC, G_ANY, "DPD Interval", "DPD Interval", f_dpd },
	{ AWS_F_DPD_RETRIES, SUB_IPSEC, G_ANY, "DPD Retries", "DPD Retries", f_dpd },
	{ AWS_F_MSS, SUB_IPSEC, G_ANY, "TCP MSS Adjustment", "TCP MSS Adjustment", f_mss },
	{ AWS_F_CLEAR_DF, SUB_IPSEC, G_ANY, "Clear Don't Fragment Bit", "Clear Don't Fragment Bit",
	  f_clear_df },
	{ AWS_F_FRAG, SUB_IPSEC, G_ANY, "Fragmentation", "Fragmentation", f_frag },
	{ AWS_F_FRAG, SUB_IPSEC, G_ANY, "Fragmentation Before Encryption",
	  "Fragmentation Before Encryption", f_frag },
	{ AWS_F_OUT_CGW, SUB_TUNNEL, G_OUTSIDE, "Customer Gateway",
	  "Customer Gateway outside address", f_outside },
	{ AWS_F_OUT_VGW, SUB_TUNNEL, G_OUTSIDE, "Virtual Private Gateway",
	  "Virtual Private Gateway outside address", f_outside },
	{ AWS_F_IN_CGW, SUB_TUNNEL, G_INSIDE, "Customer Gateway",
	  "Customer Gateway inside address", f_inside },
	{ AWS_F_IN_VGW, SUB_TUNNEL, G_INSIDE, "Virtual Private Gateway",
	  "Virtual Private Gateway inside address", f_inside },
	{ AWS_F_MTU, SUB_TUNNEL, G_ANY, "Tunnel interface MTU", "Tunnel interface MTU", f_mtu },
	{ AWS_F_BGP_CGW_ASN, SUB_BGP, G_ANY, "Customer Gateway ASN", "Customer Gateway ASN",
	  f_asn },
	{ AWS_F_BGP_VGW_ASN, SUB_BGP, G_ANY, "Virtual Private Gateway ASN",
	  "Virtual Private Gateway ASN", f_asn },
	{ AWS_F_BGP_NEIGHBOR, SUB_BGP, G_ANY, "Neighbor IP Address", "Neighbor IP Address",
	  f_neighbor },
	{ AWS_F_BGP_HOLD, SUB_BGP, G_ANY, "Neighbor Hold Time", "Neighbor Hold Time", f_hold },
	{ AWS_F_NEXT_HOP, SUB_STATIC, G_ANY, "Next hop", "Next hop", f_neighbor },
};

/* The first entry of F: its name and where it lives, for messages. */
static const struct field *field_of(enum aws_field f)
{
	size_t i = 0;

	while (fields[i].f != f)
		i++;
	return &fields[i];
}

/* ---- lines ------------------------------------------------------------ */

/* Copy [s, s + n) into buf, blanks collapsed to one space, trimmed, controls '?'. */
static void collapse(const char *s, size_t n, char *buf, size_t len)
{
	size_t o = 0;
	bool blank = false;

	for (size_t i = 0; i < n && o + 1 < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (is_blank(s[i])) {
			blank = o > 0;
			continue;
		}
		if (blank && o + 2 < len)
			buf[o++] = ' ';
		blank = false;
		buf[o++] = ch < 0x20 || ch == 0x7f ? '?' : s[i];
	}
	buf[o] = '\0';
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncasecmp(s, prefix, strlen(prefix));
}

static int tunnel_heading(struct ctx *x, const char *s)
{
	struct aws_conf *c = x->c;
	uint32_t n;

	if (!number_unit(s, NULL, &n))
		return 0;		/* "IPSec Tunnel #…" in prose */
	if (n < 1 || n > AWS_TUNNELS)
		return fail_at(x, x->line, "IPSec Tunnel #%u: AWS's connections have two "
			       "tunnels, #1 and #2", n);
	if (c->t[n - 1].line)
		return fail_at(x, x->line, "IPSec Tunnel #%u appears twice (first at line %u)",
			       n, c->t[n - 1].line);
	if (x->cur >= 0)
		c->t[x->cur].end = x->line - 1;
	x->cur = (int)n - 1;
	c->t[x->cur].line = x->line;
	x->sub = SUB_NONE;
	x->grp = G_ANY;
	return 0;
}

/* "#3: Tunnel Interface Configuration". */
static int subsection(struct ctx *x, const char *s)
{
	int k = s[1] - '0';

	if (x->cur < 0)
		return fail_at(x, x->line, "\"%.*s\" before any \"IPSec Tunnel #N\" heading",
			       shown(s), s);
	x->grp = G_ANY;
	if (k >= 1 && k <= 3) {
		x->sub = (enum sub)k;
	} else if (k == 4 && (strstr(s, "BGP") || strstr(s, "Border Gateway"))) {
		x->sub = SUB_BGP;
		x->c->t[x->cur].bgp_line = x->line;
	} else if (k == 4 && strstr(s, "Static")) {
		x->sub = SUB_STATIC;
	} else {
		x->sub = SUB_OTHER;
	}
	return 0;
}

/* "- Name : value". */
static int field_line(struct ctx *x, const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n), *v;
	struct aws_tunnel *t;
	char name[64], value[VALUE_SHOWN * 4];
	size_t vn;

	if (!colon)
		return 0;		/* a bulleted sentence */
	collapse(s + 1, (size_t)(colon - s - 1), name, sizeof(name));
	if (x->cur < 0)
		return fail_at(x, x->line, "field \"%s\" before any \"IPSec Tunnel #N\" heading",
			       name);
	t = &x->c->t[x->cur];
	v = colon + 1;
	while (v < s + n && is_blank(*v))
		v++;
	vn = (size_t)(s + n - v);
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		const struct field *fd = &fields[i];
		int r;

		if (fd->sub != x->sub || (fd->grp != G_ANY && fd->grp != x->grp) ||
		    strcasecmp(fd->name, name))
			continue;
		if (t->at[fd->f])
			return fail_at(x, x->line, "%s: given twice in IPSec Tunnel #%d (first at "
				       "line %u)", fd->label, x->cur + 1, t->at[fd->f]);
		if (!vn)
			return fail_at(x, x->line, "%s: no value", fd->label);
		if (vn >= sizeof(value))
			return fail_at(x, x->line, "%s: the value is too long (%zu characters)",
				       fd->label, vn);
		for (size_t k = 0; k < vn; k++) {
			if (((unsigned char)v[k] < 0x20 && v[k] != '\t') || v[k] == 0x7f)
				return fail_at(x, x->line, "%s: control character in the value",
					       fd->label);
		}
		memcpy(value, v, vn);
		value[vn] = '\0';
		t->at[fd->f] = x->line;
		r = fd->parse(x, t, fd, value);
		explicit_bzero(value, sizeof(value));	/* maybe the key */
		return r;
	}
	warn_at(x->c, x->line, "unknown field \"%s\" in %s of IPSec Tunnel #%d, skipped", name,
		x->grp == G_OUTSIDE ? "Outside IP Addresses" :
		x->grp == G_INSIDE ? "Inside IP Addresses" : sub_titles[x->sub], x->cur + 1);
	return 0;
}

/* Before the tunnels: "Your VPN Connection ID : vpn-0a1b2c3d". */
static void vpn_id_line(struct ctx *x, const char *s, size_t n)
{
	struct aws_conf *c = x->c;
	const char *colon = memchr(s, ':', n);
	char id[AWS_NAME_MAX + 2];

	if (!colon || x->cur >= 0 || c->vpn_id_line)
		return;
	collapse(colon + 1, (size_t)(s + n - colon - 1), id, sizeof(id));
	for (const char *p = id; *p; p++) {
		if (*p == ' ' || (unsigned char)*p >= 0x7f || (unsigned char)*p < 0x20) {
			id[0] = '\0';
			break;
		}
	}
	c->vpn_id_line = x->line;
	if (!id[0] || strlen(id) > AWS_NAME_MAX) {
		warn_at(c, x->line, "Your VPN Connection ID: not usable as a name (1 to %d "
			"printable characters, no blanks); the output has none, give one with "
			"--name", AWS_NAME_MAX);
		return;
	}
	memcpy(c->vpn_id, id, strlen(id) + 1);
}

static int one_line(struct ctx *x, const char *s, size_t n)
{
	char head[64];

	while (n && is_blank(*s)) {
		s++;
		n--;
	}
	while (n && is_blank(s[n - 1]))
		n--;
	if (!n || x->c->trailer)
		return 0;
	if (memchr(s, '\0', n))
		return fail_at(x, x->line, "NUL byte: not a text file");
	collapse(s, n < sizeof(head) ? n : sizeof(head) - 1, head, sizeof(head));
	if (starts_with(head, "IPSec Tunnel #"))
		return tunnel_heading(x, head + strlen("IPSec Tunnel #"));
	if (starts_with(head, "Additional Notes and Questions")) {
		x->c->trailer = true;
		return 0;
	}
	if (s[0] == '#' && n >= 3 && isdigit((unsigned char)s[1]) && s[2] == ':')
		return subsection(x, head);
	if (starts_with(head, "Outside IP Addresses")) {
		x->grp = G_OUTSIDE;
		return 0;
	}
	if (starts_with(head, "Inside IP Addresses") || starts_with(head, "Inside IPv6 Addresses")) {
		x->grp = G_INSIDE;
		return 0;
	}
	if (s[0] == '-')
		return field_line(x, s, n);
	if (starts_with(head, "Your VPN Connection ID"))
		vpn_id_line(x, s, n);
	return 0;
}

/* ---- checks once the file is read ------------------------------------- */

static const enum aws_field required[] = {
	AWS_F_PSK, AWS_F_P1_INTEG, AWS_F_P1_ENCR, AWS_F_P1_LIFETIME, AWS_F_P1_DH,
	AWS_F_P2_ENCR, AWS_F_P2_LIFETIME, AWS_F_P2_PFS,
	AWS_F_OUT_CGW, AWS_F_OUT_VGW, AWS_F_IN_CGW, AWS_F_IN_VGW,
};

static const enum aws_field required_bgp[] = {
	AWS_F_BGP_CGW_ASN, AWS_F_BGP_VGW_ASN, AWS_F_BGP_NEIGHBOR,
};

static bool all_aead(const struct aws_algs *l)
{
	for (unsigned int i = 0; i < l->n; i++) {
		if (!strstr(l->name[i], "GCM"))
			return false;
	}
	return l->n > 0;
}

static int missing(struct ctx *x, int i, enum aws_field f)
{
	const struct aws_conf *c = x->c;
	const struct aws_tunnel *t = &c->t[i];
	const struct field *fd = field_of(f);
	char cut[96] = "";

	/* The file ends inside this tunnel: say what that suggests. */
	if (t->end == c->lines && !c->trailer)
		snprintf(cut, sizeof(cut), "; the file ends at line %u: is it cut short?",
			 c->lines);
	return fail_at(x, t->line, "IPSec Tunnel #%d has no \"%s\"%s (%s)%s", i + 1, fd->name,
		       fd->grp == G_OUTSIDE ? " under \"Outside IP Addresses\"" :
		       fd->grp == G_INSIDE ? " under \"Inside IP Addresses\"" : "",
		       sub_titles[fd->sub], cut);
}

static int check_present(struct ctx *x, int i)
{
	const struct aws_tunnel *t = &x->c->t[i];

	for (size_t k = 0; k < ARRAY_SIZE(required); k++) {
		if (!t->at[required[k]])
			return missing(x, i, required[k]);
	}
	/* An AEAD-only phase 2 needs no integrity algorithm. */
	if (!t->at[AWS_F_P2_INTEG] && !all_aead(&t->p2_encr))
		return missing(x, i, AWS_F_P2_INTEG);
	for (size_t k = 0; t->bgp_line && k < ARRAY_SIZE(required_bgp); k++) {
		if (!t->at[required_bgp[k]])
			return missing(x, i, required_bgp[k]);
	}
	return 0;
}

/* Both inside addresses in one /30 (/126): the VGW's .1, ours .2 (or the reverse). */
static int check_inside(struct ctx *x, struct aws_tunnel *t)
{
	unsigned int l_cgw = t->at[AWS_F_IN_CGW], l_vgw = t->at[AWS_F_IN_VGW];
	size_t last = t->in_cgw.family == AF_INET ? 3 : 15;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	unsigned int host_cgw, host_vgw;
	struct addr net_vgw;

	if (t->in_cgw.family != t->in_vgw.family)
		return fail_at(x, l_vgw, "%s: %s is %s but the Customer Gateway's (line %u) is %s",
			       field_of(AWS_F_IN_VGW)->label, ntop(&t->in_vgw, a, sizeof(a)),
			       t->in_vgw.family == AF_INET ? "IPv4" : "IPv6", l_cgw,
			       t->in_cgw.family == AF_INET ? "IPv4" : "IPv6");
	t->in_net = t->in_cgw;
	t->in_net.bytes[last] &= (uint8_t)~3u;
	net_vgw = t->in_vgw;
	net_vgw.bytes[last] &= (uint8_t)~3u;
	host_cgw = t->in_cgw.bytes[last] & 3u;
	host_vgw = t->in_vgw.bytes[last] & 3u;
	if (!addr_eq(&t->in_net, &net_vgw))
		return fail_at(x, l_vgw, "%s: %s is not in the Customer Gateway's %s/%u (line %u): "
			       "both inside addresses belong to one /%u", field_of(AWS_F_IN_VGW)->label,
			       ntop(&t->in_vgw, a, sizeof(a)), ntop(&t->in_net, b, sizeof(b)),
			       t->in_plen, l_cgw, t->in_plen);
	if (host_cgw == 0 || host_cgw == 3)
		return fail_at(x, l_cgw, "%s: %s is not a host address of %s/%u (.1 or .2)",
			       field_of(AWS_F_IN_CGW)->label, ntop(&t->in_cgw, a, sizeof(a)),
			       ntop(&t->in_net, b, sizeof(b)), t->in_plen);
	if (host_vgw == 0 || host_vgw == 3 || host_vgw == host_cgw)
		return fail_at(x, l_vgw, "%s: %s is not the other host address of %s/%u",
			       field_of(AWS_F_IN_VGW)->label, ntop(&t->in_vgw, a, sizeof(a)),
			       ntop(&t->in_net, b, sizeof(b)), t->in_plen);
	t->role_aws = host_cgw == 1;
	return 0;
}

/* What AWS names the BGP neighbor or next hop must be the inside peer. */
static int check_peer_addr(struct ctx *x, const struct aws_tunnel *t, enum aws_field f,
			   const struct addr *a)
{
	char s[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN];

	if (!t->at[f] || addr_eq(a, &t->in_vgw))
		return 0;
	return fail_at(x, t->at[f], "%s: %s is not the Virtual Private Gateway's inside address "
		       "%s (line %u)", field_of(f)->label, ntop(a, s, sizeof(s)),
		       ntop(&t->in_vgw, p, sizeof(p)), t->at[AWS_F_IN_VGW]);
}

static int check_tunnel(struct ctx *x, int i)
{
	struct aws_tunnel *t = &x->c->t[i];
	char a[INET6_ADDRSTRLEN];
	uint64_t timeout;

	if (check_present(x, i) || check_inside(x, t))
		return -1;
	if (t->out_cgw.family != t->out_vgw.family)
		return fail_at(x, t->at[AWS_F_OUT_VGW], "%s: %s is %s but the Customer Gateway's "
			       "(line %u) is %s", field_of(AWS_F_OUT_VGW)->label,
			       ntop(&t->out_vgw, a, sizeof(a)),
			       t->out_vgw.family == AF_INET ? "IPv4" : "IPv6",
			       t->at[AWS_F_OUT_CGW], t->out_cgw.family == AF_INET ? "IPv4" : "IPv6");
	if (check_peer_addr(x, t, AWS_F_BGP_NEIGHBOR, &t->neighbor) ||
	    check_peer_addr(x, t, AWS_F_NEXT_HOP, &t->next_hop))
		return -1;
	if (t->p2_lifetime >= t->p1_lifetime)
		return fail_at(x, t->at[AWS_F_P2_LIFETIME], "%s: %u seconds must be less than "
			       "phase 1's %u (line %u)", field_of(AWS_F_P2_LIFETIME)->label,
			       t->p2_lifetime, t->p1_lifetime, t->at[AWS_F_P1_LIFETIME]);
	/* AWS's defaults for the one of the pair that is missing. */
	if (!t->at[AWS_F_DPD_INTERVAL])
		t->dpd_interval = 10;
	if (!t->at[AWS_F_DPD_RETRIES])
		t->dpd_retries = 3;
	timeout = (uint64_t)t->dpd_interval * t->dpd_retries;
	if (t->at[AWS_F_DPD_RETRIES] && t->dpd_retries < 2)
		return fail_at(x, t->at[AWS_F_DPD_RETRIES], "DPD Retries: 1: s2svpn-iked declares "
			       "the peer dead after interval x retries seconds, which must be more "
			       "than the interval; use 2 or more");
	if (timeout > 86400)
		return fail_at(x, t->at[t->at[AWS_F_DPD_RETRIES] ? AWS_F_DPD_RETRIES :
				       AWS_F_DPD_INTERVAL],
			       "DPD: interval x retries is %llu seconds; s2svpn-iked waits at most "
			       "86400", (unsigned long long)timeout);
	if (t->at[AWS_F_MSS] && t->mss > (t->at[AWS_F_MTU] ? t->mtu : 1436) - 40)
		return fail_at(x, t->at[AWS_F_MSS], "TCP MSS Adjustment: %u is too large for the "
			       "MTU %u (at most MTU - 40)", t->mss, t->at[AWS_F_MTU] ? t->mtu : 1436);
	return 0;
}

/* One value for the whole connection: the tunnels must agree. */
static int same_value(struct ctx *x, enum aws_field f, const char *va, const char *vb,
		      const char *why)
{
	const struct aws_tunnel *a = &x->c->t[0], *b = &x->c->t[1];

	if (!a->at[f] || !b->at[f] || !strcmp(va, vb))
		return 0;
	return fail_at(x, b->at[f], "%s: %s differs from IPSec Tunnel #1's %s (line %u); %s",
		       field_of(f)->label, vb, va, a->at[f], why);
}

static int same_number(struct ctx *x, enum aws_field f, uint32_t va, uint32_t vb,
		       const char *why)
{
	char a[16], b[16];

	snprintf(a, sizeof(a), "%u", va);
	snprintf(b, sizeof(b), "%u", vb);
	return same_value(x, f, a, b, why);
}

static int check_pair(struct ctx *x)
{
	const struct aws_tunnel *a = &x->c->t[0], *b = &x->c->t[1];
	char s[INET6_ADDRSTRLEN], s2[INET6_ADDRSTRLEN];

	if (same_value(x, AWS_F_OUT_CGW, ntop(&a->out_cgw, s, sizeof(s)),
		       ntop(&b->out_cgw, s2, sizeof(s2)), "both tunnels start at the customer "
		       "gateway, s2svpn-iked's local_address"))
		return -1;
	if (addr_eq(&a->out_vgw, &b->out_vgw))
		return fail_at(x, b->at[AWS_F_OUT_VGW], "%s: %s is IPSec Tunnel #1's too (line %u); "
			       "each tunnel has its own", field_of(AWS_F_OUT_VGW)->label,
			       ntop(&b->out_vgw, s, sizeof(s)), a->at[AWS_F_OUT_VGW]);
	if (addr_eq(&a->in_net, &b->in_net))
		return fail_at(x, b->at[AWS_F_IN_CGW], "%s: %s/%u is IPSec Tunnel #1's inside "
			       "network too (line %u); each tunnel has its own",
			       field_of(AWS_F_IN_CGW)->label, ntop(&b->in_net, s, sizeof(s)),
			       b->in_plen, a->at[AWS_F_IN_CGW]);
	if (same_number(x, AWS_F_MTU, a->mtu, b->mtu, "s2svpn-iked has one MTU per connection") ||
	    same_number(x, AWS_F_MSS, a->mss, b->mss,
			"s2svpn-iked has one MSS clamp per connection") ||
	    same_number(x, AWS_F_BGP_CGW_ASN, a->cgw_asn, b->cgw_asn,
			"it is this side's AS number, one per connection"))
		return -1;
	if (!a->bgp_line != !b->bgp_line)
		return fail_at(x, a->bgp_line ? b->line : a->line, "IPSec Tunnel #%d has no BGP "
			       "configuration but IPSec Tunnel #%d has (line %u): one connection "
			       "routes statically or with BGP, not both", a->bgp_line ? 2 : 1,
			       a->bgp_line ? 1 : 2, a->bgp_line ? a->bgp_line : b->bgp_line);
	return 0;
}

static void warn_weak(struct ctx *x)
{
	char list[128];
	size_t o;

	o = (size_t)snprintf(list, sizeof(list), "%s", x->weak_sha1 ? "SHA1 as the IKE PRF" : "");
	for (unsigned int i = 0; i < x->n_weak_dh && o < sizeof(list); i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s%u", o ? ", " : "",
				      i ? "" : x->n_weak_dh > 1 ? "DH groups " : "DH group ",
				      x->weak_dh[i]);
	warn_at(x->c, x->weak_line, "weak algorithms (RFC 8247): %s; the output sets "
		"allow_weak = yes. AWS also takes SHA2-256 and group 14 unless the tunnel "
		"options forbid them: prefer those", list);
}

static int finish(struct ctx *x)
{
	struct aws_conf *c = x->c;
	unsigned int last = c->lines ? c->lines : 1;

	if (x->cur >= 0)
		c->t[x->cur].end = c->lines;
	if (!c->t[0].line && !c->t[1].line)
		return fail_at(x, last, "no \"IPSec Tunnel #1\": is this AWS's configuration file "
			       "for vendor Generic?");
	if (!c->t[0].line)
		return fail_at(x, c->t[1].line, "IPSec Tunnel #2 without IPSec Tunnel #1: the file "
			       "is not whole");
	for (int i = 0; i < AWS_TUNNELS; i++) {
		if (c->t[i].line && check_tunnel(x, i))
			return -1;
	}
	if (c->t[1].line && check_pair(x))
		return -1;
	if (!c->t[1].line)
		warn_at(c, c->t[0].line, "no IPSec Tunnel #2: AWS gives every connection two "
			"tunnels; the output has one, without failover");
	if (c->weak)
		warn_weak(x);
	return 0;
}

/* ---- keys out of messages --------------------------------------------- */

static bool key_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '.' || ch == '_';
}

/* Replace each [s, s + n) in MSG, past SKIP bytes, by "***" (n >= 4: shorter). */
static void mask(char *msg, size_t skip, const char *s, size_t n)
{
	char *hit;

	if (n < 4 || strlen(msg) < skip)
		return;
	while ((hit = memmem(msg + skip, strlen(msg + skip), s, n))) {
		memcpy(hit, "***", 3);
		memmove(hit + 3, hit + n, strlen(hit + n) + 1);
	}
}

/* Runs of key characters, 16 or more with letters and digits: AWS's keys' look. */
static void mask_key_like(char *msg, size_t skip)
{
	for (char *p = msg + (strlen(msg) < skip ? strlen(msg) : skip); *p;) {
		size_t n = 0;
		bool alpha = false, digit = false;

		while (key_char(p[n])) {
			alpha |= isalpha((unsigned char)p[n]) != 0;
			digit |= isdigit((unsigned char)p[n]) != 0;
			n++;
		}
		if (n >= 16 && alpha && digit) {
			memcpy(p, "***", 3);
			memmove(p + 3, p + n, strlen(p + n) + 1);
			n = 3;
		}
		p += n ? n : 1;
	}
}

/*
 * Messages quote values, and with a line break lost or a field name
 * mangled a key becomes another field's value. Masked out of them: the
 * words after the last ':' of any line that names a pre-shared key before
 * it, the keys parsed, and anything that looks like AWS's keys.
 */
static void mask_keys(struct aws_conf *c, const char *text, size_t len, char *err)
{
	size_t skip = strlen(c->file) + 1;
	char *msgs[AWS_MAX_WARNINGS + 1];
	unsigned int n = 0;

	if (err)
		msgs[n++] = err;
	for (unsigned int i = 0; i < c->n_warnings && i < AWS_MAX_WARNINGS; i++)
		msgs[n++] = c->warnings[i];
	for (size_t pos = 0; pos < len;) {
		const char *s = text + pos, *e = memchr(s, '\n', len - pos), *v;
		size_t ln = e ? (size_t)(e - s) : len - pos;

		pos += ln + 1;
		for (v = s + ln; v > s && v[-1] != ':'; v--)
			;
		/* The words before the last ':' name a key ("Pre-Shared Key :"). */
		if (v == s || (!memmem(s, (size_t)(v - s), "re-Shared", 9) &&
			       !memmem(s, (size_t)(v - s), "re-shared", 9) &&
			       !memmem(s, (size_t)(v - s), "Shared Key", 10) &&
			       !memmem(s, (size_t)(v - s), "PSK", 3)))
			continue;
		for (const char *w = v; w < s + ln;) {
			size_t k = strcspn(w, " \t\r\n");

			k = k < (size_t)(s + ln - w) ? k : (size_t)(s + ln - w);
			for (unsigned int i = 0; i < n; i++)
				mask(msgs[i], skip, w, k);
			w += k ? k : 1;
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		for (int t = 0; t < AWS_TUNNELS; t++)
			mask(msgs[i], skip, c->t[t].psk, strlen(c->t[t].psk));
		mask_key_like(msgs[i], skip);
	}
}

static int parse_lines(struct ctx *x, const char *text, size_t len)
{
	size_t pos = 0;

	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		pos = 3;
	while (pos < len) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;

		pos += n + 1;
		if (n && s[n - 1] == '\r')
			n--;
		x->line = ++x->c->lines;
		if (one_line(x, s, n))
			return -1;
	}
	return finish(x);
}

int aws_parse(const char *file, const char *text, size_t len, struct aws_conf *c,
	      char *err, size_t errlen)
{
	struct ctx x = { .c = c, .cur = -1, .err = err, .errlen = errlen };
	int r;

	memset(c, 0, sizeof(*c));
	c->file = file;
	r = parse_lines(&x, text, len);
	mask_keys(c, text, len, r ? err : NULL);
	return r;
}

void aws_conf_wipe(struct aws_conf *c)
{
	explicit_bzero(c, sizeof(*c));
}

/* ---- the connection file ---------------------------------------------- */

const char *aws_name(const struct aws_conf *c, const struct aws_out *o)
{
	if (o->name)
		return o->name;
	return c->vpn_id[0] ? c->vpn_id : NULL;
}

int aws_psk_path(const struct aws_conf *c, const struct aws_out *o, int i, char *buf,
		 size_t len)
{
	const char *name = aws_name(c, o);
	int n;

	n = snprintf(buf, len, "%s/%s%stunnel%d.psk", o->psk_dir, name ? name : "",
		     name ? "-" : "", i + 1);
	if (n < 0 || (size_t)n >= len)
		return -1;
	/* A name is one path component. */
	for (char *p = buf + strlen(o->psk_dir) + 1; *p; p++) {
		if (*p == '/')
			*p = '_';
	}
	return 0;
}

static void list_str(const struct aws_algs *l, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < l->n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", l->name[i]);
}

/* Tunnel options: in [connection] when the tunnels agree, else per tunnel. */
enum { O_P1_ENCR, O_P1_INTEG, O_P1_DH, O_P1_LIFE, O_P2_ENCR, O_P2_INTEG, O_P2_DH, O_P2_LIFE,
       O_DPD_INTERVAL, O_DPD_TIMEOUT, O_COUNT };

static const char *const opt_keys[O_COUNT] = {
	"phase1_encryption", "phase1_integrity", "phase1_dh_groups", "phase1_lifetime",
	"phase2_encryption", "phase2_integrity", "phase2_dh_groups", "phase2_lifetime",
	"dpd_interval", "dpd_timeout",
};

/* The value of option K for tunnel T; "" where the file has none. */
static void opt_value(const struct aws_tunnel *t, int k, char *buf, size_t len)
{
	const struct aws_algs *lists[O_COUNT] = {
		[O_P1_ENCR] = &t->p1_encr, [O_P1_INTEG] = &t->p1_integ, [O_P1_DH] = &t->p1_dh,
		[O_P2_ENCR] = &t->p2_encr, [O_P2_INTEG] = &t->p2_integ, [O_P2_DH] = &t->p2_dh,
	};
	bool dpd = t->at[AWS_F_DPD_INTERVAL] || t->at[AWS_F_DPD_RETRIES];

	buf[0] = '\0';
	if (!t->line)
		return;
	if (lists[k] && (k != O_P2_DH || t->p2_dh.n))
		list_str(lists[k], buf, len);
	else if (k == O_P2_DH)
		snprintf(buf, len, "none");
	else if (k == O_P1_LIFE)
		snprintf(buf, len, "%u", t->p1_lifetime);
	else if (k == O_P2_LIFE)
		snprintf(buf, len, "%u", t->p2_lifetime);
	else if (k == O_DPD_INTERVAL && dpd)
		snprintf(buf, len, "%u", t->dpd_interval);
	else if (k == O_DPD_TIMEOUT && dpd)
		snprintf(buf, len, "%u", t->dpd_interval * t->dpd_retries);
}

static bool opt_shared(const struct aws_conf *c, int k)
{
	char a[96], b[96];

	opt_value(&c->t[0], k, a, sizeof(a));
	opt_value(&c->t[1], k, b, sizeof(b));
	return a[0] && (!c->t[1].line || !strcmp(a, b));
}

/* Comments must stay one line of printable text. */
static void comment_text(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f ? *s : '?', f);
}

static void write_tunnel(FILE *f, const struct aws_conf *c, const struct aws_out *o, int i)
{
	const struct aws_tunnel *t = &c->t[i];
	char a[INET6_ADDRSTRLEN], v[96];

	fprintf(f, "\n[tunnel%d]\n", i + 1);
	fprintf(f, "; IPSec Tunnel #%d (line %u)\n", i + 1, t->line);
	fprintf(f, "outside_address = %s\n", ntop(&t->out_vgw, a, sizeof(a)));
	if (o->psk_dir) {
		char path[PATH_MAX];

		if (!aws_psk_path(c, o, i, path, sizeof(path)))
			fprintf(f, "psk_file = %s\n", path);
	} else {
		fprintf(f, "psk = %s\n", t->psk);
	}
	fprintf(f, "%s = %s/%u\n", t->in_net.family == AF_INET ? "inside_cidr" : "inside_cidr6",
		ntop(&t->in_net, a, sizeof(a)), t->in_plen);
	fprintf(f, "inside_role = %s\n", t->role_aws ? "aws" : "customer");
	if (t->bgp_line)
		fprintf(f, "bgp_peer_asn = %u\n", t->vgw_asn);
	for (int k = 0; k < O_COUNT; k++) {
		opt_value(t, k, v, sizeof(v));
		if (v[0] && !opt_shared(c, k))
			fprintf(f, "%s = %s\n", opt_keys[k], v);
	}
}

void aws_write_conf(FILE *f, const struct aws_conf *c, const struct aws_out *o)
{
	const struct aws_tunnel *t0 = &c->t[0], *t1 = &c->t[1];
	const char *name = aws_name(c, o);
	char a[INET6_ADDRSTRLEN], v[96];

	fputs("; s2svpn-iked connection file, written by s2svpnctl import-aws", f);
	if (o->source) {
		fputs(" from ", f);
		comment_text(f, o->source);
	}
	fputs(".\n", f);
	if (!o->psk_dir)
		fputs("; It holds the pre-shared keys: keep it mode 0600.\n", f);
	fputs("; Check it with: s2svpn-iked --check -c FILE\n\n[connection]\n", f);
	if (name)
		fprintf(f, "name = %s\n", name);
	fprintf(f, "device = %s\n", o->device ? o->device : "s2svpn0");
	fprintf(f, "local_address = %s\n", ntop(&t0->out_cgw, a, sizeof(a)));
	fputs("ike_version = ikev2\n", f);
	if (c->weak)
		fputs("; AWS's configuration names algorithms RFC 8247 calls weak.\n"
		      "allow_weak = yes\n", f);
	for (int k = 0; k < O_COUNT; k++) {
		opt_value(t0, k, v, sizeof(v));
		if (opt_shared(c, k))
			fprintf(f, "%s = %s\n", opt_keys[k], v);
	}
	if (t0->at[AWS_F_MTU] || t1->at[AWS_F_MTU])
		fprintf(f, "mtu = %u\n", t0->at[AWS_F_MTU] ? t0->mtu : t1->mtu);
	if (t0->at[AWS_F_MSS] || t1->at[AWS_F_MSS])
		fprintf(f, "mss_clamp = %u\n", t0->at[AWS_F_MSS] ? t0->mss : t1->mss);
	if (t0->bgp_line)
		fprintf(f, "bgp_asn = %u\n", t0->cgw_asn);
	else
		fputs("; Static routing: AWS's file does not list the VPC's networks; name them\n"
		      "; for s2svpn-iked to route, e.g. remote_prefixes = 10.0.0.0/16\n", f);
	for (int i = 0; i < AWS_TUNNELS; i++) {
		if (c->t[i].line)
			write_tunnel(f, c, o, i);
	}
}

/* ---- BIRD ------------------------------------------------------------- */

/* A BIRD symbol from the name: letters, digits, '_', starting with a letter. */
static void bird_symbol(const char *name, char *buf, size_t len)
{
	size_t o = 0;

	if (!isalpha((unsigned char)name[0]))
		o = (size_t)snprintf(buf, len, "aws_");
	for (; *name && o + 1 < len && o < 40; name++)
		buf[o++] = isalnum((unsigned char)*name) ? *name : '_';
	buf[o] = '\0';
}

int aws_write_bird(FILE *f, const struct aws_conf *c, const struct aws_out *o, char *err,
		   size_t errlen)
{
	const char *name = aws_name(c, o);
	char sym[48], a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	if (!c->t[0].bgp_line)
		return errfmt(err, errlen, "%s: --bird: the file has no \"#4: Border Gateway "
			      "Protocol (BGP) Configuration\": this connection routes statically",
			      c->file);
	bird_symbol(name ? name : "aws", sym, sizeof(sym));
	fputs("# BIRD 2: the BGP sessions of AWS VPN connection ", f);
	comment_text(f, name ? name : "(no name)");
	fputs(",\n# written by s2svpnctl import-aws", f);
	if (o->source) {
		fputs(" from ", f);
		comment_text(f, o->source);
	}
	fputs(".\n"
	      "# Include it from bird.conf (which needs a router id, \"protocol device\"\n"
	      "# and a \"protocol kernel\" exporting the routes learned here). Each\n"
	      "# session runs over its tunnel's inside addresses, with AWS's timers;\n"
	      "# routes learned from a tunnel's peer leave through that tunnel. Nothing\n"
	      "# is announced until \"export none\" becomes a filter for the networks\n"
	      "# on this side, e.g. export where net ~ [ 10.0.0.0/16+ ];\n", f);
	for (int i = 0; i < AWS_TUNNELS; i++) {
		const struct aws_tunnel *t = &c->t[i];
		uint32_t hold = t->at[AWS_F_BGP_HOLD] ? t->hold_time : 30;

		if (!t->line)
			continue;
		fprintf(f, "\nprotocol bgp %s_tunnel%d {\n", sym, i + 1);
		fprintf(f, "\tdescription \"IPSec Tunnel #%d to %s\";\n", i + 1,
			ntop(&t->out_vgw, a, sizeof(a)));
		fprintf(f, "\tlocal %s as %u;\n", ntop(&t->in_cgw, a, sizeof(a)), t->cgw_asn);
		fprintf(f, "\tneighbor %s as %u;\n", ntop(&t->in_vgw, b, sizeof(b)), t->vgw_asn);
		fprintf(f, "\thold time %u;\n\tkeepalive time %u;\n", hold, hold / 3);
		fprintf(f, "\t%s {\n\t\timport all;\n\t\texport none;\n\t};\n}\n",
			t->in_cgw.family == AF_INET ? "ipv4" : "ipv6");
	}
	return 0;
}

/* ---- the command ------------------------------------------------------ */

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return false;
	}
	return n >= 1 && n <= AWS_NAME_MAX;
}

static bool device_ok(const char *s)
{
	char dev[IFNAMSIZ], err[ERRLEN];

	if (parse_dev(s, dev, err, sizeof(err)) || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (const char *p = s; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return false;
	}
	return true;
}

int import_aws_parse_args(int argc, char **argv, struct import_args *a, char *err,
			  size_t errlen)
{
	static const struct {
		const char *short_name, *long_name;
		size_t off;
	} opts[] = {
		{ "-o", "--output", offsetof(struct import_args, output) },
		{ NULL, "--name", offsetof(struct import_args, name) },
		{ NULL, "--device", offsetof(struct import_args, device) },
		{ NULL, "--psk-dir", offsetof(struct import_args, psk_dir) },
		{ NULL, "--bird", offsetof(struct import_args, bird) },
	};
	bool options = true;

	memset(a, 0, sizeof(*a));
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *val = NULL, **dst;
		size_t k;

		if (options && !strcmp(arg, "--")) {
			options = false;
			continue;
		}
		if (!options || arg[0] != '-' || !strcmp(arg, "-")) {
			if (a->input)
				return errfmt(err, errlen, "unexpected argument '%s'", arg);
			a->input = arg;
			continue;
		}
		for (k = 0; k < ARRAY_SIZE(opts); k++) {
			size_t n = strlen(opts[k].long_name);

			if ((opts[k].short_name && !strcmp(arg, opts[k].short_name)) ||
			    !strcmp(arg, opts[k].long_name)) {
				if (i + 1 == argc)
					return errfmt(err, errlen, "option '%s' needs a value", arg);
				val = argv[++i];
				break;
			}
			if (!strncmp(arg, opts[k].long_name, n) && arg[n] == '=') {
				val = arg + n + 1;
				break;
			}
		}
		if (k == ARRAY_SIZE(opts))
			return errfmt(err, errlen, "unknown option '%s'", arg);
		dst = (const char **)((char *)a + opts[k].off);
		if (*dst)
			return errfmt(err, errlen, "option %s given twice", opts[k].long_name);
		if (!*val)
			return errfmt(err, errlen, "option %s: empty value", opts[k].long_name);
		*dst = val;
	}
	if (!a->input)
		return errfmt(err, errlen, "missing FILE (- for standard input)");
	if (a->name && !name_ok(a->name))
		return errfmt(err, errlen, "--name: '%s' is not a name (1 to %d printable "
			      "characters, no blanks)", a->name, AWS_NAME_MAX);
	if (a->device && !device_ok(a->device))
		return errfmt(err, errlen, "--device: '%s' is not a device name (1 to %d letters, "
			      "digits, '.', '-' or '_')", a->device, IFNAMSIZ - 1);
	if (a->output && !strcmp(a->output, "-"))
		a->output = NULL;
	if (a->bird && !strcmp(a->bird, "-") && !a->output)
		return errfmt(err, errlen, "--bird -: the connection file goes to standard output "
			      "already; give it -o FILE");
	if (a->bird && a->output && !strcmp(a->bird, a->output))
		return errfmt(err, errlen, "--bird and -o name the same file");
	return 0;
}

/* An output file, written to PATH.XXXXXX and renamed once all are written. */
struct out_file {
	const char *path;
	char *tmp;
	mode_t mode;
	char *text;
	size_t len;
};

static int out_write(struct out_file *o, char *err, size_t errlen)
{
	size_t off = 0;
	int fd;

	if (asprintf(&o->tmp, "%s.XXXXXX", o->path) < 0) {
		o->tmp = NULL;
		return errfmt(err, errlen, "%s: %s", o->path, strerror(ENOMEM));
	}
	fd = mkstemp(o->tmp);		/* mode 0600 */
	if (fd < 0) {
		errfmt(err, errlen, "cannot create %s: %s", o->path, strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		return -1;
	}
	if (fchmod(fd, o->mode))
		goto fail;
	while (off < o->len) {
		ssize_t n = write(fd, o->text + off, o->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(fd))
		goto fail;
	if (close(fd)) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	errfmt(err, errlen, "cannot write %s: %s", o->tmp, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static void out_discard(struct out_file *o)
{
	if (o->tmp) {
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
	if (o->text) {
		explicit_bzero(o->text, o->len);	/* maybe keys */
		free(o->text);
		o->text = NULL;
	}
}

static int read_input(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
	bool is_stdin = !strcmp(path, "-");
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int r = 0;

	if (fd < 0)
		return errfmt(err, errlen, "%s: %s", path, strerror(errno));
	*buf = malloc(AWS_INPUT_MAX);
	if (!*buf)
		r = errfmt(err, errlen, "%s: %s", path, strerror(ENOMEM));
	else if (read_all(fd, *buf, AWS_INPUT_MAX, len))
		r = errfmt(err, errlen, "%s: %s", is_stdin ? "<stdin>" : path,
			   errno == EFBIG ? "larger than 1 MiB: not AWS's configuration file" :
			   strerror(errno));
	if (!is_stdin)
		close(fd);
	return r;
}

/* A psk_file value the connection file's syntax keeps whole (config.h). */
static bool path_ok(const char *path)
{
	for (const char *p = path; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == ';' || *p == '#')
			return false;
	}
	return strlen(path) <= 180;	/* "psk_file = PATH": 197 at most */
}

/* Standard output is a file others may read: no place for keys. */
static void check_stdout(FILE *out, const struct import_args *a, FILE *msgs)
{
	struct stat st;
	int fd = fileno(out);

	if (a->psk_dir || fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    !(st.st_mode & 077))
		return;
	fprintf(msgs, "s2svpnctl: import-aws: warning: standard output is a file group or "
		"others can read (mode %04o) and gets the pre-shared keys; use -o FILE (created "
		"0600) or --psk-dir\n", (unsigned int)(st.st_mode & 07777));
}

static int render(struct out_file *o, const struct aws_conf *c, const struct aws_out *ao,
		  bool bird, char *err, size_t errlen)
{
	FILE *f = open_memstream(&o->text, &o->len);
	int r = 0;

	if (!f)
		return errfmt(err, errlen, "%s", strerror(errno));
	if (bird)
		r = aws_write_bird(f, c, ao, err, errlen);
	else
		aws_write_conf(f, c, ao);
	if (fclose(f))
		return errfmt(err, errlen, "%s", strerror(ENOMEM));
	return r;
}

/* Outputs: [0] and [1] the PSK files, [2] BIRD's, [3] the connection file. */
#define N_OUT	4

static int import_outputs(const struct import_args *a, const struct aws_conf *c,
			  struct aws_out *ao, struct out_file *out, char psk_paths[][PATH_MAX],
			  char *err, size_t errlen)
{
	for (int i = 0; ao->psk_dir && i < AWS_TUNNELS; i++) {
		if (!c->t[i].line)
			continue;
		if (aws_psk_path(c, ao, i, psk_paths[i], PATH_MAX) || !path_ok(psk_paths[i]))
			return errfmt(err, errlen, "--psk-dir: %.*s: s2svpn-iked could not read this "
				      "path back: it needs at most 180 characters, without blanks, "
				      "';', '#' or control characters", PATH_MAX / 2, psk_paths[i]);
		out[i].path = psk_paths[i];
		out[i].mode = 0600;
		if (asprintf(&out[i].text, "%s\n", c->t[i].psk) < 0) {
			out[i].text = NULL;
			return errfmt(err, errlen, "%s", strerror(ENOMEM));
		}
		out[i].len = strlen(out[i].text);
	}
	if (a->bird) {
		out[2].path = a->bird;
		out[2].mode = 0644;	/* read by BIRD's own user; no secret in it */
		if (render(&out[2], c, ao, true, err, errlen))
			return -1;
	}
	out[3].path = a->output;
	out[3].mode = 0600;
	return render(&out[3], c, ao, false, err, errlen);
}

int import_aws_run(const struct import_args *a, FILE *out, FILE *msgs)
{
	struct out_file files[N_OUT] = { { 0 } };
	char err[ERRLEN + PATH_MAX], (*psk_paths)[PATH_MAX] = NULL;
	const char *name = strcmp(a->input, "-") ? a->input : "<stdin>";
	struct aws_out ao = { .name = a->name, .device = a->device, .source = name };
	char *text = NULL, *dir = NULL;
	struct aws_conf *c = calloc(1, sizeof(*c));
	size_t len = 0;
	int r = EXIT_FAIL;

	psk_paths = calloc(AWS_TUNNELS, sizeof(*psk_paths));
	if (!c || !psk_paths) {
		snprintf(err, sizeof(err), "%s", strerror(ENOMEM));
		goto fail;
	}
	if (read_input(a->input, &text, &len, err, sizeof(err)))
		goto fail;
	if (aws_parse(name, text, len, c, err, sizeof(err))) {
		fprintf(msgs, "%s\n", err);	/* FILE:LINE: message */
		goto out;
	}
	for (unsigned int i = 0; i < c->n_warnings && i < AWS_MAX_WARNINGS; i++)
		fprintf(msgs, "%s\n", c->warnings[i]);
	if (a->psk_dir) {
		struct stat st;

		dir = realpath(a->psk_dir, NULL);
		if (!dir || stat(dir, &st) || !S_ISDIR(st.st_mode)) {
			snprintf(err, sizeof(err), "--psk-dir: %s: %s", a->psk_dir,
				 dir ? strerror(ENOTDIR) : strerror(errno));
			goto fail;
		}
		ao.psk_dir = dir;
	}
	if (import_outputs(a, c, &ao, files, psk_paths, err, sizeof(err)))
		goto fail;
	/* All written under temporary names first: a failure leaves nothing. */
	for (int i = 0; i < N_OUT; i++) {
		if (files[i].path && strcmp(files[i].path, "-") &&
		    out_write(&files[i], err, sizeof(err)))
			goto fail;
	}
	for (int i = 0; i < N_OUT; i++) {
		if (!files[i].tmp)
			continue;
		if (rename(files[i].tmp, files[i].path)) {
			snprintf(err, sizeof(err), "cannot rename %s to %s: %s", files[i].tmp,
				 files[i].path, strerror(errno));
			goto fail;
		}
		free(files[i].tmp);
		files[i].tmp = NULL;
	}
	/* What goes to standard output: the connection file, or BIRD's. */
	for (int i = 2; i < N_OUT; i++) {
		if (files[i].text && (!files[i].path || !strcmp(files[i].path, "-"))) {
			if (i == 3)
				check_stdout(out, a, msgs);
			if (fwrite(files[i].text, 1, files[i].len, out) != files[i].len ||
			    fflush(out)) {
				snprintf(err, sizeof(err), "standard output: %s", strerror(errno));
				goto fail;
			}
		}
	}
	r = EXIT_OK;
	goto out;
fail:
	fprintf(msgs, "s2svpnctl: import-aws: %s\n", err);
out:
	for (int i = 0; i < N_OUT; i++)
		out_discard(&files[i]);
	if (text) {
		explicit_bzero(text, len);
		free(text);
	}
	if (c) {
		aws_conf_wipe(c);
		free(c);
	}
	free(psk_paths);
	free(dir);
	return r;
}

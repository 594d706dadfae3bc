// SPDX-License-Identifier: GPL-2.0
/*
 * The connection file of s2svpn-iked (its format is in config.h).
 *
 * inih splits the file into sections and "key = value" pairs; everything
 * else is ours. inih gives its handler no line number (Debian builds it
 * without INI_HANDLER_LINENO) and returns only the first syntax error, so
 * lines reach it through our reader, config_reader(): it counts them,
 * drops comments, checks the syntax and hands inih only well-formed lines
 * without leading blanks (so inih's multi-line values never apply). Every
 * error then has its line, and all of them are reported.
 *
 * Keys land in struct ike_config ([connection] keys), in the tunnel they
 * belong to ([tunnelN] keys), or, for the tunnel options given in
 * [connection], in a template tunnel that fills what a [tunnelN] leaves
 * unset. The line of every key of every section is kept so that checks
 * between keys, done once the file is read, can point at the right line.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* asprintf, explicit_bzero, reallocarray */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "config.h"
#include "ike.h"

#define CONFIG_FILE_MAX		(1024 * 1024)	/* far beyond any real file */
#define LIFETIME_MAX		86400
#define VALUE_SHOWN		64	/* quote at most this much of a value */

enum cfg_section {
	SEC_CONN,
	SEC_TUNNEL1,
	SEC_TUNNEL2,
	SEC_COUNT,
	SEC_NONE = SEC_COUNT,	/* before the first header */
	SEC_BAD,		/* unknown or malformed header: keys ignored */
};

static const char *const section_names[SEC_COUNT] = { "connection", "tunnel1", "tunnel2" };

enum cfg_key {
	/* [connection] only, stored in struct ike_config */
	K_NAME,
	K_DEVICE,
	K_LOCAL_ADDRESS,
	K_LOCAL_ID,
	K_IKE_VERSION,
	K_ALLOW_WEAK,
	K_MTU,
	K_MSS_CLAMP,
	K_PREFERRED_TUNNEL,
	K_REMOTE_PREFIXES,
	K_ROUTE_METRIC,
	K_BGP_ASN,
	/* tunnel options: anywhere, stored in struct ike_config_tunnel */
	K_STARTUP_ACTION,
	K_P1_ENCR,
	K_P1_INTEG,
	K_P1_DH,
	K_P1_LIFETIME,
	K_P2_ENCR,
	K_P2_INTEG,
	K_P2_DH,
	K_P2_LIFETIME,
	K_P2_LIFETIME_BYTES,
	K_P2_LIFETIME_PACKETS,
	K_REKEY_MARGIN,
	K_REKEY_FUZZ,
	K_REPLAY_WINDOW,
	K_DPD_TIMEOUT,
	K_DPD_INTERVAL,
	K_DPD_ACTION,
	/* [tunnelN] only, stored in struct ike_config_tunnel */
	K_OUTSIDE_ADDRESS,
	K_PSK,
	K_PSK_FILE,
	K_INSIDE_CIDR,
	K_INSIDE_CIDR6,
	K_INSIDE_ROLE,
	K_REMOTE_ID,
	K_BGP_PEER_ASN,
	K_COUNT
};

#define K_FIRST_OPTION	K_STARTUP_ACTION
#define K_FIRST_TUNNEL	K_OUTSIDE_ADDRESS

struct cfg_section_state {
	unsigned int header;		/* line of [section]; 0: absent */
	unsigned int line[K_COUNT];	/* line of each key; 0: not set */
	bool failed[K_COUNT];		/* its value was refused: check no further */
};

struct cfg_ctx {
	const char *file;		/* in messages */
	const char *dir;		/* of relative psk_file paths; NULL: cwd */
	const char *text;
	size_t len;
	size_t pos;
	unsigned int lineno;		/* of the line inih is working on */
	enum cfg_section sec;
	struct cfg_section_state sect[SEC_COUNT];
	struct ike_config *cfg;
	struct ike_config_tunnel tmpl;	/* tunnel options of [connection] */
	struct ike_config_errors *errs;
	size_t first_err;		/* this load's first entry in errs */
	unsigned int n_errors;
	bool check_mode;		/* a file: its mode matters for psk */
	mode_t mode;
};

struct cfg_token {
	const char *name;
	int value;
};

struct cfg_key_desc;
typedef void cfg_parse_fn(struct cfg_ctx *ctx, const struct cfg_key_desc *kd, unsigned int line,
			  const char *value, void *dst);

struct cfg_key_desc {
	const char *name;
	cfg_parse_fn *parse;
	size_t off;			/* in struct ike_config or ike_config_tunnel */
	size_t size;			/* copied from the template when inherited */
	uint32_t min, max;		/* numbers */
	const char *unit;		/* numbers */
	int kind;			/* algorithm lists: enum cfg_alg_kind */
	int phase;			/* algorithm lists: 1 or 2 */
	const struct cfg_token *tokens;	/* keywords */
};

/* Messages ------------------------------------------------------------- */

static void cfg_add_error(struct cfg_ctx *ctx, unsigned int line, char *text)
{
	struct ike_config_errors *errs = ctx->errs;
	char *msg = NULL;
	int r;

	ctx->n_errors++;
	if (!errs) {
		free(text);
		return;
	}
	if (!text)
		goto dropped;
	if (line)
		r = asprintf(&msg, "%s:%u: %s", ctx->file, line, text);
	else
		r = asprintf(&msg, "%s: %s", ctx->file, text);
	free(text);
	if (r < 0)
		goto dropped;
	/* A [connection] value wrong for both tunnels is one error, not two. */
	for (size_t i = ctx->first_err; i < errs->n; i++) {
		if (!strcmp(errs->v[i].msg, msg)) {
			free(msg);
			return;
		}
	}
	if (errs->n - ctx->first_err >= IKE_CONFIG_MAX_ERRORS)
		goto dropped;
	if (errs->n == errs->cap) {
		size_t cap = errs->cap ? 2 * errs->cap : 16;
		struct ike_config_error *v = reallocarray(errs->v, cap, sizeof(*v));

		if (!v)
			goto dropped;
		errs->v = v;
		errs->cap = cap;
	}
	errs->v[errs->n].line = line;
	errs->v[errs->n].msg = msg;
	errs->n++;
	return;
dropped:
	free(msg);
	errs->dropped++;
}

__attribute__((format(printf, 3, 4)))
static void cfg_err(struct cfg_ctx *ctx, unsigned int line, const char *fmt, ...)
{
	char *text;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	cfg_add_error(ctx, line, text);
}

/* The same, prefixed with the key's name. */
__attribute__((format(printf, 4, 5)))
static void key_err(struct cfg_ctx *ctx, unsigned int line, const char *key, const char *fmt, ...)
{
	char *body, *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&body, fmt, ap) < 0)
		body = NULL;
	va_end(ap);
	if (body && asprintf(&text, "%s: %s", key, body) < 0)
		text = NULL;
	free(body);
	cfg_add_error(ctx, line, text);
}

/* "line 12" or "default", for the other side of a check between keys. */
static const char *origin(unsigned int line, char *buf, size_t len)
{
	if (!line)
		return "default";
	snprintf(buf, len, "line %u", line);
	return buf;
}

/* Lines ---------------------------------------------------------------- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

static enum cfg_section section_of(const char *name, size_t len)
{
	for (int s = 0; s < SEC_COUNT; s++) {
		if (strlen(section_names[s]) == len && !memcmp(section_names[s], name, len))
			return (enum cfg_section)s;
	}
	return SEC_BAD;
}

/* A "[name]" line: track the section, report unknown and repeated ones. */
static void reader_section(struct cfg_ctx *ctx, const char *s, size_t len)
{
	const char *name = s + 1;
	enum cfg_section sec;
	size_t n;

	if (len < 2 || s[len - 1] != ']')
		goto malformed;
	n = len - 2;
	while (n && is_blank(*name)) {
		name++;
		n--;
	}
	while (n && is_blank(name[n - 1]))
		n--;
	if (!n || memchr(name, ']', n) || memchr(name, '[', n))
		goto malformed;
	sec = section_of(name, n);
	ctx->sec = sec;
	if (sec == SEC_BAD) {
		cfg_err(ctx, ctx->lineno,
			"unknown section [%.*s]; valid: [connection], [tunnel1], [tunnel2]",
			n > VALUE_SHOWN ? VALUE_SHOWN : (int)n, name);
		return;
	}
	if (ctx->sect[sec].header) {
		cfg_err(ctx, ctx->lineno, "section [%s] appears twice (first at line %u)",
			section_names[sec], ctx->sect[sec].header);
		return;
	}
	ctx->sect[sec].header = ctx->lineno;
	return;
malformed:
	cfg_err(ctx, ctx->lineno,
		"malformed section header; expected [connection], [tunnel1] or [tunnel2]");
	/* Its keys would land in the section before: ignore them instead. */
	ctx->sec = SEC_BAD;
}

/*
 * inih's reader: the next line, cleaned up, or "" in place of a bad one
 * (reported here). The text is never quoted: the line may hold a PSK.
 */
static char *config_reader(char *str, int num, void *stream)
{
	struct cfg_ctx *ctx = stream;
	const char *p, *end, *nl;
	size_t raw;

	if (ctx->pos >= ctx->len || num < 2)
		return NULL;
	p = ctx->text + ctx->pos;
	nl = memchr(p, '\n', ctx->len - ctx->pos);
	raw = nl ? (size_t)(nl - p) : ctx->len - ctx->pos;
	ctx->pos += raw + (nl ? 1 : 0);
	ctx->lineno++;
	str[0] = '\0';

	end = p + raw;
	if (end > p && end[-1] == '\r')
		end--;
	if (ctx->lineno == 1 && end - p >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	for (const char *c = p; c < end; c++) {
		unsigned char u = (unsigned char)*c;

		if ((u < 0x20 && u != '\t') || u == 0x7f) {
			cfg_err(ctx, ctx->lineno,
				"control character (byte 0x%02x) in line; only text is allowed", u);
			return str;
		}
	}
	while (p < end && is_blank(*p))
		p++;
	if (p == end || *p == ';' || *p == '#')
		return str;
	/* An inline comment starts at a blank followed by ';' or '#'. */
	for (const char *c = p + 1; c < end; c++) {
		if ((*c == ';' || *c == '#') && is_blank(c[-1])) {
			end = c;
			break;
		}
	}
	while (end > p && is_blank(end[-1]))
		end--;

	if ((size_t)(end - p) + 3 > (size_t)num) {
		cfg_err(ctx, ctx->lineno,
			"line too long (at most %d characters, comments excluded)", num - 3);
		if (*p == '[')
			ctx->sec = SEC_BAD;
		return str;
	}
	if (*p == '[') {
		reader_section(ctx, p, (size_t)(end - p));
	} else {
		const char *sep = p, *k_end;

		while (sep < end && *sep != '=' && *sep != ':')
			sep++;
		if (sep == end) {
			cfg_err(ctx, ctx->lineno,
				"expected \"key = value\", a [section] or a comment");
			return str;
		}
		k_end = sep;
		while (k_end > p && is_blank(k_end[-1]))
			k_end--;
		if (k_end == p) {
			cfg_err(ctx, ctx->lineno, "missing key name before '%c'", *sep);
			return str;
		}
		for (const char *c = p; c < k_end; c++) {
			if (!is_key_char(*c) || k_end - p > 40) {
				cfg_err(ctx, ctx->lineno, "malformed key name (expected letters, "
					"digits and '_', such as phase1_lifetime)");
				return str;
			}
		}
	}
	memcpy(str, p, (size_t)(end - p));
	str[end - p] = '\0';
	return str;
}

/* Values --------------------------------------------------------------- */

static const struct cfg_key_desc keys[K_COUNT];

static int shown(const char *value)
{
	size_t n = strlen(value);

	return n > VALUE_SHOWN ? VALUE_SHOWN : (int)n;
}

/* Decimal digits only, up to @max; checked before each step, so never wraps. */
static bool parse_uint(const char *s, uint64_t max, uint64_t *v)
{
	uint64_t x = 0, d;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		d = (uint64_t)(*s - '0');
		if (x > (max - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

static bool parse_u32(const char *s, uint32_t *v)
{
	uint64_t x;

	if (!parse_uint(s, UINT32_MAX, &x))
		return false;
	*v = (uint32_t)x;
	return true;
}

static void parse_number(struct cfg_ctx *ctx, const struct cfg_key_desc *kd, unsigned int line,
			 const char *value, void *dst)
{
	uint32_t v;

	if (!parse_u32(value, &v) || v < kd->min || v > kd->max) {
		key_err(ctx, line, kd->name, "\"%.*s\" is %s; valid: %u to %u (%s)",
			shown(value), value,
			parse_u32(value, &v) ? "out of range" : "not a number",
			kd->min, kd->max, kd->unit);
		return;
	}
	memcpy(dst, &v, sizeof(v));
}

/*
 * A volume lifetime: 0 (none) or kd->min up to 2^62, as decimal digits. The
 * kernel starts a rekey at nine tenths of it, so it must leave room for one.
 */
static void parse_volume(struct cfg_ctx *ctx, const struct cfg_key_desc *kd, unsigned int line,
			 const char *value, void *dst)
{
	uint64_t x;

	if (!parse_uint(value, (uint64_t)1 << 62, &x) || (x && x < kd->min)) {
		key_err(ctx, line, kd->name, "\"%.*s\" is not valid; valid: 0 (none) or %u to "
			"4611686018427387904 (%s)", shown(value), value, kd->min, kd->unit);
		return;
	}
	memcpy(dst, &x, sizeof(x));
}

static void parse_mss(struct cfg_ctx *ctx, const struct cfg_key_desc *kd, unsigned int line,
		      const char *value, void *dst)
{
	uint32_t v;

	if (!parse_u32(value, &v) || (v && (v < kd->min || v > kd->max))) {
		key_err(ctx, line, kd->name, "\"%.*s\" is not valid; valid: 0 (off) or %u to %u",
			shown(value), value, kd->min, kd->max);
		return;
	}
	memcpy(dst, &v, sizeof(v));
}

static const struct cfg_token bool_tokens[] = {
	{ "yes", 1 }, { "no", 0 }, { "true", 1 }, { "false", 0 },
	{ "on", 1 }, { "off", 0 }, { "1", 1 }, { "0", 0 }, { NULL, 0 },
};

static void parse_bool(struct cfg_ctx *ctx, const struct cfg_key_desc *kd, unsigned int line,
		       const char *value, void *dst)
{
	for (const struct cfg_token *t = bool_tokens; t->name; t++) {
		if (!strcasecmp(t->name, value)) {
			*(bool *)dst = t->value;
			return;
		}
	}
	key_err(ctx, line, kd->name, "\"%.*s\" is not yes or no", shown(value), value);
}

_Static_assert(sizeof(enum ike_config_startup) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum ike_config_dpd_action) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum ike_config_role) == sizeof(int), "enums are stored as int");

static void parse_keyword(struct cfg_ctx *ctx, const struct cfg_key_desc *kd, unsigned int line,
			  const char *value, void *dst)
{
	char valid[128] = "";

	for (const struct cfg_token *t = kd->tokens; t->name; t++) {
		if (!strcasecmp(t->name, value)) {
			memcpy(dst, &t->value, sizeof(int));
			return;
		}
		if (t != kd->tokens)
			strcat(valid, " | ");
		strcat(valid, t->name);
	}
	key_err(ctx, line, kd->name, "unknown value \"%.*s\"; valid: %s", shown(value), value,
		valid);
}

static void parse_ike_version(struct cfg_ctx *ctx, const struct cfg_key_desc *kd,
			      unsigned int line, const char *value, void *dst)
{
	(void)dst;
	if (!strcasecmp(value, "ikev2") || !strcmp(value, "2"))
		return;
	if (!strcasecmp(value, "ikev1") || !strcmp(value, "1"))
		key_err(ctx, line, kd->name, "IKEv1 is not supported: s2svpn-iked speaks IKEv2 "
			"only; set ike_version = ikev2 (and allow only ikev2 on the peer)");
	else
		key_err(ctx, line, kd->name, "unknown value \"%.*s\"; valid: ikev2",
			shown(value), value);
}

static void parse_name(struct cfg_ctx *ctx, const struct cfg_key_desc *kd, unsigned int line,
		       const char *value, void *dst)
{
	size_t n = strlen(value);

	for (const char *c = value; *c; c++) {
		if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f)
			n = SIZE_MAX;
	}
	if (n > IKE_CONFIG_NAME_MAX) {
		key_err(ctx, line, kd->name, "must be 1 to %d printable ASCII characters "
			"without blanks", IKE_CONFIG_NAME_MAX);
		return;
	}
	memcpy(dst, value, n + 1);
}

static void parse_device(struct cfg_ctx *ctx, const struct cfg_key_desc *kd, unsigned int line,
			 const char *value, void *dst)
{
	size_t n = strlen(value);
	bool ok = n <= IKE_CONFIG_DEVICE_MAX && strcmp(value, ".") && strcmp(value, "..");

	for (const char *c = value; *c; c++) {
		if (!is_key_char(*c))
			ok = false;
	}
	if (!ok) {
		key_err(ctx, line, kd->name, "\"%.*s\" is not a valid interface name (1 to %d "
			"letters, digits, '.', '-' or '_')", shown(value), value,
			IKE_CONFIG_DEVICE_MAX);
		return;
	}
	memcpy(dst, value, n + 1);
}

static bool addr_from_text(const char *s, struct ike_config_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a->v6) == 1)
		a->family = AF_INET6;
	return a->family;
}

static bool addr_unicast(const struct ike_config_addr *a)
{
	if (a->family == AF_INET) {
		uint32_t h = ntohl(a->v4.s_addr);

		return h && (h >> 28) != 0xe && h != 0xffffffff;
	}
	return !IN6_IS_ADDR_UNSPECIFIED(&a->v6) && !IN6_IS_ADDR_MULTICAST(&a->v6);
}

static bool addr_equal(const struct ike_config_addr *a, const struct ike_config_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->v4.s_addr == b->v4.s_addr;
	return !memcmp(&a->v6, &b->v6, sizeof(a->v6));
}

static const char *family_name(sa_family_t f)
{
	return f == AF_INET ? "IPv4" : "IPv6";
}

static void parse_address(struct cfg_ctx *ctx, const struct cfg_key_desc *kd, unsigned int line,
			  const char *value, void *dst)
{
	struct ike_config_addr a;

	if (!addr_from_text(value, &a)) {
		key_err(ctx, line, kd->name, "\"%.*s\" is not an IPv4 or IPv6 address",
			shown(value), value);
		return;
	}
	if (!addr_unicast(&a)) {
		key_err(ctx, line, kd->name, "%s is not a unicast address", value);
		return;
	}
	*(struct ike_config_addr *)dst = a;
}

static bool is_hostname(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 253 || *s == '.' || *s == '-')
		return false;
	for (; *s; s++) {
		if (!is_key_char(*s) || *s == '_')
			return false;
	}
	return true;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void parse_id(struct cfg_ctx *ctx, const struct cfg_key_desc *kd, unsigned int line,
		     const char *value, void *dst)
{
	struct ike_config_id id = { 0 };
	struct ike_config_addr a;
	const char *s = NULL;

	if (!strncasecmp(value, "keyid:#", 7)) {
		size_t n = strlen(value + 7);

		if (!n || n % 2 || n / 2 > IKE_CONFIG_ID_MAX)
			goto bad_hex;
		for (size_t i = 0; i < n; i += 2) {
			int hi = hex_value(value[7 + i]), lo = hex_value(value[8 + i]);

			if (hi < 0 || lo < 0)
				goto bad_hex;
			id.data[id.len++] = (uint8_t)(hi << 4 | lo);
		}
		id.type = IKE_ID_KEY_ID;
		goto done;
	}
	if (!strncasecmp(value, "keyid:", 6)) {
		id.type = IKE_ID_KEY_ID;
		s = value + 6;
	} else if (!strncasecmp(value, "fqdn:", 5) || value[0] == '@') {
		id.type = IKE_ID_FQDN;
		s = value + (value[0] == '@' ? 1 : 5);
		if (!is_hostname(s))
			goto bad;
	} else if (!strncasecmp(value, "email:", 6)) {
		id.type = IKE_ID_RFC822_ADDR;
		s = value + 6;
		if (!strchr(s, '@'))
			goto bad;
	} else if (addr_from_text(value, &a)) {
		id.type = a.family == AF_INET ? IKE_ID_IPV4_ADDR : IKE_ID_IPV6_ADDR;
		id.len = a.family == AF_INET ? 4 : 16;
		memcpy(id.data, a.family == AF_INET ? (void *)&a.v4 : (void *)&a.v6, id.len);
		goto done;
	} else if (strchr(value, '@')) {
		id.type = IKE_ID_RFC822_ADDR;
		s = value;
	} else if (is_hostname(value)) {
		id.type = IKE_ID_FQDN;
		s = value;
	} else {
		goto bad;
	}
	if (!*s || strlen(s) > IKE_CONFIG_ID_MAX)
		goto bad;
	id.len = (uint8_t)strlen(s);
	memcpy(id.data, s, id.len);
done:
	*(struct ike_config_id *)dst = id;
	return;
bad_hex:
	key_err(ctx, line, kd->name, "keyid:# needs an even number of hex digits (1 to %d bytes)",
		IKE_CONFIG_ID_MAX);
	return;
bad:
	key_err(ctx, line, kd->name, "\"%.*s\" is not an IP address, a host name (or fqdn:NAME, "
		"@NAME), an email address (or email:ADDR) or keyid:TEXT / keyid:#HEX",
		shown(value), value);
}

static bool prefix_host_bits_clear(const struct ike_config_addr *a, unsigned int len)
{
	const uint8_t *b = a->family == AF_INET ? (const uint8_t *)&a->v4 : a->v6.s6_addr;
	unsigned int bytes = a->family == AF_INET ? 4 : 16, i;

	for (i = 0; i < bytes; i++) {
		unsigned int bits = len > i * 8 ? len - i * 8 : 0;
		uint8_t mask = bits >= 8 ? 0 : (uint8_t)(0xff >> bits);

		if (b[i] & mask)
			return false;
	}
	return true;
}

static void parse_cidr(struct cfg_ctx *ctx, const struct cfg_key_desc *kd, unsigned int line,
		       const char *value, void *dst)
{
	bool v6 = kd->max == 126;
	const char *example = v6 ? "fd00:10::/126" : "169.254.10.0/30";
	struct ike_config_inside in = { .set = true, .prefix_len = (uint8_t)kd->max };
	const char *slash = strchr(value, '/');
	char addr[INET6_ADDRSTRLEN + 1];
	uint32_t plen;
	bool aligned;

	if (!slash || (size_t)(slash - value) >= sizeof(addr)) {
		key_err(ctx, line, kd->name, "\"%.*s\" is not a network; expected a /%u such as %s",
			shown(value), value, kd->max, example);
		return;
	}
	memcpy(addr, value, (size_t)(slash - value));
	addr[slash - value] = '\0';
	if (!addr_from_text(addr, &in.net) || !parse_u32(slash + 1, &plen)) {
		key_err(ctx, line, kd->name, "\"%.*s\" is not a network; expected a /%u such as %s",
			shown(value), value, kd->max, example);
		return;
	}
	if ((in.net.family == AF_INET6) != v6) {
		key_err(ctx, line, kd->name, "%s is %s; use %s for an %s /%u", value,
			family_name(in.net.family), v6 ? "inside_cidr" : "inside_cidr6",
			family_name(in.net.family), v6 ? 30 : 126);
		return;
	}
	if (plen != kd->max) {
		key_err(ctx, line, kd->name, "/%u is not allowed; a tunnel's inside network is a "
			"/%u, such as %s", plen, kd->max, example);
		return;
	}
	aligned = v6 ? !(in.net.v6.s6_addr[15] & 3) : !(ntohl(in.net.v4.s_addr) & 3);
	if (!aligned) {
		char net[INET6_ADDRSTRLEN];

		if (v6)
			in.net.v6.s6_addr[15] &= (uint8_t)~3u;
		else
			in.net.v4.s_addr = htonl(ntohl(in.net.v4.s_addr) & ~3u);
		inet_ntop(in.net.family, v6 ? (void *)&in.net.v6 : (void *)&in.net.v4, net,
			  sizeof(net));
		key_err(ctx, line, kd->name, "%s is not a network address; did you mean %s/%u?",
			value, net, kd->max);
		return;
	}
	*(struct ike_config_inside *)dst = in;
}

/*
 * A list of networks, "10.0.0.0/16, 2001:db8::/48": the routes to the other
 * side's networks. Host bits must be clear, so a typo cannot turn into a
 * route nobody meant.
 */
static void parse_prefixes(struct cfg_ctx *ctx, const struct cfg_key_desc *kd,
			   unsigned int line, const char *value, void *dst)
{
	struct ike_config_routes r = { 0 };
	char buf[256], *tok, *save = NULL;	/* lines are shorter */
	bool ok = true;

	snprintf(buf, sizeof(buf), "%s", value);
	for (tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		struct ike_config_prefix *p = &r.v[r.n];
		char *slash = strchr(tok, '/');
		uint32_t plen, max;

		if (r.n == IKE_CONFIG_MAX_ROUTES) {
			key_err(ctx, line, kd->name, "too many prefixes (at most %d)",
				IKE_CONFIG_MAX_ROUTES);
			return;
		}
		if (slash)
			*slash = '\0';
		if (!slash || !addr_from_text(tok, &p->addr) || !parse_u32(slash + 1, &plen)) {
			key_err(ctx, line, kd->name, "\"%s%s%s\" is not a network such as 10.0.0.0/16 "
				"or 2001:db8::/48", tok, slash ? "/" : "", slash ? slash + 1 : "");
			ok = false;
			continue;
		}
		max = p->addr.family == AF_INET ? 32 : 128;
		if (plen > max) {
			key_err(ctx, line, kd->name, "%s/%u: the prefix length is at most %u", tok,
				plen, max);
			ok = false;
			continue;
		}
		p->len = (uint8_t)plen;
		if (!prefix_host_bits_clear(&p->addr, p->len)) {
			key_err(ctx, line, kd->name, "%s/%u has host bits set", tok, plen);
			ok = false;
			continue;
		}
		r.n++;
	}
	if (!ok)
		return;
	if (!r.n) {
		key_err(ctx, line, kd->name, "empty list; give networks such as 10.0.0.0/16");
		return;
	}
	*(struct ike_config_routes *)dst = r;
}

/* Pre-shared keys ------------------------------------------------------ */

/* AWS's rules. WHAT names the key without ever showing it. */
static bool psk_check(struct cfg_ctx *ctx, unsigned int line, const char *key, const char *what,
		      const char *psk, size_t len)
{
	bool ok = true;

	if (len < IKE_CONFIG_PSK_MIN) {
		key_err(ctx, line, key, "%s is %zu characters long; AWS requires %d to %d", what,
			len, IKE_CONFIG_PSK_MIN, IKE_CONFIG_PSK_MAX);
		ok = false;
	} else if (len > IKE_CONFIG_PSK_MAX) {
		key_err(ctx, line, key, "%s is longer than %d characters; AWS requires %d to %d",
			what, IKE_CONFIG_PSK_MAX, IKE_CONFIG_PSK_MIN, IKE_CONFIG_PSK_MAX);
		ok = false;
	}
	for (size_t i = 0; i < len; i++) {
		char c = psk[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_')) {
			key_err(ctx, line, key, "%s has a character other than A-Z a-z 0-9 . _ "
				"(at position %zu); AWS allows only these", what, i + 1);
			ok = false;
			break;
		}
	}
	if (len && psk[0] == '0') {
		key_err(ctx, line, key, "%s starts with 0, which AWS does not allow", what);
		ok = false;
	}
	return ok;
}

static void parse_psk(struct cfg_ctx *ctx, const struct cfg_key_desc *kd, unsigned int line,
		      const char *value, void *dst)
{
	struct ike_config_psk *psk = dst;
	size_t len = strlen(value);

	if (!psk_check(ctx, line, kd->name, "the pre-shared key", value, len))
		return;
	memcpy(psk->key, value, len + 1);
	psk->len = len;
}

static void parse_psk_file(struct cfg_ctx *ctx, const struct cfg_key_desc *kd, unsigned int line,
			   const char *value, void *dst)
{
	/* One byte more than a valid file can hold, to tell "too long". */
	char buf[IKE_CONFIG_PSK_MAX + 3], what[64 + VALUE_SHOWN];
	struct ike_config_psk *psk = dst;
	char *path = NULL;
	size_t len = 0;
	struct stat st;
	int fd;

	if (value[0] != '/' && ctx->dir) {
		if (asprintf(&path, "%s/%s", ctx->dir, value) < 0) {
			key_err(ctx, line, kd->name, "out of memory");
			return;
		}
	}
	/* O_NONBLOCK: a FIFO must not hang the daemon; fstat() on the fd: no race. */
	fd = open(path ? path : value, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	free(path);
	if (fd < 0) {
		key_err(ctx, line, kd->name, "cannot open %s: %s", value, strerror(errno));
		return;
	}
	if (fstat(fd, &st)) {
		key_err(ctx, line, kd->name, "%s: %s", value, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		key_err(ctx, line, kd->name, "%s is not a regular file", value);
		goto out;
	}
	if (st.st_mode & 077) {
		key_err(ctx, line, kd->name, "%s is accessible by group or others (mode %04o); "
			"chmod 600 %s", value, (unsigned int)(st.st_mode & 07777), value);
		goto out;
	}
	while (len < sizeof(buf)) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			key_err(ctx, line, kd->name, "cannot read %s: %s", value, strerror(errno));
			goto out;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	if (len && buf[len - 1] == '\n' && len <= IKE_CONFIG_PSK_MAX + 2) {
		len--;
		if (len && buf[len - 1] == '\r')
			len--;
	}
	snprintf(what, sizeof(what), "the pre-shared key in %.*s", shown(value), value);
	if (psk_check(ctx, line, kd->name, what, buf, len)) {
		memcpy(psk->key, buf, len);
		psk->key[len] = '\0';
		psk->len = len;
	}
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
}

/* Algorithms ----------------------------------------------------------- */

enum cfg_alg_kind {
	ALG_ENCR,
	ALG_INTEG,
	ALG_DH,
};

struct cfg_alg {
	const char *name;		/* the first of an ID is its display name */
	enum cfg_alg_kind kind;
	uint16_t id;
	uint16_t key_bits;
};

static const struct cfg_alg algs[] = {
	{ "AES128", ALG_ENCR, IKE_ENCR_AES_CBC, 128 },
	{ "AES256", ALG_ENCR, IKE_ENCR_AES_CBC, 256 },
	{ "AES128-GCM-16", ALG_ENCR, IKE_ENCR_AES_GCM_16, 128 },
	{ "aes128gcm16", ALG_ENCR, IKE_ENCR_AES_GCM_16, 128 },
	{ "aes128gcm128", ALG_ENCR, IKE_ENCR_AES_GCM_16, 128 },
	{ "AES256-GCM-16", ALG_ENCR, IKE_ENCR_AES_GCM_16, 256 },
	{ "aes256gcm16", ALG_ENCR, IKE_ENCR_AES_GCM_16, 256 },
	{ "aes256gcm128", ALG_ENCR, IKE_ENCR_AES_GCM_16, 256 },
	{ "chacha20poly1305", ALG_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0 },
	{ "SHA1", ALG_INTEG, IKE_INTEG_HMAC_SHA1_96, 0 },
	{ "sha", ALG_INTEG, IKE_INTEG_HMAC_SHA1_96, 0 },
	{ "SHA2-256", ALG_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0 },
	{ "sha256", ALG_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0 },
	{ "sha2_256", ALG_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0 },
	{ "SHA2-384", ALG_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0 },
	{ "sha384", ALG_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0 },
	{ "sha2_384", ALG_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0 },
	{ "SHA2-512", ALG_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0 },
	{ "sha512", ALG_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0 },
	{ "sha2_512", ALG_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0 },
	/* DH groups are also accepted by number (dh_group_find()). */
	{ "modp1024", ALG_DH, IKE_DH_MODP_1024, 0 },
	{ "modp1536", ALG_DH, IKE_DH_MODP_1536, 0 },
	{ "modp2048", ALG_DH, IKE_DH_MODP_2048, 0 },
	{ "modp3072", ALG_DH, IKE_DH_MODP_3072, 0 },
	{ "modp4096", ALG_DH, IKE_DH_MODP_4096, 0 },
	{ "modp6144", ALG_DH, IKE_DH_MODP_6144, 0 },
	{ "modp8192", ALG_DH, IKE_DH_MODP_8192, 0 },
	{ "ecp256", ALG_DH, IKE_DH_ECP_256, 0 },
	{ "ecp384", ALG_DH, IKE_DH_ECP_384, 0 },
	{ "ecp521", ALG_DH, IKE_DH_ECP_521, 0 },
	{ "modp1024s160", ALG_DH, IKE_DH_MODP_1024_160, 0 },
	{ "modp2048s224", ALG_DH, IKE_DH_MODP_2048_224, 0 },
	{ "modp2048s256", ALG_DH, IKE_DH_MODP_2048_256, 0 },
	{ "curve25519", ALG_DH, IKE_DH_CURVE25519, 0 },
	{ "x25519", ALG_DH, IKE_DH_CURVE25519, 0 },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const valid_algs[] = {
	[ALG_ENCR] = "AES128, AES256, AES128-GCM-16, AES256-GCM-16 (or aes128, aes256, "
		     "aes128gcm16, aes256gcm16), chacha20poly1305",
	[ALG_INTEG] = "SHA1, SHA2-256, SHA2-384, SHA2-512 (or sha1, sha256, sha384, sha512)",
	[ALG_DH] = "2, 5, 14 to 24, 31 (or modp1024 to modp8192, ecp256, ecp384, ecp521, "
		   "modp1024s160, modp2048s224, modp2048s256, x25519)",
};

static const char *const kind_names[] = {
	[ALG_ENCR] = "encryption algorithm",
	[ALG_INTEG] = "integrity algorithm",
	[ALG_DH] = "DH group",
};

static const struct cfg_alg *alg_find(enum cfg_alg_kind kind, uint16_t id, uint16_t key_bits)
{
	for (size_t i = 0; i < ARRAY_SIZE(algs); i++) {
		if (algs[i].kind == kind && algs[i].id == id && algs[i].key_bits == key_bits)
			return &algs[i];
	}
	return NULL;
}

static const struct cfg_alg *alg_lookup(enum cfg_alg_kind kind, const char *token)
{
	uint32_t n;

	if (kind == ALG_DH && parse_u32(token, &n))
		return n <= UINT16_MAX ? alg_find(ALG_DH, (uint16_t)n, 0) : NULL;
	for (size_t i = 0; i < ARRAY_SIZE(algs); i++) {
		if (algs[i].kind == kind && !strcasecmp(algs[i].name, token))
			return &algs[i];
	}
	return NULL;
}

/* RFC 8247: DH groups below 2048 bits and the "s" groups; SHA1 as a PRF. */
static bool alg_weak(enum cfg_alg_kind kind, int phase, uint16_t id)
{
	if (kind == ALG_DH)
		return id == IKE_DH_MODP_1024 || id == IKE_DH_MODP_1536 ||
		       id == IKE_DH_MODP_1024_160 || id == IKE_DH_MODP_2048_224 ||
		       id == IKE_DH_MODP_2048_256;
	return kind == ALG_INTEG && phase == 1 && id == IKE_INTEG_HMAC_SHA1_96;
}

static bool alg_aead(uint16_t encr_id)
{
	return encr_id == IKE_ENCR_AES_GCM_16 || encr_id == IKE_ENCR_CHACHA20_POLY1305;
}

/* "AES128", "SHA2-256", "group 14 (modp2048)". */
static const char *alg_display(enum cfg_alg_kind kind, const struct ike_config_transform *t,
			       char *buf, size_t len)
{
	const struct cfg_alg *a = alg_find(kind, t->id, t->key_bits);

	if (kind == ALG_DH)
		snprintf(buf, len, "group %u (%s)", t->id, a ? a->name : "?");
	else
		snprintf(buf, len, "%s", a ? a->name : "?");
	return buf;
}

static void parse_algs(struct cfg_ctx *ctx, const struct cfg_key_desc *kd, unsigned int line,
		       const char *value, void *dst)
{
	enum cfg_alg_kind kind = (enum cfg_alg_kind)kd->kind;
	struct ike_config_list list = { 0 };
	const char *p = value;
	bool ok = true, none = false;
	char tok[32], name[48];

	while (*p) {
		size_t n = strcspn(p, ", \t");
		const struct cfg_alg *a;

		if (!n) {
			/* Blanks only separate; an empty item between commas is a slip. */
			if (*p == ',' && (p == value || p[1 + strspn(p + 1, " \t")] == ',' ||
					  !p[1 + strspn(p + 1, " \t")])) {
				key_err(ctx, line, kd->name, "empty item in the list");
				ok = false;
			}
			p++;
			continue;
		}
		snprintf(tok, sizeof(tok), "%.*s", (int)(n < sizeof(tok) ? n : sizeof(tok) - 1), p);
		p += n;
		if (kind == ALG_DH && !strcasecmp(tok, "none")) {
			none = true;
			continue;
		}
		a = alg_lookup(kind, tok);
		if (!a) {
			key_err(ctx, line, kd->name, "unknown %s \"%s\"; valid: %s",
				kind_names[kind], tok, valid_algs[kind]);
			ok = false;
			continue;
		}
		for (unsigned int i = 0; i < list.n; i++) {
			if (list.t[i].id == a->id && list.t[i].key_bits == a->key_bits) {
				key_err(ctx, line, kd->name, "%s is listed twice",
					alg_display(kind, &list.t[i], name, sizeof(name)));
				ok = false;
				a = NULL;
				break;
			}
		}
		if (!a)
			continue;
		if (list.n == IKE_CONFIG_MAX_ALGS) {
			key_err(ctx, line, kd->name, "too many items (at most %d)",
				IKE_CONFIG_MAX_ALGS);
			return;
		}
		list.t[list.n].id = a->id;
		list.t[list.n].key_bits = a->key_bits;
		list.n++;
	}
	if (none && kd->phase == 1) {
		key_err(ctx, line, kd->name, "none is only valid in phase2_dh_groups (no PFS); "
			"phase 1 always needs a DH group");
		return;
	}
	if (none && list.n) {
		key_err(ctx, line, kd->name, "none (no PFS) cannot be listed with DH groups");
		return;
	}
	if (!ok)
		return;
	if (!list.n && !none) {
		key_err(ctx, line, kd->name, "empty list; valid: %s", valid_algs[kind]);
		return;
	}
	*(struct ike_config_list *)dst = list;
}

/* Keys ----------------------------------------------------------------- */

static const struct cfg_token startup_tokens[] = {
	{ "start", IKE_CONFIG_START }, { "add", IKE_CONFIG_ADD }, { NULL, 0 },
};

static const struct cfg_token dpd_tokens[] = {
	{ "clear", IKE_CONFIG_DPD_CLEAR }, { "restart", IKE_CONFIG_DPD_RESTART },
	{ "none", IKE_CONFIG_DPD_NONE }, { NULL, 0 },
};

static const struct cfg_token preferred_tokens[] = {
	{ "1", 0 }, { "2", 1 }, { "none", IKE_CONFIG_NO_PREFERENCE }, { NULL, 0 },
};

static const struct cfg_token role_tokens[] = {
	{ "customer", IKE_CONFIG_ROLE_CUSTOMER }, { "aws", IKE_CONFIG_ROLE_AWS }, { NULL, 0 },
};

#define CONN(f)		.off = offsetof(struct ike_config, f), \
			.size = sizeof(((struct ike_config *)0)->f)
#define TUN(f)		.off = offsetof(struct ike_config_tunnel, f), \
			.size = sizeof(((struct ike_config_tunnel *)0)->f)
#define NUM(lo, hi, u)	.parse = parse_number, .min = (lo), .max = (hi), .unit = (u)
#define ALGS(k, p)	.parse = parse_algs, .kind = (k), .phase = (p)

static const struct cfg_key_desc keys[K_COUNT] = {
	[K_NAME] = { "name", parse_name, CONN(name) },
	[K_DEVICE] = { "device", parse_device, CONN(device) },
	[K_LOCAL_ADDRESS] = { "local_address", parse_address, CONN(local_address) },
	[K_LOCAL_ID] = { "local_id", parse_id, CONN(local_id) },
	[K_IKE_VERSION] = { "ike_version", parse_ike_version, 0, 0 },
	[K_ALLOW_WEAK] = { "allow_weak", parse_bool, CONN(allow_weak) },
	[K_MTU] = { "mtu", CONN(mtu), NUM(68, 65414, "bytes") },
	[K_MSS_CLAMP] = { "mss_clamp", CONN(mss_clamp), .parse = parse_mss, .min = 536,
			  .max = 65495 },
	[K_PREFERRED_TUNNEL] = { "preferred_tunnel", parse_keyword, CONN(preferred_tunnel),
				 .tokens = preferred_tokens },
	[K_REMOTE_PREFIXES] = { "remote_prefixes", parse_prefixes, CONN(routes) },
	[K_ROUTE_METRIC] = { "route_metric", CONN(route_metric), NUM(0, UINT32_MAX, "") },
	[K_BGP_ASN] = { "bgp_asn", CONN(bgp_asn), NUM(1, UINT32_MAX, "AS number") },

	[K_STARTUP_ACTION] = { "startup_action", parse_keyword, TUN(startup_action),
			       .tokens = startup_tokens },
	[K_P1_ENCR] = { "phase1_encryption", TUN(phase1.encr), ALGS(ALG_ENCR, 1) },
	[K_P1_INTEG] = { "phase1_integrity", TUN(phase1.integ), ALGS(ALG_INTEG, 1) },
	[K_P1_DH] = { "phase1_dh_groups", TUN(phase1.dh), ALGS(ALG_DH, 1) },
	[K_P1_LIFETIME] = { "phase1_lifetime", TUN(phase1.lifetime),
			    NUM(1, LIFETIME_MAX, "seconds") },
	[K_P2_ENCR] = { "phase2_encryption", TUN(phase2.encr), ALGS(ALG_ENCR, 2) },
	[K_P2_INTEG] = { "phase2_integrity", TUN(phase2.integ), ALGS(ALG_INTEG, 2) },
	[K_P2_DH] = { "phase2_dh_groups", TUN(phase2.dh), ALGS(ALG_DH, 2) },
	[K_P2_LIFETIME] = { "phase2_lifetime", TUN(phase2.lifetime),
			    NUM(1, LIFETIME_MAX, "seconds") },
	[K_P2_LIFETIME_BYTES] = { "phase2_lifetime_bytes", parse_volume,
				  TUN(phase2.lifetime_bytes), .min = 10000, .unit = "bytes" },
	[K_P2_LIFETIME_PACKETS] = { "phase2_lifetime_packets", parse_volume,
				    TUN(phase2.lifetime_packets), .min = 10, .unit = "packets" },
	[K_REKEY_MARGIN] = { "rekey_margin", TUN(rekey_margin), NUM(1, LIFETIME_MAX, "seconds") },
	[K_REKEY_FUZZ] = { "rekey_fuzz", TUN(rekey_fuzz), NUM(0, 100, "percent") },
	[K_REPLAY_WINDOW] = { "replay_window", TUN(replay_window), NUM(0, 4096, "packets") },
	[K_DPD_TIMEOUT] = { "dpd_timeout", TUN(dpd_timeout), NUM(1, 86400, "seconds") },
	[K_DPD_INTERVAL] = { "dpd_interval", TUN(dpd_interval), NUM(1, 3600, "seconds") },
	[K_DPD_ACTION] = { "dpd_action", parse_keyword, TUN(dpd_action), .tokens = dpd_tokens },

	[K_OUTSIDE_ADDRESS] = { "outside_address", parse_address, TUN(outside) },
	[K_PSK] = { "psk", parse_psk, TUN(psk) },
	[K_PSK_FILE] = { "psk_file", parse_psk_file, TUN(psk) },
	[K_INSIDE_CIDR] = { "inside_cidr", parse_cidr, TUN(inside4), .max = 30 },
	[K_INSIDE_CIDR6] = { "inside_cidr6", parse_cidr, TUN(inside6), .max = 126 },
	[K_INSIDE_ROLE] = { "inside_role", parse_keyword, TUN(inside_role), .tokens = role_tokens },
	[K_REMOTE_ID] = { "remote_id", parse_id, TUN(remote_id) },
	[K_BGP_PEER_ASN] = { "bgp_peer_asn", TUN(bgp_peer_asn), NUM(1, UINT32_MAX, "AS number") },
};

static int key_find(const char *name)
{
	for (int k = 0; k < K_COUNT; k++) {
		if (!strcmp(keys[k].name, name))
			return k;
	}
	return -1;
}

static int config_handler(void *user, const char *section, const char *name, const char *value)
{
	struct cfg_ctx *ctx = user;
	unsigned int line = ctx->lineno;
	struct cfg_section_state *ss;
	unsigned int n_errors;
	char *base;
	int k;

	/* The reader tracks sections itself: it sees malformed headers too. */
	(void)section;
	if (!name || ctx->sec == SEC_BAD)
		return 1;
	if (ctx->sec == SEC_NONE) {
		cfg_err(ctx, line, "key %s is outside any section; put it under [connection] "
			"or [tunnelN]", name);
		return 1;
	}
	k = key_find(name);
	if (k < 0) {
		cfg_err(ctx, line, "unknown key \"%s\" in [%s]", name, section_names[ctx->sec]);
		return 1;
	}
	if (ctx->sec == SEC_CONN && k >= K_FIRST_TUNNEL) {
		cfg_err(ctx, line, "%s belongs in [tunnel1] or [tunnel2], not [connection]", name);
		return 1;
	}
	if (ctx->sec != SEC_CONN && k < K_FIRST_OPTION) {
		cfg_err(ctx, line, "%s belongs in [connection], not [%s]", name,
			section_names[ctx->sec]);
		return 1;
	}
	ss = &ctx->sect[ctx->sec];
	if (ss->line[k]) {
		cfg_err(ctx, line, "%s is set twice in [%s] (first at line %u)", name,
			section_names[ctx->sec], ss->line[k]);
		return 1;
	}
	ss->line[k] = line;
	if (!*value) {
		key_err(ctx, line, name, "empty value");
		ss->failed[k] = true;
		return 1;
	}
	if (k < K_FIRST_OPTION)
		base = (char *)ctx->cfg;
	else if (ctx->sec == SEC_CONN)
		base = (char *)&ctx->tmpl;
	else
		base = (char *)&ctx->cfg->tunnel[ctx->sec - SEC_TUNNEL1];
	n_errors = ctx->n_errors;
	keys[k].parse(ctx, &keys[k], line, value, base + keys[k].off);
	ss->failed[k] = ctx->n_errors != n_errors;
	return 1;
}

/* Checks once the file is read ----------------------------------------- */

static void list_set(struct ike_config_list *l, enum cfg_alg_kind kind, const uint16_t *ids,
		     size_t n, uint16_t key_bits_a, uint16_t key_bits_b)
{
	l->n = 0;
	for (size_t i = 0; i < n; i++) {
		l->t[l->n].id = ids[i];
		l->t[l->n].key_bits = kind == ALG_ENCR ? (i % 2 ? key_bits_b : key_bits_a) : 0;
		l->n++;
	}
}

/* AWS's defaults, less what RFC 8247 calls weak. */
static void defaults(struct ike_config *cfg, struct ike_config_tunnel *t)
{
	static const uint16_t encr[] = {
		IKE_ENCR_AES_CBC, IKE_ENCR_AES_CBC, IKE_ENCR_AES_GCM_16, IKE_ENCR_AES_GCM_16,
	};
	static const uint16_t integ[] = {
		IKE_INTEG_HMAC_SHA2_256_128, IKE_INTEG_HMAC_SHA2_384_192,
		IKE_INTEG_HMAC_SHA2_512_256,
	};
	static const uint16_t dh[] = {
		IKE_DH_MODP_2048, IKE_DH_MODP_3072, IKE_DH_MODP_4096, IKE_DH_MODP_6144,
		IKE_DH_MODP_8192, IKE_DH_ECP_256, IKE_DH_ECP_384, IKE_DH_ECP_521,
	};
	struct ike_config_phase *phases[] = { &t->phase1, &t->phase2 };

	snprintf(cfg->device, sizeof(cfg->device), "s2svpn0");
	cfg->mtu = 1436;
	cfg->mss_clamp = 1379;
	cfg->preferred_tunnel = 0;
	t->startup_action = IKE_CONFIG_START;
	for (int i = 0; i < 2; i++) {
		list_set(&phases[i]->encr, ALG_ENCR, encr, ARRAY_SIZE(encr), 128, 256);
		list_set(&phases[i]->integ, ALG_INTEG, integ, ARRAY_SIZE(integ), 0, 0);
		list_set(&phases[i]->dh, ALG_DH, dh, ARRAY_SIZE(dh), 0, 0);
	}
	t->phase1.lifetime = 28800;
	t->phase2.lifetime = 3600;
	t->rekey_margin = 270;
	t->rekey_fuzz = 100;
	t->replay_window = 1024;
	t->dpd_timeout = 40;
	t->dpd_interval = 10;
	t->dpd_action = IKE_CONFIG_DPD_CLEAR;
}

static void check_weak(struct cfg_ctx *ctx)
{
	static const int weak_keys[] = { K_P1_INTEG, K_P1_DH, K_P2_DH };
	char name[48];

	if (ctx->cfg->allow_weak)
		return;
	for (int s = 0; s < SEC_COUNT; s++) {
		const struct ike_config_tunnel *t = s == SEC_CONN ? &ctx->tmpl :
						    &ctx->cfg->tunnel[s - SEC_TUNNEL1];

		for (size_t i = 0; i < ARRAY_SIZE(weak_keys); i++) {
			const struct cfg_key_desc *kd = &keys[weak_keys[i]];
			unsigned int line = ctx->sect[s].line[weak_keys[i]];
			const struct ike_config_list *l;

			if (!line)
				continue;
			l = (const void *)((const char *)t + kd->off);
			for (unsigned int j = 0; j < l->n; j++) {
				if (!alg_weak((enum cfg_alg_kind)kd->kind, kd->phase, l->t[j].id))
					continue;
				key_err(ctx, line, kd->name, "%s is weak%s; set allow_weak = yes "
					"to use it", alg_display((enum cfg_alg_kind)kd->kind,
								 &l->t[j], name, sizeof(name)),
					kd->kind == ALG_INTEG ? " as the IKE PRF (RFC 8247)" : "");
			}
		}
	}
}

static uint16_t prf_of(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA1_96:
		return IKE_PRF_HMAC_SHA1;
	case IKE_INTEG_HMAC_SHA2_256_128:
		return IKE_PRF_HMAC_SHA2_256;
	case IKE_INTEG_HMAC_SHA2_384_192:
		return IKE_PRF_HMAC_SHA2_384;
	default:
		return IKE_PRF_HMAC_SHA2_512;
	}
}

/* CBC ciphers with the integrity algorithms, AEAD ones alone: config.h. */
static void build_proposals(struct ike_config_phase *ph, bool ike)
{
	struct ike_config_proposal *plain = NULL, *aead = NULL;

	ph->n_proposals = 0;
	memset(ph->proposals, 0, sizeof(ph->proposals));
	for (unsigned int i = 0; i < ph->encr.n; i++) {
		bool is_aead = alg_aead(ph->encr.t[i].id);
		struct ike_config_proposal **pp = is_aead ? &aead : &plain;
		struct ike_config_proposal *p = *pp;

		if (!p) {
			p = &ph->proposals[ph->n_proposals++];
			*pp = p;
			if (!is_aead)
				p->integ = ph->integ;
			if (ike) {
				for (unsigned int j = 0; j < ph->integ.n; j++)
					p->prf.t[j].id = prf_of(ph->integ.t[j].id);
				p->prf.n = ph->integ.n;
			}
			p->dh = ph->dh;
		}
		p->encr.t[p->encr.n++] = ph->encr.t[i];
	}
}

static void inside_hosts(struct ike_config_inside *in, enum ike_config_role role)
{
	uint8_t local = role == IKE_CONFIG_ROLE_AWS ? 1 : 2;
	uint8_t peer = 3 - local;

	if (!in->set)
		return;
	in->local = in->net;
	in->peer = in->net;
	/* The network address is aligned on 4, so no carry. */
	if (in->net.family == AF_INET) {
		in->local.v4.s_addr = htonl(ntohl(in->net.v4.s_addr) + local);
		in->peer.v4.s_addr = htonl(ntohl(in->net.v4.s_addr) + peer);
	} else {
		in->local.v6.s6_addr[15] += local;
		in->peer.v6.s6_addr[15] += peer;
	}
}

static void id_of_addr(struct ike_config_id *id, const struct ike_config_addr *a)
{
	if (id->type || !a->family)
		return;
	id->type = a->family == AF_INET ? IKE_ID_IPV4_ADDR : IKE_ID_IPV6_ADDR;
	id->len = a->family == AF_INET ? 4 : 16;
	memcpy(id->data, a->family == AF_INET ? (const void *)&a->v4 : (const void *)&a->v6,
	       id->len);
}

static void finish_tunnel(struct cfg_ctx *ctx, int i)
{
	const struct cfg_section_state *cs = &ctx->sect[SEC_CONN];
	const struct cfg_section_state *ts = &ctx->sect[SEC_TUNNEL1 + i];
	struct ike_config_tunnel *t = &ctx->cfg->tunnel[i];
	unsigned int line[K_COUNT], l1, l2;
	char o[32], a[INET6_ADDRSTRLEN];
	bool bad[K_COUNT];

	t->present = true;
	t->index = (unsigned int)i + 1;
	/*
	 * Where each effective value comes from: this tunnel, [connection] or
	 * the default. A refused value was reported already: the tunnel gets
	 * [connection]'s instead, and checks involving it are skipped.
	 */
	for (int k = 0; k < K_COUNT; k++) {
		line[k] = ts->line[k];
		bad[k] = ts->failed[k];
		if (k < K_FIRST_OPTION || k >= K_FIRST_TUNNEL || (line[k] && !bad[k]))
			continue;
		if (!line[k]) {
			line[k] = cs->line[k];
			bad[k] = cs->failed[k];
		}
		memcpy((char *)t + keys[k].off, (const char *)&ctx->tmpl + keys[k].off,
		       keys[k].size);
	}

	if (!line[K_OUTSIDE_ADDRESS])
		cfg_err(ctx, ts->header, "[tunnel%d] has no outside_address (the peer's outside "
			"IP address)", i + 1);
	else if (t->outside.family && ctx->cfg->local_address.family &&
		 t->outside.family != ctx->cfg->local_address.family)
		key_err(ctx, line[K_OUTSIDE_ADDRESS], "outside_address", "%s is %s but "
			"local_address (line %u) is %s; both must be of the same family",
			inet_ntop(t->outside.family, &t->outside.v6, a, sizeof(a)),
			family_name(t->outside.family), cs->line[K_LOCAL_ADDRESS],
			family_name(ctx->cfg->local_address.family));

	if (line[K_PSK] && line[K_PSK_FILE]) {
		l1 = line[K_PSK] > line[K_PSK_FILE] ? line[K_PSK] : line[K_PSK_FILE];
		cfg_err(ctx, l1, "psk and psk_file are both set (lines %u and %u); keep one",
			line[K_PSK], line[K_PSK_FILE]);
	} else if (!line[K_PSK] && !line[K_PSK_FILE]) {
		cfg_err(ctx, ts->header, "[tunnel%d] has no psk or psk_file", i + 1);
	} else if (line[K_PSK] && ctx->check_mode && (ctx->mode & 077)) {
		key_err(ctx, line[K_PSK], "psk", "%s is accessible by group or others (mode %04o) "
			"and holds a pre-shared key; chmod 600 %s, or move the key to a psk_file",
			ctx->file, (unsigned int)(ctx->mode & 07777), ctx->file);
	}

	if (!line[K_INSIDE_CIDR] && !line[K_INSIDE_CIDR6])
		cfg_err(ctx, ts->header, "[tunnel%d] has no inside_cidr (an IPv4 /30) or "
			"inside_cidr6 (an IPv6 /126)", i + 1);
	if (line[K_BGP_PEER_ASN] && !cs->line[K_BGP_ASN])
		key_err(ctx, line[K_BGP_PEER_ASN], "bgp_peer_asn", "needs bgp_asn in [connection] "
			"(this side's AS number)");
	inside_hosts(&t->inside4, t->inside_role);
	inside_hosts(&t->inside6, t->inside_role);
	id_of_addr(&t->remote_id, &t->outside);

	if (!bad[K_P1_LIFETIME] && !bad[K_P2_LIFETIME] &&
	    t->phase2.lifetime >= t->phase1.lifetime) {
		if (line[K_P2_LIFETIME])
			key_err(ctx, line[K_P2_LIFETIME], "phase2_lifetime", "%u s must be less "
				"than phase1_lifetime (%u s, %s)", t->phase2.lifetime,
				t->phase1.lifetime, origin(line[K_P1_LIFETIME], o, sizeof(o)));
		else
			key_err(ctx, line[K_P1_LIFETIME], "phase1_lifetime", "%u s must be more "
				"than phase2_lifetime (%u s, default)", t->phase1.lifetime,
				t->phase2.lifetime);
	}
	if (!bad[K_REKEY_MARGIN] && !bad[K_REKEY_FUZZ] && !bad[K_P2_LIFETIME] &&
	    (uint64_t)t->rekey_margin * (100 + t->rekey_fuzz) / 100 >= t->phase2.lifetime) {
		l1 = line[K_REKEY_MARGIN] ? line[K_REKEY_MARGIN] :
		     line[K_REKEY_FUZZ] ? line[K_REKEY_FUZZ] : line[K_P2_LIFETIME];
		key_err(ctx, l1, "rekey_margin", "%u s plus rekey_fuzz %u%% (up to %llu s before "
			"expiry) must be less than phase2_lifetime (%u s, %s)", t->rekey_margin,
			t->rekey_fuzz,
			(unsigned long long)t->rekey_margin * (100 + t->rekey_fuzz) / 100,
			t->phase2.lifetime, origin(line[K_P2_LIFETIME], o, sizeof(o)));
	}
	if (!bad[K_DPD_INTERVAL] && !bad[K_DPD_TIMEOUT] && t->dpd_interval >= t->dpd_timeout) {
		l1 = line[K_DPD_INTERVAL];
		l2 = line[K_DPD_TIMEOUT];
		if (l1)
			key_err(ctx, l1, "dpd_interval", "%u s must be less than dpd_timeout "
				"(%u s, %s)", t->dpd_interval, t->dpd_timeout,
				origin(l2, o, sizeof(o)));
		else
			key_err(ctx, l2, "dpd_timeout", "%u s must be more than dpd_interval "
				"(%u s, default)", t->dpd_timeout, t->dpd_interval);
	}
	build_proposals(&t->phase1, true);
	build_proposals(&t->phase2, false);
}

static void default_name(struct cfg_ctx *ctx)
{
	const char *base = strrchr(ctx->file, '/');
	const char *dot;
	size_t n;

	base = base ? base + 1 : ctx->file;
	dot = strrchr(base, '.');
	n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	if (n > IKE_CONFIG_NAME_MAX)
		n = IKE_CONFIG_NAME_MAX;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)base[i];

		ctx->cfg->name[i] = c > ' ' && c < 0x7f ? (char)c : '_';
	}
	ctx->cfg->name[n] = '\0';
	if (!n)
		snprintf(ctx->cfg->name, sizeof(ctx->cfg->name), "s2svpn");
}

static void finish(struct cfg_ctx *ctx)
{
	const struct cfg_section_state *cs = &ctx->sect[SEC_CONN];
	struct ike_config *cfg = ctx->cfg;
	unsigned int eof = ctx->lineno ? ctx->lineno : 1;

	if (!cs->header)
		cfg_err(ctx, eof, "no [connection] section; it needs at least local_address");
	else if (!cs->line[K_LOCAL_ADDRESS])
		cfg_err(ctx, cs->header, "[connection] has no local_address (this side's outside "
			"IPv4 or IPv6 address)");
	if (!ctx->sect[SEC_TUNNEL1].header && !ctx->sect[SEC_TUNNEL2].header)
		cfg_err(ctx, eof, "no tunnel: add a [tunnel1] section (and [tunnel2] for AWS's "
			"second tunnel)");
	if (!cs->line[K_NAME])
		default_name(ctx);
	id_of_addr(&cfg->local_id, &cfg->local_address);
	if (cs->line[K_PREFERRED_TUNNEL] && cfg->preferred_tunnel >= 0 &&
	    !ctx->sect[SEC_TUNNEL1 + cfg->preferred_tunnel].header)
		key_err(ctx, cs->line[K_PREFERRED_TUNNEL], "preferred_tunnel",
			"there is no [tunnel%d]", cfg->preferred_tunnel + 1);
	if (!cs->failed[K_MTU] && !cs->failed[K_MSS_CLAMP] && cfg->mss_clamp &&
	    cfg->mss_clamp > cfg->mtu - 40) {
		if (cs->line[K_MSS_CLAMP])
			key_err(ctx, cs->line[K_MSS_CLAMP], "mss_clamp", "%u is too large for mtu "
				"%u (at most mtu - 40 = %d)", cfg->mss_clamp, cfg->mtu,
				(int)cfg->mtu - 40);
		else
			key_err(ctx, cs->line[K_MTU], "mtu", "%u leaves no room for mss_clamp %u "
				"(default); set mss_clamp to at most mtu - 40, or 0", cfg->mtu,
				cfg->mss_clamp);
	}
	check_weak(ctx);

	for (int i = 0; i < IKE_CONFIG_MAX_TUNNELS; i++) {
		if (ctx->sect[SEC_TUNNEL1 + i].header)
			finish_tunnel(ctx, i);
	}
	if (cfg->tunnel[0].present && cfg->tunnel[1].present) {
		const struct ike_config_tunnel *a = &cfg->tunnel[0], *b = &cfg->tunnel[1];
		const struct cfg_section_state *sa = &ctx->sect[SEC_TUNNEL1];
		const struct cfg_section_state *sb = &ctx->sect[SEC_TUNNEL2];

		if (a->outside.family && addr_equal(&a->outside, &b->outside))
			key_err(ctx, sb->line[K_OUTSIDE_ADDRESS], "outside_address", "same as "
				"[tunnel1]'s (line %u); each tunnel needs its own peer address",
				sa->line[K_OUTSIDE_ADDRESS]);
		if (a->inside4.set && b->inside4.set &&
		    addr_equal(&a->inside4.net, &b->inside4.net))
			key_err(ctx, sb->line[K_INSIDE_CIDR], "inside_cidr", "same as [tunnel1]'s "
				"(line %u); each tunnel needs its own /30",
				sa->line[K_INSIDE_CIDR]);
		if (a->inside6.set && b->inside6.set &&
		    addr_equal(&a->inside6.net, &b->inside6.net))
			key_err(ctx, sb->line[K_INSIDE_CIDR6], "inside_cidr6", "same as "
				"[tunnel1]'s (line %u); each tunnel needs its own /126",
				sa->line[K_INSIDE_CIDR6]);
	}
}

/* Loading -------------------------------------------------------------- */

/* Replace every S[0..n) in this load's messages, past "FILE:", by "***". */
static void redact(struct cfg_ctx *ctx, const char *s, size_t n)
{
	struct ike_config_errors *errs = ctx->errs;
	size_t skip = strlen(ctx->file) + 1, kept = ctx->first_err;

	for (size_t i = ctx->first_err; i < errs->n; i++) {
		char *msg = errs->v[i].msg, *hit, *out;

		/* Each pass shortens the message (n >= 4): this ends. */
		while (msg && (hit = memmem(msg + skip, strlen(msg + skip), s, n))) {
			if (asprintf(&out, "%.*s***%s", (int)(hit - msg), msg, hit + n) < 0)
				out = NULL;	/* no memory to redact: drop the message */
			free(msg);
			msg = out;
		}
		if (!msg) {
			errs->dropped++;
			continue;
		}
		errs->v[kept].line = errs->v[i].line;
		errs->v[kept++].msg = msg;
	}
	errs->n = kept;
}

/*
 * Messages quote values, and a PSK may hide in one: with a newline lost,
 * "psk = ..." ends up in the value of the line before. Whatever follows
 * "psk =" or "psk:" anywhere in the text (as a whole, and each of its
 * blank- or comma-separated parts) is blanked out of the messages. Bits
 * shorter than 4 characters are left: they would garble messages, and
 * such a PSK is refused anyway.
 */
static void redact_psks(struct cfg_ctx *ctx)
{
	const char *text = ctx->text, *end = ctx->text + ctx->len;

	if (!ctx->errs || ctx->errs->n == ctx->first_err)
		return;
	for (const char *p = text; end - p > 3; p++) {
		const char *v, *e;

		if (strncasecmp(p, "psk", 3))
			continue;
		v = p + 3;
		while (v < end && is_blank(*v))
			v++;
		if (v == end || (*v != '=' && *v != ':'))
			continue;
		v++;
		while (v < end && is_blank(*v))
			v++;
		for (e = v; e < end && *e != '\n' && *e != '\r'; e++) {
			if ((*e == ';' || *e == '#') && e > v && is_blank(e[-1]))
				break;
		}
		while (e > v && is_blank(e[-1]))
			e--;
		if (e - v >= 4)
			redact(ctx, v, (size_t)(e - v));
		for (const char *w = v; w < e;) {
			const char *x = w;

			while (x < e && *x != ',' && !is_blank(*x))
				x++;
			if (x - w >= 4 && x - w < e - v)
				redact(ctx, w, (size_t)(x - w));
			w = x + 1;
		}
	}
}

static void sort_errors(struct ike_config_errors *errs, size_t first)
{
	/* Insertion sort: stable, and there are at most a hundred. */
	for (size_t i = first + 1; i < errs->n; i++) {
		struct ike_config_error e = errs->v[i];
		size_t j = i;

		while (j > first && errs->v[j - 1].line > e.line) {
			errs->v[j] = errs->v[j - 1];
			j--;
		}
		errs->v[j] = e;
	}
}

static int load_text(struct cfg_ctx *ctx, struct ike_config **out)
{
	struct ike_config *cfg = calloc(1, sizeof(*cfg));
	int r;

	if (!cfg) {
		cfg_err(ctx, 0, "out of memory");
		return -1;
	}
	ctx->cfg = cfg;
	ctx->sec = SEC_NONE;
	ctx->first_err = ctx->errs ? ctx->errs->n : 0;
	defaults(cfg, &ctx->tmpl);

	r = ini_parse_stream(config_reader, ctx, config_handler, ctx);
	if (r == -2)
		cfg_err(ctx, 0, "out of memory");
	else if (r > 0 && !ctx->n_errors)
		/* Our reader passes inih only lines it accepts: a safety net. */
		cfg_err(ctx, (unsigned int)r, "syntax error");
	finish(ctx);
	explicit_bzero(&ctx->tmpl, sizeof(ctx->tmpl));
	redact_psks(ctx);

	if (ctx->errs)
		sort_errors(ctx->errs, ctx->first_err);
	if (ctx->n_errors) {
		ike_config_free(cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

int ike_config_load_string(const char *name, const char *text, struct ike_config **out,
			   struct ike_config_errors *errs)
{
	struct cfg_ctx ctx = {
		.file = name,
		.text = text,
		.len = strlen(text),
		.errs = errs,
	};

	*out = NULL;
	return load_text(&ctx, out);
}

int ike_config_load(const char *path, struct ike_config **out, struct ike_config_errors *errs)
{
	struct cfg_ctx ctx = { .file = path, .errs = errs, .check_mode = true };
	const char *slash = strrchr(path, '/');
	char *buf = NULL, *dir = NULL;
	size_t len = 0;
	struct stat st;
	int fd, r = -1;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		cfg_err(&ctx, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		cfg_err(&ctx, 0, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		cfg_err(&ctx, 0, "not a regular file");
		goto out;
	}
	if (st.st_size > CONFIG_FILE_MAX) {
		cfg_err(&ctx, 0, "larger than %d bytes: not a connection file", CONFIG_FILE_MAX);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		cfg_err(&ctx, 0, "out of memory");
		goto out;
	}
	/* Read to EOF, not st_size: the file may change meanwhile. */
	while (len <= (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cfg_err(&ctx, 0, "cannot read: %s", strerror(errno));
			goto out;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	if (len > (size_t)st.st_size) {
		cfg_err(&ctx, 0, "changed while being read");
		goto out;
	}
	if (slash) {
		dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
		if (!dir) {
			cfg_err(&ctx, 0, "out of memory");
			goto out;
		}
	}
	ctx.dir = dir;
	ctx.text = buf;
	ctx.len = len;
	ctx.mode = st.st_mode;
	r = load_text(&ctx, out);
out:
	if (buf) {
		explicit_bzero(buf, len);	/* it may hold a psk */
		free(buf);
	}
	free(dir);
	close(fd);
	return r;
}

void ike_config_free(struct ike_config *cfg)
{
	if (!cfg)
		return;
	explicit_bzero(cfg, sizeof(*cfg));
	free(cfg);
}

void ike_config_errors_free(struct ike_config_errors *errs)
{
	if (!errs)
		return;
	for (size_t i = 0; i < errs->n; i++)
		free(errs->v[i].msg);
	free(errs->v);
	memset(errs, 0, sizeof(*errs));
}

void ike_config_errors_print(const struct ike_config_errors *errs, FILE *f)
{
	for (size_t i = 0; i < errs->n; i++)
		fprintf(f, "%s\n", errs->v[i].msg);
	if (errs->dropped)
		fprintf(f, "... and %zu more errors\n", errs->dropped);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Text and JSON output of "show" and "monitor". JSON is written by hand:
 * a small writer keeps track of commas and indentation, json_str() escapes
 * strings (and replaces bytes that are not UTF-8, since JSON text must be
 * UTF-8 and device names are arbitrary bytes).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "s2svpnctl.h"

/* ---- small formatters ------------------------------------------------- */

/* Like wg(8): "512 B", "1.21 MiB". */
void fmt_bytes(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = {
		"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"
	};
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", bytes);
		return;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.2f %s", v, units[u]);
}

/* "42 s", "3 min 5 s", "2 h 7 min", "12 d 3 h": two units are enough. */
void fmt_duration(uint64_t s, char *buf, size_t len)
{
	if (s < 60)
		snprintf(buf, len, "%" PRIu64 " s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 " min %" PRIu64 " s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 " h %" PRIu64 " min", s / 3600,
			 s % 3600 / 60);
	else
		snprintf(buf, len, "%" PRIu64 " d %" PRIu64 " h", s / 86400,
			 s % 86400 / 3600);
}

/* THEN and NOW in seconds since the epoch; THEN 0 is "never". */
void fmt_ago(uint64_t then, uint64_t now, char *buf, size_t len)
{
	char d[32];

	if (!then) {
		snprintf(buf, len, "never");
		return;
	}
	/* A clock stepped back must not print a huge unsigned difference. */
	fmt_duration(now > then ? now - then : 0, d, sizeof(d));
	snprintf(buf, len, "%s ago", d);
}

void fmt_addr(const struct addr *a, char *buf, size_t len)
{
	char tmp[INET6_ADDRSTRLEN];

	if (!a->family || !inet_ntop(a->family, a->bytes, tmp, sizeof(tmp)))
		snprintf(buf, len, "*");
	else
		snprintf(buf, len, "%s", tmp);
}

/* ADDR:PORT, [ADDR6]:PORT */
static void fmt_endpoint(const struct addr *a, bool has_port, uint16_t port,
			 char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN + 2];
	char p[8] = "*";

	fmt_addr(a, addr, sizeof(addr));
	if (has_port)
		snprintf(p, sizeof(p), "%u", port);
	if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%s", addr, p);
	else
		snprintf(buf, len, "%s:%s", addr, p);
}

const char *df_name(uint8_t df)
{
	switch (df) {
	case S2SVPN_DF_CLEAR:
		return "clear";
	case S2SVPN_DF_COPY:
		return "copy";
	case S2SVPN_DF_SET:
		return "set";
	}
	return "unknown";
}

const char *dir_name(uint8_t dir)
{
	return dir == S2SVPN_DIR_IN ? "in" : dir == S2SVPN_DIR_OUT ? "out" :
	       "unknown";
}

static const char *state_name(uint8_t state)
{
	return state == S2SVPN_TUNNEL_USABLE ? "usable" :
	       state == S2SVPN_TUNNEL_UNUSABLE ? "unusable" : "unknown";
}

static const char *reason_name(uint8_t r)
{
	switch (r) {
	case S2SVPN_EXPIRE_BYTES:
		return "bytes";
	case S2SVPN_EXPIRE_PACKETS:
		return "packets";
	case S2SVPN_EXPIRE_SEQ:
		return "seq";
	}
	return "unknown";
}

/* JSON keys of enum s2svpn_a_stats (stable: scripts depend on them). */
static const char *const stat_keys[STATS_N] = {
	[S2SVPN_A_STATS_RX_PACKETS] = "rx_packets",
	[S2SVPN_A_STATS_RX_BYTES] = "rx_bytes",
	[S2SVPN_A_STATS_TX_PACKETS] = "tx_packets",
	[S2SVPN_A_STATS_TX_BYTES] = "tx_bytes",
	[S2SVPN_A_STATS_DROP_REPLAY] = "drop_replay",
	[S2SVPN_A_STATS_DROP_AUTH] = "drop_auth",
	[S2SVPN_A_STATS_DROP_UNKNOWN_SPI] = "drop_unknown_spi",
	[S2SVPN_A_STATS_DROP_TRAILER] = "drop_trailer",
	[S2SVPN_A_STATS_DROP_MALFORMED] = "drop_malformed",
	[S2SVPN_A_STATS_DROP_TOO_BIG] = "drop_too_big",
	[S2SVPN_A_STATS_DROP_NO_SA] = "drop_no_sa",
	[S2SVPN_A_STATS_DROP_OTHER] = "drop_other",
};

const char *stat_key(unsigned int i)
{
	return i > 0 && i < STATS_N ? stat_keys[i] : NULL;
}

/* ---- JSON ------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s, 0 if invalid (RFC 3629). */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void json_str(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		size_t n = utf8_len(s);

		if (n == 0) {
			fputs("\\ufffd", f);	/* not UTF-8: replacement char */
			s++;
			continue;
		}
		switch (*s) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*s < 0x20)
				fprintf(f, "\\u%04x", *s);
			else
				fwrite(s, 1, n, f);
		}
		s += n;
	}
	fputc('"', f);
}

#define JSON_DEPTH	8

/* Commas and (if pretty) indentation; keys are NULL inside arrays. */
struct json {
	FILE *f;
	bool pretty;
	int depth;
	bool first[JSON_DEPTH];
};

static void j_key(struct json *j, const char *key)
{
	if (j->depth > 0 && j->depth <= JSON_DEPTH) {
		if (!j->first[j->depth - 1])
			fputc(',', j->f);
		j->first[j->depth - 1] = false;
		if (j->pretty)
			fprintf(j->f, "\n%*s", 2 * j->depth, "");
	}
	if (key) {
		json_str(j->f, key);
		fputs(j->pretty ? ": " : ":", j->f);
	}
}

static void j_open(struct json *j, const char *key, char c)
{
	j_key(j, key);
	fputc(c, j->f);
	if (j->depth < JSON_DEPTH)
		j->first[j->depth] = true;
	j->depth++;
}

static void j_close(struct json *j, char c)
{
	j->depth--;
	if (j->pretty && j->depth < JSON_DEPTH && !j->first[j->depth])
		fprintf(j->f, "\n%*s", 2 * j->depth, "");
	fputc(c, j->f);
}

static void j_u64(struct json *j, const char *key, uint64_t v)
{
	j_key(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

static void j_opt_u64(struct json *j, const char *key, bool has, uint64_t v)
{
	j_key(j, key);
	if (has)
		fprintf(j->f, "%" PRIu64, v);
	else
		fputs("null", j->f);
}

static void j_str(struct json *j, const char *key, const char *s)
{
	j_key(j, key);
	if (s)
		json_str(j->f, s);
	else
		fputs("null", j->f);
}

static void j_bool(struct json *j, const char *key, bool v)
{
	j_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

static void j_addr(struct json *j, const char *key, const struct addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (!a->family) {
		j_str(j, key, NULL);
		return;
	}
	fmt_addr(a, buf, sizeof(buf));
	j_str(j, key, buf);
}

/* Every counter, null if the kernel did not send it; null if no nest. */
static void j_stats(struct json *j, const char *key, const struct stats *st)
{
	if (!st->present) {
		j_str(j, key, NULL);
		return;
	}
	j_open(j, key, '{');
	for (unsigned int i = 1; i < STATS_N; i++)
		j_opt_u64(j, stat_keys[i], st->has[i], st->v[i]);
	j_close(j, '}');
}

/* ---- show ------------------------------------------------------------- */

static const char *const limit_names[4] = {
	"soft_bytes", "hard_bytes", "soft_packets", "hard_packets"
};

/* Out first, then the current inbound SA, then the previous one. */
static int sa_rank(const struct sa_info *s)
{
	return s->dir == S2SVPN_DIR_OUT ? 0 : s->current ? 1 : 2;
}

static void json_sa(struct json *j, const struct sa_info *s)
{
	char hex[16];

	snprintf(hex, sizeof(hex), "0x%08" PRIx32, s->spi);
	j_open(j, NULL, '{');
	j_str(j, "dir", dir_name(s->dir));
	j_u64(j, "spi", s->spi);
	j_str(j, "spi_hex", hex);
	j_str(j, "alg", s->alg[0] ? s->alg : NULL);
	j_opt_u64(j, "icv_len", s->has_icv, s->icv_len);
	j_bool(j, "esn", s->esn);
	j_opt_u64(j, "replay_window", s->has_replay, s->replay_window);
	j_bool(j, "current", s->current);
	j_opt_u64(j, "age", s->has_age, s->age);
	j_opt_u64(j, "seq", s->has_seq, s->seq);
	for (int i = 0; i < 4; i++)
		j_opt_u64(j, limit_names[i], s->has_limit[i], s->limit[i]);
	j_stats(j, "stats", &s->stats);
	j_close(j, '}');
}

static bool tunnel_shown(const struct show_dev *d, int id)
{
	if (d->info.tunnels[id].present)
		return true;
	for (size_t i = 0; i < d->n_sas; i++)
		if (d->sas[i].tunnel == id)
			return true;
	return false;
}

static void json_tunnel(struct json *j, const struct show_dev *d, int id)
{
	const struct tunnel_info *t = &d->info.tunnels[id];

	j_open(j, NULL, '{');
	j_u64(j, "id", (uint64_t)id);
	j_str(j, "state", t->has_state ? state_name(t->state) : NULL);
	j_bool(j, "active", d->info.has_active && d->info.active_tunnel == id);
	j_addr(j, "local", &t->local);
	j_opt_u64(j, "local_port", t->has_local_port, t->local_port);
	j_addr(j, "remote", &t->remote);
	j_opt_u64(j, "remote_port", t->has_remote_port, t->remote_port);
	j_addr(j, "inside_peer4", &t->inside4);
	j_addr(j, "inside_peer6", &t->inside6);
	j_opt_u64(j, "last_rx", t->has_last_rx && t->last_rx, t->last_rx);
	j_stats(j, "stats", &t->stats);
	j_open(j, "sas", '[');
	for (int rank = 0; rank < 3; rank++)
		for (size_t i = 0; i < d->n_sas; i++)
			if (d->sas[i].tunnel == id && sa_rank(&d->sas[i]) == rank)
				json_sa(j, &d->sas[i]);
	j_close(j, ']');
	j_close(j, '}');
}

static void json_dev(struct json *j, const struct show_dev *d)
{
	const struct dev_info *i = &d->info;

	j_open(j, NULL, '{');
	j_str(j, "ifname", i->ifname[0] ? i->ifname : NULL);
	j_u64(j, "ifindex", i->ifindex);
	j_opt_u64(j, "active_tunnel", i->has_active, i->active_tunnel);
	j_str(j, "df", i->has_df ? df_name(i->df) : NULL);
	j_opt_u64(j, "mss_clamp", i->has_mss, i->mss_clamp);
	j_open(j, "tunnels", '[');
	for (int id = 0; id < S2SVPN_TUNNELS; id++)
		if (tunnel_shown(d, id))
			json_tunnel(j, d, id);
	j_close(j, ']');
	/* s2svpn-iked's own JSON ("status -j"), verbatim; null without one. */
	j_key(j, "daemon");
	if (d->daemon)
		fprintf(j->f, "%.*s", (int)strcspn(d->daemon, "\n"), d->daemon);
	else
		fputs("null", j->f);
	j_close(j, '}');
}

/* One document: {"devices": [...], "net_stats": {...} | null}. */
void show_json(FILE *f, const struct show_dev *devs, size_t n)
{
	struct json j = { .f = f, .pretty = true };
	const struct stats *net = NULL;

	j_open(&j, NULL, '{');
	j_open(&j, "devices", '[');
	for (size_t i = 0; i < n; i++) {
		json_dev(&j, &devs[i]);
		if (!net && devs[i].info.net_stats.present)
			net = &devs[i].info.net_stats;
	}
	j_close(&j, ']');
	if (net)
		j_stats(&j, "net_stats", net);
	else
		j_str(&j, "net_stats", NULL);
	j_close(&j, '}');
	fputc('\n', f);
}

#define TEXT_WIDTH	80

/*
 * "PREFIXreplay 3, auth 1": only counters that are not zero, wrapped at
 * 80 columns under the first one. Nothing is printed if all are zero,
 * unless NONE is given.
 */
static void text_drops(FILE *f, const char *prefix, const struct stats *st,
		       const char *none)
{
	size_t col = strlen(prefix);
	const size_t indent = col;
	bool any = false;

	for (unsigned int i = S2SVPN_A_STATS_DROP_REPLAY; i < STATS_N; i++) {
		char item[64];
		int n;

		if (!st->has[i] || !st->v[i])
			continue;
		n = snprintf(item, sizeof(item), "%s %" PRIu64,
			     stat_keys[i] + strlen("drop_"), st->v[i]);
		for (char *p = item; *p; p++)
			if (*p == '_')
				*p = ' ';
		if (!any) {
			fputs(prefix, f);
		} else if (col + 2 + (size_t)n + 1 > TEXT_WIDTH) {
			fprintf(f, ",\n%*s", (int)indent, "");
			col = indent;
		} else {
			fputs(", ", f);
			col += 2;
		}
		fputs(item, f);
		col += (size_t)n;
		any = true;
	}
	if (any)
		fputc('\n', f);
	else if (none)
		fprintf(f, "%s%s\n", prefix, none);
}

static const char *plural(uint64_t n, const char *word, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64 " %s%s", n, word, n == 1 ? "" : "s");
	return buf;
}

static void text_transfer(FILE *f, const char *indent, const struct stats *st)
{
	char rx[32], tx[32], rxp[32], txp[32];

	fmt_bytes(st->v[S2SVPN_A_STATS_RX_BYTES], rx, sizeof(rx));
	fmt_bytes(st->v[S2SVPN_A_STATS_TX_BYTES], tx, sizeof(tx));
	fprintf(f, "%stransfer: %s received (%s), %s sent (%s)\n", indent, rx,
		plural(st->v[S2SVPN_A_STATS_RX_PACKETS], "packet", rxp,
		       sizeof(rxp)),
		tx, plural(st->v[S2SVPN_A_STATS_TX_PACKETS], "packet", txp,
			   sizeof(txp)));
}

static void text_limits(FILE *f, const struct sa_info *s)
{
	static const char *const names[4] = {
		"soft", "hard", "soft", "hard"
	};
	char buf[160], b[32];
	size_t off = 0;

	for (int i = 0; i < 4; i++) {
		if (!s->has_limit[i] || !s->limit[i])
			continue;
		if (i < 2)
			fmt_bytes(s->limit[i], b, sizeof(b));
		else
			snprintf(b, sizeof(b), "%" PRIu64 " packets", s->limit[i]);
		off += snprintf(buf + off, sizeof(buf) - off, "%s%s %s",
				off ? ", " : "", names[i], b);
		if (off >= sizeof(buf))
			break;
	}
	if (off)
		fprintf(f, "    limits: %s\n", buf);
}

static void text_sa(FILE *f, const struct sa_info *s)
{
	char buf[64], b[32];
	bool in;

	fprintf(f, "\n  sa %s 0x%08" PRIx32 "%s\n", dir_name(s->dir), s->spi,
		s->current ? " (current)" : "");
	fprintf(f, "    %s", s->alg[0] ? s->alg : "unknown algorithm");
	if (s->has_icv)
		fprintf(f, ", icv %u", s->icv_len);
	if (s->esn)
		fprintf(f, ", esn");
	if (s->has_replay && s->dir == S2SVPN_DIR_IN) {
		if (s->replay_window)
			fprintf(f, ", replay window %" PRIu32, s->replay_window);
		else
			fprintf(f, ", no replay protection");
	}
	fputc('\n', f);
	fprintf(f, "    ");
	if (s->has_age) {
		fmt_duration(s->age, b, sizeof(b));
		fprintf(f, "age %s, ", b);
	}
	if (s->has_seq)
		fprintf(f, "seq %" PRIu64 ", ", s->seq);
	/* An SA carries traffic one way: its packets are that way's. */
	in = s->dir == S2SVPN_DIR_IN;
	fmt_bytes(s->stats.v[in ? S2SVPN_A_STATS_RX_BYTES :
				  S2SVPN_A_STATS_TX_BYTES], b, sizeof(b));
	fprintf(f, "%s, %s\n",
		plural(s->stats.v[in ? S2SVPN_A_STATS_RX_PACKETS :
				       S2SVPN_A_STATS_TX_PACKETS], "packet",
		       buf, sizeof(buf)), b);
	text_drops(f, "    drops: ", &s->stats, NULL);
	text_limits(f, s);
}

static void text_tunnel(FILE *f, const struct show_dev *d, int id,
			uint64_t now)
{
	const struct tunnel_info *t = &d->info.tunnels[id];
	char a[64], b[64];

	fprintf(f, "\ntunnel %d: %s%s\n", id,
		!t->present ? "not configured" :
		t->has_state ? state_name(t->state) : "state unknown",
		d->info.has_active && d->info.active_tunnel == id ?
		" (active)" : "");
	if (t->present) {
		fmt_endpoint(&t->local, t->has_local_port, t->local_port, a,
			     sizeof(a));
		fmt_endpoint(&t->remote, t->has_remote_port, t->remote_port, b,
			     sizeof(b));
		fprintf(f, "  endpoint: %s -> %s\n", a, b);
		if (t->inside4.family || t->inside6.family) {
			fmt_addr(&t->inside4, a, sizeof(a));
			fmt_addr(&t->inside6, b, sizeof(b));
			fprintf(f, "  inside peer: %s%s%s\n",
				t->inside4.family ? a : "",
				t->inside4.family && t->inside6.family ? ", " : "",
				t->inside6.family ? b : "");
		}
		fmt_ago(t->has_last_rx ? t->last_rx : 0, now, a, sizeof(a));
		fprintf(f, "  last receive: %s\n", a);
		if (t->stats.present)
			text_transfer(f, "  ", &t->stats);
		text_drops(f, "  drops: ", &t->stats, NULL);
	}
	for (int rank = 0; rank < 3; rank++)
		for (size_t i = 0; i < d->n_sas; i++)
			if (d->sas[i].tunnel == id && sa_rank(&d->sas[i]) == rank)
				text_sa(f, &d->sas[i]);
}

static void text_dev(FILE *f, const struct show_dev *d, uint64_t now)
{
	const struct dev_info *i = &d->info;

	if (i->ifname[0])
		fprintf(f, "interface: %s\n", i->ifname);
	else
		fprintf(f, "interface: ifindex %" PRIu32 "\n", i->ifindex);
	if (i->has_active)
		fprintf(f, "  active tunnel: %u\n", i->active_tunnel);
	if (i->has_df)
		fprintf(f, "  df: %s\n", df_name(i->df));
	if (i->has_mss && i->mss_clamp)
		fprintf(f, "  mss clamp: %u\n", i->mss_clamp);
	else if (i->has_mss)
		fprintf(f, "  mss clamp: off\n");
	for (int id = 0; id < S2SVPN_TUNNELS; id++)
		if (tunnel_shown(d, id))
			text_tunnel(f, d, id, now);
	if (d->daemon) {
		/* s2svpn-iked numbers the tunnels as AWS does: 1 and 2. */
		fputs("  s2svpn-iked (tunnels numbered 1 and 2, as AWS does):\n", f);
		for (const char *l = d->daemon; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0))
			fprintf(f, "    %.*s\n", (int)strcspn(l, "\n"), l);
	}
}

void show_text(FILE *f, const struct show_dev *devs, size_t n, uint64_t now)
{
	const struct stats *net = NULL;

	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc('\n', f);
		text_dev(f, &devs[i], now);
		if (!net && devs[i].info.net_stats.present)
			net = &devs[i].info.net_stats;
	}
	if (net) {
		fputc('\n', f);
		text_drops(f, "namespace drops: ", net, "none");
	}
}

/* ---- monitor ---------------------------------------------------------- */

static void fmt_time(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;
	char date[32], zone[8];

	localtime_r(&ts->tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(buf, len, "%s.%03ld%s", date, ts->tv_nsec / 1000000, zone);
}

static const char *event_name(enum event_kind k)
{
	return k == EV_SA_EXPIRE ? "sa-expire" :
	       k == EV_SOCK_DETACH ? "sock-detach" : "tunnel-state";
}

static void event_json(FILE *f, const struct event *ev, const char *time)
{
	struct json j = { .f = f, .pretty = false };
	char hex[16];

	j_open(&j, NULL, '{');
	j_str(&j, "time", time);
	j_str(&j, "event", event_name(ev->kind));
	j_u64(&j, "ifindex", ev->ifindex);
	j_str(&j, "ifname", ev->ifname[0] ? ev->ifname : NULL);
	j_opt_u64(&j, "tunnel", ev->has_tunnel, ev->tunnel);
	if (ev->kind == EV_SA_EXPIRE) {
		snprintf(hex, sizeof(hex), "0x%08" PRIx32, ev->spi);
		j_str(&j, "dir", ev->has_dir ? dir_name(ev->dir) : NULL);
		j_opt_u64(&j, "spi", ev->has_spi, ev->spi);
		j_str(&j, "spi_hex", ev->has_spi ? hex : NULL);
		j_str(&j, "limit", ev->hard ? "hard" : "soft");
		j_str(&j, "reason", ev->has_reason ? reason_name(ev->reason) : NULL);
	} else if (ev->kind == EV_TUNNEL_STATE) {
		j_str(&j, "state", ev->has_state ? state_name(ev->state) : NULL);
	}
	j_close(&j, '}');
	fputc('\n', f);
}

static void event_text(FILE *f, const struct event *ev, const char *time)
{
	fprintf(f, "%s ", time);
	if (ev->ifname[0])
		fprintf(f, "%s", ev->ifname);
	else
		fprintf(f, "ifindex %" PRIu32, ev->ifindex);
	if (ev->has_tunnel)
		fprintf(f, " tunnel %u", ev->tunnel);
	switch (ev->kind) {
	case EV_SA_EXPIRE:
		fprintf(f, ": sa %s 0x%08" PRIx32 " %s limit reached (%s)%s\n",
			ev->has_dir ? dir_name(ev->dir) : "?", ev->spi,
			ev->hard ? "hard" : "soft",
			ev->has_reason ? reason_name(ev->reason) : "?",
			ev->hard ? ", SA removed" : "");
		break;
	case EV_SOCK_DETACH:
		fprintf(f, ": socket detached\n");
		break;
	case EV_TUNNEL_STATE:
		fprintf(f, ": %s\n",
			ev->has_state ? state_name(ev->state) : "state unknown");
		break;
	}
}

void event_print(FILE *f, const struct event *ev, bool json,
		 const struct timespec *ts)
{
	char time[64];

	fmt_time(ts, time, sizeof(time));
	if (json)
		event_json(f, ev, time);
	else
		event_text(f, ev, time);
	fflush(f);
}

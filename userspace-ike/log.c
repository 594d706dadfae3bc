// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn-iked's log.
 *
 * A JSON line looks like AWS's tunnel logs, plus a level:
 *   {"event_timestamp":1700000000,"level":"notice","details":"...",
 *    "vpn_connection_id":"vpn-1","tunnel":1,"vpn_tunnel_outside_ip_address":
 *    "198.51.100.1","ike_phase1_state":"established",...}
 */

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <sys/stat.h>

#include "log.h"

static const char *const level_names[] = {
	[IKE_LOG_ERR] = "error",
	[IKE_LOG_WARNING] = "warning",
	[IKE_LOG_NOTICE] = "notice",
	[IKE_LOG_INFO] = "info",
	[IKE_LOG_DEBUG] = "debug",
};

static const int syslog_prio[] = {
	[IKE_LOG_ERR] = LOG_ERR,
	[IKE_LOG_WARNING] = LOG_WARNING,
	[IKE_LOG_NOTICE] = LOG_NOTICE,
	[IKE_LOG_INFO] = LOG_INFO,
	[IKE_LOG_DEBUG] = LOG_DEBUG,
};

const char *ike_log_level_name(enum ike_log_level level)
{
	return level <= IKE_LOG_DEBUG ? level_names[level] : "?";
}

int ike_log_level_parse(const char *name, enum ike_log_level *level)
{
	unsigned int i;

	for (i = 0; i <= IKE_LOG_DEBUG; i++) {
		if (!strcasecmp(name, level_names[i])) {
			*level = (enum ike_log_level)i;
			return 0;
		}
	}
	return -1;
}

void ike_log_open(struct ike_log *log, const char *ident)
{
	if (log->syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void ike_log_close(struct ike_log *log)
{
	if (log->syslog)
		closelog();
}

/* A JSON string: quotes, backslashes and control characters escaped. */
void ike_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_field(FILE *f, const char *key, const char *val)
{
	if (!val)
		return;
	fprintf(f, ",\"%s\":", key);
	ike_json_str(f, val);
}

static void json_bool(FILE *f, const char *key, int val)
{
	if (val >= 0)
		fprintf(f, ",\"%s\":%s", key, val ? "true" : "false");
}

static void log_json(FILE *f, enum ike_log_level level, const struct ike_log_ctx *ctx,
		     const char *msg)
{
	fprintf(f, "{\"event_timestamp\":%lld,\"level\":\"%s\",\"details\":",
		(long long)time(NULL), level_names[level]);
	ike_json_str(f, msg);
	if (ctx) {
		json_field(f, "vpn_connection_id", ctx->conn);
		if (ctx->tunnel > 0)
			fprintf(f, ",\"tunnel\":%d", ctx->tunnel);
		json_field(f, "vpn_tunnel_outside_ip_address", ctx->outside_ip);
		json_field(f, "ike_phase1_state", ctx->phase1);
		json_field(f, "ike_phase2_state", ctx->phase2);
		json_bool(f, "dpd_enabled", ctx->dpd_enabled);
		json_bool(f, "nat_t_detected", ctx->nat_t_detected);
	}
	fputs("}\n", f);
}

/*
 * Whether F is the systemd journal's stream: $JOURNAL_STREAM names the
 * device and inode of the journal's socket, and the service's stderr is it
 * (systemd.exec(5)). Then each text line starts with <N>, its syslog
 * priority (sd-daemon(3)), and carries no timestamp of its own.
 */
static bool is_journal(FILE *f)
{
	static int cached = -1;
	unsigned long long dev, ino;
	const char *env;
	struct stat st;

	if (f != stderr)
		return false;
	if (cached < 0) {
		env = getenv("JOURNAL_STREAM");
		cached = env && sscanf(env, "%llu:%llu", &dev, &ino) == 2 &&
			 !fstat(fileno(f), &st) && (unsigned long long)st.st_dev == dev &&
			 (unsigned long long)st.st_ino == ino;
	}
	return cached;
}

/* "conn tunnel N (address): message" */
static void log_prefix(char *buf, size_t len, const struct ike_log_ctx *ctx)
{
	int n = 0;

	buf[0] = '\0';
	if (!ctx)
		return;
	if (ctx->conn)
		n = snprintf(buf, len, "%s ", ctx->conn);
	if (ctx->tunnel > 0 && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, "tunnel %d ", ctx->tunnel);
	if (ctx->outside_ip && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, "(%s) ", ctx->outside_ip);
	if (n > 0 && (size_t)n < len) {
		buf[n - 1] = ':';
		snprintf(buf + n, len - n, " ");
	}
}

/**
 * ike_log - log one message
 * @log: where and how
 * @level: its importance
 * @ctx: what it is about, or NULL
 * @fmt: printf format of the details
 */
void ike_log(const struct ike_log *log, enum ike_log_level level,
	     const struct ike_log_ctx *ctx, const char *fmt, ...)
{
	char msg[1024], prefix[256];
	va_list ap;

	if (level > log->level || level > IKE_LOG_DEBUG)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (log->json && !log->syslog) {
		if (is_journal(log->stream))
			fprintf(log->stream, "<%d>", syslog_prio[level]);
		log_json(log->stream, level, ctx, msg);
	} else if (log->json) {
		char *line = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&line, &len);

		if (!mem)
			return;
		log_json(mem, level, ctx, msg);
		fclose(mem);
		syslog(syslog_prio[level], "%.*s", (int)(len ? len - 1 : 0), line);
		free(line);
	} else {
		log_prefix(prefix, sizeof(prefix), ctx);
		if (log->syslog)
			syslog(syslog_prio[level], "%s%s", prefix, msg);
		else if (is_journal(log->stream))
			fprintf(log->stream, "<%d>%s: %s%s\n", syslog_prio[level],
				level_names[level], prefix, msg);
		else
			fprintf(log->stream, "%s: %s%s\n", level_names[level], prefix, msg);
	}
	if (!log->syslog)
		fflush(log->stream);
}

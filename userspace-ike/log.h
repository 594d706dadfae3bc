/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn-iked's log: text or JSON lines, to stderr (or any stream) or to
 * syslog. JSON lines carry the fields of AWS Site-to-Site VPN tunnel logs,
 * so that the tools that read those read these. Nothing secret is ever
 * passed here: callers log names, addresses, SPIs and states only.
 */
#ifndef S2SVPN_IKED_LOG_H
#define S2SVPN_IKED_LOG_H

#include <stdbool.h>
#include <stdio.h>

enum ike_log_level {
	IKE_LOG_ERR,
	IKE_LOG_WARNING,
	IKE_LOG_NOTICE,
	IKE_LOG_INFO,
	IKE_LOG_DEBUG,
};

/**
 * struct ike_log_ctx - what a message is about (any field may be NULL/-1)
 * @conn: connection name (AWS: vpn_connection_id)
 * @tunnel: tunnel number, 1 or 2 as AWS counts them; 0 for none
 * @outside_ip: the tunnel's remote outside address
 * @phase1: IKE SA state in AWS's words (established, rekeying, negotiating, down)
 * @phase2: CHILD SA state, the same words
 * @dpd_enabled: -1 unknown, else 0 or 1
 * @nat_t_detected: -1 unknown, else 0 or 1
 */
struct ike_log_ctx {
	const char *conn;
	int tunnel;
	const char *outside_ip;
	const char *phase1;
	const char *phase2;
	int dpd_enabled;
	int nat_t_detected;
};

/**
 * struct ike_log - where and how to log
 * @stream: text or JSON lines go here, unless @syslog
 * @syslog: log to syslog(3) instead (opened by ike_log_open)
 * @json: one JSON object per line
 * @level: the least important level logged
 */
struct ike_log {
	FILE *stream;
	bool syslog;
	bool json;
	enum ike_log_level level;
};

void ike_log_open(struct ike_log *log, const char *ident);
void ike_log_close(struct ike_log *log);
void ike_log(const struct ike_log *log, enum ike_log_level level,
	     const struct ike_log_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
const char *ike_log_level_name(enum ike_log_level level);
int ike_log_level_parse(const char *name, enum ike_log_level *level);

/* S as a JSON string, quoted and escaped (status output shares it). */
void ike_json_str(FILE *f, const char *s);

#endif /* S2SVPN_IKED_LOG_H */

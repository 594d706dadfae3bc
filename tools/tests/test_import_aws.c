// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of s2svpnctl import-aws (import_aws.c): the sample files of
 * tests/aws/ (AWS's "Generic" format) against the exact connection files
 * and BIRD snippet expected of them; every error rule with its exact
 * "FILE:LINE: message", on the malformed samples and on one-line edits of
 * static.txt; warnings; the command line; the output files (modes, nothing
 * left behind on failure); s2svpn-iked --check on every output; and a
 * mutation loop that must neither crash, leak nor show a key. Built with
 * ASan and UBSan by "make -C tools test", run from tools/.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "s2svpnctl.h"
#include "testutil.h"
#include "import_aws.h"

#define SAMPLES		"tests/aws/"
#define IKED		"../userspace-ike/s2svpn-iked"
#define PSK1		"qX3rT9.kLm_2vB8nZ4pW7sD1fG6hJ5aE"
#define PSK2		"Hy7.uI8oP9_aS1dF2gH3jK4lZ5xC6vB7"

static struct aws_conf conf;
static char err[ERRLEN];

/* A whole file, NUL-terminated; free() it. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static char *sample(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), SAMPLES "%s", name);
	return slurp(path);
}

/* Parse TEXT (a heap copy of exactly its length, for ASan) as NAME. */
static int parse(const char *name, const char *text)
{
	size_t n = strlen(text);
	char *heap = malloc(n ? n : 1);
	int r;

	assert_non_null(heap);
	memcpy(heap, text, n);
	aws_conf_wipe(&conf);
	err[0] = '\0';
	r = aws_parse(name, heap, n, &conf, err, sizeof(err));
	free(heap);
	return r;
}

static void parse_ok(const char *name, const char *text)
{
	if (parse(name, text))
		fail_msg("%s", err);
}

static void expect_error(const char *name, const char *text, const char *msg)
{
	if (!parse(name, text))
		fail_msg("%s: parsed, expected \"%s\"", name, msg);
	assert_string_equal(err, msg);
}

/* The warnings, one a line. */
static void expect_warnings(const char *lines)
{
	char all[AWS_MAX_WARNINGS * ERRLEN] = "";

	for (unsigned int i = 0; i < conf.n_warnings && i < AWS_MAX_WARNINGS; i++) {
		strcat(all, conf.warnings[i]);
		strcat(all, "\n");
	}
	assert_string_equal(all, lines);
}

/* Replace the text of line LINE (1-based) of TEXT by REPL; free() it. */
static char *edit(const char *text, unsigned int line, const char *repl)
{
	const char *s = text, *e;
	char *out;

	for (unsigned int i = 1; i < line; i++) {
		s = strchr(s, '\n');
		assert_non_null(s);
		s++;
	}
	e = strchr(s, '\n');
	assert_non_null(e);
	assert_true(asprintf(&out, "%.*s%s%s", (int)(s - text), text, repl, e) > 0);
	return out;
}

static void expect_edit_error(const char *text, unsigned int line, const char *repl,
			      const char *msg)
{
	char *t = edit(text, line, repl);

	expect_error("s.txt", t, msg);
	free(t);
}

static char *conf_text(const struct aws_out *o)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	aws_write_conf(f, &conf, o);
	fclose(f);
	return out;
}

/* SAMPLE's output equals the file EXPECTED, byte for byte. */
static void expect_conf(const char *name, const char *expected)
{
	struct aws_out o = { .source = name };
	char *text = sample(name), *want = sample(expected), *got;

	parse_ok(name, text);
	got = conf_text(&o);
	assert_string_equal(got, want);
	free(got);
	free(want);
	free(text);
}

/* ---- good samples ----------------------------------------------------- */

static void test_static(void **state)
{
	(void)state;
	expect_conf("static.txt", "static.conf");
	expect_warnings("static.txt:38: warning: weak algorithms (RFC 8247): SHA1 as the IKE "
			"PRF, DH group 2; the output sets allow_weak = yes. AWS also takes "
			"SHA2-256 and group 14 unless the tunnel options forbid them: prefer "
			"those\n");
	assert_string_equal(conf.vpn_id, "vpn-0a1b2c3d4e5f60718");
	assert_int_equal(conf.t[0].line, 19);
	assert_int_equal(conf.t[1].line, 117);
	assert_string_equal(conf.t[0].psk, PSK1);
	assert_string_equal(conf.t[1].psk, PSK2);
	assert_int_equal(conf.t[0].at[AWS_F_NEXT_HOP], 110);
	assert_false(conf.t[0].role_aws);
	assert_true(conf.trailer);
}

static void test_bgp(void **state)
{
	struct aws_out o = { .source = "bgp.txt" };
	char *want = sample("bgp.bird"), *got = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	expect_conf("bgp.txt", "bgp.conf");
	assert_int_equal(conf.t[0].cgw_asn, 65000);
	assert_int_equal(conf.t[0].vgw_asn, 64512);
	assert_int_equal(conf.t[1].hold_time, 30);
	f = open_memstream(&got, &len);
	assert_int_equal(aws_write_bird(f, &conf, &o, err, sizeof(err)), 0);
	fclose(f);
	assert_string_equal(got, want);
	free(got);
	free(want);

	/* Without BGP, no BIRD. */
	want = sample("static.txt");
	parse_ok("static.txt", want);
	free(want);
	f = open_memstream(&got, &len);
	assert_int_equal(aws_write_bird(f, &conf, &o, err, sizeof(err)), -1);
	fclose(f);
	free(got);
	assert_string_equal(err, "static.txt: --bird: the file has no \"#4: Border Gateway "
			    "Protocol (BGP) Configuration\": this connection routes statically");
}

/* AES256, SHA2-256, group 14 (20 on tunnel 2), GCM in phase 2: no warning. */
static void test_strong(void **state)
{
	(void)state;
	expect_conf("strong.txt", "strong.conf");
	expect_warnings("");
	assert_false(conf.weak);
}

/* One tunnel is imported, with a warning. */
static void test_single_tunnel(void **state)
{
	(void)state;
	expect_conf("single-tunnel.txt", "single-tunnel.conf");
	assert_int_equal(conf.n_warnings, 2);
	assert_string_equal(conf.warnings[0], "single-tunnel.txt:19: warning: no IPSec Tunnel "
			    "#2: AWS gives every connection two tunnels; the output has one, "
			    "without failover");
}

/* Names, devices and PSK files given on the command line. */
static void test_output_options(void **state)
{
	struct aws_out o = { .name = "branch/7", .device = "s2svpn3", .psk_dir = "/etc/s2svpn" };
	char *text = sample("bgp.txt"), *got, path[256];

	(void)state;
	parse_ok("bgp.txt", text);
	got = conf_text(&o);
	assert_non_null(strstr(got, "\n[connection]\nname = branch/7\ndevice = s2svpn3\n"));
	assert_non_null(strstr(got, "\n[tunnel1]\n; IPSec Tunnel #1 (line 19)\n"
			       "outside_address = 198.51.100.1\n"
			       "psk_file = /etc/s2svpn/branch_7-tunnel1.psk\n"));
	assert_non_null(strstr(got, "psk_file = /etc/s2svpn/branch_7-tunnel2.psk\n"));
	assert_null(strstr(got, "psk ="));
	assert_null(strstr(got, PSK1));
	assert_null(strstr(got, "keep it mode 0600"));
	free(got);

	/* No VPN ID in the file and no --name: no name, plain PSK file names. */
	memset(conf.vpn_id, 0, sizeof(conf.vpn_id));
	o.name = NULL;
	assert_null(aws_name(&conf, &o));
	assert_int_equal(aws_psk_path(&conf, &o, 1, path, sizeof(path)), 0);
	assert_string_equal(path, "/etc/s2svpn/tunnel2.psk");
	assert_int_equal(aws_psk_path(&conf, &o, 1, path, 10), -1);
	got = conf_text(&o);
	assert_null(strstr(got, "name ="));
	free(got);
	free(text);
}

/* ---- variants that are fine ------------------------------------------- */

static void test_variants(void **state)
{
	char *text = sample("static.txt"), *t, *crlf, *p;
	size_t n = 0;

	(void)state;
	/* CRLF line ends and a byte order mark. */
	crlf = malloc(2 * strlen(text) + 4);
	assert_non_null(crlf);
	p = crlf + sprintf(crlf, "\xef\xbb\xbf");
	for (const char *s = text; *s; s++) {
		if (*s == '\n')
			*p++ = '\r';
		*p++ = *s;
	}
	*p = '\0';
	parse_ok("crlf.txt", crlf);
	assert_string_equal(conf.t[1].psk, PSK2);
	free(crlf);

	/* AWS's older phase 1 name of the DH group, and several groups. */
	t = edit(text, 42, "  - Perfect Forward Secrecy  : Diffie-Hellman Group 14, Group 2");
	parse_ok("s.txt", t);
	assert_int_equal(conf.t[0].p1_dh.n, 2);
	assert_string_equal(conf.t[0].p1_dh.name[0], "14");
	free(t);

	/* No PFS in phase 2. */
	t = edit(text, 58, "  - Perfect Forward Secrecy  : disabled");
	parse_ok("s.txt", t);
	assert_int_equal(conf.t[0].p2_dh.n, 0);
	free(t);

	/* Console names and lists; an AEAD-only phase 2 needs no integrity. */
	t = edit(text, 39, "  - Encryption Algorithm     : AES256-GCM-16, AES128");
	p = edit(t, 54, "");
	free(t);
	t = edit(p, 55, "  - Encryption Algorithm     : aes-128-gcm-16");
	parse_ok("s.txt", t);
	assert_int_equal(conf.t[0].p1_encr.n, 2);
	assert_string_equal(conf.t[0].p1_encr.name[0], "AES256-GCM-16");
	assert_int_equal(conf.t[0].p2_integ.n, 0);
	free(p);
	free(t);

	/* The inside addresses the other way round: inside_role = aws. */
	t = edit(text, 97, "  - Customer Gateway : 169.254.44.41/30");
	p = edit(t, 98, "  - Virtual Private Gateway : 169.254.44.42/30");
	free(t);
	t = edit(p, 110, "  - Next hop : 169.254.44.42");
	parse_ok("s.txt", t);
	assert_true(conf.t[0].role_aws);
	free(p);
	p = conf_text(&(struct aws_out){ 0 });
	assert_non_null(strstr(p, "inside_cidr = 169.254.44.40/30\ninside_role = aws\n"));
	free(p);
	free(t);

	/* IPv6 inside addresses (a /126). */
	t = edit(text, 97, "  - Customer Gateway : fd00:44::2/126");
	p = edit(t, 98, "  - Virtual Private Gateway : fd00:44::1/126");
	free(t);
	t = edit(p, 110, "  - Next hop : fd00:44::1");
	parse_ok("s.txt", t);
	free(p);
	p = conf_text(&(struct aws_out){ 0 });
	assert_non_null(strstr(p, "inside_cidr6 = fd00:44::/126\ninside_role = customer\n"));
	free(p);
	free(t);

	/* DPD: one of the pair takes AWS's default for the other. */
	t = edit(text, 63, "");
	parse_ok("s.txt", t);
	assert_int_equal(conf.t[0].dpd_retries, 3);
	p = conf_text(&(struct aws_out){ 0 });
	assert_non_null(strstr(p, "dpd_interval = 10\ndpd_timeout = 30\n"));
	free(p);
	free(t);

	/* A different DPD interval on tunnel 2 goes to [tunnel2] only. */
	t = edit(text, 160, "  - DPD Interval             : 2");
	parse_ok("s.txt", t);
	p = conf_text(&(struct aws_out){ 0 });
	assert_non_null(strstr(p, "inside_role = customer\ndpd_interval = 10\n"
			       "dpd_timeout = 30\n\n[tunnel2]"));
	assert_non_null(strstr(p, "inside_role = customer\ndpd_interval = 2\n"
			       "dpd_timeout = 6\n"));
	free(p);
	free(t);

	/* Prose is prose, even with a colon or a bullet. */
	t = edit(text, 23, "- see the guide for details");
	parse_ok("s.txt", t);
	free(t);
	(void)n;
	free(text);
}

/* ---- errors ----------------------------------------------------------- */

static void test_bad_samples(void **state)
{
	static const struct {
		const char *file, *msg;
	} cases[] = {
		{ "truncated.txt", "truncated.txt:117: IPSec Tunnel #2 has no \"Virtual Private "
		  "Gateway\" under \"Outside IP Addresses\" (#3: Tunnel Interface Configuration); "
		  "the file ends at line 191: is it cut short?" },
		{ "bad-inside.txt", "bad-inside.txt:98: Virtual Private Gateway inside address: "
		  "169.254.44.45 is not in the Customer Gateway's 169.254.44.40/30 (line 97): both "
		  "inside addresses belong to one /30" },
		{ "ikev1.txt", "ikev1.txt:35: IKE version: IKEv1 is not supported: s2svpn-iked "
		  "speaks IKEv2 only; download the configuration again with IKE version IKEv2 (and "
		  "allow ikev2 in the tunnel options)" },
		{ "unknown-alg.txt", "unknown-alg.txt:55: Encryption Algorithm (phase 2): unknown "
		  "algorithm \"aes-192-cbc\"; s2svpn-iked takes aes-128-cbc, aes-256-cbc, "
		  "aes-128-gcm-16, aes-256-gcm-16 (AWS's AES128, AES256, AES128-GCM-16, "
		  "AES256-GCM-16)" },
		{ "cgw-mismatch.txt", "cgw-mismatch.txt:191: Customer Gateway outside address: "
		  "203.0.113.11 differs from IPSec Tunnel #1's 203.0.113.10 (line 93); both tunnels "
		  "start at the customer gateway, s2svpn-iked's local_address" },
		{ "missing-tunnel1.txt", "missing-tunnel1.txt:19: IPSec Tunnel #2 without IPSec "
		  "Tunnel #1: the file is not whole" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *text = sample(cases[i].file);

		expect_error(cases[i].file, text, cases[i].msg);
		free(text);
	}
}

/* static.txt, one line changed: lines 35-42 IKE, 53-58 IPsec, 62-63 DPD. */
static void test_errors_ike(void **state)
{
	char *text = sample("static.txt");

	(void)state;
	expect_edit_error(text, 35, "  - IKE version : IKEv3",
			  "s.txt:35: IKE version: unknown value \"IKEv3\"; expected IKEv2");
	expect_edit_error(text, 36, "  - Authentication Method : Certificate",
			  "s.txt:36: Authentication Method: \"Certificate\" is not supported: "
			  "s2svpn-iked authenticates with pre-shared keys only");
	expect_edit_error(text, 41, "  - Phase 1 Negotiation Mode : aggressive",
			  "s.txt:41: Phase 1 Negotiation Mode: aggressive mode exists in IKEv1 "
			  "only; s2svpn-iked speaks IKEv2, whose exchange is always the same (AWS "
			  "writes main)");
	expect_edit_error(text, 41, "  - Phase 1 Negotiation Mode : base",
			  "s.txt:41: Phase 1 Negotiation Mode: unknown value \"base\"; expected "
			  "main");
	expect_edit_error(text, 38, "  - Authentication Algorithm : md5",
			  "s.txt:38: Authentication Algorithm (phase 1): unknown algorithm \"md5\"; "
			  "s2svpn-iked takes sha1, sha2-256, sha2-384, sha2-512 (hmac-sha1-96, "
			  "hmac-sha2-256-128, ...)");
	expect_edit_error(text, 38, "  - Authentication Algorithm : sha256, SHA2-256",
			  "s.txt:38: Authentication Algorithm (phase 1): SHA2-256 is listed twice");
	expect_edit_error(text, 39, "  - Encryption Algorithm : aes128 aes256 aes-128-gcm "
			  "aes-256-gcm aes-128-cbc",
			  "s.txt:39: Encryption Algorithm (phase 1): AES128 is listed twice");
	expect_edit_error(text, 42, "  - Diffie-Hellman : Group 1",
			  "s.txt:42: Diffie-Hellman (phase 1): unknown Diffie-Hellman group "
			  "\"Group 1\"; s2svpn-iked takes groups 2, 5, 14 to 24 and 31");
	expect_edit_error(text, 42, "  - Diffie-Hellman : Group ,",
			  "s.txt:42: Diffie-Hellman (phase 1): unknown Diffie-Hellman group "
			  "\"Group\"; s2svpn-iked takes groups 2, 5, 14 to 24 and 31");
	expect_edit_error(text, 42, "  - Diffie-Hellman : ,",
			  "s.txt:42: Diffie-Hellman (phase 1): no Diffie-Hellman group");
	expect_edit_error(text, 40, "  - Lifetime : 8 hours",
			  "s.txt:40: Lifetime (phase 1): \"8 hours\" is not a number of seconds");
	expect_edit_error(text, 40, "  - Lifetime : 86400 seconds",
			  "s.txt:40: Lifetime (phase 1): 86400 is out of range; AWS allows 900 to "
			  "28800 seconds in phase 1");
	expect_edit_error(text, 56, "  - Lifetime : 600 seconds",
			  "s.txt:56: Lifetime (phase 2): 600 is out of range; AWS allows 900 to "
			  "3600 seconds in phase 2");
	expect_edit_error(text, 40, "  - Lifetime : 3600 seconds",
			  "s.txt:56: Lifetime (phase 2): 3600 seconds must be less than phase 1's "
			  "3600 (line 40)");
	expect_edit_error(text, 38, "  - Authentication Algorithm :",
			  "s.txt:38: Authentication Algorithm (phase 1): no value");
	expect_edit_error(text, 39, "  - Lifetime : 28800 seconds",
			  "s.txt:40: Lifetime (phase 1): given twice in IPSec Tunnel #1 (first at "
			  "line 39)");
	/* Both names of phase 1's group are one field. */
	expect_edit_error(text, 41, "  - Perfect Forward Secrecy : Diffie-Hellman Group 14",
			  "s.txt:42: Diffie-Hellman (phase 1): given twice in IPSec Tunnel #1 "
			  "(first at line 41)");
	expect_edit_error(text, 38, "  - Authentication Algorithm : sha\x1b[2J",
			  "s.txt:38: Authentication Algorithm (phase 1): control character in the "
			  "value");
	free(text);
}

static void test_errors_ipsec(void **state)
{
	char *text = sample("static.txt");

	(void)state;
	expect_edit_error(text, 53, "  - Protocol : ah",
			  "s.txt:53: Protocol: \"ah\" is not supported: s2svpn carries ESP only");
	expect_edit_error(text, 57, "  - Mode : transport",
			  "s.txt:57: Mode: \"transport\" is not supported: s2svpn runs ESP in tunnel "
			  "mode only");
	expect_edit_error(text, 58, "  - Perfect Forward Secrecy : Group 13",
			  "s.txt:58: Perfect Forward Secrecy: unknown Diffie-Hellman group \"Group "
			  "13\"; s2svpn-iked takes groups 2, 5, 14 to 24 and 31");
	expect_edit_error(text, 55, "  - Encryption Algorithm : 3des",
			  "s.txt:55: Encryption Algorithm (phase 2): unknown algorithm \"3des\"; "
			  "s2svpn-iked takes aes-128-cbc, aes-256-cbc, aes-128-gcm-16, "
			  "aes-256-gcm-16 (AWS's AES128, AES256, AES128-GCM-16, AES256-GCM-16)");
	expect_edit_error(text, 62, "  - DPD Interval : 0",
			  "s.txt:62: DPD Interval: 0 is out of range; s2svpn-iked takes 1 to 3600 "
			  "seconds");
	expect_edit_error(text, 63, "  - DPD Retries : 1",
			  "s.txt:63: DPD Retries: 1: s2svpn-iked declares the peer dead after "
			  "interval x retries seconds, which must be more than the interval; use "
			  "2 or more");
	expect_edit_error(text, 63, "  - DPD Retries : 101",
			  "s.txt:63: DPD Retries: 101 is out of range; expected 1 to 100");
	{
		char *t = edit(text, 62, "  - DPD Interval : 3600 seconds");

		expect_edit_error(t, 63, "  - DPD Retries : 25",
				  "s.txt:63: DPD: interval x retries is 90000 seconds; s2svpn-iked "
				  "waits at most 86400");
		free(t);
	}
	expect_edit_error(text, 70, "  - TCP MSS Adjustment : 1400 bytes",
			  "s.txt:70: TCP MSS Adjustment: 1400 is too large for the MTU 1436 (at "
			  "most MTU - 40)");
	expect_edit_error(text, 70, "  - TCP MSS Adjustment : 100 bytes",
			  "s.txt:70: TCP MSS Adjustment: 100 is out of range; s2svpn-iked clamps "
			  "to 536 to 65495");
	expect_edit_error(text, 70, "  - TCP MSS Adjustment : 1379 octets",
			  "s.txt:70: TCP MSS Adjustment: \"1379 octets\" is not a number of bytes");
	expect_edit_error(text, 71, "  - Clear Don't Fragment Bit : maybe",
			  "s.txt:71: Clear Don't Fragment Bit: unknown value \"maybe\"; expected "
			  "enabled or disabled");
	expect_edit_error(text, 72, "  - Fragmentation : sometimes",
			  "s.txt:72: Fragmentation: unknown value \"sometimes\"; expected Before "
			  "encryption");
	expect_edit_error(text, 54, "",
			  "s.txt:19: IPSec Tunnel #1 has no \"Authentication Algorithm\" (#2: IPSec "
			  "Configuration)");
	free(text);
}

/* Lines 93-101 addresses and MTU, 110 the next hop; tunnel 2's are 98 on. */
static void test_errors_addresses(void **state)
{
	char *text = sample("static.txt");

	(void)state;
	expect_edit_error(text, 93, "  - Customer Gateway : YOUR_UPLINK_ADDRESS",
			  "s.txt:93: Customer Gateway outside address: \"YOUR_UPLINK_ADDRESS\" is "
			  "not an IP address");
	expect_edit_error(text, 94, "  - Virtual Private Gateway : 224.0.0.1",
			  "s.txt:94: Virtual Private Gateway outside address: 224.0.0.1 is not a "
			  "unicast address");
	expect_edit_error(text, 94, "  - Virtual Private Gateway : 2001:db8::1",
			  "s.txt:94: Virtual Private Gateway outside address: 2001:db8::1 is IPv6 "
			  "but the Customer Gateway's (line 93) is IPv4");
	expect_edit_error(text, 192, "  - Virtual Private Gateway : 198.51.100.1",
			  "s.txt:192: Virtual Private Gateway outside address: 198.51.100.1 is "
			  "IPSec Tunnel #1's too (line 94); each tunnel has its own");
	expect_edit_error(text, 97, "  - Customer Gateway : 169.254.44.42/29",
			  "s.txt:97: Customer Gateway inside address: \"169.254.44.42/29\": a "
			  "tunnel's inside network is a /30 (IPv4) or a /126 (IPv6)");
	expect_edit_error(text, 97, "  - Customer Gateway : 169.254.44.42",
			  "s.txt:97: Customer Gateway inside address: \"169.254.44.42\" is not an "
			  "address with its prefix length, such as 169.254.10.2/30");
	expect_edit_error(text, 97, "  - Customer Gateway : 169.254.44.43/30",
			  "s.txt:97: Customer Gateway inside address: 169.254.44.43 is not a host "
			  "address of 169.254.44.40/30 (.1 or .2)");
	expect_edit_error(text, 98, "  - Virtual Private Gateway : 169.254.44.42/30",
			  "s.txt:98: Virtual Private Gateway inside address: 169.254.44.42 is not "
			  "the other host address of 169.254.44.40/30");
	expect_edit_error(text, 98, "  - Virtual Private Gateway : fd00::1/126",
			  "s.txt:98: Virtual Private Gateway inside address: fd00::1 is IPv6 but "
			  "the Customer Gateway's (line 97) is IPv4");
	expect_edit_error(text, 195, "  - Customer Gateway : 169.254.44.42/30",
			  "s.txt:196: Virtual Private Gateway inside address: 169.254.45.37 is not "
			  "in the Customer Gateway's 169.254.44.40/30 (line 195): both inside "
			  "addresses belong to one /30");
	{
		char *t = edit(text, 195, "  - Customer Gateway : 169.254.44.42/30"), *u;

		u = edit(t, 208, "  - Next hop : 169.254.44.41");
		free(t);
		t = u;
		expect_edit_error(t, 196, "  - Virtual Private Gateway : 169.254.44.41/30",
				  "s.txt:195: Customer Gateway inside address: 169.254.44.40/30 is "
				  "IPSec Tunnel #1's inside network too (line 97); each tunnel has "
				  "its own");
		free(t);
	}
	expect_edit_error(text, 110, "  - Next hop : 169.254.44.42",
			  "s.txt:110: Next hop: 169.254.44.42 is not the Virtual Private Gateway's "
			  "inside address 169.254.44.41 (line 98)");
	expect_edit_error(text, 101, "  - Tunnel interface MTU : 9001 bytes",
			  "s.txt:199: Tunnel interface MTU: 1436 differs from IPSec Tunnel #1's "
			  "9001 (line 101); s2svpn-iked has one MTU per connection");
	expect_edit_error(text, 101, "  - Tunnel interface MTU : 60 bytes",
			  "s.txt:101: Tunnel interface MTU: 60 is out of range; an s2svpn device "
			  "takes 68 to 65414");
	expect_edit_error(text, 168, "  - TCP MSS Adjustment : 1300 bytes",
			  "s.txt:168: TCP MSS Adjustment: 1300 differs from IPSec Tunnel #1's 1379 "
			  "(line 70); s2svpn-iked has one MSS clamp per connection");
	expect_edit_error(text, 94, "",
			  "s.txt:19: IPSec Tunnel #1 has no \"Virtual Private Gateway\" under "
			  "\"Outside IP Addresses\" (#3: Tunnel Interface Configuration)");
	/* Addresses before "Outside IP Addresses:" are unknown, then missing. */
	expect_edit_error(text, 92, "",
			  "s.txt:19: IPSec Tunnel #1 has no \"Customer Gateway\" under \"Outside IP "
			  "Addresses\" (#3: Tunnel Interface Configuration)");
	free(text);
}

/* bgp.txt: lines 111-114 and 213-216 the BGP options. */
static void test_errors_bgp(void **state)
{
	char *text = sample("bgp.txt"), *t;

	(void)state;
	expect_edit_error(text, 113, "  - Neighbor IP Address : 169.254.44.42",
			  "s.txt:113: Neighbor IP Address: 169.254.44.42 is not the Virtual Private "
			  "Gateway's inside address 169.254.44.41 (line 98)");
	expect_edit_error(text, 111, "  - Customer Gateway ASN : 0",
			  "s.txt:111: Customer Gateway ASN: 0 is out of range; an AS number is 1 to "
			  "4294967295");
	expect_edit_error(text, 112, "  - Virtual Private Gateway ASN : 4294967296",
			  "s.txt:112: Virtual Private Gateway ASN: \"4294967296\" is not a number");
	expect_edit_error(text, 114, "  - Neighbor Hold Time : 2",
			  "s.txt:114: Neighbor Hold Time: 2 is out of range; a BGP hold time is 3 "
			  "to 65535 seconds");
	expect_edit_error(text, 213, "  - Customer Gateway ASN : 65001",
			  "s.txt:213: Customer Gateway ASN: 65001 differs from IPSec Tunnel #1's "
			  "65000 (line 111); it is this side's AS number, one per connection");
	expect_edit_error(text, 112, "",
			  "s.txt:19: IPSec Tunnel #1 has no \"Virtual Private Gateway ASN\" (#4: "
			  "Border Gateway Protocol (BGP) Configuration)");
	expect_edit_error(text, 205, "#4: Something else",
			  "s.txt:121: IPSec Tunnel #2 has no BGP configuration but IPSec Tunnel #1 "
			  "has (line 103): one connection routes statically or with BGP, not both");
	/* A hold time of AWS's 30 by default; the other tunnel's own ASN is kept. */
	t = edit(text, 114, "");
	free(text);
	text = edit(t, 214, "  - Virtual Private  Gateway ASN : 4200000000");
	parse_ok("s.txt", text);
	assert_int_equal(conf.t[1].vgw_asn, 4200000000u);
	assert_int_equal(conf.t[0].at[AWS_F_BGP_HOLD], 0);
	free(t);
	t = conf_text(&(struct aws_out){ 0 });
	assert_non_null(strstr(t, "bgp_peer_asn = 64512\n"));
	assert_non_null(strstr(t, "bgp_peer_asn = 4200000000\n"));
	free(t);
	free(text);
}

/* The file as a whole: tunnels, headings, not an AWS file at all. */
static void test_errors_structure(void **state)
{
	char *text = sample("static.txt");

	(void)state;
	expect_error("e.txt", "", "e.txt:1: no \"IPSec Tunnel #1\": is this AWS's configuration "
		     "file for vendor Generic?");
	expect_error("e.txt", "hello\nworld\n", "e.txt:2: no \"IPSec Tunnel #1\": is this "
		     "AWS's configuration file for vendor Generic?");
	expect_edit_error(text, 117, "IPSec Tunnel #3",
			  "s.txt:117: IPSec Tunnel #3: AWS's connections have two tunnels, #1 and "
			  "#2");
	expect_edit_error(text, 117, "IPSec Tunnel #1",
			  "s.txt:117: IPSec Tunnel #1 appears twice (first at line 19)");
	expect_edit_error(text, 19, "IPSec tunnel #2",
			  "s.txt:117: IPSec Tunnel #2 appears twice (first at line 19)");
	expect_edit_error(text, 19, "",
			  "s.txt:21: \"#1: Internet Key Exchange Configuration\" before any "
			  "\"IPSec Tunnel #N\" heading");
	expect_edit_error(text, 12, "  - Pre-Shared Key : " PSK1,
			  "s.txt:12: field \"Pre-Shared Key\" before any \"IPSec Tunnel #N\" "
			  "heading");
	/* A NUL byte: not text. */
	text[strlen("Amazon Web Services\nVirt")] = '\0';
	assert_int_equal(aws_parse("s.txt", text, strlen(text) + 100, &conf, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "s.txt:2: NUL byte: not a text file");
	free(text);
}

static void test_warnings(void **state)
{
	char *text = sample("static.txt"), *t, *u;

	(void)state;
	t = edit(text, 38, "  - Authentication Algorithm : sha2-256");
	u = edit(t, 71, "  - Clear Don't Fragment Bit : disabled");
	free(t);
	t = edit(u, 72, "  - Fragmentation Before Encryption : disabled");
	free(u);
	u = edit(t, 61, "  - Startup Action : start");
	free(t);
	t = edit(u, 11, "Your VPN Connection ID : vpn 1");
	free(u);
	u = edit(t, 136, "  - Authentication Algorithm : sha2-256");
	free(t);
	t = edit(u, 140, "  - Diffie-Hellman : Group 14, Group 5, 24");
	free(u);
	parse_ok("w.txt", t);
	expect_warnings("w.txt:11: warning: Your VPN Connection ID: not usable as a name (1 to 63 "
			"printable characters, no blanks); the output has none, give one with "
			"--name\n"
			"w.txt:61: warning: unknown field \"Startup Action\" in #2: IPSec "
			"Configuration of IPSec Tunnel #1, skipped\n"
			"w.txt:71: warning: Clear Don't Fragment Bit: disabled, but s2svpn clears "
			"the outer DF bit by default, as AWS recommends; to copy it instead: "
			"s2svpnctl set DEV df copy\n"
			"w.txt:72: warning: Fragmentation Before Encryption: s2svpn always "
			"fragments before encryption, as AWS recommends\n"
			"w.txt:42: warning: weak algorithms (RFC 8247): DH groups 2, 5, 24; the "
			"output sets allow_weak = yes. AWS also takes SHA2-256 and group 14 unless "
			"the tunnel options forbid them: prefer those\n");
	assert_string_equal(conf.vpn_id, "");
	free(t);

	/* Warnings past AWS_MAX_WARNINGS are counted, not kept. */
	t = strdup(text);
	for (unsigned int i = 0; i < 12; i++) {
		u = edit(t, 23 + i, "  - Extra : 1");
		free(t);
		t = u;
	}
	parse_ok("w.txt", t);
	assert_int_equal(conf.n_warnings, 13);
	assert_string_equal(conf.warnings[AWS_MAX_WARNINGS - 1], "w.txt:30: warning: unknown "
			    "field \"Extra\" in #1: Internet Key Exchange Configuration of IPSec "
			    "Tunnel #1, skipped");
	free(t);
	free(text);
}

/* No message, warning or BIRD snippet ever shows a key, whatever goes wrong. */
static void assert_no_psk(void)
{
	assert_null(strstr(err, PSK1));
	assert_null(strstr(err, PSK2));
	for (unsigned int i = 0; i < conf.n_warnings && i < AWS_MAX_WARNINGS; i++) {
		assert_null(strstr(conf.warnings[i], PSK1));
		assert_null(strstr(conf.warnings[i], PSK2));
	}
}

static void test_psk_rules(void **state)
{
	char *text = sample("static.txt");

	(void)state;
	expect_edit_error(text, 37, "  - Pre-Shared Key : Short12",
			  "s.txt:37: Pre-Shared Key: the key is 7 characters long; AWS's are 8 to "
			  "64");
	expect_edit_error(text, 37, "  - Pre-Shared Key : [ hidden ]",
			  "s.txt:37: Pre-Shared Key: the key has a character other than A-Z a-z 0-9 "
			  ". _ (at position 1), which AWS does not allow");
	expect_edit_error(text, 37, "  - Pre-Shared Key : " PSK1 "-x",
			  "s.txt:37: Pre-Shared Key: the key has a character other than A-Z a-z 0-9 "
			  ". _ (at position 33), which AWS does not allow");
	assert_no_psk();
	expect_edit_error(text, 37, "  - Pre-Shared Key : 0" PSK1,
			  "s.txt:37: Pre-Shared Key: the key starts with 0, which AWS does not "
			  "allow");
	expect_edit_error(text, 37, "  - Pre-Shared Key : " PSK1 PSK1 "abc",
			  "s.txt:37: Pre-Shared Key: the key is 67 characters long; AWS's are 8 to "
			  "64");
	expect_edit_error(text, 37, "  - Pre-Shared Key :",
			  "s.txt:37: Pre-Shared Key: no value");
	expect_edit_error(text, 37, "",
			  "s.txt:19: IPSec Tunnel #1 has no \"Pre-Shared Key\" (#1: Internet Key "
			  "Exchange Configuration)");
	/* A key in another field's value, the line break lost or the name mangled. */
	expect_edit_error(text, 36, "  - Authentication Method : Pre-Shared Key - Pre-Shared Key : "
			  PSK1, "s.txt:36: Authentication Method: \"Pre-Shared Key - Pre-Shared "
			  "Key : ***\" is not supported: s2svpn-iked authenticates with pre-shared "
			  "keys only");
	expect_edit_error(text, 36, "  - Authentication Method : Pre-Shared : OnlyLetters.Key",
			  "s.txt:36: Authentication Method: \"Pre-Shared : ***\" is not supported: "
			  "s2svpn-iked authenticates with pre-shared keys only");
	expect_edit_error(text, 36, "  - Authentication Method : " PSK2,
			  "s.txt:36: Authentication Method: \"***\" is not supported: s2svpn-iked "
			  "authenticates with pre-shared keys only");
	/* Exactly 8 and 64 characters are fine. */
	{
		char *t = edit(text, 37, "  - Pre-Shared Key : a.b_C9x0");

		parse_ok("s.txt", t);
		free(t);
		t = edit(text, 37, "  - Pre-Shared Key : " PSK1 PSK1);
		parse_ok("s.txt", t);
		assert_int_equal(strlen(conf.t[0].psk), 64);
		free(t);
	}
	free(text);
}

/*
 * Every prefix of the samples, and each line of static.txt blanked,
 * doubled or given a stray byte: no crash, no leak (ASan), no key shown.
 */
static void test_mutations(void **state)
{
	static const char *const files[] = { "static.txt", "bgp.txt", "strong.txt" };
	static const char *const strays[] = { "\t", ":", "#4:", "- ", "/", "\x80" };

	(void)state;
	for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
		char *text = sample(files[f]);
		size_t len = strlen(text);
		unsigned int lines = 0;

		for (size_t n = 0; n <= len; n += 7) {
			aws_conf_wipe(&conf);
			aws_parse("m.txt", text, n, &conf, err, sizeof(err));
			assert_no_psk();
		}
		for (const char *p = text; *p; p++)
			lines += *p == '\n';
		for (unsigned int l = 1; l < lines; l++) {
			char *t = edit(text, l, ""), *line, *u;
			const char *s = text;

			parse("m.txt", t);
			assert_no_psk();
			free(t);
			for (unsigned int i = 1; i < l; i++)
				s = strchr(s, '\n') + 1;
			line = strndup(s, strcspn(s, "\n"));
			assert_true(asprintf(&u, "%s\n%s", line, line) > 0);
			t = edit(text, l, u);
			parse("m.txt", t);
			assert_no_psk();
			free(t);
			free(u);
			assert_true(asprintf(&u, "%s%s", line, strays[l % ARRAY_SIZE(strays)]) > 0);
			t = edit(text, l, u);
			parse("m.txt", t);
			assert_no_psk();
			free(t);
			free(u);
			free(line);
		}
		free(text);
	}
}

/* ---- the command ------------------------------------------------------ */

static int args(struct import_args *a, const char *line)
{
	char *copy = strdup(line), *argv[16], *save = NULL;
	int argc = 0, r;

	assert_non_null(copy);
	for (char *w = strtok_r(copy, " ", &save); w && argc < 16; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	r = import_aws_parse_args(argc, argv, a, err, sizeof(err));
	/* The struct points into argv: keep what the tests look at. */
	free(copy);
	return r;
}

static void expect_args_error(const char *line, const char *msg)
{
	struct import_args a;

	assert_int_equal(args(&a, line), -1);
	assert_string_equal(err, msg);
}

static void test_args(void **state)
{
	char *argv[] = { "aws.txt", "-o", "out.conf", "--name=vpn-1", "--device", "s2svpn2",
			 "--psk-dir", "/etc/s2svpn", "--bird", "bird.conf" };
	char *argv2[] = { "--", "-o" };
	struct import_args a;

	(void)state;
	assert_int_equal(import_aws_parse_args(ARRAY_SIZE(argv), argv, &a, err, sizeof(err)), 0);
	assert_string_equal(a.input, "aws.txt");
	assert_string_equal(a.output, "out.conf");
	assert_string_equal(a.name, "vpn-1");
	assert_string_equal(a.device, "s2svpn2");
	assert_string_equal(a.psk_dir, "/etc/s2svpn");
	assert_string_equal(a.bird, "bird.conf");
	assert_int_equal(import_aws_parse_args(ARRAY_SIZE(argv2), argv2, &a, err, sizeof(err)), 0);
	assert_string_equal(a.input, "-o");
	assert_null(a.output);
	assert_int_equal(args(&a, "- -o -"), 0);
	assert_null(a.output);

	expect_args_error("", "missing FILE (- for standard input)");
	expect_args_error("-o x.conf", "missing FILE (- for standard input)");
	expect_args_error("a.txt b.txt", "unexpected argument 'b.txt'");
	expect_args_error("a.txt --frob", "unknown option '--frob'");
	expect_args_error("a.txt -o", "option '-o' needs a value");
	expect_args_error("a.txt -o a -o b", "option --output given twice");
	expect_args_error("a.txt --name=", "option --name: empty value");
	expect_args_error("a.txt --name a\tb", "--name: 'a\tb' is not a name (1 to 63 printable "
			  "characters, no blanks)");
	expect_args_error("a.txt --device s2svpn/0", "--device: 's2svpn/0' is not a device name "
			  "(1 to 15 letters, digits, '.', '-' or '_')");
	expect_args_error("a.txt --device 0123456789abcdef", "--device: '0123456789abcdef' is "
			  "not a device name (1 to 15 letters, digits, '.', '-' or '_')");
	expect_args_error("a.txt --bird -", "--bird -: the connection file goes to standard "
			  "output already; give it -o FILE");
	expect_args_error("a.txt --bird x -o x", "--bird and -o name the same file");
}

/* Run the command; its standard output and messages in *out and *msgs. */
static int run(const struct import_args *a, char **out, char **msgs)
{
	size_t n1 = 0, n2 = 0;
	FILE *fo = open_memstream(out, &n1), *fm = open_memstream(msgs, &n2);
	int r;

	assert_non_null(fo);
	assert_non_null(fm);
	r = import_aws_run(a, fo, fm);
	fclose(fo);
	fclose(fm);
	return r;
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return (mode_t)-1;
	return st.st_mode & 07777;
}

/* Files in DIR whose name starts with PREFIX. */
static int count_files(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

static void test_run(void **state)
{
	char out_path[128], bird_path[128], psk_dir[128], psk[256], *out, *msgs, *text;
	struct import_args a = { .input = SAMPLES "bgp.txt" };

	(void)state;
	snprintf(out_path, sizeof(out_path), "%s/run.conf", tmpdir);
	snprintf(bird_path, sizeof(bird_path), "%s/run.bird", tmpdir);
	snprintf(psk_dir, sizeof(psk_dir), "%s/psk", tmpdir);
	assert_int_equal(mkdir(psk_dir, 0700), 0);

	/* To standard output, warnings apart. */
	assert_int_equal(run(&a, &out, &msgs), EXIT_OK);
	assert_non_null(strstr(out, "[tunnel2]\n"));
	assert_non_null(strstr(out, "psk = " PSK2 "\n"));
	assert_string_equal(msgs, SAMPLES "bgp.txt:38: warning: weak algorithms (RFC 8247): "
			    "SHA1 as the IKE PRF, DH group 2; the output sets allow_weak = yes. "
			    "AWS also takes SHA2-256 and group 14 unless the tunnel options forbid "
			    "them: prefer those\n");
	free(out);
	free(msgs);

	/* Files: the connection file and the keys 0600, BIRD's 0644. */
	a.output = out_path;
	a.bird = bird_path;
	a.psk_dir = psk_dir;
	assert_int_equal(run(&a, &out, &msgs), EXIT_OK);
	assert_string_equal(out, "");
	free(out);
	free(msgs);
	assert_int_equal(mode_of(out_path), 0600);
	assert_int_equal(mode_of(bird_path), 0644);
	snprintf(psk, sizeof(psk), "%s/vpn-1b2c3d4e5f6071829-tunnel1.psk", psk_dir);
	assert_int_equal(mode_of(psk), 0600);
	text = slurp(psk);
	assert_string_equal(text, PSK1 "\n");
	free(text);
	text = slurp(out_path);
	assert_null(strstr(text, PSK1));
	assert_non_null(strstr(text, "psk_file = "));
	free(text);
	text = slurp(bird_path);
	assert_non_null(strstr(text, "protocol bgp vpn_1b2c3d4e5f6071829_tunnel2 {\n"));
	free(text);

	/* A failure leaves the old files as they were, and no temporary one. */
	a.input = SAMPLES "ikev1.txt";
	assert_int_equal(run(&a, &out, &msgs), EXIT_FAIL);
	assert_string_equal(msgs, SAMPLES "ikev1.txt:35: IKE version: IKEv1 is not supported: "
			    "s2svpn-iked speaks IKEv2 only; download the configuration again with "
			    "IKE version IKEv2 (and allow ikev2 in the tunnel options)\n");
	free(out);
	free(msgs);
	text = slurp(out_path);
	assert_non_null(strstr(text, "bgp_asn = 65000"));
	free(text);
	assert_int_equal(count_files(tmpdir, "run."), 2);

	/* --bird on a statically routed connection: nothing written at all. */
	a.input = SAMPLES "static.txt";
	assert_int_equal(unlink(out_path), 0);
	assert_int_equal(run(&a, &out, &msgs), EXIT_FAIL);
	assert_non_null(strstr(msgs, "s2svpnctl: import-aws: " SAMPLES "static.txt: --bird: the "
			       "file has no"));
	free(out);
	free(msgs);
	assert_int_equal(count_files(tmpdir, "run."), 1);
	assert_int_equal(count_files(psk_dir, "vpn-0a1b"), 0);

	/* Unwritable places and missing files. */
	a.bird = NULL;
	a.psk_dir = NULL;
	a.output = "/nonexistent/dir/x.conf";
	assert_int_equal(run(&a, &out, &msgs), EXIT_FAIL);
	assert_non_null(strstr(msgs, "\ns2svpnctl: import-aws: cannot create "
			       "/nonexistent/dir/x.conf: No such file or directory\n"));
	free(out);
	free(msgs);
	a.output = NULL;
	a.psk_dir = "/nonexistent";
	assert_int_equal(run(&a, &out, &msgs), EXIT_FAIL);
	assert_non_null(strstr(msgs, "s2svpnctl: import-aws: --psk-dir: /nonexistent: No such "
			       "file or directory\n"));
	free(out);
	free(msgs);
	snprintf(psk, sizeof(psk), "%s/psk #2", tmpdir);
	assert_int_equal(mkdir(psk, 0700), 0);
	a.psk_dir = psk;
	assert_int_equal(run(&a, &out, &msgs), EXIT_FAIL);
	assert_non_null(strstr(msgs, "#2/vpn-0a1b2c3d4e5f60718-tunnel1.psk: s2svpn-iked could not "
			       "read this path back: it needs at most 180 characters, without "
			       "blanks, ';', '#' or control characters\n"));
	free(out);
	free(msgs);
	a.psk_dir = NULL;
	a.input = SAMPLES "nonexistent.txt";
	assert_int_equal(run(&a, &out, &msgs), EXIT_FAIL);
	assert_string_equal(msgs, "s2svpnctl: import-aws: " SAMPLES "nonexistent.txt: No such "
			    "file or directory\n");
	free(out);
	free(msgs);
	a.input = SAMPLES;
	assert_int_equal(run(&a, &out, &msgs), EXIT_FAIL);
	assert_string_equal(msgs, "s2svpnctl: import-aws: " SAMPLES ": Is a directory\n");
	free(out);
	free(msgs);
}

/* Standard input, through the binary: what a user types. */
static void test_binary(void **state)
{
	char cmd[512], *out;
	int status;

	(void)state;
	snprintf(cmd, sizeof(cmd), "umask 022; ./s2svpnctl import-aws - < " SAMPLES "strong.txt "
		 "> %s/bin.out 2> %s/bin.err", tmpdir, tmpdir);
	status = system(cmd);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == EXIT_OK);
	snprintf(cmd, sizeof(cmd), "%s/bin.out", tmpdir);
	out = slurp(cmd);
	assert_non_null(strstr(out, "import-aws from <stdin>.\n"));
	free(out);
	/* bin.out is a file others can read: a warning says so. */
	snprintf(cmd, sizeof(cmd), "%s/bin.err", tmpdir);
	out = slurp(cmd);
	assert_non_null(strstr(out, "s2svpnctl: import-aws: warning: standard output is a file "
			       "group or others can read (mode 0644) and gets the pre-shared keys; "
			       "use -o FILE (created 0600) or --psk-dir\n"));
	free(out);
	snprintf(cmd, sizeof(cmd), "./s2svpnctl import-aws " SAMPLES "truncated.txt -o %s/t.conf "
		 "2> %s/bin.err", tmpdir, tmpdir);
	status = system(cmd);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == EXIT_FAIL);
	snprintf(cmd, sizeof(cmd), "%s/t.conf", tmpdir);
	assert_int_equal(access(cmd, F_OK), -1);
	snprintf(cmd, sizeof(cmd), "./s2svpnctl import-aws --frob 2> /dev/null");
	status = system(cmd);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == EXIT_USAGE);
}

/* Every good sample's output passes s2svpn-iked --check (and BIRD's parser). */
static void check_iked(const char *file, const char *extra)
{
	char cmd[1024], out[256], said[300], *text;
	int status;

	snprintf(out, sizeof(out), "%s/%s.conf", tmpdir, file);
	snprintf(said, sizeof(said), "%s/%s.check", tmpdir, file);
	snprintf(cmd, sizeof(cmd), "./s2svpnctl import-aws " SAMPLES "%s.txt -o %s %s 2>/dev/null "
		 "&& " IKED " --check -c %s > %s 2>&1", file, out, extra, out, said);
	status = system(cmd);
	text = slurp(said);
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !strstr(text, ": valid: connection "))
		fail_msg("%s: s2svpn-iked --check failed: %s", cmd, text);
	free(text);
}

static void test_iked_check(void **state)
{
	char extra[512], main_conf[256];
	FILE *f;
	int status;

	(void)state;
	if (access(IKED, X_OK))
		fail_msg("%s is missing: make -C ../userspace-ike s2svpn-iked", IKED);
	check_iked("static", "");
	check_iked("strong", "--name strong --device s2svpn9");
	check_iked("single-tunnel", "");
	snprintf(extra, sizeof(extra), "--psk-dir %s/psk --bird %s/bgp.bird", tmpdir, tmpdir);
	check_iked("bgp", extra);

	/* BIRD 2 reads the snippet, where it is installed. */
	if (access("/usr/sbin/bird", X_OK))
		return;
	snprintf(main_conf, sizeof(main_conf), "%s/bird.conf", tmpdir);
	f = fopen(main_conf, "w");
	assert_non_null(f);
	fprintf(f, "router id 192.0.2.1;\nprotocol device {}\ninclude \"%s/bgp.bird\";\n", tmpdir);
	fclose(f);
	snprintf(extra, sizeof(extra), "/usr/sbin/bird -p -c %s", main_conf);
	status = system(extra);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_help(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	assert_int_equal(help_command(f, "import-aws"), 0);
	fclose(f);
	assert_non_null(strstr(out, "s2svpnctl import-aws FILE [-o OUT]"));
	assert_non_null(strstr(out, "--bird"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_bgp),
		cmocka_unit_test(test_strong),
		cmocka_unit_test(test_single_tunnel),
		cmocka_unit_test(test_output_options),
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_bad_samples),
		cmocka_unit_test(test_errors_ike),
		cmocka_unit_test(test_errors_ipsec),
		cmocka_unit_test(test_errors_addresses),
		cmocka_unit_test(test_errors_bgp),
		cmocka_unit_test(test_errors_structure),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_psk_rules),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_iked_check),
		cmocka_unit_test(test_help),
	};
	int r = cmocka_run_group_tests_name("import-aws", tests, group_setup, group_teardown);

	aws_conf_wipe(&conf);
	return r;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of s2svpnctl's parts that need no s2svpn kernel module:
 * argument and key file parsing, request building, reply and event
 * parsing (with hand-made kernel messages), the receive loop of dumps and
 * errors, output formatting and JSON escaping. Built with ASan and UBSan
 * by "make -C tools test".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>
#include <cmocka.h>

#include "s2svpnctl.h"
#include "testutil.h"

#define FAMILY	0x20		/* a made-up generic netlink family id */
#define PORTID	4242

#define assert_contains(hay, needle) do {				\
	const char *h_ = (hay), *n_ = (needle);				\
	if (!strstr(h_, n_))						\
		fail_msg("\"%s\" does not contain \"%s\"", h_, n_);	\
} while (0)

/* Write a file with exactly MODE (umask does not apply), return its path. */
static const char *write_file(const char *name, const char *text, mode_t mode)
{
	static char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

/* ---- numbers, SPI, addresses ------------------------------------------ */

static void test_spi(void **state)
{
	char err[ERRLEN];
	uint32_t spi = 0;

	(void)state;
	assert_int_equal(parse_spi("0x1", &spi, err, sizeof(err)), 0);
	assert_int_equal(spi, 1);
	assert_int_equal(parse_spi("49153", &spi, err, sizeof(err)), 0);
	assert_int_equal(spi, 49153);
	assert_int_equal(parse_spi("0XC0010001", &spi, err, sizeof(err)), 0);
	assert_int_equal(spi, 0xc0010001);
	assert_int_equal(parse_spi("4294967295", &spi, err, sizeof(err)), 0);
	assert_int_equal(spi, UINT32_MAX);
	assert_int_equal(parse_spi("0xffffffff", &spi, err, sizeof(err)), 0);

	assert_int_equal(parse_spi("0", &spi, err, sizeof(err)), -1);
	assert_contains(err, "0 is reserved");
	assert_int_equal(parse_spi("0x0", &spi, err, sizeof(err)), -1);
	assert_int_equal(parse_spi("4294967296", &spi, err, sizeof(err)), -1);
	assert_contains(err, "does not fit in 32 bits");
	assert_int_equal(parse_spi("0x100000000", &spi, err, sizeof(err)), -1);
	assert_int_equal(parse_spi("99999999999999999999999", &spi, err,
				   sizeof(err)), -1);

	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "12abc", "0x", "0xg", "abc", "1e3",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse_spi(bad[i], &spi, err, sizeof(err)), -1);
		assert_contains(err, "is not a number");
	}
}

static void test_numbers(void **state)
{
	uint64_t v;
	char err[ERRLEN];
	uint16_t port;

	(void)state;
	assert_int_equal(parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_u64("18446744073709551616", &v), -1);
	assert_int_equal(parse_u64("-5", &v), -1);
	assert_int_equal(parse_uint("4096", 4096, &v), 0);
	assert_int_equal(parse_uint("4097", 4096, &v), -1);
	assert_int_equal(parse_port("4500", &port, err, sizeof(err)), 0);
	assert_int_equal(port, 4500);
	assert_int_equal(parse_port("0", &port, err, sizeof(err)), -1);
	assert_int_equal(parse_port("65536", &port, err, sizeof(err)), -1);
	assert_contains(err, "not a port");
}

static void test_addr(void **state)
{
	struct addr a;
	char err[ERRLEN], buf[64];

	(void)state;
	assert_int_equal(parse_addr("169.254.10.1", &a, err, sizeof(err)), 0);
	assert_int_equal(a.family, AF_INET);
	assert_memory_equal(a.bytes, "\xa9\xfe\x0a\x01", 4);
	assert_int_equal(parse_addr("2001:db8::1", &a, err, sizeof(err)), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.bytes[0], 0x20);
	assert_int_equal(a.bytes[15], 1);
	fmt_addr(&a, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8::1");

	static const char *const bad[] = {
		"", "1.2.3", "1.2.3.4/24", "256.1.1.1", "fe80::1%eth0",
		"example.com", "1.2.3.4 ",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse_addr(bad[i], &a, err, sizeof(err)), -1);
		assert_contains(err, "is not an IPv4 or IPv6 address");
	}
}

/* ---- command arguments ------------------------------------------------ */

#define ARGS(...)	(char *[]){ __VA_ARGS__, NULL }
#define NARGS(...)	((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(fn, a, ...) \
	fn(NARGS(__VA_ARGS__), ARGS(__VA_ARGS__), a, err, sizeof(err))

static void test_tunnel_set_args(void **state)
{
	struct tunnel_set_args a;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(PARSE(parse_tunnel_set, &a, "s2svpn0", "1", "remote",
			       "198.51.100.1", "local", "192.0.2.10",
			       "port", "4501", "listen-port", "4600",
			       "inside-peer", "169.254.10.1", "inside-peer",
			       "fd00::1"), 0);
	assert_string_equal(a.dev, "s2svpn0");
	assert_int_equal(a.id, 1);
	assert_int_equal(a.remote.family, AF_INET);
	assert_int_equal(a.local.family, AF_INET);
	assert_int_equal(a.remote_port, 4501);
	assert_int_equal(a.listen_port, 4600);
	assert_int_equal(a.inside4.family, AF_INET);
	assert_int_equal(a.inside6.family, AF_INET6);

	/* Defaults: ports 4500, no local address, no inside peer. */
	assert_int_equal(PARSE(parse_tunnel_set, &a, "s0", "0", "remote",
			       "2001:db8::2"), 0);
	assert_int_equal(a.remote.family, AF_INET6);
	assert_int_equal(a.local.family, 0);
	assert_int_equal(a.remote_port, 4500);
	assert_int_equal(a.listen_port, 4500);
	assert_int_equal(a.inside4.family, 0);

	/* IPv4 inside peer over IPv6 outer endpoints is fine. */
	assert_int_equal(PARSE(parse_tunnel_set, &a, "s0", "0", "remote",
			       "2001:db8::2", "inside-peer", "169.254.10.1"), 0);

	assert_int_equal(PARSE(parse_tunnel_set, &a, "s0", "0", "remote",
			       "198.51.100.1", "local", "2001:db8::1"), -1);
	assert_string_equal(err, "local address is IPv6 but remote address is IPv4");
	assert_int_equal(PARSE(parse_tunnel_set, &a, "s0", "0", "remote",
			       "2001:db8::1", "local", "192.0.2.1"), -1);
	assert_contains(err, "local address is IPv4 but remote address is IPv6");
	assert_int_equal(PARSE(parse_tunnel_set, &a, "s0", "0", "remote",
			       "1.2.3.4", "inside-peer", "10.0.0.1",
			       "inside-peer", "10.0.0.2"), -1);
	assert_contains(err, "IPv4 given twice");
	assert_int_equal(PARSE(parse_tunnel_set, &a, "s0", "0", "local",
			       "1.2.3.4"), -1);
	assert_contains(err, "missing 'remote ADDR'");
	assert_int_equal(PARSE(parse_tunnel_set, &a, "s0", "2", "remote",
			       "1.2.3.4"), -1);
	assert_contains(err, "is not 0 or 1");
	assert_int_equal(PARSE(parse_tunnel_set, &a, "s0", "0", "remote"), -1);
	assert_contains(err, "'remote' needs a value");
	assert_int_equal(PARSE(parse_tunnel_set, &a, "s0", "0", "remote",
			       "1.2.3.4", "remote", "1.2.3.5"), -1);
	assert_contains(err, "'remote' given twice");
	assert_int_equal(PARSE(parse_tunnel_set, &a, "s0", "0", "remote",
			       "1.2.3.4", "peer", "x"), -1);
	assert_contains(err, "unknown argument 'peer'");
	assert_int_equal(PARSE(parse_tunnel_set, &a,
			       "a-very-long-device-name", "0"), -1);
	assert_contains(err, "is not a device name");
}

static void test_tunnel_del_args(void **state)
{
	struct tunnel_del_args a;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(PARSE(parse_tunnel_del, &a, "s0", "1"), 0);
	assert_int_equal(a.id, 1);
	assert_int_equal(PARSE(parse_tunnel_del, &a, "s0"), -1);
	assert_string_equal(err, "missing ID");
	assert_int_equal(PARSE(parse_tunnel_del, &a, "s0", "1", "x"), -1);
	assert_contains(err, "unexpected argument 'x'");
}

static void test_dev_set_args(void **state)
{
	struct dev_set_args a;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(PARSE(parse_dev_set, &a, "s0", "active-tunnel", "1",
			       "df", "copy", "mss-clamp", "1379"), 0);
	assert_true(a.has_active && a.has_df && a.has_mss);
	assert_int_equal(a.active_tunnel, 1);
	assert_int_equal(a.df, S2SVPN_DF_COPY);
	assert_int_equal(a.mss_clamp, 1379);
	assert_int_equal(PARSE(parse_dev_set, &a, "s0", "mss-clamp", "off"), 0);
	assert_true(a.has_mss && !a.has_df && !a.has_active);
	assert_int_equal(a.mss_clamp, 0);
	assert_int_equal(PARSE(parse_dev_set, &a, "s0", "mss-clamp", "535"), -1);
	assert_int_equal(PARSE(parse_dev_set, &a, "s0", "mss-clamp", "65496"), -1);
	assert_int_equal(PARSE(parse_dev_set, &a, "s0", "mss-clamp", "536"), 0);
	assert_int_equal(PARSE(parse_dev_set, &a, "s0", "df", "maybe"), -1);
	assert_contains(err, "not clear, copy or set");
	assert_int_equal(PARSE(parse_dev_set, &a, "s0"), -1);
	assert_contains(err, "nothing to set");
	/* An unknown keyword is named as such, value or not. */
	assert_int_equal(PARSE(parse_dev_set, &a, "s0", "mtu"), -1);
	assert_string_equal(err, "unknown argument 'mtu'");
	assert_int_equal(PARSE(parse_dev_set, &a, "s0", "df", "set", "df",
			       "clear"), -1);
	assert_string_equal(err, "'df' given twice");
}

static void test_sa_add_args(void **state)
{
	struct sa_args a;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(PARSE(parse_sa_add, &a, "s2svpn0", "tunnel", "1",
			       "dir", "in", "spi", "0xc0010001", "alg",
			       "aes-gcm", "keyfile", "-", "icv", "12",
			       "replay-window", "2048", "esn", "soft-bytes",
			       "900", "hard-bytes", "1000", "soft-packets",
			       "90", "hard-packets", "100"), 0);
	assert_string_equal(a.dev, "s2svpn0");
	assert_int_equal(a.tunnel, 1);
	assert_int_equal(a.dir, S2SVPN_DIR_IN);
	assert_int_equal(a.spi, 0xc0010001);
	assert_string_equal(a.alg->name, "rfc4106(gcm(aes))");
	assert_string_equal(a.keyfile, "-");
	assert_true(a.has_icv && a.icv_len == 12);
	assert_true(a.has_replay && a.replay_window == 2048);
	assert_true(a.esn);
	assert_true(a.has_soft_bytes && a.soft_bytes == 900);
	assert_true(a.has_hard_bytes && a.hard_bytes == 1000);
	assert_true(a.has_soft_packets && a.soft_packets == 90);
	assert_true(a.has_hard_packets && a.hard_packets == 100);

	/* Minimal, any order, crypto API name. */
	assert_int_equal(PARSE(parse_sa_add, &a, "s0", "keyfile", "k", "alg",
			       "authenc(hmac(sha256),cbc(aes))", "spi", "7",
			       "dir", "out", "tunnel", "0"), 0);
	assert_string_equal(a.alg->alias, "aes-cbc-sha256");
	assert_false(a.has_icv || a.has_replay || a.esn || a.has_soft_bytes);

	assert_int_equal(PARSE(parse_sa_add, &a, "s0", "tunnel", "0", "dir",
			       "out", "spi", "1", "alg", "aes-gcm"), -1);
	assert_contains(err, "missing 'keyfile FILE'");
	assert_int_equal(PARSE(parse_sa_add, &a, "s0", "tunnel", "0", "dir",
			       "out", "alg", "aes-gcm", "keyfile", "k"), -1);
	assert_string_equal(err, "missing 'spi SPI'");
	assert_int_equal(PARSE(parse_sa_add, &a, "s0", "dir", "out", "spi",
			       "1", "alg", "aes-gcm", "keyfile", "k"), -1);
	assert_string_equal(err, "missing 'tunnel ID'");
	assert_int_equal(PARSE(parse_sa_add, &a, "s0", "tunnel", "0", "dir",
			       "sideways", "spi", "1"), -1);
	assert_contains(err, "dir: 'sideways' is not in or out");
	assert_int_equal(PARSE(parse_sa_add, &a, "s0", "tunnel", "0", "dir",
			       "out", "spi", "1", "alg", "des", "keyfile",
			       "k"), -1);
	assert_contains(err, "unknown algorithm 'des'");
	assert_int_equal(PARSE(parse_sa_add, &a, "s0", "tunnel", "0", "dir",
			       "out", "spi", "1", "alg", "aes-gcm", "keyfile",
			       "k", "icv", "10"), -1);
	assert_contains(err, "icv: 10 is not valid for rfc4106(gcm(aes)) (16, 8 or 12)");
	assert_int_equal(PARSE(parse_sa_add, &a, "s0", "tunnel", "0", "dir",
			       "out", "spi", "1", "alg", "aes-cbc-sha1",
			       "keyfile", "k", "icv", "16"), -1);
	assert_int_equal(PARSE(parse_sa_add, &a, "s0", "tunnel", "0", "dir",
			       "in", "spi", "1", "alg", "aes-gcm", "keyfile",
			       "k", "replay-window", "4097"), -1);
	assert_contains(err, "replay-window: '4097' is not 0 (off) to 4096");
	assert_int_equal(PARSE(parse_sa_add, &a, "s0", "tunnel", "0", "dir",
			       "out", "spi", "1", "alg", "aes-gcm", "keyfile",
			       "k", "replay-window", "64"), -1);
	assert_contains(err, "inbound SAs only");
	assert_int_equal(PARSE(parse_sa_add, &a, "s0", "tunnel", "0", "dir",
			       "out", "spi", "1", "alg", "aes-gcm", "keyfile",
			       "k", "soft-bytes", "2000", "hard-bytes",
			       "1000"), -1);
	assert_contains(err, "soft-bytes must be nonzero and not exceed hard-bytes");
	assert_int_equal(PARSE(parse_sa_add, &a, "s0", "tunnel", "0", "dir",
			       "out", "spi", "1", "alg", "aes-gcm", "keyfile",
			       "k", "spi", "2"), -1);
	assert_contains(err, "'spi' given twice");
	assert_int_equal(PARSE(parse_sa_add, &a, "s0", "tunnel", "0", "esn",
			       "esn"), -1);
	assert_contains(err, "'esn' given twice");
	assert_int_equal(PARSE(parse_sa_add, &a, "s0", "tunnel", "0", "key",
			       "00112233"), -1);
	assert_contains(err, "unknown argument 'key'");
	assert_int_equal(PARSE(parse_sa_add, &a, "s0", "tunnel"), -1);
	assert_contains(err, "'tunnel' needs a value");
}

static void test_sa_del_args(void **state)
{
	struct sa_args a;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(PARSE(parse_sa_del, &a, "s0", "spi", "0x10", "dir",
			       "out", "tunnel", "1"), 0);
	assert_int_equal(a.spi, 16);
	assert_int_equal(a.dir, S2SVPN_DIR_OUT);
	assert_int_equal(PARSE(parse_sa_del, &a, "s0", "spi", "16", "dir",
			       "out", "tunnel", "1", "alg", "aes-gcm"), -1);
	assert_contains(err, "unknown argument 'alg'");
	assert_int_equal(PARSE(parse_sa_del, &a, "s0", "spi", "16", "tunnel",
			       "1"), -1);
	assert_contains(err, "missing 'dir in|out'");
}

/* ---- key files -------------------------------------------------------- */

static const char gcm_keys[] =
	"# tunnel 0, outbound\n"
	"\n"
	"enc 0x000102030405060708090A0B0C0D0E0F   # AES-128\r\n"
	"   salt\tdeadbeef\n";

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static int parse_text(const char *text, const char *alg, struct keys *k,
		      char *err)
{
	return keys_parse("f", text, strlen(text), alg_find(alg), k, err,
			  ERRLEN);
}

static void test_keys_good(void **state)
{
	static const uint8_t enc[16] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	};
	char err[ERRLEN] = "";
	struct keys k;

	(void)state;
	assert_int_equal(parse_text(gcm_keys, "aes-gcm", &k, err), 0);
	assert_int_equal(k.enc_len, 16);
	assert_memory_equal(k.enc, enc, 16);
	assert_int_equal(k.salt_len, 4);
	assert_memory_equal(k.salt, "\xde\xad\xbe\xef", 4);
	assert_int_equal(k.auth_len, 0);
	keys_wipe(&k);
	assert_true(all_zero(&k, sizeof(k)));

	/* authenc: enc 32 + auth 32, no trailing newline. */
	assert_int_equal(parse_text(
		"auth 0x" "11111111111111111111111111111111"
			  "11111111111111111111111111111111\n"
		"enc " "2222222222222222222222222222222222222222222222222222222222222222",
		"aes-cbc-sha256", &k, err), 0);
	assert_int_equal(k.enc_len, 32);
	assert_int_equal(k.auth_len, 32);
	assert_int_equal(k.auth[31], 0x11);
	assert_int_equal(k.enc[0], 0x22);
	keys_wipe(&k);
}

static void test_keys_bad(void **state)
{
	static const struct {
		const char *alg, *text, *msg;
	} cases[] = {
		{ "aes-gcm", "enc 00112233445566778899aabbccddeezz\nsalt 01020304\n",
		  "f:1: enc: invalid hex digit at column 35" },
		{ "aes-gcm", "salt 01020304\nenc 0x0011223344556677889\n",
		  "f:2: enc: odd number of hex digits (19)" },
		{ "aes-gcm", "key 00112233445566778899aabbccddeeff\n",
		  "f:1: unknown keyword 'key' (expected enc, auth or salt)" },
		{ "aes-gcm", "enc 00112233445566778899aabbccddeeff\n",
		  "f: no 'salt' line: rfc4106(gcm(aes)) needs a 4-byte salt" },
		{ "chacha20-poly1305", "enc 00112233445566778899aabbccddeeff\n",
		  "f:1: enc: 16 bytes, rfc7539esp(chacha20,poly1305) takes 32" },
		{ "aes-gcm", "enc 00112233445566778899aabbccddeeff0011223344556677\n",
		  "f:1: enc: 24 bytes, rfc4106(gcm(aes)) takes 16 or 32" },
		{ "aes-gcm", "salt 010203\n", "f:1: salt: 3 bytes, rfc4106(gcm(aes)) takes 4" },
		{ "aes-gcm", "auth 00112233445566778899aabbccddeeff00112233\n",
		  "f:1: auth: rfc4106(gcm(aes)) takes no auth key" },
		{ "aes-cbc-sha1", "salt 01020304\n",
		  "f:1: salt: authenc(hmac(sha1),cbc(aes)) takes no salt" },
		{ "aes-cbc-sha1", "enc 00112233445566778899aabbccddeeff\nauth 0011\n",
		  "f:2: auth: 2 bytes, authenc(hmac(sha1),cbc(aes)) takes 20" },
		{ "aes-cbc-sha1", "enc 00112233445566778899aabbccddeeff\n",
		  "f: no 'auth' line: authenc(hmac(sha1),cbc(aes)) needs a 20-byte auth key" },
		{ "aes-gcm", "salt 01020304\n# nothing else\n",
		  "f: no 'enc' line: rfc4106(gcm(aes)) needs a 16 or 32-byte key" },
		{ "aes-gcm", "enc 00112233445566778899aabbccddeeff\nenc 00112233445566778899aabbccddeeff\n",
		  "f:2: duplicate 'enc' (first on line 1)" },
		{ "aes-gcm", "enc 00112233445566778899aabbccddeeff extra\n",
		  "f:1: unexpected text after the key" },
		{ "aes-gcm", "enc\n", "f:1: enc: missing hex value" },
		{ "aes-gcm", "enc 0x\n", "f:1: enc: missing hex value" },
		{ "aes-gcm", "", "f: no 'enc' line" },
	};
	char err[ERRLEN];
	struct keys k;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		err[0] = '\0';
		if (parse_text(cases[i].text, cases[i].alg, &k, err) != -1)
			fail_msg("case %zu accepted: %s", i, cases[i].text);
		assert_contains(err, cases[i].msg);
		/* Whatever was parsed before the error is gone. */
		assert_true(all_zero(&k, sizeof(k)));
	}
}

/* Errors say where, never what: no digit of a key in a message. */
static void test_keys_no_leak(void **state)
{
	char err[ERRLEN];
	struct keys k;

	(void)state;
	assert_int_equal(parse_text("enc 5ec7e75ec7e75ec7e75ec7e75ec7e7xx\n",
				    "aes-gcm", &k, err), -1);
	assert_null(strstr(err, "5ec7"));
	assert_int_equal(parse_text("salt 5ec7e7\n", "aes-gcm", &k, err), -1);
	assert_null(strstr(err, "5ec7"));
	assert_int_equal(parse_text("enc 5ec7e75ec7e75ec7e75ec7e75ec7e7 5ec7\n",
				    "aes-gcm", &k, err), -1);
	assert_null(strstr(err, "5ec7"));
}

static void test_keys_nul_byte(void **state)
{
	static const char text[] = "enc 00\0" "11\n";
	char err[ERRLEN];
	struct keys k;

	(void)state;
	assert_int_equal(keys_parse("f", text, sizeof(text) - 1,
				    alg_find("aes-gcm"), &k, err, sizeof(err)), -1);
	assert_contains(err, "f:1: NUL byte");
}

static const char good_file[] =
	"enc 00112233445566778899aabbccddeeff\nsalt 01020304\n";

static void test_keyfile_modes(void **state)
{
	static const mode_t refused[] = { 0644, 0640, 0604, 0660, 0602, 0620 };
	static const mode_t accepted[] = { 0600, 0400 };
	const struct alg *gcm = alg_find("aes-gcm");
	char err[ERRLEN];
	struct keys k;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		const char *p = write_file("keys", good_file, refused[i]);

		assert_int_equal(keys_load(p, gcm, &k, err, sizeof(err)), -1);
		assert_contains(err, "accessible by group or others");
		assert_contains(err, "chmod 600 ");
		assert_contains(err, p);
	}
	for (size_t i = 0; i < ARRAY_SIZE(accepted); i++) {
		const char *p = write_file("keys", good_file, accepted[i]);

		err[0] = '\0';
		if (keys_load(p, gcm, &k, err, sizeof(err)))
			fail_msg("mode %04o refused: %s", accepted[i], err);
		assert_int_equal(k.enc_len, 16);
		keys_wipe(&k);
	}
	assert_int_equal(keys_load("/nonexistent/keys", gcm, &k, err,
				   sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/keys: No such file or directory");
}

static void test_keyfile_line_numbers(void **state)
{
	const char *p = write_file("bad", "# comment\n\nenc 0011\n", 0600);
	char err[ERRLEN], want[300];
	struct keys k;

	(void)state;
	assert_int_equal(keys_load(p, alg_find("aes-gcm"), &k, err,
				   sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: enc: 2 bytes", p);
	assert_contains(err, want);
}

static void test_keyfile_too_big(void **state)
{
	char *big = malloc(5000);
	const char *p;
	char err[ERRLEN];
	struct keys k;

	(void)state;
	assert_non_null(big);
	memset(big, '#', 4999);
	big[4999] = '\0';
	p = write_file("big", big, 0600);
	free(big);
	assert_int_equal(keys_load(p, alg_find("aes-gcm"), &k, err,
				   sizeof(err)), -1);
	assert_contains(err, "too large for a key file");
}

/* keyfile -: a pipe is fine; a world-readable file redirected is not. */
static void test_keyfile_stdin(void **state)
{
	const struct alg *gcm = alg_find("aes-gcm");
	int saved = dup(STDIN_FILENO), fds[2], fd;
	char err[ERRLEN];
	struct keys k;
	const char *p;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], good_file, strlen(good_file)),
			 (ssize_t)strlen(good_file));
	close(fds[1]);
	dup2(fds[0], STDIN_FILENO);
	close(fds[0]);
	err[0] = '\0';
	if (keys_load("-", gcm, &k, err, sizeof(err)))
		fail_msg("stdin pipe refused: %s", err);
	assert_int_equal(k.salt_len, 4);
	keys_wipe(&k);

	p = write_file("stdin-keys", good_file, 0644);
	fd = open(p, O_RDONLY);
	dup2(fd, STDIN_FILENO);
	close(fd);
	assert_int_equal(keys_load("-", gcm, &k, err, sizeof(err)), -1);
	assert_contains(err, "<stdin>: key file is accessible by group or others");

	dup2(saved, STDIN_FILENO);
	close(saved);
}

/* ---- requests --------------------------------------------------------- */

/* Collect the attributes of a nest (or message) by type, validated. */
static void index_attrs(const struct nlattr *first, const void *end,
			const struct nlattr **tb, unsigned int max)
{
	const struct nlattr *a;
	int len = (int)((const char *)end - (const char *)first);

	memset(tb, 0, (max + 1) * sizeof(*tb));
	for (a = first; mnl_attr_ok(a, len); a = mnl_attr_next(a)) {
		len = (int)((const char *)end - (const char *)a) -
		      (int)MNL_ALIGN(a->nla_len);
		assert_true(mnl_attr_get_type(a) <= max);
		tb[mnl_attr_get_type(a)] = a;
	}
}

static void index_msg(const struct nlmsghdr *nlh, const struct nlattr **tb,
		      unsigned int max)
{
	index_attrs(mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN),
		    mnl_nlmsg_get_payload_tail(nlh), tb, max);
}

static void index_nest(const struct nlattr *nest, const struct nlattr **tb,
		       unsigned int max)
{
	/* Strict kernel policies reject nests without NLA_F_NESTED. */
	assert_true(nest->nla_type & NLA_F_NESTED);
	index_attrs(mnl_attr_get_payload(nest),
		    (const char *)nest + nest->nla_len, tb, max);
}

static void test_msg_sa_new(void **state)
{
	char buf[4096], err[ERRLEN];
	const struct nlattr *top[S2SVPN_A_MAX + 1], *sa[S2SVPN_A_SA_MAX + 1];
	const struct genlmsghdr *genl;
	struct nlmsghdr *nlh;
	struct sa_args a;
	struct keys k;

	(void)state;
	assert_int_equal(PARSE(parse_sa_add, &a, "s0", "tunnel", "1", "dir",
			       "in", "spi", "0xc0010001", "alg", "aes-gcm",
			       "keyfile", "-", "replay-window", "0", "esn",
			       "hard-bytes", "1000000"), 0);
	assert_int_equal(parse_text(gcm_keys, "aes-gcm", &k, err), 0);
	nlh = msg_start(buf, FAMILY, NLM_F_REQUEST | NLM_F_ACK, 9);
	msg_sa_new(nlh, 7, &a, &k);

	genl = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nlh->nlmsg_type, FAMILY);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(nlh->nlmsg_seq, 9);
	assert_int_equal(genl->cmd, S2SVPN_CMD_SA_NEW);
	assert_int_equal(genl->version, S2SVPN_FAMILY_VERSION);
	index_msg(nlh, top, S2SVPN_A_MAX);
	assert_int_equal(mnl_attr_get_u32(top[S2SVPN_A_IFINDEX]), 7);
	assert_non_null(top[S2SVPN_A_SA]);
	index_nest(top[S2SVPN_A_SA], sa, S2SVPN_A_SA_MAX);
	assert_int_equal(mnl_attr_get_u8(sa[S2SVPN_A_SA_TUNNEL_ID]), 1);
	assert_int_equal(mnl_attr_get_u8(sa[S2SVPN_A_SA_DIR]), S2SVPN_DIR_IN);
	assert_int_equal(mnl_attr_get_u32(sa[S2SVPN_A_SA_SPI]), 0xc0010001);
	assert_int_equal(mnl_attr_validate(sa[S2SVPN_A_SA_ALG],
					   MNL_TYPE_NUL_STRING), 0);
	assert_string_equal(mnl_attr_get_str(sa[S2SVPN_A_SA_ALG]),
			    "rfc4106(gcm(aes))");
	assert_int_equal(mnl_attr_get_payload_len(sa[S2SVPN_A_SA_ENC_KEY]), 16);
	assert_memory_equal(mnl_attr_get_payload(sa[S2SVPN_A_SA_ENC_KEY]),
			    k.enc, 16);
	assert_int_equal(mnl_attr_get_payload_len(sa[S2SVPN_A_SA_SALT]), 4);
	assert_null(sa[S2SVPN_A_SA_AUTH_KEY]);
	assert_null(sa[S2SVPN_A_SA_ICV_LEN]);
	assert_int_equal(mnl_attr_get_u32(sa[S2SVPN_A_SA_REPLAY_WINDOW]), 0);
	assert_int_equal(mnl_attr_get_payload_len(sa[S2SVPN_A_SA_ESN]), 0);
	assert_int_equal(mnl_attr_get_payload_len(sa[S2SVPN_A_SA_HARD_BYTES]), 8);
	assert_true(mnl_attr_get_u64(sa[S2SVPN_A_SA_HARD_BYTES]) == 1000000);
	assert_null(sa[S2SVPN_A_SA_SOFT_BYTES]);
	keys_wipe(&k);
}

static void test_msg_tunnel_set(void **state)
{
	const struct nlattr *top[S2SVPN_A_MAX + 1], *t[S2SVPN_A_TUNNEL_MAX + 1];
	struct tunnel_set_args a;
	struct nlmsghdr *nlh;
	char buf[4096], err[ERRLEN];

	(void)state;
	assert_int_equal(PARSE(parse_tunnel_set, &a, "s0", "1", "remote",
			       "2001:db8::2", "inside-peer", "169.254.10.1",
			       "port", "4501"), 0);
	nlh = msg_start(buf, FAMILY, NLM_F_REQUEST | NLM_F_ACK, 1);
	msg_tunnel_set(nlh, 3, &a);
	assert_int_equal(((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd,
			 S2SVPN_CMD_TUNNEL_SET);
	index_msg(nlh, top, S2SVPN_A_MAX);
	index_nest(top[S2SVPN_A_TUNNEL], t, S2SVPN_A_TUNNEL_MAX);
	assert_int_equal(mnl_attr_get_u8(t[S2SVPN_A_TUNNEL_ID]), 1);
	assert_int_equal(mnl_attr_get_payload_len(t[S2SVPN_A_TUNNEL_REMOTE6]), 16);
	assert_null(t[S2SVPN_A_TUNNEL_REMOTE4]);
	assert_null(t[S2SVPN_A_TUNNEL_LOCAL4]);
	assert_null(t[S2SVPN_A_TUNNEL_LOCAL6]);
	assert_null(t[S2SVPN_A_TUNNEL_SOCK_FD]);
	assert_int_equal(mnl_attr_get_u16(t[S2SVPN_A_TUNNEL_REMOTE_PORT]), 4501);
	assert_int_equal(mnl_attr_get_u16(t[S2SVPN_A_TUNNEL_LOCAL_PORT]), 4500);
	assert_memory_equal(mnl_attr_get_payload(t[S2SVPN_A_TUNNEL_INSIDE_PEER4]),
			    "\xa9\xfe\x0a\x01", 4);
	assert_null(t[S2SVPN_A_TUNNEL_INSIDE_PEER6]);
}

/* The daemon hands over its own socket: SOCK_FD, and no listen port. */
static void test_msg_tunnel_set_sock_fd(void **state)
{
	const struct nlattr *top[S2SVPN_A_MAX + 1], *t[S2SVPN_A_TUNNEL_MAX + 1];
	struct tunnel_set_args a;
	struct nlmsghdr *nlh;
	char buf[4096], err[ERRLEN];

	(void)state;
	assert_int_equal(PARSE(parse_tunnel_set, &a, "s0", "0", "remote",
			       "192.0.2.1"), 0);
	a.has_sock_fd = true;
	a.sock_fd = 7;
	nlh = msg_start(buf, FAMILY, NLM_F_REQUEST | NLM_F_ACK, 1);
	msg_tunnel_set(nlh, 3, &a);
	index_msg(nlh, top, S2SVPN_A_MAX);
	index_nest(top[S2SVPN_A_TUNNEL], t, S2SVPN_A_TUNNEL_MAX);
	assert_int_equal(mnl_attr_get_u32(t[S2SVPN_A_TUNNEL_SOCK_FD]), 7);
	assert_null(t[S2SVPN_A_TUNNEL_LOCAL_PORT]);
}

static void test_msg_small_requests(void **state)
{
	const struct nlattr *top[S2SVPN_A_MAX + 1], *n[S2SVPN_A_SA_MAX + 1];
	struct dev_set_args d;
	struct sa_args s;
	struct nlmsghdr *nlh;
	char buf[4096], err[ERRLEN];

	(void)state;
	assert_int_equal(PARSE(parse_dev_set, &d, "s0", "mss-clamp", "off"), 0);
	nlh = msg_start(buf, FAMILY, NLM_F_REQUEST | NLM_F_ACK, 1);
	msg_dev_set(nlh, 3, &d);
	index_msg(nlh, top, S2SVPN_A_MAX);
	assert_int_equal(mnl_attr_get_u16(top[S2SVPN_A_MSS_CLAMP]), 0);
	assert_null(top[S2SVPN_A_DF]);
	assert_null(top[S2SVPN_A_ACTIVE_TUNNEL]);

	assert_int_equal(PARSE(parse_sa_del, &s, "s0", "tunnel", "0", "dir",
			       "out", "spi", "5"), 0);
	nlh = msg_start(buf, FAMILY, NLM_F_REQUEST | NLM_F_ACK, 1);
	msg_sa_del(nlh, 3, &s);
	index_msg(nlh, top, S2SVPN_A_MAX);
	index_nest(top[S2SVPN_A_SA], n, S2SVPN_A_SA_MAX);
	assert_int_equal(mnl_attr_get_u32(n[S2SVPN_A_SA_SPI]), 5);
	assert_null(n[S2SVPN_A_SA_ALG]);

	/* Dump all devices: no attributes at all. */
	nlh = msg_start(buf, FAMILY, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, 1);
	msg_dev_get(nlh, 0);
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh = msg_start(buf, FAMILY, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, 1);
	msg_sa_dump(nlh, 12);
	index_msg(nlh, top, S2SVPN_A_MAX);
	assert_int_equal(mnl_attr_get_u32(top[S2SVPN_A_IFINDEX]), 12);
}

/* ---- replies and events ----------------------------------------------- */

static struct nlmsghdr *reply_start(void *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = msg_start(buf, FAMILY, NLM_F_MULTI, 1);

	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd = cmd;
	return nlh;
}

/* A u64 as the kernel's nla_put_u64_64bit() may send it: PAD first. */
static void put_u64_padded(struct nlmsghdr *nlh, uint16_t pad, uint16_t type,
			   uint64_t v)
{
	mnl_attr_put(nlh, pad, 0, NULL);
	mnl_attr_put_u64(nlh, type, v);
}

static void put_stats(struct nlmsghdr *nlh, uint16_t type, uint64_t base)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type);

	for (uint16_t i = S2SVPN_A_STATS_RX_PACKETS;
	     i <= S2SVPN_A_STATS_DROP_OTHER; i++)
		put_u64_padded(nlh, S2SVPN_A_STATS_PAD, i, base + i);
	mnl_attr_put_u32(nlh, 250, 1);	/* from a newer kernel: skipped */
	mnl_attr_nest_end(nlh, n);
}

static void build_dev_reply(struct nlmsghdr *nlh)
{
	struct nlattr *t;

	mnl_attr_put_u32(nlh, S2SVPN_A_IFINDEX, 5);
	mnl_attr_put_strz(nlh, S2SVPN_A_IFNAME, "s2svpn0");
	mnl_attr_put_u8(nlh, S2SVPN_A_ACTIVE_TUNNEL, 1);
	mnl_attr_put_u8(nlh, S2SVPN_A_DF, S2SVPN_DF_SET);
	mnl_attr_put_u16(nlh, S2SVPN_A_MSS_CLAMP, 1379);
	mnl_attr_put(nlh, 200, 3, "new");	/* unknown: skipped */
	for (uint8_t id = 0; id < 2; id++) {
		t = mnl_attr_nest_start(nlh, S2SVPN_A_TUNNEL);
		mnl_attr_put_u8(nlh, S2SVPN_A_TUNNEL_ID, id);
		mnl_attr_put(nlh, S2SVPN_A_TUNNEL_LOCAL4, 4, "\xc0\x00\x02\x0a");
		mnl_attr_put(nlh, S2SVPN_A_TUNNEL_REMOTE4, 4, "\xc6\x33\x64\x01");
		mnl_attr_put_u16(nlh, S2SVPN_A_TUNNEL_REMOTE_PORT, 4500);
		mnl_attr_put_u16(nlh, S2SVPN_A_TUNNEL_LOCAL_PORT, 4500 + id);
		mnl_attr_put(nlh, S2SVPN_A_TUNNEL_INSIDE_PEER4, 4,
			     id ? "\xa9\xfe\x0b\x01" : "\xa9\xfe\x0a\x01");
		mnl_attr_put_u8(nlh, S2SVPN_A_TUNNEL_STATE, id);
		if (id)	/* as nla_put_uint() would send a small value */
			mnl_attr_put_u32(nlh, S2SVPN_A_TUNNEL_LAST_RX, 1000);
		else
			put_u64_padded(nlh, S2SVPN_A_TUNNEL_PAD,
				       S2SVPN_A_TUNNEL_LAST_RX, 0);
		put_stats(nlh, S2SVPN_A_TUNNEL_STATS, 100 * id);
		mnl_attr_nest_end(nlh, t);
	}
	put_stats(nlh, S2SVPN_A_NET_STATS, 1000);
}

static void test_parse_dev(void **state)
{
	char buf[8192], err[ERRLEN];
	struct dev_info d;

	(void)state;
	build_dev_reply(reply_start(buf, S2SVPN_CMD_DEV_GET));
	assert_int_equal(msg_parse_dev((struct nlmsghdr *)buf, &d, err,
				       sizeof(err)), 0);
	assert_int_equal(d.ifindex, 5);
	assert_string_equal(d.ifname, "s2svpn0");
	assert_true(d.has_active && d.active_tunnel == 1);
	assert_true(d.has_df && d.df == S2SVPN_DF_SET);
	assert_true(d.has_mss && d.mss_clamp == 1379);
	for (int id = 0; id < 2; id++) {
		const struct tunnel_info *t = &d.tunnels[id];

		assert_true(t->present);
		assert_int_equal(t->id, id);
		assert_int_equal(t->local.family, AF_INET);
		assert_int_equal(t->remote.bytes[0], 198);
		assert_int_equal(t->local_port, 4500 + id);
		assert_int_equal(t->inside4.bytes[2], 10 + id);
		assert_int_equal(t->inside6.family, 0);
		assert_true(t->has_state && t->state == id);
		assert_true(t->has_last_rx);
		assert_true(t->stats.present);
		assert_true(t->stats.v[S2SVPN_A_STATS_DROP_OTHER] ==
			    100u * id + S2SVPN_A_STATS_DROP_OTHER);
	}
	assert_true(d.tunnels[1].last_rx == 1000);
	assert_true(d.net_stats.present);
	assert_true(d.net_stats.v[S2SVPN_A_STATS_DROP_UNKNOWN_SPI] ==
		    1000 + S2SVPN_A_STATS_DROP_UNKNOWN_SPI);
}

static void test_parse_malformed(void **state)
{
	char buf[4096], err[ERRLEN];
	struct nlmsghdr *nlh;
	struct nlattr *t;
	struct dev_info d;
	struct sa_info s;

	(void)state;
	nlh = reply_start(buf, S2SVPN_CMD_DEV_GET);
	mnl_attr_put_u16(nlh, S2SVPN_A_IFINDEX, 5);	/* u32 expected */
	assert_int_equal(msg_parse_dev(nlh, &d, err, sizeof(err)), -1);
	assert_contains(err, "malformed attribute dev.ifindex");

	nlh = reply_start(buf, S2SVPN_CMD_DEV_GET);
	mnl_attr_put_u32(nlh, S2SVPN_A_IFINDEX, 5);
	t = mnl_attr_nest_start(nlh, S2SVPN_A_TUNNEL);
	mnl_attr_put_u8(nlh, S2SVPN_A_TUNNEL_ID, 0);
	mnl_attr_put(nlh, S2SVPN_A_TUNNEL_REMOTE6, 4, "\1\2\3\4");
	mnl_attr_nest_end(nlh, t);
	assert_int_equal(msg_parse_dev(nlh, &d, err, sizeof(err)), -1);
	assert_contains(err, "malformed attribute tunnel.remote6");

	nlh = reply_start(buf, S2SVPN_CMD_DEV_GET);
	mnl_attr_put_u32(nlh, S2SVPN_A_IFINDEX, 5);
	t = mnl_attr_nest_start(nlh, S2SVPN_A_TUNNEL);
	mnl_attr_put_u8(nlh, S2SVPN_A_TUNNEL_ID, 2);
	mnl_attr_nest_end(nlh, t);
	assert_int_equal(msg_parse_dev(nlh, &d, err, sizeof(err)), -1);
	assert_contains(err, "tunnel id 2");

	nlh = reply_start(buf, S2SVPN_CMD_DEV_GET);
	mnl_attr_put_strz(nlh, S2SVPN_A_IFNAME, "s0");
	assert_int_equal(msg_parse_dev(nlh, &d, err, sizeof(err)), -1);
	assert_contains(err, "without an ifindex");

	nlh = reply_start(buf, S2SVPN_CMD_DEV_GET);
	mnl_attr_put_u32(nlh, S2SVPN_A_IFINDEX, 5);
	mnl_attr_put(nlh, S2SVPN_A_IFNAME, 3, "abc");	/* no NUL */
	assert_int_equal(msg_parse_dev(nlh, &d, err, sizeof(err)), -1);
	assert_contains(err, "malformed attribute dev.ifname");

	nlh = reply_start(buf, S2SVPN_CMD_SA_GET);
	mnl_attr_put_u32(nlh, S2SVPN_A_IFINDEX, 5);
	t = mnl_attr_nest_start(nlh, S2SVPN_A_SA);
	mnl_attr_put_u8(nlh, S2SVPN_A_SA_TUNNEL_ID, 0);
	mnl_attr_put_u8(nlh, S2SVPN_A_SA_DIR, 0);
	mnl_attr_put_u32(nlh, S2SVPN_A_SA_SPI, 1);
	mnl_attr_put_u8(nlh, S2SVPN_A_SA_CURRENT, 1);	/* flag with data */
	mnl_attr_nest_end(nlh, t);
	assert_int_equal(msg_parse_sa(nlh, &s, err, sizeof(err)), -1);
	assert_contains(err, "malformed attribute sa.current");
}

static void build_sa_reply(struct nlmsghdr *nlh, uint8_t tunnel, uint8_t dir,
			   uint32_t spi, bool current)
{
	struct nlattr *n;

	mnl_attr_put_u32(nlh, S2SVPN_A_IFINDEX, 5);
	n = mnl_attr_nest_start(nlh, S2SVPN_A_SA);
	mnl_attr_put_u8(nlh, S2SVPN_A_SA_TUNNEL_ID, tunnel);
	mnl_attr_put_u8(nlh, S2SVPN_A_SA_DIR, dir);
	mnl_attr_put_u32(nlh, S2SVPN_A_SA_SPI, spi);
	mnl_attr_put_strz(nlh, S2SVPN_A_SA_ALG, "rfc4106(gcm(aes))");
	mnl_attr_put_u8(nlh, S2SVPN_A_SA_ICV_LEN, 16);
	mnl_attr_put_u32(nlh, S2SVPN_A_SA_REPLAY_WINDOW, 1024);
	mnl_attr_put(nlh, S2SVPN_A_SA_ESN, 0, NULL);
	if (current)
		mnl_attr_put(nlh, S2SVPN_A_SA_CURRENT, 0, NULL);
	put_u64_padded(nlh, S2SVPN_A_SA_PAD, S2SVPN_A_SA_SEQ, 1021);
	put_u64_padded(nlh, S2SVPN_A_SA_PAD, S2SVPN_A_SA_AGE, 3720);
	put_u64_padded(nlh, S2SVPN_A_SA_PAD, S2SVPN_A_SA_HARD_BYTES, 1 << 30);
	put_stats(nlh, S2SVPN_A_SA_STATS, 0);
	mnl_attr_nest_end(nlh, n);
}

static void test_parse_sa(void **state)
{
	char buf[4096], err[ERRLEN];
	struct sa_info s;

	(void)state;
	build_sa_reply(reply_start(buf, S2SVPN_CMD_SA_GET), 1,
		       S2SVPN_DIR_IN, 0xc001, true);
	assert_int_equal(msg_parse_sa((struct nlmsghdr *)buf, &s, err,
				      sizeof(err)), 0);
	assert_int_equal(s.ifindex, 5);
	assert_int_equal(s.tunnel, 1);
	assert_int_equal(s.dir, S2SVPN_DIR_IN);
	assert_int_equal(s.spi, 0xc001);
	assert_string_equal(s.alg, "rfc4106(gcm(aes))");
	assert_true(s.has_icv && s.icv_len == 16);
	assert_true(s.has_replay && s.replay_window == 1024);
	assert_true(s.esn && s.current);
	assert_true(s.has_seq && s.seq == 1021);
	assert_true(s.has_age && s.age == 3720);
	assert_true(s.has_limit[1] && s.limit[1] == 1 << 30);
	assert_false(s.has_limit[0]);
	assert_true(s.stats.present);
	assert_true(s.stats.has[S2SVPN_A_STATS_RX_BYTES]);
}

static void test_parse_events(void **state)
{
	char buf[4096], err[ERRLEN];
	struct nlmsghdr *nlh;
	struct nlattr *n;
	struct event ev;

	(void)state;
	nlh = reply_start(buf, S2SVPN_CMD_SA_EXPIRE_NTF);
	mnl_attr_put_u32(nlh, S2SVPN_A_IFINDEX, 5);
	mnl_attr_put_strz(nlh, S2SVPN_A_IFNAME, "s2svpn0");
	n = mnl_attr_nest_start(nlh, S2SVPN_A_SA);
	mnl_attr_put_u8(nlh, S2SVPN_A_SA_TUNNEL_ID, 1);
	mnl_attr_put_u8(nlh, S2SVPN_A_SA_DIR, S2SVPN_DIR_OUT);
	mnl_attr_put_u32(nlh, S2SVPN_A_SA_SPI, 0xc0010001);
	mnl_attr_put_u8(nlh, S2SVPN_A_SA_EXPIRE, S2SVPN_EXPIRE_PACKETS);
	mnl_attr_put(nlh, S2SVPN_A_SA_HARD, 0, NULL);
	mnl_attr_nest_end(nlh, n);
	assert_int_equal(msg_parse_event(nlh, &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.kind, EV_SA_EXPIRE);
	assert_int_equal(ev.ifindex, 5);
	assert_string_equal(ev.ifname, "s2svpn0");
	assert_true(ev.has_tunnel && ev.tunnel == 1);
	assert_true(ev.has_dir && ev.dir == S2SVPN_DIR_OUT);
	assert_true(ev.has_spi && ev.spi == 0xc0010001);
	assert_true(ev.has_reason && ev.reason == S2SVPN_EXPIRE_PACKETS);
	assert_true(ev.hard);

	nlh = reply_start(buf, S2SVPN_CMD_TUNNEL_STATE_NTF);
	mnl_attr_put_u32(nlh, S2SVPN_A_IFINDEX, 5);
	n = mnl_attr_nest_start(nlh, S2SVPN_A_TUNNEL);
	mnl_attr_put_u8(nlh, S2SVPN_A_TUNNEL_ID, 0);
	mnl_attr_put_u8(nlh, S2SVPN_A_TUNNEL_STATE, S2SVPN_TUNNEL_USABLE);
	mnl_attr_nest_end(nlh, n);
	assert_int_equal(msg_parse_event(nlh, &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.kind, EV_TUNNEL_STATE);
	assert_string_equal(ev.ifname, "");
	assert_true(ev.has_state && ev.state == S2SVPN_TUNNEL_USABLE);

	nlh = reply_start(buf, S2SVPN_CMD_SOCK_DETACH_NTF);
	mnl_attr_put_u32(nlh, S2SVPN_A_IFINDEX, 5);
	n = mnl_attr_nest_start(nlh, S2SVPN_A_TUNNEL);
	mnl_attr_put_u8(nlh, S2SVPN_A_TUNNEL_ID, 1);
	mnl_attr_nest_end(nlh, n);
	assert_int_equal(msg_parse_event(nlh, &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.kind, EV_SOCK_DETACH);
	assert_int_equal(ev.tunnel, 1);

	/* Not an event (a reply seen on the group): skipped. */
	nlh = reply_start(buf, S2SVPN_CMD_DEV_GET);
	assert_int_equal(msg_parse_event(nlh, &ev, err, sizeof(err)), 1);
}

/* The kernel's NLMSGERR_ATTR_OFFS points into our request: name it. */
static void test_attr_path(void **state)
{
	const struct nlattr *top[S2SVPN_A_MAX + 1], *sa[S2SVPN_A_SA_MAX + 1];
	char buf[4096], err[ERRLEN], name[96];
	enum attr_set set;
	struct nlmsghdr *nlh;
	struct sa_args a;
	struct keys k;

	(void)state;
	assert_int_equal(PARSE(parse_sa_add, &a, "s0", "tunnel", "1", "dir",
			       "in", "spi", "9", "alg", "aes-gcm", "keyfile",
			       "-"), 0);
	assert_int_equal(parse_text(gcm_keys, "aes-gcm", &k, err), 0);
	nlh = msg_start(buf, FAMILY, NLM_F_REQUEST | NLM_F_ACK, 1);
	msg_sa_new(nlh, 3, &a, &k);
	keys_wipe(&k);
	index_msg(nlh, top, S2SVPN_A_MAX);
	index_nest(top[S2SVPN_A_SA], sa, S2SVPN_A_SA_MAX);

	assert_string_equal(msg_attr_path(nlh, (uint32_t)((char *)sa[S2SVPN_A_SA_SPI] - buf),
					  &set, name, sizeof(name)), "sa.spi");
	assert_int_equal(set, SET_NONE);
	assert_string_equal(msg_attr_path(nlh, (uint32_t)((char *)top[S2SVPN_A_SA] - buf),
					  &set, name, sizeof(name)), "sa");
	assert_int_equal(set, SET_SA);
	assert_string_equal(msg_attr_path(nlh, (uint32_t)((char *)top[S2SVPN_A_IFINDEX] - buf),
					  &set, name, sizeof(name)), "ifindex");
	/* Not the start of an attribute, or past the end. */
	assert_null(msg_attr_path(nlh, (uint32_t)((char *)sa[S2SVPN_A_SA_SPI] - buf) + 2,
				  &set, name, sizeof(name)));
	assert_null(msg_attr_path(nlh, nlh->nlmsg_len + 8, &set, name,
				  sizeof(name)));
	assert_string_equal(msg_attr_name(SET_SA, S2SVPN_A_SA_SALT, name,
					  sizeof(name)), "salt");
	assert_string_equal(msg_attr_name(SET_TUNNEL, 99, name, sizeof(name)),
			    "tunnel attribute 99");
}

/* ---- the receive loop ------------------------------------------------- */

static struct nlmsghdr *put_msg(char *buf, size_t *off, uint16_t type,
				uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + *off);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = PORTID;
	return nlh;
}

static void end_msg(size_t *off, const struct nlmsghdr *nlh)
{
	*off += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void put_dev(char *buf, size_t *off, uint32_t seq, uint32_t ifindex)
{
	struct nlmsghdr *nlh = put_msg(buf, off, FAMILY, NLM_F_MULTI, seq);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = S2SVPN_CMD_DEV_GET;
	mnl_attr_put_u32(nlh, S2SVPN_A_IFINDEX, ifindex);
	end_msg(off, nlh);
}

static int count_cb(const struct nlmsghdr *nlh, void *data, char *err,
		    size_t errlen)
{
	struct dev_info d;
	int *n = data;

	if (msg_parse_dev(nlh, &d, err, errlen))
		return -EBADMSG;
	assert_int_equal(d.ifindex, (uint32_t)(*n + 1));
	(*n)++;
	return 0;
}

struct loop {
	struct nl nl;
	char reqbuf[4096];
	struct nlmsghdr *req;
};

static int loop_setup(void **state)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return -1;
	l->nl.buf = calloc(1, 65536);
	l->nl.portid = PORTID;
	l->nl.family = FAMILY;
	l->req = msg_start(l->reqbuf, FAMILY,
			   NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, 7);
	msg_dev_get(l->req, 0);
	*state = l;
	return l->nl.buf ? 0 : -1;
}

static int loop_teardown(void **state)
{
	struct loop *l = *state;

	free(l->nl.buf);
	free(l);
	return 0;
}

/* A dump over two recv() batches, with a stale message to skip. */
static void test_dump_multipart(void **state)
{
	struct loop *l = *state;
	size_t off = 0;
	int n = 0, ret = 99;
	struct nlmsghdr *nlh;

	put_dev(l->nl.buf, &off, 7, 1);
	put_dev(l->nl.buf, &off, 6, 42);	/* an earlier request's */
	put_dev(l->nl.buf, &off, 7, 2);
	put_dev(l->nl.buf, &off, 7, 3);
	assert_int_equal(nl_dispatch(&l->nl, l->req, (int)off, count_cb, &n,
				     &ret), 0);
	assert_int_equal(n, 3);

	off = 0;
	put_dev(l->nl.buf, &off, 7, 4);
	nlh = put_msg(l->nl.buf, &off, NLMSG_DONE, NLM_F_MULTI, 7);
	*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = 0;
	end_msg(&off, nlh);
	assert_int_equal(nl_dispatch(&l->nl, l->req, (int)off, count_cb, &n,
				     &ret), 1);
	assert_int_equal(ret, 0);
	assert_int_equal(n, 4);
}

static void test_dump_error_in_done(void **state)
{
	struct loop *l = *state;
	struct nlmsghdr *nlh;
	size_t off = 0;
	int n = 0, ret = 0;

	nlh = put_msg(l->nl.buf, &off, NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, 7);
	*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = -ENODEV;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "device went away");
	end_msg(&off, nlh);
	assert_int_equal(nl_dispatch(&l->nl, l->req, (int)off, count_cb, &n,
				     &ret), 1);
	assert_int_equal(ret, -ENODEV);
	assert_string_equal(l->nl.err, "device went away: No such device");
}

static void test_dump_bad_message(void **state)
{
	struct loop *l = *state;
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	size_t off = 0;
	int n = 0, ret = 0;

	nlh = put_msg(l->nl.buf, &off, FAMILY, NLM_F_MULTI, 7);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = S2SVPN_CMD_DEV_GET;
	mnl_attr_put_u8(nlh, S2SVPN_A_IFINDEX, 1);
	end_msg(&off, nlh);
	assert_int_equal(nl_dispatch(&l->nl, l->req, (int)off, count_cb, &n,
				     &ret), 1);
	assert_int_equal(ret, -EBADMSG);
	assert_contains(l->nl.err, "malformed attribute dev.ifindex");
}

/* An NLMSG_ERROR for REQ, echoing it unless CAPPED, with extack TLVs. */
static struct nlmsghdr *put_err(char *buf, size_t *off, const struct nlmsghdr *req,
				int error, bool capped)
{
	struct nlmsghdr *nlh = put_msg(buf, off, NLMSG_ERROR,
				       NLM_F_ACK_TLVS | (capped ? NLM_F_CAPPED : 0),
				       req->nlmsg_seq);
	size_t len = capped ? sizeof(struct nlmsghdr) : req->nlmsg_len;
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(
				nlh, sizeof(*e) - sizeof(e->msg) + len);

	e->error = error;
	memcpy(&e->msg, req, len);
	return nlh;
}

static void test_error_extack(void **state)
{
	const struct nlattr *top[S2SVPN_A_MAX + 1], *sa[S2SVPN_A_SA_MAX + 1];
	struct loop *l = *state;
	struct nlmsghdr *nlh, *req;
	char reqbuf[4096], err[ERRLEN];
	struct sa_args a;
	struct keys k;
	size_t off;
	int ret;

	assert_int_equal(PARSE(parse_sa_add, &a, "s0", "tunnel", "0", "dir",
			       "in", "spi", "9", "alg", "aes-gcm", "keyfile",
			       "-"), 0);
	assert_int_equal(parse_text(gcm_keys, "aes-gcm", &k, err), 0);
	req = msg_start(reqbuf, FAMILY, NLM_F_REQUEST | NLM_F_ACK, 8);
	msg_sa_new(req, 3, &a, &k);
	keys_wipe(&k);
	index_msg(req, top, S2SVPN_A_MAX);
	index_nest(top[S2SVPN_A_SA], sa, S2SVPN_A_SA_MAX);

	/* Capped (NETLINK_CAP_ACK): message and offending attribute. */
	off = 0;
	nlh = put_err(l->nl.buf, &off, req, -EEXIST, true);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "SPI already in use");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS,
			 (uint32_t)((char *)sa[S2SVPN_A_SA_SPI] - reqbuf));
	end_msg(&off, nlh);
	assert_int_equal(nl_dispatch(&l->nl, req, (int)off, NULL, NULL, &ret), 1);
	assert_int_equal(ret, -EEXIST);
	assert_string_equal(l->nl.err,
			    "SPI already in use (attribute sa.spi): File exists");

	/* Not capped: the TLVs come after the echoed request. */
	off = 0;
	nlh = put_err(l->nl.buf, &off, req, -EINVAL, false);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, S2SVPN_A_SA_SALT);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_NEST,
			 (uint32_t)((char *)top[S2SVPN_A_SA] - reqbuf));
	end_msg(&off, nlh);
	assert_int_equal(nl_dispatch(&l->nl, req, (int)off, NULL, NULL, &ret), 1);
	assert_int_equal(ret, -EINVAL);
	assert_string_equal(l->nl.err,
			    "missing attribute sa.salt: Invalid argument");

	/* No TLVs at all. */
	off = 0;
	nlh = put_err(l->nl.buf, &off, req, -EPERM, true);
	nlh->nlmsg_flags &= (uint16_t)~NLM_F_ACK_TLVS;
	end_msg(&off, nlh);
	assert_int_equal(nl_dispatch(&l->nl, req, (int)off, NULL, NULL, &ret), 1);
	assert_int_equal(ret, -EPERM);
	assert_string_equal(l->nl.err,
			    "Operation not permitted (needs CAP_NET_ADMIN)");

	/* The ACK. */
	off = 0;
	nlh = put_err(l->nl.buf, &off, req, 0, true);
	end_msg(&off, nlh);
	ret = 99;
	assert_int_equal(nl_dispatch(&l->nl, req, (int)off, NULL, NULL, &ret), 1);
	assert_int_equal(ret, 0);
}

/*
 * Against the running kernel, without s2svpn: a real multi-message dump
 * (every generic netlink family, from the controller) through
 * nl_request(), and the message for a missing family.
 */
static int ctrl_count_cb(const struct nlmsghdr *nlh, void *data, char *err,
			 size_t errlen)
{
	(void)nlh;
	(void)err;
	(void)errlen;
	(*(int *)data)++;
	return 0;
}

static void test_kernel_ctrl(void **state)
{
	char buf[256];
	struct nlmsghdr *req;
	struct nl nl;
	int n = 0, r;

	(void)state;
	if (nl_socket(&nl)) {
		nl_close(&nl);
		skip();
	}
	nl.family = GENL_ID_CTRL;
	req = msg_start(buf, GENL_ID_CTRL,
			NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, 1);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(req))->cmd = CTRL_CMD_GETFAMILY;
	r = nl_request(&nl, req, ctrl_count_cb, &n);
	if (r)
		fail_msg("controller dump: %s", nl.err);
	assert_true(n >= 1);	/* at least nlctrl itself */
	nl_close(&nl);

	r = nl_open(&nl);
	if (r == 0) {	/* the module is loaded here: nothing to check */
		nl_close(&nl);
		return;
	}
	assert_int_equal(r, -ENOENT);
	assert_string_equal(nl.err, "s2svpn: generic netlink family not found: "
			    "is the s2svpn module loaded? (modprobe s2svpn)");
	nl_close(&nl);
}

/* ---- output ----------------------------------------------------------- */

static void test_fmt_bytes(void **state)
{
	static const struct {
		uint64_t v;
		const char *s;
	} cases[] = {
		{ 0, "0 B" }, { 1023, "1023 B" }, { 1024, "1.00 KiB" },
		{ 1536, "1.50 KiB" }, { 1268777, "1.21 MiB" },
		{ 1ULL << 30, "1.00 GiB" }, { 5ULL << 40, "5.00 TiB" },
		{ UINT64_MAX, "16.00 EiB" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		fmt_bytes(cases[i].v, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].s);
	}
}

static void test_fmt_time(void **state)
{
	char buf[32];

	(void)state;
	fmt_ago(0, 1000, buf, sizeof(buf));
	assert_string_equal(buf, "never");
	fmt_ago(997, 1000, buf, sizeof(buf));
	assert_string_equal(buf, "3 s ago");
	fmt_ago(2000, 1000, buf, sizeof(buf));	/* clock stepped back */
	assert_string_equal(buf, "0 s ago");
	fmt_duration(125, buf, sizeof(buf));
	assert_string_equal(buf, "2 min 5 s");
	fmt_duration(3720, buf, sizeof(buf));
	assert_string_equal(buf, "1 h 2 min");
	fmt_duration(2 * 86400 + 3 * 3600 + 5, buf, sizeof(buf));
	assert_string_equal(buf, "2 d 3 h");
}

static char *json_of(const char *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	json_str(f, s);
	fclose(f);
	return out;
}

static void test_json_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "s2svpn0", "\"s2svpn0\"" },
		{ "", "\"\"" },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "l1\nl2\tx\r\b\f", "\"l1\\nl2\\tx\\r\\b\\f\"" },
		{ "\x01\x1f\x7f", "\"\\u0001\\u001f\x7f\"" },
		{ "/", "\"/\"" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92\"" },
		{ "bad\xff", "\"bad\\ufffd\"" },
		{ "\xc0\x80", "\"\\ufffd\\ufffd\"" },		/* overlong NUL */
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },	/* surrogate */
		{ "\xe2\x82", "\"\\ufffd\\ufffd\"" },		/* truncated */
		{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },	/* > U+10FFFF */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *out = json_of(cases[i].in);

		assert_string_equal(out, cases[i].out);
		free(out);
	}
}

static char *show_of(bool json, struct show_dev *devs, size_t n)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	if (json)
		show_json(f, devs, n);
	else
		show_text(f, devs, n, 1003);
	fclose(f);
	return out;
}

/* A device with two tunnels and three SAs, from hand-made replies. */
static void make_show_dev(struct show_dev *d, struct sa_info *sas)
{
	char buf[8192], err[ERRLEN];

	build_dev_reply(reply_start(buf, S2SVPN_CMD_DEV_GET));
	assert_int_equal(msg_parse_dev((struct nlmsghdr *)buf, &d->info, err,
				       sizeof(err)), 0);
	d->info.tunnels[0].last_rx = 1000;
	d->info.tunnels[1].last_rx = 0;		/* never */
	build_sa_reply(reply_start(buf, S2SVPN_CMD_SA_GET), 0, S2SVPN_DIR_IN,
		       0x1001, false);
	assert_int_equal(msg_parse_sa((struct nlmsghdr *)buf, &sas[0], err,
				      sizeof(err)), 0);
	build_sa_reply(reply_start(buf, S2SVPN_CMD_SA_GET), 0, S2SVPN_DIR_IN,
		       0x1002, true);
	assert_int_equal(msg_parse_sa((struct nlmsghdr *)buf, &sas[1], err,
				      sizeof(err)), 0);
	build_sa_reply(reply_start(buf, S2SVPN_CMD_SA_GET), 0, S2SVPN_DIR_OUT,
		       0xc0010001, false);
	assert_int_equal(msg_parse_sa((struct nlmsghdr *)buf, &sas[2], err,
				      sizeof(err)), 0);
	d->sas = sas;
	d->n_sas = 3;
}

static void test_show_text(void **state)
{
	struct show_dev d;
	struct sa_info sas[3];
	char *out;
	const char *out_sa, *cur, *prev;

	(void)state;
	make_show_dev(&d, sas);
	d.info.tunnels[1].stats.v[S2SVPN_A_STATS_DROP_AUTH] = 0;
	d.info.tunnels[1].stats.v[S2SVPN_A_STATS_DROP_OTHER] = 0;
	out = show_of(false, &d, 1);
	for (const char *p = out, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		if (nl - p > 80)
			fail_msg("over 80 columns: %.*s", (int)(nl - p), p);
	}
	assert_contains(out, "interface: s2svpn0\n  active tunnel: 1\n  df: set\n"
			"  mss clamp: 1379\n");
	assert_contains(out, "\ntunnel 0: unusable\n"
			"  endpoint: 192.0.2.10:4500 -> 198.51.100.1:4500\n"
			"  inside peer: 169.254.10.1\n  last receive: 3 s ago\n");
	assert_contains(out, "\ntunnel 1: usable (active)\n");
	assert_contains(out, "  last receive: never\n");
	/* Non-zero drop counters only, wrapped at 80 columns. */
	assert_contains(out, "  drops: replay 5, auth 6, unknown spi 7, trailer 8, "
			"malformed 9, too big 10,\n"
			"         no sa 11, other 12\n");
	assert_contains(out, "    rfc4106(gcm(aes)), icv 16, esn, replay window 1024\n"
			"    age 1 h 2 min, seq 1021, 1 packet, 2 B\n");
	assert_contains(out, "  transfer: 2 B received (1 packet), 4 B sent (3 packets)\n");
	assert_contains(out, "    limits: hard 1.00 GiB\n");
	assert_contains(out, "  drops: replay 105, unknown spi 107, trailer 108, "
			"malformed 109, too big 110,\n         no sa 111\n");
	assert_contains(out, "\nnamespace drops: replay 1005, auth 1006, "
			"unknown spi 1007, trailer 1008,\n"
			"                 malformed 1009,");
	/* Outbound first, then current inbound, then the previous one. */
	out_sa = strstr(out, "sa out 0xc0010001\n");
	cur = strstr(out, "sa in 0x00001002 (current)\n");
	prev = strstr(out, "sa in 0x00001001\n");
	assert_non_null(out_sa);
	assert_non_null(cur);
	assert_non_null(prev);
	assert_true(out_sa < cur && cur < prev);
	free(out);
}

static void test_show_json(void **state)
{
	struct show_dev d;
	struct sa_info sas[3];
	char *out;
	int depth = 0;

	(void)state;
	make_show_dev(&d, sas);
	d.info.ifname[1] = '"';		/* must come out escaped */
	out = show_of(true, &d, 1);
	assert_contains(out, "\"ifname\": \"s\\\"svpn0\"");
	assert_contains(out, "\"active_tunnel\": 1,");
	assert_contains(out, "\"df\": \"set\",");
	assert_contains(out, "\"mss_clamp\": 1379,");
	assert_contains(out, "\"state\": \"usable\",");
	assert_contains(out, "\"inside_peer6\": null,");
	assert_contains(out, "\"last_rx\": 1000,");
	assert_contains(out, "\"spi\": 3221291009,");
	assert_contains(out, "\"spi_hex\": \"0xc0010001\"");
	assert_contains(out, "\"current\": true,");
	assert_contains(out, "\"soft_bytes\": null,");
	assert_contains(out, "\"hard_bytes\": 1073741824,");
	/* All counters, zeros included. */
	assert_contains(out, "\"drop_other\": 12\n");
	assert_contains(out, "\"rx_packets\": 1,");
	assert_contains(out, "\"net_stats\": {");
	for (const char *p = out; *p; p++) {
		if (*p == '"') {	/* skip strings */
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\')
					p++;
			continue;
		}
		depth += (*p == '{' || *p == '[') - (*p == '}' || *p == ']');
		assert_true(depth >= 0);
	}
	assert_int_equal(depth, 0);
	free(out);

	out = show_of(true, NULL, 0);
	assert_string_equal(out, "{\n  \"devices\": [],\n  \"net_stats\": null\n}\n");
	free(out);
}

static void test_event_output(void **state)
{
	struct timespec ts = { .tv_sec = 86400 + 3661, .tv_nsec = 42000000 };
	struct event ev = {
		.kind = EV_SA_EXPIRE, .ifindex = 5, .ifname = "s2svpn0",
		.has_tunnel = true, .tunnel = 1, .has_dir = true,
		.dir = S2SVPN_DIR_OUT, .has_spi = true, .spi = 0xc0010001,
		.has_reason = true, .reason = S2SVPN_EXPIRE_BYTES,
	};
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	f = open_memstream(&out, &len);
	event_print(f, &ev, false, &ts);
	ev.hard = true;
	ev.reason = S2SVPN_EXPIRE_SEQ;
	event_print(f, &ev, true, &ts);
	ev = (struct event){ .kind = EV_TUNNEL_STATE, .ifindex = 9,
			     .has_tunnel = true, .has_state = true,
			     .state = S2SVPN_TUNNEL_UNUSABLE };
	event_print(f, &ev, false, &ts);
	event_print(f, &ev, true, &ts);
	ev.kind = EV_SOCK_DETACH;
	event_print(f, &ev, false, &ts);
	fclose(f);
	assert_string_equal(out,
		"1970-01-02T01:01:01.042+0000 s2svpn0 tunnel 1: sa out 0xc0010001 "
		"soft limit reached (bytes)\n"
		"{\"time\":\"1970-01-02T01:01:01.042+0000\",\"event\":\"sa-expire\","
		"\"ifindex\":5,\"ifname\":\"s2svpn0\",\"tunnel\":1,\"dir\":\"out\","
		"\"spi\":3221291009,\"spi_hex\":\"0xc0010001\",\"limit\":\"hard\","
		"\"reason\":\"seq\"}\n"
		"1970-01-02T01:01:01.042+0000 ifindex 9 tunnel 0: unusable\n"
		"{\"time\":\"1970-01-02T01:01:01.042+0000\",\"event\":\"tunnel-state\","
		"\"ifindex\":9,\"ifname\":null,\"tunnel\":0,\"state\":\"unusable\"}\n"
		"1970-01-02T01:01:01.042+0000 ifindex 9 tunnel 0: socket detached\n");
	free(out);
}

/* The manual fits 80 columns and has the sections it promises. */
static void test_manual(void **state)
{
	static const char *const sections[] = {
		"NAME\n", "SYNOPSIS\n", "DESCRIPTION\n", "COMMANDS\n",
		"OPTIONS\n", "KEY FILE FORMAT\n", "EXAMPLES\n", "EXIT STATUS\n",
	};
	char *out = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	help_manual(f);
	fclose(f);
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		assert_contains(out, sections[i]);
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (strlen(line) > 80)
			fail_msg("over 80 columns: %s", line);
	free(out);

	f = open_memstream(&out, &len);
	assert_int_equal(help_command(f, "sa"), 0);
	assert_int_equal(help_command(f, "tunnel del"), 0);
	assert_int_equal(help_command(f, "frob"), -1);
	fclose(f);
	assert_contains(out, "s2svpnctl sa add DEV");
	assert_contains(out, "s2svpnctl sa del DEV");
	assert_contains(out, "KEY FILE FORMAT");
	free(out);
}

static void test_metrics(void **state)
{
	struct show_dev d[2];
	struct sa_info sas[2][3];
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	const char *p;

	(void)state;
	make_show_dev(&d[0], sas[0]);
	make_show_dev(&d[1], sas[1]);
	snprintf(d[1].info.ifname, sizeof(d[1].info.ifname), "s2svpn1");
	/* Each daemon sends the same families: they must come out grouped. */
	d[0].daemon = strdup("# HELP s2svpn_failovers_total switches\n"
			     "# TYPE s2svpn_failovers_total counter\n"
			     "s2svpn_failovers_total{device=\"s2svpn0\"} 2\n"
			     "# HELP s2svpn_active_tunnel the tunnel\n"
			     "# TYPE s2svpn_active_tunnel gauge\n"
			     "s2svpn_active_tunnel{device=\"s2svpn0\"} 1\n");
	d[1].daemon = strdup("# HELP s2svpn_failovers_total switches\n"
			     "# TYPE s2svpn_failovers_total counter\n"
			     "s2svpn_failovers_total{device=\"s2svpn1\"} 5\n"
			     "# HELP s2svpn_active_tunnel the tunnel\n"
			     "# TYPE s2svpn_active_tunnel gauge\n"
			     "s2svpn_active_tunnel{device=\"s2svpn1\"} 2\n");
	f = open_memstream(&out, &len);
	assert_non_null(f);
	metrics_print(f, d, 2);
	fclose(f);
	assert_contains(out, "# TYPE s2svpn_tunnel_state gauge\n"
			"s2svpn_tunnel_state{device=\"s2svpn0\",tunnel=\"1\","
			"outside_ip=\"198.51.100.1\"} 0\n");
	assert_contains(out, "s2svpn_tunnel_state{device=\"s2svpn0\",tunnel=\"2\",");
	assert_contains(out, "s2svpn_tunnel_active{device=\"s2svpn1\",tunnel=\"2\",");
	assert_contains(out, "# HELP s2svpn_tunnel_data_in_bytes_total CloudWatch TunnelDataIn");
	assert_contains(out, "s2svpn_tunnel_data_out_bytes_total{device=\"s2svpn0\",tunnel=\"1\",");
	assert_contains(out, ",reason=\"replay\"} 5\n");
	assert_contains(out, ",reason=\"no_sa\"} 111\n");
	assert_contains(out, "# TYPE s2svpn_failovers_total counter\n"
			"s2svpn_failovers_total{device=\"s2svpn0\"} 2\n"
			"s2svpn_failovers_total{device=\"s2svpn1\"} 5\n"
			"# HELP s2svpn_active_tunnel the tunnel\n"
			"# TYPE s2svpn_active_tunnel gauge\n"
			"s2svpn_active_tunnel{device=\"s2svpn0\"} 1\n"
			"s2svpn_active_tunnel{device=\"s2svpn1\"} 2\n");
	/* Each family's HELP once. */
	p = strstr(out, "# HELP s2svpn_failovers_total");
	assert_null(strstr(p + 1, "# HELP s2svpn_failovers_total"));
	free(out);
	for (int i = 0; i < 2; i++) {
		free(d[i].daemon);
		d[i].daemon = NULL;
	}
}

static void test_show_with_daemon(void **state)
{
	struct show_dev d;
	struct sa_info sas[3];
	char *out;

	(void)state;
	make_show_dev(&d, sas);
	d.daemon = strdup("active tunnel: 2 (failover: tunnel 1 down (peer dead (DPD)))\n"
			  "failovers: 1, failbacks: 0\n");
	out = show_of(false, &d, 1);
	assert_contains(out, "  s2svpn-iked (tunnels numbered 1 and 2, as AWS does):\n"
			"    active tunnel: 2 (failover: tunnel 1 down "
			"(peer dead (DPD)))\n    failovers: 1, failbacks: 0\n");
	free(out);
	free(d.daemon);
	d.daemon = strdup("{\"connection\":\"c\",\"tunnels\":[]}\n");
	out = show_of(true, &d, 1);
	assert_contains(out, "\"daemon\": {\"connection\":\"c\",\"tunnels\":[]}\n");
	free(out);
	free(d.daemon);
	d.daemon = NULL;
	out = show_of(true, &d, 1);
	assert_contains(out, "\"daemon\": null");
	free(out);
}

/* A one-shot control socket server in a child process. */
static pid_t serve_once(const char *path, const char *reply, int delay_ms)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	pid_t pid;

	assert_true(fd >= 0);
	strcpy(sun.sun_path, path);
	unlink(path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd, 1), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char line[64] = "";
		int c = accept(fd, NULL, NULL);
		ssize_t n = read(c, line, sizeof(line) - 1);

		usleep((useconds_t)delay_ms * 1000);
		if (n > 0 && write(c, reply, strlen(reply)) < 0)
			_exit(2);
		if (n > 0 && strcmp(line, "status\n"))
			_exit(3);
		_exit(0);
	}
	close(fd);
	return pid;
}

static void test_iked_ask(void **state)
{
	char path[64], err[ERRLEN], *answer;
	int status;
	pid_t pid;

	(void)state;
	iked_socket_path("s2svpn3", NULL, path, sizeof(path));
	assert_string_equal(path, "/run/s2svpn/s2svpn3.sock");
	iked_socket_path("s2svpn3", "/tmp/x.sock", path, sizeof(path));
	assert_string_equal(path, "/tmp/x.sock");

	snprintf(path, sizeof(path), "/tmp/s2svpnctl-test-%d.sock", (int)getpid());
	pid = serve_once(path, "connection c on s2svpn0\n", 0);
	assert_int_equal(iked_ask(path, "status", &answer, err, sizeof(err)), 0);
	assert_string_equal(answer, "connection c on s2svpn0\n");
	free(answer);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);

	/* The daemon's refusal is an error with its message. */
	pid = serve_once(path, "error: unknown command \"x\"\n", 0);
	assert_int_equal(iked_ask(path, "x", &answer, err, sizeof(err)), -1);
	assert_null(answer);
	assert_string_equal(err, "s2svpn-iked: unknown command \"x\"");
	waitpid(pid, &status, 0);
	unlink(path);

	/* Nobody listening. */
	assert_int_equal(iked_ask(path, "status", &answer, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file or directory (is s2svpn-iked running?)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* parse.c */
		cmocka_unit_test(test_spi),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_tunnel_set_args),
		cmocka_unit_test(test_tunnel_del_args),
		cmocka_unit_test(test_dev_set_args),
		cmocka_unit_test(test_sa_add_args),
		cmocka_unit_test(test_sa_del_args),
		cmocka_unit_test(test_keys_good),
		cmocka_unit_test(test_keys_bad),
		cmocka_unit_test(test_keys_no_leak),
		cmocka_unit_test(test_keys_nul_byte),
		cmocka_unit_test(test_keyfile_modes),
		cmocka_unit_test(test_keyfile_line_numbers),
		cmocka_unit_test(test_keyfile_too_big),
		cmocka_unit_test(test_keyfile_stdin),
		/* msg.c */
		cmocka_unit_test(test_msg_sa_new),
		cmocka_unit_test(test_msg_tunnel_set),
		cmocka_unit_test(test_msg_tunnel_set_sock_fd),
		cmocka_unit_test(test_msg_small_requests),
		cmocka_unit_test(test_parse_dev),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_sa),
		cmocka_unit_test(test_parse_events),
		cmocka_unit_test(test_attr_path),
		/* nl.c */
		cmocka_unit_test_setup_teardown(test_dump_multipart,
						loop_setup, loop_teardown),
		cmocka_unit_test_setup_teardown(test_dump_error_in_done,
						loop_setup, loop_teardown),
		cmocka_unit_test_setup_teardown(test_dump_bad_message,
						loop_setup, loop_teardown),
		cmocka_unit_test_setup_teardown(test_error_extack,
						loop_setup, loop_teardown),
		cmocka_unit_test(test_kernel_ctrl),
		/* output.c, help.c */
		cmocka_unit_test(test_fmt_bytes),
		cmocka_unit_test(test_fmt_time),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_show_text),
		cmocka_unit_test(test_show_json),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_show_with_daemon),
		cmocka_unit_test(test_iked_ask),
		cmocka_unit_test(test_event_output),
		cmocka_unit_test(test_manual),
	};

	/* The exit status is the number of failed tests. */
	return cmocka_run_group_tests_name("s2svpnctl", tests, group_setup,
					   group_teardown);
}

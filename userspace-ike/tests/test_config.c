// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the connection file parser (config.c): good files with
 * every value checked, defaults, both naming styles, inside addresses,
 * proposals; then one test per error rule, each asserting the exact
 * "FILE:LINE:" and the heart of the message; PSK files and modes; and a
 * mutation loop that must neither crash nor leak (ASan, LSan, UBSan).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#include "config.h"
#include "ike.h"

#define PSK1	"Tunnel1.Secret_Key"
#define PSK2	"Tunnel2.Other_Key9"
#define PSK_64	"a123456789012345678901234567890123456789012345678901234567890123"

static struct ike_config_errors errs;
static struct ike_config *cfg;
static char tmpdir[] = "/tmp/test_config.XXXXXX";

static int group_setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	char cmd[64];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	ike_config_free(cfg);
	cfg = NULL;
	ike_config_errors_free(&errs);
	return 0;
}

static void dump_errors(void)
{
	ike_config_errors_print(&errs, stderr);
}

/* Parse TEXT as "t.conf" from an exact heap copy (ASan sees overruns). */
static int load(const char *text)
{
	char *heap = strdup(text);
	int r;

	assert_non_null(heap);
	ike_config_free(cfg);
	cfg = NULL;
	ike_config_errors_free(&errs);
	r = ike_config_load_string("t.conf", heap, &cfg, &errs);
	free(heap);
	return r;
}

static void load_ok(const char *text)
{
	if (load(text)) {
		dump_errors();
		fail_msg("load failed");
	}
	assert_non_null(cfg);
	assert_int_equal(errs.n, 0);
}

static bool has_error(const char *prefix, const char *part)
{
	for (size_t i = 0; i < errs.n; i++) {
		if (!strncmp(errs.v[i].msg, prefix, strlen(prefix)) && strstr(errs.v[i].msg, part))
			return true;
	}
	return false;
}

#define assert_has_error(prefix, part) do {					\
	if (!has_error(prefix, part)) {						\
		dump_errors();							\
		fail_msg("no error \"%s ...%s...\"", prefix, part);		\
	}									\
} while (0)

/* TEXT fails with exactly one error: at PREFIX ("t.conf:7:"), saying PART. */
static void expect_error(const char *text, const char *prefix, const char *part)
{
	int r = load(text);

	assert_int_equal(r, -1);
	assert_null(cfg);
	if (errs.n != 1) {
		dump_errors();
		fail_msg("%zu errors, expected 1", errs.n);
	}
	assert_has_error(prefix, part);
}

/*
 * Small files. HEAD is lines 1-4; a key appended to MINI is line 7 and
 * belongs to [tunnel1]; MINI_CONN(line) has LINE as line 2, in [connection].
 */
#define HEAD			"[connection]\n"			/* 1 */ \
				"local_address = 203.0.113.10\n"	/* 2 */ \
				"[tunnel1]\n"				/* 3 */ \
				"outside_address = 198.51.100.1\n"	/* 4 */
#define HEAD_PSK		HEAD "psk = " PSK1 "\n"		/* 5 */
#define HEAD_CIDR		HEAD "inside_cidr = 169.254.10.0/30\n"	/* 5 */
#define MINI			HEAD_PSK "inside_cidr = 169.254.10.0/30\n" /* 6 */
#define TUNNEL1			"[tunnel1]\n"				\
				"outside_address = 198.51.100.1\n"	\
				"psk = " PSK1 "\n"			\
				"inside_cidr = 169.254.10.0/30\n"
#define MINI_CONN(line)		"[connection]\n" line "\n"		\
				"local_address = 203.0.113.10\n" TUNNEL1

static const char good[] =
	"; A connection to AWS, every key set\n"			/* 1 */
	"[connection]\n"						/* 2 */
	"name = vpn-0a1b2c3d\n"						/* 3 */
	"device = s2svpn3\n"						/* 4 */
	"local_address = 203.0.113.10\n"				/* 5 */
	"local_id = cgw.example.com\n"					/* 6 */
	"startup_action = add\n"					/* 7 */
	"ike_version = ikev2\n"						/* 8 */
	"phase1_encryption = AES128, AES256-GCM-16 AES256\n"		/* 9 */
	"phase1_integrity = SHA2-384, SHA2-256\n"			/* 10 */
	"phase1_dh_groups = 20, 19 14\n"				/* 11 */
	"phase1_lifetime = 14400\n"					/* 12 */
	"phase2_encryption = AES128-GCM-16\n"				/* 13 */
	"phase2_integrity = SHA1, SHA2-512\n"				/* 14 */
	"phase2_dh_groups = 21\n"					/* 15 */
	"phase2_lifetime = 1800\n"					/* 16 */
	"rekey_margin = 300\n"						/* 17 */
	"rekey_fuzz = 50\n"						/* 18 */
	"replay_window = 2048\n"					/* 19 */
	"dpd_timeout = 30\n"						/* 20 */
	"dpd_interval = 5\n"						/* 21 */
	"dpd_action = restart\n"					/* 22 */
	"allow_weak = no\n"						/* 23 */
	"mtu = 1400\n"							/* 24 */
	"mss_clamp = 1360\n"						/* 25 */
	"\n"								/* 26 */
	"[tunnel1]\n"							/* 27 */
	"outside_address = 198.51.100.1   ; AWS endpoint 1\n"		/* 28 */
	"psk = " PSK1 "\n"						/* 29 */
	"inside_cidr = 169.254.10.0/30\n"				/* 30 */
	"inside_cidr6 = fd00:10::/126\n"				/* 31 */
	"\n"								/* 32 */
	"[tunnel2]\n"							/* 33 */
	"  outside_address = 198.51.100.2\n"				/* 34 */
	"  psk = " PSK2 "\n"						/* 35 */
	"  inside_cidr = 169.254.20.4/30\n"				/* 36 */
	"  inside_role = aws\n"						/* 37 */
	"  remote_id = keyid:aws-2\n"					/* 38 */
	"  phase2_lifetime = 900   # shorter here\n"			/* 39 */
	"  dpd_action = none\n"						/* 40 */
	"  startup_action = start\n"					/* 41 */
	"  phase1_dh_groups = x25519\n";				/* 42 */

static void assert_addr(const struct ike_config_addr *a, const char *text)
{
	char buf[INET6_ADDRSTRLEN];

	assert_true(a->family == AF_INET || a->family == AF_INET6);
	assert_non_null(inet_ntop(a->family, a->family == AF_INET ? (const void *)&a->v4 :
				  (const void *)&a->v6, buf, sizeof(buf)));
	assert_string_equal(buf, text);
}

static void assert_transform(const struct ike_config_transform *t, uint16_t id, uint16_t bits)
{
	assert_int_equal(t->id, id);
	assert_int_equal(t->key_bits, bits);
}

static void assert_ids(const struct ike_config_list *l, unsigned int n, ...)
{
	va_list ap;

	assert_int_equal(l->n, n);
	va_start(ap, n);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(l->t[i].id, va_arg(ap, int));
	va_end(ap);
}

static void assert_id(const struct ike_config_id *id, uint8_t type, const void *data, size_t len)
{
	assert_int_equal(id->type, type);
	assert_int_equal(id->len, len);
	assert_memory_equal(id->data, data, len);
}

static void test_good_file(void **state)
{
	const struct ike_config_tunnel *t1, *t2;
	const uint8_t out1[] = { 198, 51, 100, 1 };

	(void)state;
	load_ok(good);
	assert_string_equal(cfg->name, "vpn-0a1b2c3d");
	assert_string_equal(cfg->device, "s2svpn3");
	assert_addr(&cfg->local_address, "203.0.113.10");
	assert_id(&cfg->local_id, IKE_ID_FQDN, "cgw.example.com", 15);
	assert_false(cfg->allow_weak);
	assert_int_equal(cfg->mtu, 1400);
	assert_int_equal(cfg->mss_clamp, 1360);

	t1 = &cfg->tunnel[0];
	assert_true(t1->present);
	assert_int_equal(t1->index, 1);
	assert_addr(&t1->outside, "198.51.100.1");
	assert_id(&t1->remote_id, IKE_ID_IPV4_ADDR, out1, 4);
	assert_int_equal(t1->psk.len, strlen(PSK1));
	assert_string_equal(t1->psk.key, PSK1);
	assert_int_equal(t1->inside_role, IKE_CONFIG_ROLE_CUSTOMER);
	assert_true(t1->inside4.set);
	assert_int_equal(t1->inside4.prefix_len, 30);
	assert_addr(&t1->inside4.net, "169.254.10.0");
	assert_addr(&t1->inside4.local, "169.254.10.2");
	assert_addr(&t1->inside4.peer, "169.254.10.1");
	assert_true(t1->inside6.set);
	assert_int_equal(t1->inside6.prefix_len, 126);
	assert_addr(&t1->inside6.local, "fd00:10::2");
	assert_addr(&t1->inside6.peer, "fd00:10::1");
	/* Tunnel options from [connection]. */
	assert_int_equal(t1->startup_action, IKE_CONFIG_ADD);
	assert_int_equal(t1->phase1.encr.n, 3);
	assert_transform(&t1->phase1.encr.t[0], IKE_ENCR_AES_CBC, 128);
	assert_transform(&t1->phase1.encr.t[1], IKE_ENCR_AES_GCM_16, 256);
	assert_transform(&t1->phase1.encr.t[2], IKE_ENCR_AES_CBC, 256);
	assert_ids(&t1->phase1.integ, 2, IKE_INTEG_HMAC_SHA2_384_192, IKE_INTEG_HMAC_SHA2_256_128);
	assert_ids(&t1->phase1.dh, 3, IKE_DH_ECP_384, IKE_DH_ECP_256, IKE_DH_MODP_2048);
	assert_int_equal(t1->phase1.lifetime, 14400);
	assert_int_equal(t1->phase2.encr.n, 1);
	assert_transform(&t1->phase2.encr.t[0], IKE_ENCR_AES_GCM_16, 128);
	assert_ids(&t1->phase2.integ, 2, IKE_INTEG_HMAC_SHA1_96, IKE_INTEG_HMAC_SHA2_512_256);
	assert_ids(&t1->phase2.dh, 1, IKE_DH_ECP_521);
	assert_int_equal(t1->phase2.lifetime, 1800);
	assert_int_equal(t1->rekey_margin, 300);
	assert_int_equal(t1->rekey_fuzz, 50);
	assert_int_equal(t1->replay_window, 2048);
	assert_int_equal(t1->dpd_timeout, 30);
	assert_int_equal(t1->dpd_interval, 5);
	assert_int_equal(t1->dpd_action, IKE_CONFIG_DPD_RESTART);

	t2 = &cfg->tunnel[1];
	assert_true(t2->present);
	assert_int_equal(t2->index, 2);
	assert_addr(&t2->outside, "198.51.100.2");
	assert_id(&t2->remote_id, IKE_ID_KEY_ID, "aws-2", 5);
	assert_string_equal(t2->psk.key, PSK2);
	assert_int_equal(t2->inside_role, IKE_CONFIG_ROLE_AWS);
	assert_addr(&t2->inside4.local, "169.254.20.5");
	assert_addr(&t2->inside4.peer, "169.254.20.6");
	assert_false(t2->inside6.set);
	/* Overrides... */
	assert_int_equal(t2->phase2.lifetime, 900);
	assert_int_equal(t2->dpd_action, IKE_CONFIG_DPD_NONE);
	assert_int_equal(t2->startup_action, IKE_CONFIG_START);
	assert_ids(&t2->phase1.dh, 1, IKE_DH_CURVE25519);
	/* ...and the rest inherited. */
	assert_int_equal(t2->phase1.lifetime, 14400);
	assert_int_equal(t2->phase1.encr.n, 3);
	assert_ids(&t2->phase2.dh, 1, IKE_DH_ECP_521);
	assert_int_equal(t2->rekey_margin, 300);
	assert_int_equal(t2->replay_window, 2048);
	assert_int_equal(t2->dpd_timeout, 30);
}

static void test_defaults(void **state)
{
	const struct ike_config_tunnel *t;
	const uint8_t local[] = { 203, 0, 113, 10 };

	(void)state;
	load_ok(MINI);
	assert_string_equal(cfg->name, "t");
	assert_string_equal(cfg->device, "s2svpn0");
	assert_id(&cfg->local_id, IKE_ID_IPV4_ADDR, local, 4);
	assert_false(cfg->allow_weak);
	assert_int_equal(cfg->mtu, 1436);
	assert_int_equal(cfg->mss_clamp, 1379);
	assert_false(cfg->tunnel[1].present);

	t = &cfg->tunnel[0];
	assert_int_equal(t->startup_action, IKE_CONFIG_START);
	assert_int_equal(t->inside_role, IKE_CONFIG_ROLE_CUSTOMER);
	assert_int_equal(t->phase1.lifetime, 28800);
	assert_int_equal(t->phase2.lifetime, 3600);
	assert_int_equal(t->phase2.lifetime_bytes, 0);
	assert_int_equal(t->phase2.lifetime_packets, 0);
	assert_int_equal(t->rekey_margin, 270);
	assert_int_equal(t->rekey_fuzz, 100);
	assert_int_equal(t->replay_window, 1024);
	assert_int_equal(t->dpd_timeout, 40);
	assert_int_equal(t->dpd_interval, 10);
	assert_int_equal(t->dpd_action, IKE_CONFIG_DPD_CLEAR);
	for (int p = 0; p < 2; p++) {
		const struct ike_config_phase *ph = p ? &t->phase2 : &t->phase1;

		assert_int_equal(ph->encr.n, 4);
		assert_transform(&ph->encr.t[0], IKE_ENCR_AES_CBC, 128);
		assert_transform(&ph->encr.t[1], IKE_ENCR_AES_CBC, 256);
		assert_transform(&ph->encr.t[2], IKE_ENCR_AES_GCM_16, 128);
		assert_transform(&ph->encr.t[3], IKE_ENCR_AES_GCM_16, 256);
		assert_ids(&ph->integ, 3, IKE_INTEG_HMAC_SHA2_256_128,
			   IKE_INTEG_HMAC_SHA2_384_192, IKE_INTEG_HMAC_SHA2_512_256);
		assert_ids(&ph->dh, 8, 14, 15, 16, 17, 18, 19, 20, 21);
		assert_int_equal(ph->n_proposals, 2);
	}
}

static void test_aws_names(void **state)
{
	const struct ike_config_tunnel *t;

	(void)state;
	load_ok(MINI_CONN("allow_weak = yes")
		"phase1_encryption = AES128,AES256,AES128-GCM-16,AES256-GCM-16\n"
		"phase1_integrity = SHA1,SHA2-256,SHA2-384,SHA2-512\n"
		"phase1_dh_groups = 2,14,15,16,17,18,19,20,21,22,23,24\n"
		"phase2_dh_groups = 2, 5, 14, 24\n");
	assert_true(cfg->allow_weak);
	t = &cfg->tunnel[0];
	assert_int_equal(t->phase1.encr.n, 4);
	assert_transform(&t->phase1.encr.t[0], IKE_ENCR_AES_CBC, 128);
	assert_transform(&t->phase1.encr.t[1], IKE_ENCR_AES_CBC, 256);
	assert_transform(&t->phase1.encr.t[2], IKE_ENCR_AES_GCM_16, 128);
	assert_transform(&t->phase1.encr.t[3], IKE_ENCR_AES_GCM_16, 256);
	assert_ids(&t->phase1.integ, 4, IKE_INTEG_HMAC_SHA1_96, IKE_INTEG_HMAC_SHA2_256_128,
		   IKE_INTEG_HMAC_SHA2_384_192, IKE_INTEG_HMAC_SHA2_512_256);
	assert_ids(&t->phase1.dh, 12, 2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24);
	assert_ids(&t->phase2.dh, 4, 2, 5, 14, 24);
}

static void test_strongswan_names(void **state)
{
	const struct ike_config_tunnel *t;

	(void)state;
	load_ok(MINI
		"phase1_encryption = aes256gcm16 aes128gcm128,AES256\n"
		"phase1_integrity = sha512, sha2_384\n"
		"phase1_dh_groups = curve25519 ecp521, ecp384 ecp256 modp8192 modp6144 modp4096 "
		"modp3072 modp2048\n"
		"phase2_encryption = chacha20poly1305, aes128, Aes128Gcm16\n"
		"phase2_integrity = SHA256 sha\n"
		"phase2_dh_groups = none\n");
	t = &cfg->tunnel[0];
	assert_int_equal(t->phase1.encr.n, 3);
	assert_transform(&t->phase1.encr.t[0], IKE_ENCR_AES_GCM_16, 256);
	assert_transform(&t->phase1.encr.t[1], IKE_ENCR_AES_GCM_16, 128);
	assert_transform(&t->phase1.encr.t[2], IKE_ENCR_AES_CBC, 256);
	assert_ids(&t->phase1.integ, 2, IKE_INTEG_HMAC_SHA2_512_256, IKE_INTEG_HMAC_SHA2_384_192);
	assert_ids(&t->phase1.dh, 9, 31, 21, 20, 19, 18, 17, 16, 15, 14);
	assert_int_equal(t->phase2.encr.n, 3);
	assert_transform(&t->phase2.encr.t[0], IKE_ENCR_CHACHA20_POLY1305, 0);
	assert_transform(&t->phase2.encr.t[1], IKE_ENCR_AES_CBC, 128);
	assert_transform(&t->phase2.encr.t[2], IKE_ENCR_AES_GCM_16, 128);
	/* SHA1 is no PRF in phase 2: not weak there. */
	assert_ids(&t->phase2.integ, 2, IKE_INTEG_HMAC_SHA2_256_128, IKE_INTEG_HMAC_SHA1_96);
	assert_int_equal(t->phase2.dh.n, 0);

	/* The other aliases of weak groups, numbers, x25519. */
	load_ok(MINI_CONN("allow_weak = on")
		"phase1_dh_groups = MODP1024 modp1536 modp1024s160 modp2048s224 modp2048s256 "
		"x25519 19\n"
		"phase2_dh_groups = 5\n");
	assert_ids(&cfg->tunnel[0].phase1.dh, 7, 2, 5, 22, 23, 24, 31, 19);
}

static void test_inside_addresses(void **state)
{
	const struct ike_config_tunnel *t;

	(void)state;
	load_ok(HEAD_PSK
		"inside_cidr = 169.254.255.252/30\n"
		"inside_cidr6 = fd00:1:2:3::fffc/126\n");
	t = &cfg->tunnel[0];
	assert_int_equal(t->inside_role, IKE_CONFIG_ROLE_CUSTOMER);
	assert_addr(&t->inside4.net, "169.254.255.252");
	assert_addr(&t->inside4.local, "169.254.255.254");
	assert_addr(&t->inside4.peer, "169.254.255.253");
	assert_addr(&t->inside6.net, "fd00:1:2:3::fffc");
	assert_addr(&t->inside6.local, "fd00:1:2:3::fffe");
	assert_addr(&t->inside6.peer, "fd00:1:2:3::fffd");

	load_ok(HEAD_PSK
		"inside_role = aws\n"
		"inside_cidr6 = fd00::/126\n"
		"inside_cidr = 169.254.0.0/30\n");
	t = &cfg->tunnel[0];
	assert_addr(&t->inside4.local, "169.254.0.1");
	assert_addr(&t->inside4.peer, "169.254.0.2");
	assert_addr(&t->inside6.local, "fd00::1");
	assert_addr(&t->inside6.peer, "fd00::2");

	/* An IPv6 inside network alone is enough. */
	load_ok(HEAD_PSK "inside_cidr6 = fd00:10::4/126\n");
	t = &cfg->tunnel[0];
	assert_false(t->inside4.set);
	assert_addr(&t->inside6.local, "fd00:10::6");
	assert_addr(&t->inside6.peer, "fd00:10::5");
}

static void test_proposals(void **state)
{
	const struct ike_config_phase *ph;
	const struct ike_config_proposal *p;

	(void)state;
	/* Mixed, AEAD first: the AEAD proposal first, without integrity. */
	load_ok(MINI
		"phase1_encryption = AES128-GCM-16, AES128, AES256-GCM-16, AES256\n"
		"phase1_integrity = SHA2-256, SHA2-512\n"
		"phase1_dh_groups = 19, 14\n"
		"phase2_encryption = AES256, chacha20poly1305\n"
		"phase2_integrity = SHA2-384\n"
		"phase2_dh_groups = 20\n");
	ph = &cfg->tunnel[0].phase1;
	assert_int_equal(ph->n_proposals, 2);
	p = &ph->proposals[0];
	assert_int_equal(p->encr.n, 2);
	assert_transform(&p->encr.t[0], IKE_ENCR_AES_GCM_16, 128);
	assert_transform(&p->encr.t[1], IKE_ENCR_AES_GCM_16, 256);
	assert_int_equal(p->integ.n, 0);
	assert_ids(&p->prf, 2, IKE_PRF_HMAC_SHA2_256, IKE_PRF_HMAC_SHA2_512);
	assert_ids(&p->dh, 2, 19, 14);
	p = &ph->proposals[1];
	assert_int_equal(p->encr.n, 2);
	assert_transform(&p->encr.t[0], IKE_ENCR_AES_CBC, 128);
	assert_transform(&p->encr.t[1], IKE_ENCR_AES_CBC, 256);
	assert_ids(&p->integ, 2, IKE_INTEG_HMAC_SHA2_256_128, IKE_INTEG_HMAC_SHA2_512_256);
	assert_ids(&p->prf, 2, IKE_PRF_HMAC_SHA2_256, IKE_PRF_HMAC_SHA2_512);
	assert_ids(&p->dh, 2, 19, 14);

	/* Phase 2: CBC first; no PRF in ESP proposals. */
	ph = &cfg->tunnel[0].phase2;
	assert_int_equal(ph->n_proposals, 2);
	p = &ph->proposals[0];
	assert_int_equal(p->encr.n, 1);
	assert_transform(&p->encr.t[0], IKE_ENCR_AES_CBC, 256);
	assert_ids(&p->integ, 1, IKE_INTEG_HMAC_SHA2_384_192);
	assert_int_equal(p->prf.n, 0);
	assert_ids(&p->dh, 1, 20);
	p = &ph->proposals[1];
	assert_int_equal(p->encr.n, 1);
	assert_transform(&p->encr.t[0], IKE_ENCR_CHACHA20_POLY1305, 0);
	assert_int_equal(p->integ.n, 0);
	assert_int_equal(p->prf.n, 0);
	assert_ids(&p->dh, 1, 20);

	/* One kind of cipher, one proposal; no PFS. */
	load_ok(MINI_CONN("allow_weak = yes")
		"phase1_encryption = AES256-GCM-16\n"
		"phase1_integrity = SHA1\n"
		"phase2_encryption = AES128\n"
		"phase2_dh_groups = none\n");
	ph = &cfg->tunnel[0].phase1;
	assert_int_equal(ph->n_proposals, 1);
	assert_int_equal(ph->proposals[0].integ.n, 0);
	assert_ids(&ph->proposals[0].prf, 1, IKE_PRF_HMAC_SHA1);
	ph = &cfg->tunnel[0].phase2;
	assert_int_equal(ph->n_proposals, 1);
	assert_int_equal(ph->proposals[0].integ.n, 3);
	assert_int_equal(ph->proposals[0].dh.n, 0);
}

static void test_identities(void **state)
{
	static const struct {
		const char *text;
		uint8_t type;
		const char *data;
		size_t len;
	} cases[] = {
		{ "vpn.example.com", IKE_ID_FQDN, "vpn.example.com", 15 },
		{ "fqdn:Example.NET", IKE_ID_FQDN, "Example.NET", 11 },
		{ "@cgw", IKE_ID_FQDN, "cgw", 3 },
		{ "ops@example.com", IKE_ID_RFC822_ADDR, "ops@example.com", 15 },
		{ "email:a@b", IKE_ID_RFC822_ADDR, "a@b", 3 },
		{ "keyid:any text:here", IKE_ID_KEY_ID, "any text:here", 13 },
		{ "keyid:#00ff10", IKE_ID_KEY_ID, "\x00\xff\x10", 3 },
		{ "192.0.2.7", IKE_ID_IPV4_ADDR, "\xc0\x00\x02\x07", 4 },
		{ "2001:db8::1", IKE_ID_IPV6_ADDR,
		  "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16 },
	};
	char text[512];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(text, sizeof(text),
			 "[connection]\nlocal_address = 203.0.113.10\nlocal_id = %s\n"
			 TUNNEL1 "remote_id = %s\n", cases[i].text, cases[i].text);
		load_ok(text);
		assert_id(&cfg->local_id, cases[i].type, cases[i].data, cases[i].len);
		assert_id(&cfg->tunnel[0].remote_id, cases[i].type, cases[i].data, cases[i].len);
	}
	/* IPv6 outside addresses, and their default identities. */
	load_ok("[connection]\nlocal_address = 2001:db8::10\n"
		"[tunnel2]\noutside_address = 2001:db8:1::1\npsk = " PSK2 "\n"
		"inside_cidr = 169.254.10.0/30\n");
	assert_false(cfg->tunnel[0].present);
	assert_true(cfg->tunnel[1].present);
	assert_int_equal(cfg->local_id.type, IKE_ID_IPV6_ADDR);
	assert_int_equal(cfg->tunnel[1].remote_id.type, IKE_ID_IPV6_ADDR);
	assert_addr(&cfg->tunnel[1].outside, "2001:db8:1::1");
}

/* CRLF, a BOM, indentation, comments of both kinds, "key: value". */
static void test_syntax_variants(void **state)
{
	(void)state;
	load_ok("\xef\xbb\xbf; comment\r\n"
		"# another\r\n"
		"\r\n"
		"  [ connection ]  ; trailing comment\r\n"
		"\tlocal_address: 203.0.113.10\t# inline\r\n"
		"name=x;y\r\n"
		"[tunnel1]\n"
		"outside_address   =   198.51.100.1\n"
		"psk = " PSK1 " ; comment\n"
		"inside_cidr = 169.254.10.0/30");
	assert_string_equal(cfg->name, "x;y");
	assert_string_equal(cfg->tunnel[0].psk.key, PSK1);
	assert_addr(&cfg->local_address, "203.0.113.10");
}

/* Error rules, one each ------------------------------------------------ */

static void test_err_sections(void **state)
{
	(void)state;
	/* Keys of an unknown section are not reported one by one. */
	expect_error(MINI "[tunnel3]\nfoo = 1\npsk = x\n", "t.conf:7:",
		     "unknown section [tunnel3]; valid: [connection], [tunnel1], [tunnel2]");
	expect_error(MINI "[tunnel2\n", "t.conf:7:", "malformed section header");
	expect_error("[\n" MINI, "t.conf:1:", "malformed section header");
	expect_error(MINI "[]\npsk = x\n", "t.conf:7:", "malformed section header");
	expect_error(MINI "[tunnel1]\n", "t.conf:7:",
		     "section [tunnel1] appears twice (first at line 3)");
	expect_error("mtu = 1400\n" MINI, "t.conf:1:", "key mtu is outside any section");
}

static void test_err_keys(void **state)
{
	(void)state;
	expect_error(MINI "phase1_lifetme = 100\n", "t.conf:7:",
		     "unknown key \"phase1_lifetme\" in [tunnel1]");
	expect_error(MINI_CONN("outside_address = 198.51.100.9"), "t.conf:2:",
		     "outside_address belongs in [tunnel1] or [tunnel2], not [connection]");
	expect_error(MINI "mtu = 1400\n", "t.conf:7:",
		     "mtu belongs in [connection], not [tunnel1]");
	expect_error(MINI "inside_cidr = 169.254.10.0/30\n", "t.conf:7:",
		     "inside_cidr is set twice in [tunnel1] (first at line 6)");
	expect_error(MINI "remote_id =\n", "t.conf:7:", "remote_id: empty value");
}

static void test_err_syntax(void **state)
{
	char text[512];

	(void)state;
	expect_error(MINI "replay_window 64\n", "t.conf:7:",
		     "expected \"key = value\", a [section] or a comment");
	expect_error(MINI " = 64\n", "t.conf:7:", "missing key name before '='");
	expect_error(MINI "replay window = 64\n", "t.conf:7:", "malformed key name");
	expect_error(MINI "replay_window = 6\x01" "4\n", "t.conf:7:",
		     "control character (byte 0x01)");
	snprintf(text, sizeof(text), MINI "remote_id = %0200d\n", 7);
	expect_error(text, "t.conf:7:", "line too long (at most 197 characters");
}

static void test_err_missing(void **state)
{
	(void)state;
	expect_error("[connection]\nlocal_address = 203.0.113.10\n", "t.conf:2:",
		     "no tunnel: add a [tunnel1] section");
	expect_error(TUNNEL1, "t.conf:4:", "no [connection] section");
	expect_error("[connection]\ndevice = s2svpn1\n" TUNNEL1, "t.conf:1:",
		     "[connection] has no local_address");
	expect_error(HEAD_CIDR, "t.conf:3:", "[tunnel1] has no psk or psk_file");
	expect_error(HEAD_PSK, "t.conf:3:",
		     "[tunnel1] has no inside_cidr (an IPv4 /30) or inside_cidr6 (an IPv6 /126)");
	expect_error("[connection]\nlocal_address = 203.0.113.10\n[tunnel2]\n"
		     "psk = " PSK1 "\ninside_cidr = 169.254.10.0/30\n", "t.conf:3:",
		     "[tunnel2] has no outside_address");
	/* An empty file lacks both. */
	assert_int_equal(load(""), -1);
	assert_int_equal(errs.n, 2);
	assert_has_error("t.conf:1:", "no [connection] section");
	assert_has_error("t.conf:1:", "no tunnel");
}

static void test_err_psk(void **state)
{
	(void)state;
	expect_error(HEAD_CIDR "psk = Short12\n", "t.conf:6:",
		     "psk: the pre-shared key is 7 characters long; AWS requires 8 to 64");
	expect_error(HEAD_CIDR "psk = " PSK_64 "4\n", "t.conf:6:",
		     "psk: the pre-shared key is longer than 64 characters");
	expect_error(HEAD_CIDR "psk = Secret-Key-99\n", "t.conf:6:",
		     "psk: the pre-shared key has a character other than A-Z a-z 0-9 . _ "
		     "(at position 7)");
	expect_error(HEAD_CIDR "psk = 0SecretKey99\n", "t.conf:6:",
		     "psk: the pre-shared key starts with 0, which AWS does not allow");
	/* Exactly 8 and 64 characters are fine. */
	load_ok(HEAD_CIDR "psk = a.b_C9x0\n");
	load_ok(HEAD_CIDR "psk = " PSK_64 "\n");
	assert_int_equal(cfg->tunnel[0].psk.len, 64);
}

static void test_err_addresses(void **state)
{
	(void)state;
	expect_error("[connection]\nlocal_address = 203.0.113\n" TUNNEL1, "t.conf:2:",
		     "local_address: \"203.0.113\" is not an IPv4 or IPv6 address");
	expect_error("[connection]\nlocal_address = vpn.example.com\n" TUNNEL1, "t.conf:2:",
		     "is not an IPv4 or IPv6 address");
	expect_error(HEAD_PSK "inside_cidr = 169.254.10.0/30\n[tunnel2]\n"
		     "outside_address = 224.0.0.5\npsk = " PSK2 "\n"
		     "inside_cidr = 169.254.11.0/30\n", "t.conf:8:",
		     "outside_address: 224.0.0.5 is not a unicast address");
	expect_error("[connection]\nlocal_address = 203.0.113.10\n[tunnel1]\n"
		     "outside_address = 2001:db8::1\npsk = " PSK1 "\n"
		     "inside_cidr = 169.254.10.0/30\n", "t.conf:4:",
		     "outside_address: 2001:db8::1 is IPv6 but local_address (line 2) is IPv4; "
		     "both must be of the same family");
}

static void test_err_inside(void **state)
{
	(void)state;
	expect_error(HEAD_PSK "inside_cidr = 169.254.10.0/29\n", "t.conf:6:",
		     "inside_cidr: /29 is not allowed; a tunnel's inside network is a /30");
	expect_error(HEAD_PSK "inside_cidr = 169.254.10.1/30\n", "t.conf:6:",
		     "inside_cidr: 169.254.10.1/30 is not a network address; "
		     "did you mean 169.254.10.0/30?");
	expect_error(HEAD_PSK "inside_cidr = 169.254.10.0\n", "t.conf:6:",
		     "inside_cidr: \"169.254.10.0\" is not a network; expected a /30");
	expect_error(HEAD_PSK "inside_cidr = 169.254.10/30\n", "t.conf:6:",
		     "is not a network; expected a /30 such as 169.254.10.0/30");
	expect_error(HEAD_PSK "inside_cidr = fd00::/126\n", "t.conf:6:",
		     "inside_cidr: fd00::/126 is IPv6; use inside_cidr6 for an IPv6 /126");
	expect_error(HEAD_PSK "inside_cidr6 = fd00::/64\n", "t.conf:6:",
		     "inside_cidr6: /64 is not allowed; a tunnel's inside network is a /126");
	expect_error(HEAD_PSK "inside_cidr6 = fd00::3/126\n", "t.conf:6:",
		     "did you mean fd00::/126?");
}

static void test_err_numbers(void **state)
{
	(void)state;
	expect_error(MINI "phase1_lifetime = 8h\n", "t.conf:7:",
		     "phase1_lifetime: \"8h\" is not a number; valid: 1 to 86400 (seconds)");
	expect_error(MINI "phase1_lifetime = 0\n", "t.conf:7:",
		     "phase1_lifetime: \"0\" is out of range; valid: 1 to 86400 (seconds)");
	expect_error(MINI "phase2_lifetime = -5\n", "t.conf:7:", "is not a number");
	expect_error(MINI "rekey_fuzz = 101\n", "t.conf:7:",
		     "rekey_fuzz: \"101\" is out of range; valid: 0 to 100 (percent)");
	expect_error(MINI "replay_window = 4097\n", "t.conf:7:",
		     "replay_window: \"4097\" is out of range; valid: 0 to 4096 (packets)");
	expect_error(MINI "dpd_interval = 99999999999\n", "t.conf:7:", "is not a number");
	expect_error(MINI_CONN("mtu = 67"), "t.conf:2:", "mtu: \"67\" is out of range");
	expect_error(MINI_CONN("mss_clamp = 100"), "t.conf:2:",
		     "mss_clamp: \"100\" is not valid; valid: 0 (off) or 536 to 65495");
	expect_error(MINI "phase2_lifetime_bytes = 1G\n", "t.conf:7:",
		     "phase2_lifetime_bytes: \"1G\" is not valid; valid: 0 (none) or 10000 to "
		     "4611686018427387904 (bytes)");
	expect_error(MINI "phase2_lifetime_bytes = 9999\n", "t.conf:7:", "is not valid");
	expect_error(MINI "phase2_lifetime_bytes = 99999999999999999999\n", "t.conf:7:",
		     "is not valid");
	/* 2^64 + 40000 once wrapped: over the limit, not 40000. */
	expect_error(MINI "phase2_lifetime_bytes = 18446744073709591616\n", "t.conf:7:",
		     "is not valid");
	expect_error(MINI "phase2_lifetime_bytes = 4611686018427387905\n", "t.conf:7:",
		     "is not valid");
	expect_error(MINI "phase2_lifetime_packets = 9\n", "t.conf:7:",
		     "phase2_lifetime_packets: \"9\" is not valid; valid: 0 (none) or 10 to");
	expect_error(MINI "phase2_lifetime_packets =\n", "t.conf:7:", "empty value");
	/* Limits themselves are fine. */
	load_ok(MINI "phase2_lifetime_bytes = 4611686018427387904\nphase2_lifetime_packets = 10\n");
	assert_true(cfg->tunnel[0].phase2.lifetime_bytes == (uint64_t)1 << 62);
	assert_int_equal(cfg->tunnel[0].phase2.lifetime_packets, 10);
	load_ok(MINI "phase2_lifetime_bytes = 0\n");
	load_ok(MINI "replay_window = 0\nrekey_fuzz = 0\n");
	load_ok(MINI "replay_window = 4096\nrekey_fuzz = 100\n");
	assert_int_equal(cfg->tunnel[0].replay_window, 4096);
}

static void test_err_cross_checks(void **state)
{
	(void)state;
	expect_error(MINI "phase2_lifetime = 28800\n", "t.conf:7:",
		     "phase2_lifetime: 28800 s must be less than phase1_lifetime "
		     "(28800 s, default)");
	expect_error(MINI "phase1_lifetime = 3000\n", "t.conf:7:",
		     "phase1_lifetime: 3000 s must be more than phase2_lifetime (3600 s, default)");
	/* [connection]'s value, wrong for both tunnels, is one error at its line. */
	expect_error("[connection]\nlocal_address = 203.0.113.10\nphase1_lifetime = 7200\n"
		     "phase2_lifetime = 7200\n" TUNNEL1 "[tunnel2]\n"
		     "outside_address = 198.51.100.2\npsk = " PSK2 "\n"
		     "inside_cidr = 169.254.11.0/30\n", "t.conf:4:",
		     "phase2_lifetime: 7200 s must be less than phase1_lifetime (7200 s, line 3)");
	expect_error(MINI "rekey_margin = 1800\n", "t.conf:7:",
		     "rekey_margin: 1800 s plus rekey_fuzz 100% (up to 3600 s before expiry) must "
		     "be less than phase2_lifetime (3600 s, default)");
	expect_error(MINI "rekey_fuzz = 0\nrekey_margin = 3600\n", "t.conf:8:",
		     "rekey_margin: 3600 s plus rekey_fuzz 0%");
	load_ok(MINI "rekey_margin = 1799\n");
	expect_error(MINI "dpd_interval = 40\n", "t.conf:7:",
		     "dpd_interval: 40 s must be less than dpd_timeout (40 s, default)");
	expect_error(MINI "dpd_timeout = 10\n", "t.conf:7:",
		     "dpd_timeout: 10 s must be more than dpd_interval (10 s, default)");
	expect_error(MINI_CONN("mss_clamp = 1400"), "t.conf:2:",
		     "mss_clamp: 1400 is too large for mtu 1436 (at most mtu - 40 = 1396)");
	expect_error(MINI_CONN("mtu = 1000"), "t.conf:2:",
		     "mtu: 1000 leaves no room for mss_clamp 1379 (default)");
	load_ok("[connection]\nmtu = 1000\nmss_clamp = 0\nlocal_address = 203.0.113.10\n" TUNNEL1);
	assert_int_equal(cfg->mss_clamp, 0);
	load_ok(MINI_CONN("mss_clamp = 1396"));
}

static void test_routing(void **state)
{
	(void)state;
	load_ok(MINI);
	assert_int_equal(cfg->preferred_tunnel, 0);
	assert_int_equal(cfg->routes.n, 0);
	assert_int_equal(cfg->route_metric, 0);
	load_ok(MINI_CONN("remote_prefixes = 10.1.0.0/16, 2001:db8::/48 0.0.0.0/0\n"
			  "route_metric = 200\npreferred_tunnel = none"));
	assert_int_equal(cfg->preferred_tunnel, IKE_CONFIG_NO_PREFERENCE);
	assert_int_equal(cfg->route_metric, 200);
	assert_int_equal(cfg->routes.n, 3);
	assert_addr(&cfg->routes.v[0].addr, "10.1.0.0");
	assert_int_equal(cfg->routes.v[0].len, 16);
	assert_addr(&cfg->routes.v[1].addr, "2001:db8::");
	assert_int_equal(cfg->routes.v[1].len, 48);
	assert_int_equal(cfg->routes.v[2].len, 0);
	expect_error(MINI_CONN("remote_prefixes = 10.1.0.1/16"), "t.conf:2:",
		     "remote_prefixes: 10.1.0.1/16 has host bits set");
	expect_error(MINI_CONN("remote_prefixes = 2001:db8::/129"), "t.conf:2:",
		     "remote_prefixes: 2001:db8::/129: the prefix length is at most 128");
	expect_error(MINI_CONN("remote_prefixes = 10.1.0.0"), "t.conf:2:",
		     "remote_prefixes: \"10.1.0.0\" is not a network such as 10.0.0.0/16");
	expect_error(MINI_CONN("remote_prefixes = ,"), "t.conf:2:",
		     "remote_prefixes: empty list");
	expect_error(MINI_CONN("preferred_tunnel = 2"), "t.conf:2:",
		     "preferred_tunnel: there is no [tunnel2]");
	expect_error(MINI_CONN("preferred_tunnel = 0"), "t.conf:2:",
		     "preferred_tunnel: unknown value \"0\"; valid: 1 | 2 | none");
}

static void test_err_two_tunnels(void **state)
{
	(void)state;
	expect_error(MINI "[tunnel2]\noutside_address = 198.51.100.1\npsk = " PSK2 "\n"
		     "inside_cidr = 169.254.11.0/30\n", "t.conf:8:",
		     "outside_address: same as [tunnel1]'s (line 4); each tunnel needs its own");
	expect_error(MINI "[tunnel2]\noutside_address = 198.51.100.2\npsk = " PSK2 "\n"
		     "inside_cidr = 169.254.10.0/30\n", "t.conf:10:",
		     "inside_cidr: same as [tunnel1]'s (line 6); each tunnel needs its own /30");
}

static void test_err_algorithms(void **state)
{
	(void)state;
	expect_error(MINI "phase1_encryption = aes128, 3des\n", "t.conf:7:",
		     "phase1_encryption: unknown encryption algorithm \"3des\"; valid: AES128, "
		     "AES256, AES128-GCM-16, AES256-GCM-16");
	expect_error(MINI "phase2_integrity = md5\n", "t.conf:7:",
		     "phase2_integrity: unknown integrity algorithm \"md5\"; "
		     "valid: SHA1, SHA2-256");
	expect_error(MINI "phase2_dh_groups = 14 13\n", "t.conf:7:",
		     "phase2_dh_groups: unknown DH group \"13\"; valid: 2, 5, 14 to 24, 31");
	expect_error(MINI "phase2_integrity = sha256, SHA2-256\n", "t.conf:7:",
		     "phase2_integrity: SHA2-256 is listed twice");
	expect_error(MINI "phase1_dh_groups = 31 x25519\n", "t.conf:7:",
		     "phase1_dh_groups: group 31 (curve25519) is listed twice");
	expect_error(MINI "phase1_encryption = aes128,,aes256\n", "t.conf:7:",
		     "phase1_encryption: empty item in the list");
	expect_error(MINI "phase1_encryption = aes128,\n", "t.conf:7:", "empty item");
	expect_error(MINI "phase1_dh_groups = none\n", "t.conf:7:",
		     "phase1_dh_groups: none is only valid in phase2_dh_groups");
	expect_error(MINI "phase2_dh_groups = none 14\n", "t.conf:7:",
		     "none (no PFS) cannot be listed with DH groups");
}

static void test_err_weak(void **state)
{
	(void)state;
	expect_error(MINI "phase1_dh_groups = 14, 2\n", "t.conf:7:",
		     "phase1_dh_groups: group 2 (modp1024) is weak; "
		     "set allow_weak = yes to use it");
	expect_error(MINI "phase2_dh_groups = modp2048s256\n", "t.conf:7:",
		     "phase2_dh_groups: group 24 (modp2048s256) is weak");
	expect_error(MINI_CONN("phase1_integrity = SHA1, SHA2-256"), "t.conf:2:",
		     "phase1_integrity: SHA1 is weak as the IKE PRF (RFC 8247); set allow_weak");
	/* allow_weak, before or after, lets them through. */
	load_ok(MINI_CONN("allow_weak = yes") "phase1_dh_groups = 14, 2\n");
	assert_ids(&cfg->tunnel[0].phase1.dh, 2, 14, 2);
	load_ok(TUNNEL1 "phase1_integrity = sha1\n"
		"[connection]\nallow_weak = yes\nlocal_address = 203.0.113.10\n");
	load_ok("[connection]\nphase1_integrity = sha1\nallow_weak = true\n"
		"local_address = 203.0.113.10\n" TUNNEL1);
	/* SHA1 for ESP is not weak. */
	load_ok(MINI "phase2_integrity = SHA1\n");
	expect_error(MINI_CONN("allow_weak = maybe"), "t.conf:2:",
		     "allow_weak: \"maybe\" is not yes or no");
}

static void test_err_ike_version(void **state)
{
	(void)state;
	expect_error(MINI_CONN("ike_version = ikev1"), "t.conf:2:",
		     "ike_version: IKEv1 is not supported: s2svpn-iked speaks IKEv2 only");
	expect_error(MINI_CONN("ike_version = ikev3"), "t.conf:2:",
		     "ike_version: unknown value \"ikev3\"; valid: ikev2");
	load_ok(MINI_CONN("ike_version = IKEv2"));
}

/* bgp_asn and bgp_peer_asn: checked and kept, nothing more. */
static void test_bgp(void **state)
{
	(void)state;
	load_ok(MINI);
	assert_int_equal(cfg->bgp_asn, 0);
	assert_int_equal(cfg->tunnel[0].bgp_peer_asn, 0);
	load_ok(MINI_CONN("bgp_asn = 65000") "bgp_peer_asn = 64512\n"
		"[tunnel2]\noutside_address = 198.51.100.2\npsk = " PSK2 "\n"
		"inside_cidr = 169.254.11.0/30\nbgp_peer_asn = 4294967295\n");
	assert_int_equal(cfg->bgp_asn, 65000);
	assert_int_equal(cfg->tunnel[0].bgp_peer_asn, 64512);
	assert_int_equal(cfg->tunnel[1].bgp_peer_asn, UINT32_MAX);
	/* bgp_asn alone is fine: the peer's may be set elsewhere. */
	load_ok(MINI_CONN("bgp_asn = 1"));
	assert_int_equal(cfg->bgp_asn, 1);

	expect_error(MINI_CONN("bgp_asn = 0"), "t.conf:2:",
		     "bgp_asn: \"0\" is out of range; valid: 1 to 4294967295 (AS number)");
	expect_error(MINI_CONN("bgp_asn = 4294967296"), "t.conf:2:",
		     "bgp_asn: \"4294967296\" is not a number; valid: 1 to 4294967295");
	expect_error(MINI_CONN("bgp_asn = AS65000"), "t.conf:2:",
		     "bgp_asn: \"AS65000\" is not a number");
	expect_error(MINI_CONN("bgp_asn = 65000") "bgp_peer_asn = 1.10\n", "t.conf:8:",
		     "bgp_peer_asn: \"1.10\" is not a number; valid: 1 to 4294967295 (AS number)");
	expect_error(MINI "bgp_peer_asn = 64512\n", "t.conf:7:",
		     "bgp_peer_asn: needs bgp_asn in [connection] (this side's AS number)");
	expect_error(MINI_CONN("bgp_peer_asn = 64512"), "t.conf:2:",
		     "bgp_peer_asn belongs in [tunnel1] or [tunnel2], not [connection]");
	expect_error(MINI "bgp_asn = 65000\n", "t.conf:7:",
		     "bgp_asn belongs in [connection], not [tunnel1]");
}

static void test_err_keywords(void **state)
{
	(void)state;
	expect_error(MINI "startup_action = route\n", "t.conf:7:",
		     "startup_action: unknown value \"route\"; valid: start | add");
	expect_error(MINI "dpd_action = hold\n", "t.conf:7:",
		     "dpd_action: unknown value \"hold\"; valid: clear | restart | none");
	expect_error(MINI "inside_role = vgw\n", "t.conf:7:",
		     "inside_role: unknown value \"vgw\"; valid: customer | aws");
	expect_error(MINI_CONN("name = my vpn"), "t.conf:2:",
		     "name: must be 1 to 63 printable ASCII characters without blanks");
	expect_error(MINI_CONN("device = s2svpn-too-long0"), "t.conf:2:",
		     "device: \"s2svpn-too-long0\" is not a valid interface name");
	expect_error(MINI_CONN("device = s2s/0"), "t.conf:2:", "is not a valid interface name");
	expect_error(MINI "remote_id = not an id\n", "t.conf:7:",
		     "remote_id: \"not an id\" is not an IP address, a host name");
	expect_error(MINI "remote_id = keyid:#abc\n", "t.conf:7:",
		     "remote_id: keyid:# needs an even number of hex digits");
	expect_error(MINI "remote_id = email:nobody\n", "t.conf:7:", "is not an IP address");
}

/* Many mistakes: all reported, in line order, and nothing else. */
static void test_err_many(void **state)
{
	static const char text[] =
		"[connection]\n"					/* 1 */
		"local_address = 203.0.113.300\n"			/* 2 */
		"ike_version = ikev1\n"					/* 3 */
		"phase1_dh_groups = 2\n"				/* 4 */
		"mtu = big\n"						/* 5 */
		"[tunnel1]\n"						/* 6 */
		"outside_address = 198.51.100.1\n"			/* 7 */
		"psk = short\n"						/* 8 */
		"inside_cidr = 169.254.10.0/28\n"			/* 9 */
		"bogus = 1\n"						/* 10 */
		"[tunnel2]\n"						/* 11 */
		"inside_cidr = 169.254.11.0/30\n"			/* 12 */
		"phase2_lifetime = 40000\n"				/* 13 */
		"[extra]\n";						/* 14 */
	static const char *const expected[] = {
		"t.conf:2: local_address: \"203.0.113.300\" is not",
		"t.conf:3: ike_version: IKEv1 is not supported",
		"t.conf:4: phase1_dh_groups: group 2 (modp1024) is weak",
		"t.conf:5: mtu: \"big\" is not a number",
		"t.conf:8: psk: the pre-shared key is 5 characters long",
		"t.conf:9: inside_cidr: /28 is not allowed",
		"t.conf:10: unknown key \"bogus\" in [tunnel1]",
		"t.conf:11: [tunnel2] has no outside_address",
		"t.conf:11: [tunnel2] has no psk or psk_file",
		"t.conf:13: phase2_lifetime: 40000 s must be less than phase1_lifetime (28800 s, "
		"default)",
		"t.conf:14: unknown section [extra]",
	};

	(void)state;
	assert_int_equal(load(text), -1);
	assert_null(cfg);
	if (errs.n != ARRAY_SIZE(expected))
		dump_errors();
	assert_int_equal(errs.n, ARRAY_SIZE(expected));
	for (size_t i = 0; i < errs.n; i++) {
		if (strncmp(errs.v[i].msg, expected[i], strlen(expected[i]))) {
			dump_errors();
			fail_msg("error %zu: \"%s\", expected \"%s...\"", i, errs.v[i].msg,
				 expected[i]);
		}
	}
}

/* Files ------------------------------------------------------------------ */

/* Write TEXT to DIR/NAME with exactly MODE (no umask); return the path. */
static const char *write_file(const char *name, const char *text, mode_t mode)
{
	static char path[4][256];
	static int next;
	char *p = path[next++ % 4];
	int fd;

	snprintf(p, sizeof(path[0]), "%s/%s", tmpdir, name);
	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return p;
}

static void load_with_psk_file(const char *path)
{
	char text[512];

	snprintf(text, sizeof(text), HEAD_CIDR "psk_file = %s\n", path);
	load(text);
}

static void test_psk_file(void **state)
{
	char psk_path[] = "/tmp/test_config.psk.XXXXXX";
	char prefix[320], text[512];
	const char *path;
	int fd;

	(void)state;
	/* mkstemp makes it 0600. */
	fd = mkstemp(psk_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "FileSecret_123\n", 15), 15);
	close(fd);
	load_with_psk_file(psk_path);
	if (errs.n)
		dump_errors();
	assert_non_null(cfg);
	assert_string_equal(cfg->tunnel[0].psk.key, "FileSecret_123");
	assert_int_equal(cfg->tunnel[0].psk.len, 14);

	/* Group or others may read: refused, saying how to fix it. */
	assert_int_equal(chmod(psk_path, 0644), 0);
	load_with_psk_file(psk_path);
	assert_null(cfg);
	assert_int_equal(errs.n, 1);
	snprintf(prefix, sizeof(prefix), "psk_file: %s is accessible by group or others "
		 "(mode 0644); chmod 600 %s", psk_path, psk_path);
	assert_has_error("t.conf:6:", prefix);
	assert_int_equal(chmod(psk_path, 0620), 0);
	load_with_psk_file(psk_path);
	assert_has_error("t.conf:6:", "(mode 0620)");
	unlink(psk_path);

	/* Missing, not a regular file. */
	load_with_psk_file(psk_path);
	assert_int_equal(errs.n, 1);
	snprintf(prefix, sizeof(prefix), "psk_file: cannot open %s: No such file or directory",
		 psk_path);
	assert_has_error("t.conf:6:", prefix);
	load_with_psk_file(tmpdir);
	assert_has_error("t.conf:6:", "is not a regular file");

	/* No newline; CRLF; only one newline is dropped; AWS's rules apply. */
	path = write_file("a.psk", "NoNewline.Key", 0600);
	load_with_psk_file(path);
	assert_non_null(cfg);
	assert_string_equal(cfg->tunnel[0].psk.key, "NoNewline.Key");
	path = write_file("b.psk", "Crlf.Key_1\r\n", 0400);
	load_with_psk_file(path);
	assert_non_null(cfg);
	assert_string_equal(cfg->tunnel[0].psk.key, "Crlf.Key_1");
	path = write_file("c.psk", "TwoLines.Key\n\n", 0600);
	load_with_psk_file(path);
	assert_has_error("t.conf:6:", "(at position 13)");
	path = write_file("d.psk", "Short\n", 0600);
	load_with_psk_file(path);
	snprintf(prefix, sizeof(prefix), "psk_file: the pre-shared key in %s is 5 characters "
		 "long; AWS requires 8 to 64", path);
	assert_has_error("t.conf:6:", prefix);
	path = write_file("e.psk", "", 0600);
	load_with_psk_file(path);
	assert_has_error("t.conf:6:", "is 0 characters long");
	memset(text, 'k', 200);
	text[200] = '\0';
	path = write_file("f.psk", text, 0600);
	load_with_psk_file(path);
	assert_has_error("t.conf:6:", "is longer than 64 characters");

	/* psk and psk_file together. */
	path = write_file("g.psk", PSK2, 0600);
	snprintf(text, sizeof(text), MINI "psk_file = %s\n", path);
	expect_error(text, "t.conf:7:", "psk and psk_file are both set (lines 5 and 7); keep one");
}

static int load_file(const char *path)
{
	ike_config_free(cfg);
	cfg = NULL;
	ike_config_errors_free(&errs);
	return ike_config_load(path, &cfg, &errs);
}

static void test_load_file(void **state)
{
	char expected[320];
	const char *path;

	(void)state;
	/* A relative psk_file starts at the connection file's directory. */
	write_file("rel.psk", "Relative.Key_7\n", 0600);
	path = write_file("vpn-a.conf", HEAD_CIDR "psk_file = rel.psk\n", 0644);
	assert_int_equal(load_file(path), 0);
	assert_string_equal(cfg->name, "vpn-a");
	assert_string_equal(cfg->tunnel[0].psk.key, "Relative.Key_7");

	/* An inline psk needs a private connection file. */
	path = write_file("vpn-b.conf", MINI, 0644);
	assert_int_equal(load_file(path), -1);
	assert_int_equal(errs.n, 1);
	snprintf(expected, sizeof(expected), "%s:5: psk: %s is accessible by group or others "
		 "(mode 0644) and holds a pre-shared key; chmod 600 %s, or move the key to a "
		 "psk_file", path, path, path);
	assert_string_equal(errs.v[0].msg, expected);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(load_file(path), 0);
	assert_string_equal(cfg->tunnel[0].psk.key, PSK1);

	/* Missing file, directory: "FILE: message", no line. */
	snprintf(expected, sizeof(expected), "%s/none.conf", tmpdir);
	assert_int_equal(load_file(expected), -1);
	assert_int_equal(errs.n, 1);
	assert_int_equal(errs.v[0].line, 0);
	strcat(expected, ": cannot open: No such file or directory");
	assert_string_equal(errs.v[0].msg, expected);
	assert_int_equal(load_file(tmpdir), -1);
	assert_has_error(tmpdir, ": not a regular file");

	/* Errors of several loads add up; NULL errors are fine. */
	assert_int_equal(ike_config_load_string("x.conf", "[x]\n", &cfg, &errs), -1);
	assert_int_equal(errs.n, 4);
	assert_int_equal(ike_config_load_string("y.conf", "junk\n", &cfg, NULL), -1);
	assert_null(cfg);
	ike_config_free(NULL);
}

/* The sample file is valid, with its psk_file paths moved to tmpdir. */
static void test_example_file(void **state)
{
	static const char *const where[] = {
		"s2svpn-iked.conf.example", "../s2svpn-iked.conf.example",
	};
	char text[16384], copy[17408], *at, *dst = copy;
	const char *src = text, *path;
	FILE *f = NULL;
	size_t n;

	(void)state;
	for (size_t i = 0; i < 2 && !f; i++)
		f = fopen(where[i], "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	assert_true(n > 0 && n < sizeof(text) - 1);
	text[n] = '\0';
	while ((at = strstr(src, "/etc/s2svpn/"))) {
		dst += sprintf(dst, "%.*s%s/", (int)(at - src), src, tmpdir);
		src = at + strlen("/etc/s2svpn/");
	}
	strcpy(dst, src);

	write_file("vpn-0a1b2c3d-tunnel1.psk", PSK1 "\n", 0600);
	write_file("vpn-0a1b2c3d-tunnel2.psk", PSK2 "\n", 0600);
	path = write_file("example.conf", copy, 0644);
	if (load_file(path))
		dump_errors();
	assert_non_null(cfg);
	assert_string_equal(cfg->name, "vpn-0a1b2c3d");
	assert_string_equal(cfg->tunnel[0].psk.key, PSK1);
	assert_string_equal(cfg->tunnel[1].psk.key, PSK2);
	assert_int_equal(cfg->tunnel[0].startup_action, IKE_CONFIG_START);
	assert_int_equal(cfg->tunnel[1].startup_action, IKE_CONFIG_ADD);
	assert_int_equal(cfg->tunnel[0].dpd_interval, 10);
	assert_int_equal(cfg->tunnel[1].dpd_interval, 15);
	assert_addr(&cfg->tunnel[1].inside6.local, "fd00:11::2");
	assert_int_equal(cfg->tunnel[0].phase2.n_proposals, 2);
	assert_int_equal(cfg->bgp_asn, 65000);
	assert_int_equal(cfg->tunnel[0].bgp_peer_asn, 64512);
	assert_int_equal(cfg->tunnel[1].bgp_peer_asn, 64512);
}

/* Whatever goes wrong, no message shows a pre-shared key. */
static void test_psk_never_shown(void **state)
{
	static const char *const texts[] = {
		HEAD_CIDR "psk = " PSK1 "-\n",				/* bad character */
		HEAD_CIDR "psk = 0" PSK1 "\n",				/* leading 0 */
		HEAD_CIDR "psk " PSK1 "\n",				/* no '=' */
		HEAD_CIDR "psk = " PSK1 "\npsk = " PSK1 "\n",		/* twice */
		MINI_CONN("psk = " PSK1),				/* wrong section */
		MINI "[tunnel9]\npsk = " PSK1 "\n",			/* unknown section */
		"psk = " PSK1 "\n" MINI,				/* outside sections */
		HEAD_CIDR "Psk = " PSK1 "\n",				/* unknown key */
		HEAD_CIDR "psk = " PSK1 " " PSK2 "\n",			/* blank inside */
		/* A lost newline: the psk ends up in other keys' values. */
		HEAD_CIDR "remote_id = x y psk = " PSK1 "\n",
		HEAD_CIDR "phase1_encryption = aes128 psk = " PSK1 "\n",
		HEAD_CIDR "phase1_dh_groups = 14 psk: " PSK1 ", " PSK2 "\n",
		HEAD_CIDR "inside_role = psk=" PSK1 "\n",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		assert_int_equal(load(texts[i]), -1);
		assert_true(errs.n > 0);
		for (size_t j = 0; j < errs.n; j++) {
			if (strstr(errs.v[j].msg, PSK1) || strstr(errs.v[j].msg, PSK2))
				fail_msg("case %zu shows a PSK: %s", i, errs.v[j].msg);
			assert_true(!strncmp(errs.v[j].msg, "t.conf:", 7));
		}
	}
}

/* Random mutations of a good file: no crash, no leak, sane results. */
static void test_fuzz(void **state)
{
	static const char palette[] = "[]=:;#, \t\n\r/.-_@0123456789abcxyzAZ\x01\xff";
	char psk_path[300], base[2048], text[4096];
	uint64_t seed = 0x5eed5eed1234ULL;
	unsigned int ok = 0;
	size_t len;

	(void)state;
	snprintf(psk_path, sizeof(psk_path), "%s", write_file("fuzz.psk", PSK2 "\n", 0600));
	snprintf(base, sizeof(base), "%s[tunnel2]\noutside_address = 198.51.100.2\n"
		 "psk_file = %s\ninside_cidr6 = fd00::8/126\n", good, psk_path);
	/* Drop good's [tunnel2] so that the psk_file one replaces it. */
	assert_non_null(strstr(good, "[tunnel2]"));
	len = (size_t)(strstr(good, "[tunnel2]") - good);
	memmove(base + len, base + strlen(good), strlen(base + strlen(good)) + 1);

	ike_config_errors_free(&errs);
	for (int iter = 0; iter < 4000; iter++) {
		size_t n = strlen(base);
		int mutations, r;
		char *heap;

		memcpy(text, base, n + 1);
#define RND() (seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17, seed)
		mutations = 1 + (int)(RND() % 4);
		for (int m = 0; m < mutations && n > 0; m++) {
			size_t at = RND() % n;
			char c = palette[RND() % (sizeof(palette) - 1)];

			switch (RND() % 6) {
			case 0:		/* replace a byte */
				text[at] = c;
				break;
			case 1:		/* insert a byte */
				if (n + 1 < sizeof(text)) {
					memmove(text + at + 1, text + at, n - at + 1);
					text[at] = c;
					n++;
				}
				break;
			case 2: {	/* delete a few bytes */
				size_t k = 1 + RND() % 8;

				if (k > n - at)
					k = n - at;
				memmove(text + at, text + at + k, n - at - k + 1);
				n -= k;
				break;
			}
			case 3: {	/* duplicate a chunk (often a whole line) */
				size_t k = 1 + RND() % 40;

				if (k > n - at)
					k = n - at;
				if (n + k < sizeof(text)) {
					memmove(text + at + k, text + at, n - at + 1);
					n += k;
				}
				break;
			}
			case 4:		/* truncate */
				text[at] = '\0';
				n = at;
				break;
			default:	/* a digit becomes a big number */
				if (text[at] >= '0' && text[at] <= '9')
					text[at] = (char)('0' + RND() % 10);
				break;
			}
		}
#undef RND
		ike_config_free(cfg);
		cfg = NULL;
		ike_config_errors_free(&errs);
		/* An exact heap copy: ASan catches reads past either end. */
		heap = strdup(text);
		assert_non_null(heap);
		r = ike_config_load_string("fuzz.conf", heap, &cfg, &errs);
		free(heap);
		if (r == 0) {
			assert_non_null(cfg);
			assert_int_equal(errs.n, 0);
			ok++;
		} else {
			assert_null(cfg);
			assert_true(errs.n > 0);
		}
		for (size_t j = 0; j < errs.n; j++) {
			const char *msg = errs.v[j].msg;

			assert_true(!strncmp(msg, "fuzz.conf:", 10));
			assert_true(errs.v[j].line > 0);
			if (j)
				assert_true(errs.v[j - 1].line <= errs.v[j].line);
			if (strstr(msg, PSK1) || strstr(msg, PSK2))
				fail_msg("shows a PSK: %s", msg);
		}
	}
	/* Some mutations are harmless (comments, blanks): both paths ran. */
	print_message("fuzz: %u of 4000 mutated files were valid\n", ok);
	assert_true(ok > 0 && ok < 4000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_good_file, teardown),
		cmocka_unit_test_teardown(test_defaults, teardown),
		cmocka_unit_test_teardown(test_aws_names, teardown),
		cmocka_unit_test_teardown(test_strongswan_names, teardown),
		cmocka_unit_test_teardown(test_inside_addresses, teardown),
		cmocka_unit_test_teardown(test_proposals, teardown),
		cmocka_unit_test_teardown(test_identities, teardown),
		cmocka_unit_test_teardown(test_syntax_variants, teardown),
		cmocka_unit_test_teardown(test_err_sections, teardown),
		cmocka_unit_test_teardown(test_err_keys, teardown),
		cmocka_unit_test_teardown(test_err_syntax, teardown),
		cmocka_unit_test_teardown(test_err_missing, teardown),
		cmocka_unit_test_teardown(test_err_psk, teardown),
		cmocka_unit_test_teardown(test_err_addresses, teardown),
		cmocka_unit_test_teardown(test_err_inside, teardown),
		cmocka_unit_test_teardown(test_err_numbers, teardown),
		cmocka_unit_test_teardown(test_err_cross_checks, teardown),
		cmocka_unit_test_teardown(test_routing, teardown),
		cmocka_unit_test_teardown(test_err_two_tunnels, teardown),
		cmocka_unit_test_teardown(test_err_algorithms, teardown),
		cmocka_unit_test_teardown(test_err_weak, teardown),
		cmocka_unit_test_teardown(test_err_ike_version, teardown),
		cmocka_unit_test_teardown(test_bgp, teardown),
		cmocka_unit_test_teardown(test_err_keywords, teardown),
		cmocka_unit_test_teardown(test_err_many, teardown),
		cmocka_unit_test_teardown(test_psk_file, teardown),
		cmocka_unit_test_teardown(test_load_file, teardown),
		cmocka_unit_test_teardown(test_example_file, teardown),
		cmocka_unit_test_teardown(test_psk_never_shown, teardown),
		cmocka_unit_test_teardown(test_fuzz, teardown),
	};

	return cmocka_run_group_tests_name("config", tests, group_setup, group_teardown);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel.c that need no kernel: IKE transforms to the
 * module's algorithm names and key layout, and the SA_NEW request built
 * from IKE keying material.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/s2svpn.h>

#include "ike.h"
#include "kernel.h"

static void test_alg_map(void **state)
{
	struct ike_kernel_alg a;

	(void)state;
	assert_int_equal(ike_kernel_alg(IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, &a), 0);
	assert_string_equal(a.name, "rfc4106(gcm(aes))");
	assert_int_equal(a.enc_len, 16);
	assert_int_equal(a.salt_len, 4);
	assert_int_equal(a.auth_len, 0);
	assert_int_equal(a.icv_len, 16);
	assert_int_equal(ike_kernel_alg(IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, &a), 0);
	assert_int_equal(a.enc_len, 32);
	assert_int_equal(ike_kernel_alg(IKE_ENCR_CHACHA20_POLY1305, 0, IKE_INTEG_NONE, &a), 0);
	assert_string_equal(a.name, "rfc7539esp(chacha20,poly1305)");
	assert_int_equal(a.enc_len + a.salt_len, 36);
	assert_int_equal(ike_kernel_alg(IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA1_96, &a), 0);
	assert_string_equal(a.name, "authenc(hmac(sha1),cbc(aes))");
	assert_int_equal(a.auth_len, 20);
	assert_int_equal(a.icv_len, 12);
	assert_int_equal(ike_kernel_alg(IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128, &a), 0);
	assert_int_equal(a.auth_len, 32);
	assert_int_equal(a.icv_len, 16);
	assert_int_equal(ike_kernel_alg(IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_384_192, &a), 0);
	assert_int_equal(a.icv_len, 24);
	assert_int_equal(ike_kernel_alg(IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_512_256, &a), 0);
	assert_int_equal(a.auth_len, 64);
	assert_int_equal(a.icv_len, 32);
}

static void test_alg_refuses(void **state)
{
	struct ike_kernel_alg a;

	(void)state;
	/* An AEAD with an integrity algorithm, CBC without one, odd sizes. */
	assert_int_equal(ike_kernel_alg(IKE_ENCR_AES_GCM_16, 128,
					IKE_INTEG_HMAC_SHA2_256_128, &a), -EINVAL);
	assert_int_equal(ike_kernel_alg(IKE_ENCR_AES_CBC, 128, IKE_INTEG_NONE, &a), -EINVAL);
	assert_int_equal(ike_kernel_alg(IKE_ENCR_AES_CBC, 192, IKE_INTEG_HMAC_SHA1_96, &a),
			 -EINVAL);
	assert_int_equal(ike_kernel_alg(IKE_ENCR_AES_GCM_16, 192, IKE_INTEG_NONE, &a), -EINVAL);
	assert_int_equal(ike_kernel_alg(3 /* 3DES */, 0, IKE_INTEG_HMAC_SHA1_96, &a), -EINVAL);
}

struct attrs {
	const struct nlattr *a[S2SVPN_A_SA_MAX + 1];
};

static int index_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

/* The GCM key IKE derives is key|salt; the kernel takes them apart. */
static void test_sa_msg_splits_gcm_salt(void **state)
{
	uint8_t encr[20], buf[MNL_SOCKET_BUFFER_SIZE];
	const struct nlattr *top[S2SVPN_A_MAX + 1] = { 0 };
	const struct nlattr *sa[S2SVPN_A_SA_MAX + 1] = { 0 };
	struct ike_kernel_sa s = {
		.tunnel = 1, .inbound = true, .spi = 0xc0ffee01,
		.encr = encr, .esn = true, .replay_window = 1024, .hard_packets = 99,
	};
	struct nlmsghdr *nlh;
	int i;

	(void)state;
	for (i = 0; i < 20; i++)
		encr[i] = (uint8_t)i;
	assert_int_equal(ike_kernel_alg(IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, &s.alg), 0);
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct genlmsghdr));
	assert_int_equal(ike_kernel_sa_msg(nlh, 7, &s), 0);

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), index_cb, top);
	assert_int_equal(mnl_attr_get_u32(top[S2SVPN_A_IFINDEX]), 7);
	mnl_attr_parse_nested(top[S2SVPN_A_SA], index_cb, sa);
	assert_int_equal(mnl_attr_get_u8(sa[S2SVPN_A_SA_TUNNEL_ID]), 1);
	assert_int_equal(mnl_attr_get_u8(sa[S2SVPN_A_SA_DIR]), S2SVPN_DIR_IN);
	assert_int_equal(mnl_attr_get_u32(sa[S2SVPN_A_SA_SPI]), 0xc0ffee01);
	assert_string_equal(mnl_attr_get_str(sa[S2SVPN_A_SA_ALG]), "rfc4106(gcm(aes))");
	assert_int_equal(mnl_attr_get_payload_len(sa[S2SVPN_A_SA_ENC_KEY]), 16);
	assert_memory_equal(mnl_attr_get_payload(sa[S2SVPN_A_SA_ENC_KEY]), encr, 16);
	assert_int_equal(mnl_attr_get_payload_len(sa[S2SVPN_A_SA_SALT]), 4);
	assert_memory_equal(mnl_attr_get_payload(sa[S2SVPN_A_SA_SALT]), encr + 16, 4);
	assert_null(sa[S2SVPN_A_SA_AUTH_KEY]);
	assert_int_equal(mnl_attr_get_u8(sa[S2SVPN_A_SA_ICV_LEN]), 16);
	assert_int_equal(mnl_attr_get_u32(sa[S2SVPN_A_SA_REPLAY_WINDOW]), 1024);
	assert_non_null(sa[S2SVPN_A_SA_ESN]);
	assert_int_equal(mnl_attr_get_u64(sa[S2SVPN_A_SA_HARD_PACKETS]), 99);
	assert_null(sa[S2SVPN_A_SA_SOFT_BYTES]);
}

static void test_sa_msg_cbc_outbound(void **state)
{
	uint8_t encr[32], integ[32], buf[MNL_SOCKET_BUFFER_SIZE];
	const struct nlattr *top[S2SVPN_A_MAX + 1] = { 0 };
	const struct nlattr *sa[S2SVPN_A_SA_MAX + 1] = { 0 };
	struct ike_kernel_sa s = { .spi = 5, .encr = encr, .integ = integ };
	struct nlmsghdr *nlh;

	(void)state;
	memset(encr, 0xe, sizeof(encr));
	memset(integ, 0xa, sizeof(integ));
	assert_int_equal(ike_kernel_alg(IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128,
					&s.alg), 0);
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct genlmsghdr));
	assert_int_equal(ike_kernel_sa_msg(nlh, 3, &s), 0);
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), index_cb, top);
	mnl_attr_parse_nested(top[S2SVPN_A_SA], index_cb, sa);
	assert_int_equal(mnl_attr_get_u8(sa[S2SVPN_A_SA_DIR]), S2SVPN_DIR_OUT);
	assert_int_equal(mnl_attr_get_payload_len(sa[S2SVPN_A_SA_ENC_KEY]), 32);
	assert_int_equal(mnl_attr_get_payload_len(sa[S2SVPN_A_SA_AUTH_KEY]), 32);
	assert_memory_equal(mnl_attr_get_payload(sa[S2SVPN_A_SA_AUTH_KEY]), integ, 32);
	assert_null(sa[S2SVPN_A_SA_SALT]);
	/* The window is an inbound thing: the kernel refuses it on outbound SAs. */
	assert_null(sa[S2SVPN_A_SA_REPLAY_WINDOW]);
	assert_null(sa[S2SVPN_A_SA_ESN]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alg_map),
		cmocka_unit_test(test_alg_refuses),
		cmocka_unit_test(test_sa_msg_splits_gcm_salt),
		cmocka_unit_test(test_sa_msg_cbc_outbound),
	};

	return cmocka_run_group_tests_name("kernel", tests, NULL, NULL);
}

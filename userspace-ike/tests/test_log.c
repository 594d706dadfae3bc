// SPDX-License-Identifier: GPL-2.0
/*
 * log.c: levels, text prefixes, JSON lines with AWS's tunnel-log fields
 * and their escaping.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct cap {
	char *buf;
	size_t len;
	struct ike_log log;
};

static int setup(void **state)
{
	struct cap *c = calloc(1, sizeof(*c));

	c->log.stream = open_memstream(&c->buf, &c->len);
	c->log.level = IKE_LOG_INFO;
	*state = c;
	return c->log.stream ? 0 : -1;
}

static int teardown(void **state)
{
	struct cap *c = *state;

	fclose(c->log.stream);
	free(c->buf);
	free(c);
	return 0;
}

static const char *text(struct cap *c)
{
	fflush(c->log.stream);
	return c->buf;
}

static void test_text_prefix_and_levels(void **state)
{
	struct cap *c = *state;
	struct ike_log_ctx ctx = { .conn = "vpn-1", .tunnel = 2, .outside_ip = "198.51.100.7",
				   .dpd_enabled = -1, .nat_t_detected = -1 };

	ike_log(&c->log, IKE_LOG_NOTICE, &ctx, "IKE SA established, SPI %08x", 0x1234u);
	ike_log(&c->log, IKE_LOG_DEBUG, &ctx, "not shown at level info");
	ike_log(&c->log, IKE_LOG_ERR, NULL, "no context");
	assert_string_equal(text(c),
			    "notice: vpn-1 tunnel 2 (198.51.100.7): IKE SA established, SPI 00001234\n"
			    "error: no context\n");
}

static void test_json_aws_fields(void **state)
{
	struct cap *c = *state;
	struct ike_log_ctx ctx = { .conn = "vpn-1", .tunnel = 1, .outside_ip = "198.51.100.7",
				   .phase1 = "established", .phase2 = "negotiating",
				   .dpd_enabled = 1, .nat_t_detected = 0 };
	const char *out;

	c->log.json = true;
	ike_log(&c->log, IKE_LOG_INFO, &ctx, "quote \" backslash \\ newline \n tab \t");
	out = text(c);
	assert_non_null(strstr(out, "{\"event_timestamp\":"));
	assert_non_null(strstr(out, "\"level\":\"info\""));
	assert_non_null(strstr(out,
		"\"details\":\"quote \\\" backslash \\\\ newline \\u000a tab \\u0009\""));
	assert_non_null(strstr(out, "\"vpn_connection_id\":\"vpn-1\""));
	assert_non_null(strstr(out, "\"tunnel\":1"));
	assert_non_null(strstr(out, "\"vpn_tunnel_outside_ip_address\":\"198.51.100.7\""));
	assert_non_null(strstr(out, "\"ike_phase1_state\":\"established\""));
	assert_non_null(strstr(out, "\"ike_phase2_state\":\"negotiating\""));
	assert_non_null(strstr(out, "\"dpd_enabled\":true"));
	assert_non_null(strstr(out, "\"nat_t_detected\":false"));
	/* One line, one object. */
	assert_int_equal(strchr(out, '\n') - out, (long)strlen(out) - 1);
	assert_int_equal(out[strlen(out) - 2], '}');
}

static void test_level_names(void **state)
{
	enum ike_log_level l;

	(void)state;
	assert_int_equal(ike_log_level_parse("Debug", &l), 0);
	assert_int_equal(l, IKE_LOG_DEBUG);
	assert_int_equal(ike_log_level_parse("loud", &l), -1);
	assert_string_equal(ike_log_level_name(IKE_LOG_WARNING), "warning");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_text_prefix_and_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_aws_fields, setup, teardown),
		cmocka_unit_test(test_level_names),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}

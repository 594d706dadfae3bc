/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What s2svpnctl's cmocka suites share: a scratch directory per group,
 * made by group_setup() and removed by group_teardown(). Include after
 * cmocka.h.
 */
#ifndef S2SVPNCTL_TESTUTIL_H
#define S2SVPNCTL_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>

static char tmpdir[] = "/tmp/s2svpnctl-test.XXXXXX";

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

#endif /* S2SVPNCTL_TESTUTIL_H */

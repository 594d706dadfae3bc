/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn: the "s2svpn" generic netlink family.
 */
#ifndef _S2SVPN_NETLINK_H
#define _S2SVPN_NETLINK_H

#include <linux/types.h>

struct s2svpn_sa;
struct s2svpn_tunnel;

int s2svpn_nl_init(void);
void s2svpn_nl_exit(void);

void s2svpn_nl_notify_sa_expire(struct s2svpn_sa *sa, bool hard, u8 reason);
void s2svpn_nl_notify_sock_detach(struct s2svpn_tunnel *t);
void s2svpn_nl_notify_tunnel_state(struct s2svpn_tunnel *t, bool usable);

#endif /* _S2SVPN_NETLINK_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpnctl import-aws: AWS's Site-to-Site VPN configuration file (vendor
 * "Generic": "IPSec Tunnel #1" and "#2", each with "#1: Internet Key
 * Exchange Configuration", "#2: IPSec Configuration", "#3: Tunnel Interface
 * Configuration" and, with dynamic routing, "#4: Border Gateway Protocol
 * (BGP) Configuration") into an s2svpn-iked connection file, and a BIRD 2
 * snippet for the BGP sessions.
 *
 *   aws_parse()        text into struct aws_conf; the first error as
 *                      "FILE:LINE: message", warnings kept in the struct
 *   aws_write_conf()   struct aws_conf into the connection file's text
 *   aws_write_bird()   struct aws_conf into BIRD 2 "protocol bgp" blocks
 *   import_aws_parse_args(), import_aws_run(): the command itself, which
 *                      writes every output file to a temporary name first
 *
 * No message ever shows a pre-shared key. README.md ("Importing an AWS
 * configuration") has the field-to-key mapping.
 */
#ifndef S2SVPNCTL_IMPORT_AWS_H
#define S2SVPNCTL_IMPORT_AWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "s2svpnctl.h"

#define AWS_TUNNELS		2
#define AWS_MAX_ALGS		14	/* items in one field: all DH groups fit */
#define AWS_MAX_WARNINGS	8
#define AWS_PSK_MAX		64	/* AWS's limits, as s2svpn-iked's */
#define AWS_PSK_MIN		8
#define AWS_NAME_MAX		63	/* s2svpn-iked's name */
#define AWS_INPUT_MAX		(1024 * 1024)

/* The fields of one tunnel, by the subsection they belong to. */
enum aws_field {
	/* #1: Internet Key Exchange Configuration */
	AWS_F_IKE_VERSION,
	AWS_F_AUTH_METHOD,
	AWS_F_PSK,
	AWS_F_P1_INTEG,
	AWS_F_P1_ENCR,
	AWS_F_P1_LIFETIME,
	AWS_F_P1_MODE,
	AWS_F_P1_DH,		/* "Diffie-Hellman" or "Perfect Forward Secrecy" */
	/* #2: IPSec Configuration */
	AWS_F_P2_PROTOCOL,
	AWS_F_P2_INTEG,
	AWS_F_P2_ENCR,
	AWS_F_P2_LIFETIME,
	AWS_F_P2_MODE,
	AWS_F_P2_PFS,
	AWS_F_DPD_INTERVAL,
	AWS_F_DPD_RETRIES,
	AWS_F_MSS,
	AWS_F_CLEAR_DF,
	AWS_F_FRAG,
	/* #3: Tunnel Interface Configuration */
	AWS_F_OUT_CGW,
	AWS_F_OUT_VGW,
	AWS_F_IN_CGW,
	AWS_F_IN_VGW,
	AWS_F_MTU,
	/* #4: Border Gateway Protocol (BGP) Configuration */
	AWS_F_BGP_CGW_ASN,
	AWS_F_BGP_VGW_ASN,
	AWS_F_BGP_NEIGHBOR,
	AWS_F_BGP_HOLD,
	/* #4: Static Routing Configuration */
	AWS_F_NEXT_HOP,
	AWS_F_COUNT
};

/* An algorithm list, as s2svpn-iked names it ("AES256, AES128", "14"). */
struct aws_algs {
	unsigned int n;
	const char *name[AWS_MAX_ALGS];	/* static strings */
};

struct aws_tunnel {
	unsigned int line;		/* of "IPSec Tunnel #N"; 0: absent */
	unsigned int end;		/* its last line */
	unsigned int bgp_line;		/* of "#4: Border Gateway ..."; 0: none */
	unsigned int at[AWS_F_COUNT];	/* line of each field; 0: absent */
	char psk[AWS_PSK_MAX + 1];
	struct aws_algs p1_encr, p1_integ, p1_dh;
	struct aws_algs p2_encr, p2_integ, p2_dh;	/* p2_dh.n 0: no PFS */
	uint32_t p1_lifetime, p2_lifetime;
	uint32_t dpd_interval, dpd_retries;
	uint32_t mss, mtu;
	struct addr out_cgw, out_vgw;
	struct addr in_cgw, in_vgw, in_net;	/* in_net: the /30 or /126 */
	uint8_t in_plen;
	bool role_aws;			/* the customer gateway has .1 */
	uint32_t cgw_asn, vgw_asn, hold_time;
	struct addr neighbor, next_hop;
};

struct aws_conf {
	const char *file;		/* its name in messages */
	unsigned int lines;
	unsigned int vpn_id_line;
	char vpn_id[AWS_NAME_MAX + 1];	/* "vpn-0a1b2c3d"; "": not given */
	bool trailer;			/* "Additional Notes and Questions" seen */
	bool weak;			/* needs allow_weak = yes */
	struct aws_tunnel t[AWS_TUNNELS];
	unsigned int n_warnings;	/* may exceed AWS_MAX_WARNINGS */
	char warnings[AWS_MAX_WARNINGS][ERRLEN];
};

/*
 * Parse LEN bytes of TEXT, named FILE in messages. 0: *c filled (its
 * warnings too); -1: the first error, "FILE:LINE: message", in err. Either
 * way, wipe *c with aws_conf_wipe() afterwards: it holds the keys.
 */
int aws_parse(const char *file, const char *text, size_t len,
	      struct aws_conf *c, char *err, size_t errlen);
void aws_conf_wipe(struct aws_conf *c);

/* What the outputs are written with. */
struct aws_out {
	const char *name;	/* NULL: the VPN connection ID, if any */
	const char *device;	/* NULL: s2svpn0 */
	const char *psk_dir;	/* absolute; NULL: inline psk keys */
	const char *source;	/* the input's name, for a comment */
};

/* The connection's name: o->name, else the file's VPN ID, else NULL. */
const char *aws_name(const struct aws_conf *c, const struct aws_out *o);
/* "DIR/NAME-tunnelN.psk" (or DIR/tunnelN.psk without a name). */
int aws_psk_path(const struct aws_conf *c, const struct aws_out *o, int i,
		 char *buf, size_t len);

void aws_write_conf(FILE *f, const struct aws_conf *c, const struct aws_out *o);
/* -1 (err filled) where the file has no BGP configuration. */
int aws_write_bird(FILE *f, const struct aws_conf *c, const struct aws_out *o,
		   char *err, size_t errlen);

/* The command line: import-aws FILE [-o OUT] [--name NAME] ... */
struct import_args {
	const char *input;	/* "-": standard input */
	const char *output;	/* NULL: standard output */
	const char *name, *device, *psk_dir, *bird;
};

int import_aws_parse_args(int argc, char **argv, struct import_args *a,
			  char *err, size_t errlen);
/*
 * Read, convert, write: EXIT_OK or EXIT_FAIL. What goes to standard output
 * goes to OUT; warnings and errors to MSGS ("FILE:LINE: message" for the
 * input's faults). On failure no output file is left behind.
 */
int import_aws_run(const struct import_args *a, FILE *out, FILE *msgs);

#endif /* S2SVPNCTL_IMPORT_AWS_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * The manual (s2svpnctl --help), per-command help (s2svpnctl help CMD)
 * and usage errors, which repeat the synopsis of the command at fault.
 * One table holds each command's synopsis and text so the three agree.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <string.h>

#include "s2svpnctl.h"

struct cmd_help {
	const char *name;	/* "sa add": what usage_error() is given */
	const char *synopsis;	/* without the leading "s2svpnctl " */
	const char *text;	/* COMMANDS entry, indented by 4 */
};

static const struct cmd_help cmds[] = {
	{ "show", "[-j] [-S PATH] show [DEV]",
"    Show every s2svpn device of the network namespace, or only DEV: the\n"
"    active tunnel, DF policy and MSS clamp; per tunnel its state, outer\n"
"    endpoints, inside peers, last receive, traffic and non-zero drop\n"
"    counters; per SA its direction, SPI, algorithm, ICV length, ESN,\n"
"    replay window, age, sequence number, traffic and drops, with\n"
"    \"(current)\" on the inbound SA in use. Namespace-wide drops (packets\n"
"    for unknown SPIs) come last. Keys are never shown: the kernel never\n"
"    hands them out. When s2svpn-iked runs for the device, its part\n"
"    follows: the active tunnel and why, the preferred tunnel, counts of\n"
"    failovers and failbacks, and the history of switches. With -j, one\n"
"    JSON document with every counter, the daemon's status under\n"
"    \"daemon\". Without a command, s2svpnctl shows all devices.\n" },
	{ "status", "[-j] [-S PATH] status [DEV]",
"    Ask the s2svpn-iked of DEV (default s2svpn0), on its control socket\n"
"    /run/s2svpn/DEV.sock or PATH, for its view of each tunnel, numbered\n"
"    1 and 2 as AWS does: phase 1 and phase 2 state in AWS's words\n"
"    (Established, Rekeying, Negotiating, Down), the IKE SA's role, SPIs,\n"
"    algorithms and next rekey, the CHILD SA's algorithm, SPIs and next\n"
"    rekey, NAT-T, DPD state and settings, uptime, counts of rekeys, dead\n"
"    peers and failures, and the last error. With -j, JSON.\n" },
	{ "metrics", "[-S PATH] metrics [DEV]",
"    Print Prometheus text exposition for node_exporter's textfile\n"
"    collector, per tunnel (labels device, tunnel 1|2, outside_ip), named\n"
"    after AWS's CloudWatch metrics: s2svpn_tunnel_state (TunnelState),\n"
"    s2svpn_tunnel_data_in_bytes_total (TunnelDataIn),\n"
"    s2svpn_tunnel_data_out_bytes_total (TunnelDataOut), packets, and\n"
"    s2svpn_tunnel_drops_total by reason; with s2svpn-iked running also\n"
"    IKE state, rekeys, dead peers, the active tunnel and failovers.\n" },
	{ "set", "set DEV [active-tunnel 0|1] [df clear|copy|set] "
		 "[mss-clamp N|off]",
"    Change device settings; give at least one.\n"
"    active-tunnel 0|1  the tunnel that carries traffic not routed through\n"
"                       an inside peer.\n"
"    df clear|copy|set  outer IPv4 DF bit: never set (default), copied\n"
"                       from the inner IPv4 header (set for IPv6), always.\n"
"    mss-clamp N|off    clamp the MSS option of TCP SYNs through the\n"
"                       tunnel to N (536 to 65495); off: do not clamp.\n" },
	{ "tunnel set", "tunnel set DEV ID remote ADDR [local ADDR] [port N]\n"
		"                 [listen-port N] [inside-peer ADDR]...",
"    Create tunnel ID (0 or 1) of DEV, or update it. remote is the peer's\n"
"    outer address, local our own (same family; default: chosen by the\n"
"    route). port is the peer's UDP port, listen-port the local one the\n"
"    kernel opens its own socket on (both 4500 by default); an IKE daemon\n"
"    passes its socket instead. inside-peer is the peer's inside (/30)\n"
"    address, a route next hop that selects this tunnel; give it once per\n"
"    family (IPv4, IPv6). The whole tunnel is sent each time: omitted\n"
"    ports go back to 4500.\n" },
	{ "tunnel del", "tunnel del DEV ID",
"    Delete tunnel ID of DEV and its SAs.\n" },
	{ "sa add", "sa add DEV tunnel ID dir in|out spi SPI alg NAME "
		    "keyfile FILE|-\n"
		"                 [icv N] [replay-window N] [esn] "
		"[soft-bytes N] [hard-bytes N]\n"
		"                 [soft-packets N] [hard-packets N]",
"    Install an SA on tunnel ID. A new inbound SA becomes the current one\n"
"    and the current one is kept as the previous; a new outbound SA\n"
"    replaces the old one. SPI is decimal or 0x hex, 1 to 0xffffffff.\n"
"    Keys are read from FILE (- for standard input), never from the\n"
"    command line; see KEY FILE FORMAT. icv is the ICV length in bytes\n"
"    (default per algorithm), replay-window the inbound window in packets\n"
"    (0 turns replay protection off, at most 4096, default 1024), esn\n"
"    turns on 64-bit extended sequence numbers. The soft and hard limits\n"
"    (0: none) make the kernel report the SA to monitor, and at the hard\n"
"    limit remove it. NAME is one of:\n"
"      aes-gcm            rfc4106(gcm(aes))              enc 16|32, salt 4,\n"
"                                                        icv 16 (8, 12)\n"
"      chacha20-poly1305  rfc7539esp(chacha20,poly1305)  enc 32, salt 4\n"
"      aes-cbc-sha1       authenc(hmac(sha1),cbc(aes))   enc 16|32, auth 20\n"
"      aes-cbc-sha256     authenc(hmac(sha256),cbc(aes)) enc 16|32, auth 32\n"
"      aes-cbc-sha384     authenc(hmac(sha384),cbc(aes)) enc 16|32, auth 48\n"
"      aes-cbc-sha512     authenc(hmac(sha512),cbc(aes)) enc 16|32, auth 64\n"
"    (short name or crypto API name; key lengths in bytes).\n" },
	{ "sa del", "sa del DEV tunnel ID dir in|out spi SPI",
"    Delete an SA.\n" },
	{ "monitor", "[-j] monitor",
"    Print kernel events as they happen, one timestamped line each: an SA\n"
"    reached its soft or hard limit (bytes, packets, sequence numbers), a\n"
"    daemon's socket went away, a tunnel became usable or unusable. With\n"
"    -j, one JSON object per line. Runs until interrupted.\n" },
	{ "import-aws", "import-aws FILE [-o OUT] [--name NAME] [--device DEV]\n"
		"                 [--psk-dir DIR] [--bird FILE]",
"    Turn the configuration file AWS offers for a Site-to-Site VPN\n"
"    connection (\"Download configuration\", vendor Generic) into an\n"
"    s2svpn-iked connection file: per tunnel its outside addresses (the\n"
"    customer gateway's is local_address, the same for both), pre-shared\n"
"    key, inside /30 (AWS's .1, ours .2), IKE and IPsec algorithms,\n"
"    lifetimes, DPD (dpd_timeout = interval x retries), MTU, TCP MSS and,\n"
"    with dynamic routing, the BGP AS numbers. FILE - is standard input.\n"
"    The result goes to standard output, or to OUT, created mode 0600 as\n"
"    it holds the keys, under a temporary name first: an error leaves no\n"
"    file. --name names the connection (default: the VPN connection ID),\n"
"    --device the s2svpn device (default s2svpn0). --psk-dir writes each\n"
"    key to DIR/NAME-tunnelN.psk (mode 0600) and names it with psk_file.\n"
"    --bird writes BIRD 2 \"protocol bgp\" blocks, one per tunnel, to the\n"
"    inside peer with AWS's hold time (30 s) and keepalive (10 s).\n"
"    Errors name FILE:LINE and stop the import: IKEv1 or aggressive mode\n"
"    (s2svpn-iked speaks IKEv2), unknown algorithms, inside addresses\n"
"    outside one /30, a BGP neighbor that is not the inside peer,\n"
"    different customer gateway addresses, a key breaking AWS's rules,\n"
"    duplicate or missing fields, no tunnel #1. A file with tunnel #1 only\n"
"    is imported with a warning, as are weak algorithms (allow_weak = yes\n"
"    is set) and unknown fields. Behind NAT, set local_address to this\n"
"    host's address and local_id to the public one AWS knows.\n" },
	{ "help", "help [COMMAND]",
"    Print this manual, or only the part about COMMAND.\n" },
};

#define N_CMDS	ARRAY_SIZE(cmds)

static const char key_file_text[] =
"KEY FILE FORMAT\n"
"    One key per line, \"KEYWORD HEX\"; HEX may start with 0x. Blank lines\n"
"    and everything after # are ignored.\n"
"      enc HEX   the cipher key (all algorithms)\n"
"      auth HEX  the HMAC key (aes-cbc-*)\n"
"      salt HEX  the 4-byte salt (aes-gcm, chacha20-poly1305): the last 4\n"
"                bytes of the IKEv2 keying material of an AEAD SA\n"
"    The file must not be readable or writable by group or others\n"
"    (chmod 600 FILE), or s2svpnctl refuses it, as wg(8) does. Errors name\n"
"    the file and line, never the key. Keys are wiped from memory once\n"
"    sent.\n";

static const char manual_head[] =
"NAME\n"
"    s2svpnctl - configure and inspect s2svpn site-to-site IPsec VPN devices\n"
"\n"
"SYNOPSIS\n";

static const char manual_desc[] =
"DESCRIPTION\n"
"    An s2svpn device, created with \"ip link add s2svpn0 type s2svpn\", is\n"
"    one site-to-site VPN connection with up to two tunnels, 0 and 1, like\n"
"    AWS Site-to-Site VPN. A tunnel has outer endpoints (IPv4 or IPv6; ESP\n"
"    in UDP, port 4500), an optional inside peer address, one outbound SA\n"
"    and up to two inbound SAs (current and previous, so that a rekey\n"
"    loses no packet). s2svpnctl talks to the kernel module over the\n"
"    generic netlink family \"s2svpn\". An IKE daemon normally installs the\n"
"    SAs; with s2svpnctl they can be installed by hand (static keys). All\n"
"    commands but help and import-aws need CAP_NET_ADMIN.\n"
"\n"
"COMMANDS\n";

static const char manual_options[] =
"OPTIONS\n"
"    -j, --json     JSON output: show prints one document, monitor one\n"
"                   object per line. Numbers are numbers, absent values\n"
"                   null; key names are stable.\n"
"    -S, --control PATH\n"
"                   s2svpn-iked's control socket, for status, show and\n"
"                   metrics of one device (default /run/s2svpn/DEV.sock).\n"
"    -h, --help     print this manual.\n"
"    -V, --version  print the version.\n"
"\n";

static const char manual_tail[] =
"EXAMPLES\n"
"    ip link add s2svpn0 type s2svpn\n"
"    s2svpnctl tunnel set s2svpn0 0 remote 198.51.100.1 local 192.0.2.10 \\\n"
"        inside-peer 169.254.10.1\n"
"    umask 077; cat > tun0.keys <<EOF\n"
"    enc 0x000102030405060708090a0b0c0d0e0f\n"
"    salt 0xdeadbeef\n"
"    EOF\n"
"    s2svpnctl sa add s2svpn0 tunnel 0 dir out spi 0xc0010001 alg aes-gcm \\\n"
"        keyfile tun0.keys\n"
"    s2svpnctl set s2svpn0 active-tunnel 0 mss-clamp 1379\n"
"    ip route add 10.1.0.0/16 via 169.254.10.1 dev s2svpn0\n"
"    s2svpnctl show s2svpn0\n"
"    s2svpnctl -j monitor\n"
"    s2svpnctl status s2svpn0\n"
"    s2svpnctl metrics > /var/lib/node_exporter/s2svpn.prom.tmp &&\n"
"        mv /var/lib/node_exporter/s2svpn.prom.tmp \\\n"
"        /var/lib/node_exporter/s2svpn.prom\n"
"    s2svpnctl import-aws vpn-0a1b2c3d.txt -o /etc/s2svpn/vpn-0a1b2c3d.conf\n"
"    s2svpnctl import-aws vpn-0a1b2c3d.txt --psk-dir /etc/s2svpn \\\n"
"        -o /etc/s2svpn/vpn.conf --bird /etc/bird/aws.conf\n"
"\n"
"EXIT STATUS\n"
"    0  success.\n"
"    1  failure: the kernel refused the request (its message is printed),\n"
"       no such device, the module is not loaded, a key file is refused,\n"
"       an AWS configuration file is refused (import-aws).\n"
"    2  usage error: the command line is wrong.\n"
"\n"
"SEE ALSO\n"
"    ip-link(8), ip-route(8), wg(8), ip-xfrm(8)\n";

static void print_synopsis(FILE *f, const struct cmd_help *c, const char *pfx)
{
	fprintf(f, "%ss2svpnctl %s\n", pfx, c->synopsis);
}

static void print_entry(FILE *f, const struct cmd_help *c)
{
	print_synopsis(f, c, "  ");
	fputs(c->text, f);
}

void help_manual(FILE *f)
{
	fputs(manual_head, f);
	for (size_t i = 0; i < N_CMDS; i++)
		print_synopsis(f, &cmds[i], "    ");
	fputs("    s2svpnctl -h | --help | -V | --version\n\n", f);
	fputs(manual_desc, f);
	for (size_t i = 0; i < N_CMDS; i++) {
		print_entry(f, &cmds[i]);
		fputc('\n', f);
	}
	fputs(manual_options, f);
	fputs(key_file_text, f);
	fputc('\n', f);
	fputs(manual_tail, f);
}

/* "sa" matches "sa add" and "sa del"; "sa add" only itself. */
static bool cmd_matches(const char *name, const char *cmd)
{
	size_t n = strlen(cmd);

	return !strncmp(name, cmd, n) && (name[n] == '\0' || name[n] == ' ');
}

int help_command(FILE *f, const char *cmd)
{
	bool found = false;

	for (size_t i = 0; i < N_CMDS; i++) {
		if (!cmd_matches(cmds[i].name, cmd))
			continue;
		if (found)
			fputc('\n', f);
		print_entry(f, &cmds[i]);
		found = true;
	}
	if (found && !strncmp(cmd, "sa", 2))
		fprintf(f, "\n%s", key_file_text);
	return found ? 0 : -1;
}

/* "s2svpnctl: sa add: missing 'spi SPI'" and the synopsis, on stderr. */
void usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "s2svpnctl: %s%s", cmd ? cmd : "", cmd ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	for (size_t i = 0; cmd && i < N_CMDS; i++)
		if (cmd_matches(cmds[i].name, cmd))
			print_synopsis(stderr, &cmds[i], "usage: ");
	if (!cmd)
		fputs("usage: s2svpnctl [-j] [show|set|tunnel|sa|monitor|import-aws|"
		      "help] [ARGS]...\n", stderr);
	fprintf(stderr, "See 's2svpnctl help%s%s'.\n", cmd ? " " : "",
		cmd ? cmd : "");
}

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Interop with the kernel's own IPsec, AES-CBC with HMAC: s2svpn against xfrm
# ESP-in-UDP with AES-128/256-CBC and HMAC-SHA1/256/384/512, IPv4 and IPv6
# outer, and AES-256-CBC+HMAC-SHA256 with ESN (the cases are in xfrm_lib.sh).
#
# (Not in the async boot: its completion path is the one xfrm_interop and
# s2s_datapath drive there; CI's time goes to the QEMU boots instead.)
. "$(dirname "$0")/xfrm_lib.sh"

s2svpn_load
xfrm_run aes128-sha1 aes256-sha256 aes256-sha384 aes128-sha512
xfrm_run_esn aes256-sha256
echo "# $n_ok checks passed"

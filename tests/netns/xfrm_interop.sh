#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Interop with the kernel's own IPsec, AEAD algorithms: s2svpn against xfrm
# ESP-in-UDP with AES-GCM-128, AES-GCM-256 and ChaCha20-Poly1305, IPv4 and
# IPv6 outer, and AES-GCM-128 and ChaCha20-Poly1305 with ESN (the cases are
# in xfrm_lib.sh). ChaCha20-Poly1305 runs on s2svpn's library path
# (chapoly.c), or on the AEAD template in the async_crypto boot.
#
# s2svpn-test: async
. "$(dirname "$0")/xfrm_lib.sh"

s2svpn_load
xfrm_run aes128gcm16 aes256gcm16 chacha20poly1305
xfrm_run_esn aes128gcm16
xfrm_run_esn chacha20poly1305
echo "# $n_ok checks passed"

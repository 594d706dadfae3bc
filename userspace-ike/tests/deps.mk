# TEST_DEPS_<module> := other modules its suite links, e.g.
# TEST_DEPS_ike_sa := msg crypto
TEST_DEPS_crypto := kdf
TEST_DEPS_kdf := crypto
TEST_DEPS_dh := crypto kdf
TEST_DEPS_msg := msg_build
TEST_DEPS_msg_build := msg
TEST_DEPS_proposal := msg msg_build
# The daemon talks to the kernel through s2svpnctl's netlink client.
TEST_DEPS_kernel := ../tools/nl ../tools/msg ../tools/parse
TEST_DEPS_ike_sa := ike_exchange ike_child ike_cookie ike_sa_info msg msg_build proposal crypto kdf dh config
TEST_DEPS_control := log

# A TCP connection to a container that tests can watch across checkpoint/restore and migration:
# the container joins a network namespace by path (as a pod's, made by CNI), a client in a
# second namespace, joined by a veth pair, reads the container's counter off the connection.
#   make_netns_pair N            NETNS_SRV (10.213.N.1) and NETNS_CLI (10.213.N.2)
#   tcp_counter_bundle           make_bundle + args: the container joins NETNS_SRV and serves,
#                                on port 7000, one count a line every 50 ms on its one connection
#   start_tcp_client N           the client, reading into $TEST_TMP/client.out (CLIENT: its pid)
#   consecutive FILE             true when FILE's lines are 1, 2, 3, ... none missing or repeated
#   tcp_counter_teardown         stops the client, removes both namespaces (after the container)

make_netns_pair() {
    NETNS_SRV=mogu-tcp-srv-$$ NETNS_CLI=mogu-tcp-cli-$$
    ip netns add "$NETNS_SRV"
    ip netns add "$NETNS_CLI"
    ip link add "mts$$" netns "$NETNS_SRV" type veth peer name "mtc$$" netns "$NETNS_CLI"
    ip -n "$NETNS_SRV" addr add "10.213.$1.1/24" dev "mts$$"
    ip -n "$NETNS_CLI" addr add "10.213.$1.2/24" dev "mtc$$"
    local ns
    for ns in "$NETNS_SRV" "$NETNS_CLI"; do ip -n "$ns" link set lo up; done
    ip -n "$NETNS_SRV" link set "mts$$" up
    ip -n "$NETNS_CLI" link set "mtc$$" up
}

tcp_counter_bundle() {
    make_bundle "(.linux.namespaces[] | select(.type == \"network\")) += {path: \"/var/run/netns/$NETNS_SRV\"}" "$@"
    set_args nc -l -p 7000 -e sh -c 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.05; done'
}

start_tcp_client() {
    wait_for "ip netns exec $NETNS_SRV ss -Hltn 'sport = :7000' | grep -q LISTEN"
    ip netns exec "$NETNS_CLI" "$FIXTURE_ROOTFS/bin/busybox" nc "10.213.$1.1" 7000 >"$TEST_TMP/client.out" 2>"$TEST_TMP/client.err" &
    CLIENT=$!
    wait_for "test \$(wc -l <$TEST_TMP/client.out) -gt 5"
}

consecutive() { awk '$0 != NR { bad = 1; exit } END { exit bad || NR == 0 }' "$1"; }

tcp_counter_teardown() {
    [[ -n ${CLIENT:-} ]] && kill "$CLIENT" 2>/dev/null && wait "$CLIENT" 2>/dev/null
    [[ -n ${NETNS_SRV:-} ]] && ip netns del "$NETNS_SRV" 2>/dev/null
    [[ -n ${NETNS_CLI:-} ]] && ip netns del "$NETNS_CLI" 2>/dev/null
    return 0
}

#!/usr/bin/env bats
# What a container sees: its namespaces, root filesystem, mounts, devices and process settings.

load lib/runtime

setup() { runtime_setup; }
teardown() { runtime_teardown; }

in_container() {
    set_args sh -c "$1"
    run mogu run "$ID"
}

@test "/proc shows only the container's processes" {
    make_bundle
    in_container 'ls -d /proc/[0-9]* | wc -l; cat /proc/1/cmdline | tr "\0" " "'
    [ "$status" -eq 0 ]
    # sh itself, and the ls and wc of the pipeline (which come and go), nothing of the host's
    [ "${lines[0]}" -le 4 ]
    [[ ${lines[1]} == "sh -c"* ]]
}

@test "the hostname and domainname are the container's own" {
    make_bundle '.hostname = "box1" | .domainname = "example.test"'
    in_container 'hostname; cat /proc/sys/kernel/domainname'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = box1 ]
    [ "${lines[1]}" = example.test ]
    [ "$(hostname)" != box1 ]
}

@test "a read-only rootfs refuses writes, a writable one accepts them" {
    make_bundle '.root.readonly = true'
    in_container 'touch /newfile'
    [ "$status" -ne 0 ]
    [[ $output == *"Read-only file system"* ]]
    COPY_ROOTFS=1 make_bundle '.root.readonly = false'
    in_container 'touch /newfile && echo wrote'
    [ "$status" -eq 0 ]
    [ -e "$BUNDLE/rootfs/newfile" ]
}

@test "masked paths are empty and read-only paths refuse writes" {
    [ -e /proc/keys ] && [ -e /proc/timer_list ] || skip "this kernel has no /proc/keys or /proc/timer_list to mask"
    [ -n "$(head -c1 /proc/timer_list)" ]
    make_bundle
    in_container 'wc -c </proc/keys; wc -c </proc/timer_list; ls /sys/firmware | wc -l; echo x >/proc/sys/kernel/domainname'
    [ "${lines[0]}" = 0 ]
    [ "${lines[1]}" = 0 ]
    [ "${lines[2]}" = 0 ]
    [[ $output == *"Read-only file system"* ]]
    [ "$status" -ne 0 ]
}

@test "the network namespace has only loopback" {
    make_bundle
    in_container 'ls /sys/class/net'
    [ "$status" -eq 0 ]
    [ "$output" = lo ]
}

@test "the cgroup namespace makes the container's cgroup its root" {
    # mogu spec lists one only on a pure cgroup v2 host, as runc's does.
    make_bundle '.linux.namespaces |= map(select(.type != "cgroup")) + [{"type": "cgroup"}]'
    in_container 'cat /proc/self/cgroup'
    [ "$status" -eq 0 ]
    while read -r line; do
        [[ $line == *":/" ]]
    done <<<"$output"
}

@test "the container's cgroups are mounted read-only at /sys/fs/cgroup" {
    make_bundle
    in_container 'ls /sys/fs/cgroup; mkdir /sys/fs/cgroup/x'
    [[ $output == *memory* ]]
    [[ $output == *"Read-only file system"* ]]
}

@test "bind mounts honour ro, and tmpfs mounts take their options" {
    make_bundle
    mkdir -p "$TEST_TMP/share"
    echo shared >"$TEST_TMP/share/file"
    edit_config ".mounts += [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$TEST_TMP/share\", \"options\": [\"rbind\", \"ro\"]},
                             {\"destination\": \"/scratch\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"size=1m\", \"mode=700\"]}]"
    in_container 'cat /data/file; touch /data/x; stat -c %a /scratch; df -k /scratch | tail -1'
    [ "${lines[0]}" = shared ]
    [[ $output == *"Read-only file system"* ]]
    [[ $output == *$'\n700\n'* ]]
    [[ ${lines[-1]} == *" 1024 "* ]]
    [ ! -e "$TEST_TMP/share/x" ]
}

@test "tmpcopyup fills a new tmpfs with the directory's content, which stays untouched below" {
    COPY_ROOTFS=1 make_bundle '.mounts += [{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "nosuid"]}]'
    mkdir -p "$BUNDLE/rootfs/data/sub"
    echo hello >"$BUNDLE/rootfs/data/sub/file"
    ln -s sub/file "$BUNDLE/rootfs/data/link"
    ln "$BUNDLE/rootfs/data/sub/file" "$BUNDLE/rootfs/data/hard"
    chown 1000:1000 "$BUNDLE/rootfs/data/sub/file"
    chmod 0604 "$BUNDLE/rootfs/data/sub/file"
    touch -d '2001-02-03 04:05:06' "$BUNDLE/rootfs/data/sub/file"
    mkfifo "$BUNDLE/rootfs/data/fifo"
    set_args sh -c 'stat -fc %T /data; cat /data/link; stat -c "%u:%g %a %Y %h" /data/sub/file; ls -l /data/fifo | cut -c1; echo new >/data/newfile && echo written'
    run mogu run "$ID"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = tmpfs ]
    [ "${lines[1]}" = hello ]
    [ "${lines[2]}" = "1000:1000 604 $(date -d '2001-02-03 04:05:06' +%s) 2" ]
    [ "${lines[3]}" = p ]
    [ "${lines[4]}" = written ]
    # The write went to the tmpfs, not to the image.
    [ ! -e "$BUNDLE/rootfs/data/newfile" ]
}

@test "a tmpfs without mode= takes the mode of the directory it covers, set-id and sticky bits included" {
    COPY_ROOTFS=1 make_bundle '.mounts += [{"destination": "/shared", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]},
                                           {"destination": "/given", "type": "tmpfs", "source": "tmpfs", "options": ["mode=0700"]}]'
    mkdir -p "$BUNDLE/rootfs/shared" "$BUNDLE/rootfs/given"
    chmod 3775 "$BUNDLE/rootfs/shared"
    chmod 0755 "$BUNDLE/rootfs/given"
    set_args sh -c 'stat -c %a /shared /given'
    run mogu run "$ID"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 3775 ]
    [ "${lines[1]}" = 700 ]
}

@test "a read-only /dev is filled with devices first, then made read-only" {
    make_bundle '.mounts |= map(if .destination == "/dev" then .options += ["ro"] else . end)'
    set_args sh -c 'ls /dev/null /dev/zero /dev/ptmx >/dev/null && echo devices; echo x >/dev/null && echo null-writable; touch /dev/newfile || echo refused'
    run mogu run "$ID"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = devices ]
    [ "${lines[1]}" = null-writable ]
    [[ $output == *"Read-only file system"* ]]
    [[ $output == *refused* ]]
    assert_nothing_left
}

@test "a mount destination that is a symlink out of the rootfs stays inside it" {
    COPY_ROOTFS=1 make_bundle
    mkdir -p "$TEST_TMP/host-target"
    ln -s "$TEST_TMP/host-target" "$BUNDLE/rootfs/escape"
    edit_config '.mounts += [{"destination": "/escape/inside", "type": "tmpfs", "source": "tmpfs"}]'
    in_container "readlink /escape; grep -c ' $TEST_TMP/host-target/inside ' /proc/self/mountinfo"
    [ "$status" -eq 0 ]
    # Inside the container the link's target is the container's own path of that name, where
    # the tmpfs landed; on the host nothing was made.
    [ "${lines[0]}" = "$TEST_TMP/host-target" ]
    [ "${lines[1]}" = 1 ]
    [ ! -e "$TEST_TMP/host-target/inside" ]
}

@test "default and spec devices exist with the right numbers" {
    make_bundle '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]'
    in_container 'stat -c "%n %t:%T %a" /dev/null /dev/zero /dev/urandom /dev/fuse; echo x >/dev/null && echo null-ok; readlink /dev/ptmx; readlink /dev/fd'
    [ "$status" -eq 0 ]
    [[ $output == *"/dev/null 1:3 666"* ]]
    [[ $output == *"/dev/fuse a:e5 666"* ]]
    [[ $output == *null-ok* ]]
    [[ $output == *pts/ptmx* ]]
    [[ $output == */proc/self/fd* ]]
}

@test "user, group, additional groups, cwd, env and umask are applied" {
    make_bundle '.process.user = {"uid": 1000, "gid": 100, "additionalGids": [29, 65534], "umask": 63}
                 | .process.cwd = "/home/user" | .process.env += ["MOGU_TEST=yes"]'
    in_container 'id; pwd; echo $MOGU_TEST $HOME; umask'
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "uid=1000(user) gid=100(users) groups=29(audio),65534(nogroup)"* ]] || [[ ${lines[0]} == "uid=1000(user) gid=100(users) groups=100(users),29(audio),65534(nogroup)"* ]]
    [ "${lines[1]}" = /home/user ]
    [ "${lines[2]}" = "yes /home/user" ]
    [ "${lines[3]}" = 0077 ]
}

@test "a missing cwd is created" {
    make_bundle '.process.cwd = "/tmp/made/for/me"'
    in_container 'pwd'
    [ "$status" -eq 0 ]
    [ "$output" = /tmp/made/for/me ]
}

@test "a cwd whose parents only root may pass is entered before the switch to the user" {
    # /secret is 0700 root: uid 1000 cannot pass it, but its cwd below it is uid 1000's own.
    COPY_ROOTFS=1 make_bundle '.process.user = {"uid": 1000, "gid": 1000} | .process.cwd = "/secret/work"'
    mkdir -p "$BUNDLE/rootfs/secret/work"
    chmod 0700 "$BUNDLE/rootfs/secret"
    chown 1000:1000 "$BUNDLE/rootfs/secret/work"
    set_args sh -c 'pwd; id -u; ls . && echo listed'
    run mogu run "$ID"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = /secret/work ]
    [ "${lines[1]}" = 1000 ]
    [ "${lines[2]}" = listed ]
}

@test "a seccomp profile that fails getcwd does not fail create" {
    # Without noNewPrivileges the filter goes on before the user switch; the cwd check must
    # not take a refused getcwd for a breakout.
    make_bundle '.process.noNewPrivileges = false' \
        '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO"}]}'
    set_args sh -c 'echo started'
    run mogu run "$ID"
    [ "$status" -eq 0 ]
    [[ $output == *started* ]]
}

@test "rlimits, oomScoreAdj and sysctls are applied" {
    make_bundle '.process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 2048, "soft": 512}, {"type": "RLIMIT_NPROC", "hard": 300, "soft": 300}]
                 | .process.oomScoreAdj = 123 | .linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "123456789"}'
    in_container 'ulimit -n; ulimit -Hn; ulimit -u; cat /proc/self/oom_score_adj; cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax'
    [ "$status" -eq 0 ]
    [ "$output" = $'512\n2048\n300\n123\n1\n123456789' ]
}

@test "capabilities in the spec are the process's capabilities" {
    make_bundle
    in_container 'grep -E "^Cap(Eff|Bnd)" /proc/self/status'
    [ "$status" -eq 0 ]
    # CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29)
    [[ $output == *"CapEff:	0000000020000420"* ]]
    [[ $output == *"CapBnd:	0000000020000420"* ]]
}

@test "--no-pivot runs the container with MS_MOVE and chroot" {
    make_bundle
    set_args sh -c 'ls / | wc -l'
    run mogu run --no-pivot "$ID"
    [ "$status" -eq 0 ]
    [ "$output" -gt 5 ]
    assert_nothing_left
}

@test "--no-pivot leaves no host proc or sysfs that would let the container mount an unmasked /proc" {
    # The kernel allows a new procfs only while every procfs the process can see is fully
    # visible. After MS_MOVE + chroot the host's /proc would still be in the mount namespace,
    # unobstructed: a user namespace inside the container could then mount its own.
    local probe='unshare -mrpf mount -t proc none /proc && echo mounted'
    # Docker's default capabilities: CAP_SETFCAP lets `unshare -r` map root (Linux >= 5.12).
    local caps='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID",
                 "CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"]'
    local docker_caps=".process.capabilities = {\"bounding\": $caps, \"effective\": $caps, \"permitted\": $caps}"
    # The probe works: with nothing masked a container may mount a proc of its own.
    make_bundle "$docker_caps" '.linux.maskedPaths = [] | .linux.readonlyPaths = []'
    set_args sh -c "$probe"
    run mogu run "$ID"
    [[ $output == *mounted* ]]
    # With the usual masks it may not, with or without pivot_root.
    make_bundle "$docker_caps"
    set_args sh -c "$probe"
    run mogu run "$ID"
    [[ $output != *mounted* ]]
    run mogu run --no-pivot "$ID"
    [[ $output != *mounted* ]]
    assert_nothing_left
}

@test "every rootfsPropagation value works with the bundle on the host's / filesystem" {
    local host_mount p want
    host_mount=$(stat -c %m "$FIXTURE_ROOTFS")
    [ "$host_mount" = / ] || echo "# note: the fixture rootfs is not on / here ($host_mount)" >&3
    # A slave needs a shared master: on a host whose mount is private, "slave" leaves it private.
    local host_shared=no
    awk -v m="$host_mount" '$5 == m' /proc/self/mountinfo | grep -q ' shared:' && host_shared=yes
    for p in unbindable runbindable private rprivate slave rslave shared rshared; do
        make_bundle ".linux.rootfsPropagation = \"$p\""
        set_args sh -c "awk '\$5 == \"/\" {print}' /proc/self/mountinfo"
        run mogu run "$ID"
        [ "$status" -eq 0 ] || { echo "rootfsPropagation $p: $output"; return 1; }
        case $p in
            *unbindable) want=unbindable ;;
            *shared) want=shared: ;;
            *slave) [[ $host_shared == yes ]] && want=master: || want= ;;
            *) want= ;;
        esac
        if [[ -n $want ]]; then
            [[ $output == *"$want"* ]] || { echo "rootfsPropagation $p: / is not $want: $output"; return 1; }
        else
            [[ $output != *shared:* && $output != *master:* && $output != *unbindable* ]] || { echo "rootfsPropagation $p: $output"; return 1; }
        fi
    done
    assert_nothing_left
}

@test "a namespace given by path is joined" {
    make_bundle
    set_args sleep 100
    run_detached "$ID"
    local pid
    pid=$(mogu state "$ID" | jq .pid)
    local id2=$ID-join
    ID=$id2 make_bundle ".linux.namespaces |= map(if .type == \"uts\" then .path = \"/proc/$pid/ns/uts\" else . end) | .hostname = \"\""
    edit_config ".linux.cgroupsPath = \"$CGROUP_PARENT/$id2\""
    set_args hostname
    run mogu run "$id2"
    [ "$status" -eq 0 ]
    [ "$output" = mogu ]
}

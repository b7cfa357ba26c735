# Cgroup helpers shared by tests, the demo and the benches (source it; bash).
#   cgroup_mounts           every cgroup (v1) and cgroup2 mount point of this host, one a line
#   remove_cgroup_parent P  removes the parent cgroup P (e.g. /mogu-test) that containers were put
#                           under, in every hierarchy. rmdir only: a parent that still holds a
#                           container's cgroup stays. The runtime removes a container's own cgroup
#                           on delete but, like runc, never the parents it created on the way,
#                           which other containers may share; whoever chose the parent removes it.

cgroup_mounts() { awk '$9 == "cgroup" || $9 == "cgroup2" {print $5}' /proc/self/mountinfo; }

remove_cgroup_parent() {
    local parent=$1 m
    [[ $parent == /?* && $parent != *..* ]] || return 0
    for m in $(cgroup_mounts); do
        rmdir "$m$parent" 2>/dev/null || true
    done
}

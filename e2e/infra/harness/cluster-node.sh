#!/usr/bin/env bash
# The machine-level part of the cluster tier (e2e/infra/harness/cluster.ts), as root:
#   cluster-node.sh up DIR     network namespace DIR/netns (a bind mount of an nsfs, no `ip netns`), a veth
#                              pair ep<N>h (host, 10.231.<N>.1/30) <-> ep<N>n (namespace, 10.231.<N>.2/30),
#                              forwarding and bridge netfilter inside the namespace only, a cgroup
#                              eaglepool-<N> in every cgroup v1 hierarchy (the kubelet's cgroupRoot), and the
#                              three kernel sysctls the kubelet rewrites saved to DIR/node.env. Prints N.
#   cluster-node.sh down DIR   undoes all of it (idempotent): kills what still runs in the cgroups and the
#                              containerd shims of DIR's socket, unmounts everything under DIR, removes the
#                              cgroups, the veth and the namespace (its iptables rules go with it), restores
#                              the sysctls, drops the kubelet's /var/log/containers links into DIR, deletes DIR.
# Nothing is routed beyond the /30 link and the pod bridge: the namespace has no default route.
set -euo pipefail
cmd=${1:?usage: cluster-node.sh up|down DIR}
dir=$(realpath -m "${2:?usage: cluster-node.sh up|down DIR}")
KUBELET_SYSCTLS=(vm.overcommit_memory kernel.panic kernel.panic_on_oops)

cgroup_dirs() { # every v1 hierarchy (and the unified one in hybrid mode) mounted under /sys/fs/cgroup
  awk '$9 == "cgroup" || $9 == "cgroup2" {print $5}' /proc/self/mountinfo | grep '^/sys/fs/cgroup/' | sort -u
}

up() {
  mkdir -p "$dir"
  local n=""
  for i in $(seq 1 250); do
    # `ip link add` is atomic: the first free index wins even against a concurrent `up`.
    if ip link add "ep${i}h" type veth peer name "ep${i}n" 2>/dev/null; then
      n=$i
      break
    fi
  done
  [ -n "$n" ] || { echo "cluster-node: no free veth index (ep1h..ep250h all exist)" >&2; exit 1; }
  {
    echo "INDEX=$n"
    echo "HOST_IF=ep${n}h"
    echo "HOST_IP=10.231.$n.1"
    echo "NODE_IP=10.231.$n.2"
    echo "CGROUP=eaglepool-$n"
    for s in "${KUBELET_SYSCTLS[@]}"; do echo "SYSCTL_${s//./_}=$(sysctl -n "$s")"; done
  } >"$dir/node.env"
  touch "$dir/netns"
  unshare --net="$dir/netns" true
  ip link set "ep${n}n" netns "$dir/netns"
  # IPv4 only on the link (no IPv6 link-local chatter).
  sysctl -q -w "net.ipv6.conf.ep${n}h.disable_ipv6=1"
  ip addr add "10.231.$n.1/30" dev "ep${n}h"
  ip link set "ep${n}h" up
  local ns=(nsenter --net="$dir/netns")
  "${ns[@]}" ip link set lo up
  "${ns[@]}" sysctl -q -w "net.ipv6.conf.ep${n}n.disable_ipv6=1"
  "${ns[@]}" ip addr add "10.231.$n.2/30" dev "ep${n}n"
  "${ns[@]}" ip link set "ep${n}n" up
  "${ns[@]}" sysctl -q -w net.ipv4.ip_forward=1
  [ -e /proc/sys/net/bridge ] || modprobe br_netfilter
  "${ns[@]}" sysctl -q -w net.bridge.bridge-nf-call-iptables=1
  local c
  for c in $(cgroup_dirs); do
    mkdir -p "$c/eaglepool-$n"
    if [ -f "$c/cpuset.cpus" ]; then
      cat "$c/cpuset.cpus" >"$c/eaglepool-$n/cpuset.cpus"
      cat "$c/cpuset.mems" >"$c/eaglepool-$n/cpuset.mems"
    fi
  done
  echo "$n"
}

down() {
  [ -f "$dir/node.env" ] || { rm -rf "$dir"; return 0; }
  # shellcheck disable=SC1091
  source "$dir/node.env"
  local c pid
  # Container processes (children of containerd shims), then the shims of this cluster's containerd.
  for _ in 1 2 3; do
    for c in $(cgroup_dirs); do
      [ -d "$c/$CGROUP" ] || continue
      find "$c/$CGROUP" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
    done
    for pid in $(ps -eo pid=,args= | awk -v sock="$dir/containerd/containerd.sock" 'index($0, "-address " sock) {print $1}'); do
      kill -KILL "$pid" 2>/dev/null || true
    done
    sleep 0.2
  done
  # Mounts under DIR (pod volumes, container root filesystems, sandbox netns and shm), deepest first.
  awk '{print $5}' /proc/self/mountinfo | grep -F "$dir/" | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
  for c in $(cgroup_dirs); do
    [ -d "$c/$CGROUP" ] && find "$c/$CGROUP" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  ip link del "$HOST_IF" 2>/dev/null || true
  for s in "${KUBELET_SYSCTLS[@]}"; do
    local var="SYSCTL_${s//./_}"
    [ -n "${!var:-}" ] && sysctl -q -w "$s=${!var}" || true
  done
  if [ -d /var/log/containers ]; then
    find /var/log/containers -maxdepth 1 -type l -lname "$dir/*" -delete 2>/dev/null || true
  fi
  rm -rf "$dir"
}

case $cmd in
  up) up ;;
  down) down ;;
  *) echo "usage: cluster-node.sh up|down DIR" >&2; exit 2 ;;
esac

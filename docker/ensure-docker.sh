#!/usr/bin/env bash
# Makes sure a Docker daemon answers on this machine, for the docker runtime and its tests.
# Installs Debian's docker.io, mmdebstrap (offline base image) and the tools the harness uses
# (faketime for the local clock nemesis, conntrack), then starts dockerd in the background when
# no daemon answers. Idempotent: safe to call from CI on every run. Needs root (or sudo).
# Pulls nothing from any image registry: the node image is built from Debian's packages.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
command -v faketime >/dev/null 2>&1 || need+=(faketime)
command -v conntrack >/dev/null 2>&1 || need+=(conntrack)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
if [ "${#need[@]}" -gt 0 ]; then
  echo "ensure-docker: installing ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

if docker info >/dev/null 2>&1; then
  echo "ensure-docker: daemon already answers" >&2
  exit 0
fi

LOG="${DOCKERD_LOG:-/tmp/faultline-dockerd.log}"
echo "ensure-docker: starting dockerd (log: $LOG)" >&2
# containerd is started by dockerd itself when no system containerd runs.
$SUDO sh -c "nohup dockerd >'$LOG' 2>&1 &"

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "ensure-docker: daemon answers ($(docker version --format '{{.Server.Version}}'))" >&2
    exit 0
  fi
  sleep 0.5
done
echo "ensure-docker: dockerd did not answer within 30 s; last lines of $LOG:" >&2
tail -n 20 "$LOG" >&2 || true
exit 1

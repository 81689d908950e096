#!/usr/bin/env bash
# Exercises the Debian package's systemd unit under a real systemd PID 1, which the suite cannot do (its tests start
# the server the way the unit does, without systemd). Boots a throw-away container of this machine's own root file
# system (systemd-nspawn --volatile=overlay: every write goes to a tmpfs and is gone afterwards; private network, so
# the container's services cannot clash with the host's ports) into basic.target, so that no service enabled on the
# host starts in it; then installs the package, checks the refused start with the placeholder key, starts, looks up,
# kills, restarts and stops the service, and prints systemd-analyze security's score.
#
#   sudo distribution/src/test/sh/unit-under-systemd.sh distribution/target/xspct-db_0.1.0_amd64.deb
#
# Needs root, Debian 12 or similar with systemd-container (systemd-nspawn), curl. Not part of ./dev.sh test.
set -euo pipefail

deb="$(readlink -f "${1:?usage: $0 XSPCT-DB.deb}")"
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
command -v systemd-nspawn >/dev/null || { echo "needs systemd-nspawn (Debian package systemd-container)" >&2; exit 1; }

work="$(mktemp -d /tmp/xspct-unit.XXXXXX)"
mkdir "$work/root" "$work/share"
cp "$deb" "$work/share/xspct-db.deb"
machine="xspctunit$$"
key="unit-check-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"

# nspawn refuses "/" itself: bind it elsewhere, in a mount namespace of our own so that nobody else sees the bind
unshare --mount --propagation private sh -c "mount --bind / '$work/root' && exec systemd-nspawn --quiet \
    --register=no --keep-unit --directory='$work/root' --volatile=overlay --private-network --machine=$machine \
    --bind-ro='$work/share:/srv/unit-check' -b systemd.unit=basic.target" >"$work/boot.log" 2>&1 &
nspawn=$!

cleanup() {
  if [ -n "${init:-}" ] && kill -0 "$init" 2>/dev/null; then
    in_container systemctl poweroff >/dev/null 2>&1 || true
  fi
  for _ in $(seq 1 100); do kill -0 "$nspawn" 2>/dev/null || break; sleep 0.2; done
  kill "$nspawn" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

in_container() { nsenter -t "$init" -m -u -i -n -p "$@"; }
fail() { echo "FAILED: $*" >&2; in_container journalctl -u xspct-db --no-pager 2>/dev/null | tail -20 >&2; exit 1; }

# the container's PID 1: the systemd that nspawn started
init=""
for _ in $(seq 1 150); do
  init="$(pgrep -x -P "$nspawn" systemd || true)"
  [ -n "$init" ] && break
  sleep 0.2
done
[ -n "$init" ] || { cat "$work/boot.log" >&2; echo "FAILED: the container did not boot" >&2; exit 1; }
for _ in $(seq 1 150); do
  state="$(in_container systemctl is-system-running 2>/dev/null || true)"
  case "$state" in running|degraded) break ;; esac
  sleep 0.2
done
echo "container booted ($state), systemd $(in_container systemctl --version | head -n1 | cut -d' ' -f2)"

in_container sh -c 'dpkg -P xspct-db >/dev/null 2>&1; dpkg -i /srv/unit-check/xspct-db.deb >/dev/null' \
  || fail "dpkg -i"
[ "$(in_container systemctl is-enabled xspct-db)" = enabled ] || fail "not enabled by the installation"
[ "$(in_container systemctl is-active xspct-db || true)" = inactive ] || fail "started by the installation"
echo "installed: enabled, not started"

# the placeholder key: refused by ExecStartPre with exit 2, retried at most StartLimitBurst times, then failed
in_container systemctl start xspct-db 2>/dev/null && fail "started with the placeholder key"
deadline=$((SECONDS + 90))
while [ "$(in_container systemctl show -p ActiveState --value xspct-db)" != failed ] && [ $SECONDS -lt $deadline ]; do
  sleep 0.5
done
restarts="$(in_container systemctl show -p NRestarts --value xspct-db)"
in_container journalctl -u xspct-db --no-pager | grep -q 'status=2/' || fail "the check's exit code 2 is not logged"
[ "$(in_container systemctl show -p ActiveState --value xspct-db)" = failed ] || fail "still retrying"
echo "placeholder key: refused (exit 2), gave up after $restarts restarts"

in_container sed -i "s|^xspct_db_api_key:.*|xspct_db_api_key: $key|" /etc/xspct-db/xspct-db.yml
in_container systemctl reset-failed xspct-db
in_container systemctl start xspct-db || fail "start"
port="$(in_container sed -n 's/^xspct_db_listen_port: *//p' /etc/xspct-db/xspct-db.yml)"
ping() {
  for _ in $(seq 1 300); do
    [ "$(in_container curl -s -m 2 "127.0.0.1:$port/ping" || true)" = Pong ] && return 0
    sleep 0.2
  done
  return 1
}
ping || fail "no answer to /ping"
main="$(in_container systemctl show -p MainPID --value xspct-db)"
echo "started: $(in_container ps -o user=,pid= -p "$main"), $(in_container grep -E '^(CapEff|NoNewPrivs|Seccomp):' \
  "/proc/$main/status" | tr -s '\t\n' ' ')"
in_container curl -s -f -H "X-Api-Key: $key" "127.0.0.1:$port/v1/query/postmaster@example.org" | grep -q '"users"' \
  || fail "lookup"
echo "lookup answered"

in_container kill -9 "$main"
for _ in $(seq 1 300); do
  now="$(in_container systemctl show -p MainPID --value xspct-db)"
  [ "$now" != 0 ] && [ "$now" != "$main" ] && break
  sleep 0.2
done
ping || fail "not restarted after SIGKILL"
echo "restarted after SIGKILL (Restart=on-failure)"

in_container systemctl stop xspct-db
[ "$(in_container systemctl show -p ExecMainStatus --value xspct-db)" = 0 ] || fail "stop: exit status not 0"
in_container journalctl -u xspct-db --no-pager | grep -q 'xspct-db stopped' || fail "no 'stopped' line"
echo "stopped: exit 0"
in_container systemd-analyze security xspct-db.service --no-pager | tail -n1
echo "OK"

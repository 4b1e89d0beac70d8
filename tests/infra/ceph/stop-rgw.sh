#!/usr/bin/env bash
# Stops the daemons start-rgw.sh started in SCRATCH (by their pid files) and waits until they
# are gone. Safe to run twice or on a half-started cluster. Usage: stop-rgw.sh SCRATCH
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 SCRATCH" >&2; exit 2; }
run=$1/run
[ -d "$run" ] || exit 0

# name of the pid file -> the process name it must belong to (guards against reused pids).
declare -A comm=([client.rgw]=radosgw [mgr.x]=ceph-mgr [osd.0]=ceph-osd [mon.a]=ceph-mon)
# SIGKILL straight away: the cluster is throw-away and a graceful stop takes seconds per daemon.
pids=()
for name in client.rgw mgr.x osd.0 mon.a; do
  file=$run/$name.pid
  [ -f "$file" ] || continue
  pid=$(cat "$file")
  if [[ $pid =~ ^[0-9]+$ ]] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "${comm[$name]}" ]; then
    kill -KILL "$pid" 2>/dev/null && pids+=("$pid")
  fi
  rm -f "$file"
done

# Wait until they are gone (a zombie awaiting its reaper counts as gone: it holds no ports).
gone() { local state; state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0; [ "$state" = Z ]; }
for _ in $(seq 100); do
  busy=0
  for pid in "${pids[@]}"; do gone "$pid" || busy=1; done
  [ $busy -eq 0 ] && exit 0
  sleep 0.05
done
echo "stop-rgw: some daemons did not exit: ${pids[*]}" >&2
exit 1

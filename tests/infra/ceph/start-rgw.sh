#!/usr/bin/env bash
# Starts a throw-away single-node Ceph cluster (mon + mgr + one memstore OSD + radosgw) on
# loopback, for tests. Everything lives in SCRATCH: config, data, logs, sockets, pid files.
# No systemd, no /etc/ceph, auth none; runs as the current user.
#
# Usage: start-rgw.sh SCRATCH RGW_PORT
# Success: prints one line "endpoint=http://127.0.0.1:PORT access_key=... secret_key=... bucket=..."
# Failure: prints "start-rgw: FAILED: <reason>" on stderr, then the tail of the relevant log,
#          stops whatever it started and exits non-zero.
# Stop with: stop-rgw.sh SCRATCH
# Environment: CEPH_START_TIMEOUT (seconds, default 120) bounds the whole start.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
readonly access_key=DAPRVIDEOTESTACCESS1
readonly secret_key=daprvideo-test-secret-key-not-for-production
readonly bucket=daprvideo
readonly s3_user=daprvideo-test
# Debian's interpreter (a ceph-common dependency), never a user's pyenv/venv shim.
readonly py=/usr/bin/python3

usage() { echo "usage: $0 SCRATCH RGW_PORT" >&2; exit 2; }
[ $# -eq 2 ] || usage
scratch=$1
rgw_port=$2
[[ $rgw_port =~ ^[0-9]{1,5}$ ]] && [ "$rgw_port" -ge 1024 ] && [ "$rgw_port" -le 65535 ] ||
  { echo "start-rgw: FAILED: RGW_PORT must be a number in 1024..65535, got '$rgw_port'" >&2; exit 2; }

relevant_log=""
fail() {
  echo "start-rgw: FAILED: $*" >&2
  if [ -n "$relevant_log" ] && [ -f "$relevant_log" ]; then
    echo "--- last lines of $relevant_log ---" >&2
    tail -n 25 "$relevant_log" >&2
  fi
  "$here/stop-rgw.sh" "$scratch" >/dev/null 2>&1 || true
  exit 1
}
trap 'fail "unexpected error at line $LINENO: $BASH_COMMAND"' ERR

missing=()
for tool in ceph-mon ceph-mgr ceph-osd radosgw radosgw-admin ceph monmaptool; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ -x "$py" ] || missing+=("$py")
[ ${#missing[@]} -eq 0 ] ||
  fail "missing ${missing[*]}; run scripts/require-packages.sh test (apt: ceph-mon ceph-mgr ceph-osd radosgw)"

mkdir -p "$scratch"
scratch=$(cd "$scratch" && pwd)
[ -z "$(ls -A "$scratch")" ] || fail "scratch directory $scratch is not empty"
# Unix admin sockets are limited to 107 bytes; keep the run dir short enough.
[ ${#scratch} -le 70 ] || fail "scratch path too long for admin sockets (${#scratch} > 70 chars): $scratch"
mkdir -p "$scratch"/{run,log,mon/a,osd/0,mgr/x,rgw}

deadline=$((SECONDS + ${CEPH_START_TIMEOUT:-120}))
# A free loopback port for the monitor (the OSD picks its own from ms_bind_port_min..max).
mon_port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fsid=$(cat /proc/sys/kernel/random/uuid)
conf=$scratch/ceph.conf
export CEPH_CONF=$conf

cat >"$conf" <<EOF
[global]
fsid = $fsid
mon_host = v2:127.0.0.1:$mon_port
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
ms_bind_msgr1 = false
ms_bind_ipv6 = false
# No cephx: a loopback test cluster. The mon client must then not insist on "secure" mode.
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
ms_mon_client_mode = crc
ms_client_mode = crc
ms_cluster_mode = crc
ms_service_mode = crc
keyring = /dev/null
run_dir = $scratch/run
admin_socket = $scratch/run/\$name.asok
pid_file = $scratch/run/\$name.pid
log_file = $scratch/log/\$name.log
crash_dir = $scratch/log
log_to_stderr = false
err_to_stderr = false
# One OSD: single replicas, few placement groups, no autoscaling, no health noise.
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_warn_on_pool_no_redundancy = false
osd_crush_chooseleaf_type = 0
# Commit map changes quickly: cluster creation is a chain of small map updates.
paxos_propose_interval = 0.05
paxos_min_wait = 0.01

[mon]
mon_data = $scratch/mon/\$id
mon_cluster_log_file = $scratch/log/cluster.log
mon_initial_members = a
mon_data_avail_warn = 2
mon_data_avail_crit = 1
mon_warn_on_insecure_global_id_reclaim_allowed = false
# Only the mgr's always-on modules (disabling those too saves ~150 MB but turns health to ERR).
mgr_initial_modules =

[mgr]
mgr_data = $scratch/mgr/\$id

[osd]
osd_data = $scratch/osd/\$id
osd_objectstore = memstore
memstore_device_bytes = 1073741824
osd_op_num_shards = 2
osd_op_num_threads_per_shard = 1

[client.rgw]
rgw_data = $scratch/rgw
rgw_frontends = beast endpoint=127.0.0.1:$rgw_port
rgw_thread_pool_size = 32
rgw_enable_usage_log = false
rgw_enable_ops_log = false
rgw_init_timeout = 90
EOF

# Monitor: map with one mon, mkfs, start (ceph-mon returns once it is serving).
relevant_log=$scratch/log/mon.a.log
monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$scratch/monmap" >/dev/null ||
  fail "monmaptool could not create the monitor map"
ceph-mon --mkfs -i a --monmap "$scratch/monmap" </dev/null >>"$scratch/log/mkfs.log" 2>&1 ||
  { relevant_log=$scratch/log/mkfs.log; fail "ceph-mon --mkfs failed"; }
ceph-mon -i a </dev/null >>"$scratch/log/daemons.out" 2>&1 || fail "ceph-mon did not start"

# OSD: register it with the monitor, build its memstore, start it.
relevant_log=$scratch/log/mon.a.log
osd_uuid=$(cat /proc/sys/kernel/random/uuid)
osd_id=$(timeout 30 ceph --connect-timeout 20 osd new "$osd_uuid" 2>>"$scratch/log/mkfs.log") ||
  fail "the monitor on 127.0.0.1:$mon_port did not answer 'ceph osd new'"
[ "$osd_id" = 0 ] || fail "expected osd id 0, the monitor gave '$osd_id'"
relevant_log=$scratch/log/mkfs.log
ceph-osd -i 0 --mkfs --osd-uuid "$osd_uuid" </dev/null >>"$scratch/log/mkfs.log" 2>&1 || fail "ceph-osd --mkfs failed"
relevant_log=$scratch/log/osd.0.log
ceph-osd -i 0 </dev/null >>"$scratch/log/daemons.out" 2>&1 || fail "ceph-osd did not start"

relevant_log=$scratch/log/mgr.x.log
ceph-mgr -i x </dev/null >>"$scratch/log/daemons.out" 2>&1 || fail "ceph-mgr did not start"

# radosgw creates its pools on first start; it answers HTTP once they are usable.
relevant_log=$scratch/log/client.rgw.log
radosgw -n client.rgw </dev/null >>"$scratch/log/daemons.out" 2>&1 || fail "radosgw did not start"

rgw_answers() {
  "$py" - "$rgw_port" <<'PY'
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/", timeout=2)
except urllib.error.HTTPError:
    pass  # any HTTP answer (even 403) means the gateway is serving
PY
}
rgw_alive() { [ -f "$scratch/run/client.rgw.pid" ] && kill -0 "$(cat "$scratch/run/client.rgw.pid")" 2>/dev/null; }
until rgw_answers >/dev/null 2>&1; do
  [ $SECONDS -lt $deadline ] || fail "timed out waiting for radosgw on 127.0.0.1:$rgw_port"
  rgw_alive || fail "radosgw exited before answering on 127.0.0.1:$rgw_port"
  sleep 0.2
done

relevant_log=$scratch/log/radosgw-admin.log
radosgw-admin user create --uid="$s3_user" --display-name="DaprVideo tests" \
  --access-key="$access_key" --secret-key="$secret_key" >"$scratch/log/radosgw-admin.log" 2>&1 ||
  fail "radosgw-admin could not create the S3 user"

# Create the bucket with an AWS signature v2 request (stdlib only; RGW accepts v2).
relevant_log=$scratch/log/bucket.log
"$py" - "$rgw_port" "$access_key" "$secret_key" "$bucket" <<'PY' 2>"$scratch/log/bucket.log" ||
import base64, hashlib, hmac, sys, urllib.request, urllib.error
from email.utils import formatdate
port, access, secret, bucket = sys.argv[1:5]
date = formatdate(usegmt=True)
ctype = "application/octet-stream"  # urllib would otherwise add one we did not sign
to_sign = f"PUT\n\n{ctype}\n{date}\n/{bucket}"
sig = base64.b64encode(hmac.new(secret.encode(), to_sign.encode(), hashlib.sha1).digest()).decode()
req = urllib.request.Request(f"http://127.0.0.1:{port}/{bucket}", method="PUT", data=b"",
                             headers={"Date": date, "Content-Type": ctype, "Authorization": f"AWS {access}:{sig}"})
try:
    urllib.request.urlopen(req, timeout=30)
except urllib.error.HTTPError as e:
    body = e.read().decode(errors="replace")
    if "BucketAlreadyOwnedByYou" not in body:
        sys.exit(f"create bucket: HTTP {e.code} {body}")
PY
  fail "could not create bucket '$bucket'"

trap - ERR
echo "endpoint=http://127.0.0.1:$rgw_port access_key=$access_key secret_key=$secret_key bucket=$bucket"

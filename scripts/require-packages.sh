#!/usr/bin/env bash
# Installs the Debian packages DaprVideo needs when they are missing (apt-get as root), or says
# exactly what to run when we are not root. Usage: scripts/require-packages.sh [runtime|test]
set -euo pipefail
mode=${1:-runtime}

need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
# Captions need a real font: Skia's bundled assets carry none.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ "$mode" = test ]; then
  command -v node >/dev/null 2>&1 || need+=(nodejs)
  # Distributed-mode tests run a real single-node Ceph with its S3 gateway (tests/infra/ceph).
  command -v ceph-mon >/dev/null 2>&1 || need+=(ceph-mon)
  command -v ceph-mgr >/dev/null 2>&1 || need+=(ceph-mgr)
  command -v ceph-osd >/dev/null 2>&1 || need+=(ceph-osd)
  command -v radosgw >/dev/null 2>&1 || need+=(radosgw)
  # The viewer's browser tests drive headless Chromium over the DevTools protocol.
  [ -x /usr/bin/chromium ] || need+=(chromium)
  # The Dapr stand-in's pubsub.redis tests run a real redis-server (Redis Streams).
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  # The camera tests run a real RTSP server: GStreamer's gst-rtsp-server driven by the system python3
  # (tests/infra/rtsp); x264enc is in plugins-ugly, x265enc in plugins-bad, the RTP payloaders in plugins-good, and
  # timeoverlay (the clock burned into the picture) in gstreamer1.0-x, which only a recommends would bring.
  if ! /usr/bin/python3 -c 'import gi; gi.require_version("GstRtspServer", "1.0")' >/dev/null 2>&1; then
    need+=(python3 python3-gi gir1.2-gst-rtsp-server-1.0)
  fi
  for p in gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-plugins-bad gstreamer1.0-x; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
  done
fi
# De-duplicate.
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u | sed '/^$/d')
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "DaprVideo needs these Debian packages: ${need[*]}" >&2
  echo "Install them with: sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
  exit 3
fi
echo "Installing missing packages: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

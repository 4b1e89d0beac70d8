#!/usr/bin/env bash
# Starts DaprVideo on this machine, embedded: one process, no Dapr, no TF Serving. Serves the
# viewer, HLS and the API on http://127.0.0.1:8080 with a demo stream made from the bundled
# photos. Installs ffmpeg and a font when missing (as root), or says what to install.
# Arguments go to `serve` (e.g. --port 9000 --media ~/Videos).
set -euo pipefail
cd "$(dirname "$0")"
scripts/require-packages.sh runtime
exec dotnet run --project services/Embedded -c Release -- serve --demo "$@"

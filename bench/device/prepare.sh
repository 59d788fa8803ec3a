#!/usr/bin/env bash
# Prepares .dev/ (git-ignored) for a run on the GPU machine, which has no Node or npm: an xz-compressed
# node binary, Dawn's dawn.node, single-file bundles of the CLI and benchmarks, the MNIST asset and the
# Vulkan loader .deb (docs/webgpu.md). Run from the repository root; then call the device tool with
# carry [".dev", ".gl"] and `bash bench/device/run.sh`.
set -euo pipefail
mkdir -p .dev/run/bin .dev/run/public .dev/run/node_modules/webgpu .gl
grep -qx '/.dev/' .git/info/exclude || echo '/.dev/' >> .git/info/exclude
grep -qx '/.gl/' .git/info/exclude || echo '/.gl/' >> .git/info/exclude
[ -f .dev/node.xz ] || xz -T2 -6 -c "$(command -v node)" > .dev/node.xz
[ -f .dev/dawn.node.xz ] || xz -T2 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > .dev/dawn.node.xz
cp node_modules/webgpu/index.js node_modules/webgpu/package.json .dev/run/node_modules/webgpu/
node scripts/build-mnist-asset.mjs
xz -T2 -c public/mnist.bin > .dev/mnist.bin.xz
for entry in src/cli/train.ts bench/bench.ts bench/step-ratio.ts bench/report.ts bench/matmul-shapes.ts; do
  name=$(basename "$entry" .ts)
  npx esbuild "$entry" --bundle --platform=node --format=esm --target=node20 --external:webgpu \
    --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
    --outfile=".dev/run/bin/$name.mjs" --log-level=warning
done
if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  mkdir -p /tmp/amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  apt-get $o update -qq && (cd .gl && apt-get $o download libvulkan1)
fi
du -sh .dev .gl

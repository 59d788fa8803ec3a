#!/usr/bin/env node
// Assembles the CPU backend's WebAssembly kernels (WAT written below, SIMD128 f32x4) with wabt and writes the
// checked-in module src/engine/cpu/wasm/kernels.gen.ts (base64 binaries), so that the engine loads them the
// same way in Vite, Vitest, Node and workers, and a fresh clone needs no assembler to build or run.
// Two binaries come from one text: one importing a shared memory (helper threads), one a plain memory
// (pages that are not cross-origin isolated have no SharedArrayBuffer).
// Usage: node scripts/gen-wasm.mjs          writes the module
//        node scripts/gen-wasm.mjs --check  exits 1 if the checked-in module is stale (CI)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import wabtInit from 'wabt';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT_FILE = join(ROOT, 'src', 'engine', 'cpu', 'wasm', 'kernels.gen.ts');

/** Pages the memory may grow to (1 GiB): shared memories must declare a maximum. */
export const MAX_PAGES = 16384;

/**
 * One register tile: C[i:i+R, j:j+4V] (V vectors of 4 columns) or, with V = 0, C[i:i+R, j] in scalar f32.
 * Every element is Σ_p fl(a·b) accumulated in f32 from p = 0 upwards, then alpha·acc (+ beta·c): the same
 * operations in a lane as in the scalar tile, so a result never depends on which tile computed it.
 * Arguments: pa = &op(A)[i,0], sai/sap = byte strides of op(A) along i and p, pb = &B[0,j], ldb (bytes),
 * pc = &C[i,j], ldc (bytes), k, alpha, beta.
 */
function tile(R, V) {
  const scalar = V === 0;
  const vecs = scalar ? 1 : V;
  const T = scalar ? 'f32' : 'v128';
  const L = [];
  L.push(`  (func $t${R}x${scalar ? 's' : V * 4}`);
  L.push(`    (param $pa i32) (param $sai i32) (param $sap i32) (param $pb i32) (param $ldb i32)`);
  L.push(`    (param $pc i32) (param $ldc i32) (param $k i32) (param $alpha f32) (param $beta f32)`);
  L.push(`    (local $p i32) (local $av ${T})`);
  for (let r = 0; r < R; r++) L.push(`    (local $a${r} i32)`);
  for (let v = 0; v < vecs; v++) L.push(`    (local $b${v} ${T})`);
  for (let r = 0; r < R; r++) for (let v = 0; v < vecs; v++) L.push(`    (local $c${r}_${v} ${T})`);
  L.push(`    (local.set $a0 (local.get $pa))`);
  for (let r = 1; r < R; r++) L.push(`    (local.set $a${r} (i32.add (local.get $a${r - 1}) (local.get $sai)))`);
  L.push(`    (block $done (loop $next`);
  L.push(`      (br_if $done (i32.ge_u (local.get $p) (local.get $k)))`);
  for (let v = 0; v < vecs; v++) {
    L.push(
      scalar
        ? `      (local.set $b${v} (f32.load (local.get $pb)))`
        : `      (local.set $b${v} (v128.load offset=${16 * v} align=4 (local.get $pb)))`,
    );
  }
  for (let r = 0; r < R; r++) {
    L.push(
      scalar
        ? `      (local.set $av (f32.load (local.get $a${r})))`
        : `      (local.set $av (v128.load32_splat align=4 (local.get $a${r})))`,
    );
    for (let v = 0; v < vecs; v++) {
      const add = scalar ? 'f32.add' : 'f32x4.add';
      const mul = scalar ? 'f32.mul' : 'f32x4.mul';
      L.push(
        `      (local.set $c${r}_${v} (${add} (local.get $c${r}_${v}) (${mul} (local.get $av) (local.get $b${v}))))`,
      );
    }
    L.push(`      (local.set $a${r} (i32.add (local.get $a${r}) (local.get $sap)))`);
  }
  L.push(`      (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))`);
  L.push(`      (local.set $p (i32.add (local.get $p) (i32.const 1)))`);
  L.push(`      (br $next)))`);
  // Store: beta = 0 never reads C (BLAS convention: stale NaNs there do not leak through).
  const splat = (x) => (scalar ? `(local.get ${x})` : `(f32x4.splat (local.get ${x}))`);
  const mul = scalar ? 'f32.mul' : 'f32x4.mul';
  const add = scalar ? 'f32.add' : 'f32x4.add';
  const load = scalar ? 'f32.load' : 'v128.load';
  const store = scalar ? 'f32.store' : 'v128.store';
  const al = scalar ? '' : ' align=4';
  const emitStores = (withBeta) => {
    const out = [];
    for (let r = 0; r < R; r++) {
      for (let v = 0; v < vecs; v++) {
        const off = scalar ? '' : ` offset=${16 * v}`;
        const scaled = `(${mul} ${splat('$alpha')} (local.get $c${r}_${v}))`;
        const value = withBeta
          ? `(${add} ${scaled} (${mul} ${splat('$beta')} (${load}${off}${al} (local.get $pc))))`
          : scaled;
        out.push(`        (${store}${off}${al} (local.get $pc) ${value})`);
      }
      if (r + 1 < R) out.push(`        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))`);
    }
    return out;
  };
  L.push(`    (if (f32.eq (local.get $beta) (f32.const 0))`);
  L.push(`      (then`);
  L.push(...emitStores(false));
  L.push(`      )`);
  L.push(`      (else`);
  L.push(...emitStores(true));
  L.push(`      ))`);
  L.push(`  )`);
  return L.join('\n');
}

/**
 * The driver: rows [i0, i1) of C = alpha·op(A)·B + beta·C, B row-major k×n (the 'nt' layout is transposed
 * into scratch first). Column panels of 8, then 4, then single columns; row tiles of 4, then single rows.
 * Pointers in bytes, strides and leading dimensions in elements.
 */
const DRIVER = `
  (func (export "mm")
    (param $i0 i32) (param $i1 i32) (param $n i32) (param $k i32)
    (param $a i32) (param $sai i32) (param $sap i32) (param $b i32) (param $ldb i32)
    (param $c i32) (param $ldc i32) (param $alpha f32) (param $beta f32)
    (local $i i32) (local $j i32) (local $pa i32) (local $pc i32)
    (local.set $sai (i32.shl (local.get $sai) (i32.const 2)))
    (local.set $sap (i32.shl (local.get $sap) (i32.const 2)))
    (local.set $ldb (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $ldc) (i32.const 2)))
${['8', '4', 's']
  .map(
    (w) => `    ;; column panels of width ${w === 's' ? '1' : w}
    (block $pdone${w} (loop $pnext${w}
      (br_if $pdone${w} (i32.gt_u (i32.add (local.get $j) (i32.const ${w === 's' ? 1 : w})) (local.get $n)))
      (local.set $i (local.get $i0))
      (block $rdone (loop $rnext
        (br_if $rdone (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $i1)))
        (call $t4x${w} (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sai))) (local.get $sai) (local.get $sap)
          (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))) (local.get $ldb)
          (i32.add (local.get $c) (i32.add (i32.mul (local.get $i) (local.get $ldc)) (i32.shl (local.get $j) (i32.const 2))))
          (local.get $ldc) (local.get $k) (local.get $alpha) (local.get $beta))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rnext)))
      (block $sdone (loop $snext
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $i1)))
        (call $t1x${w} (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sai))) (local.get $sai) (local.get $sap)
          (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))) (local.get $ldb)
          (i32.add (local.get $c) (i32.add (i32.mul (local.get $i) (local.get $ldc)) (i32.shl (local.get $j) (i32.const 2))))
          (local.get $ldc) (local.get $k) (local.get $alpha) (local.get $beta))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $snext)))
      (local.set $j (i32.add (local.get $j) (i32.const ${w === 's' ? 1 : w})))
      (br $pnext${w})))`,
  )
  .join('\n')}
  )

  ;; dst (cols×rows, row-major) = transpose of src (rows×cols, leading dimension ld); pointers in bytes.
  (func (export "transpose") (param $src i32) (param $ld i32) (param $rows i32) (param $cols i32) (param $dst i32)
    (local $r i32) (local $c i32) (local $s i32) (local $d i32) (local $rb i32)
    (local.set $ld (i32.shl (local.get $ld) (i32.const 2)))
    (local.set $rb (i32.shl (local.get $rows) (i32.const 2)))
    (block $rdone (loop $rnext
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $s (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $ld))))
      (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 2))))
      (local.set $c (i32.const 0))
      (block $cdone (loop $cnext
        (br_if $cdone (i32.ge_u (local.get $c) (local.get $cols)))
        (f32.store (local.get $d) (f32.load (local.get $s)))
        (local.set $s (i32.add (local.get $s) (i32.const 4)))
        (local.set $d (i32.add (local.get $d) (local.get $rb)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cnext)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rnext)))
  )
`;

/** The module's WAT text; `shared` picks the memory import. */
export function wat(shared) {
  const tiles = [tile(4, 2), tile(1, 2), tile(4, 1), tile(1, 1), tile(4, 0), tile(1, 0)];
  return [
    '(module',
    `  (import "env" "memory" (memory 1 ${MAX_PAGES}${shared ? ' shared' : ''}))`,
    ...tiles,
    DRIVER,
    ')',
    '',
  ].join('\n');
}

async function assemble(shared) {
  const wabt = await wabtInit();
  const features = { simd: true, threads: true };
  const mod = wabt.parseWat(shared ? 'kernels-shared.wat' : 'kernels.wat', wat(shared), features);
  mod.resolveNames();
  mod.validate(features);
  const { buffer } = mod.toBinary({ log: false, write_debug_names: false });
  mod.destroy();
  return Buffer.from(buffer).toString('base64');
}

/** Breaks a base64 string into Prettier-stable lines of a string concatenation. */
function chunked(b64) {
  const lines = [];
  for (let i = 0; i < b64.length; i += 100) lines.push(`  '${b64.slice(i, i + 100)}'`);
  return lines.join(' +\n');
}

/** The generated module's text. */
export async function generate() {
  const [plain, shared] = await Promise.all([assemble(false), assemble(true)]);
  return [
    '// Generated by scripts/gen-wasm.mjs (WAT inside it, assembled with wabt): do not edit, run `npm run gen:wasm`.',
    '// CI fails if this file is stale (--check).',
    '',
    `/** Pages (64 KiB) the kernels' memory may grow to. */`,
    `export const WASM_MAX_PAGES = ${MAX_PAGES};`,
    '',
    '/** Kernels importing a plain memory (base64 WebAssembly binary). */',
    `export const KERNELS_WASM =\n${chunked(plain)};`,
    '',
    '/** The same kernels importing a shared memory (helper threads). */',
    `export const KERNELS_SHARED_WASM =\n${chunked(shared)};`,
    '',
  ].join('\n');
}

async function main(argv) {
  const text = await generate();
  const rel = OUT_FILE.slice(ROOT.length + 1);
  if (argv.includes('--wat')) {
    process.stdout.write(wat(argv.includes('--shared')));
    return;
  }
  if (argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(OUT_FILE, 'utf8');
    } catch {
      // A missing file is stale too.
    }
    if (current !== text) {
      console.error(`${rel} is stale: scripts/gen-wasm.mjs changed. Run \`npm run gen:wasm\` and commit the result.`);
      process.exit(1);
    }
    console.log(`${rel} is up to date.`);
    return;
  }
  writeFileSync(OUT_FILE, text);
  console.log(`wrote ${rel}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main(process.argv.slice(2));
}

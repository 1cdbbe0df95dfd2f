"""Gated cells' BPTT speed (issue 15): sequences per second, LSTM and GRU.

Run:  .venv/bin/python bench/gated.py [--quick] [--sequences N] [--hidden H] [--steps T]
      [--repeats R]

The engine (``LSTMNetwork.train_sequence`` / ``GRUNetwork.train_sequence``, full
BPTT, one plain SGD update per sequence) trains a 2-H-1 network on sequences of
the long-memory task ``memory(T − 1)`` (``rnnviz task memory``'s set-up: the
bits on channel 0, "recall now" on channel 1, the first bit the target at the
last step, sigmoid output, squared error with c = ½), its weights uniform in
[−1/√H, 1/√H] (the cells' default): the task's [−2, 2] makes the untrained
gradients explode to 10³ and more, where the two sides' rounding, amplified
over 50 steps, parts them by 1e−8 (5e−11 of the gradient); the speed is the
same.

Beside it, in the same process and on the same sequences, runs a plain numpy
reference written here: each gate's own weight matrix, σ as 1/(1 + e^(−a)),
the forward pass and BPTT as a textbook writes them, then ``θ ← θ − η·g``. It
starts from the engine's weights; before timing, its gradients for one sequence
must equal the engine's to 1e−10 (else the script stops), and after the timed
runs both networks' weights are compared (printed).

Goal: the LSTM with 32 units over 50 steps at ≥ 1,000 sequences/s. The ratio
engine / reference is what to compare across machines; raw rates move with load.
Runs alternate engine and reference ``--repeats`` times and keep each side's best.
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rnnviz.tasks.memory import MemorySettings, memory_data, memory_network

GOAL = 1000.0
#: Largest |engine − reference| gradient difference allowed before anything is timed.
GRADIENT_TOLERANCE = 1e-10
LEARNING_RATE = 0.01


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def _output_error(p: dict, h: np.ndarray, y: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """ε_t = ∂L_t/∂z_t for a sigmoid output and ½·(ŷ − y)² (masked), shape (T, M)."""
    yhat = _sigmoid(h[1:] @ p["w_hy"].T + p["b_y"])
    return (yhat - y) * yhat * (1.0 - yhat) * keep[:, None]


def reference_lstm(p: dict, x: np.ndarray, y: np.ndarray, keep: np.ndarray) -> dict:
    """∂E/∂θ of an LSTM (no peepholes) for one sequence from h_0 = c_0 = 0."""
    T, H = x.shape[0], p["w_hi"].shape[0]
    h, c = np.zeros((T + 1, H)), np.zeros((T + 1, H))
    i, f, g, o = (np.zeros((T, H)) for _ in range(4))
    for t in range(T):
        i[t] = _sigmoid(p["w_xi"] @ x[t] + p["w_hi"] @ h[t] + p["b_i"])
        f[t] = _sigmoid(p["w_xf"] @ x[t] + p["w_hf"] @ h[t] + p["b_f"])
        g[t] = np.tanh(p["w_xg"] @ x[t] + p["w_hg"] @ h[t] + p["b_g"])
        o[t] = _sigmoid(p["w_xo"] @ x[t] + p["w_ho"] @ h[t] + p["b_o"])
        c[t + 1] = f[t] * c[t] + i[t] * g[t]
        h[t + 1] = o[t] * np.tanh(c[t + 1])
    eps = _output_error(p, h, y, keep)
    grads = {name: np.zeros_like(value) for name, value in p.items()}
    grads["w_hy"] = eps.T @ h[1:]
    grads["b_y"] = eps.sum(axis=0)
    dh_next, dc_next = np.zeros(H), np.zeros(H)
    for t in range(T - 1, -1, -1):
        dh = p["w_hy"].T @ eps[t] + dh_next
        tc = np.tanh(c[t + 1])
        dc = dh * o[t] * (1.0 - tc * tc) + dc_next
        da = {"i": dc * g[t] * i[t] * (1.0 - i[t]), "f": dc * c[t] * f[t] * (1.0 - f[t]),
              "g": dc * i[t] * (1.0 - g[t] ** 2), "o": dh * tc * o[t] * (1.0 - o[t])}
        dh_next = np.zeros(H)
        for gate, delta in da.items():
            grads[f"w_x{gate}"] += np.outer(delta, x[t])
            grads[f"w_h{gate}"] += np.outer(delta, h[t])
            grads[f"b_{gate}"] += delta
            dh_next += p[f"w_h{gate}"].T @ delta
        dc_next = dc * f[t]
    return grads


def reference_gru(p: dict, x: np.ndarray, y: np.ndarray, keep: np.ndarray) -> dict:
    """∂E/∂θ of a GRU (reset after the recurrent product) for one sequence from h_0 = 0."""
    T, H = x.shape[0], p["w_hr"].shape[0]
    h = np.zeros((T + 1, H))
    r, z, n, hn = (np.zeros((T, H)) for _ in range(4))
    for t in range(T):
        r[t] = _sigmoid(p["w_xr"] @ x[t] + p["w_hr"] @ h[t] + p["b_r"])
        z[t] = _sigmoid(p["w_xz"] @ x[t] + p["w_hz"] @ h[t] + p["b_z"])
        hn[t] = p["w_hn"] @ h[t] + p["b_hn"]
        n[t] = np.tanh(p["w_xn"] @ x[t] + p["b_xn"] + r[t] * hn[t])
        h[t + 1] = (1.0 - z[t]) * n[t] + z[t] * h[t]
    eps = _output_error(p, h, y, keep)
    grads = {name: np.zeros_like(value) for name, value in p.items()}
    grads["w_hy"] = eps.T @ h[1:]
    grads["b_y"] = eps.sum(axis=0)
    dh_next = np.zeros(H)
    for t in range(T - 1, -1, -1):
        dh = p["w_hy"].T @ eps[t] + dh_next
        dan = dh * (1.0 - z[t]) * (1.0 - n[t] ** 2)
        daz = dh * (h[t] - n[t]) * z[t] * (1.0 - z[t])
        dar = dan * hn[t] * r[t] * (1.0 - r[t])
        dhn = dan * r[t]  # ∂E/∂(W_hn·h_{t−1} + b_hn)
        for gate, delta in (("r", dar), ("z", daz)):
            grads[f"w_x{gate}"] += np.outer(delta, x[t])
            grads[f"w_h{gate}"] += np.outer(delta, h[t])
            grads[f"b_{gate}"] += delta
        grads["w_xn"] += np.outer(dan, x[t])
        grads["b_xn"] += dan
        grads["w_hn"] += np.outer(dhn, h[t])
        grads["b_hn"] += dhn
        dh_next = (p["w_hr"].T @ dar + p["w_hz"].T @ daz + p["w_hn"].T @ dhn + dh * z[t])
    return grads


REFERENCES = {"lstm": reference_lstm, "gru": reference_gru}


def reference_train(cell: str, p: dict, inputs, targets, keep: np.ndarray, eta: float) -> None:
    """The reference's BPTT and SGD update for every sequence; *p* changes in place."""
    gradients = REFERENCES[cell]
    for x, y in zip(inputs, targets):
        for name, grad in gradients(p, x, y, keep).items():
            p[name] -= eta * grad


def engine_train(network, inputs, targets, keep: np.ndarray, eta: float) -> None:
    for x, y in zip(inputs, targets):
        network.train_sequence(x, y, learning_rate=eta, mask=keep > 0)


def gradient_difference(cell: str, network, x, y, keep: np.ndarray) -> float:
    """Largest |engine − reference| over every parameter's gradient for one sequence."""
    _, grads = network.passes(*network.check_example(x, y, keep > 0))
    ours = REFERENCES[cell](network.copy_parameters(), x, y, keep)
    return max(float(np.max(np.abs(grads.params[name] - ours[name]))) for name in ours)


def measure(cell: str, hidden: int, steps: int, sequences: int, reference: int,
            repeats: int) -> dict[str, float]:
    """Engine and reference sequences/s for *cell*, the gradient and weight differences."""
    settings = MemorySettings(cell=cell, lag=steps - 1, hidden=hidden,
                              init_scale=1.0 / math.sqrt(hidden))
    rng = np.random.default_rng([settings.seed, 0])
    start = memory_network(settings, rng).copy_parameters()
    data = memory_data(np.random.default_rng([settings.seed, 1]), max(sequences, reference),
                       settings.lag)
    keep = data.mask.astype(np.float64)
    probe = memory_network(settings, np.random.default_rng([settings.seed, 0]))
    difference = gradient_difference(cell, probe, data.inputs[0], data.targets[0], keep)
    if not difference <= GRADIENT_TOLERANCE:
        raise SystemExit(f"{cell}: the reference's gradients differ from the engine's by "
                         f"{difference:.2e} (allowed {GRADIENT_TOLERANCE:g})")
    engine_best = reference_best = 0.0
    for _ in range(repeats):
        network = memory_network(settings, np.random.default_rng([settings.seed, 0]))
        began = time.perf_counter()
        engine_train(network, data.inputs[:sequences], data.targets[:sequences], keep,
                     LEARNING_RATE)
        engine_best = max(engine_best, sequences / (time.perf_counter() - began))
        p = {name: value.copy() for name, value in start.items()}
        began = time.perf_counter()
        reference_train(cell, p, data.inputs[:reference], data.targets[:reference], keep,
                        LEARNING_RATE)
        reference_best = max(reference_best, reference / (time.perf_counter() - began))
    # The same number of updates on both sides, for the weights' check.
    check = memory_network(settings, np.random.default_rng([settings.seed, 0]))
    engine_train(check, data.inputs[:reference], data.targets[:reference], keep, LEARNING_RATE)
    weights = max(float(np.max(np.abs(check.parameters()[name] - p[name]))) for name in p)
    return {"engine": engine_best, "reference": reference_best, "gradients": difference,
            "weights": weights}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few sequences: rough figures, fast")
    parser.add_argument("--sequences", type=int, default=2000, help="engine sequences per run")
    parser.add_argument("--reference", type=int, default=500, help="reference sequences per run")
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3, help="best of R alternating runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.sequences, args.reference, args.repeats = 100, 30, 1
    print(f"BPTT on memory({args.steps - 1}), 2-{args.hidden}-1, {args.steps} steps a sequence, "
          f"full BPTT and one SGD update a sequence")
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    results = {cell: measure(cell, args.hidden, args.steps, args.sequences, args.reference,
                             args.repeats) for cell in REFERENCES}
    for cell, found in results.items():
        name = cell.upper()
        print(f"{name:<4} engine     {found['engine']:10,.0f} sequences/s  "
              f"(best of {args.repeats} x {args.sequences})")
        print(f"{name:<4} reference  {found['reference']:10,.0f} sequences/s  "
              f"(plain numpy, best of {args.repeats} x {args.reference})")
        print(f"{name:<4} ratio      {found['engine'] / found['reference']:10.2f} x")
        print(f"{name:<4} same maths: max |gradient difference| {found['gradients']:.1e}, "
              f"|weight difference| after {args.reference} updates {found['weights']:.1e}")
    lstm = results["lstm"]["engine"]
    print(f"goal       {GOAL:10,.0f} sequences/s (LSTM)  -> {'met' if lstm >= GOAL else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

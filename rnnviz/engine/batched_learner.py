"""Many runs of the one-neuron learner at once: one array per weight, a leading run axis.

R runs of the same stream, each with its own η, initial weights ``(ih, hh, ho)``
and ``h0``, share every numpy call of a tick: no Python loop walks the runs.
The rule, the activation and its gain are the same for all R (they decide
which operations a tick makes). Each run ends with what
:func:`rnnviz.engine.learner.summarize` gives for it alone: the final
weights, the +/− notation of each weight (:mod:`rnnviz.engine.batched_notation`),
and the mean error ``Σ|e_t| / ticks`` (the sum taken tick after tick).

Same operations, same floats
----------------------------
Every tick makes the learner's own float operations, in its order
(:mod:`rnnviz.engine.learner`'s generated loop: ``e·ηg·ŷ·(1−ŷ)·h`` is
``(((e·ηg)·ŷ)·(1−ŷ))·h`` here too), elementwise on the run axis; a
multiplication by 1.0 is skipped where the loop has one (it changes no
float). The stable sigmoid takes the loop's two branches at once:
``s = e^(−|q|)``, numerator ``max(s, [q ≥ 0])``, which is 1 where ``q ≥ 0``
and ``s = e^q`` where ``q < 0``, over ``1 + s``.

Only ``exp`` and ``tanh`` need care: the learner calls the C library's
``math.exp``/``math.tanh`` per number, while numpy's own vectorised ones
(:data:`NUMPY`) round a few per cent of values to the neighbouring float on
some processors (AVX-512 here: 4.6 % of exp, 34 % of tanh). One ulp is
enough: at large η a run is chaotic and ends elsewhere. The default
:data:`EXACT` therefore takes the C library's floats: ``exp`` through numpy's
complex exp of ``z + 0i`` (the C library's ``cexp``, which returns exactly
``exp(z)``; checked at import, else number by number), ``tanh`` number by
number (no vectorised route gives the C library's tanh). Every run then
equals its run alone bit for bit (tests/test_sweep_learner.py); the tanh and
bipolar activations are the slower for it.
"""

from __future__ import annotations

import functools
import math
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, NamedTuple

import numpy as np

from rnnviz.engine.batched_notation import ManyNotations, SignCodes
from rnnviz.engine.errors import InputError
from rnnviz.engine.learner import MAX_ETA, MAX_START, LearnerParams

#: Ticks computed between two bookkeeping passes (notation codes, mean error, progress):
#: the weights of a chunk's ticks are kept in rows of one array, which at 64 ticks
#: no longer fits the processor's cache (16: 20 M learner-ticks/s a core, 64: 17 M).
TICK_CHUNK: Final[int] = 16
#: Threads that run blocks of runs side by side, and the fewest runs worth a thread.
WORKERS: Final[int] = min(2, os.cpu_count() or 1)
MIN_THREAD_RUNS: Final[int] = 2048
#: Runs computed together: 16,384 float64 numbers (128 KiB) an array keep a tick's
#: arrays in the processor's cache; more runs are computed block after block.
RUN_BLOCK: Final[int] = 16384

Put = Callable[[np.ndarray, np.ndarray], None]


class Functions(NamedTuple):
    """``exp`` and ``tanh`` as ``f(z, out)``, elementwise."""

    exp: Put
    tanh: Put


def _numpy_exp(z: np.ndarray, out: np.ndarray) -> None:
    np.exp(z, out=out)


def _numpy_tanh(z: np.ndarray, out: np.ndarray) -> None:
    np.tanh(z, out=out)


def _libm(function: Callable[[float], float]) -> Put:
    def put(z: np.ndarray, out: np.ndarray) -> None:
        # map over Python floats: the cheapest number-by-number loop (a quarter
        # faster than a list comprehension)
        out[...] = np.fromiter(map(function, z.tolist()), np.float64, z.size)
    return put


_COMPLEX = threading.local()


def _complex_exp(z: np.ndarray, out: np.ndarray) -> None:
    """e^z through numpy's complex exp of ``z + 0i``: the C library's ``cexp``, which for
    an imaginary part of 0 returns ``exp(z)·1`` — the very float ``math.exp`` gives,
    number by number in C, about ten times faster than a Python loop."""
    buffers = getattr(_COMPLEX, "buffers", None)
    if buffers is None:
        buffers = _COMPLEX.buffers = {}  # one per thread: blocks run side by side
    buffer = buffers.get(z.size)
    if buffer is None:
        buffer = buffers[z.size] = np.zeros(z.size, dtype=np.complex128)
    real = buffer.real
    real[...] = z
    np.exp(buffer, out=buffer)  # the imaginary part stays 0: e^x·sin 0
    out[...] = real


def _complex_exp_is_libm() -> bool:
    """Whether :func:`_complex_exp` equals ``math.exp`` here (it does with the GNU C library)."""
    probe = np.linspace(-745.0, 0.0, 4099) * np.linspace(1.0, 0.37, 4099) ** 3
    probe = np.concatenate((probe, -np.geomspace(1e-300, 700.0, 4099)))
    out = np.empty_like(probe)
    _complex_exp(probe, out)
    return out.tolist() == [math.exp(value) for value in probe.tolist()]


#: numpy's vectorised functions: fast, but not the C library's floats (see the docstring).
NUMPY: Final[Functions] = Functions(_numpy_exp, _numpy_tanh)
#: The C library's, one number at a time, as the one-run learner calls them: bit for bit, slow.
LIBM: Final[Functions] = Functions(_libm(math.exp), _libm(math.tanh))


@functools.cache
def _exact_exp() -> Put:
    """:func:`_complex_exp` where it gives ``math.exp``'s floats, else LIBM's; checked once,
    on first use (not at import: every command line imports this module)."""
    return _complex_exp if _complex_exp_is_libm() else LIBM.exp


def _exact_exp_put(z: np.ndarray, out: np.ndarray) -> None:
    _exact_exp()(z, out)


#: The default: the C library's floats, exp through :func:`_complex_exp` where that
#: gives them, tanh number by number.
EXACT: Final[Functions] = Functions(_exact_exp_put, LIBM.tanh)


@dataclass(frozen=True)
class ManyRuns:
    """R runs of one stream: their settings and what each ended with.

    Attributes
    ----------
    params
        The shared settings (rule, activation, gain); its η and weights are not used.
    eta, init, h0
        Each run's η (R,), initial weights (R, 3) as ih, hh, ho, and h0 (R,).
    final
        The weights after the last tick (R, 3); ``h`` the hidden value then (R,).
    mean_err
        ``Σ_t |e_t| / ticks`` per run (R,), summed tick after tick.
    ticks
        Ticks each run made (bits − 1).
    notations
        The +/− notation of every run's weights.
    """

    params: LearnerParams
    eta: np.ndarray
    init: np.ndarray
    h0: np.ndarray
    final: np.ndarray
    h: np.ndarray
    mean_err: np.ndarray
    ticks: int
    notations: ManyNotations

    def __len__(self) -> int:
        return len(self.eta)

    def notation(self, run: int, *, ascii: bool = False) -> dict[str, str]:
        """Run *run*'s notation of ``ih``, ``hh``, ``ho``."""
        return self.notations.texts(run, ascii=ascii)


def _runs_array(name: str, value: object, count: int, limit: float, *, width: int = 0) -> np.ndarray:
    shape = (count, width) if width else (count,)
    try:
        array = np.array(np.broadcast_to(np.asarray(value, dtype=np.float64), shape))
    except (TypeError, ValueError):
        raise InputError(f"{name} must be {'rows of ' if width else ''}numbers, one per run") from None
    if not np.isfinite(array).all():
        raise InputError(f"{name} must be finite numbers")
    if (np.abs(array) > limit).any():
        raise InputError(f"{name} must be at most {limit:g} in size")
    return array


def run_many(
    bits: np.ndarray,
    eta: object,
    init: object = 0.0,
    h0: object = 0.0,
    *,
    rule: str = "sequential",
    activation: str = "sigmoid",
    gain: float = 1.0,
    functions: Functions = EXACT,
    progress: Callable[[int, int], None] | None = None,
) -> ManyRuns:
    """Learn on *bits* with every η of *eta* (and its init and h0) at once.

    Parameters
    ----------
    bits
        The stream (at least 2 bits); tick *t* reads ``bits[t]``, targets ``bits[t+1]``.
    eta
        η per run, shape (R,); 0 … :data:`~rnnviz.engine.learner.MAX_ETA`.
    init, h0
        Initial weights, (R, 3) or anything that broadcasts to it, and h0, (R,) or a number.
    rule, activation, gain
        Shared by every run, as :class:`~rnnviz.engine.learner.LearnerParams` takes them.
    functions
        :data:`EXACT` (default: each run bit for bit as alone), :data:`LIBM` or
        :data:`NUMPY` (faster, not bit for bit), see the module docstring.
    progress
        Called with (learner-ticks done, total) after each chunk; what it raises stops the runs.
    """
    params = LearnerParams(rule=rule, activation=activation, gain=gain)
    stream = np.asarray(bits, dtype=np.float64).reshape(-1)
    if len(stream) < 2:
        raise InputError("a sweep needs a stream of at least 2 bits (one tick)")
    try:
        etas = np.array(eta, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise InputError("η must be numbers, one per run") from None
    count = len(etas)
    if count == 0:
        raise InputError("a sweep needs at least one run")
    etas = _runs_array("η", etas, count, MAX_ETA)
    if (etas < 0).any():
        raise InputError("η must not be negative")
    starts = _runs_array("the initial weights", init, count, MAX_START, width=3)
    hidden0 = _runs_array("h0", h0, count, MAX_START)
    ticks = len(stream) - 1
    workers = max(1, min(WORKERS, count // MIN_THREAD_RUNS))
    size = min(RUN_BLOCK, -(-count // workers))
    blocks = [_Block(params, functions, etas[lo : lo + size], starts[lo : lo + size],
                     hidden0[lo : lo + size]) for lo in range(0, count, size)]
    _run_blocks(blocks, stream, workers, progress)
    final = np.concatenate([block.weights.T for block in blocks])
    h = np.concatenate([block.h for block in blocks])
    mean_err = np.concatenate([block.err_sum for block in blocks]) / ticks
    notations = ManyNotations([block.notation for block in blocks], size)
    return ManyRuns(params, etas, starts, hidden0, final, h, mean_err, ticks, notations)


def _run_blocks(blocks: list[_Block], stream: np.ndarray, workers: int,
                progress: Callable[[int, int], None] | None) -> None:
    """Run every block over *stream*, *workers* blocks at a time (numpy lets go of the
    interpreter lock inside each call, so two threads use two cores)."""
    ticks = len(stream) - 1
    total = ticks * sum(len(block.h) for block in blocks)
    done = [0] * len(blocks)
    lock = threading.Lock()
    stop = threading.Event()

    def run(index: int) -> None:
        def report(ticks_done: int) -> None:
            if stop.is_set():
                raise _Stopped
            with lock:
                done[index] = ticks_done * len(blocks[index].h)
                if progress is not None:
                    progress(sum(done), total)

        blocks[index].run(stream, report)

    if workers == 1:
        for index in range(len(blocks)):
            run(index)
        return
    # only when there are threads to run
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(run, index) for index in range(len(blocks))]
        try:
            for future in futures:
                future.result()
        except BaseException:
            stop.set()  # the other blocks stop at their next chunk (Ctrl+C, a cancelled progress)
            raise


class _Stopped(Exception):
    """Another block failed or was interrupted: this one stops too."""


class _Activation:
    """f(z) into *out* for a run axis of *size*, with the learner's operations."""

    def __init__(self, params: LearnerParams, functions: Functions, size: int) -> None:
        act = params.act
        self.sigmoid = act.name == "sigmoid"
        self.inner = act.inner
        self.functions = functions
        self.kz, self.s, self.mask, self.d = (np.empty(size) for _ in range(4))
        # _complex_exp without its two copies: −|q| is written straight into the
        # real parts of a complex array of this block's own, read from there.
        complex_exp = functions.exp is _complex_exp or (
            functions.exp is _exact_exp_put and _exact_exp() is _complex_exp)
        self.complex = np.zeros(size, np.complex128) if complex_exp else None
        self.real = None if self.complex is None else self.complex.real

    def put(self, z: np.ndarray, out: np.ndarray) -> None:
        q = z if self.inner == 1.0 else np.multiply(self.inner, z, out=self.kz)
        if not self.sigmoid:
            self.functions.tanh(q, out)
            return
        s = self.s
        if self.complex is None:
            np.copysign(q, -1.0, out=s)  # −|q|, in one pass
            self.functions.exp(s, s)  # e^(−|q|) ≤ 1: no overflow
            small = s
        else:
            small = self.real
            np.copysign(q, -1.0, out=small)
            np.exp(self.complex, out=self.complex)  # imaginary parts stay 0
        np.greater_equal(q, 0.0, out=self.mask)  # 1.0 where the loop takes 1/(1+e^−q)
        np.add(1.0, small, out=self.d)
        np.maximum(small, self.mask, out=s)  # numerator: 1 where q ≥ 0, e^q where q < 0
        np.divide(s, self.d, out=out)

    def times_slope(self, acc: np.ndarray, y: np.ndarray, scratch: np.ndarray) -> None:
        """``acc · y · (1 − y)`` (sigmoid) or ``acc · (1 − y·y)``, left to right, into *acc*."""
        if self.sigmoid:
            np.multiply(acc, y, out=acc)
            np.subtract(1.0, y, out=scratch)
        else:
            np.multiply(y, y, out=scratch)
            np.subtract(1.0, scratch, out=scratch)
        np.multiply(acc, scratch, out=acc)


class _Block:
    """One block of runs stepping through the stream together."""

    def __init__(self, params: LearnerParams, functions: Functions, eta: np.ndarray,
                 init: np.ndarray, h0: np.ndarray) -> None:
        size = len(eta)
        slope = params.act.output_slope
        self.params, self.slope = params, slope
        self.act = _Activation(params, functions, size)
        self.eta_g = eta * slope  # the loop's eta_gd
        self.eta_gf = self.eta_g * slope  # eta_gd_fd
        # Rows of W: the weights after each tick of a chunk, row 0 those before it.
        self.W = np.empty((TICK_CHUNK + 1, 3, size))
        self.W[0] = init.T
        self.E = np.empty((TICK_CHUNK, size))
        self.H = np.empty((2, size))
        self.H[0] = h0
        self.hi = 0
        self.err_sum = np.zeros(size)
        self.q, self.yh, self.y2, self.acc, self.k, self.d_ho, self.c = (
            np.empty(size) for _ in range(7))
        self.deltas = np.empty((2, size))
        self.notation: SignCodes | None = None

    @property
    def weights(self) -> np.ndarray:
        return self.W[0]

    @property
    def h(self) -> np.ndarray:
        return self.H[self.hi]

    def run(self, stream: np.ndarray, report: Callable[[int], None]) -> None:
        ticks = len(stream) - 1
        self.notation = SignCodes(ticks, len(self.h), TICK_CHUNK)
        xs = stream.tolist()
        for start in range(0, ticks, TICK_CHUNK):
            n = min(TICK_CHUNK, ticks - start)
            for i in range(n):
                self._tick(i, xs[start + i], xs[start + i + 1])
            rows = self.E[:n]
            np.abs(rows, out=rows)
            for row in rows:  # tick after tick, as a run alone adds them
                np.add(self.err_sum, row, out=self.err_sum)
            self.notation.extend(self.W[: n + 1])
            self.W[0] = self.W[n]
            report(start + n)

    def _tick(self, i: int, x: float, y: float) -> None:
        mul, add = np.multiply, np.add
        act, q, acc, k, c = self.act, self.q, self.acc, self.k, self.c
        before, after = self.W[i], self.W[i + 1]
        ih, hh, ho = before
        hp, h = self.H[self.hi], self.H[1 - self.hi]
        self.hi = 1 - self.hi
        mul(hh, hp, out=q)  # hh·h_prev + ih·x
        if x == 1.0:
            add(q, ih, out=q)
        else:
            add(q, mul(ih, x, out=c), out=q)
        act.put(q, h)
        act.put(mul(ho, h, out=q), self.yh)
        e = self.E[i]
        np.subtract(y, self.yh, out=e)
        mul(e, self.eta_g, out=acc)
        act.times_slope(acc, self.yh, c)
        ho_new = after[2]
        if self.params.rule == "sequential":
            mul(acc, h, out=self.d_ho)
            add(ho, self.d_ho, out=ho_new)
            act.put(mul(ho_new, h, out=q), self.y2)
            mul(e, self.eta_gf, out=k)
            act.times_slope(k, self.y2, c)
            mul(k, ho_new, out=k)
        else:
            mul(acc, h, out=self.d_ho)
            k = acc if self.slope == 1.0 else mul(acc, self.slope, out=k)
            mul(k, ho, out=k)
            add(ho, self.d_ho, out=ho_new)
        act.times_slope(k, h, c)
        d_ih, d_hh = self.deltas
        if x == 1.0:
            d_ih[...] = k
        else:
            mul(k, x, out=d_ih)
        mul(k, hp, out=d_hh)
        add(before[:2], self.deltas, out=after[:2])

"""Fused CPU kernels for WaveRNN's sample loop, compiled once on first use (a small C++ extension).

Between its matrix products, each step of the loop runs about 40 small element-wise torch ops
over (folds, 512) tensors; fused into 3 passes they cost a fraction of that. Building needs a
C++ compiler, ninja and Python headers (Debian: g++ ninja-build python3-dev; or `pip install
ninja`); it takes about a minute once, then torch caches the library (~/.cache/torch_extensions).
Without them, `load()` returns None and the loop uses plain torch ops: same results to ~1e-7.

Conventions shared with `sampling.py`: GRU gates are ordered r, z, n, and the candidate (n) rows
of the gate pre-activations come doubled, so that tanh(a) = 2 * sigmoid(2a) - 1.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from core.files import folder_lock

_SOURCE = r"""
#include <torch/extension.h>
#include <ATen/Parallel.h>
#include <algorithm>
#include <cmath>
#include <vector>

namespace {

// Clamped so that exp never overflows: the build assumes finite math (needed for vector exp).
inline float sigmoid(float a) { return 1.0f / (1.0f + std::exp(-(a < -40.0f ? -40.0f : (a > 40.0f ? 40.0f : a)))); }

const float* floats(const at::Tensor& t, const char* name) {
  TORCH_CHECK(t.scalar_type() == at::kFloat && t.is_contiguous() && t.device().is_cpu(),
              name, " must be a contiguous float32 CPU tensor");
  return t.data_ptr<float>();
}

float* floats(at::Tensor& t, const char* name) {
  return const_cast<float*>(floats(static_cast<const at::Tensor&>(t), name));
}

// New GRU state from input-gate and hidden-gate pre-activations (candidate ones doubled).
inline float gru_unit(float gi_r, float gi_z, float gi_n, float gh_r, float gh_z, float gh_n, float h) {
  const float r = sigmoid(gi_r + gh_r);
  const float z = sigmoid(gi_z + gh_z);
  const float n = 2.0f * sigmoid(gi_n + r * gh_n) - 1.0f;
  return n + z * (h - n);
}

// One row of first_gru; restrict-qualified parameters let the compiler vectorise it.
void first_gru_row(const float* __restrict cond_gates, float x, const float* __restrict x_to_gates,
                   const float* __restrict gh, float* __restrict h, const float* __restrict cond_i,
                   const float* __restrict x_to_i, float* __restrict y, int64_t hidden) {
  for (int64_t j = 0; j < hidden; ++j) {
    const float h_new = gru_unit(cond_gates[j] + x * x_to_gates[j], cond_gates[hidden + j] + x * x_to_gates[hidden + j],
                                 cond_gates[2 * hidden + j] + x * x_to_gates[2 * hidden + j],
                                 gh[j], gh[hidden + j], gh[2 * hidden + j], h[j]);
    h[j] = h_new;
    y[j] = cond_i[j] + x * x_to_i[j] + h_new;
  }
}

void second_gru_row(const float* __restrict gi, const float* __restrict gh, float* __restrict h,
                    float* __restrict y, int64_t hidden) {
  for (int64_t j = 0; j < hidden; ++j) {
    const float h_new = gru_unit(gi[j], gi[hidden + j], gi[2 * hidden + j],
                                 gh[j], gh[hidden + j], gh[2 * hidden + j], h[j]);
    h[j] = h_new;
    y[j] += h_new;
  }
}

}  // namespace

// rnn1 step: input gates = cond_gates + x * x_to_gates; h updated in place;
// y = cond_i + x * x_to_i + h (I's output plus rnn1's residual).
void first_gru(const at::Tensor& cond_gates, const at::Tensor& x, const at::Tensor& x_to_gates,
               const at::Tensor& gh, at::Tensor h, const at::Tensor& cond_i, const at::Tensor& x_to_i,
               at::Tensor y) {
  const int64_t rows = h.size(0), hidden = h.size(1);
  const float *cg = floats(cond_gates, "cond_gates"), *xs = floats(x, "x"), *xg = floats(x_to_gates, "x_to_gates"),
              *g = floats(gh, "gh"), *ci = floats(cond_i, "cond_i"), *xi = floats(x_to_i, "x_to_i");
  float *hp = floats(h, "h"), *yp = floats(y, "y");
  at::parallel_for(0, rows, 8, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      first_gru_row(cg + b * 3 * hidden, xs[b], xg, g + b * 3 * hidden, hp + b * hidden, ci + b * hidden, xi,
                    yp + b * hidden, hidden);
    }
  });
}

// rnn2 step from complete gate pre-activations; h updated in place, then y += h.
void second_gru(const at::Tensor& gi, const at::Tensor& gh, at::Tensor h, at::Tensor y) {
  const int64_t rows = h.size(0), hidden = h.size(1);
  const float *i = floats(gi, "gi"), *g = floats(gh, "gh");
  float *hp = floats(h, "h"), *yp = floats(y, "y");
  at::parallel_for(0, rows, 8, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      second_gru_row(i + b * 3 * hidden, g + b * 3 * hidden, hp + b * hidden, yp + b * hidden, hidden);
    }
  });
}

// Inverse-CDF draw per row: the first class whose cumulative softmax probability exceeds u;
// writes that class's level (levels has one extra row repeating the last class).
void draw_levels(const at::Tensor& logits, const at::Tensor& uniforms, const at::Tensor& levels, at::Tensor out) {
  const int64_t rows = logits.size(0), classes = logits.size(1);
  const float *l = floats(logits, "logits"), *u = floats(uniforms, "uniforms"), *lv = floats(levels, "levels");
  float* o = floats(out, "out");
  at::parallel_for(0, rows, 8, [&](int64_t begin, int64_t end) {
    std::vector<float> e(classes);
    for (int64_t b = begin; b < end; ++b) {
      const float* lb = l + b * classes;
      float top = lb[0];
      for (int64_t k = 1; k < classes; ++k) top = std::max(top, lb[k]);
      double total = 0.0;
      for (int64_t k = 0; k < classes; ++k) {
        e[k] = std::exp(lb[k] - top);
        total += e[k];
      }
      const double threshold = static_cast<double>(u[b]) * total;
      double running = 0.0;
      int64_t k = 0;
      for (; k < classes; ++k) {
        running += e[k];
        if (running > threshold) break;
      }
      o[b] = lv[k];
    }
  });
}
"""


_NAME = "voxlip_wavernn_kernels"


@contextlib.contextmanager
def _build_turn(name: str) -> Iterator[None]:
    """Wait for, then hold, voxlip's lock on `name`'s build folder (core.files.folder_lock) while it builds. The system
    lets go of it when its process ends, however it ends, so a torch `lock` file found while holding it was left by a
    killed build (torch would wait on it without end) and is removed."""
    from torch.utils.cpp_extension import _get_build_directory

    folder = Path(_get_build_directory(name, False))
    folder.mkdir(parents=True, exist_ok=True)
    with folder_lock(folder) as held:
        torch_lock = folder / "lock"
        if held and torch_lock.exists():
            logging.getLogger(__name__).warning("removing %s, left by an interrupted kernel build", torch_lock)
            torch_lock.unlink(missing_ok=True)
        yield


@functools.lru_cache(maxsize=1)
def load() -> ModuleType | None:
    """The compiled module (functions first_gru, second_gru, draw_levels), or None if it cannot be built."""
    log = logging.getLogger(__name__)
    try:
        from torch.utils.cpp_extension import load_inline

        with _build_turn(_NAME):
            log.info("building voxlip's fused WaveRNN kernels (once; about a minute)")
            return load_inline(
                name=_NAME,
                cpp_sources=_SOURCE,
                functions=["first_gru", "second_gru", "draw_levels"],
                extra_cflags=["-O3", "-march=native", "-ffast-math", "-fopenmp"],
                extra_ldflags=["-fopenmp"],
                verbose=False,
            )
    except Exception as e:  # no compiler, no ninja, no Python headers, ...: fall back to torch ops
        log.warning(
            "WaveRNN runs without its fused kernels (%s: %s); it is slower but computes the same",
            type(e).__name__,
            str(e).splitlines()[0] if str(e) else "",
        )
        return None

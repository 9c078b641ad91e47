#!/usr/bin/python3
"""Regenerate the noise-source reference values (documentation only: tests never run this).

Needs torch (Debian bookworm's python3-torch 1.13.1 made these) and numpy. Run from the test project folder:

    /usr/bin/python3 Fixtures/randomness/make_reference.py

Writes little-endian float32 files, one value per tensor element in row-major order:
  cpu_<seed>_<shape>.f32           torch.randn(shape, generator=torch.Generator("cpu").manual_seed(seed))
  cpu_<seed>_<shape>_second.f32    the next torch.randn(shape, generator=g) from the same generator
                                   (what diffusers' DDIM step draws when eta > 0)
  nv_<seed>_<shape>.f32, nv_<seed>_<shape>_second.f32
                                   A1111's "NV" source (modules/rng_philox.py, restated below), offsets 0 and 1

A user can check any of them with two lines of Python:
    import torch; g = torch.Generator("cpu").manual_seed(0); print(torch.randn((1, 4, 64, 64), generator=g))
"""
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))

# (seed, shape, also the second call)
CASES = [
    (0, (1, 4, 64, 64), True),
    (42, (1, 4, 32, 48), False),
    (1234567890123, (1, 4, 96, 96), False),  # a seed above 2^32
    (7, (3,), False),                        # under 16 elements: torch's double Box-Muller with a cached pair
    (7, (17,), False),                       # one block of 16 and a recomputed tail
    (7, (2, 21), True),
]

# --- A1111 modules/rng_philox.py, same arithmetic ---------------------------------------------------------
philox_m = [0xD2511F53, 0xCD9E8D57]
philox_w = [0x9E3779B9, 0xBB67AE85]
two_pow32_inv = np.array([2.3283064e-10], dtype=np.float32)
two_pow32_inv_2pi = np.array([2.3283064e-10 * 6.2831855], dtype=np.float32)


def uint32(x):
    return x.view(np.uint32).reshape(-1, 2).transpose(1, 0)


def philox4_round(counter, key):
    v1 = uint32(counter[0].astype(np.uint64) * philox_m[0])
    v2 = uint32(counter[2].astype(np.uint64) * philox_m[1])
    counter[0] = v2[1] ^ counter[1] ^ key[0]
    counter[1] = v2[0]
    counter[2] = v1[1] ^ counter[3] ^ key[1]
    counter[3] = v1[0]


def philox4_32(counter, key, rounds=10):
    for _ in range(rounds - 1):
        philox4_round(counter, key)
        key[0] = key[0] + philox_w[0]
        key[1] = key[1] + philox_w[1]
    philox4_round(counter, key)
    return counter


def box_muller(x, y):
    u = x * two_pow32_inv + two_pow32_inv / 2
    v = y * two_pow32_inv_2pi + two_pow32_inv_2pi / 2
    s = np.sqrt(-2.0 * np.log(u))
    return (s * np.sin(v)).astype(np.float32)


class PhiloxGenerator:
    def __init__(self, seed):
        self.seed = seed
        self.offset = 0

    def randn(self, shape):
        n = int(np.prod(shape))
        counter = np.zeros((4, n), dtype=np.uint32)
        counter[0] = self.offset
        counter[2] = np.arange(n, dtype=np.uint32)
        self.offset += 1
        key = np.empty(n, dtype=np.uint64)
        key.fill(self.seed)
        key = uint32(key)
        g = philox4_32(counter, key)
        return box_muller(g[0], g[1]).reshape(shape)
# -----------------------------------------------------------------------------------------------------------


def name(source, seed, shape, suffix=""):
    return os.path.join(HERE, f"{source}_{seed}_{'x'.join(map(str, shape))}{suffix}.f32")


def save(path, values):
    np.ascontiguousarray(values, dtype="<f4").tofile(path)


def main():
    # A1111's documented output for Generator(seed=0).randn((3, 4)) — the restatement above must give it.
    expected = np.array([[-0.92466259, -0.42534415, -2.6438457, 0.14518388],
                         [-0.12086647, -0.57972564, -0.62285122, -0.32838709],
                         [-1.07454231, -0.36314407, -1.67105067, 2.26550497]])
    assert np.allclose(PhiloxGenerator(0).randn((3, 4)), expected, atol=1e-7)

    for seed, shape, second in CASES:
        g = torch.Generator("cpu").manual_seed(seed)
        save(name("cpu", seed, shape), torch.randn(shape, generator=g, dtype=torch.float32).numpy())
        if second:
            save(name("cpu", seed, shape, "_second"), torch.randn(shape, generator=g, dtype=torch.float32).numpy())
        p = PhiloxGenerator(seed)
        save(name("nv", seed, shape), p.randn(shape))
        if second:
            save(name("nv", seed, shape, "_second"), p.randn(shape))
    print("torch", torch.__version__, "numpy", np.__version__)


if __name__ == "__main__":
    main()

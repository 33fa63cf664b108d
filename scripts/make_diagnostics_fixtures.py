#!/usr/bin/env python3
"""Write draw sets and ArviZ's diagnostics of them for runtime/tests/diagnostics.rs.

Usage: pip install arviz numpy; python3 scripts/make_diagnostics_fixtures.py

Each set is one JSON file in runtime/tests/fixtures/diagnostics/ holding the draws (one list
per chain), the energy of each chain for E-BFMI, and ArviZ's values. NaN is written as null.
The draws are rounded to 10 significant digits before ArviZ sees them, so the Rust tests read
exactly the numbers ArviZ used.

ArviZ returns NaN for the R-hat of a single chain; `posterior` and Tilde split it in two. For
that set the script also stores the split R-hat computed with ArviZ's own internal functions
(`rhat_one_chain`), so that value is checked too.
"""

import json
import pathlib

import arviz as az
import numpy as np
from arviz.stats import diagnostics as azd

SEED = 20210321
OUT = pathlib.Path(__file__).resolve().parent.parent / "runtime/tests/fixtures/diagnostics"
QUANTILES = (0.05, 0.5, 0.95)


def round_draws(x):
    return np.vectorize(lambda v: float(f"{v:.10g}"))(np.asarray(x, dtype=float))


def ar1(rng, chains, draws, rho):
    x = np.empty((chains, draws))
    x[:, 0] = rng.normal(size=chains) / np.sqrt(1 - rho**2)
    for t in range(1, draws):
        x[:, t] = rho * x[:, t - 1] + rng.normal(size=chains)
    return x


def draw_sets(rng):
    shifted = rng.normal(size=(4, 250))
    shifted[3] += 0.6
    scaled = rng.normal(size=(4, 250)) * np.array([[1.0], [3.0], [1.0], [1.0]])
    heavy = rng.standard_t(1.5, size=(4, 250))
    ties = rng.poisson(3.0, size=(4, 200)).astype(float)
    return {
        "iid_normal": ("4 chains of iid N(0,1)", rng.normal(size=(4, 250))),
        "ar1_rho09": ("AR(1) with rho 0.9, odd chain length", ar1(rng, 4, 301, 0.9)),
        "heavy_tailed": ("iid Student t with 1.5 degrees of freedom", heavy),
        "shifted_means": ("iid N(0,1), the fourth chain shifted by 0.6", shifted),
        "different_scales": ("iid N(0,1), the second chain with sd 3", scaled),
        "discrete_ties": ("iid Poisson(3): many tied ranks", ties),
        "one_chain": ("1 chain of AR(1) with rho 0.5", ar1(rng, 1, 500, 0.5)),
        "constant": ("4 chains all equal to 1.0", np.ones((4, 100))),
    }


def value(v):
    v = float(np.asarray(v).squeeze())
    return None if np.isnan(v) else v


def arviz_values(x):
    flat = x.ravel()
    return {
        "rhat": value(az.rhat(x, method="rank")),
        "ess_bulk": value(az.ess(x, method="bulk")),
        "ess_tail": value(az.ess(x, method="tail")),
        "ess_mean": value(az.ess(x, method="mean")),
        "mcse_mean": value(az.mcse(x, method="mean")),
        "mean": value(flat.mean()),
        "sd": value(flat.std(ddof=1)),
        "quantiles": [[p, value(azd._quantile(flat, p)[0])] for p in QUANTILES],
    }


def split_rhat_one_chain(x):
    # ArviZ's _rhat_rank without its two-chain guard.
    split = azd._split_chains(x)
    bulk = azd._rhat(azd._z_scale(split))
    tail = azd._rhat(azd._z_scale(abs(split - np.median(split))))
    return max(bulk, tail)


def main():
    rng = np.random.default_rng(SEED)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (description, draws) in draw_sets(rng).items():
        x = round_draws(draws)
        energy = round_draws(ar1(rng, x.shape[0], x.shape[1], 0.7) * 3.0 + 50.0)
        fixture = {
            "description": description,
            "made_with": f"arviz {az.__version__}, numpy {np.__version__}",
            "chains": x.tolist(),
            "energy": energy.tolist(),
            "arviz": arviz_values(x),
            "ebfmi": [value(v) for v in az.bfmi(energy)],
        }
        if x.shape[0] == 1:
            fixture["rhat_one_chain"] = value(split_rhat_one_chain(x))
        path = OUT / f"{name}.json"
        path.write_text(json.dumps(fixture, allow_nan=False) + "\n")
        print(path.name, fixture["arviz"]["rhat"], fixture["arviz"]["ess_bulk"])


if __name__ == "__main__":
    main()

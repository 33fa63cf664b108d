"""Reads the CmdStan CSV files that the eight schools example writes with ArviZ and cmdstanpy,
the two readers Stan users rely on, and prints the posterior means each of them finds.

Run the example first, then this script from the repository root:

    cargo run --release --example eight_schools
    pip install arviz cmdstanpy
    python3 scripts/check_cmdstan_csv.py [target/eight_schools]

Both readers validate the files as they load them (the configuration header, the header row,
the adaptation block, draw counts, the timing footer), so a file either reader rejects is a
bug in Tilde's writer. CI does not run this script: the Rust tests assert the layout.
"""

import glob
import json
import os
import sys

import arviz
import cmdstanpy


def main() -> int:
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join("target", "eight_schools")
    files = sorted(glob.glob(os.path.join(folder, "eight_schools_*.csv")))
    if not files:
        print(f"no eight_schools_*.csv in {folder}; run the example first", file=sys.stderr)
        return 1
    print(f"{len(files)} files: {', '.join(os.path.basename(f) for f in files)}")

    idata = arviz.from_cmdstan(posterior=files)
    post = idata.posterior
    print(f"arviz: {post.sizes['chain']} chains x {post.sizes['draw']} draws")

    fit = cmdstanpy.from_csv(files)
    draws = fit.draws_pd()
    print(f"cmdstanpy: {fit.chains} chains x {fit.num_draws_sampling} draws, "
          f"step sizes {', '.join(f'{s:.3f}' for s in fit.step_size)}, "
          f"divergences {[int(d) for d in fit.divergences]}")

    # Tilde's own JSON output of the same run, as a third opinion.
    with open(os.path.join(folder, "eight_schools.json")) as f:
        tilde = json.load(f)

    def tilde_mean(name):
        chains = tilde[name]
        return sum(sum(c) for c in chains) / sum(len(c) for c in chains)


    print(f"{'variable':<10} {'arviz mean':>12} {'cmdstanpy mean':>15} {'tilde json':>12}")
    for name in ["mu", "tau"] + [f"theta[{j}]" for j in range(1, 9)]:
        base = name.split("[")[0]
        if "[" in name:
            index = int(name[name.index("[") + 1:-1]) - 1
            a = float(post[base].isel({post[base].dims[-1]: index}).mean())
        else:
            a = float(post[base].mean())
        c = float(draws[name].mean())
        t = tilde_mean(name)
        print(f"{name:<10} {a:>12.4f} {c:>15.4f} {t:>12.4f}")
        if abs(a - c) > 1e-9 or abs(a - t) > 1e-9:
            print(f"the readers disagree on {name}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Command line: ``stability analyze [FORMULA --x x1,x2 --y y1,y2] [--json]``, ``stability figures``.

With no formula, ``analyze`` runs the main job: the catalogue's toy games g1, g2, g3 are
analysed (critical points, classification, spectral table) and figures written.
"""

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

from . import algorithms, games, spectral
from .config import defaults
from .equilibria import classify
from .errors import StabilityError
from .games import Game

TOY_GAMES = ("g1", "g2", "g3")


def analyze_game(game, lr):
    """Critical points, their classification and the spectral table, as plain data."""
    out = []
    for cp in game.critical_points():
        cls = classify(game, cp)
        radii = spectral.table(game, cp.point, lr=lr)
        out.append({"classification": cls.to_dict(), "spectral_radius": radii,
                    "exact": None if cp.exact is None else [str(v) for v in cp.exact]})
    return out


def _print_report(title, report):
    print(f"== {title}")
    if not report:
        print("  no critical points found")
    for entry in report:
        c = entry["classification"]
        point = entry["exact"] or [f"{v:.6g}" for v in c["point"]]
        print(f"  point ({', '.join(point)}): {c['verdict']}   residual {c['residual']:.1e}")
        print(f"    eig Hxx {_fmt(c['eig_xx'])}  eig Hyy {_fmt(c['eig_yy'])}  "
              f"eig S {_fmt(c['eig_S'])}  eig T {_fmt(c['eig_T'])}")
        print(f"    strict local Nash {c['strict_local_nash']}, minimax {c['strict_local_minimax']}, "
              f"maximin {c['strict_local_maximin']}, GDA-stable {c['gda_stable']}, "
              f"inconclusive {c['inconclusive']}")
        print(f"    {'algorithm':<18}{'ρ':>10}  {'stable':<7}")
        for name, rho in entry["spectral_radius"].items():
            if isinstance(rho, str):
                print(f"    {name:<18}{'—':>10}  {rho}")
            else:
                print(f"    {name:<18}{rho:>10.6f}  {'yes' if rho < 1 else 'no':<7}")


def _fmt(values):
    return "undefined" if values is None else "[" + ", ".join(f"{v:.4g}" for v in values) + "]"


def write_toy_figures(directory):
    """The main job's figures: trajectories and ρ(η) on g1, g2, g3."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from .figures import figure_radius, figure_toy

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TOY_GAMES:
        for stem, draw in (("trajectories", figure_toy), ("radius", figure_radius)):
            fig, ax = plt.subplots(figsize=defaults["figsize"])
            draw(name, ax=ax)
            fig.tight_layout()
            path = directory / f"{stem}_{name}.png"
            fig.savefig(path, dpi=defaults["dpi"])
            plt.close(fig)
            written.append(str(path))
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(prog="stability", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("analyze", help="critical points, classification and spectral table")
    p.add_argument("formula", nargs="?", help="f(x, y), e.g. '-3*x**2 - y**2 + 4*x*y'")
    p.add_argument("--x", default="x", help="leader (minimising) variables, comma separated")
    p.add_argument("--y", default="y", help="follower (maximising) variables, comma separated")
    p.add_argument("--lr", type=float, default=defaults["toy_lr"], help="step size for the table")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--figures", default="figures", help="where the main job writes figures")
    f = sub.add_parser("figures", help="regenerate every reproduced figure of the papers")
    f.add_argument("--out", default="figures", help="output directory")
    f.add_argument("--quick", action="store_true", help="small step counts and grids (smoke test)")
    b = sub.add_parser("bench", help="benchmarks against the naive methods (ratios, disagreement)")
    b.add_argument("--json", action="store_true", help="print a JSON list")
    b.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    args = parser.parse_args(argv)
    if args.command == "bench":
        from .bench import main as bench_main
        return bench_main(as_json=args.json, quick=args.quick)
    if args.command == "figures":
        from .figures import make_all
        for path in make_all(args.out, quick=args.quick):
            print(f"wrote {path}")
        return 0
    try:
        if args.formula is not None:
            game = Game.from_expr(args.formula, args.x, args.y)
            result = {"formula": args.formula, "x": list(game.x_names), "y": list(game.y_names),
                      "points": analyze_game(game, args.lr)}
            reports = [(f"f = {args.formula}", result["points"])]
        else:
            result = {"games": {name: analyze_game(games.get(name), args.lr) for name in TOY_GAMES}}
            reports = [(f"{name}: {games.describe(name).description}", rep)
                       for name, rep in result["games"].items()]
            result["figures"] = write_toy_figures(args.figures)
    except StabilityError as exc:
        if args.json:
            print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
        else:
            print(f"stability: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=1, default=_json_default))
    else:
        for title, report in reports:
            _print_report(title, report)
        for path in result.get("figures", []):
            print(f"wrote {path}")
    return 0


def _json_default(value):
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    raise TypeError(type(value).__name__)

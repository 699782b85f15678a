"""Command line: ``stability analyze [FORMULA --x x1,x2 --y y1,y2] [--json] [--certify]``, ``stability figures``,
``stability class monotone-lipschitz --mu 0.1 --L 1`` (worst-case and class-optimal rates).

With no formula, ``analyze`` runs the main job: the catalogue's toy games g1, g2, g3 are
analysed (critical points, classification, spectral table) and figures written.
"""

import argparse
import json
import math
import sys

import numpy as np

from . import formatting, games, spectral
from .config import defaults
from .equilibria import classify
from .errors import InputError, StabilityError
from .games import Game
from .linalg import StabilityWarning

TOY_GAMES = ("g1", "g2", "g3")


def analyze_game(game, lr, certify=False):
    """Critical points, their classification and the spectral table, as plain data. Every
    row states the hyperparameters that produced it, and the search says how it was done.
    With ``certify`` each point also gets a certified classification and each row a certified
    ρ (:mod:`stability.certify`), each hyperparameter read as the decimal it prints as."""
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", StabilityWarning)
        cps = game.critical_points()
    out = {"search": {"method": cps.method, "complete": cps.complete,
                      **{k: v for k, v in cps.coverage.items() if k != "hits"}},
           "warnings": [str(w.message) for w in caught], "points": []}
    for cp in cps:
        cls = classify(game, cp)
        rows = spectral.table(game, cp.point, lr=lr)
        out["points"].append({
            "classification": cls.to_dict(),
            "exact": None if cp.exact is None else [str(v) for v in cp.exact],
            "isolated": cp.isolated,
            "free_directions": None if cp.isolated else cp.free_directions.tolist(),
            "spectral_radius": {name: row.radius for name, row in rows.items()},
            "algorithms": {name: row.to_dict() for name, row in rows.items()}})
        if certify:
            out["points"][-1]["certified"] = _certified(game, cp, rows, lr)
    return out


def _certified(game, cp, rows, lr):
    """Certified classification and ρ of every defined row at ``cp``."""
    import sympy as sp
    from . import certify
    decimal = lambda v: sp.Rational(repr(v))
    radius = {}
    for name, row in rows.items():
        if row.error is not None or row.algorithm is None:
            continue
        hp = {k: (decimal(v) if isinstance(v, float) else decimal(v.real) + sp.I * decimal(v.imag))
              for k, v in row.algorithm.hp.items() if isinstance(v, (float, complex))}
        try:
            radius[name] = certify.spectral_radius(row.algorithm, game, cp, **hp).to_dict()
        except StabilityError as exc:
            radius[name] = {"verdict": "error", "error": str(exc)}
    return {"classification": certify.classify(game, cp).to_dict(), "spectral_radius": radius}


def _fmt_hp(hp):
    def one(v):
        if isinstance(v, list) and len(v) == 2 and not isinstance(v[0], list):
            return f"{complex(*v):.4g}"
        return "given" if isinstance(v, list) else f"{v:.4g}" if isinstance(v, float) else str(v)
    return " ".join(f"{k}={one(v)}" for k, v in hp.items() if v is not None)


def _print_report(title, report):
    print(f"== {title}")
    search = report["search"]
    note = "complete" if search["complete"] else "may be incomplete"
    extra = f" in [{search['bounds'][0]:g}, {search['bounds'][1]:g}], {search['starts']} starts" \
        if search["method"] == "numeric" else ""
    print(f"  critical points by {search['method']} search{extra}: {len(report['points'])} ({note})")
    for w in report["warnings"]:
        print(f"  warning: {w}")
    for entry in report["points"]:
        c = entry["classification"]
        point = entry["exact"] or [f"{v:.6g}" for v in c["point"]]
        kind = "" if entry["isolated"] else \
            f" [non-isolated: a critical set of dimension {len(entry['free_directions'])} passes through it]"
        print(f"  point ({', '.join(point)}): {c['verdict']}   residual {c['residual']:.1e}{kind}")
        print(f"    eig Hxx {_fmt(c['eig_xx'])}  eig Hyy {_fmt(c['eig_yy'])}  "
              f"eig S {_fmt(c['eig_S'])}  eig T {_fmt(c['eig_T'])}")
        print(f"    strict local Nash {c['strict_local_nash']}, minimax {c['strict_local_minimax']}, "
              f"maximin {c['strict_local_maximin']}, GDA-stable {c['gda_stable']}, "
              f"inconclusive {c['inconclusive']}")
        print(f"    {'algorithm':<18}{'ρ':>10}  {'stable':<7}hyperparameters")
        for name, row in entry["algorithms"].items():
            rho = row["rho"]
            if row["error"] is not None:
                print(f"    {name:<18}{'—':>10}  {'':<7}{_fmt_hp(row['hyperparameters'])}  ({row['error']})")
            else:
                verdict = {True: "yes", False: "no", None: "≈1 ?"}[row["stable"]]
                shown = f"{rho:>10.6f}" if rho < 1e4 else f"{rho:>10.4g}"
                print(f"    {name:<18}{shown}  {verdict:<7}"
                      f"{_fmt_hp(row['hyperparameters'])}")
        if "certified" in entry:
            cert = entry["certified"]
            print("    certified (each hyperparameter as the shortest decimal of its float, the point exactly): "
                  f"{cert['classification']['verdict']} ({cert['classification']['method']})")
            for name, c in cert["spectral_radius"].items():
                shown = c["error"] if c["verdict"] == "error" else (
                    f"{c['verdict']:<10} ρ ∈ [{c['rho'][0]:.17g}, {c['rho'][1]:.17g}]  ({c['method']})")
                print(f"      {name:<18}{shown}")
        if any(row["stable"] is None and row["error"] is None for row in entry["algorithms"].values()):
            print(f"    ≈1 ?: |ρ − 1| ≤ {defaults['spectral.rho_margin']:.2g}, below the accuracy of a computed "
                  "eigenvalue: stability is not decided")


def _fmt(values):
    return "undefined" if values is None else "[" + ", ".join(f"{v + 0.0:.4g}" for v in values) + "]"


class _Parser(argparse.ArgumentParser):
    """argparse whose usage errors follow the CLI's error convention: one line on stderr (or
    a JSON object with ``--json``) and exit status 2."""

    json_errors = False

    def error(self, message):
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text!r}")
    return value


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 < value <= 2400:
        raise argparse.ArgumentTypeError(f"expected a whole number in 1..2400, got {text!r}")
    return value


def _build_parser():
    parser = _Parser(prog="stability", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("analyze", help="critical points, classification and spectral table")
    p.add_argument("formula", nargs="?", help="f(x, y), e.g. '-3*x**2 - y**2 + 4*x*y'")
    p.add_argument("--x", default="x", help="leader (minimising) variables, comma separated")
    p.add_argument("--y", default="y", help="follower (maximising) variables, comma separated")
    p.add_argument("--lr", type=_positive_float, default=defaults["figures.toy_lr"],
                   help="step size for the table (every algorithm's step: ηx = ηy, CM's α)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--certify", action="store_true",
                   help="also prove each verdict: certified classification and ρ (needs stability[certify])")
    p.add_argument("--figures", default="figures", help="where the main job writes figures")
    f = sub.add_parser("figures", help="regenerate every reproduced figure of the papers")
    f.add_argument("--out", default="figures", help="output directory")
    f.add_argument("--quick", action="store_true", help="small step counts and grids (smoke test)")
    for q in (p, f):
        q.add_argument("--format", default="png", help="figure formats, comma separated: png, pdf, svg")
        q.add_argument("--dpi", type=_positive_int, default=defaults["plotting.dpi"],
                       help="resolution of PNG figures (vector formats ignore it)")
    c = sub.add_parser("class", help="worst-case and class-optimal rates over a class of games (a region of "
                                     "eig(V), or intervals of eig(S) and eig(−Hyy))")
    c.add_argument("kind", choices=("monotone-lipschitz", "bilinear", "polygon", "ridge"),
                   help="{Re λ ≥ μ, |λ| ≤ L}; ±i[σmin, σmax]; the convex hull of --points; or eig(S) in --s "
                        "and eig(−Hyy) in --h (the ridge followers FR, HessianFR, GDN)")
    c.add_argument("--mu", type=float, default=0.1, help="monotone-lipschitz: strong monotonicity μ")
    c.add_argument("--L", type=_positive_float, default=1.0, help="monotone-lipschitz: Lipschitz constant L")
    c.add_argument("--smin", type=float, default=0.1, help="bilinear: smallest singular value")
    c.add_argument("--smax", type=_positive_float, default=1.0, help="bilinear: largest singular value")
    c.add_argument("--points", default=None, help="polygon: comma-separated complex numbers, e.g. '0.2,1+0.5j,1-0.5j'")
    c.add_argument("--s", default="0.1,1", help="ridge: the interval of eig(S), 'lo,hi'")
    c.add_argument("--h", default="0.1,1", help="ridge: the interval of eig(−Hyy), 'lo,hi'")
    c.add_argument("--lr", type=_positive_float, default=0.1, help="the step size of the worst-case column")
    c.add_argument("--json", action="store_true", help="print JSON")
    b = sub.add_parser("bench", help="benchmarks against the naive methods (ratios, disagreement)")
    b.add_argument("--json", action="store_true", help="print a JSON list")
    b.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    b.add_argument("--gpu", action="store_true", help="add the CuPy rows (where CuPy finds a device)")
    return parser


def _fail(message, kind, as_json):
    if as_json:
        print(json.dumps({"error": kind, "message": message}))
    else:
        print(f"stability: error: {' '.join(str(message).split())}", file=sys.stderr)
    return 2


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    as_json = "--json" in argv
    try:
        args = _build_parser().parse_args(argv)
    except _UsageError as exc:
        return _fail(str(exc), "UsageError", as_json)
    try:
        return _run(args)
    except StabilityError as exc:
        return _fail(str(exc), type(exc).__name__, as_json)
    except OSError as exc:  # an unwritable --out/--figures, a full disk
        return _fail(f"cannot write output: {exc.strerror or exc} ({exc.filename or ''})",
                     "OutputError", as_json)


def _interval_option(text, name):
    try:
        lo, hi = (float(v) for v in text.split(","))
    except ValueError:
        raise InputError(f"--{name} must be an interval 'lo,hi' of two numbers, got {text!r}") from None
    return lo, hi


def _class_region(args):
    from .spectral.classes import Polygon, bilinear, monotone_lipschitz, ridge_class
    if args.kind == "ridge":
        s, h = _interval_option(args.s, "s"), _interval_option(args.h, "h")
        return ridge_class(s, h), f"ridge class: eig(S) in [{s[0]:g}, {s[1]:g}], eig(−Hyy) in [{h[0]:g}, {h[1]:g}]"
    if args.kind == "monotone-lipschitz":
        return monotone_lipschitz(args.mu, args.L), f"monotone_lipschitz(mu = {args.mu:g}, L = {args.L:g})"
    if args.kind == "bilinear":
        return bilinear(args.smin, args.smax), f"bilinear(smin = {args.smin:g}, smax = {args.smax:g})"
    if not args.points:
        raise InputError("class polygon needs --points, e.g. --points '0.2,1+0.5j,1-0.5j'")
    try:
        points = [complex(p.strip().replace(" ", "")) for p in args.points.split(",") if p.strip()]
    except ValueError:
        raise InputError(f"--points must be comma-separated complex numbers (1+0.5j), got {args.points!r}") from None
    return Polygon(points), "the convex hull of " + ", ".join(formatting.number(p) for p in points)


RIDGE_TUNING = {"fr": ("lr_x", "lr_y"), "fr-momentum": ("lr_x", "lr_y", "beta"), "hessianfr": ("lr_x", "lr_y", "lr_y2"),
                "gdn": ("lr_x",), "stackelberg-fr": ("lr_x", "lr_y")}
"""What ``stability class ridge`` tunes for each ridge follower."""


def class_report(args):
    """Every applicable algorithm's worst-case ρ at ``--lr`` and at its class-optimal
    hyperparameters. Over a region of eig(V) the step size is tuned (the other hyperparameters
    at their defaults, stated) and each tuned ρ is also given per gradient evaluation
    (ρ^(1/gradient calls per step)) beside the region's Krylov lower bound, which no explicit
    method beats (IU, an implicit method, can). Over a ridge class both step sizes are tuned
    (with the momentum or the Newton step where the method has one); the ridge followers use
    Hessian solves, so the Krylov bound does not apply to them."""
    from .spectral.classes import (REGION_ALGORITHMS, RIDGE_ALGORITHMS, RidgeClass, lower_bound, optimize_class,
                                   worst_case)
    region, title = _class_region(args)
    ridge = isinstance(region, RidgeClass)
    R = (max(map(abs, region.s)) or 1.0, max(map(abs, region.h)) or 1.0) if ridge else \
        float(np.abs(region.boundary()).max()) or 1.0
    bound = None if ridge else lower_bound(region)
    rows = []
    for name in RIDGE_ALGORITHMS if ridge else REGION_ALGORITHMS:
        step = "alpha" if name == "complex-momentum" else "lr"
        at = worst_case(name, region, **{step: args.lr})
        if ridge:
            box = {"lr_x": (1e-3 / R[0], 4.0 / R[0]), "lr_y": (1e-3 / R[1], 4.0 / R[1]), "beta": (0.0, 0.95),
                   "lr_y2": (0.0, 1.0)}  # each step scaled by its own interval
            bounds = {k: box[k] for k in RIDGE_TUNING[name]}
        else:
            bounds = {step: (1e-3 / R, (40.0 if name == "iu" else 4.0) / R)}
        tuned = optimize_class(name, region, bounds, num=41 if len(bounds) == 1 else None)
        calls = None if ridge else tuned.algorithm.gradient_calls
        rows.append({"algorithm": name, "worst_rho": at.rate, "at": formatting.hyperparameters(at.algorithm.hp),
                     "witness": [at.witness.real, at.witness.imag], "witness_of": at.block,
                     "tuned_rho": tuned.rate, "tuned_at": formatting.hyperparameters(tuned.algorithm.hp),
                     "gradient_calls": calls,
                     "tuned_rho_per_gradient": None if calls is None else tuned.rate ** (1 / calls)})
    return {"class": title, "lower_bound": bound, "rows": rows}


def _run(args):
    if args.command == "class":
        report = class_report(args)
        if args.json:
            print(json.dumps(report, indent=1, default=_json_default))
            return 0
        print(f"== {report['class']}")
        bound = report["lower_bound"]
        print("  Krylov lower bound per gradient evaluation: " + (
            "none (the ridge followers solve with Hyy)" if bound is None else f"{bound:.10f}"))
        print(f"  {'algorithm':<18}{'worst ρ':>14}  {'at':<40}{'tuned ρ':>14}{'per gradient':>14}  "
              "at (step tuned, the rest as shown)")
        for r in report["rows"]:
            per = r["tuned_rho_per_gradient"]
            per = f"{per:>14.10f}" if per is not None else f"{'implicit' if bound is not None else '—':>14}"
            print(f"  {r['algorithm']:<18}{r['worst_rho']:>14.10f}  {r['at']:<40}{r['tuned_rho']:>14.10f}{per}  "
                  f"{r['tuned_at']}")
        return 0
    if args.command == "bench":
        from .bench import main as bench_main
        return bench_main(as_json=args.json, quick=args.quick, gpu=args.gpu)
    if args.command == "figures":
        from .figures import make_all
        for path in make_all(args.out, quick=args.quick, formats=args.format, dpi=args.dpi):
            print(f"wrote {path}")
        return 0
    if args.formula is not None:
        game = Game.from_expr(args.formula, args.x, args.y)
        result = {"formula": args.formula, "x": list(game.x_names), "y": list(game.y_names),
                  "lr": args.lr, **analyze_game(game, args.lr, args.certify)}
        reports = [(f"f = {args.formula}", result)]
    else:
        result = {"lr": args.lr, "games": {name: analyze_game(games.get(name), args.lr, args.certify)
                                           for name in TOY_GAMES}}
        reports = [(f"{name}: {games.describe(name).description}", rep)
                   for name, rep in result["games"].items()]
        from .figures import write_toy_figures
        result["figures"] = write_toy_figures(args.figures, args.format, args.dpi)
    if args.json:
        print(json.dumps(result, indent=1, default=_json_default))
    else:
        for title, report in reports:
            _print_report(title, report)
        for path in result.get("figures", []):
            print(f"wrote {path}")
    return 0


def _json_default(value):
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, complex):
        return [value.real, value.imag]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    raise TypeError(type(value).__name__)

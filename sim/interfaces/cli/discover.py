"""`python -m sim discover results/<experiment> --outcome O --where "effect < 0"`: under
which conditions does something happen?

Scenario discovery (sim.experiments.discovery, on cases from
sim.experiments.analysis.conditions) over a finished sweep's stored runs: with parameter
draws (an experiment with ``[uncertainty]``) the cases are the draws and the condition may
name ``effect`` (the arm's paired effect against the reference), ``value`` and
``reference``; in a sampled design (lhs, sobol, morris) the cases are the design points and
the condition names ``value``. Prints the PRIM box with its coverage and density and the
feature scores, and writes ``discovery.md``, ``discovery.png`` (peeling trajectory, feature
scores, the box) and ``cases.parquet`` into ``--out`` (default:
``<results>/discovery/<outcome>[-<arm>]-<condition>``). Bad input — an unknown outcome or
arm, a condition that is not one, a folder without finished runs — is one line, exit 2.
"""

from __future__ import annotations

import argparse
import hashlib
import re
from pathlib import Path
from typing import Any

from . import add_quiet_option, format_table, non_negative_int

OPERATORS = {"<=": "le", ">=": "ge", "==": "eq", "!=": "ne", "<": "lt", ">": "gt"}


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "discover",
        help="under which conditions: PRIM boxes and feature scores over a sweep's runs",
        description="Scenario discovery over a finished sweep: the PRIM box of parameter "
        "values in which a condition holds (coverage, density, quasi-p values), the peeling "
        "trajectory and feature scores. Cases are the parameter draws of an experiment with "
        "[uncertainty] (condition over effect, value, reference) or the points of a sampled "
        "design (condition over value).",
    )
    p.add_argument("results", type=Path, help="results folder written by `python -m sim sweep`")
    p.add_argument("--outcome", required=True, help="outcome the condition is about")
    p.add_argument(
        "--where",
        required=True,
        metavar="CONDITION",
        help='condition per case, e.g. "effect < 0" or "effect < -0.01 and reference > 0.5"',
    )
    p.add_argument(
        "--arm",
        default=None,
        help="arm compared with the reference (needed when there are several)",
    )
    p.add_argument(
        "--box",
        type=non_negative_int,
        default=None,
        metavar="STEP",
        help="report this step of the peeling trajectory (default: the best "
        "balance of coverage and density)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="output folder (default: <results>/discovery/<outcome>-...)",
    )
    add_quiet_option(p, "the path of discovery.md")
    p.set_defaults(func=cmd_discover)


SLUG_LENGTH = 80
"""Longest folder name made of a condition (a longer one is cut and given a hash)."""


def slug(text: str) -> str:
    """A file-name form of a condition: operators spelled out, other signs dropped; cut to
    SLUG_LENGTH characters, with a hash of the whole condition, if longer."""
    whole = text
    for op, word in {**OPERATORS, "-": "minus"}.items():
        text = text.replace(op, f" {word} ")
    name = re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-").lower()
    if len(name) <= SLUG_LENGTH:
        return name
    digest = hashlib.sha256(whole.encode("utf-8")).hexdigest()[:8]
    return f"{name[: SLUG_LENGTH - 9].rstrip('-')}-{digest}"


def cmd_discover(args: argparse.Namespace) -> int:
    from sim.experiments.analysis import load_results
    from sim.experiments.analysis.conditions import answer, sentence
    from sim.experiments.discovery import Question
    from sim.runs.files import atomic_path, atomic_write_text
    from sim.runs.folder import prepare_dir

    res = load_results(args.results)
    # an unwritable place is reported before anything is computed
    prepare_dir(args.out if args.out is not None else args.results / "discovery", keep=False)
    a = answer(res, Question(args.outcome, args.where, args.arm), args.arm, step=args.box)
    name = "-".join(p for p in (args.outcome, a.arm, slug(args.where)) if p)
    out = args.out if args.out is not None else args.results / "discovery" / name
    prepare_dir(out)

    text = sentence(res, a)
    lines = [f"# Under which conditions: {res.name}", "", text, ""]
    if a.found is not None:
        f = a.found
        rows = [
            [n, f"{r['low']:.4g}", f"{r['high']:.4g}", _qp(r["qp_low"]), _qp(r["qp_high"])]
            for n, r in f.limits.iterrows()
        ]
        table = format_table(rows, ["input", "box low", "box high", "qp low", "qp high"])
        scores = format_table(
            [[n, f"{v:.3f}"] for n, v in f.scores.items()], ["input", "feature score"], "lr"
        )
        lines += ["```", table, "", scores, "```", "", "![discovery](discovery.png)", ""]
        with atomic_path(out / "discovery.png") as tmp, open(tmp, "xb") as fh:
            f.figure(f"{res.name}: {args.outcome}, {args.where}").savefig(fh, format="png", dpi=110)
        if not args.quiet:
            print(text)
            print(table)
            print()
            print(scores)
    elif not args.quiet:
        print(text)
    cases = a.cases.x.assign(**a.cases.variables, holds=a.holds)
    if a.found is not None:
        cases["in_box"] = a.found.in_box()
    with atomic_path(out / "cases.parquet") as tmp:
        cases.to_parquet(tmp, index=False)
    atomic_write_text(out / "discovery.md", "\n".join(lines))
    print(out / "discovery.md" if args.quiet else f"wrote {out / 'discovery.md'}")
    return 0


def _qp(value: float) -> str:
    return "–" if value != value else f"{value:.2g}"

"""`python -m sim report results/<experiment>`: statistics, figures and a Markdown report.

Reads only the results folder a sweep wrote (sim.experiments.store) and writes `report.md`, its
figures (PNG at 300 dpi and PDF by default; `--format`, `--dpi`) and every estimate table as CSV
(default: `<results>/report/`). With several results folders and `--doc FILE`, each
report goes to `--out/<experiment>/` and one document assembles them all (this is how
docs/RESULTS.md is regenerated).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from . import CommandError, add_quiet_option, positive_int


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "report",
        help="report of a finished sweep: CIs, paired differences, figures and tables",
        description="Write report.md, its figures (PNG and PDF or SVG) and every estimate "
        "table as CSV for a sweep's results folder: mean "
        "and 95% CI per arm, paired differences from the reference arm with Cohen's d_z, "
        "effect lines and interaction heatmaps for grids, monthly series with CI bands, and "
        "Sobol'/Morris indices for sensitivity designs.",
    )
    p.add_argument(
        "results", type=Path, nargs="+", help="results folder(s) written by `python -m sim sweep`"
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder for report.md and figures (default: <results>/report; with "
        "--doc: the parent folder of one sub-folder per experiment)",
    )
    p.add_argument(
        "--doc",
        type=Path,
        default=None,
        metavar="FILE",
        help="also assemble all reports into one Markdown document",
    )
    p.add_argument(
        "--intro",
        type=Path,
        default=None,
        metavar="FILE",
        help="with --doc: Markdown file that opens the document",
    )
    p.add_argument(
        "--format",
        default="png,pdf",
        metavar="LIST",
        help="figure formats, comma-separated, from png, pdf and svg (default: png,pdf)",
    )
    p.add_argument(
        "--dpi",
        type=positive_int,
        default=300,
        metavar="N",
        help="resolution of PNG figures in dots per inch (default 300)",
    )
    add_quiet_option(p, "the paths written (report.md, or the assembled document)")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from sim.experiments.analysis import (  # matplotlib, scipy: on use
        write_experiments_doc,
        write_report,
    )
    from sim.experiments.analysis.report import FORMATS

    formats = tuple(dict.fromkeys(f.strip().lower() for f in args.format.split(",") if f.strip()))
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise CommandError(
            f"--format {args.format!r}: {bad[0] if bad else 'no format'} is not a figure "
            f"format; allowed: {', '.join(FORMATS)} (comma-separated)"
        )
    if args.intro is not None and args.doc is None:
        raise CommandError(
            "--intro opens the document that --doc assembles; give --doc FILE and --out DIR "
            "too, or leave --intro out"
        )
    _check_outputs(args)  # before any report is computed
    if args.doc is not None:
        if args.out is None:
            raise CommandError("--doc needs --out DIR for the per-experiment figures")
        intro = None
        if args.intro is not None:
            try:
                intro = args.intro.read_text(encoding="utf-8")
            except OSError as err:
                raise CommandError(f"--intro {args.intro}: cannot read ({err})") from None
        doc = write_experiments_doc(args.results, args.out, args.doc, intro, formats, args.dpi)
        print(
            doc
            if args.quiet
            else f"wrote {doc} ({len(args.results)} experiments; figures in {args.out})"
        )
        return 0
    if len(args.results) > 1 and args.out is not None:
        raise CommandError("--out takes one results folder (or use --doc to assemble several)")
    for root in args.results:
        path = write_report(root, args.out, formats, args.dpi)
        print(path if args.quiet else f"wrote {path}")
    return 0


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse output places that cannot be written (a file in the way, a missing or
    read-only folder, a name too long) before anything is computed."""
    from sim.runs.folder import prepare_dir, shown

    if args.doc is not None:
        try:
            is_dir, parent = args.doc.is_dir(), args.doc.parent.is_dir()
        except OSError as err:
            raise CommandError(
                f"--doc {shown(args.doc)}: cannot use this path ({err.strerror})"
            ) from None
        if is_dir:
            raise CommandError(f"--doc {args.doc}: is a folder; give the Markdown file to write")
        if not parent:
            raise CommandError(
                f"--doc {shown(args.doc)}: the folder {shown(args.doc.parent)} does not exist; "
                "create it or give another path"
            )
        prepare_dir(args.doc.parent, "--doc")
    if args.out is not None:
        prepare_dir(args.out, "--out", keep=False)
    for root in args.results if args.out is None else []:  # each one's report/ by default
        if _is_dir(root):  # (a results folder that is none is refused when it is read)
            prepare_dir(root / "report", "--out", keep=False)


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False

"""`cvassist` command line: parse, eval, corpus, bench and the operational commands."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

SUPPORTED_SUFFIXES = {".pdf", ".docx", ".txt", ".md", ".markdown", ".text"}


def iter_inputs(paths: list[str]) -> Iterator[Path]:
    """Files named on the command line; directories are walked (sorted, CV-like suffixes only)."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield child
        else:
            yield p


def _parse_one(args: tuple[str, str]) -> str:
    """Worker: parse one path and return the serialised output line."""
    path, fmt = args
    from parsing.pipeline import parse_path

    parsed = parse_path(Path(path), isolated=True)  # hostile files cannot hurt the batch
    if fmt == "jsonresume":
        from parsing.jsonresume import to_jsonresume

        doc = to_jsonresume(parsed)
        doc["file"] = parsed.file
        doc["status"] = parsed.status.value
        if parsed.message:
            doc["message"] = parsed.message
        return json.dumps({"ok": parsed.status.usable, "doc": doc}, ensure_ascii=False)
    return json.dumps({"ok": parsed.status.usable, "doc": parsed.to_dict()}, ensure_ascii=False)


def cmd_parse(ns: argparse.Namespace) -> int:
    """Parse files; one JSON document for one file, JSON Lines for several."""
    files = list(iter_inputs(ns.paths))
    if not files:
        print("cvassist parse: no input files found", file=sys.stderr)
        return 1
    jobs = [(str(f), ns.format) for f in files]
    if ns.workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=ns.workers) as pool:
            results = list(pool.map(_parse_one, jobs, chunksize=1))
    else:
        results = [_parse_one(j) for j in jobs]
    all_ok = True
    out_dir = Path(ns.out) if ns.out else None
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
    for path, line in zip(files, results, strict=True):
        wrapped = json.loads(line)
        all_ok &= bool(wrapped["ok"])
        doc = wrapped["doc"]
        if out_dir:
            (out_dir / f"{path.name}.json").write_text(
                json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8"
            )
        elif len(files) == 1:
            print(json.dumps(doc, ensure_ascii=False, indent=2))
        else:
            print(json.dumps(doc, ensure_ascii=False))
    return 0 if all_ok else 1


def cmd_eval(ns: argparse.Namespace) -> int:
    """Score the parser against a labelled directory in the shared/eval format."""
    from evaluation.harness import main as eval_main

    return eval_main(ns)


def cmd_corpus(ns: argparse.Namespace) -> int:
    """Generate the labelled synthetic corpus (or, with --scan-from, scans of one)."""
    if getattr(ns, "scan_from", None):
        from corpus.scan import main as scan_main

        return scan_main(ns)
    from corpus.generate import main as corpus_main

    return corpus_main(ns)


def cmd_import(ns: argparse.Namespace) -> int:
    """Store and parse files into the database through the upload page's intake."""
    from correction.importer import main as import_main

    return import_main(iter_inputs(ns.paths), user=ns.user, batch=ns.batch)


def cmd_demo(ns: argparse.Namespace) -> int:
    """Load the synthetic demo CVs (what `make run` shows on a fresh machine)."""
    from correction.dashboard import review_demo_main
    from correction.importer import load_demo

    return load_demo(if_empty=ns.if_empty) or review_demo_main()


def cmd_simulate(ns: argparse.Namespace) -> int:
    """Learning curves: a simulated recruiter corrects pool CVs, the test CVs are scored."""
    from correction.simulate import main as simulate_main

    return simulate_main(ns)


def cmd_worker(ns: argparse.Namespace) -> int:
    """Run parse workers against the configured database and file store."""
    from correction.worker import main as worker_main

    return worker_main(ns)


def cmd_train(ns: argparse.Namespace) -> int:
    """Retrain calibration (and learned extraction) from corrections; promote if it passes."""
    from correction.models import train_main

    return train_main(ns)


def cmd_models(ns: argparse.Namespace) -> int:
    """List model versions, promote one, or roll back to the previous champion."""
    from correction.models import models_main

    return models_main(ns)


def cmd_export(ns: argparse.Namespace) -> int:
    """Export filtered candidates (CSV, XLSX, JSON, JSON Resume) as the operator; audited."""
    from correction.export import main as export_main

    return export_main(ns)


def cmd_drift_check(ns: argparse.Namespace) -> int:
    """Check correction rates and the input mix for drift; raise throttled alerts (for cron)."""
    from correction.dashboard import drift_check_main

    return drift_check_main(window_days=ns.window_days)


def cmd_users(ns: argparse.Namespace) -> int:
    """Local accounts: create (bootstraps the first admin), list, set-role, disable, enable."""
    from correction.admin import users_main

    return users_main(ns)


def cmd_purge(ns: argparse.Namespace) -> int:
    """Delete everything about candidates past the retention period (also runs daily by itself)."""
    from correction.admin import purge_main

    return purge_main(ns)


def cmd_erase(ns: argparse.Namespace) -> int:
    """Erase one candidate: file, rows, derived data; models trained on them are flagged."""
    from correction.admin import erase_main

    return erase_main(ns)


def cmd_subject_access(ns: argparse.Namespace) -> int:
    """Write a ZIP of everything held about one candidate."""
    from correction.admin import subject_access_main

    return subject_access_main(ns)


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree for every subcommand."""
    ap = argparse.ArgumentParser(prog="cvassist", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="parse CVs to JSON")
    p.add_argument("paths", nargs="+")
    p.add_argument("--format", choices=["native", "jsonresume"], default="native")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--out", help="write one <file>.json per input into this directory")
    p.set_defaults(func=cmd_parse)

    e = sub.add_parser("eval", help="score the parser on a labelled directory")
    e.add_argument("dir")
    e.add_argument("--formats", default="pdf,docx,txt")
    e.add_argument("--datasets", default="", help="comma-separated dataset names (default all)")
    e.add_argument("--json", dest="json_out")
    e.add_argument("--plot", dest="plot_out")
    e.add_argument("--workers", type=int, default=2)
    e.add_argument("--limit", type=int, default=0, help="at most N documents (0 = all)")
    e.add_argument("--parser", choices=["cvassist", "baseline"], default="cvassist")
    e.set_defaults(func=cmd_eval)

    d = sub.add_parser("demo", help="import the synthetic demo CVs into the database")
    d.add_argument("--if-empty", action="store_true", help="only when no candidate exists yet")
    d.set_defaults(func=cmd_demo)

    c = sub.add_parser("corpus", help="generate the labelled synthetic CV corpus")
    c.add_argument("--out", required=True)
    c.add_argument("--n", type=int, default=200, help="number of people")
    c.add_argument("--seed", type=int, default=7)
    c.add_argument("--formats", default="pdf,docx,txt")
    c.add_argument("--layouts", default="", help="comma-separated layout names (default all)")
    c.add_argument(
        "--scan-from", help="rasterise this eval directory's PDFs into noisy image-only scans"
    )
    c.set_defaults(func=cmd_corpus)

    i = sub.add_parser("import", help="parse CVs and store them for review (like the upload page)")
    i.add_argument("paths", nargs="+")
    i.add_argument(
        "--user", help="an account allowed to upload, recorded as uploader (default: 'system')"
    )
    i.add_argument("--batch", help="label of the upload batch")
    i.set_defaults(func=cmd_import)

    w = sub.add_parser("worker", help="parse queued uploads (any machine with the DB and store)")
    w.add_argument("--concurrency", type=int, default=2, help="worker processes (default 2)")
    w.add_argument("--poll", type=float, default=1.0, help="seconds between empty claims")
    w.add_argument("--once", action="store_true", help="exit when no job is left to run")
    w.set_defaults(func=cmd_worker)

    s = sub.add_parser("simulate", help="learning curves from simulated corrections")
    s.add_argument("--pool", required=True, help="labelled directory the recruiter corrects")
    s.add_argument("--test", required=True, help="labelled directory scored after each step")
    s.add_argument("--budgets", default="0,10,20,40", help="corrected CVs at each step")
    s.add_argument("--strategy", choices=["uncertainty", "random"], default="uncertainty")
    s.add_argument("--seeds", type=int, default=3)
    s.add_argument("--formats", default="pdf,docx,txt")
    s.add_argument("--no-memory", action="store_true", help="learn across layouts")
    s.add_argument("--json", dest="json_out", required=True)
    s.add_argument("--plot", dest="plot_out")
    s.set_defaults(func=cmd_simulate)

    t = sub.add_parser("train", help="retrain from corrections; promote if the holdout gate passes")
    t.add_argument(
        "--force-promote",
        choices=["auto", "never"],
        default="auto",
        help="auto: promote when the gate passes (default); never: only register",
    )
    t.add_argument("--json", dest="json_out", help="write the training report here")
    t.add_argument("--user", help=argparse.SUPPRESS)  # the Models page's background run
    t.add_argument("--status", help=argparse.SUPPRESS)  # where that run reports its state
    t.set_defaults(func=cmd_train)

    m = sub.add_parser("models", help="model history, promote a version, roll back")
    m.add_argument("action", choices=["list", "promote", "rollback"])
    m.add_argument("version", nargs="?")
    m.set_defaults(func=cmd_models)

    x = sub.add_parser("export", help="export candidates for analysis (audited)")
    x.add_argument("--format", choices=["csv", "xlsx", "json", "jsonresume"], required=True)
    x.add_argument("--out", required=True, help="file to write ('-' = stdout)")
    x.add_argument("--pseudonymise", action="store_true", help="no names or contact details")
    x.add_argument("--since", help="first day, YYYY-MM-DD")
    x.add_argument("--until", help="last day (included), YYYY-MM-DD")
    x.add_argument(
        "--date", dest="date_field", choices=["uploaded", "activity"], default="uploaded"
    )
    x.add_argument("--batch", type=int, help="upload batch id")
    x.add_argument("--status", action="append", choices=["new", "in_review", "reviewed"])
    x.add_argument("--reviewed-only", action="store_true")
    x.add_argument("--skill", action="append", help="repeatable; any of them unless --all-skills")
    x.add_argument("--all-skills", action="store_true", help="every --skill must be present")
    x.add_argument("--language", action="append", help="repeatable; every one must be spoken")
    x.add_argument("--min-years", type=float, help="total experience at least N years")
    x.add_argument("--max-years", type=float, help="total experience at most N years")
    x.set_defaults(func=cmd_export)

    dc = sub.add_parser("drift-check", help="raise drift alerts for the dashboard (run from cron)")
    dc.add_argument("--window-days", type=int, default=7, help="length of a drift window")
    dc.set_defaults(func=cmd_drift_check)

    us = sub.add_parser("users", help="local accounts: create, list, set-role, disable, enable")
    us.add_argument(
        "action", choices=["create", "list", "set-role", "disable", "enable", "reset-password"]
    )
    us.add_argument("--username")
    us.add_argument("--role", choices=["recruiter", "hr_lead", "analyst", "admin"])
    us.add_argument("--email", help="the e-mail an OIDC sign-in maps to this account")
    us.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    us.add_argument("--oidc-only", action="store_true", help="no password: OIDC sign-in only")
    us.set_defaults(func=cmd_users)
    pu = sub.add_parser("purge", help="delete candidates past the retention period now")
    pu.add_argument("--dry-run", action="store_true", help="only count what would go")
    pu.set_defaults(func=cmd_purge)
    er = sub.add_parser("erase", help="erase one candidate everywhere (audited)")
    er.add_argument("candidate_id", type=int)
    er.add_argument(
        "--reason",
        required=True,
        choices=["erasure_request", "consent_withdrawn", "uploaded_in_error", "other"],
    )
    er.set_defaults(func=cmd_erase)
    sa = sub.add_parser("subject-access", help="ZIP of everything held about one candidate")
    sa.add_argument("candidate_id", type=int)
    sa.add_argument("--out", required=True, help="the .zip file to write")
    sa.set_defaults(func=cmd_subject_access)
    return ap


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `cvassist` console script."""
    ns = build_parser().parse_args(argv)
    try:
        code = ns.func(ns)
        sys.stdout.flush()
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:  # `cvassist parse ... | head`: the reader left, stop quietly
        sys.stdout = open(os.devnull, "w")  # nothing more may be flushed to the closed pipe
        code = 0
    sys.exit(code)


if __name__ == "__main__":
    main()

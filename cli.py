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

    parsed = parse_path(Path(path))
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
    """Generate the labelled synthetic corpus."""
    from corpus.generate import main as corpus_main

    return corpus_main(ns)


def cmd_import(ns: argparse.Namespace) -> int:
    """Store and parse files into the database through the upload page's intake."""
    from correction.importer import main as import_main

    return import_main(iter_inputs(ns.paths), user=ns.user, batch=ns.batch)


def cmd_demo(ns: argparse.Namespace) -> int:
    """Load the synthetic demo CVs (what `make run` shows on a fresh machine)."""
    from correction.importer import load_demo

    return load_demo(if_empty=ns.if_empty)


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
    c.set_defaults(func=cmd_corpus)

    i = sub.add_parser("import", help="parse CVs and store them for review (like the upload page)")
    i.add_argument("paths", nargs="+")
    i.add_argument("--user", help="uploader recorded on each document (default: OS user)")
    i.add_argument("--batch", help="label of the upload batch")
    i.set_defaults(func=cmd_import)
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

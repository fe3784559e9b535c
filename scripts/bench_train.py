"""Benchmark: retraining on 100 new corrections must take at most 60 s on one core.

    .venv/bin/python scripts/bench_train.py [--corrections 100]

Builds a throw-away SQLite database, ingests the generated fixture CVs (real parses) and records
about 100 decisions of a recruiter who compares each value with the ground truth by exact text
(stricter than a person, so the gate's verdict here says little), then times one
`learning.train.train` run, extraction model included (wall and CPU time of this single
process), and prints the ratio to the 60 s budget. --synthetic: synthetic values instead.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session

from correction.bands import score_fields
from correction.intake import ingest
from data.db import get_engine, init_db
from data.models import Candidate, Correction, ParseResult
from data.queries import add_parse_result, get_or_create_document, save_candidate
from data.store import FileStore
from learning.calibration import field_type
from learning.shipped import load_shipped
from learning.train import train
from parsing.model import ParsedCV
from settings import get_settings

GENERATED = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "generated"
BUDGET_S = 60.0
PATHS = (
    "name", "email", "location", "skills[0]", "skills[1]", "skills[2]",
    "experience[0].title", "experience[0].company", "education[0].degree",
    "education[0].institution",
)  # fmt: skip


def _parsed(i: int, raws: dict[str, float]) -> ParsedCV:
    fields: dict[str, Any] = {}
    for path, conf in raws.items():
        f = {"value": f"value {i} {path}", "confidence": conf, "extractor": "bench"}
        group, _, rest = path.partition("[")
        if not rest:
            fields[group] = f
        elif "." in rest:
            fields.setdefault(group, [{}])[0][rest.split(".")[1]] = f
        else:
            fields.setdefault(group, []).append(f)
    digest = hashlib.sha256(f"bench {i}".encode()).hexdigest()
    return ParsedCV.model_validate(
        {"file": f"cv{i}.txt", "sha256": digest, "status": "ok", "fields": fields,
         "model_version": "bench"}
    )  # fmt: skip


def seed(session: Session, n: int, store: FileStore) -> None:
    """About n recruiter decisions on synthetic CVs (an honest recruiter)."""
    rng = np.random.default_rng(0)
    calibrator = load_shipped().calibrator
    assert calibrator is not None
    for i in range(n // len(PATHS) + 1):
        raws = {p: float(rng.uniform(0.3, 0.99)) for p in PATHS}
        parsed = _parsed(i, raws)
        doc, _ = get_or_create_document(
            session=session, data=f"bench {i}".encode(), name=parsed.file, user="bench",
            batch_id=None, store=store,
        )  # fmt: skip
        assert doc.id is not None
        result = add_parse_result(session=session, document_id=doc.id, parsed=parsed)
        assert result.id is not None
        scores = score_fields(f for _, f in parsed.fields.iter_fields())
        cand = save_candidate(
            session=session, document_id=doc.id, parse_result_id=result.id, scores=scores,
            display_name=None,
        )  # fmt: skip
        assert cand.id is not None
        truth = calibrator.predict([field_type(p) for p in PATHS], list(raws.values()))
        for path, p_ok in zip(PATHS, truth, strict=True):
            ok = bool(rng.uniform() < p_ok)
            session.add(
                Correction(
                    candidate_id=cand.id,
                    parse_result_id=result.id,
                    username="bench",
                    field_path=path,
                    action="accept" if ok else "edit",
                    model_version="bench",
                    candidate_version=2,
                )
            )
    session.commit()


def _truth(path: str, value: object, gt: dict[str, object]) -> tuple[str, object]:
    """(action, new value) of a recruiter who knows the ground truth."""
    group, _, rest = path.partition("[")
    want: object = gt.get(group)
    if rest and "." in rest and isinstance(want, list):
        idx, comp = int(rest.split("]")[0]), rest.split(".")[1]
        want = want[idx].get(comp) if idx < len(want) and isinstance(want[idx], dict) else None
    elif rest and isinstance(want, list):
        hit = any(str(w).lower() == str(value).lower() for w in want)
        return ("accept", None) if hit else ("reject", None)
    if want is None:
        return "reject", None
    return ("accept", None) if str(want).lower() == str(value).lower() else ("edit", want)


def seed_documents(session: Session, n: int) -> None:
    """About n corrections on the generated fixture CVs (real documents, real parses)."""
    index = [json.loads(line) for line in (GENERATED / "index.jsonl").read_text().splitlines()]
    made = 0
    for entry in index:
        gt = json.loads((GENERATED / entry["gt"]).read_text())
        pdf = next(f for f in entry["files"] if f.endswith(".pdf"))
        res = ingest(
            session=session, name=Path(pdf).name, data=(GENERATED / pdf).read_bytes(),
            user="system", batch_id=None,
        )  # fmt: skip
        cand = session.get(Candidate, res.candidate_id)
        result = session.get(ParseResult, cand.parse_result_id) if cand else None
        if cand is None or result is None:
            continue
        assert cand.id is not None and result.id is not None
        parsed = ParsedCV.model_validate(result.parsed)
        for path, f in parsed.fields.iter_fields()[:12]:
            action, new = _truth(path, f.value, gt)
            session.add(
                Correction(
                    candidate_id=cand.id,
                    parse_result_id=result.id,
                    username="system",
                    field_path=path,
                    action=action,
                    old_value=f.value,
                    new_value=new,
                    model_version=parsed.model_version or "",
                    candidate_version=2,
                )
            )
            made += 1
        if made >= n:
            break
    session.commit()


def main() -> int:
    """Seed, train once, print the timing and the ratio to the budget."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corrections", type=int, default=100)
    ap.add_argument(
        "--synthetic", action="store_true", help="synthetic values instead of real documents"
    )
    ns = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CVASSIST_DATA_DIR"] = tmp
        os.environ["CVASSIST_DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite"
        get_settings.cache_clear()
        engine = get_engine(f"sqlite:///{tmp}/bench.sqlite")
        init_db(engine)
        with Session(engine, expire_on_commit=False) as session:
            if ns.synthetic:
                seed(session, ns.corrections, FileStore(Path(tmp) / "files"))
            else:
                seed_documents(session, ns.corrections)
            wall, cpu = time.perf_counter(), time.process_time()
            report = train(session=session, user="system", root=Path(tmp) / "models")
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"train on {report.n_outcomes} corrections ({report.n_train} learnt, "
        f"{report.n_holdout_outcomes} held out): {wall:.2f} s wall, {cpu:.2f} s CPU, one process; "
        f"budget {BUDGET_S:.0f} s → {wall / BUDGET_S:.3f} of the budget; "
        f"gate {'passed' if report.passed else 'refused'}; {report.extraction or 'no extraction'}"
    )
    for reason in report.reasons:
        print(f"  gate: {reason}")
    return 0 if wall <= BUDGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""`cvassist simulate`: the simulated recruiter's saves, the curve JSON, bad arguments."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import Session

from cli import main
from corpus.generate import generate
from correction.intake import ingest
from correction.simulate import SimulationError, correct_one, parse_budgets
from data.queries import current_record
from data.store import FileStore
from evaluation import scoring
from evaluation.harness import load_documents


@pytest.fixture(scope="module")
def dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("sim")
    generate(root / "pool", 4, 701, ("txt",), ("two_column",))
    generate(root / "test", 2, 702, ("txt",), ("two_column",))
    return root / "pool", root / "test"


def test_simulated_recruiter_makes_the_record_match_the_truth(
    session: Session, store: FileStore, dirs: tuple[Path, Path]
) -> None:
    doc = load_documents(dirs[0])[1]
    res = ingest(session=session, name=doc.path.name, data=doc.path.read_bytes(), user="system",
                 batch_id=None, store=store)  # fmt: skip
    assert res.candidate_id is not None
    fields = [f for f in doc.annotated if f != "languages"]  # languages are left as parsed
    before = scoring.score_parsed(
        current_record(session=session, candidate_id=res.candidate_id), doc.gt, fields
    )
    changed = correct_one(session=session, candidate_id=res.candidate_id, doc=doc, user="system")
    after = scoring.score_parsed(
        current_record(session=session, candidate_id=res.candidate_id), doc.gt, fields
    )
    assert changed > 0
    assert scoring.macro_f1(after.counts) == pytest.approx(1.0)
    assert scoring.macro_f1(before.counts) < 1.0


def test_cli_writes_the_curve_json(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    out, png = tmp_path / "curve.json", tmp_path / "curve.png"
    argv = ["simulate", "--pool", str(dirs[0]), "--test", str(dirs[1]), "--budgets", "0,2,4",
            "--strategy", "uncertainty", "--seeds", "2", "--json", str(out),
            "--plot", str(png)]  # fmt: skip
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 0
    # strict JSON: a field no test document scored is null, never NaN
    result = json.loads(out.read_text(), parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert result["budgets"] == [0, 2, 4]
    assert len(result["macro_f1"]) == len(result["macro_f1_std"]) == 3
    assert all(0.0 <= v <= 1.0 for v in result["macro_f1"])
    assert set(result["fields"]) >= {"name", "experience.title", "education.institution"}
    assert all(len(v) == 3 for v in result["fields"].values())
    assert result["seeds"] == 2 and result["strategy"] == "uncertainty"
    assert png.stat().st_size > 1000


@pytest.mark.parametrize("text", ["0,20,10", "a,b", "", "-5,0", "10,10"])
def test_bad_budgets_are_one_sentence(text: str) -> None:
    with pytest.raises(SimulationError) as e:
        parse_budgets(text)
    assert str(e.value).endswith(tuple("0123456789')")) or "budgets" in str(e.value)


def test_cli_reports_a_missing_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["simulate", "--pool", str(tmp_path / "nope"), "--test", str(tmp_path), "--budgets", "0",
            "--json", str(tmp_path / "o.json")]  # fmt: skip
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert "no index.jsonl" in capsys.readouterr().out
    assert not (tmp_path / "o.json").exists()


def test_information_order_spreads_the_top_of_the_queue_over_layouts(
    session: Session, store: FileStore, tmp_path: Path
) -> None:
    from correction.queue import information_order

    generate(tmp_path / "a", 5, 711, ("pdf",), ("two_column",))
    generate(tmp_path / "b", 1, 712, ("pdf",), ("classic",))
    layout_of = {}
    for d in load_documents(tmp_path / "a") + load_documents(tmp_path / "b"):
        res = ingest(session=session, name=d.path.name, data=d.path.read_bytes(), user="system",
                     batch_id=None, store=store)  # fmt: skip
        layout_of[res.document_id] = d.layout
    rows = information_order(session=session, user="system", store=store)
    plain = sorted(rows, key=lambda r: -r.expected_corrections)
    assert sorted(r.document_id for r in rows) == sorted(layout_of)
    assert rows[0].document_id == plain[0].document_id  # the most uncertain CV still leads
    rank = [layout_of[r.document_id] for r in rows].index("classic")
    plain_rank = [layout_of[r.document_id] for r in plain].index("classic")
    assert rank <= plain_rank
    # every near-duplicate of a CV placed before it went below the other layout
    from learning.active import NEAR_DUPLICATE
    from learning.layout_memory import document_prints

    prints = document_prints([r.document_id for r in rows], session=session, store=store)
    vec = [np.asarray(prints[r.document_id]) for r in rows]
    dups = [i for i in range(len(rows)) if any(vec[i] @ vec[j] >= NEAR_DUPLICATE for j in range(i))]
    others = [i for i in range(len(rows)) if i not in dups]
    assert dups and rank in others and max(others) < min(dups)
    assert [
        r.document_id for r in information_order(session=session, user="system", store=store)
    ] == [r.document_id for r in rows]
    # the queue page's "expected information" order is the same ranking
    from correction.queue import QueueFilters, queue_view
    from learning import layout_memory

    layout_memory._PRINTS.clear()  # read the documents again, not the cached fingerprints
    info = QueueFilters(order="information")
    by_info = queue_view(session=session, user="system", filters=info, store=store)
    plain_view = queue_view(session=session, user="system", filters=QueueFilters(), store=store)
    assert [r.document_id for r in by_info.rows] == [r.document_id for r in rows]
    assert [r.document_id for r in plain_view.rows] == [r.document_id for r in plain]

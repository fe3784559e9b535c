"""Model registry: SHA-256 verified loading, trusted types only, promote/rollback in one call,
audit of every promotion, erasure flags (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.tree import DecisionTreeClassifier
from sqlmodel import Session, select
from support import GENERATED

from correction.intake import ingest
from data.models import Candidate, ParseResult
from data.queries import audit_events, field_values
from data.store import FileStore
from learning import registry, runtime
from learning.autoaccept import decision_of
from learning.bundle import CALIBRATOR_FILE, MANIFEST, BundleError, ModelBundle, sha256_file
from learning.calibration import FieldCalibrator
from learning.registry import RegistryError


def _bundle(version: str, slope: float = 1.0) -> ModelBundle:
    rng = np.random.default_rng(len(version))
    x = rng.uniform(0.05, 0.99, 400)
    y = rng.uniform(size=400) < x**slope
    return ModelBundle(version, FieldCalibrator().fit(["skills"] * 400, x, y))


def _register(session: Session, root: Path, version: str, **kw: object) -> str:
    row = registry.register(session=session, bundle=_bundle(version), root=root, user="lead", **kw)
    session.commit()
    return row.version


def test_saved_bundle_round_trips_and_predicts_the_same(tmp_path: Path) -> None:
    bundle = _bundle("v1", slope=3.0)
    sha = bundle.save(tmp_path / "v1")
    loaded = ModelBundle.load(tmp_path / "v1", manifest_sha256=sha)
    grid = np.linspace(0.1, 0.9, 5)
    assert loaded.calibrator is not None and bundle.calibrator is not None
    assert np.allclose(
        loaded.calibrator.predict(["skills"] * 5, grid),
        bundle.calibrator.predict(["skills"] * 5, grid),
    )
    manifest = json.loads((tmp_path / "v1" / MANIFEST).read_text())
    assert manifest["files"][CALIBRATOR_FILE] == sha256_file(tmp_path / "v1" / CALIBRATOR_FILE)
    assert "scikit-learn" in manifest["libraries"]


def test_a_tampered_file_is_refused(tmp_path: Path) -> None:
    sha = _bundle("v1").save(tmp_path / "v1")
    path = tmp_path / "v1" / CALIBRATOR_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(BundleError, match="does not match its recorded SHA-256"):
        ModelBundle.load(tmp_path / "v1", manifest_sha256=sha)


def test_a_rewritten_manifest_is_refused_by_the_registry_hash(tmp_path: Path) -> None:
    sha = _bundle("v1").save(tmp_path / "v1")
    manifest = tmp_path / "v1" / MANIFEST
    manifest.write_text(manifest.read_text().replace('"v1"', '"v1" '))
    with pytest.raises(BundleError, match="registry"):
        ModelBundle.load(tmp_path / "v1", manifest_sha256=sha)


def test_untrusted_types_are_never_loaded(tmp_path: Path) -> None:
    """A file holding a type outside the trusted list fails closed, even with a valid hash."""
    _bundle("v1").save(tmp_path / "v1")
    path = tmp_path / "v1" / CALIBRATOR_FILE
    evil = DecisionTreeClassifier().fit([[0], [1]], [0, 1])
    evil.payload = Path("/etc")  # a type no calibrator contains
    sio.dump(evil, path)
    manifest = json.loads((tmp_path / "v1" / MANIFEST).read_text())
    manifest["files"][CALIBRATOR_FILE] = sha256_file(path)
    (tmp_path / "v1" / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match="not trusted"):
        ModelBundle.load(tmp_path / "v1")


def test_promote_and_rollback_in_one_call_each(session: Session, tmp_path: Path) -> None:
    a = _register(session, tmp_path, "a")
    b = _register(session, tmp_path, "b")
    assert registry.champion(session=session) is None
    registry.promote(session=session, version=a, user="lead")
    registry.promote(session=session, version=b, user="lead")
    session.commit()
    assert registry.champion(session=session).version == "b"
    registry.rollback(session=session, user="lead")
    session.commit()
    assert registry.champion(session=session).version == "a"
    assert registry.get_version(session=session, version="b").status == "rolled_back"
    # a second rollback does not bounce back to the version just rolled back
    with pytest.raises(RegistryError, match="no earlier model"):
        registry.rollback(session=session, user="lead")
    events = audit_events(session=session, action="promote")
    assert [(e.detail["event"], e.detail["version"]) for e in events] == [
        ("promote", "a"),
        ("promote", "b"),
        ("rollback", "a"),
    ]
    assert registry.load_bundle(session=session, root=tmp_path).version == "a"


def test_load_bundle_verifies_the_champion(session: Session, tmp_path: Path) -> None:
    a = _register(session, tmp_path, "a")
    registry.promote(session=session, version=a, user="lead")
    session.commit()
    (tmp_path / "a" / CALIBRATOR_FILE).write_bytes(b"not the model")
    with pytest.raises(BundleError):
        registry.load_bundle(session=session, root=tmp_path)


def test_unknown_version_is_a_sentence(session: Session) -> None:
    with pytest.raises(RegistryError, match="no model version 'nope'"):
        registry.promote(session=session, version="nope", user="lead")


def test_erasure_flags_models_trained_on_that_candidate(session: Session, tmp_path: Path) -> None:
    _register(session, tmp_path, "a", candidate_ids=[1, 2], correction_ids=[10, 11])
    _register(session, tmp_path, "b", candidate_ids=[3], correction_ids=[12])
    assert registry.flag_for_retraining(session=session, candidate_id=2) == ["a"]
    session.commit()
    assert registry.get_version(session=session, version="a").needs_retraining
    assert not registry.get_version(session=session, version="b").needs_retraining


# --- the runtime: every parse records the model version it used --------------------------------

CV_TXT = GENERATED / "docs" / "gen_2024_00000__classic.txt"


def test_every_parse_records_the_bundle_version(
    session: Session, app_env: Path, store: FileStore
) -> None:
    data = CV_TXT.read_bytes()
    parsed = runtime.parse_with_champion(data, "cv.txt")
    assert parsed.model_version is not None
    assert parsed.model_version.endswith("+bundle-shipped-1")
    values = parsed.fields.iter_fields()
    assert values and all("raw_confidence" in (f.model_extra or {}) for _, f in values)
    assert all(decision_of(f) in ("auto_accept", "audit", "review") for _, f in values)
    # a promoted model is picked up by the next parse, without restarting anything
    registry.register(
        session=session, bundle=_bundle("m-1"), root=registry.models_root(), user="lead"
    )
    registry.promote(session=session, version="m-1", user="lead")
    session.commit()
    assert runtime.parse_with_champion(data, "cv.txt").model_version.endswith("+bundle-m-1")
    # the intake stores the version with the parse and the calibrated values with each field
    result = ingest(
        session=session, name="cv.txt", data=data, user="system", batch_id=None, store=store
    )
    stored = session.exec(
        select(ParseResult).where(
            ParseResult.id == session.get(Candidate, result.candidate_id).parse_result_id
        )
    ).one()
    assert stored.model_version.endswith("+bundle-m-1")
    rows = field_values(session=session, parse_result_id=stored.id)
    assert rows and all(r.calibrated is not None and r.decision is not None for r in rows)


def test_the_champion_parser_reads_the_registry_before_it_parses(
    session: Session, app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry.register(
        session=session, bundle=_bundle("m-2"), root=registry.models_root(), user="lead"
    )
    registry.promote(session=session, version="m-2", user="lead")
    session.commit()
    parse = runtime.champion_parser()  # the caller's side of the sandbox fork

    def no_database() -> None:
        raise AssertionError("a parse looked the champion up in the database")

    monkeypatch.setattr(runtime, "_champion_key", no_database)
    parsed = parse(CV_TXT.read_bytes(), "cv.txt")
    assert parsed.model_version is not None and parsed.model_version.endswith("+bundle-m-2")


def test_a_tampered_champion_is_not_used(session: Session, app_env: Path) -> None:
    registry.register(
        session=session, bundle=_bundle("m-1"), root=registry.models_root(), user="lead"
    )
    registry.promote(session=session, version="m-1", user="lead")
    session.commit()
    (registry.models_root() / "m-1" / CALIBRATOR_FILE).write_bytes(b"swapped")
    parsed = runtime.parse_with_champion(CV_TXT.read_bytes(), "cv.txt")
    assert parsed.model_version is not None
    assert parsed.model_version.endswith("+bundle-shipped-1")

"""`ModelBundle`: the learned state applied at parse time, stored as a verified directory.

A bundle is a calibrator (per field type), an auto-accept policy and, when engineer B's
correction model exists, an extraction model. On disk: one skops file per estimator (loaded with
an explicit list of trusted types, never `trusted=True`), `policy.json`, and `manifest.json`
holding the SHA-256 of every other file plus library versions, metrics and training set. The
registry records the manifest's own SHA-256, so every byte is verified before anything loads.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import skops.io as sio

from data.store import write_atomic
from learning.autoaccept import AutoAcceptPolicy, apply_decisions
from learning.calibration import FieldCalibrator
from parsing.model import Fields, ParsedCV

MANIFEST = "manifest.json"
CALIBRATOR_FILE = "calibrator.skops"
EXTRACTION_FILE = "extraction.skops"
POLICY_FILE = "policy.json"
# Everything a calibrator file may contain; anything else makes loading fail closed.
CALIBRATOR_TRUSTED: tuple[str, ...] = (
    "learning.calibration.FieldCalibrator",
    "sklearn.isotonic.IsotonicRegression",
    "sklearn.linear_model._logistic.LogisticRegression",
    "scipy.interpolate._interpolate.interp1d",
    "numpy.dtype",
    "numpy.ndarray",
)
LIBRARIES = ("scikit-learn", "skops", "numpy", "scipy", "spacy")


class BundleError(Exception):
    """A model bundle is missing, tampered with or holds types that are not trusted."""


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries a bundle's files depend on."""
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def _extraction_trusted() -> tuple[str, ...]:
    """Types engineer B's extraction model declares safe to load (SKOPS_TRUSTED), if it exists."""
    try:
        from learning import extraction  # optional part, loaded lazily
    except ImportError:
        return ()
    return tuple(getattr(extraction, "SKOPS_TRUSTED", ()))


def load_skops(path: Path, trusted: tuple[str, ...]) -> Any:
    """Load a skops file, refusing any type outside `trusted`."""
    untrusted = sorted(set(sio.get_untrusted_types(file=path)) - set(trusted))
    if untrusted:
        raise BundleError(
            f"{path.name} contains types that are not trusted ({', '.join(untrusted)}); "
            "it was not loaded."
        )
    return sio.load(path, trusted=list(trusted))


class BundleAdapter:
    """What parse_bytes(adapter=...) takes: B's extraction adapt, then calibration."""

    def __init__(self, bundle: ModelBundle) -> None:
        self.bundle = bundle
        self.version = bundle.tag

    def __call__(self, fields: Fields, ctx: Any = None) -> Fields:
        """Adapt and calibrate the fields of one parse."""
        return self.adapt(fields, ctx)

    def adapt(self, fields: Fields, ctx: Any = None) -> Fields:
        """Adapt (extraction model) then calibrate a copy of the fields of one parse."""
        if self.bundle.extraction is not None:
            fields = self.bundle.extraction.adapt(fields, ctx)
        fields = fields.model_copy(deep=True)
        if self.bundle.calibrator is not None:
            fields = self.bundle.calibrator.calibrate_fields(fields)
        return fields


@dataclass(slots=True)
class ModelBundle:
    """One model version: calibrator, auto-accept policy, optional extraction model, metadata."""

    version: str
    calibrator: FieldCalibrator | None = None
    policy: AutoAcceptPolicy = field(default_factory=AutoAcceptPolicy)
    extraction: Any | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def tag(self) -> str:
        """How this bundle appears in a parse's model_version."""
        return f"bundle-{self.version}"

    def adapter(self) -> BundleAdapter:
        """The parse-time adapter of this bundle."""
        return BundleAdapter(self)

    def finish(self, parsed: ParsedCV, *, target: float, audit_rate: float) -> ParsedCV:
        """Calibrate a parse if the hook did not, decide auto-accept, record the version."""
        version = parsed.model_version or "unknown"
        if parsed.status.usable:
            if not version.endswith(self.tag) and self.calibrator is not None:
                # the parse hook did not run (or the extraction model failed): calibrate anyway
                parsed.fields = self.calibrator.calibrate_fields(parsed.fields)
            apply_decisions(parsed, self.policy, target=target, audit_rate=audit_rate)
        if not version.endswith(self.tag):
            parsed.model_version = f"{version}+{self.tag}"
        return parsed

    def save(self, directory: Path) -> str:
        """Write the bundle into an empty directory; returns the manifest's SHA-256."""
        directory.mkdir(parents=True, exist_ok=True)
        files: dict[str, str] = {}
        if self.calibrator is not None:
            sio.dump(self.calibrator, directory / CALIBRATOR_FILE)
            files[CALIBRATOR_FILE] = sha256_file(directory / CALIBRATOR_FILE)
        if self.extraction is not None:
            sio.dump(self.extraction, directory / EXTRACTION_FILE)
            files[EXTRACTION_FILE] = sha256_file(directory / EXTRACTION_FILE)
        (directory / POLICY_FILE).write_text(json.dumps(self.policy.to_dict()), encoding="utf-8")
        files[POLICY_FILE] = sha256_file(directory / POLICY_FILE)
        manifest = {
            "version": self.version,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "libraries": library_versions(),
            "files": files,
            **self.meta,
        }
        text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
        write_atomic(directory / MANIFEST, text.encode(), mode=0o644)  # not a secret
        return hashlib.sha256(text.encode()).hexdigest()

    @classmethod
    def load(cls, directory: Path, *, manifest_sha256: str | None = None) -> ModelBundle:
        """Verify every file's SHA-256 (and the manifest's, when given), then load."""
        manifest = read_manifest(directory, manifest_sha256=manifest_sha256)
        files: dict[str, str] = manifest.get("files", {})
        for name, expected in files.items():
            path = directory / name
            if not path.is_file() or sha256_file(path) != expected:
                raise BundleError(
                    f"model {manifest.get('version')}: {name} does not match its recorded "
                    "SHA-256 (missing or modified); it was not loaded."
                )
        calibrator = None
        if CALIBRATOR_FILE in files:
            calibrator = load_skops(directory / CALIBRATOR_FILE, CALIBRATOR_TRUSTED)
        extraction = None
        if EXTRACTION_FILE in files:
            trusted = CALIBRATOR_TRUSTED + _extraction_trusted()
            extraction = load_skops(directory / EXTRACTION_FILE, trusted)
        policy = AutoAcceptPolicy()
        if POLICY_FILE in files:
            policy = AutoAcceptPolicy.from_dict(
                json.loads((directory / POLICY_FILE).read_text(encoding="utf-8"))
            )
        meta = {k: v for k, v in manifest.items() if k not in ("version", "files")}
        return cls(str(manifest["version"]), calibrator, policy, extraction, meta)


def read_manifest(directory: Path, *, manifest_sha256: str | None = None) -> dict[str, Any]:
    """The parsed manifest of a bundle directory, checked against its SHA-256 when given."""
    path = directory / MANIFEST
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise BundleError(f"no model manifest at {directory}; the model was not loaded.") from e
    if manifest_sha256 is not None and hashlib.sha256(raw).hexdigest() != manifest_sha256:
        raise BundleError(
            f"{path} does not match the SHA-256 recorded in the registry; it was not loaded."
        )
    try:
        data: dict[str, Any] = json.loads(raw)
    except ValueError as e:
        raise BundleError(f"{path} is not valid JSON; the model was not loaded.") from e
    return data

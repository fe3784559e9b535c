"""`cvassist corpus`: generate labelled synthetic CVs in the shared/eval directory format.

DIR/index.jsonl            one line per person (dataset "generated")
DIR/docs/<id>.json         ground truth
DIR/docs/<id>__<layout>.{pdf,docx,txt}
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from corpus.document import build_document, gt_ym
from corpus.layouts import LAYOUTS
from corpus.person import Person, generate_person
from corpus.text import render_text
from corpus.word import render_docx

FORMATS = ("pdf", "docx", "txt")
ANNOTATED_FIELDS = [
    "name",
    "email",
    "phone",
    "location",
    "links",
    "skills",
    "experience.title",
    "experience.company",
    "experience.start",
    "experience.end",
    "education.degree",
    "education.institution",
    "education.end",
    "languages",
    "certifications",
]


def render(person: Person, layout: str, fmt: str) -> bytes:
    """One person in one layout and format ("pdf", "docx" or "txt")."""
    spec = LAYOUTS[layout]
    doc = build_document(person, layout, spec.fixed)
    if fmt == "pdf":
        return spec.draw(doc)
    if fmt == "docx":
        return render_docx(doc, spec.docx)
    if fmt == "txt":
        return render_text(doc)
    raise ValueError(f"unknown format {fmt!r}")


def ground_truth(p: Person) -> dict[str, Any]:
    """The labels, in the shared/eval schema; every value is printed in every layout."""
    return {
        "name": p.name,
        "email": p.email,
        "phone": p.phone,
        "location": p.location,
        "links": list(p.links),
        "skills": list(p.skills),
        "experience": [
            {
                "title": j.title,
                "company": j.company,
                "start": gt_ym(j.start, p.date_style),
                "end": gt_ym(j.end, p.date_style),
            }
            for j in p.jobs
        ],
        "education": [
            {"degree": s.degree, "institution": s.institution, "end": gt_ym(s.end, p.date_style)}
            for s in p.education
        ],
        "languages": [s.english for s in p.languages],
        "certifications": [c.name for c in p.certs],
    }


def person_seed(seed: int, index: int) -> int:
    """The seed of the index-th person of a corpus."""
    return seed * 100_003 + index


def write_person(
    out: Path, doc_id: str, person: Person, layout: str, formats: tuple[str, ...]
) -> dict[str, Any]:
    """Write one person's files and ground truth; return the index line."""
    docs = out / "docs"
    files = []
    for fmt in formats:
        rel = f"docs/{doc_id}__{layout}.{fmt}"
        (docs / f"{doc_id}__{layout}.{fmt}").write_bytes(render(person, layout, fmt))
        files.append(rel)
    gt = json.dumps(ground_truth(person), ensure_ascii=False, indent=2) + "\n"
    (docs / f"{doc_id}.json").write_text(gt, encoding="utf-8")
    return {
        "dataset": "generated",
        "id": doc_id,
        "gt": f"docs/{doc_id}.json",
        "files": files,
        "annotated_fields": ANNOTATED_FIELDS,
        "original_format": "pdf",
        "layout": layout,
        "lang": person.lang,
    }


def generate(
    out: Path, n: int, seed: int, formats: tuple[str, ...], layouts: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Generate n people, cycling through the layouts; returns the index lines."""
    (out / "docs").mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(n):
        person = generate_person(person_seed(seed, i))
        layout = layouts[i % len(layouts)]
        lines.append(write_person(out, f"gen_{seed}_{i:05d}", person, layout, formats))
    with (out / "index.jsonl").open("w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    return lines


def _split(value: str, allowed: tuple[str, ...], what: str) -> tuple[str, ...]:
    items = tuple(v.strip() for v in value.split(",") if v.strip()) or allowed
    unknown = [v for v in items if v not in allowed]
    if unknown:
        raise ValueError(f"unknown {what}: {', '.join(unknown)} (choose from {', '.join(allowed)})")
    return items


def main(ns: argparse.Namespace) -> int:
    """CLI entry: `cvassist corpus --out DIR --n N --seed S [--formats] [--layouts]`."""
    try:
        formats = _split(ns.formats or "", FORMATS, "format")
        layouts = _split(ns.layouts or "", tuple(LAYOUTS), "layout")
    except ValueError as e:
        print(f"cvassist corpus: {e}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    lines = generate(Path(ns.out), ns.n, ns.seed, formats, layouts)
    took = time.perf_counter() - started
    print(
        f"wrote {len(lines)} CVs ({', '.join(formats)}) to {ns.out} in {took:.1f}s", file=sys.stderr
    )
    return 0

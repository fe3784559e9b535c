"""Field paths and replaying corrections onto a parse (stable paths, holes closed at the end)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from data.record import FieldPath, PathError, Record


@pytest.mark.parametrize(
    ("text", "group", "index", "comp", "field"),
    [
        ("name", "name", None, None, "name"),
        ("skills[3]", "skills", 3, None, "skills"),
        ("experience[1].title", "experience", 1, "title", "experience.title"),
        ("education[0]", "education", 0, None, "education"),
        ("languages[2].fluency", "languages", 2, "fluency", "languages.fluency"),
    ],
)
def test_paths(text: str, group: str, index: int | None, comp: str | None, field: str) -> None:
    p = FieldPath.parse(text)
    assert (p.group, p.index, p.comp, p.field, str(p)) == (group, index, comp, field, text)


@pytest.mark.parametrize(
    "bad", ["", "name[0]", "skills", "skills[0].title", "experience[0].salary", "nope", "x[-1]"]
)
def test_bad_paths(bad: str) -> None:
    with pytest.raises(PathError):
        FieldPath.parse(bad)


CONF = {
    "name": 0.9,
    "email": 0.99,
    "skills[0]": 0.5,
    "skills[1]": 0.7,
    "skills[2]": 0.8,
    "experience[0].title": 0.6,
    "experience[0].company": 0.65,
    "experience[1].title": 0.4,
}


def c(path: str, action: str, value: object = None) -> SimpleNamespace:
    return SimpleNamespace(field_path=path, action=action, new_value=value, new_source=None)


def test_no_corrections_is_the_parse(make_cv) -> None:
    parsed = make_cv(b"x", "cv.txt", CONF)
    record = Record(parsed)
    assert record.to_parsed() == parsed
    assert [(p, f) for p, f in record.iter_fields()] == parsed.fields.iter_fields()


def test_replay_keeps_paths_stable(make_cv) -> None:
    parsed = make_cv(b"x", "cv.txt", CONF)
    record = Record(parsed).replay(
        [
            c("skills[0]", "reject"),
            c("skills[2]", "edit", "Python"),  # still the third parsed skill after the reject
            c("skills[3]", "add", "SQL"),
            c("experience[0]", "reject"),
            c("experience[1].company", "add", "ACME"),
            c("name", "edit", "Jane Roe"),
            c("email", "accept"),
        ]
    )
    paths = [p for p, _ in record.iter_fields()]
    assert "skills[0]" not in paths and "skills[3]" in paths and "experience[0].title" not in paths
    out = record.to_parsed().fields
    assert [f.value for f in out.skills or []] == ["value of skills[1]", "Python", "SQL"]
    assert out.name is not None and out.name.value == "Jane Roe" and out.name.confidence == 1.0
    assert out.name.source == parsed.fields.name.source  # an edit keeps where the value was
    assert out.email is not None and out.email.confidence == 1.0
    assert out.email.value == parsed.fields.email.value
    assert len(out.experience or []) == 1
    entry = (out.experience or [])[0]
    assert entry.title is not None and entry.title.value == "value of experience[1].title"
    assert entry.company is not None and entry.company.value == "ACME"
    assert parsed.fields.skills is not None and len(parsed.fields.skills) == 3  # parse untouched


def test_check_rejects_impossible_changes(make_cv) -> None:
    record = Record(make_cv(b"x", "cv.txt", CONF))
    with pytest.raises(PathError):
        record.check("name", "add")  # already has a value
    with pytest.raises(PathError):
        record.check("phone", "edit")  # nothing to edit
    with pytest.raises(PathError):
        record.check("skills[5]", "add")  # the next index is 3
    with pytest.raises(PathError):
        record.check("experience[0]", "edit")
    assert str(record.check("skills[3]", "add")) == "skills[3]"
    assert str(record.check("phone", "add")) == "phone"

"""What a plan file may say, and where a charger's reports may go (its id is its own choice)."""

from __future__ import annotations

import pytest

from app.domain import errors
from app.report import export
from app.services import plans


def _plan(tmp_path, text: str):
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return plans.load(path, None)


def test_a_value_cannot_stand_in_for_an_automated_check(tmp_path) -> None:
    with pytest.raises(errors.ConfigError, match="automated checks a value: test_charge"):
        _plan(tmp_path, 'template = "bench"\n[values]\ntest_charge = "passed"\n')
    assert _plan(tmp_path, 'template = "bench"\n[values]\ntechnician = "B"\n').values == {"technician": "B"}


def test_an_unknown_entry_in_a_plan_is_refused_not_ignored(tmp_path) -> None:
    with pytest.raises(errors.ConfigError, match="unknown entries: chargrs"):
        _plan(tmp_path, 'template = "bench"\nchargrs = ["CP-*"]\n')


@pytest.mark.parametrize("charger_id", ["../../escaped", "/etc/x", "..", ".", "a\\b", "x" * 300])
def test_a_charger_id_never_leaves_the_report_folder(tmp_path, charger_id) -> None:
    folder = export.folder(tmp_path, charger_id)
    assert folder.parent == tmp_path and folder.name not in (".", "..") and len(folder.name) <= 100
    folder.mkdir()  # a name the file system takes


def test_an_ordinary_charger_id_is_its_folder(tmp_path) -> None:
    assert export.folder(tmp_path, "CP-0001").name == "CP-0001"


def test_a_plan_sets_test_tags_and_a_wrong_one_is_named(tmp_path) -> None:
    plan = _plan(tmp_path, 'template = "bench"\n[tags]\n"CARD-B" = { status = "Blocked" }\n'
                           '"CARD-G" = { status = "Accepted", group = "FLEET", expiry = "2027-01-01T00:00:00Z" }\n')
    assert plan.tags == {"CARD-B": {"status": "Blocked"},
                         "CARD-G": {"status": "Accepted", "group": "FLEET", "expiry": "2027-01-01T00:00:00Z"}}
    with pytest.raises(errors.ConfigError, match="status 'Blokced' is not one of"):
        _plan(tmp_path, 'template = "bench"\n[tags]\n"CARD-B" = { status = "Blokced" }\n')
    with pytest.raises(errors.ConfigError, match="expiry 'tomorrow' is not a time"):
        _plan(tmp_path, 'template = "bench"\n[tags]\n"CARD-B" = { expiry = "tomorrow" }\n')
    with pytest.raises(errors.ConfigError, match="unknown entries colour"):
        _plan(tmp_path, 'template = "bench"\n[tags]\n"CARD-B" = { colour = "red" }\n')

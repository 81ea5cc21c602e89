"""configuration.check_value: what may be sent for a setting, refused before anything goes on the wire,
and every refusal says what would be accepted."""

from __future__ import annotations

import pytest

from app.services import configuration


def row2(detail: str, **traits) -> configuration.ConfigRow:
    """A 2.x variable X.V with these characteristics."""
    return configuration.ConfigRow("X.V", "", True, detail, component={"name": "X"}, variable={"name": "V"}, **traits)


def row16(key: str) -> configuration.ConfigRow:
    """A 1.6 key as GetConfiguration reports it: what the spec's table says of it."""
    return configuration.rows_from_get_configuration(
        {"configurationKey": [{"key": key, "readonly": False, "value": ""}]})[0]


@pytest.mark.parametrize("value", ["0", "30", "-5", "007"])
def test_an_integer_is_digits_with_an_optional_minus(value) -> None:
    assert configuration.check_value(row2("integer"), value) == ""


@pytest.mark.parametrize("value", ["1e3", " 5", "5 ", "+5", "5.0", "", "five", "٣", "0x10"])
def test_anything_else_is_not_an_integer_and_the_refusal_says_what_is(value) -> None:
    problem = configuration.check_value(row2("integer"), value)
    assert "whole number written with digits only" in problem and f"“{value}”" in problem


def test_an_integer_within_its_range() -> None:
    ranged = row2("integer", unit="s", minimum=1, maximum=3600)
    assert configuration.check_value(ranged, "0") == "X.V takes at least 1 s."
    assert configuration.check_value(ranged, "3601") == "X.V takes at most 3600 s."
    assert configuration.check_value(ranged, "3600") == ""
    assert configuration.check_value(row16("HeartbeatInterval"), "1e3").startswith("HeartbeatInterval takes a whole")


@pytest.mark.parametrize("value, ok", [("12", True), ("12.5", True), ("-0.25", True), ("1e3", False),
                                       (".5", False), ("5.", False), ("+5", False), (" 5", False),
                                       ("1,5", False), ("nan", False), ("inf", False)])
def test_a_decimal_is_a_plain_decimal(value, ok) -> None:
    problem = configuration.check_value(row2("decimal", maximum=100), value)
    assert (problem == "") is ok, problem
    if not ok:
        assert "plain decimal number such as 12 or 12.5" in problem


@pytest.mark.parametrize("value, ok", [("true", True), ("false", True), ("True", False), ("FALSE", False),
                                       ("1", False), ("yes", False), (" true", False)])
def test_a_boolean_is_exactly_true_or_false(value, ok) -> None:
    for row in (row2("boolean"), row16("LocalPreAuthorize")):
        problem = configuration.check_value(row, value)
        assert (problem == "") is ok, problem
        if not ok:
            assert "takes true or false, in lower case" in problem


def test_a_string_within_its_max_limit_and_ocpps_own() -> None:
    limited = row2("string", maximum=8)
    assert configuration.check_value(limited, "12345678") == ""
    assert configuration.check_value(limited, "123456789") == "X.V takes up to 8 characters; this value has 9."
    assert limited.allowed() == "string; up to 8 characters"
    assert "up to 1000 characters (OCPP's limit)" in configuration.check_value(row2("string"), "x" * 1001)
    assert "up to 500 characters (OCPP's limit)" in configuration.check_value(row16("CpoName"), "x" * 501)
    assert configuration.check_value(row16("CpoName"), "x" * 500) == ""


def test_an_option_list_takes_one_of_its_values_as_written() -> None:
    option = row2("OptionList", values=("Auto", "Manual"))
    assert configuration.check_value(option, "Manual") == ""
    assert configuration.check_value(option, "Off") == "X.V takes one of: Auto, Manual; “Off” is not one."
    assert "(written “Manual”)" in configuration.check_value(option, "manual")


def test_a_16_list_is_checked_item_by_item_and_names_the_failing_item() -> None:
    sampled = row16("MeterValuesSampledData")
    assert configuration.check_value(sampled, "Energy.Active.Import.Register,Voltage.L1, SoC") == ""
    assert configuration.check_value(sampled, "") == ""
    problem = configuration.check_value(sampled, "Voltage,Banana,Frequency")
    assert problem.startswith("“Banana” (item 2) is not allowed in MeterValuesSampledData")
    assert "each item must be one of: Current.Export" in problem
    assert "Item 2 of MeterValuesSampledData is empty" in configuration.check_value(sampled, "Voltage,,SoC")
    assert "(written “Voltage”)" in configuration.check_value(sampled, "voltage")
    assert "lists “SoC” twice (item 3)" in configuration.check_value(sampled, "SoC,Voltage,SoC")
    rotation = row16("ConnectorPhaseRotation")
    assert configuration.check_value(rotation, "0.RST,1.RTS") == ""
    assert configuration.check_value(rotation, "0.RST,1.XYZ").startswith("“1.XYZ” (item 2) is not allowed")


def test_2x_member_and_sequence_lists_per_item() -> None:
    members = row2("MemberList", values=("Voltage", "SoC", "Power.Active.Import"))
    assert configuration.check_value(members, "SoC,Voltage") == ""
    assert configuration.check_value(members, "Voltage,Power").startswith("“Power” (item 2) is not allowed in X.V")
    assert "lists “SoC” twice" in configuration.check_value(members, "SoC,SoC")
    sequence = row2("SequenceList", values=("1", "2", "3"), maximum=5)
    assert configuration.check_value(sequence, "2,1,2") == ""  # a sequence may repeat
    assert configuration.check_value(sequence, "1,4").startswith("“4” (item 2)")
    assert configuration.check_value(sequence, "1,2,3") == ""  # 5 characters: maxLimit is the list's length
    assert configuration.check_value(sequence, "1,2,3,1") == "X.V takes up to 5 characters; this list has 7."


def test_read_only_and_secret_settings_are_refused_with_what_to_do() -> None:
    read_only = configuration.ConfigRow("X.V", "1", False, "integer", component={"name": "X"}, variable={"name": "V"})
    assert "read-only on this charger" in configuration.check_value(read_only, "2")
    assert "New password…" in configuration.check_value(row16("AuthorizationKey"), "00112233445566778899")

"""The sans-I/O console parser and conversation, replayed over transcripts per vendor profile."""

from __future__ import annotations

import codecs
import pathlib
import random

import pytest

from app.domain import console
from app.domain import errors
from app.services import vendors

TRANSCRIPTS = pathlib.Path(__file__).parent / "console_transcripts"


def replay(name: str, conversation: console.Conversation) -> list[console.Event]:
    """Feed the transcript's "<<" chunks; check each ">>" against what the conversation sends."""
    events: list[console.Event] = []
    for raw in (TRANSCRIPTS / name).read_text(encoding="utf-8").splitlines():
        if raw.startswith("<< "):
            events.extend(conversation.receive(codecs.escape_decode(raw[3:].encode())[0]))
        elif raw.startswith(">>"):
            assert conversation.outgoing() == (raw[3:] + conversation.profile.line_ending).encode(), raw
    assert conversation.outgoing() == b""
    return events


def outcomes(events: list[console.Event]) -> list[console.Event]:
    return [e for e in events if not isinstance(e, (console.Line, console.Prompt))]


@pytest.fixture
def virtual() -> console.ConsoleProfile:
    return vendors.find("virtual").console


@pytest.fixture
def generic() -> console.ConsoleProfile:
    return vendors.find("generic").console


def test_virtual_login_and_read(virtual: console.ConsoleProfile) -> None:
    conversation = console.Conversation(virtual, "virtual")
    conversation.get("ocpp_url")
    conversation.get("charge_point_id")
    events = replay("virtual_read.txt", conversation)
    assert outcomes(events) == [console.LoggedIn(), console.Result("ocpp_url", "ws://127.0.0.1:9000/ocpp"),
                                console.Result("charge_point_id", "CP1")]
    assert conversation.idle
    log = "\n".join(conversation.log_lines())
    assert ">> ********" in log and "virtual\n" not in log  # the password never reaches the log


def test_virtual_wrong_password(virtual: console.ConsoleProfile) -> None:
    conversation = console.Conversation(virtual, "wrong")
    events = replay("virtual_wrong_password.txt", conversation)
    assert outcomes(events) == [console.LoginFailed("Login incorrect")]
    assert conversation.state == "failed"


def test_virtual_set_then_reboot(virtual: console.ConsoleProfile) -> None:
    conversation = console.Conversation(virtual, "virtual")
    conversation.set("ocpp_url", "ws://10.0.0.5:9000/ocpp")
    conversation.reboot()
    events = replay("virtual_set_reboot.txt", conversation)  # already logged in: the prompt came at once
    assert outcomes(events) == [console.LoggedIn(), console.Result("ocpp_url", None), console.Rebooted("Rebooting...")]
    assert conversation.state == "rebooted"


def test_virtual_rejected_command_keeps_the_chargers_text(virtual: console.ConsoleProfile) -> None:
    conversation = console.Conversation(virtual, "virtual")
    conversation.set("ip_mode", "sometimes")
    events = replay("virtual_rejected.txt", conversation)
    assert outcomes(events)[1:] == [console.Rejected("ip_mode", "set ip_mode sometimes", "ip_mode is dhcp or static")]


def test_generic_read_set_and_rejected(generic: console.ConsoleProfile) -> None:
    conversation = console.Conversation(generic, "s3cret")
    conversation.get("ocpp_url")
    conversation.set("charge_point_id", "CP-77")
    conversation.set("apn", "internet")
    events = replay("generic_read_set.txt", conversation)
    assert outcomes(events) == [console.LoggedIn(), console.Result("ocpp_url", "wss://csms.example.com/ocpp"),
                                console.Result("charge_point_id", None),
                                console.Rejected("apn", "config set Apn internet", "Apn: modem not present")]


def test_wrong_baud_rate_is_garbage(virtual: console.ConsoleProfile) -> None:
    # What 115200 baud output looks like read at 9600: framing errors, mostly high and control bytes.
    noise = bytes(random.Random(7).randrange(256) for _ in range(200))
    conversation = console.Conversation(virtual, "virtual")
    conversation.outgoing()
    events = conversation.receive(noise)
    garbage = [e for e in events if isinstance(e, console.Garbage)]
    assert garbage and garbage[0].ratio > 0.3
    assert conversation.state == "failed"


def test_plain_text_is_not_garbage() -> None:
    parser = console.Parser([])
    text = "Ünïcode is fine: ocpp_url = ws://x/ocpp\r\n" * 5
    assert all(isinstance(e, console.Line) for e in parser.feed(text.encode()))


def test_prompt_split_across_reads_is_seen_once() -> None:
    parser = console.Parser([vendors.find("virtual").console.prompt])
    assert parser.feed(b"virt") == []
    assert parser.feed(b"ual> ") == [console.Prompt("virtual> ")]
    assert parser.feed(b"") == []


def test_write_only_setting_cannot_be_read(virtual: console.ConsoleProfile) -> None:
    with pytest.raises(KeyError):
        console.Conversation(virtual, "x").get("password")


@pytest.mark.parametrize(("section", "entry"), [
    ({"prompt": "("}, "console.prompt"),
    ({"prompt": "> $", "baud": "fast"}, "console.baud"),
    ({"prompt": "> $", "parity": "X"}, "console.parity"),
    ({"prompt": "> $", "login": [{"expect": "Password:", "send": "{password}"}]}, "secret"),
    ({"prompt": "> $", "settings": {"ocpp_url": {"get": "get url", "value": "url=(.*)"}}}, "(?P<value>"),
    ({"prompt": "> $", "settings": {"colour": {"get": "x", "value": "(?P<value>.*)"}}}, "colour"),
    ({"prompt": "> $", "settings": {"apn": {"set": "apn"}}}, "{value}"),
    ({"prompt": "> $", "settings": {"apn": {"set": "apn {value} {port}"}}}, "{port}"),
    ({"prompt": "> $", "speed": 9600}, "speed"),
])
def test_bad_console_sections_name_file_and_entry(section: dict, entry: str) -> None:
    with pytest.raises(errors.ConfigError) as caught:
        vendors.parse("acme", {"console": section}, pathlib.Path("acme.toml"))
    assert "acme.toml" in str(caught.value) and entry in str(caught.value)


def test_profiles_by_alias() -> None:
    assert vendors.find("virtual").id == "commissioner-virtual"
    with pytest.raises(errors.ConfigError, match="virtual"):
        vendors.find("nope")

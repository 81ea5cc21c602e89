"""OCPP-J framing: every malformed frame is classified, answered per spec, never raised."""

from __future__ import annotations

import orjson
import pytest

from app.ocpp import rpc


@pytest.mark.parametrize(
    ("raw", "v16_code", "v201_code", "uid"),
    [
        ("this is not json", "FormationViolation", "RpcFrameworkError", "-1"),
        ('{"a": 1}', "FormationViolation", "RpcFrameworkError", "-1"),
        ("[]", "FormationViolation", "RpcFrameworkError", "-1"),
        ('[2, 17, "Heartbeat", {}]', "FormationViolation", "RpcFrameworkError", "-1"),
        ('[9, "m1", "Heartbeat", {}]', "FormationViolation", "MessageTypeNotSupported", "m1"),
        ('["2", "m1", "Heartbeat", {}]', "FormationViolation", "MessageTypeNotSupported", "m1"),
        ('[2, "' + "x" * 37 + '", "Heartbeat", {}]', "FormationViolation", "RpcFrameworkError", "-1"),
        ('[2, "", "Heartbeat", {}]', "FormationViolation", "RpcFrameworkError", "-1"),
        ('[2, "m1", "Heartbeat"]', "FormationViolation", "RpcFrameworkError", "m1"),
        ('[2, "m1", "Heartbeat", []]', "FormationViolation", "FormatViolation", "m1"),
        ('[2, "m1", 5, {}]', "FormationViolation", "RpcFrameworkError", "m1"),
    ],
)
def test_bad_frames_earn_the_versions_error_code(raw: str, v16_code: str, v201_code: str, uid: str) -> None:
    for version, expected in (("1.6", v16_code), ("2.0.1", v201_code), ("2.1", v201_code)):
        fault = rpc.decode(raw, version, 1 << 20)
        assert isinstance(fault, rpc.Fault), (version, raw)
        assert fault.error_code == expected, (version, raw)
        assert fault.unique_id == uid
        assert fault.reply


def test_unparseable_frame_is_answered_with_id_minus_one() -> None:
    fault = rpc.decode("[2, 'single quotes', ", "2.0.1", 1 << 20)
    assert isinstance(fault, rpc.Fault)
    frame = orjson.loads(rpc.encode_error(fault.unique_id, fault.error_code, fault.message))
    assert frame[:3] == [4, "-1", "RpcFrameworkError"]
    assert isinstance(frame[4], dict)


def test_deep_nesting_is_refused_without_recursion() -> None:
    raw = '[2, "deep", "DataTransfer", {"vendorId": "x", "data": ' + "[" * 900 + "]" * 900 + "}]"
    fault = rpc.decode(raw, "1.6", 1 << 20)
    assert isinstance(fault, rpc.Fault)
    assert fault.error_code == "FormationViolation"
    assert fault.unique_id == "deep"
    # nesting beyond what the JSON parser accepts at all is still just a fault
    raw = '[2, "deep", "DataTransfer", {"data": ' + "[" * 100_000 + "]" * 100_000 + "}]"
    assert isinstance(rpc.decode(raw, "2.0.1", 1 << 21), rpc.Fault)


def test_oversized_frame_is_refused_by_size_with_its_id() -> None:
    raw = '[2, "big-1", "DataTransfer", {"vendorId": "x", "data": "' + "y" * 2_000_000 + '"}]'
    fault = rpc.decode(raw, "2.0.1", 1 << 20)
    assert isinstance(fault, rpc.Fault)
    assert (fault.unique_id, fault.error_code) == ("big-1", "FormatViolation")
    assert "exceeds the limit" in fault.message
    assert rpc.decode(raw, "1.6", 1 << 22).__class__ is rpc.Message


def test_responses_that_are_malformed_are_not_answered() -> None:
    fault = rpc.decode('[3, "m1", "not an object"]', "2.0.1", 1 << 20)
    assert isinstance(fault, rpc.Fault) and not fault.reply
    fault = rpc.decode('[4, "m1", "NotImplemented"]', "1.6", 1 << 20)
    assert isinstance(fault, rpc.Fault) and not fault.reply


def test_ocpp21_knows_send_and_callresulterror() -> None:
    send = rpc.decode('[6, "s1", "NotifyPeriodicEventStream", {"id": 1, "pending": 0, "basetime": "x", "data": []}]',
                      "2.1", 1 << 20)
    assert isinstance(send, rpc.Message) and send.message_type == rpc.SEND
    assert isinstance(rpc.decode('[5, "r1", "FormatViolation", "bad", {}]', "2.1", 1 << 20), rpc.Message)
    # ... which 2.0.1 does not have
    fault = rpc.decode('[6, "s1", "NotifyPeriodicEventStream", {}]', "2.0.1", 1 << 20)
    assert isinstance(fault, rpc.Fault) and fault.error_code == "MessageTypeNotSupported"


def test_well_formed_frames() -> None:
    call = rpc.decode(b'[2,"a","Heartbeat",{}]', "1.6", 1 << 20)
    assert call == rpc.Message(2, "a", "Heartbeat", {})
    result = rpc.decode('[3,"a",{"currentTime":"t"}]', "1.6", 1 << 20)
    assert isinstance(result, rpc.Message) and result.payload == {"currentTime": "t"}
    error = rpc.decode('[4,"a","NotSupported","no",{"k":1}]', "1.6", 1 << 20)
    assert isinstance(error, rpc.Message)
    assert (error.error_code, error.error_description, error.payload) == ("NotSupported", "no", {"k": 1})


def test_size_limit_counts_utf8_bytes_not_characters() -> None:
    raw = '[2,"u1","DataTransfer",{"vendorId":"x","data":"' + "€" * 400 + '"}]'  # ~450 chars, ~1,250 bytes
    fault = rpc.decode(raw, "2.0.1", 1000)
    assert isinstance(fault, rpc.Fault) and "exceeds the limit" in fault.message
    assert isinstance(rpc.decode(raw, "2.0.1", 2000), rpc.Message)


@pytest.mark.parametrize("raw", ['[3,1,{}]', '[4,null,"GenericError","",{}]', '[3,"r1"]', '[4,"r1","X"]',
                                 '[3,"' + "y" * 40 + '",{}]', '[5,7,"GenericError","",{}]'])
def test_a_malformed_response_is_never_answered(raw: str) -> None:
    for version in ("1.6", "2.0.1", "2.1"):
        fault = rpc.decode(raw, version, 1 << 20)
        assert isinstance(fault, rpc.Fault), (version, raw)
        assert not fault.reply, (version, raw)


@pytest.mark.parametrize("length", [37, 1000, 100_000])
def test_an_invalid_id_is_never_echoed(length: int) -> None:
    fault = rpc.decode('[2,"' + "z" * length + '","Heartbeat",{}]', "2.0.1", 1 << 20)
    assert isinstance(fault, rpc.Fault) and fault.reply
    assert fault.unique_id == "-1"
    assert len(rpc.encode_error(fault.unique_id, fault.error_code, fault.message)) < 400


def test_an_oversized_frame_says_its_size() -> None:
    fault = rpc.decode('[2,"big","DataTransfer",{"vendorId":"' + "v" * 2000 + '"}]', "2.0.1", 1024)
    assert isinstance(fault, rpc.Fault) and fault.oversized > 1024 and fault.unique_id == "big"
    empty_id = rpc.decode('[2,"","DataTransfer",{"vendorId":"' + "v" * 2000 + '"}]', "2.0.1", 1024)
    assert empty_id.unique_id == "-1"


def test_a_frame_with_too_many_containers_is_refused_before_parsing() -> None:
    raw = '[2,"wide","Heartbeat",{"a":[' + ",".join(["[]"] * (rpc.MAX_CONTAINERS + 1)) + "]}]"
    fault = rpc.decode(raw, "2.0.1", 1 << 20)
    assert isinstance(fault, rpc.Fault) and fault.reply
    assert (fault.unique_id, fault.error_code) == ("wide", "FormatViolation")
    assert "arrays/objects" in fault.message
    under = '[2,"ok","Heartbeat",{"a":[' + ",".join(["[]"] * (rpc.MAX_CONTAINERS - 10)) + "]}]"
    assert isinstance(rpc.decode(under, "2.0.1", 1 << 20), rpc.Message)

"""domain.secrets.masked_payload: what the journal stores of a frame with a password in it."""

import json

from app.domain import secrets


def test_a_frame_without_secrets_is_kept_byte_for_byte() -> None:
    raw = '[2,"1","Heartbeat",{ }]'
    assert secrets.masked_payload(raw) is raw


def test_passwords_and_keys_are_masked_wherever_they_are() -> None:
    change = '[2,"7","ChangeConfiguration",{"key":"AuthorizationKey","value":"3132333435363738393031323334353637383930"}]'
    assert json.loads(secrets.masked_payload(change))[3] == {"key": "AuthorizationKey", "value": "***"}
    profile = ('[2,"8","SetNetworkProfile",{"configurationSlot":1,"connectionData":{"ocppCsmsUrl":"wss://x/ocpp",'
               '"basicAuthPassword":"Secret-Pass-123456"}}]')
    assert "Secret-Pass-123456" not in secrets.masked_payload(profile)
    broken = '[2,"9","SetVariables",{"variable":{"name":"BasicAuthPassword"},"password":"pw123",}]'
    assert "pw123" not in secrets.masked_payload(broken)  # not JSON: masked as text
    url = '[2,"10","DataTransfer",{"data":"wss://HO-1:hunter2@example.org/ocpp"}]'
    assert "hunter2" not in secrets.masked_payload(url)

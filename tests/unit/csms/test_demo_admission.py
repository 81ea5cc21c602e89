"""The demo chargers pass the allow-list only when they connect from this computer."""

import types

import pytest

from app.csms import server


@pytest.mark.parametrize("remote, local, ours", [
    (("127.0.0.1", 5000), ("127.0.0.1", 9000), True),
    (("::1", 5000, 0, 0), ("::1", 9000, 0, 0), True),
    (("192.168.1.5", 5000), ("192.168.1.5", 9000), True),  # our own LAN address
    (("192.168.1.77", 5000), ("192.168.1.5", 9000), False),  # another device on the LAN
    (None, None, False),
])
def test_only_this_computer_counts_as_the_demo(remote, local, ours) -> None:
    connection = types.SimpleNamespace(remote_address=remote, local_address=local)
    assert server._loopback(connection) is ours

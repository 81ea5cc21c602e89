"""The laptop's network addresses: what a charger on the same network can reach."""

from __future__ import annotations

import socket

import psutil


def lan_addresses() -> list[str]:
    """IPv4 addresses of the laptop's interfaces that are up, loopback excluded."""
    found = []
    stats = psutil.net_if_stats()
    for name, addresses in psutil.net_if_addrs().items():
        if name in stats and not stats[name].isup:
            continue
        for address in addresses:
            if address.family == socket.AF_INET and not address.address.startswith("127."):
                found.append(address.address)
    return sorted(set(found))

"""The built-in file server: chargers fetch firmware from it and upload their logs to it.

HTTP (aiohttp) and FTP (pyftpdlib, in its own thread) on the laptop's LAN addresses, started
and stopped with the CSMS. Every request a charger is given a URL for is a *grant* (a token in
the URL, or FTP credentials of its own), so what the server sees is tied to that charger and
that request: bytes served of a firmware image, a log file that arrived, or nothing at all.
Modules: library (firmware images), server (HTTP + grants), ftp (FTP side), uploads (files received).
"""

"""OCPP on top of the `ocpp` package: a strict OCPP-J RPC layer and one module per version.

`rpc` frames and classifies, `schemas` validates with the package's JSON schemas, `session`
drives one connection, `v16`/`v201`/`v21` hold the CSMS handlers of each version.
"""

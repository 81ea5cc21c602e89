"""The embedded CSMS: websockets server, charger registry, and the engine that owns its loop."""

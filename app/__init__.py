"""Commissioner: bring EV chargers into service over OCPP."""

__version__ = "0.1.0"

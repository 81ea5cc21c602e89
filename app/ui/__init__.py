"""The Qt user interface. Only this package and app/gui.py import PySide6."""

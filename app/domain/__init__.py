"""Plain data: dataclasses and enums shared by every layer. Imports nothing of the app."""

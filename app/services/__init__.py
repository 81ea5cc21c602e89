"""Workflows on top of the CSMS: demo chargers today; configuration, firmware, reports later."""

"""Helpers shared by the test modules (not tests themselves): import them from here, never from
another test module."""

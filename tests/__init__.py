"""Tests of Audio Studio."""

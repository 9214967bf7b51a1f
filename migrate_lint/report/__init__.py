"""Reporters: render findings as text, JSON, GitHub annotations or SARIF; they decide nothing."""

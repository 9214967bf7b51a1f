"""The rule set: one rule per module; each module's docstring-bearing class is a rule.

Shipped inside the wheel as ``migrate_lint.rules`` (setuptools ``package-dir``).
"""

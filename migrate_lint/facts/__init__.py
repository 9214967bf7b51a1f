"""Facts about SQL and the replayed history that rules and the fixer share, each answered
in one place.

A rule or the fixer asks here; it does not re-derive. The modules sit at the layer
their inputs need (tests/test_architecture.py places them), so the model may ask
the text facts too:

``types``      SQLite's type affinity of a declared type, the type CREATE TABLE AS
               gives a copied column, a type's zero value.
``literals``   constants: balanced outer parentheses, "is this DEFAULT a constant
               SQLite accepts on ADD COLUMN", "may this follow DEFAULT unparenthesised",
               NULL defaults, ``SELECT * FROM t``.
``conditions`` three-valued reading of WHERE conditions ("is this DELETE's WHERE
               always true").
``tables``     "is this table empty at this step" (made in this migration and not
               filled, or emptied by a DELETE and not refilled), memoised on the
               timeline.
``nulls``      nullability of a column and of an expression over the schema.

This package file imports nothing, so importing one fact loads only its module.
"""

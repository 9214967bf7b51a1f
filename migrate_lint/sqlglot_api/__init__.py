"""The one package that knows sqlglot; every other module goes through its small surface.

sqlglot moves argument keys and token types between versions, so a sqlglot upgrade is
a change to this package. One module per job:

- ``load``: loading sqlglot once, compiled (sqlglotc) or pure Python;
- ``tokens``: tokenizing, our :class:`~migrate_lint.tokens.Tok` and sqlglot's tokens;
- ``parsing``: parsing one statement (from text or a token slice), shape checks;
- ``dml``: reading INSERT, UPDATE and DELETE trees;
- ``nulls``: whether an expression can be NULL;
- ``copies``: what an INSERT ... SELECT puts into each column;
- ``shapes``: views and trigger bodies as SQLite's name resolution sees them.
"""

# Set to force pure-Python sqlglot even where sqlglotc is installed (tests, debugging).
# Here, not in `load`: the cache names its entries by it without importing sqlglot's
# loader (and importlib.metadata with it) on a run answered from its results.
PURE_ENV = "MIGRATE_LINT_PURE_SQLGLOT"

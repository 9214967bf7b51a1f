"""Fix planning: table-rebuild migrations verified on a real SQLite before they are written.

A rule is fixable when it defines ``fix(facts, ctx) -> Plan`` beside its ``check``,
in its own file: the rule says what to change; this package proves it and writes it.

What a rule's fix is written in (below the rules, tests/test_architecture.py):

``model``    the plan (``Plan``, ``EndState``), its context (``FixContext``), and what
             was planned and proved (``FixPlan``, ``CheckResult``).
``inplace``  token splices of an in-place correction (coalesce, DEFAULT, UPDATE).
``expect``   what the corrected column holds afterwards (check 4).
``rebuild``  the rebuild statements, from the stored CREATE text edited token by
             token (``sqltext``), saved index/trigger SQL, runner-aware shape.

The driver, in the order data flows through it:

``requests`` one lint run's findings of fixable rules turned into requests that carry
             the rule's facts; plus ``--writers-omit``. It never decides what is wrong.
``planner``  asks each finding's rule for its plan, applies the in-place edits to a
             copy replayed once, proves every plan, and plans the end-state rebuilds
             (default choice, NN006 refusal and its alternatives, git questions).
``checks``   the 15 checks of REBUILD.md, each a named function, and ``prove``
             (the planner adds 16-19: the fixed history, lint-clean, same schema,
             the written file is the proven one).
``layout``   next version and file names per layout; jinja2 templates in
             ``templates/``; the drizzle journal entry.
``write``    atomic writes and diffs.
"""

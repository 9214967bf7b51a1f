"""Fix planning: table-rebuild migrations verified on a real SQLite before they are written.

Modules, in the order data flows through them:

``requests`` the lint engine's findings (NN001 ... SQ003; NN002 from insert paths)
             turned into fix requests by ``code`` and ``Finding.data`` keys; plus
             ``--writers-omit``. The generator never decides what is wrong.
``planner``  in-place corrections of failing migrations, end-state rebuilds, default
             choice (NN006 refusal and its alternatives), git questions.
``inplace``  token splices of an in-place correction (coalesce, DEFAULT, UPDATE).
``rebuild``  the rebuild statements, from the stored CREATE text edited token by
             token (``sqltext``), saved index/trigger SQL, runner-aware shape.
``synth``    synthetic rows for every table.
``checks``   the 15 checks of REBUILD.md, each a named function, and ``prove``
             (the planner adds 16-19: the fixed history, lint-clean, same schema,
             the written file is the proven one).
``layout``   next version and file names per layout; jinja2 templates in
             ``templates/``; the drizzle journal entry.
``write``    atomic writes and diffs.
"""

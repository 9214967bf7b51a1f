"""Fix planning: table-rebuild migrations verified on a real SQLite before they are written."""

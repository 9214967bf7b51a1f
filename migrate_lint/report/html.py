"""`migrate-lint report --html`: one self-contained page (no network, no CDN).

It holds, for every table, a timeline with one lane per column (added, rebuilt,
renamed, changed, dropped, by which migration) and markers where findings sit; an
ER diagram of the schema after any migration (drawn in the page as SVG from embedded
data); and the findings list with code frames. A marker links to its finding, which
opens. Everything the page needs is inline: styles, data and a small script.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from migrate_lint.findings import Finding
from migrate_lint.lanes import KINDS, Event, TableLane, table_lanes
from migrate_lint.replay import Timeline
from migrate_lint.report.text import code_frame, summary
from migrate_lint.ruledocs import doc_url
from migrate_lint.schema import Table, all_foreign_keys

if TYPE_CHECKING:
    from migrate_lint.result import LintResult

STEP = 14  # px per migration on a timeline
ROW = 18  # px per lane
LABEL = 190  # px for lane names
COLORS = {"created": "#2e7d32", "added": "#43a047", "rebuilt": "#1565c0",
          "renamed": "#8e24aa", "changed": "#f9a825", "dropped": "#c62828"}
SEVERITY_COLORS = {"error": "#d32f2f", "warning": "#f57c00", "info": "#1976d2"}

STYLE = """
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0;
 color:#1d2329;background:#fafbfc}
header{background:#24292f;color:#fff;padding:12px 24px}header h1{margin:0;font-size:20px}
main{padding:0 24px 48px}section{margin-top:24px}h2{border-bottom:1px solid #d0d7de}
.lane{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:10px 0;padding:6px;
 overflow-x:auto}.lane h3{margin:2px 4px 6px;font-size:15px}
.legend span{display:inline-block;margin-right:14px}.dot{display:inline-block;width:10px;
 height:10px;border-radius:50%;margin-right:4px;vertical-align:middle}
details.finding{background:#fff;border:1px solid #d0d7de;border-left:4px solid #999;
 border-radius:6px;margin:8px 0;padding:6px 10px}details.finding[open]{box-shadow:0 0 0 3px #fdd835}
details.error{border-left-color:#d32f2f}details.warning{border-left-color:#f57c00}
details.info{border-left-color:#1976d2}summary{cursor:pointer}
pre{background:#f6f8fa;padding:8px;overflow-x:auto;font:12px/1.35 ui-monospace,Menlo,Consolas,monospace}
#er{background:#fff;border:1px solid #d0d7de;border-radius:6px;overflow:auto;max-height:80vh}
.marker{cursor:pointer}svg text{font:11px system-ui,Helvetica,Arial,sans-serif}
"""

# Draws the ER diagram of the chosen version, and opens a finding when its marker is
# clicked or its anchor is in the address.
SCRIPT = """
const DATA = JSON.parse(document.getElementById('schema-data').textContent);
const NS = 'http://www.w3.org/2000/svg';
function el(name, attrs, text) {
  const node = document.createElementNS(NS, name);
  for (const k in attrs) node.setAttribute(k, attrs[k]);
  if (text !== undefined) node.textContent = text;
  return node;
}
function drawEr(version) {
  const svg = document.getElementById('er-svg');
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const tables = DATA.versions[version].map(i => DATA.tables[i]);
  const per = Math.max(1, Math.ceil(Math.sqrt(tables.length)));
  const W = 230, GAP = 60, H = 18;
  const boxes = {}; const heights = [];
  tables.forEach((t, i) => {
    const col = i % per, row = Math.floor(i / per);
    heights[row] = Math.max(heights[row] || 0, (t.columns.length + 1) * H);
    boxes[t.name.toLowerCase()] = {t, col, row};
  });
  const tops = [0]; heights.forEach((h, r) => tops.push(tops[r] + h + GAP));
  Object.values(boxes).forEach(b => { b.x = 20 + b.col * (W + GAP); b.y = 20 + tops[b.row]; });
  const lines = el('g', {}); svg.appendChild(lines);
  Object.values(boxes).forEach(b => {
    const g = el('g', {'class': 'er-table', 'data-table': b.t.name});
    g.appendChild(el('rect', {x: b.x, y: b.y, width: W, height: (b.t.columns.length + 1) * H,
      fill: '#fff', stroke: '#57606a'}));
    g.appendChild(el('rect', {x: b.x, y: b.y, width: W, height: H, fill: '#dbe8f5',
      stroke: '#57606a'}));
    g.appendChild(el('text', {x: b.x + 6, y: b.y + 13, 'font-weight': 'bold'}, b.t.name));
    b.t.columns.forEach((c, j) => {
      const y = b.y + (j + 1) * H + 13;
      g.appendChild(el('text', {x: b.x + 6, y}, (c.pk ? 'PK ' : '') + (c.fk ? 'FK ' : '') + c.name));
      g.appendChild(el('text', {x: b.x + W - 6, y, 'text-anchor': 'end', fill: '#57606a'}, c.type));
    });
    svg.appendChild(g);
  });
  Object.values(boxes).forEach(b => b.t.fks.forEach(fk => {
    const p = boxes[fk.parent.toLowerCase()];
    if (!p) return;
    const x1 = b.x + W / 2, y1 = b.y, x2 = p.x + W / 2, y2 = p.y + H / 2;
    lines.appendChild(el('line', {x1, y1, x2, y2, stroke: '#8c959f', 'stroke-width': 1.5,
      'marker-end': 'url(#arrow)'}));
  }));
  const width = 40 + per * (W + GAP), height = 40 + tops[tops.length - 1];
  svg.setAttribute('width', width); svg.setAttribute('height', height);
  const defs = el('defs', {});
  const marker = el('marker', {id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5,
    markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse'});
  marker.appendChild(el('path', {d: 'M 0 0 L 10 5 L 0 10 z', fill: '#8c959f'}));
  defs.appendChild(marker); svg.appendChild(defs);
  document.getElementById('er-caption').textContent =
    tables.length + ' tables after ' + DATA.labels[version];
}
function openFinding(id) {
  const node = document.getElementById(id);
  if (!node) return;
  node.open = true;
  node.scrollIntoView({block: 'center'});
}
document.querySelectorAll('.marker').forEach(m => m.addEventListener('click', ev => {
  ev.preventDefault();
  const id = m.getAttribute('data-finding');
  history.replaceState(null, '', '#' + id);
  openFinding(id);
}));
window.addEventListener('hashchange', () => openFinding(location.hash.slice(1)));
const pick = document.getElementById('er-version');
pick.addEventListener('change', () => drawEr(Number(pick.value)));
drawEr(Number(pick.value));
if (location.hash) openFinding(location.hash.slice(1));
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table_data(table: Table) -> dict[str, Any]:
    fk_cols = {c.lower() for fk in all_foreign_keys(table) for c in fk.columns}
    return {
        "name": table.name,
        "columns": [{"name": c.name, "type": c.type, "pk": c.pk > 0,
                     "fk": c.name.lower() in fk_cols} for c in table.columns if not c.hidden],
        "fks": [{"parent": fk.parent, "columns": list(fk.columns)}
                for fk in all_foreign_keys(table)],
    }


def schema_versions(timeline: Timeline) -> dict[str, Any]:
    """Every migration's schema for the ER diagram; unchanged tables are stored once."""
    pool: list[dict[str, Any]] = []
    seen: dict[int, int] = {}
    versions = []
    for index in range(len(timeline.history.migrations)):
        schema = timeline.after_migration(index)
        ids = []
        for table in sorted(schema.tables.values(), key=lambda t: t.name.lower()):
            if table.temporary or table.virtual_module:
                continue
            if id(table) not in seen:  # the persistent map shares unchanged tables
                seen[id(table)] = len(pool)
                pool.append(_table_data(table))
            ids.append(seen[id(table)])
        versions.append(ids)
    return {"tables": pool, "versions": versions,
            "labels": [m.label for m in timeline.history.migrations]}


def _finding_places(result: LintResult, timeline: Timeline) -> dict[int, tuple[int, str]]:
    """finding index -> (migration index, table key) for findings inside the history."""
    real = {os.path.realpath(p): i for i, m in enumerate(timeline.history.migrations)
            for p in (s.path for s in (*m.source.up, *m.source.down))}
    by_file: dict[str, list[tuple[int, int, tuple[str, ...]]]] = {}
    for step in timeline.steps:
        span = step.statement.span
        by_file.setdefault(os.path.realpath(span.path), []).append(
            (span.start, span.end, step.statement.tables))
    out: dict[int, tuple[int, str]] = {}
    for n, finding in enumerate(result.findings):
        path = os.path.realpath(finding.path)
        migration = real.get(path)
        if migration is None:
            continue
        table = finding.get("table")
        if table is None:
            table = next((tables[0] for start, end, tables in by_file.get(path, [])
                          if start <= finding.span.start < end and tables), None)
        if table is not None:
            out[n] = (migration, table.lower())
    return out


def _circle(event: Event, y: int, labels: Sequence[str], what: str) -> str:
    x = LABEL + event.migration * STEP + STEP // 2
    tip = f"{what} {event.detail} in {labels[event.migration]} ({event.path}:{event.line})"
    return (f'<circle class="event {event.kind}" cx="{x}" cy="{y}" r="5" '
            f'fill="{COLORS[event.kind]}"><title>{_e(tip)}</title></circle>')


def _lane_svg(lane: TableLane, labels: Sequence[str],
              markers: Sequence[tuple[int, int, Finding]]) -> str:
    total = len(labels)
    # Findings of one migration stack up, one diamond each, so every one is clickable.
    stack: dict[int, int] = {}
    placed = []
    for n, migration, finding in markers:
        placed.append((n, migration, finding, stack.get(migration, 0)))
        stack[migration] = stack.get(migration, 0) + 1
    finding_rows = max(stack.values(), default=1)
    width = LABEL + total * STEP + 10
    height = (1 + finding_rows + 1 + len(lane.columns)) * ROW + 8
    parts = [f'<svg class="timeline" width="{width}" height="{height}" role="img" '
             f'aria-label="timeline of {_e(lane.name)}">']
    # migration grid: a faint tick per migration, labelled every tenth
    for i in range(total):
        x = LABEL + i * STEP + STEP // 2
        parts.append(f'<line x1="{x}" y1="4" x2="{x}" y2="{height - 4}" stroke="#eef1f4"/>')
        if i % 10 == 0:
            parts.append(f'<text x="{x}" y="12" fill="#8c959f" text-anchor="middle">'
                         f'{_e(labels[i].split("_")[0][:8])}</text>')
    y = ROW + 8
    parts.append(f'<text x="4" y="{y + 4}" font-weight="bold">findings</text>')
    for n, migration, finding, level in placed:
        x = LABEL + migration * STEP + STEP // 2
        my = y + level * ROW
        color = SEVERITY_COLORS.get(finding.severity, "#d32f2f")
        tip = f"{finding.severity} {finding.code} [{finding.name}] {finding.message}"
        parts.append(
            f'<a href="#finding-{n}" class="marker" data-finding="finding-{n}">'
            f'<path d="M {x} {my - 6} L {x + 6} {my} L {x} {my + 6} L {x - 6} {my} Z" '
            f'fill="{color}"><title>{_e(tip)}</title></path></a>')
    y += (finding_rows - 1) * ROW
    y += ROW
    parts.append(f'<text x="4" y="{y + 4}" font-style="italic">(table)</text>')
    parts.extend(_circle(e, y, labels, f"table {lane.name}") for e in lane.events)
    for col in lane.columns:
        y += ROW
        parts.append(f'<text x="4" y="{y + 4}">{_e(col.name)}</text>')
        if col.events:
            start = LABEL + col.events[0].migration * STEP + STEP // 2
            end_event = col.events[-1]
            end = (LABEL + end_event.migration * STEP + STEP // 2 if end_event.kind == "dropped"
                   else LABEL + total * STEP)
            parts.append(f'<line x1="{start}" y1="{y}" x2="{end}" y2="{y}" stroke="#afb8c1" '
                         'stroke-width="3"/>')
        parts.extend(_circle(e, y, labels, f"column {col.name}") for e in col.events)
    parts.append("</svg>")
    return "".join(parts)


def _finding_html(n: int, finding: Finding, text: str | None, label: str | None) -> str:
    frame = "\n".join(code_frame(finding, text))
    where = f"{finding.path}:{finding.span.line}:{finding.span.col}"
    out = [f'<details class="finding {finding.severity}" id="finding-{n}">',
           f"<summary><b>{_e(finding.severity)}</b> "
           f'<a href="{_e(doc_url(finding.code))}">{_e(finding.code)}</a> '
           f"[{_e(finding.name)}] <code>{_e(where)}</code>"
           + (f" in {_e(label)}" if label else "") + "</summary>",
           f"<p>{_e(finding.message)}</p>"]
    if frame:
        out.append(f"<pre>{_e(frame)}</pre>")
    for related in finding.related:
        out.append(f"<p>note: {_e(related.message)} (<code>{_e(related.span)}</code>)</p>")
    if finding.help:
        out.append(f"<p><b>help:</b> {_e(finding.help)}</p>")
    if finding.fix_title:
        out.append(f"<p><b>fix:</b> {_e(finding.fix_title)}</p>")
    out.append("</details>")
    return "\n".join(out)


def render_html(result: LintResult, timeline: Timeline, title: str) -> str:
    """The whole page."""
    labels = [m.label for m in timeline.history.migrations]
    lanes = table_lanes(timeline)
    places = _finding_places(result, timeline)
    by_table: dict[str, list[tuple[int, int, Finding]]] = {}
    for n, (migration, table) in places.items():
        by_table.setdefault(table, []).append((n, migration, result.findings[n]))
    legend = "".join(f'<span><i class="dot" style="background:{COLORS[k]}"></i>{k}</span>'
                     for k in KINDS)
    legend += "".join(f'<span><i class="dot" style="background:{c};border-radius:0;'
                      f'transform:rotate(45deg)"></i>{s} finding</span>'
                      for s, c in SEVERITY_COLORS.items())
    lane_html = []
    for lane in lanes:
        # Findings sit on the lane of the table's current name (a dropped table's
        # findings stay on its own lane: its key was set apart when it was dropped).
        markers = by_table.get(lane.name.lower(), [])
        lane_html.append(f'<div class="lane" data-table="{_e(lane.name)}">'
                         f"<h3>{_e(lane.name)}</h3>{_lane_svg(lane, labels, markers)}</div>")
        by_table.pop(lane.name.lower(), None)
    options = "".join(
        f'<option value="{i}"{" selected" if i == len(labels) - 1 else ""}>{_e(label)}</option>'
        for i, label in enumerate(labels))
    findings = "\n".join(
        _finding_html(n, f, result.texts.get(f.path),
                      labels[places[n][0]] if n in places else None)
        for n, f in enumerate(result.findings))
    data = json.dumps(schema_versions(timeline), separators=(",", ":")).replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>migrate-lint: {_e(title)}</title><style>{STYLE}</style></head>
<body><header><h1>migrate-lint report: {_e(title)}</h1>
<div>{len(labels)} migrations, {len(lanes)} tables. {_e(summary(result))}</div></header>
<main>
<section id="timeline"><h2>Tables over time</h2><div class="legend">{legend}</div>
{"".join(lane_html)}</section>
<section id="schema"><h2>ER diagram</h2>
<label>after migration <select id="er-version">{options}</select></label>
<span id="er-caption"></span><div id="er"><svg id="er-svg" xmlns="http://www.w3.org/2000/svg"></svg></div>
</section>
<section id="findings"><h2>Findings</h2>{findings or "<p>All checks passed!</p>"}</section>
</main>
<script type="application/json" id="schema-data">{data}</script>
<script>{SCRIPT}</script>
</body></html>
"""

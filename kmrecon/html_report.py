"""One self-contained ``report.html`` per run, batch and comparison: figures inline, readable offline.

The HTML is written with the standard library only (``html.escape`` and string templates): the reports
are our own fixed Markdown subset plus a few tables, which needs no template engine or Markdown package.
Images are embedded as base64 ``data:`` URIs and the page loads nothing (no scripts, fonts or links
to the network), so the single file can be mailed, archived or opened without the folder around it.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from reconstruct.io import write_bytes

__all__ = ["markdown_to_html", "html_page", "image_data_uri", "write_run_html", "write_batch_index", "provenance_html",
           "warnings_html",
           "write_markdown_html", "interval_rows"]

REPORT_HTML = "report.html"

# HTML by the standard library (html.escape, str.format templates): no template engine or Markdown package needed.
_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;max-width:60rem;margin:1.5rem auto;
padding:0 1rem;color:#1a1a1a;line-height:1.45}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:1.8rem;border-bottom:1px solid #ccc}h3{font-size:1.05rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.85rem;max-width:100%}
th,td{border:1px solid #bbb;padding:.2rem .4rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:#f0f0f0}td.num{text-align:right}table.prov td{overflow-wrap:anywhere}
blockquote{margin:.6rem 0;padding:.3rem .8rem;border-left:4px solid #c77;background:#fff5f5}
figure{margin:1rem 0}img{max-width:100%;height:auto;border:1px solid #ddd}figcaption{font-size:.85rem;color:#555}
code{font-size:.85em;background:#f4f4f4;padding:0 .2em;overflow-wrap:anywhere}
.warn{background:#fff8e1;border-left:4px solid #e0a800;padding:.3rem .8rem}
.failed,.misfit{color:#a00;font-weight:600}.done{color:#070}.skipped{color:#555}
@media print{body{max-width:none;margin:0}h2{page-break-after:avoid}figure,table{page-break-inside:avoid}}
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kmrecon {version}">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
{body}
</body>
</html>
"""

_IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}


def image_data_uri(path: str | os.PathLike[str]) -> str:
    """The file as a base64 ``data:`` URI (PNG, JPEG or SVG, by suffix).

    Parameters
    ----------
    path : path-like

    Returns
    -------
    str
    """
    path = Path(path)
    kind = _IMAGE_TYPES.get(path.suffix.lower(), "application/octet-stream")
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def html_page(title: str, body: str, *, version: str = "") -> str:
    """A complete HTML document with the report style sheet.

    Parameters
    ----------
    title : str
        Plain text (escaped here).
    body : str
        HTML already escaped by the caller.
    version : str, optional
        kmrecon version for the ``generator`` meta tag.

    Returns
    -------
    str
    """
    return _PAGE.format(title=html.escape(title), style=_STYLE, body=body, version=html.escape(version))


# --------------------------------------------------------------------------- Markdown subset

_CODE = re.compile(r"`([^`]+)`")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_NUMERIC = re.compile(r"^[-+<>]?\s*[\d./]+(?:\s*\(.*\))?%?$|^NE$|^NR(?: \(.*\))?$")


def _figure(alt: str, target: str, image: Callable[[str], str | None]) -> str:
    uri = image(target)
    if uri is None:
        return f"<em>(image {html.escape(target)} not found)</em>"
    return (f'<figure><img src="{uri}" alt="{html.escape(alt)}"><figcaption>{html.escape(alt or target)}'
            "</figcaption></figure>")


def _inline(text: str, image: Callable[[str], str | None]) -> str:
    """Escape a line, then render code spans, images, links (local images inline) and bold."""
    spans: list[str] = []

    def keep(fragment: str) -> str:
        spans.append(fragment)
        return f"\x00{len(spans) - 1}\x00"

    text = _CODE.sub(lambda m: keep(f"<code>{html.escape(m.group(1))}</code>"), text)
    text = _IMAGE.sub(lambda m: keep(_figure(m.group(1), m.group(2), image)), text)

    def link(m: re.Match[str]) -> str:
        label, target = m.group(1), m.group(2)
        if Path(target).suffix.lower() in _IMAGE_TYPES and image(target) is not None:
            return keep(_figure(label, target, image))
        return keep(f'<a href="{html.escape(target)}">{html.escape(label)}</a>')

    text = _LINK.sub(link, text)
    text = html.escape(text, quote=False)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: spans[int(m.group(1))], text)


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", inner)]


def _table_html(lines: Sequence[str], image: Callable[[str], str | None], css: str = "") -> str:
    header = _cells(lines[0])
    body = [_cells(line) for line in lines[2:]]
    out = [f'<table{f" class={chr(34)}{css}{chr(34)}" if css else ""}><thead><tr>']
    out += [f"<th>{_inline(c, image)}</th>" for c in header]
    out.append("</tr></thead><tbody>")
    for row in body:
        cells = "".join(
            f'<td{" class=" + chr(34) + "num" + chr(34) if _NUMERIC.match(c) else ""}>{_inline(c, image)}</td>'
            for c in row)
        out.append(f"<tr>{cells}</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _blocks(lines: list[str]) -> Iterable[tuple[str, list[str]]]:
    """Group Markdown lines into (kind, lines) blocks: heading, quote, table, ul, ol, para."""
    kinds = (("table", lambda s: s.startswith("|")), ("quote", lambda s: s.startswith(">")),
             ("ul", lambda s: s.startswith("- ")), ("ol", lambda s: re.match(r"\d+\. ", s) is not None))
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if not line:
            i += 1
            continue
        if line.startswith("#"):
            yield "heading", [line]
            i += 1
            continue
        kind = next((k for k, test in kinds if test(line)), "para")
        group = []
        while i < len(lines) and lines[i].strip():
            current = lines[i].strip()
            this = next((k for k, test in kinds if test(current)), "para")
            if current.startswith("#") or (this != kind and not (kind in ("ul", "ol") and this == "para")):
                break
            group.append(current)
            i += 1
        yield kind, group


def markdown_to_html(text: str, *, image: Callable[[str], str | None] = lambda target: None,
                     table_class: str = "") -> str:
    """Render the Markdown subset kmrecon writes (headings, tables, lists, quotes, images) as HTML.

    Parameters
    ----------
    text : str
        Markdown as written by kmrecon's reports.
    image : callable, optional
        Maps an image target (e.g. ``"km.png"``) to a ``data:`` URI, or None when it is missing.
    table_class : str, optional
        CSS class of every table.

    Returns
    -------
    str
        HTML fragment; all text is escaped.
    """
    out = []
    for kind, group in _blocks(text.splitlines()):
        if kind == "heading":
            level = min(len(group[0]) - len(group[0].lstrip("#")), 6)
            out.append(f"<h{level}>{_inline(group[0].lstrip('#').strip(), image)}</h{level}>")
        elif kind == "table" and len(group) >= 2:
            out.append(_table_html(group, image, table_class))
        elif kind == "quote":
            out.append("<blockquote>" + " ".join(_inline(g.lstrip("> "), image) for g in group) + "</blockquote>")
        elif kind in ("ul", "ol"):
            items: list[str] = []
            for g in group:
                item = re.sub(r"^(- |\d+\. )", "", g)
                if items and g == item:  # continuation line of the previous item
                    items[-1] += " " + item
                else:
                    items.append(item)
            out.append(f"<{kind}>" + "".join(f"<li>{_inline(t, image)}</li>" for t in items) + f"</{kind}>")
        else:
            out.append("<p>" + " ".join(_inline(g, image) for g in group) + "</p>")
    return "\n".join(out)


def _folder_images(folder: Path) -> Callable[[str], str | None]:
    def image(target: str) -> str | None:
        path = (folder / target).resolve()
        if "://" in target or not path.is_file() or path.suffix.lower() not in _IMAGE_TYPES:
            return None
        return image_data_uri(path)

    return image


# --------------------------------------------------------------------------- pieces of the run report


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return "NE" if not math.isfinite(value) else f"{value:.4g}"
    if value is None:
        return "NE"
    return str(value)


def _node_label(key: Any, node: Any) -> str:
    """Name a summary node for the interval table: an arm, a contrast, a landmark time, or its key."""
    if isinstance(node, Mapping):
        if "arm" in node and "reference" in node:
            return f"{node['arm']} vs {node['reference']}"
        if "arm" in node:
            return str(node["arm"])
        if "time" in node and not isinstance(node["time"], (list, Mapping)) and key is None:
            return f"t = {_fmt(node['time'])}"
    return str(key)


def _show_interval(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_fmt(v)}" for k, v in value.items() if not isinstance(v, (list, Mapping)))
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return f"{_fmt(value[0])} to {_fmt(value[1])}"
    return _fmt(value)


def _walk_intervals(node: Any, path: list[str], rows: list[tuple[str, str, str]]) -> None:
    if isinstance(node, list):
        for item in node:
            if isinstance(item, Mapping):
                _walk_intervals(item, path[:-1] + [_node_label(None, item)], rows)
        return
    if not isinstance(node, Mapping):
        return
    for kind in ("reconstruction", "total"):
        if node.get(kind) is not None:
            rows.append((" / ".join(path) or "summary", kind, _show_interval(node[kind])))
    for key, value in node.items():
        if key in ("reconstruction", "total", "km"):
            continue
        if isinstance(value, Mapping):
            _walk_intervals(value, path + [_node_label(key, value)], rows)
        elif isinstance(value, list):
            _walk_intervals(value, path + [str(key)], rows)


def interval_rows(summary: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """Reconstruction (and total) uncertainty intervals found anywhere in ``summary.json``'s summary.

    Any mapping holding a ``reconstruction`` or ``total`` entry contributes one row per entry, named by
    its path (e.g. ``Control / median``), so intervals added to the summary later are shown as they come.

    Parameters
    ----------
    summary : mapping
        The ``summary`` record of ``summary.json``.

    Returns
    -------
    list of (where, kind, value)
    """
    rows: list[tuple[str, str, str]] = []
    _walk_intervals(summary, [], rows)
    return rows


def _rows_table(header: Sequence[str], rows: Iterable[Sequence[str]], css: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    cls = f' class="{css}"' if css else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def warnings_html(items: Sequence[str]) -> str:
    """A Warnings section: one highlighted paragraph per warning, or "None."."""
    if not items:
        return "<h2>Warnings</h2><p>None.</p>"
    return "<h2>Warnings</h2>" + "".join(f'<p class="warn">{html.escape(w)}</p>' for w in items)


def provenance_html(record: Mapping[str, Any]) -> str:
    """A Provenance section: version, command, inputs with sha256, parameters."""
    out = ["<h2>Provenance</h2>"]
    out.append(f"<p>kmrecon {html.escape(str(record.get('kmrecon_version', '?')))}, "
               f"<code>{html.escape(str(record.get('command', '?')))}</code></p>")
    inputs = dict(record.get("inputs", {}))
    if inputs:
        out.append(_rows_table(["input", "path", "sha256"],
                               [(k, v.get("path", ""), v.get("sha256", "")) for k, v in inputs.items()], "prov"))
    params = dict(record.get("parameters", {}))
    if params:
        out.append(_rows_table(["parameter", "value"],
                               [(k, json.dumps(v, default=str)) for k, v in params.items()], "prov"))
    return "".join(out)


def _version() -> str:
    from reconstruct.io import package_version

    return package_version()


def write_run_html(outdir: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Write ``report.html`` from the outputs of a run already in ``outdir``.

    Reads ``report.md``, ``summary.json``, the PNGs it names and, when present, ``run.json``
    (warnings, arm matching, provenance); it computes nothing.

    Parameters
    ----------
    outdir : path-like
        A folder written by :func:`kmrecon.run_outputs.write_run_outputs` (or holding ``report.md`` and
        ``summary.json`` as :func:`kmrecon.ipd_report.write_ipd_report` writes them).
    force : bool
        Replace an existing ``report.html``.

    Returns
    -------
    Path
    """
    folder = Path(outdir)
    markdown = (folder / "report.md").read_text(encoding="utf-8")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    run = json.loads((folder / "run.json").read_text(encoding="utf-8")) if (folder / "run.json").is_file() else {}
    body = [markdown_to_html(markdown, image=_folder_images(folder))]
    figures = {"overlay.png": "Digitization overlay on the input figure", "fit.png": "Digitized vs reconstructed",
               "km.png": "Reconstructed KM"}
    shown = set(re.findall(r"\(([\w.-]+\.png)\)", markdown))
    extra = [(name, alt) for name, alt in figures.items() if name not in shown and (folder / name).is_file()]
    if extra:
        body.append("<h2>More figures</h2>" + "".join(_figure(alt, name, _folder_images(folder))
                                                     for name, alt in extra))
    intervals = interval_rows(summary.get("summary", {}))
    if intervals:
        body.append("<h2>Reconstruction intervals</h2><p>Intervals that include the digitization and "
                    "reconstruction error (<code>reconstruction</code>) and both sources together "
                    "(<code>total</code>), from <code>summary.json</code>.</p>")
        body.append(_rows_table(["where", "interval", "value"], intervals))
    in_markdown = "warnings" in summary  # report.md lists the run's warnings in its own section
    notes = ([] if in_markdown else list(run.get("warnings", []))) + [n for n in summary.get("notes", []) if n]
    body.append(warnings_html(notes))
    match = run.get("arm_match")
    if match:
        body.append(f"<p>At-risk rows matched to curves by <strong>{html.escape(str(match.get('basis')))}"
                    f"</strong>: {html.escape(str(match.get('detail', '')))}</p>")
    body.append(provenance_html(run or summary.get("provenance", {})))
    page = html_page("kmrecon report", "\n".join(body), version=_version())
    return write_bytes(folder / REPORT_HTML, page.encode("utf-8"), force=force)


def write_markdown_html(path: str | os.PathLike[str], markdown: str, *, title: str, folder: str | os.PathLike[str],
                        extra: str = "", force: bool = False) -> Path:
    """Write Markdown (images resolved in ``folder`` and inlined) plus an HTML fragment as one page.

    Parameters
    ----------
    path : path-like
        The ``.html`` file to write.
    markdown : str
    title : str
    folder : path-like
        Where the Markdown's images are.
    extra : str, optional
        Escaped HTML appended after the Markdown (warnings, provenance).
    force : bool

    Returns
    -------
    Path
    """
    body = markdown_to_html(markdown, image=_folder_images(Path(folder)), table_class="human") + extra
    return write_bytes(path, html_page(title, body, version=_version()).encode("utf-8"), force=force)


def write_batch_index(outcomes: Sequence[Any], outdir: str | os.PathLike[str], *, force: bool = True) -> Path:
    """Write the batch's ``report.html``: every figure with its status, per-arm numbers and any failure message.

    Parameters
    ----------
    outcomes : sequence of BatchOutcome
    outdir : path-like
        The batch folder; a finished figure links to its own ``<name>/report.html``.
    force : bool, default True
        The index is rewritten with each batch run (like ``batch_summary.csv``).

    Returns
    -------
    Path
    """
    folder = Path(outdir)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("done", "misfit", "failed", "skipped")}
    rows = []
    for o in outcomes:
        link = folder / o.name / REPORT_HTML
        name = (f'<a href="{html.escape(o.name)}/{REPORT_HTML}">{html.escape(o.name)}</a>' if link.is_file()
                else html.escape(o.name))
        medians = ", ".join("NR" if m != m else f"{m:.2f}" for m in o.median)
        arms = "; ".join(f"{a} (n {n}, events {e})" for a, n, e in zip(o.arms, o.n, o.events, strict=False))
        rows.append(f'<tr><td>{name}</td><td class="{html.escape(o.status)}">{html.escape(o.status)}</td>'
                    f"<td>{html.escape(arms)}</td><td>{html.escape(medians)}</td>"
                    f"<td>{html.escape(o.error)}</td><td><code>{html.escape(o.figure)}</code></td></tr>")
    failures = [o for o in outcomes if o.status in ("failed", "misfit")]
    body = [f"<h1>kmrecon batch: {len(outcomes)} figures</h1>",
            f"<p>{counts['done']} done, {counts['failed']} failed, {counts['skipped']} skipped (done earlier), "
            f"{counts['misfit']} misfit (the reconstruction does not fit the figure: see its fit.png). "
            "Each finished figure links to its own report.html; per-figure files are in its folder, and "
            "<code>batch_summary.csv</code> has the same rows for machines.</p>",
            '<table class="human"><thead><tr><th>figure</th><th>status</th><th>arms (n, events)</th>'
            "<th>median per arm</th><th>error</th><th>file</th></tr></thead><tbody>" + "".join(rows) +
            "</tbody></table>"]
    if failures:
        body.append("<h2>Failures</h2><ul>" + "".join(
            f"<li><strong>{html.escape(o.name)}</strong>: {html.escape(o.error)}</li>" for o in failures) + "</ul>")
    page = html_page("kmrecon batch", "\n".join(body), version=_version())
    return write_bytes(folder / REPORT_HTML, page.encode("utf-8"), force=force)

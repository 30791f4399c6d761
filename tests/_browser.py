"""Load an HTML file in headless Debian chromium: rendered DOM, image decoding, console messages, screenshot.

A probe script is added to a copy of the page: it records errors (script errors and resources that fail to
load) and, on ``load``, writes the decoded size of every image and the width of every table into the DOM
as JSON, which ``--dump-dom`` returns. Chromium prints every console message to stderr with
``--enable-logging=stderr`` (``CONSOLE`` lines); a report has no scripts, so any such line is an error.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SKIP_REASON = "chromium is not installed (apt-get install chromium); the browser test needs it"

_PROBE = """<script>
window.__kmErrors = [];
window.addEventListener("error", function (e) {
  var t = e.target;
  window.__kmErrors.push(t && t.tagName ? "failed to load " + t.tagName : String(e.message));
}, true);
window.addEventListener("load", function () {
  var images = Array.prototype.map.call(document.images, function (i) {
    return {w: i.naturalWidth, h: i.naturalHeight, complete: i.complete, alt: i.alt}; });
  var tables = Array.prototype.map.call(document.querySelectorAll("table"), function (t) {
    return {width: t.getBoundingClientRect().width, cls: t.className, rows: t.rows.length}; });
  var pre = document.createElement("pre");
  pre.id = "km-probe";
  pre.textContent = JSON.stringify({images: images, tables: tables, errors: window.__kmErrors,
                                    body: document.body.clientWidth});
  document.body.appendChild(pre);
});
</script>"""

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         # no network at all: every host name fails to resolve, so the page must be self-contained
         "--host-resolver-rules=MAP * ~NOTFOUND"]


@dataclass(frozen=True)
class Rendered:
    """What the browser made of a page."""

    dom: str
    probe: dict
    console: list[str]
    screenshot: Path


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    command = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def render(page: Path, workdir: Path, *, width: int = 1000, height: int = 3000) -> Rendered:
    """Render ``page`` (a copy with the probe) and take a screenshot of the original."""
    workdir.mkdir(parents=True, exist_ok=True)
    text = page.read_text(encoding="utf-8")
    probed = workdir / "probed.html"
    probed.write_text(text.replace("<head>", "<head>\n" + _PROBE, 1), encoding="utf-8")
    done = _chromium([f"--window-size={width},{height}", "--virtual-time-budget=5000", "--dump-dom",
                      probed.as_uri()], workdir / "profile-dom")
    match = re.search(r'<pre id="km-probe">(.*?)</pre>', done.stdout, re.S)
    probe = json.loads(match.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
                       .replace("&amp;", "&")) if match else {}
    shot = workdir / "screenshot.png"
    _chromium([f"--window-size={width},{height}", f"--screenshot={shot}", page.resolve().as_uri()],
              workdir / "profile-shot")
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return Rendered(dom=done.stdout, probe=probe, console=console, screenshot=shot)

"""Check the lesson's HTML site in a real browser: headless Chromium, offline, pages opened from disk.

For every ``*.html`` page of a site folder (what ``make html`` writes), after MathJax has finished:

- math is typeset: the typeset math elements equal the math spans in the page's source (``$...$``,
  ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``, ``\\begin{env}...\\end{env}`` outside code), with no
  MathJax error (TeX parse errors, undefined macros, processing errors, files or fonts that failed);
- every image loads (``complete`` and ``naturalWidth > 0``);
- every local link resolves to a file inside the site folder, and its ``#anchor`` to an element
  of the target page; external links are listed, never fetched;
- the browser requested nothing but local files (host names resolve to nothing, and any request
  to another host is reported), and no script threw;
- the page's source names no other host in a ``src``, ``<link href>``, ``import()`` or CSS ``url()``.

The browser is driven over the Chrome DevTools Protocol on a pipe (``--remote-debugging-pipe``:
JSON messages ending in NUL on file descriptors 3 and 4), so no port, websocket library or
browser download is needed: only the OS package (Debian: ``apt-get install -y chromium``).

    python tests/site_check.py outputs/html [--screenshots DIR]

exits 0 when the site passes, 1 with the problems listed, 2 when no browser is found.
``make test`` runs the test below on the site of the fast-mode run (``make site-check``).
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import html.parser
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

ROOT = Path(__file__).resolve().parent.parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER_ENV = "NBHELPERS_CHROMIUM"  # a browser binary to use instead of the first of BROWSERS on PATH
FLAGS = (
    "--headless",
    "--no-sandbox",  # as root (CI, containers) Chromium refuses to start with its sandbox
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # offline for sure: no host name resolves
    "--remote-debugging-pipe",
)
LOCAL_SCHEMES = {"file", "data", "blob", "about"}
PAGE_TIMEOUT = 60.0  # seconds for a page to load and MathJax to finish

# Before the page's own scripts: MathJax picks ``window.MathJax`` up as configuration. Report every
# signal that names an error (TeX parse errors, files or web fonts that failed), and make undefined
# macros parse errors (the noUndefined extension would draw them in red without a signal).
PRELUDE = r"""
window.__siteCheck = {mathjaxMessages: []};
window.MathJax = {
  TeX: {noUndefined: {disabled: true}},
  AuthorInit: function () {
    MathJax.Hub.signal.Interest(function (message) {
      var name = String(message[0]);
      if (/error|fail|no valid font|disable web fonts/i.test(name)) {
        window.__siteCheck.mathjaxMessages.push(name + ": " + message.slice(1).map(String).join(" | ").slice(0, 300));
      }
    });
  }
};
"""

# After the load event: wait for MathJax's queue (startup typesetting included) and the fonts, then measure.
COLLECT = r"""
(async () => {
  if (document.readyState !== "complete") await new Promise((r) => addEventListener("load", r));
  const hasMathJax = !!(window.MathJax && MathJax.Hub);
  if (hasMathJax) await new Promise((r) => MathJax.Hub.Queue(() => r()));
  await document.fonts.ready;
  const q = (s) => [...document.querySelectorAll(s)];
  return {
    title: document.title,
    mathjax: hasMathJax,
    typeset: q('[id^="MathJax-Element-"][id$="-Frame"]').length,
    scripts: q('script[type^="math/"]').length,
    jax: hasMathJax ? MathJax.Hub.getAllJax().length : 0,
    errorNodes: q(".MathJax_Error, .noError, .merror").map((e) => e.textContent.slice(0, 200)),
    messages: window.__siteCheck ? window.__siteCheck.mathjaxMessages : [],
    images: q("img").map((i) => ({
      src: (i.getAttribute("src") || "").slice(0, 80), ok: i.complete && i.naturalWidth > 0,
    })),
    links: q("a[href], area[href]").map((a) => [a.getAttribute("href"), a.href]),
    ids: q("[id]").map((e) => e.id).concat(q("a[name]").map((e) => e.getAttribute("name"))),
  };
})()
"""


def find_browser():
    """The Chromium binary: ``$NBHELPERS_CHROMIUM``, else the first of ``BROWSERS`` on PATH; None if none."""
    if os.environ.get(BROWSER_ENV):
        return shutil.which(os.environ[BROWSER_ENV])
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


class BrowserError(RuntimeError):
    """The browser died, timed out, or answered a command with an error."""


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe. Use as a context manager."""

    def __init__(self, binary, *, width=1200, height=900):
        self.binary, self.size = binary, (width, height)
        self._next_id, self._buffer, self.events = 0, b"", []

    def __enter__(self):
        self._profile = tempfile.mkdtemp(prefix="site-check-chromium-")
        self._log = open(Path(self._profile) / "stderr.log", "w+b")  # noqa: SIM115 (closed in __exit__)
        to_browser, self._write_fd = os.pipe()
        self._read_fd, from_browser = os.pipe()

        def as_fds_3_and_4():  # the protocol's fixed descriptors: 3 = commands in, 4 = replies out
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser, from_browser)]  # neither may be 3 or 4
            for fd, wanted in zip(high, (3, 4), strict=True):
                os.dup2(fd, wanted)  # inheritable: the browser gets it
                os.close(fd)

        args = [self.binary, *FLAGS, f"--user-data-dir={self._profile}", f"--window-size={self.size[0]},{self.size[1]}"]
        self.process = subprocess.Popen(
            [*args, "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
            close_fds=False,  # Python's own descriptors are close-on-exec anyway; 3 and 4 must stay open
            preexec_fn=as_fds_3_and_4,
        )
        os.close(to_browser)
        os.close(from_browser)
        try:
            self.version = self.call("Browser.getVersion", timeout=30)["product"]
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        if self.process.poll() is None:
            try:
                self._send({"id": -1, "method": "Browser.close"})
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        for fd in (self._write_fd, self._read_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self._log.close()
        shutil.rmtree(self._profile, ignore_errors=True)

    def stderr_tail(self) -> str:
        self._log.flush()
        return (Path(self._profile) / "stderr.log").read_bytes()[-2000:].decode(errors="replace")

    def _send(self, message):
        os.write(self._write_fd, json.dumps(message).encode() + b"\0")

    def _read(self, deadline):
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("the browser did not answer in time")
            ready, _, _ = select.select([self._read_fd], [], [], left)
            if ready:
                chunk = os.read(self._read_fd, 1 << 20)
                if not chunk:
                    raise BrowserError(f"the browser closed the pipe; its log ends:\n{self.stderr_tail()}")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=None, timeout=30.0):
        """Send a command and return its result; events that arrive meanwhile go to ``self.events``."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._send(message)
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method, session, timeout):
        """The first event ``method`` of ``session`` (removed from ``self.events``), waiting up to ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event["method"] == method and event.get("sessionId") == session:
                    return self.events.pop(i)
            reply = self._read(deadline)
            if "method" in reply:
                self.events.append(reply)

    def take_events(self, session):
        """Remove and return the events of ``session`` received so far."""
        mine = [e for e in self.events if e.get("sessionId") == session]
        self.events = [e for e in self.events if e.get("sessionId") != session]
        return mine

    def inspect(self, url, screenshot=None, timeout=PAGE_TIMEOUT) -> dict:
        """Open ``url`` in a fresh tab, wait for the load event and MathJax, and return what ``COLLECT`` measures.

        Adds ``requests`` (every URL the page asked for), ``failed`` (loads that failed: URL and
        reason) and ``exceptions`` (uncaught script errors). Saves a PNG of the first screen to
        ``screenshot`` when given.
        """
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        try:
            for domain in ("Page", "Network", "Runtime"):
                self.call(f"{domain}.enable", session=session)
            self.call("Page.addScriptToEvaluateOnNewDocument", {"source": PRELUDE}, session)
            metrics = {"width": self.size[0], "height": self.size[1], "deviceScaleFactor": 1, "mobile": False}
            self.call("Emulation.setDeviceMetricsOverride", metrics, session)
            nav = self.call("Page.navigate", {"url": url}, session)
            if nav.get("errorText"):
                raise BrowserError(f"{url} did not open: {nav['errorText']}")
            self.wait_event("Page.loadEventFired", session, timeout)
            evaluated = self.call(
                "Runtime.evaluate",
                {"expression": COLLECT, "awaitPromise": True, "returnByValue": True},
                session,
                timeout=timeout,
            )
            if "exceptionDetails" in evaluated:
                raise BrowserError(f"measuring {url} failed: {evaluated['exceptionDetails'].get('text')}")
            found = evaluated["result"]["value"]
            if screenshot:
                png = self.call("Page.captureScreenshot", {"format": "png"}, session)["data"]
                Path(screenshot).write_bytes(base64.b64decode(png))
            events = self.take_events(session)
        finally:
            self.call("Target.closeTarget", {"targetId": target})
        urls = {e["params"]["requestId"]: e["params"]["request"]["url"] for e in events if e["method"].endswith("Sent")}
        found["requests"] = sorted(set(urls.values()))
        failed = [(urls.get(e["params"]["requestId"], "?"), e["params"]) for e in events if "Failed" in e["method"]]
        # about:blank (the fresh tab, MathJax's hidden frames) "fails" harmlessly; a failed image is checked as an image
        found["failed"] = [f"{u[:120]}: {p.get('errorText')}" for u, p in failed if not u.startswith("about:")]
        found["exceptions"] = [
            (e["params"]["exceptionDetails"].get("exception", {}).get("description") or "")[:300]
            or e["params"]["exceptionDetails"].get("text", "")
            for e in events
            if e["method"] == "Runtime.exceptionThrown"
        ]
        return found


# ---------------------------------------------------------------- the page's source, read without a browser

# tex2jax's delimiters with processEscapes and processEnvironments (the site's MathJax configuration)
MATH = re.compile(
    r"\\\$|\$\$.+?\$\$|\\\[.+?\\\]|\\\(.+?\\\)|\\begin\{([^}]+)\}.+?\\end\{\1\}|\$.+?\$",
    re.S,
)
SKIP_TAGS = {"script", "style", "pre", "code", "textarea", "noscript"}  # MathJax does not look inside these
BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "table", "blockquote"}
BLOCK_TAGS |= {"section", "main", "nav", "body", "hr", "br", "dd", "dt", "dl", "details", "summary"}
CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)|@import\s+(["'])([^"']+)\3""")
JS_IMPORT = re.compile(r"""\bimport\s*\(\s*(["'`])([^"'`]+)\1|\bimport\s+(?:[\w*{}\s,]+\s+from\s+)?(["'])([^"']+)\3""")
URL_ATTRS = {"src", "srcset", "poster", "data"}  # on any element; plus href on <link> and on SVG <image>/<use>


def count_math(text: str) -> int:
    """Math spans in ``text`` as MathJax's tex2jax finds them (an escaped ``\\$`` is a dollar, not math)."""
    return sum(1 for m in MATH.finditer(text) if m.group(0) != "\\$")


def names_another_host(url: str) -> bool:
    """True for a URL fetched from elsewhere than the site folder (``//host/...``, ``https:``, ``file:``)."""
    url = url.strip()
    parts = urlsplit(url)
    return url.startswith("//") or bool(parts.netloc) or parts.scheme.lower() not in ("", "data", "blob")


class _Source(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.references, self.blocks, self._skip, self._text = [], [], [], []

    def _flush(self):
        if self._text:
            self.blocks.append("".join(self._text))
            self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if value is None:
                continue
            if name in URL_ATTRS:
                urls = [part.split()[0] for part in value.split(",") if part.strip()] if name == "srcset" else [value]
                self.references += [(f"<{tag} {name}>", u) for u in urls]
            elif name in ("href", "xlink:href") and tag in ("link", "image", "use", "feimage", "script"):
                self.references.append((f"<{tag} {name}>", value))
            elif name == "style":
                self.references += [(f"<{tag} style> url()", m.group(2) or m.group(4)) for m in CSS_URL.finditer(value)]
        if tag in SKIP_TAGS:
            self._skip.append(tag)
        if tag in BLOCK_TAGS:
            self._flush()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in SKIP_TAGS:
            self._skip.pop()

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS and tag in self._skip:
            while self._skip.pop() != tag:
                pass
        if tag in BLOCK_TAGS:
            self._flush()

    def handle_data(self, data):
        tag = self._skip[-1] if self._skip else None
        if tag == "style":
            self.references += [("<style> url()", m.group(2) or m.group(4)) for m in CSS_URL.finditer(data)]
        elif tag == "script":
            self.references += [("<script> import", m.group(2) or m.group(4)) for m in JS_IMPORT.finditer(data)]
        elif tag is None:
            self._text.append(data)


def read_source(page_html: str) -> dict:
    """What a page's source says, without a browser: ``math`` (spans MathJax should typeset) and
    ``external`` (``(where, url)`` for each ``src``, ``<link href>``, ``import()`` or CSS ``url()``
    that names another host)."""
    parser = _Source()
    parser.feed(page_html)
    parser.close()
    parser._flush()
    return {
        "math": sum(count_math(block) for block in parser.blocks),
        "external": [(where, url) for where, url in parser.references if names_another_host(url)],
    }


# ---------------------------------------------------------------- the whole site


def _local_path(url: str) -> Path:
    return Path(url2pathname(unquote(urlsplit(url).path)))


def check_site(html_dir, browser: Browser, screenshots=None) -> dict:
    """Check every ``*.html`` page of ``html_dir`` (see the module's docstring).

    Returns
    -------
    dict
        ``pages``: per page name, what was measured (``math_source``, ``typeset``, ``images``,
        ``local_links``, ``seconds``...); ``problems``: one line per fault found (empty when the
        site passes); ``external_links``: ``(page, url)`` of links to other hosts, not fetched.
    """
    html_dir = Path(html_dir).resolve()
    pages = sorted(html_dir.glob("*.html"))
    problems, external_links, measured, targets = [], [], {}, {}
    if not pages:
        return {"pages": {}, "problems": [f"no *.html page in {html_dir}"], "external_links": []}
    if screenshots:
        Path(screenshots).mkdir(parents=True, exist_ok=True)
    for page in pages:
        t0 = time.perf_counter()
        source = read_source(page.read_text(encoding="utf-8"))
        shot = Path(screenshots) / f"{page.stem}.png" if screenshots else None
        found = browser.inspect(page.as_uri(), screenshot=shot)
        found["seconds"] = round(time.perf_counter() - t0, 2)
        found["math_source"] = source["math"]
        measured[page.name] = found
        say = problems.append
        for where, url in source["external"]:
            say(f"{page.name}: {where} refers outside the site: {url[:120]}")
        if not (found["typeset"] == found["scripts"] == found["jax"] == source["math"]):
            say(
                f"{page.name}: {source['math']} math spans in the source, but MathJax "
                f"{'typeset ' + str(found['typeset']) if found['mathjax'] else 'did not load'} "
                f"({found['scripts']} math scripts, {found['jax']} jax)"
            )
        for text in found["errorNodes"] + found["messages"]:
            say(f"{page.name}: MathJax error: {text}")
        for image in found["images"]:
            if not image["ok"]:
                say(f"{page.name}: image did not load: {image['src']}")
        for url in found["requests"]:
            if urlsplit(url).scheme not in LOCAL_SCHEMES:
                say(f"{page.name}: the page requested {url[:120]}")
        for failure in found["failed"]:
            say(f"{page.name}: failed to load {failure}")
        for text in found["exceptions"]:
            say(f"{page.name}: script error: {text}")
        for raw, url in found["links"]:
            scheme = urlsplit(url).scheme
            if scheme != "file":
                if scheme in ("http", "https", "mailto", "ftp"):
                    external_links.append((page.name, url))
                else:
                    say(f"{page.name}: link with an unexpected scheme: {raw[:120]}")
                continue
            target = _local_path(url)
            if not target.resolve().is_relative_to(html_dir):
                say(f"{page.name}: link leaves the site folder: {raw[:120]}")
            elif not target.exists():
                say(f"{page.name}: broken link: {raw[:120]}")
            else:
                fragment = unquote(urlsplit(url).fragment)
                if fragment:
                    targets.setdefault(target.resolve(), set()).add((page.name, raw, fragment))
    ids = {html_dir / name: set(found["ids"]) for name, found in measured.items()}
    for target, wanted in sorted(targets.items()):
        for page_name, raw, fragment in sorted(wanted):
            if target in ids and fragment not in ids[target]:
                problems.append(f"{page_name}: anchor not found: {raw[:120]}")
    return {"pages": measured, "problems": problems, "external_links": sorted(set(external_links))}


def summary(report: dict) -> str:
    """One line per page, then the external links (listed, not fetched) and the problems."""
    lines = []
    for name, found in report["pages"].items():
        local = sum(1 for _, url in found["links"] if url.startswith("file:"))
        lines.append(
            f"{name}: {found['typeset']} math typeset ({found['math_source']} in the source), "
            f"{len(found['images'])} images, {local} local links, {found['seconds']:.1f} s"
        )
    if report["external_links"]:
        lines.append("external links (listed, not fetched):")
        lines += [f"  {page}: {url}" for page, url in report["external_links"]]
    lines += [f"PROBLEM {p}" for p in report["problems"]]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html_dir", help="the site folder, e.g. outputs/html")
    parser.add_argument("--screenshots", metavar="DIR", help="save a PNG of each page's first screen here")
    args = parser.parse_args(argv)
    binary = find_browser()
    if binary is None:
        print(f"no browser found ({', '.join(BROWSERS)}, or ${BROWSER_ENV}); on Debian: apt-get install -y chromium")
        return 2
    t0 = time.perf_counter()
    with Browser(binary) as browser:
        report = check_site(args.html_dir, browser, screenshots=args.screenshots)
        print(f"{browser.version}: {len(report['pages'])} pages of {args.html_dir} in {time.perf_counter() - t0:.1f} s")
    print(summary(report))
    return 1 if report["problems"] else 0


# ---------------------------------------------------------------- tests (make site-check runs this file with pytest)

try:
    import pytest
except ImportError:  # the command line above needs no pytest
    pytest = None

if pytest is not None:
    FAST_DIR = Path(os.environ.get("NBHELPERS_FAST_DIR", "build/fast"))
    FAST_DIR = FAST_DIR if FAST_DIR.is_absolute() else ROOT / FAST_DIR
    SITE_DIR = ROOT / "build" / "site"

    def _unavailable(message):
        """Under CI a missing prerequisite fails the run; locally the test is skipped."""
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)

    @pytest.fixture(scope="module")
    def browser():
        binary = find_browser()
        if binary is None:
            _unavailable(f"no browser ({', '.join(BROWSERS)}); .ci/run installs it with apt-get install -y chromium")
        with Browser(binary) as b:
            yield b

    def test_fast_run_site_in_chromium(browser):
        """The site of `make test`'s fast run (02, 03, 05 executed; 00, 01, 04 committed) passes in Chromium."""
        import nbhelpers as nbh

        if not any((FAST_DIR / "notebooks").glob("*.ipynb")):
            _unavailable(f"no executed notebooks in {FAST_DIR / 'notebooks'}: run tests/test_notebooks_fast.py first")
        t0 = time.perf_counter()
        site = nbh.render_html(FAST_DIR, committed_for_missing=True, html_dir=SITE_DIR)
        rendered = time.perf_counter() - t0
        report = check_site(SITE_DIR, browser)
        print(
            f"rendered in {rendered:.1f} s, checked in {time.perf_counter() - t0 - rendered:.1f} s\n{summary(report)}"
        )
        assert not report["problems"], "\n".join(report["problems"])
        expected = {"index.html"} | {f"{Path(n).stem}.html" for n in nbh.NOTEBOOKS if n != "00_index.ipynb"}
        assert expected <= set(report["pages"]), expected - set(report["pages"])
        assert report["pages"]["04_parameter_counts.html"]["typeset"] > 20  # the gate equations
        assert sum(len(p["images"]) for p in report["pages"].values()) >= 8  # figures of 01..05
        assert all(p.is_file() for p in site["pages"]) and (SITE_DIR / "mathjax" / "MathJax.js").is_file()

    def _tamper(html_dir: Path, page: str, extra: str) -> None:
        path = html_dir / page
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("</main>", f"{extra}</main>", 1), encoding="utf-8")

    def test_the_check_finds_what_is_wrong(tmp_path, browser):
        """Broken math, a missing image, broken links, a request to another host, a site without MathJax: each
        is reported. (A site of one small page: the index's links to the other pages are broken too.)"""
        import nbformat

        import nbhelpers as nbh

        nb = nbformat.v4.new_notebook()
        text = "# 4. A page\n\n## Math\n\nInline $h^2 + hi$ and\n\n$$4(h^2 + hi + h)$$"
        nb.cells = [nbformat.v4.new_markdown_cell(text)]
        (tmp_path / "notebooks").mkdir()
        nbformat.write(nb, str(tmp_path / "notebooks" / "04_parameter_counts.ipynb"))
        nbh.render_html(tmp_path)
        site = tmp_path / "html"
        good = check_site(site, browser)
        assert [p for p in good["problems"] if not p.startswith("index.html: broken link: 0")] == []
        assert "index.html: broken link: 01_data_prep.html" in good["problems"]
        assert good["pages"]["04_parameter_counts.html"]["typeset"] == 2
        _tamper(
            site,
            "04_parameter_counts.html",
            '<p>$\\frac{1}{$ and $\\notamacro x$</p><img src="missing.png" alt="">'
            '<a href="nowhere.html">x</a> <a href="index.html#no-such-heading">y</a> '
            '<a href="https://keras.io/">z</a><img src="https://example.org/x.png" alt="">',
        )
        report = check_site(site, browser)
        problems = "\n".join(report["problems"])
        assert "Missing close brace" in problems or "Extra open brace" in problems, problems
        assert "\\notamacro" in problems
        assert "image did not load: missing.png" in problems
        assert "broken link: nowhere.html" in problems
        assert "anchor not found: index.html#no-such-heading" in problems
        assert "<img src> refers outside the site: https://example.org/x.png" in problems
        assert "the page requested https://example.org/x.png" in problems
        assert "keras.io" not in problems  # an external link is listed, not fetched
        assert ("04_parameter_counts.html", "https://keras.io/") in report["external_links"]

        shutil.rmtree(site / "mathjax")
        problems = "\n".join(check_site(site, browser)["problems"])
        assert "but MathJax did not load" in problems, problems


if __name__ == "__main__":
    sys.exit(main())

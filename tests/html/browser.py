#!/usr/bin/env python3
"""Opens an imrlint HTML report in headless Chromium through chromedriver
(W3C WebDriver over HTTP, standard library only) and checks it.

usage: browser.py REPORT.html SCREENSHOT.png

Exit 0 when every check passes; prints each check, then 'N passed, N failed'.
"""

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HOSTILE = [
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=2">',
    "</pre></td></table>",
    "<!--",
    "]]>",
    "&amp;",
    "naïve Bäcker from Köln (日本語, ελληνικά, emoji 🩺)",
]
# Inside the marked conclusion of the hostile letter.
MARKED = "<script>self['__pwned']=3</script>"
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


class Driver:
    def __init__(self):
        exe = shutil.which("chromedriver")
        if not exe:
            sys.exit("browser.py: chromedriver not found (Debian: chromium-driver)")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen(
            [exe, f"--port={self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                if self.call("GET", "/status")["ready"]:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            self.proc.kill()
            sys.exit("browser.py: chromedriver did not start")
        self.profile = tempfile.mkdtemp(prefix="imrlint-chromium-")
        args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--window-size=1280,900",
            f"--user-data-dir={self.profile}",
        ]
        caps = {
            "browserName": "chrome",
            "goog:chromeOptions": {"args": args},
            "goog:loggingPrefs": {"browser": "ALL"},
        }
        chromium = shutil.which("chromium")
        if chromium:
            caps["goog:chromeOptions"]["binary"] = chromium
        session = self.call("POST", "/session", {"capabilities": {"alwaysMatch": caps}})
        self.session = f"/session/{session['sessionId']}"

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.load(r)["value"]
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method} {path}: {e.read().decode(errors='replace')}")

    def s(self, method, path, body=None):
        return self.call(method, self.session + path, body)

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def find(self, css):
        return self.s("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]

    def click(self, css):
        element = self.find(css)
        self.js("arguments[0].scrollIntoView({block: 'center'});", {ELEMENT: element})
        self.s("POST", f"/element/{element}/click", {})

    def close(self):
        try:
            self.s("DELETE", "")
        finally:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            shutil.rmtree(self.profile, ignore_errors=True)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    report = os.path.abspath(sys.argv[1])
    shot = os.path.abspath(sys.argv[2])
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f": {detail}" if detail and not ok else ""),
              flush=True)

    d = Driver()
    try:
        d.s("POST", "/url", {"url": "file://" + report})
        time.sleep(0.3)

        check("nothing in the letters ran (window.__pwned is undefined)",
              d.js("return window.__pwned === undefined;"))
        check("the page's own script ran (its CSP hash is right)",
              d.js("return document.documentElement.getAttribute('data-script');") == "ok")
        check("the page's own stylesheet applies (its CSP hash is right)",
              d.js("return getComputedStyle(document.getElementById('report')).display;") == "flex")
        title = d.js("return document.title;")
        check("title", title == "imrlint audit report", title)
        check("one script element, no images, no iframes, no objects",
              d.js("return [document.scripts.length, document.images.length,"
                   " document.querySelectorAll('iframe,object,embed,link,base,form,svg image').length];")
              == [1, 0, 0])
        handlers = d.js(
            "return Array.from(document.querySelectorAll('*')).filter(function (e) {"
            " return Array.from(e.attributes).some(function (a) { return /^on/i.test(a.name); });"
            "}).map(function (e) { return e.outerHTML.slice(0, 80); });")
        check("no element has an event-handler attribute", handlers == [], handlers)
        summary = d.js(
            "var t = document.querySelector('.top'); return t ? t.innerText : '';")
        check("the summary rendered", "files given" in summary and "checked" in summary, summary[:200])
        tops = d.js(
            "function y(s) { var e = document.querySelector(s); return e ? e.getBoundingClientRect().top : -1; }"
            "return [y('.top'), y('.charts'), y('.fhead'), y('a.frow'), y('.cross'), y('section.letter')];")
        check("summary, charts, findings, cross-letter, letters stand in that order on screen",
              all(a >= 0 for a in tops) and tops == sorted(tops), tops)
        check("the uphold-rate chart is drawn",
              d.js("return document.querySelectorAll('svg.chart').length;") >= 3)

        text = d.js("return document.body.innerText;")
        for h in HOSTILE:
            check(f"hostile text shows as text: {h}", h in text)
        check("file names made of markup show as text",
              "<img src=x onerror=\"window.__pwned=5\">.txt" in text
              and "<svg onload=window.__pwned=6> & 'co'.txt" in text)
        marked = d.js(
            "var needle = arguments[0];"
            "return Array.from(document.querySelectorAll('mark[id]')).filter(function (m) {"
            " return m.textContent.indexOf(needle) >= 0 && m.getBoundingClientRect().width > 0;"
            "}).length;", MARKED)
        check("a highlighted finding wraps hostile text, visibly", marked >= 1, marked)

        broken = d.js(
            "return Array.from(document.querySelectorAll('a[href]')).filter(function (a) {"
            " var h = a.getAttribute('href');"
            " return h.charAt(0) !== '#' || !document.getElementById(decodeURIComponent(h.slice(1)));"
            "}).map(function (a) { return a.getAttribute('href'); });")
        check("every link points at an element of the page", broken == [], broken)
        rows = d.js("return document.querySelectorAll('a.frow').length;")
        check("the findings table has rows", rows >= 5, rows)

        def visual(attr):
            return d.js(
                "var name = arguments[0];"
                "return Array.from(document.querySelectorAll('a.frow')).map(function (r) {"
                " return [r.getBoundingClientRect().top, r.getAttribute(name)]; })"
                ".sort(function (a, b) { return a[0] - b[0]; }).map(function (p) { return p[1]; });", attr)

        d.click(".cols button[data-key=sev]")
        sev = [int(x) for x in visual("data-sev")]
        check("sorting by severity puts errors first", sev == sorted(sev, reverse=True) and len(set(sev)) > 1, sev)
        d.click(".cols button[data-key=pos]")
        lines = [int(x) for x in visual("data-line")]
        check("sorting by line:col orders the rows", lines == sorted(lines), lines)
        d.click(".cols button[data-key=pos]")
        d.click(".cols button[data-key=pos]")
        order = [int(x) for x in visual("data-i")]
        check("a third click restores input order", order == sorted(order), order)

        d.click("a.frow")
        target = d.js(
            "var t = document.querySelector(':target'); return t ? [t.tagName, location.hash] : null;")
        check("a row leads to its highlighted finding", bool(target) and target[0] == "MARK", target)

        try:
            logs = d.s("POST", "/se/log", {"type": "browser"})
            bad = [l["message"] for l in logs
                   if "Content Security Policy" in l["message"] or "Refused" in l["message"]]
            check("no Content-Security-Policy violation in the console", bad == [], bad)
        except RuntimeError as e:
            print(f"skip console log check: {e}")

        # Controls, on copies of the page with the hostile text let through
        # unescaped: with the page's policy nothing runs (defence in depth);
        # without it, it does (so the probe above can see a script run).
        raw = open(report, encoding="utf-8").read()
        injected = raw.replace(
            "&lt;script&gt;window.__pwned=1&lt;/script&gt;", "<script>window.__pwned=1</script>", 1
        ).replace(
            "&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;",
            '<img src=x onerror="window.__pwned=2">', 1)
        head, sep, tail = injected.partition('<meta http-equiv="Content-Security-Policy"')
        no_policy = head + "<meta" + tail if sep else injected
        for name, html, expect in [("with", injected, None), ("without", no_policy, True)]:
            path = os.path.join(os.path.dirname(shot), f"control-{name}-policy.html")
            with open(path, "w", encoding="utf-8") as f:
                f.write(html)
            d.s("POST", "/url", {"url": "file://" + path})
            time.sleep(0.3)
            ran = d.js("return window.__pwned !== undefined;")
            if expect:
                check("control: without the policy, injected markup would run", ran)
            else:
                check("control: the policy blocks injected markup", not ran)
        d.s("POST", "/url", {"url": "file://" + report})
        time.sleep(0.3)

        # The whole page, top to bottom.
        d.js("window.scrollTo(0, 0); history.replaceState(null, '', location.pathname);")
        height = d.js("return document.documentElement.scrollHeight;")
        d.s("POST", "/window/rect", {"width": 1280, "height": min(int(height) + 120, 12000)})
        time.sleep(0.3)
        d.js("window.scrollTo(0, 0);")
        png = base64.b64decode(d.s("GET", "/screenshot"))
        os.makedirs(os.path.dirname(shot), exist_ok=True)
        with open(shot, "wb") as f:
            f.write(png)
        check("screenshot saved", png[:8] == b"\x89PNG\r\n\x1a\n", shot)
        print(f"screenshot: {shot}")
    finally:
        d.close()

    passed = sum(results)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""Another site's script reads what twingraph publishes: headless Chromium on a page of another origin
fetches from the server, and the browser itself enforces CORS, so a missing or wrong header fails
here as it would for someone else's web app."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]

FETCH = """async ([url, accept, method, body]) => {
  const init = {method, headers: accept ? {Accept: accept} : {}};
  if (body !== null) {
    init.body = body;
    init.headers["Content-Type"] = "application/x-www-form-urlencoded";
  }
  try {
    const r = await fetch(url, init);
    const text = await r.text();
    const h = (name) => r.headers.get(name);
    return {ok: true, status: r.status, type: r.type, start: text.slice(0, 200),
            link: h("Link"), etag: h("ETag"), location: h("Content-Location"), limit: h("X-Result-Limit")};
  } catch (e) { return {ok: false, error: String(e)}; }
}"""


def _fetch(page: Any, url: str, accept: str | None = None, body: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(FETCH, [url, accept, "POST" if body else "GET", body])
    assert result["ok"], f"{url}: the browser refused the answer ({result.get('error')})"
    return result


@pytest.fixture()
def elsewhere(page: Any, tmp_path: Path) -> Iterator[tuple[Any, str]]:
    """A page of someone else's site (Python's own file server on another port: another origin, on
    the loopback like the server, so that only CORS decides), and a file of that site."""
    (tmp_path / "index.html").write_text("<!doctype html><title>elsewhere</title>")
    (tmp_path / "data.json").write_text("{}")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_address[1]
        page.goto(f"http://127.0.0.1:{port}/index.html", wait_until="domcontentloaded")
        yield page, f"http://localhost:{port}/data.json"
        server.shutdown()


def test_the_browser_enforces_cors_here(elsewhere: tuple[Any, str]) -> None:
    # The control: the file server sends no CORS headers, so its answer to another origin is refused.
    page, no_cors = elsewhere
    refused = page.evaluate(FETCH, [no_cors, None, "GET", None])
    assert not refused["ok"] and "Failed to fetch" in refused["error"]


@pytest.mark.parametrize(
    ("path", "accept", "starts"),
    [
        ("/doc/city/amiens", "text/turtle", "@prefix"),
        ("/doc/city/amiens.jsonld", None, "{"),
        ("/doc/partnership/dortmund-amiens", "application/n-triples", "<"),
        ("/id/city/amiens", "text/turtle", "@prefix"),  # the 303 is followed across origins too
        ("/context.jsonld", None, "{"),
        ("/reconcile?queries=" + '{"q0":{"query":"Amiens"}}', None, "{"),
        ("/dumps/index.json", None, "{"),
        ("/openapi.json", None, "{"),
        ("/sparql?query=ASK%20%7B%7D", "application/sparql-results+json", "{"),
    ],
)
def test_another_origin_reads_the_data(
    elsewhere: tuple[Any, str], live_server: str, path: str, accept: str, starts: str
) -> None:
    answer = _fetch(elsewhere[0], live_server + path, accept)
    assert answer["status"] == 200 and answer["type"] == "cors"
    assert answer["start"].lstrip().startswith(starts), answer["start"]


def test_another_origin_reads_the_linked_data_headers(elsewhere: tuple[Any, str], live_server: str) -> None:
    answer = _fetch(elsewhere[0], live_server + "/doc/city/amiens", "text/turtle")
    assert (answer["link"] and 'rel="describedby"' in answer["link"]) or "rel=" in (answer["link"] or "")
    assert answer["etag"]
    query = _fetch(
        elsewhere[0],
        live_server + "/sparql",
        "text/csv",
        "query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%203",
    )
    assert query["status"] == 200 and query["limit"]  # a POST with a form body, and its result cap read

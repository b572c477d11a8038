"""No SSRF from the Wikidata tools: they reach the configured endpoint and nothing else.

The endpoint (a real `oxigraph serve` with the Wikidata-model fixture) is given extra statements whose
reference URLs, items and sitelinks point at a trap server on 127.0.0.1; the tools run and the trap
hears nothing. An endpoint that redirects to another address is refused with a clear message.
(The web app's own SSRF surface, SERVICE / LOAD / FROM / graph parameters, is in
test_security_input.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from support.hardening import Trap
from support.oxigraph import oxigraph_server
from support.paths import TEST_DATA
from support.servers import serving
from twingraph.cli import main
from twingraph.config import Settings
from twingraph.serve import settings_environment

pytestmark = pytest.mark.server

FIXTURE = TEST_DATA / "wikidata-fixture.ttl"


def lures(trap: str) -> str:
    """Statements that point a careless client at the trap, in every place the tools read."""
    return f"""
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix p: <http://www.wikidata.org/prop/> .
@prefix ps: <http://www.wikidata.org/prop/statement/> .
@prefix pr: <http://www.wikidata.org/prop/reference/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix wikibase: <http://wikiba.se/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <http://schema.org/> .
wd:Q1295 wdt:P190 <{trap}entity/Q1> ; p:P190 <{trap}statement/1> .
<{trap}statement/1> a wikibase:Statement ; wikibase:rank wikibase:NormalRank ;
    ps:P190 <{trap}entity/Q1> ; prov:wasDerivedFrom <{trap}reference/1> .
<{trap}reference/1> pr:P854 <{trap}source-page> .
<{trap}entity/Q1> rdfs:label "Trapville"@en ; wdt:P31 wd:Q515 ; wdt:P1566 "{trap}geonames" .
<{trap}sitelink> schema:about wd:Q1295 ; schema:isPartOf <{trap}> .
"""


@pytest.fixture(scope="module")
def trap() -> Iterator[Trap]:
    server = Trap()
    yield server
    server.close()


@pytest.fixture(scope="module")
def lured_endpoint(tmp_path_factory: pytest.TempPathFactory, trap: Trap) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("ssrf")
    extra = folder / "lures.ttl"
    extra.write_text(lures(trap.url), encoding="utf-8")
    with oxigraph_server([FIXTURE, extra], folder / "store") as url:
        yield url


@pytest.mark.parametrize(
    "command",
    [
        ["wikidata", "diff"],
        ["wikidata", "diff", "--format", "json"],
        ["wikidata", "quickstatements", "--retrieved", "2026-05-01"],
        ["wikidata", "link"],
    ],
)
def test_tools_follow_no_link_out_of_the_data(
    lured_endpoint: str, trap: Trap, tmp_path: Path, command: list[str], settings: Settings
) -> None:
    out = ["--out", str(tmp_path / "out.txt")] if command[1] in ("quickstatements", "link") else []
    # The test settings (no imports folder): a checkout's own imports/ (the world graph after `make
    # serve`) would make the tools compare 10,000 twinnings instead of the curated graph's.
    env = settings_environment(settings)
    result = CliRunner().invoke(main, [*command, "--endpoint", lured_endpoint, *out], env=env)
    assert result.exit_code == 0, result.output
    assert trap.requests == [], f"the tool fetched {trap.requests}"


def test_a_redirect_to_another_address_is_not_followed(trap: Trap, settings: Settings) -> None:
    def redirect(environ: dict[str, object], start_response: object) -> list[bytes]:
        start_response("307 Temporary Redirect", [("Location", trap.url + "sparql"), ("Content-Length", "0")])  # type: ignore[operator]
        return [b""]

    with serving(redirect) as base:
        args = ["wikidata", "diff", "--endpoint", f"{base}/sparql"]
        result = CliRunner().invoke(main, args, env=settings_environment(settings))
    assert result.exit_code == 3
    assert (
        f"redirected to {trap.url}sparql" in result.output and "only talks to the endpoint" in result.output
    )
    assert "Traceback" not in result.output
    assert trap.requests == []

"""SPARQL syntax errors name the position and say in words what may come there."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

JSON = "application/sparql-results+json"

# (query, words the message must hold)
CASES = [
    ("SELECT * WHERE { ?s ?p }", ["line 1, column", "triple pattern", "SELECT * WHERE { ?s ?p }", "^"]),
    ("SELECT * WHERE {\n  ?s ?p ?o\n  FILTER(?o > ) }", ["line 3", "an expression", "FILTER(?o > ) }"]),
    ("SELECT * WHERE { ?s ?p ?o ", ["end of the query", "'}' to close the group"]),
    ("SELEKT * { ?s ?p ?o }", ["line 1, column 1", "SELECT, ASK, CONSTRUCT or DESCRIBE", "SELEKT"]),
]


@pytest.mark.parametrize(("query", "words"), CASES)
def test_syntax_errors_say_where_and_what(pages_client: FlaskClient, query: str, words: list[str]) -> None:
    response = pages_client.get(
        "/sparql", query_string={"query": query}, headers={"Accept": f"{JSON}, */*;q=0.1"}
    )
    assert response.status_code == 400
    message = response.get_data(as_text=True)
    for word in words:
        assert word in message, message
    assert "[_]" not in message  # no grammar internals

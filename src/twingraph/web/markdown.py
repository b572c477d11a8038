"""Short Markdown texts (file descriptions, notes) rendered as HTML by markdown-it-py (CommonMark).

Raw HTML in the source is not passed through, so the output is safe to put in a page as it is.
"""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False})


def markdown_inline(text: str) -> Markup:
    """One line of Markdown as inline HTML (no paragraph around it).

    >>> str(markdown_inline("check with `sha256sum -c` <b>"))
    'check with <code>sha256sum -c</code> &lt;b&gt;'
    """
    return Markup(_parser().renderInline(text))

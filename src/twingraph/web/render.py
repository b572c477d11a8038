"""Rendering HTML pages: the reader's language, the language switch, validators and Vary."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import babel
from flask import Request, Response, g, render_template, request
from markupsafe import Markup
from werkzeug.http import parse_cookie

from twingraph.web.conneg import add_vary, release_stamp, revalidate
from twingraph.web.i18n import (
    LANG_COOKIE,
    UI_LANGUAGES,
    Language,
    choose_language,
    format_date,
    format_number,
)
from twingraph.web.labels import SiteData, site_data
from twingraph.web.state import AppState, current_state

LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}
COOKIE_SECONDS = 365 * 24 * 3600


LANGUAGE_MEMO = 512  # distinct (lang, cookie, Accept-Language) triples remembered per app
LANG_PARAMETER = "lang"  # the query parameter of a language choice (i18n.requested_ui reads it)


def current_language() -> Language:
    """The reader's language for this request (computed once per request, and once per app for each
    combination of ``?lang=``, the cookie and Accept-Language: what :func:`choose_language` reads).

    The combination is read from the raw request without parsing its query string or cookies when
    they cannot hold a language (most requests): parsing them costs more than a cached page.
    """
    lang: Language | None = g.get("twingraph_lang")
    if lang is None:
        lang = language_of(current_state(), request.environ, asked_lang())
        g.twingraph_lang = lang
    return lang


def language_of(state: AppState, environ: dict[str, Any], query_lang: str) -> Language:
    """The reader's language of the request ``environ`` whose ``?lang=`` is ``query_lang`` (no request
    context needed: the lean path's), remembered per app for each combination of what it is read from."""
    cookies = str(environ.get("HTTP_COOKIE", ""))
    asked = (
        query_lang,
        parse_cookie(cookies).get(LANG_COOKIE, "") if LANG_COOKIE in cookies else "",
        str(environ.get("HTTP_ACCEPT_LANGUAGE", "")),
    )
    return state.pages.get(
        "language", asked, lambda: choose_language(Request(environ, shallow=True)), LANGUAGE_MEMO
    )


def asked_lang() -> str:
    """The ``?lang=`` value of the request, empty without one (the query string is parsed only when it
    may hold one: it names ``lang``, or escapes a character that could spell it)."""
    query = str(request.environ.get("QUERY_STRING", ""))
    if LANG_PARAMETER not in query and "%" not in query:
        return ""
    return request.args.get(LANG_PARAMETER, "")


def url_with(path: str | None = None, **changes: str | int | None) -> str:
    """The current path (or ``path``) with the current query parameters, some changed (None removes one)."""
    args = {k: v for k, v in request.args.items(multi=False)}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = str(value)
    query = urlencode(sorted(args.items()))
    return (path or request.path) + ("?" + query if query else "")


def ui_text(key: str, **values: str | int) -> Markup:
    """The UI string ``key`` in the reader's language (a template global, so macros need no context)."""
    return current_language().text(key, **values)


def ui_text_or(key: str, default: str) -> str:
    """The UI string ``key`` if the catalogue has it, else ``default`` (a template global)."""
    return str(current_language().text(key)) if current_language().has(key) else default


def ui_number(value: float) -> str:
    """A number in the reader's language (a template global)."""
    return format_number(value, current_language().ui)


def ui_code() -> str:
    """The reader's UI language code (a template global, for macros that get no context)."""
    return current_language().ui


def ui_language_name(code: str) -> str:
    """The name of a language in the reader's language, by Babel (``de`` -> "German" or "Deutsch")."""
    ui = current_language().ui
    return str(babel.Locale(ui).languages.get(code.split("-")[0].lower(), code))


def ui_gettext(english: str) -> str:
    """A text written in English elsewhere, in the reader's language (a template global)."""
    return current_language().gettext(english)


def ui_date(text: str) -> str:
    """An xsd date in the reader's language (a template global)."""
    return format_date(text, current_language().ui)


def base_context() -> dict[str, Any]:
    """What every template gets, error pages included: language, UI strings, the language switch.

    Registered as an app-wide context processor; it never touches the store.
    """
    lang = current_language()
    switch = [(code, LANGUAGE_NAMES[code], url_with(lang=code)) for code in UI_LANGUAGES]
    return {"lang": lang, "language_switch": switch}


def page_context() -> dict[str, Any]:
    """What the pages get beyond the base context: the release's labels and its stamp."""
    site: SiteData = site_data()
    return {"site": site, "stamp": release_stamp()}


def html_variant(*extra: str) -> tuple[str, ...]:
    """What an HTML page's ETag depends on besides the release: the reader's languages and ``extra``."""
    return html_variant_of(current_language(), *extra)


def html_variant_of(lang: Language, *extra: str) -> tuple[str, ...]:
    """:func:`html_variant` for the reader's language ``lang``."""
    return ("html", lang.ui, ",".join(lang.data), *extra)


def remember_language(response: Response) -> None:
    """Set the language cookie when the request chose a language with ``?lang=`` (so that it sticks)."""
    chosen = asked_lang()
    if chosen in UI_LANGUAGES:
        response.set_cookie(LANG_COOKIE, chosen, max_age=COOKIE_SECONDS, samesite="Lax", httponly=True)


def render_page(template: str, *variant: str, status: int = 200, **context: Any) -> Response:
    """Render a page with ETag/Last-Modified (per language and variant); remember a ``?lang=`` choice."""
    body = render_template(template, **page_context(), **context)
    response = Response(body, status=status, mimetype="text/html")
    remember_language(response)
    add_vary(response, "Accept-Language", "Cookie")
    if status != 200:
        return response
    return revalidate(response, *html_variant(*variant))

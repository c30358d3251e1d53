"""The two pages `kassi serve` answers with: the till's, and the refusal (W-1, W-2)."""

from __future__ import annotations

import html
import json
from importlib.resources import files
from string import Template

from core.text.i18n import N_, _, current_language, translate


def _template(name: str) -> Template:
    return Template(files("tui.web").joinpath("templates", name).read_text("utf-8"))


TITLE = N_("kassi — {store} · {terminal}")
TRY_AGAIN = N_("Try again")
CLOSED = N_("The till closed or the connection was lost. The basket and the session are kept.")
CONNECT_AGAIN = N_("Connect again")
IN_USE = N_(
    "This terminal's till is open in another window. Close that one first;"
    " a window whose connection was lost lets go within a minute."
)


def title(store_name: str, terminal_name: str, lang: str | None = None) -> str:
    """The page title names the store and the terminal (W-1)."""
    return translate(TITLE, lang or current_language()).format(
        store=store_name, terminal=terminal_name
    )


def till_page(
    *,
    page_title: str,
    static: str,
    socket_base: str,
    claim_base: str,
    font_size: int,
    lang: str | None = None,
) -> str:
    """The till: textual-serve's terminal in the page, connected once this tab's claim
    on the terminal is granted (a reload of the same tab takes it back). Its words are
    in the store's language (``lang``), as the till's are."""
    lang = lang or current_language()
    return _template("till.html").substitute(
        lang=lang,
        title=html.escape(page_title),
        static=html.escape(static),
        # Inside <script>: JSON strings with "<" escaped cannot end the script element.
        socket_base=json.dumps(socket_base).replace("<", "\\u003c"),
        claim_base=json.dumps(claim_base).replace("<", "\\u003c"),
        font_size=int(font_size),
        retry=html.escape(translate(TRY_AGAIN, lang)),
        closed=html.escape(translate(CLOSED, lang)),
        reconnect=html.escape(translate(CONNECT_AGAIN, lang)),
    )


def refusal_page(message: str) -> str:
    """What a browser without a valid pairing gets: never a till (W-2)."""
    return _template("refused.html").substitute(
        lang=current_language(),
        title=html.escape(_("kassi — no till here")),
        message=html.escape(message),
        hint=html.escape(
            _("A manager pairs this screen with its terminal: kassi terminal pair TERMINAL.")
        ),
    )


def not_paired() -> str:
    return _("This screen is not paired with a till, or its pairing was revoked.")


def in_use(lang: str | None = None) -> str:
    return translate(IN_USE, lang or current_language())

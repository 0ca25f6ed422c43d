"""Cite this: an entity, or a named question's answer, as plain text, BibTeX and CSL-JSON.

A citation names what it cites by a URL that stays (an entity's w3id IRI; a question's result URL
with its parameters), the data version and its release date, the day the reader looked, and the
source documents with the verbatim quotes that support it, so any fact can be checked against the
original. Pages show the three forms (`_cite.html`); `/cite?url=…&format=text|bibtex|csl-json`
downloads each one (web/linkeddata.py).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from ..describe import exists
from ..errors import NotFound
from ..iris import ENTITY_BASE, ONTOLOGY_IRI, kind_of
from ..named_queries import NamedQuery
from ..terms import in_language
from .context import ServingContext
from .formats import BIBTEX, CITATION_FORMATS, CSL_JSON, TEXT, Format
from .i18n import format_number, translator
from .pages.entity import quoted_by
from .pages.site import Site

AUTHOR = "The sugraph project"  # the ontology's dct:creator
RELEASED_QUERY = f"""
SELECT ?modified WHERE {{ <{ONTOLOGY_IRI}> <http://purl.org/dc/terms/modified> ?modified }}
ORDER BY DESC(STR(?modified))
LIMIT 1
"""
PAGING = ("limit", "offset")  # which page of an answer: in its URL, not among the question's parameters
LISTED_SOURCES = 20  # a citation names the first sources by date and counts the others: a graph built
# from thousands of documents would otherwise cite each one, in three forms, on every answer (and a
# threat quoted in 2,000 of them at 1000x, on its page: 666 kB of text per form)


@dataclass(frozen=True)
class Source:
    """A source document as a citation names it, with the quotes of it that support what is cited."""

    identifier: str
    title: str
    issued: str  # YYYY-MM-DD
    url: str | None
    quotes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Citation:
    key: str  # the BibTeX key and CSL id: sugraph-actor-nato
    title: str
    url: str  # what is cited: the entity's IRI, the question's result URL
    version: str
    released: str  # YYYY-MM-DD: the data's last change
    accessed: str  # YYYY-MM-DD, UTC
    lang: str
    sources: tuple[Source, ...]
    cited: str  # what /cite?url= takes: the IRI, or the result's path on this server
    more: int = 0  # the sources drawn on but not named (past LISTED_SOURCES)
    listed_at: str = ""  # where they all are: the list of source documents, or the entity's page
    more_text: str = "cite.more"  # the interface text that counts them

    @property
    def cite_url(self) -> str:
        """Where /cite serves this citation (add `&format=`)."""
        return "/cite?" + urlencode({"url": self.cited})


@dataclass(frozen=True)
class Form:
    """One form of a citation as `_cite.html` prints it, with where to download it."""

    name: str
    body: str
    url: str
    media_type: str
    filename: str


def today() -> str:
    return datetime.datetime.now(datetime.UTC).date().isoformat()


def released(ctx: ServingContext) -> str:
    """The date of the data's last change: the ontology header's `dct:modified`, versioned with the data."""

    def read() -> str:
        rows = ctx.store.select(RELEASED_QUERY)
        return rows[0]["modified"].value[:10] if rows else ""

    return ctx.once("citation:released", read)


def _sources(
    site: Site, quoted: Sequence[tuple[str, str]], everything: bool, lang: str
) -> tuple[tuple[Source, ...], int]:
    """The first LISTED_SOURCES source documents with their quotes, in date order (those quoted,
    or all of them), and how many others: only the listed are labelled (a shared threat at 1000×
    quotes 2,000)."""
    quotes: dict[str, list[str]] = {}
    for document, quote in quoted:
        quotes.setdefault(document, [])
        if quote and quote not in quotes[document]:
            quotes[document].append(quote)
    chosen = [s for s in site.sources if everything or s.iri in quotes]
    listed = tuple(
        Source(s.identifier, s.title or site.label(s.iri, lang), s.issued[:10], s.page, tuple(quotes.get(s.iri, ())))
        for s in chosen[:LISTED_SOURCES]
    )
    return listed, len(chosen) - len(listed)


def entity_citation(ctx: ServingContext, iri: str, quoted: Sequence[tuple[str, str]], lang: str) -> Citation:
    """An entity's citation; `quoted` holds the (source document, quote) pairs of its evidence."""
    site = ctx.site
    key = "sugraph-" + iri[len(ENTITY_BASE) :].replace("/", "-")
    listed, more = _sources(site, quoted, False, lang)
    return Citation(
        key,
        site.label(iri, lang),
        iri,
        ctx.version,
        released(ctx),
        today(),
        lang,
        listed,
        iri,
        more=more,
        listed_at=iri,  # the entity's page lists its evidence, and links to all of it
        more_text="cite.more_quoted",
    )


def query_citation(ctx: ServingContext, query: NamedQuery, path: str, base: str, lang: str) -> Citation:
    """A named question's answer at `path` (/queries/{name}?…, its format left out) on the server
    at `base`: the question's title with the parameter values it ran with (the defaults for those
    not given); it draws on every source document."""
    parts = urlsplit(path)
    params = [(k, v) for k, v in parse_qsl(parts.query) if k != "format"]
    path = parts.path + (f"?{urlencode(params, safe=':')}" if params else "")
    values: dict[str, list[str]] = {}
    for key, value in params:
        if key not in PAGING:
            values.setdefault(key, []).append(value)
    chosen = {p.name: list(values.get(p.name) or p.default) for p in query.params}
    shown = "; ".join(f"{name} = {', '.join(vs)}" for name, vs in chosen.items() if vs)
    title = in_language(query.title, lang, query.name) + (f" ({shown})" if shown else "")
    listed, more = _sources(ctx.site, [], True, lang)
    url = base.rstrip("/") + path
    key = f"sugraph-query-{query.name}"
    everything = base.rstrip("/") + "/browse/document"
    return Citation(key, title, url, ctx.version, released(ctx), today(), lang, listed, path, more, everything)


def cited(ctx: ServingContext, url: str, base: str, lang: str) -> Citation:
    """The citation of what `url` names: an entity IRI (or its /id or /doc path), or a named
    question's result path (/queries/{name}?…) on the server at `base`. NotFound when it names
    nothing that can be cited."""
    parts = urlsplit(url)
    for prefix in ("/id/", "/doc/"):
        if not parts.netloc and parts.path.startswith(prefix):
            url = ENTITY_BASE + parts.path[len(prefix) :].split(".")[0]
    if url.startswith(ENTITY_BASE) and kind_of(url) and exists(ctx.store, url):
        return entity_citation(ctx, url, quoted_by(ctx.store, ctx.site, url), lang)
    query = ctx.site.queries.get(parts.path.removeprefix("/queries/"))
    if parts.netloc or not parts.path.startswith("/queries/") or query is None:
        raise NotFound(f"nothing to cite at {url!r}: cite an entity IRI or a named question's /queries/{{name}} URL")
    return query_citation(ctx, query, url, base, lang)


# --- the three forms ------------------------------------------------------------------------------


def as_text(c: Citation) -> str:
    """One paragraph a reader pastes into a text, in the page's language, then one line per source."""
    _ = translator(c.lang)
    lines = [_("cite.text", title=c.title, version=c.version, released=c.released, url=c.url, accessed=c.accessed)]
    for s in c.sources:
        line = ", ".join(part for part in (s.identifier, _("cite.quoted", text=s.title), s.issued, s.url) if part)
        lines.append(_("cite.source", source=line) + _quotes(s, c.lang))
    return "\n".join(lines + _more(c)) + "\n"


_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bibtex_escape(text: str) -> str:
    """Text as a BibTeX value holds it: LaTeX's special characters escaped, accents kept as UTF-8
    (biber and BibTeX with inputenc read them)."""
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in text)


def _note(c: Citation) -> str:
    _ = translator(c.lang)
    parts = []
    for s in c.sources:
        named = ", ".join(part for part in (s.identifier, s.title, s.issued, s.url) if part)
        parts.append(_("cite.source", source=named) + _quotes(s, c.lang))
    return ". ".join(parts + _more(c))


def _more(c: Citation) -> list[str]:
    """The line that counts the sources not named, if any, and says where they are listed."""
    if not c.more:
        return []
    return [translator(c.lang)(c.more_text, count=format_number(str(c.more), c.lang), url=c.listed_at)]


def _quotes(s: Source, lang: str) -> str:
    """The verbatim quotes after a source's description: ` — “…”; “…”` (in French « … »)."""
    _ = translator(lang)
    return (" — " + "; ".join(_("cite.quoted", text=q) for q in s.quotes)) if s.quotes else ""


def as_bibtex(c: Citation) -> str:
    """A `@misc` entry (what BibTeX and biblatex both read for a dataset), with biblatex's
    `date`, `urldate` and `version` beside BibTeX's `year` and `howpublished`."""
    _ = translator(c.lang)
    fields = [
        ("title", "{" + bibtex_escape(c.title) + "}"),  # inner braces: styles keep its capitals
        ("author", "{" + bibtex_escape(AUTHOR) + "}"),  # a corporate author, not "project, The sugraph"
        ("howpublished", bibtex_escape(_("cite.dataset"))),
        ("version", bibtex_escape(c.version)),
        ("year", c.released[:4]),
        ("date", c.released),
        ("url", c.url),  # verbatim: the url field is not LaTeX text
        ("urldate", c.accessed),
        ("note", bibtex_escape(_note(c))),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{c.key},\n{body}\n}}\n"


def _date_parts(day: str) -> dict:
    return {"date-parts": [[int(part) for part in day.split("-")]]}


def as_csl(c: Citation) -> list[dict]:
    """One CSL-JSON item (type `dataset`), in a list as citeproc and Zotero read them."""
    _ = translator(c.lang)
    item = {
        "id": c.key,
        "type": "dataset",
        "title": c.title,
        "author": [{"literal": AUTHOR}],
        "container-title": _("cite.dataset"),
        "publisher": "sugraph",
        "version": c.version,
        "issued": _date_parts(c.released) if c.released else None,
        "accessed": _date_parts(c.accessed),
        "URL": c.url,
        "language": c.lang,
        "note": _note(c),
    }
    return [{k: v for k, v in item.items() if v}]


def serialize(c: Citation, fmt: Format) -> bytes:
    if fmt is BIBTEX:
        return as_bibtex(c).encode()
    if fmt is CSL_JSON:
        return (json.dumps(as_csl(c), ensure_ascii=False, indent=2) + "\n").encode()
    assert fmt is TEXT
    return as_text(c).encode()


def filename(c: Citation, fmt: Format) -> str:
    return f"{c.key}.{fmt.ext}"


def shown(c: Citation) -> list[Form]:
    """The citation as a page shows it (`_cite.html`): the three forms."""
    plain = translator(c.lang)("cite.plain")
    return [
        Form(
            plain if f is TEXT else f.name,
            serialize(c, f).decode(),
            f"{c.cite_url}&{urlencode({'format': f.short})}",
            f.media_type,
            filename(c, f),
        )
        for f in CITATION_FORMATS
    ]

"""The source coverage map: what each sentence of each source became in the graph.

The sources (`../shared/seeds/`, or `$SUGRAPH_SHARED/seeds`) are cited, never copied, so the map
holds per sentence only its number, its first words and a short hash of its text, then either the
IRIs it yields (entities whose quotes lie in it, and the link properties it is the evidence for) or
`not modelled: <reason>`. `check` fails when a sentence has no row, a row has no sentence, a row is
out of date with the source (first words or hash differ) or names an IRI the graph does not have.
`draft` rewrites a map from the data, keeping what a curator wrote for sentences no quote covers.

    python -m sugraph.coverage check     # exit 1 and one line per problem
    python -m sugraph.coverage draft     # regenerate data/coverage/*.tsv after changing data
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDFS, SKOS

from .namespaces import PREFIXES, SUG, compact_iri, expand_iri
from .search import normalise

SOURCES = {"ip-17-1789": "IP_17_1789.fr.txt", "ip-20-1379": "IP_20_1379.fr.txt"}
LINKS = (SUG.addresses, SUG.involves, SUG.ledBy, SUG.hasParticipant, SUG.hasPartner, SUG.implements, SUG.replaces)
NOT_MODELLED = "not modelled:"
FIELDS = ("n", "start", "hash", "yields")
START_WORDS = 6
# A full stop after these is no sentence end ("M. Frans Timmermans").
_ABBREVIATIONS = re.compile(r"(?:\bM|\bMme|\bMM|\bDr|\bp|\bcf|\bex)\.$")


def seeds_dir(root: Path) -> Path:
    """Where the sources are: `$SUGRAPH_SHARED/seeds`, else `shared/seeds` beside the repository."""
    shared = os.environ.get("SUGRAPH_SHARED")
    return Path(shared) / "seeds" if shared else root.resolve().parent / "shared" / "seeds"


def plain(text: str) -> str:
    """The source without its markup, as check_quotes reads it: links, bold, <sup>, odd spaces."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"</?sup>|\*+", "", text)
    return text.replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'")


def split(text: str) -> list[str]:
    """Sentences in reading order: each non-empty line (a paragraph, heading or bullet) is cut after
    . ! ? followed by a space and a capital (or a capital glued to the full stop, "numériques.Elle"),
    except after a known abbreviation or a heading number ("1. Un environnement …"); a line starting in
    lower case continues the previous one when that one has no final punctuation. Deterministic: the
    same text always gives the same list."""
    lines: list[str] = []
    for raw in plain(text).splitlines():
        line = re.sub(r"\s+", " ", raw.strip().lstrip("•#").strip())
        if not re.search(r"\w", line):
            continue
        if lines and line[0].islower() and not re.search(r"[.!?:;»]$", lines[-1]):
            lines[-1] += " " + line  # a sentence broken across paragraphs ("une unité" / "conjointe …")
        else:
            lines.append(line)
    sentences: list[str] = []
    for line in lines:
        start = 0
        for m in re.finditer(r"[.!?]»?(?:\s+|(?=[A-ZÀ-Ý][a-zà-ÿ]))(?=[«\"(]?[A-ZÀ-Ý0-9])", line):
            if _ABBREVIATIONS.search(line[start : m.start() + 1]) or line[start : m.start()].strip().isdigit():
                continue
            sentences.append(line[start : m.end()].strip())
            start = m.end()
        if line[start:].strip():
            sentences.append(line[start:].strip())
    return sentences


def fingerprint(sentence: str) -> str:
    """8 hex digits of the sentence's normalised text: changes when its words do, not its spacing."""
    return hashlib.sha1(normalise(sentence).encode("utf-8")).hexdigest()[:8]


def start_of(sentence: str) -> str:
    return " ".join(sentence.split()[:START_WORDS])


def written(iri: str) -> str:
    """An IRI as a map writes it: a prefixed name, else `<IRI>` (which `expand_iri` leaves alone)."""
    return compact_iri(iri) or f"<{iri}>"


@dataclass(frozen=True)
class Row:
    n: int
    start: str
    hash: str
    yields: str

    @property
    def iris(self) -> list[str]:
        return [] if self.yields.startswith(NOT_MODELLED) else self.yields.split()


def map_path(root: Path, doc: str) -> Path:
    return root / "data" / "coverage" / f"{doc}.tsv"


def read_map(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as f:
        return [Row(int(r["n"]), r["start"], r["hash"], r["yields"]) for r in csv.DictReader(f, delimiter="\t")]


def write_map(path: Path, rows: list[Row]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, delimiter="\t", lineterminator="\n")
        out.writerow(FIELDS)
        out.writerows((r.n, r.start, r.hash, r.yields) for r in rows)


def _names(graph: Graph, node: URIRef) -> list[str]:
    return [normalise(str(o)) for p in (RDFS.label, SKOS.altLabel) for o in graph.objects(node, p)]


def yields(graph: Graph, doc: URIRef, sentences: list[str]) -> list[list[str]]:
    """Per sentence, the entities with a quote (from `doc`) inside it, then the link properties whose
    other end the sentence names: what the sentence is the evidence for."""
    keys = [normalise(s) for s in sentences]
    found: list[list[str]] = [[] for _ in sentences]
    for entity, derivation in graph.subject_objects(PROV.qualifiedDerivation):
        if not isinstance(entity, URIRef) or (derivation, PROV.entity, doc) not in graph:
            continue
        for quote in graph.objects(derivation, SUG.quote):
            q = normalise(str(quote))
            for i, key in enumerate(keys):
                if (q and q in key) or (key and key in q):
                    found[i].append(written(str(entity)))
                    for link in LINKS:
                        for other in graph.objects(entity, link):
                            if isinstance(other, URIRef) and any(
                                n and f" {n} " in f" {key} " for n in _names(graph, other)
                            ):
                                found[i].append(written(str(link)))
    return [sorted(set(f), key=lambda x: (":" in x and x.split(":")[0] == "sug", x)) for f in found]


def draft(root: Path, graph: Graph) -> dict[str, list[Row]]:
    """The maps the data implies, keeping for a sentence (known by its hash) that no quote covers what
    a curator wrote: a `not modelled` reason, or IRIs (e.g. the title yields the document's dct:title)."""
    maps = {}
    for doc, name in SOURCES.items():
        sentences = split((seeds_dir(root) / name).read_text(encoding="utf-8"))
        old = {r.hash: r.yields for r in read_map(map_path(root, doc))} if map_path(root, doc).exists() else {}
        found = yields(graph, URIRef(PREFIXES["doc"] + doc), sentences)
        rows = []
        for i, (sentence, iris) in enumerate(zip(sentences, found, strict=True), 1):
            h = fingerprint(sentence)
            kept = old.get(h, "")  # a reason, or IRIs a curator wrote for a sentence no quote covers
            rows.append(
                Row(
                    i,
                    start_of(sentence),
                    h,
                    " ".join(iris)
                    if iris
                    else kept
                    if kept and "TODO" not in kept
                    else f"{NOT_MODELLED} TODO give a reason",
                )
            )
        maps[doc] = rows
    return maps


def problems(root: Path, graph: Graph) -> list[str]:
    """Everything that makes a coverage map wrong, one line each; empty when both maps are right."""
    known = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    found: list[str] = []
    for doc, name in SOURCES.items():
        path = map_path(root, doc)
        if not path.exists():
            found.append(f"{path}: missing")
            continue
        sentences = split((seeds_dir(root) / name).read_text(encoding="utf-8"))
        rows = {r.n: r for r in read_map(path)}
        for i, sentence in enumerate(sentences, 1):
            row = rows.pop(i, None)
            if row is None:
                found.append(f"{path.name}: sentence {i} ({start_of(sentence)!r}) has no row")
            elif (row.start, row.hash) != (start_of(sentence), fingerprint(sentence)):
                found.append(f"{path.name}: row {i} is out of date with the source (now {start_of(sentence)!r})")
            elif not row.iris and not row.yields.startswith(NOT_MODELLED):
                found.append(f"{path.name}: row {i} names no IRI and gives no '{NOT_MODELLED} <reason>'")
            elif "TODO" in row.yields:
                found.append(f"{path.name}: row {i} has no reason yet")
            else:
                found.extend(
                    f"{path.name}: row {i} names {name}, which is not in the graph"
                    for name in row.iris
                    if expand_iri(name.removeprefix("<").removesuffix(">")) not in known
                )
        found.extend(f"{path.name}: row {n} has no sentence in the source" for n in sorted(rows))
    return found


def main(argv: list[str]) -> int:
    from .build import load

    root = Path.cwd()
    if not seeds_dir(root).is_dir():
        print(f"no sources at {seeds_dir(root)} (set SUGRAPH_SHARED)", file=sys.stderr)
        return 2
    kg = load(root)
    graph = kg.asserted  # ontology + data: properties are known IRIs too
    if argv[:1] == ["draft"]:
        for doc, rows in draft(root, graph).items():
            write_map(map_path(root, doc), rows)
            print(f"{map_path(root, doc)}: {len(rows)} sentences")
        return 0
    found = problems(root, graph)
    print("\n".join(found) if found else "coverage maps: every sentence mapped, every IRI known")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The line map cuts a file into statements and tokenizes only those about the nodes asked for."""

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from sugraph.validation.linemap import LineMap, Location, scan_file

EX = "http://example.org/"
TRICKY = '''PREFIX ex: <http://example.org/>
# a comment with "quotes" and a . dot
ex:s ex:p "a. b" , 1.5 , .5 ;
  ex:q [ ex:r ex:o ] .
@prefix e2: <http://example.org/two/> .
ex:t ex:p """long
. string "with" quotes""" ; e2:x e2:y .
ex:s ex:later 'x'@en .
@base <http://example.org/base/> .
<rel> ex:z 1 .
ex:s a ex:C.
'''


def tricky(tmp_path: Path) -> Path:
    path = tmp_path / "tricky.ttl"
    path.write_text(TRICKY, encoding="utf-8")
    return path


def test_a_subject_is_read_from_every_statement_about_it_past_strings_comments_and_directives(tmp_path):
    block = scan_file(tricky(tmp_path)).block(f"{EX}s")
    assert block is not None and block.line == 3
    assert block.predicates == {f"{EX}p": 3, f"{EX}q": 4, f"{EX}later": 8, str(RDF.type): 11}
    assert block.values[(f"{EX}p", "a. b")] == 3 and block.values[(f"{EX}p", ".5")] == 3


def test_statements_after_a_long_string_and_a_base_keep_their_lines_and_iris(tmp_path):
    file = scan_file(tricky(tmp_path))
    after_string, after_base = file.block(f"{EX}t"), file.block(f"{EX}base/rel")
    assert after_string is not None and after_string.predicates == {f"{EX}p": 6, f"{EX}two/x": 7}
    assert after_base is not None and after_base.line == 10


def test_only_the_statements_of_the_subjects_asked_for_are_tokenized(tmp_path):
    file = scan_file(tricky(tmp_path))
    file.block(f"{EX}t")
    assert list(file.subjects) == [f"{EX}t"]
    assert set(file.statements) == {f"{EX}s", f"{EX}t", f"{EX}base/rel"}


def test_a_node_that_is_no_subject_is_located_where_it_is_first_mentioned(tmp_path):
    path = tricky(tmp_path)
    located = LineMap([path], Graph().parse(path)).locate(URIRef(f"{EX}two/y"))
    assert located == Location(path, 7)

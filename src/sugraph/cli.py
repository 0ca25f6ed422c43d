"""The `sugraph` command. Thin: parses arguments and calls the modules that do the work.

Exit codes: 0 success, 1 the data does not conform, 2 unreadable input, 3 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .build import LoadError, load

EXIT_OK, EXIT_VIOLATIONS, EXIT_UNREADABLE, EXIT_USAGE = 0, 1, 2, 3


class Parser(argparse.ArgumentParser):
    """argparse exits with 2 on a usage error; CI needs 2 to mean 'unreadable input', so use 3."""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def cmd_stats(args: argparse.Namespace) -> int:
    kg = load(args.root, inference=args.inference)
    print(f"ontology triples: {len(kg.ontology)}")
    print(f"data triples:     {len(kg.data)}")
    print(f"inferred triples: {len(kg.inferred)}")
    print(f"shapes triples:   {len(kg.shapes)}")
    print(f"version:          {kg.version}")
    print(f"build time:       {sum(kg.timings.values()):.3f} s")
    return EXIT_OK


def build_parser() -> Parser:
    parser = Parser(prog="sugraph", description="The Security Union knowledge graph.")
    parser.add_argument("--root", type=Path, default=None, help="project folder (default: found from the working directory)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    stats = sub.add_parser("stats", help="build the graph and print its size")
    stats.add_argument("--inference", choices=["none", "rdfs", "owlrl"], default="owlrl")
    stats.set_defaults(func=cmd_stats)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except LoadError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_UNREADABLE


if __name__ == "__main__":
    sys.exit(main())

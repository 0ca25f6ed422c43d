"""The `sugraph` command. Thin: parses arguments and calls the modules that do the work.

Exit codes: 0 success, 1 the data does not conform, 2 unreadable input, 3 usage error or bad setting.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .build import LoadError
from .config import SettingError

EXIT_OK, EXIT_VIOLATIONS, EXIT_UNREADABLE, EXIT_USAGE = 0, 1, 2, 3


class Parser(argparse.ArgumentParser):
    """argparse exits with 2 on a usage error; CI needs 2 to mean 'unreadable input', so use 3."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def cmd_build(args: argparse.Namespace) -> int:
    """Build the graph and validate it (side by side); print its size, the time taken and the report."""
    import time

    from .validation.formats import render
    from .validation.shacl import validated_load

    start = time.perf_counter()
    kg, report = validated_load(args.root, inference=args.inference)
    print(f"ontology triples: {len(kg.ontology_triples)}")
    print(f"data triples:     {len(kg.data_triples)}")
    print(f"inferred triples: {len(kg.inferred_triples)}")
    print(f"shapes triples:   {len(kg.shapes_triples)}")
    print(f"version:          {kg.version}")
    print(f"build time:       {time.perf_counter() - start:.3f} s (load + reasoning + validation)")
    sys.stdout.write(render(report, "text", strict=False, color=False))
    return report.exit_code()


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the web service with uvicorn; settings come from SUGRAPH_* variables, then these flags."""
    import os

    import uvicorn

    from .config import Settings
    from .web.middleware import log_config
    from .web.protocol import BoundedHttpToolsProtocol

    settings = Settings.from_env(
        root=args.root,
        host=args.host,
        port=args.port,
        workers=args.workers,
        query_timeout=args.timeout,
        endpoint=args.endpoint,
        log_format=args.log_format,
        strict=args.strict,
    )
    if settings.root is not None:
        os.environ["SUGRAPH_ROOT"] = str(settings.root)  # uvicorn's workers rebuild settings from the environment
    for name in ("query_timeout", "endpoint", "strict"):
        if getattr(settings, name) is not None:
            os.environ[f"SUGRAPH_{name.upper()}"] = str(getattr(settings, name))
    options = dict(
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=args.log_level,
        log_config=log_config(settings.log_format, args.log_level, access=args.access_log),
        access_log=False,
        server_header=False,  # our access log replaces uvicorn's; no version banner
        http=BoundedHttpToolsProtocol,  # httptools' C parser, with h11's bound on a request's head:
        h11_max_incomplete_event_size=settings.max_url_length + settings.max_header_bytes + 1024,
    )
    if settings.workers > 1:
        serve_workers(uvicorn.Config("sugraph.web.app:create_app", **options))
    else:
        uvicorn.run("sugraph.web.app:create_app", **options)
    return EXIT_OK


def serve_workers(config) -> None:
    """uvicorn's multi-worker supervisor on a listening socket that keeps Nagle off.

    uvicorn binds that socket with `proto` 0, which the workers' copies and every accepted connection
    inherit, and asyncio only sets TCP_NODELAY on connections whose proto is TCP: each keep-alive
    response after the first then waited ~40 ms for the client's delayed ACK (uvicorn issue #3149).
    So the socket is re-wrapped as TCP (asyncio then sets TCP_NODELAY on each connection) and gets
    TCP_NODELAY itself (which Linux copies to accepted connections)."""
    import socket

    from uvicorn.supervisors import Multiprocess

    sock = config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        sock.set_inheritable(True)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(config, sockets=[sock]).run()


def cmd_load(args: argparse.Namespace) -> int:
    """Replace the remote store's asserted and inferred named graphs with the built ones (SPARQL 1.1
    Update, at --update-endpoint, SUGRAPH_UPDATE_ENDPOINT, or beside SUGRAPH_ENDPOINT by the engine's
    convention), then count them at SUGRAPH_ENDPOINT, where `sugraph serve` will read them."""
    from .config import Settings
    from .namespaces import ASSERTED_GRAPH, INFERRED_GRAPH
    from .store.errors import BackendError
    from .store.oxigraph import load_into
    from .store.prebuilt import LazyKnowledgeGraph, cache_key, prebuilt_store
    from .store.remote import push_graphs, update_endpoint_for

    settings = Settings.from_env(root=args.root, update_endpoint=args.update_endpoint)
    auth = (settings.update_user, settings.update_password or "") if settings.update_user else None
    if not settings.endpoint:
        print(
            "error: set SUGRAPH_ENDPOINT, the SPARQL endpoint `sugraph serve` will query (the graphs "
            "are counted there after loading)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    update = settings.update_endpoint or update_endpoint_for(settings.endpoint, authenticated=auth is not None)
    if not update:
        print(
            "error: give --update-endpoint URL or set SUGRAPH_UPDATE_ENDPOINT (SPARQL 1.1 Update): "
            "it is found beside a SUGRAPH_ENDPOINT ending in /sparql (Virtuoso) or /query (Oxigraph, "
            "Fuseki) only",
            file=sys.stderr,
        )
        return EXIT_USAGE
    kg = LazyKnowledgeGraph(settings.root, settings.inference, settings.cache_dir)
    path = prebuilt_store(
        settings.cache_dir, cache_key(kg.content_hash, settings.inference), lambda store: load_into(store, kg)
    )
    try:
        loaded = push_graphs(path, update, settings.endpoint, [str(ASSERTED_GRAPH), str(INFERRED_GRAPH)], auth=auth)
    except BackendError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_UNREADABLE
    for graph, triples in loaded.items():
        print(f"loaded <{graph}> through {update}: {triples} triples (counted at {settings.endpoint})")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    """SHACL validation (plus the quality checks with --all / `check`); exit 1 on violations."""
    import os

    from .validation.formats import github_error, render
    from .validation.shacl import validate

    try:
        report = validate(
            args.paths or None,
            shapes=args.shapes,
            ontology=args.ontology,
            root=args.root,
            inference=args.inference,
            lang=args.lang,
            checks=args.all,
            engine=args.engine,
        )
    except LoadError as e:
        if args.format == "github":
            print(github_error(e))
        raise
    color = args.format == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    sys.stdout.write(render(report, args.format, strict=args.strict, color=color))
    return report.exit_code(args.strict)


def add_validate_arguments(p: argparse.ArgumentParser) -> None:
    from .validation.engines import ENGINES
    from .validation.formats import FORMATS

    p.add_argument(
        "paths", nargs="*", type=Path, metavar="FILE_OR_DIR", help="RDF to validate (default: the project's data/)"
    )
    p.add_argument(
        "--shapes",
        action="append",
        type=Path,
        metavar="FILE_OR_DIR",
        help="SHACL shapes (default: shapes/; repeatable)",
    )
    p.add_argument(
        "--ontology",
        action="append",
        type=Path,
        metavar="FILE_OR_DIR",
        help="ontology (default: ontology/; repeatable)",
    )
    p.add_argument("--format", choices=list(FORMATS), default="text", help="output format (default: text)")
    p.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    p.add_argument(
        "--inference",
        choices=["none", "rdfs", "owlrl"],
        default="none",
        help="expand the data first (default: none; SHACL already follows rdfs:subClassOf)",
    )
    p.add_argument("--lang", choices=["en", "fr"], default="en", help="language of messages and shape names")
    p.add_argument(
        "--engine",
        choices=ENGINES,
        default=ENGINES[0],
        help=f"SHACL engine (default: {ENGINES[0]}; pyshacl is the reference, same results)",
    )


def build_parser() -> Parser:
    parser = Parser(prog="sugraph", description="The Security Union knowledge graph.")
    parser.add_argument(
        "--root", type=Path, default=None, help="project folder (default: found from the working directory)"
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    build = sub.add_parser("build", help="build the graph (with inference) and validate it; exit 1 on violations")
    build.add_argument("--inference", choices=["none", "rdfs", "owlrl"], default="owlrl")
    build.set_defaults(func=cmd_build)
    serve = sub.add_parser("serve", help="run the SPARQL service and web site (uvicorn)")
    serve.add_argument("--host", default=None, help="address to listen on (SUGRAPH_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (SUGRAPH_PORT, default 8000)")
    serve.add_argument(
        "--workers", type=int, default=None, help="uvicorn worker processes (SUGRAPH_WORKERS, default 1)"
    )
    serve.add_argument(
        "--timeout", type=float, default=None, help="query time limit in seconds (SUGRAPH_QUERY_TIMEOUT)"
    )
    serve.add_argument("--endpoint", default=None, help="query this remote SPARQL endpoint instead (SUGRAPH_ENDPOINT)")
    serve.add_argument(
        "--strict",
        action="store_const",
        const=True,
        default=None,
        help="serve and reload only data without SHACL violations (SUGRAPH_STRICT; default: off)",
    )
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    serve.add_argument("--no-access-log", dest="access_log", action="store_false")
    serve.add_argument(
        "--log-format",
        choices=["text", "json"],
        default=None,
        help="log lines as text or one JSON object each (SUGRAPH_LOG_FORMAT, default text)",
    )
    serve.set_defaults(func=cmd_serve)
    load_cmd = sub.add_parser(
        "load", help="replace the remote store's graphs (at SUGRAPH_ENDPOINT) with the built ones (SPARQL 1.1 Update)"
    )
    load_cmd.add_argument(
        "--update-endpoint",
        default=None,
        help="SPARQL 1.1 Update URL (SUGRAPH_UPDATE_ENDPOINT; default: beside SUGRAPH_ENDPOINT)",
    )
    load_cmd.set_defaults(func=cmd_load)
    validate_cmd = sub.add_parser("validate", help="validate RDF against the SHACL shapes (exit 1 on violations)")
    add_validate_arguments(validate_cmd)
    validate_cmd.add_argument("--all", action="store_true", help="also run the quality checks (as `sugraph check`)")
    validate_cmd.set_defaults(func=cmd_validate)
    check_cmd = sub.add_parser("check", help="validate and run the ontology and data quality checks")
    add_validate_arguments(check_cmd)
    check_cmd.set_defaults(func=cmd_validate, all=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except LoadError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_UNREADABLE
    except SettingError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())

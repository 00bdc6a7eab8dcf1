"""Command line: ``narratives classify|split|train|info``.

Exit codes: 0 all inputs processed, 1 some inputs failed (each named on standard
error; the others are still processed), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from narratives.documents import read_document
from narratives.errors import NarrativesError

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2
DOCUMENT_SUFFIXES = (".txt", ".md")
TEXT_WIDTH = 72


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="narratives",
        description="Label each paragraph of an article: reported_fact, speculation, opinion or boilerplate.",
        epilog="Exit codes: 0 all good, 1 some inputs failed, 2 usage error.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    classify = commands.add_parser("classify", help="label the paragraphs of files, folders or stdin")
    classify.add_argument(
        "paths", nargs="+", metavar="PATH", help="file, folder (*.txt, *.md, recursively) or -"
    )
    classify.add_argument("--format", choices=("table", "jsonl"), default="table", help="output format")
    classify.add_argument(
        "--model", type=Path, default=None, help="model directory (default: the shipped model)"
    )
    classify.add_argument("--encoding", default="utf-8", help="encoding of the input files (default: utf-8)")

    split = commands.add_parser("split", help="show the paragraphs of a file with their offsets")
    split.add_argument("paths", nargs="+", metavar="PATH", help="file, folder or -")
    split.add_argument("--format", choices=("table", "jsonl"), default="table", help="output format")
    split.add_argument("--encoding", default="utf-8", help="encoding of the input files (default: utf-8)")

    from narratives.train import build_parser as build_train_parser

    build_train_parser(
        commands.add_parser("train", help="retrain the model from labels/ (grouped CV report)")
    )

    info = commands.add_parser("info", help="show a model's manifest and cross-validation metrics")
    info.add_argument(
        "model", nargs="?", type=Path, default=None, help="model directory (default: shipped model)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        if args.command == "train":
            from narratives.train import run

            run(args.labels, args.out, ablation=not args.skip_ablation)
            return EXIT_OK
        if args.command == "info":
            return _info(args.model, sys.stdout)
        return _process(args, sys.stdout, sys.stderr)
    except NarrativesError as error:
        print(f"narratives: {error}", file=sys.stderr)
        return EXIT_SOME_FAILED
    except BrokenPipeError:
        return EXIT_OK


def expand_paths(paths: Sequence[str]) -> Iterator[str | Path]:
    """Files as given, folders as their ``*.txt``/``*.md`` files (sorted, recursive), ``-`` as is."""
    for raw in paths:
        path = Path(raw)
        if raw != "-" and path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES
            )
        else:
            yield raw if raw == "-" else path


def read_input(source: str | Path, encoding: str) -> str:
    """Read one input; raises ``ValueError`` or ``OSError`` with the reason."""
    if source == "-":
        return sys.stdin.read()
    text = read_document(source, encoding)
    if "\x00" in text:
        raise ValueError("looks like a binary file (contains NUL bytes)")
    if not text.strip():
        raise ValueError("empty file: no text to classify")
    return text


def _process(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from narratives.api import classify
    from narratives.model import load_model
    from narratives.paragraphs import split_paragraphs

    model = load_model(args.model) if args.command == "classify" else None
    failed = False
    for source in expand_paths(args.paths):
        name = str(source)
        try:
            text = read_input(source, args.encoding)
        except (OSError, ValueError) as error:  # UnicodeDecodeError is a ValueError
            print(f"narratives: {name}: {_reason(error)}", file=err)
            failed = True
            continue
        if model is None:
            rows = [
                {"index": p.index, "start": p.start, "end": p.end, "text": p.text}
                for p in split_paragraphs(text)
            ]
        else:
            rows = [p.to_dict() for p in classify(text, model=model)]
        _write(rows, name, args.format, out)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def _reason(error: Exception) -> str:
    if isinstance(error, UnicodeDecodeError):
        return f"not valid {error.encoding} text ({error.reason} at byte {error.start}); try --encoding"
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)


def _write(rows: list[dict], name: str, form: str, out: TextIO) -> None:
    if form == "jsonl":
        for row in rows:
            out.write(json.dumps({"file": name, **row}, ensure_ascii=False) + "\n")
        return
    out.write(f"== {name} ({len(rows)} paragraphs)\n")
    for row in rows:
        text = " ".join(row["text"].split())
        short = text if len(text) <= TEXT_WIDTH else text[: TEXT_WIDTH - 1] + "…"
        if "label" in row:
            out.write(f"{row['index']:>4}  {row['label']:<14}{row['confidence']:5.2f}  {short}\n")
        else:
            out.write(f"{row['index']:>4}  {row['start']:>7}-{row['end']:<7} {short}\n")


def _info(directory: Path | None, out: TextIO) -> int:
    from narratives.model import DEFAULT_MODEL_DIR, load_model

    model = load_model(directory)
    manifest = dict(model.manifest)
    out.write(f"model: {directory or DEFAULT_MODEL_DIR}\n")
    out.write(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

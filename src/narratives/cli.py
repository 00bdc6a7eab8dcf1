"""Command line: ``narratives classify|split|evaluate|train|info|labels``.

A thin layer over the library: parse arguments, expand paths, stream results to the
chosen writer. Exit codes: 0 all inputs processed, 1 some inputs failed (each named on
standard error with the reason; the others are still processed and written), 2 usage
error (including an output that is also an input), 130 interrupted, 143 terminated
(SIGTERM); no output file is left half-written and no temporary file left behind.
Files are read and written through :mod:`narratives.safe_io`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from narratives.errors import NarrativesError, UsageError
from narratives.safe_io import first_clash, same_file

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143
DEFAULT_GLOBS = ("*.txt", "*.md", "*.html", "*.htm", "*.xhtml")
DEFAULT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".xhtml")
LABEL_NAMES = ("reported_fact", "speculation", "opinion", "boilerplate")
#: Output formats; the writer's names (narratives.output.FORMATS), here so --help imports nothing.
FORMATS = ("table", "jsonl", "json", "csv", "tsv")
#: Output file suffixes and the format each means.
SUFFIX_FORMATS = {".jsonl": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv"}
#: Words and cues shown per paragraph by --explain: enough to see why, few enough to read.
EXPLAIN_TOP = 5


def _version() -> str:
    from narratives import __version__

    return __version__


__all__ = ["UsageError", "build_parser", "expand_paths", "main"]


class _Terminated(BaseException):
    """SIGTERM, raised where the program is so that open outputs clean up as for Ctrl-C."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="narratives",
        description="Label each paragraph of an article: reported_fact, speculation, opinion or boilerplate.",
        epilog="Exit codes: 0 all good, 1 some inputs failed, 2 usage error, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"narratives {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    classify = commands.add_parser(
        "classify",
        help="label the paragraphs of files, folders or stdin",
        description="Label every paragraph of files, folders (recursively) or standard input.",
    )
    _add_inputs(classify)
    classify.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="output format (default: table on a terminal, else jsonl; with -o, from its suffix: "
        ".jsonl, .json, .csv, .tsv)",
    )
    classify.add_argument(
        "--format-in",
        choices=("auto", "text", "html"),
        default="auto",
        help="how inputs are read (default auto: *.html/*.htm files and text that looks like HTML are "
        "web pages, the rest plain text)",
    )
    classify.add_argument("-o", "--output", type=Path, help="write records to this file (atomically)")
    classify.add_argument("--html", type=Path, metavar="FILE", help="also write a self-contained HTML report")
    classify.add_argument(
        "--explain",
        action="store_true",
        help="add the words and cues of each paragraph that pushed its label most",
    )
    classify.add_argument(
        "--explain-top",
        type=int,
        default=None,
        metavar="K",
        help=f"how many to show with --explain (default: {EXPLAIN_TOP}; implies --explain)",
    )
    classify.add_argument(
        "--labels",
        default=None,
        metavar="LIST",
        help="only output these labels, comma-separated, e.g. reported_fact,speculation",
    )
    classify.add_argument(
        "--min-confidence",
        type=float,
        default=None,
        metavar="P",
        help="mark paragraphs whose confidence is below P (0-1) as uncertain",
    )
    classify.add_argument(
        "--model", type=Path, default=None, help="model directory (default: the shipped model)"
    )
    classify.add_argument("--n-jobs", type=int, default=None, help="worker processes (default: 1)")

    split = commands.add_parser(
        "split",
        help="show the paragraphs of files with their offsets",
        description="Split files into paragraphs.",
    )
    _add_inputs(split)
    split.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="output format (default: table on a terminal, else jsonl)",
    )

    evaluate = commands.add_parser(
        "evaluate",
        help="grouped cross-validation report for the labels",
        description="Cross-validate the model on hand labels, folds grouped by document, beside a plain baseline.",
    )
    evaluate.add_argument(
        "--labels", type=Path, default=Path("labels"), help="label directory (default: labels)"
    )
    evaluate.add_argument(
        "--plot", type=Path, metavar="PNG", help="draw the confusion matrix (needs matplotlib)"
    )

    add_train_arguments(
        commands.add_parser(
            "train",
            help="retrain the model from labels/ (grouped CV report)",
            description="Retrain from hand labels; reports grouped CV and writes the model directory.",
        )
    )

    info = commands.add_parser(
        "info", help="show a model's manifest and metrics", description="Show a model's manifest and metrics."
    )
    info.add_argument(
        "model", nargs="?", type=Path, default=None, help="model directory (default: shipped model)"
    )
    info.add_argument("--json", action="store_true", help="print the raw manifest as JSON instead")

    labels = commands.add_parser(
        "labels",
        help="suggest labels for new documents, check label files",
        description="The labelling loop.",
    )
    actions = labels.add_subparsers(dest="action", required=True, metavar="ACTION")
    suggest = actions.add_parser(
        "suggest",
        help="pre-label new documents for a person to correct",
        description="Write label-format JSONL for new documents, pre-filled by the model: document by "
        "document, least confident first within each.",
    )
    _add_inputs(suggest)
    suggest.add_argument("-o", "--output", type=Path, help="JSONL file to write (default: standard output)")
    suggest.add_argument(
        "--model", type=Path, default=None, help="model directory (default: the shipped model)"
    )
    check = actions.add_parser(
        "check",
        help="validate every label file",
        description="Validate every label file and print the counts.",
    )
    check.add_argument(
        "--labels", type=Path, default=Path("labels"), help="label directory (default: labels)"
    )
    return parser


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``narratives train`` (here, so ``--help`` needs no scikit-learn import)."""
    parser.add_argument(
        "--labels", type=Path, default=Path("labels"), help="label directory (default: labels)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="model directory to write: new, empty or an earlier model (default: the shipped model, "
        "only when training from the project's labels/)",
    )
    parser.add_argument(
        "--replace-shipped",
        action="store_true",
        help="without --out, overwrite the model shipped in the package even when --labels is another folder",
    )
    parser.add_argument(
        "--ablation",
        action="store_true",
        help="also run the cue-group ablation, the data comparison and the C sweep (several minutes) "
        "and put them in the model card",
    )
    # The default since the ablation became opt-in; still accepted so old scripts keep working.
    parser.add_argument("--skip-ablation", action="store_true", help=argparse.SUPPRESS)


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="file, folder (searched recursively) or - for stdin"
    )
    parser.add_argument(
        "--glob",
        action="append",
        metavar="PATTERN",
        help="file pattern inside folders, repeatable (default: *.txt, *.md, *.html, *.htm, *.xhtml)",
    )
    parser.add_argument("--encoding", default="utf-8", help="encoding of the input files (default: utf-8)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if in_main_thread else None
    try:
        return _dispatch(args, sys.stdout, sys.stderr)
    except _Terminated:
        print("narratives: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    except UsageError as error:
        print(f"narratives {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except NarrativesError as error:
        print(f"narratives: {error}", file=sys.stderr)
        return EXIT_SOME_FAILED
    except KeyboardInterrupt:
        print("narratives: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except OSError as error:  # outputs raise OutputError; this is anything else the system refused
        print(f"narratives: {error.filename or 'error'}: {error.strerror or error}", file=sys.stderr)
        return EXIT_SOME_FAILED
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _dispatch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.command == "classify":
        return _classify(args, out, err)
    if args.command == "split":
        return _split(args, out, err)
    if args.command == "evaluate":
        return _evaluate(args.labels, args.plot, out, err)
    if args.command == "train":
        from narratives.train import run

        run(
            args.labels,
            args.out,
            ablation=args.ablation and not args.skip_ablation,
            replace_shipped=args.replace_shipped,
        )
        return EXIT_OK
    if args.command == "info":
        return _info(args.model, out, as_json=args.json)
    if args.action == "suggest":
        return _suggest(args, out, err)
    return _check(args.labels, out)


def expand_paths(
    paths: Sequence[str], globs: Sequence[str] | None = None, *, outputs: Sequence[Path] = ()
) -> tuple[list[str | Path], list[tuple[str, str]]]:
    """Inputs to read, and the problems found while expanding folders (name, reason).

    Files are kept as given and ``-`` as is; a folder becomes its matching entries,
    sorted, searched recursively: ``*.txt`` and ``*.md`` in any letter case by
    default, or the ``globs`` patterns as written. Entries that are not regular files
    (FIFOs, links to devices) are kept so that reading them reports them. A subfolder
    that cannot be read, a folder with nothing to read and a found file that is one of
    ``outputs`` (it would be read while being replaced) are problems, never skipped
    silently.
    """
    sources: list[str | Path] = []
    problems: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw)
        if raw == "-" or not path.is_dir():
            sources.append(raw if raw == "-" else path)
            continue
        matches, known = [], len(problems)
        for match in _walk(path, globs, problems):
            if any(same_file(match, output) for output in outputs):
                problems.append((str(match), "is an output file of this run; not read"))
            else:
                matches.append(match)
        if not matches and len(problems) == known:
            problems.append((raw, f"folder holds no files matching {', '.join(globs or DEFAULT_GLOBS)}"))
        sources.extend(matches)
    return sources, problems


def _walk(folder: Path, globs: Sequence[str] | None, problems: list[tuple[str, str]]) -> list[Path]:
    """Sorted non-folder entries under ``folder`` matching ``globs``; unreadable subfolders are problems."""

    def unreadable(error: OSError) -> None:
        problems.append((str(error.filename), f"cannot read folder: {error.strerror or error}"))

    found = []
    for root, folders, names in os.walk(folder, onerror=unreadable):
        folders.sort()
        for name in names:
            path = Path(root, name)
            relative = path.relative_to(folder)
            if globs:
                if any(relative.match(pattern) for pattern in globs):
                    found.append(path)
            elif path.suffix.lower() in DEFAULT_SUFFIXES:
                found.append(path)
    return sorted(found)


def _check_outputs(inputs: Sequence[str], outputs: dict[str, Path | None]) -> None:
    """Usage error when an output is an input named on the command line, or the other output."""
    given = {option: path for option, path in outputs.items() if path is not None}
    for option, path in given.items():
        clash = first_clash(path, inputs)
        if clash is not None:
            raise UsageError(f"{option} {path} is also an input ({clash}); writing it would destroy it")
    if len(given) == 2:
        (first, a), (second, b) = given.items()
        if same_file(a, b):
            raise UsageError(f"{first} and {second} name the same file ({a}); give two different files")


def _check_input_options(args: argparse.Namespace) -> None:
    _check_encoding(args.encoding)
    for pattern in args.glob or ():
        if not pattern or Path(pattern).is_absolute():
            raise UsageError(f"--glob takes a relative pattern such as '*.html', got {pattern!r}")
    if getattr(args, "n_jobs", None) == 0:
        raise UsageError("--n-jobs must not be 0 (use 1 for one process, -1 for every core)")


def _check_encoding(encoding: str) -> None:
    from narratives.documents import check_text_encoding

    try:
        check_text_encoding(encoding)
    except LookupError as error:
        raise UsageError(f"--encoding {encoding!r} is not a text encoding ({error})") from error


def _classify(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from narratives.model import load_model
    from narratives.output import RecordWriter, paragraph_record

    _check_input_options(args)
    wanted = _wanted_labels(args.labels)
    if args.min_confidence is not None and not 0.0 <= args.min_confidence <= 1.0:
        raise UsageError(f"--min-confidence must be between 0 and 1, got {args.min_confidence}")
    if args.explain_top is not None and args.explain_top < 1:
        raise UsageError(f"--explain-top needs a positive number, got {args.explain_top}")
    explain_top = args.explain_top or (EXPLAIN_TOP if args.explain else None)
    form = _format(args.format, args.output, out)
    _check_outputs(args.paths, {"-o": args.output, "--html": args.html})
    model = load_model(args.model)
    outputs = [path for path in (args.output, args.html) if path is not None]
    sources, failures = expand_paths(args.paths, args.glob, outputs=outputs)
    for name, reason in failures:
        print(f"narratives: {name}: {reason}", file=err)
    articles: list[tuple[str, list[Any]]] = []
    headlines: dict[str, str] = {}
    explanations: dict[tuple[int, int], Any] = {}
    with _destination(args.output, out) as stream:
        writer = RecordWriter(
            stream, form, colour=args.output is None and _use_colour(out), width=_terminal_width(out)
        )
        results = _classified_files(sources, model, args.n_jobs, args.encoding, args.format_in, err)
        for path, paragraphs, labels, error, title in _progress(results, len(sources), err):
            if paragraphs is None:
                print(f"narratives: {path}: {error}", file=err)
                failures.append((path, error or "failed"))
                continue
            kept: Iterable[Any] = (p for p in paragraphs if wanted is None or p.label.value in wanted)
            is_page = isinstance(paragraphs, list) and bool(paragraphs) and paragraphs[0].block is not None
            if args.html is not None:  # the report needs every article at the end
                kept = list(kept)
                articles.append((path, kept))
                if is_page:
                    headlines[path] = _page_headline(paragraphs, title)
            number = len(articles) - 1
            writer.file_header(path, sum(wanted is None or label.value in wanted for label in labels))
            for paragraph in kept:
                explanation = (
                    model.explain_words(paragraph.text, explain_top, label=paragraph.label)
                    if explain_top
                    else None
                )
                if explanation is not None and args.html is not None:
                    explanations[number, paragraph.index] = explanation
                record = paragraph_record(
                    path, paragraph, min_confidence=args.min_confidence, explanation=explanation
                )
                if is_page:
                    record["title"] = title
                writer.write(record)
        writer.close()
    if args.html is not None:
        _write_report(args.html, articles, failures, args.min_confidence, wanted, explanations, headlines)
    return EXIT_SOME_FAILED if failures else EXIT_OK


def _classified_files(
    sources: Sequence[str | Path],
    model: Any,
    n_jobs: int | None,
    encoding: str,
    input_format: str = "auto",
    err: TextIO = sys.stderr,
) -> Iterator[tuple[str, Iterable[Any] | None, list[Any], str | None, str | None]]:
    """(path, paragraphs, their labels, error, page title) per input, in order.

    In one process each text file's paragraphs are streamed (:class:`~narratives.api.StreamedDocument`),
    so peak memory follows the largest file, not its paragraph objects; with workers,
    :func:`~narratives.api.classify_files` batches files across processes. Web pages
    (``input_format``) are read into their blocks first; the title is None for plain text.
    """
    from narratives.api import StreamedDocument, classify_files, classify_many
    from narratives.documents import describe_read_error, read_input

    if n_jobs not in (None, 1):
        results = classify_files(
            sources, model=model, n_jobs=n_jobs, encoding=encoding, input_format=input_format
        )
        for result in results:
            for warning in result.warnings:
                print(f"narratives: warning: {warning}", file=err)
            labels = [p.label for p in result.paragraphs or ()]
            yield result.path, result.paragraphs, labels, result.error, result.title
        return
    for source in sources:
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                document = read_input(source, encoding, input_format)
        except (OSError, ValueError) as error:  # UnicodeDecodeError is a ValueError
            yield str(source), None, [], describe_read_error(error), None
            continue
        for warning in caught:
            print(f"narratives: warning: {warning.message}", file=err)
        if isinstance(document, str):
            streamed = StreamedDocument(document, model)
            del document  # the stream holds it; dropping ours lets it go as soon as the stream does
            yield str(source), streamed, streamed.labels, None, None
            del streamed
        else:
            paragraphs = classify_many([document], model=model)[0]
            yield str(source), paragraphs, [p.label for p in paragraphs], None, document.title


def _page_headline(paragraphs: Sequence[Any], title: str | None) -> str:
    """The page's own headline as the structure stage finds it, else its title."""
    from narratives.structure import page_headline

    blocks = [p.block for p in paragraphs if p.block is not None]
    found = page_headline(blocks, title)
    return blocks[found].text if found is not None else title or ""


def _wanted_labels(raw: str | None) -> set[str] | None:
    if raw is None:
        return None
    wanted = {name.strip() for name in raw.split(",") if name.strip()}
    unknown = wanted - set(LABEL_NAMES)
    if unknown or not wanted:
        raise UsageError(f"--labels takes names from {', '.join(LABEL_NAMES)}; got {raw!r}")
    return wanted


def _format(requested: str | None, output: Path | None, out: TextIO) -> str:
    """The output format: as requested, else from ``-o``'s suffix, else by where output goes.

    ``-o`` ending in ``.jsonl``, ``.json``, ``.csv`` or ``.tsv`` picks that format, and a
    ``--format`` that contradicts it (``--format csv -o out.json``) is a usage error;
    any other ``-o`` (a device, ``out.txt``) gets JSON lines.
    """
    implied = None if output is None else SUFFIX_FORMATS.get(output.suffix.lower())
    if requested is not None:
        if implied is not None and implied != requested:
            raise UsageError(f"--format {requested} does not match -o {output} (a .{implied} file)")
        return requested
    if output is not None:
        return implied or "jsonl"
    return "table" if _is_terminal(out) else "jsonl"


def _is_terminal(stream: TextIO) -> bool:
    return hasattr(stream, "isatty") and stream.isatty()


def _use_colour(stream: TextIO) -> bool:
    """Colour on a terminal unless ``NO_COLOR`` is set to anything non-empty (no-color.org)."""
    return _is_terminal(stream) and not os.environ.get("NO_COLOR")


def _terminal_width(stream: TextIO) -> int | None:
    """The terminal's width in columns for the table (``COLUMNS`` wins), or None when not a terminal."""
    if not _is_terminal(stream):
        return None
    import shutil

    return shutil.get_terminal_size().columns


@contextlib.contextmanager
def _destination(path: Path | None, out: TextIO) -> Iterator[TextIO]:
    if path is None:
        yield out
        return
    from narratives.output import atomic_output

    with atomic_output(path) as file:
        yield file


def _progress(results: Iterator[Any], total: int, err: TextIO) -> Iterator[Any]:
    """A progress bar on standard error when it is a terminal; silent when piped."""
    if total < 2 or not _is_terminal(err):
        return results
    from tqdm import tqdm

    return tqdm(results, total=total, unit="file", file=err, leave=False)


def _write_report(
    path: Path,
    articles: list,
    failures: list[tuple[str, str]],
    min_confidence: float | None,
    shown: set[str] | None = None,
    explanations: dict[tuple[int, int], Any] | None = None,
    headlines: dict[str, str] | None = None,
) -> None:
    from narratives.output import atomic_output
    from narratives.report import render_report

    with atomic_output(path) as file:
        file.write(
            render_report(
                articles,
                failures=failures,
                min_confidence=min_confidence,
                shown=shown,
                explanations=explanations,
                headlines=headlines,
            )
        )


def _split(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from narratives.documents import describe_read_error, read_article
    from narratives.output import SPLIT_COLUMNS, RecordWriter
    from narratives.paragraphs import split_paragraphs

    _check_input_options(args)
    writer = RecordWriter(
        out, _format(args.format, None, out), width=_terminal_width(out), columns=SPLIT_COLUMNS
    )
    sources, empty = expand_paths(args.paths, args.glob)  # split writes only to standard output
    for name, reason in empty:
        print(f"narratives: {name}: {reason}", file=err)
    failed = bool(empty)
    for source in sources:
        try:
            text = read_article(source, args.encoding)
        except (OSError, ValueError) as error:
            print(f"narratives: {source}: {describe_read_error(error)}", file=err)
            failed = True
            continue
        paragraphs = split_paragraphs(text)
        writer.file_header(str(source), len(paragraphs))
        for p in paragraphs:
            writer.write(
                {"file": str(source), "index": p.index, "start": p.start, "end": p.end, "text": p.text}
            )
    writer.close()
    return EXIT_SOME_FAILED if failed else EXIT_OK


def _evaluate(labels_dir: Path, plot: Path | None, out: TextIO, err: TextIO) -> int:
    from narratives.labels import load_labels
    from narratives.training import (
        N_FOLDS,
        baseline_pipeline,
        check_trainable,
        cross_validate,
        model_pipeline,
    )

    if plot is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError as error:
            raise UsageError("--plot needs matplotlib: pip install 'narratives[plot]'") from error
    examples = load_labels(labels_dir)
    check_trainable(examples, labels_dir)
    out.write(f"{len(examples)} labelled paragraphs from {len({e.doc for e in examples})} documents\n")
    stages = {
        "narratives": ("narratives", model_pipeline),
        "baseline": ("baseline (TfidfVectorizer(1,2) + LogisticRegression)", baseline_pipeline),
    }
    reports = []
    with _fold_progress(len(stages) * N_FOLDS, err) as progress:
        for stage, (name, make) in stages.items():
            on_fold = None
            if progress is not None:
                progress.set_description(f"cross-validating {stage}")
                on_fold = progress.update
            reports.append(cross_validate(name, make, examples, on_fold=on_fold))
    out.write("\n".join(report.render() for report in reports) + "\n")
    if plot is not None:
        from narratives.plots import plot_confusion

        plot_confusion(reports[0], plot)
        out.write(f"wrote {plot}\n")
    return EXIT_OK


@contextlib.contextmanager
def _fold_progress(total: int, err: TextIO) -> Iterator[Any]:
    """A progress bar of cross-validation folds on standard error when it is a terminal, else None."""
    if not _is_terminal(err):
        yield None
        return
    from tqdm import tqdm

    with tqdm(total=total, unit="fold", file=err, leave=False) as bar:
        yield bar


#: How `narratives info` names the real-text sets of ``python -m benchmarks.quality``.
REAL_TEXT_SETS = {
    "mpqa": "news and commentary documents (MPQA), four labels",
    "checkthat": "CheckThat! sentences, objective / subjective",
    "l3s": "news pages (L3S-GN1), content / boilerplate",
}


def _info(directory: Path | None, out: TextIO, *, as_json: bool = False) -> int:
    from narratives.model import DEFAULT_MODEL_DIR, load_model

    model = load_model(directory)
    if as_json:
        out.write(json.dumps(model.manifest, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    out.write(info_summary(model.manifest, directory or DEFAULT_MODEL_DIR))
    return EXIT_OK


def info_summary(manifest: dict[str, Any], where: Path) -> str:
    """A short human summary of a model's manifest: what it is, its data, real-text figures first, limits."""
    lines = [f"narratives model at {where}"]
    features = manifest.get("features", {})
    classifier = manifest.get("classifier", {})
    lines.append(
        f"  what: {classifier.get('type', 'linear classifier')} over TF-IDF word 1-2 grams and cue groups "
        f"({', '.join(features.get('cue_groups', []))})"
        + (", plus a page-context stage" if manifest.get("context") else "")
        + (" and, for web pages, a structure stage" if manifest.get("structure") else "")
    )
    lines.append(f"  labels: {', '.join(manifest.get('labels', []))}")
    data = manifest.get("training_data")
    if data:
        lines.append(
            f"  trained on: {data['paragraphs']:,} hand-labelled paragraphs from {data['documents']} documents "
            f"(narratives {manifest.get('narratives_version', '?')}, scikit-learn {manifest.get('sklearn_version', '?')})"
        )
    real = manifest.get("real_text")
    if real:
        lines.append("  on real text nobody on the team wrote (macro-F1, narratives vs a plain baseline):")
        known_first = sorted(
            real, key=lambda name: list(REAL_TEXT_SETS).index(name) if name in REAL_TEXT_SETS else 99
        )
        for name in known_first:
            row = real[name]
            label = REAL_TEXT_SETS.get(name, name)
            if "narratives_word_f1" in row:  # web pages: words kept as content, beside the peers
                peers = ", ".join(
                    f"{peer} {row[f'{peer}_word_f1']:.3f}"
                    for peer in ("trafilatura", "jusText")
                    if f"{peer}_word_f1" in row
                )
                lines.append(
                    f"    {row['pages']} web pages (L3S-GN1 HTML), word F1: {row['narratives_word_f1']:.3f}"
                    + (f" vs {peers}" if peers else "")
                    + f"; own headline kept on {row['own_headline_kept_share']:.0%}"
                )
                continue
            lines.append(
                f"    {row['documents']} {label}: {row['narratives_macro_f1']:.3f} vs {row['baseline_macro_f1']:.3f}"
            )
    else:
        lines.append("  real text: not measured for this model (python -m benchmarks.quality)")
    metrics = manifest.get("cv_metrics", {})
    if "model" in metrics:
        lines.append(
            f"  grouped {metrics.get('folds', '?')}-fold CV on the team's own labels (an upper bound): "
            f"{metrics['model']['macro_f1']:.3f} vs baseline {metrics['baseline']['macro_f1']:.3f}"
        )
    lines.append(
        "  limits: English news and commentary on coups and instability; judges paragraphs, not claims; "
        "new sources land near the real-text figures, not the CV ones."
    )
    lines.append("  more: MODEL_CARD.md in that folder; the raw manifest with `narratives info --json`")
    return "\n".join(lines) + "\n"


def _suggest(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from narratives.labelling import suggest
    from narratives.model import load_model

    _check_input_options(args)
    _check_outputs(args.paths, {"-o": args.output})
    outputs = [args.output] if args.output is not None else []
    sources, problems = expand_paths(args.paths, args.glob, outputs=outputs)
    for name, reason in problems:
        print(f"narratives: {name}: {reason}", file=err)
    records, failed = suggest(sources, model=load_model(args.model), encoding=args.encoding)
    for result in failed:
        print(f"narratives: {result.path}: {result.error}", file=err)
    with _destination(args.output, out) as stream:
        for record in records:
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    if args.output is not None:
        print(
            f"wrote {len(records)} suggestions to {args.output}, document by document, least confident first "
            "within each. Read each paragraph, "
            "set its label by labels/GUIDELINES.md and delete 'confidence'; then run `narratives labels check`.",
            file=err,
        )
    return EXIT_SOME_FAILED if failed or problems else EXIT_OK


def _check(labels_dir: Path, out: TextIO) -> int:
    from narratives.labelling import check

    counts = check(labels_dir)
    out.write(f"{labels_dir}: all label files valid\n")
    out.write("  " + ", ".join(f"{name} {count}" for name, count in counts.items()) + "\n")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

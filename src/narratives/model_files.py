"""Reading a model directory's files safely: listed, regular, size-capped and checksummed before parsing.

A model directory may come from anywhere, so nothing in it is trusted until checked:
the manifest is read (size-capped, not through a symlink) and its schema validated;
then each file it lists must be a regular file inside the directory (no symlink, FIFO
or device), of the listed size and below a cap, and match its sha256. Files are read
once, and the same bytes are checked and parsed, so nothing can be swapped in between.
Every problem is a :class:`ModelError` naming the file and what to do.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import math
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from narratives.errors import ModelError
from narratives.labels import Label
from narratives.safe_io import read_regular

__all__ = [
    "FILE_LIMITS",
    "MANIFEST",
    "load_arrays",
    "parse_stems",
    "parse_vocabulary",
    "read_listed",
    "read_manifest",
]

FORMAT = "narratives-model"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_MIB = 1024 * 1024
#: Largest files a model directory may make us read. The shipped ones are about 4 KB,
#: 0.9 MB, 0.3 MB and 3 KB; the caps leave room for a hundred times the vocabulary.
MANIFEST_LIMIT = 1 * _MIB
FILE_LIMITS = {
    "weights.npz": 512 * _MIB,
    "vocabulary.json": 128 * _MIB,
    "stems.json": 32 * _MIB,
    "MODEL_CARD.md": 1 * _MIB,
}
REQUIRED_FILES = ("weights.npz", "vocabulary.json")
#: JSON nesting deeper than this is not a manifest (ours is 6 deep); refusing it early
#: keeps printing or copying the manifest from recursing without end.
MAX_DEPTH = 32
WEIGHT_ARRAYS = ("coef", "intercept", "idf")
#: Arrays of the learned page-context stage: present together or not at all.
CONTEXT_ARRAYS = ("context_coef", "context_intercept")
#: Arrays of the learned HTML structure stage: present together or not at all, and only
#: with the context stage.
STRUCTURE_ARRAYS = ("structure_coef", "structure_intercept")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_RETRAIN = "Retrain it with `narratives train --out DIR` or reinstall narratives."


def read_manifest(directory: Path) -> dict[str, Any]:
    """The validated manifest of ``directory``; :class:`ModelError` for anything else."""
    path = directory / MANIFEST
    if not directory.is_dir() or not (path.exists() or path.is_symlink()):
        raise ModelError(
            f"{directory} is not a model directory: no {MANIFEST}. Train one with `narratives train`."
        )
    manifest = _parse_json(_read(path, MANIFEST_LIMIT), path)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelError(f"{path} is not a narratives model manifest (format {FORMAT!r} expected)")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"{path} has model format version {manifest.get('format_version')!r:.40}; this narratives reads "
            f"version {FORMAT_VERSION}. Upgrade narratives or retrain the model with `narratives train`."
        )
    _validate(manifest, path)
    return manifest


def read_listed(directory: Path, manifest: dict[str, Any], name: str) -> bytes:
    """The bytes of the listed file ``name``, checked against its manifest entry before use."""
    path = directory / name
    entry = manifest["files"][name]
    digest, size = (entry, None) if isinstance(entry, str) else (entry["sha256"], entry["size"])
    limit = FILE_LIMITS[name] if size is None else min(size, FILE_LIMITS[name])
    if not (path.exists() or path.is_symlink()):
        raise ModelError(f"{path} is missing; the model directory is incomplete. {_RETRAIN}")
    data = _read(path, limit)
    if size is not None and len(data) != size:
        raise ModelError(f"{path} is {len(data):,} bytes, not the {size:,} its manifest lists. {_RETRAIN}")
    if hashlib.sha256(data).hexdigest() != digest:
        raise ModelError(
            f"{path} does not match the checksum in its manifest; the file was changed or damaged. "
            "Do not use it: retrain with `narratives train --out DIR` or reinstall narratives."
        )
    return data


def load_arrays(data: bytes, path: Path) -> dict[str, np.ndarray]:
    """The float64 arrays of a weights file, each ``.npy`` header checked before its data is read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {info.filename: info for info in archive.infolist()}
            plain = {f"{name}.npy" for name in WEIGHT_ARRAYS}
            with_context = plain | {f"{name}.npy" for name in CONTEXT_ARRAYS}
            with_structure = with_context | {f"{name}.npy" for name in STRUCTURE_ARRAYS}
            if set(members) not in (plain, with_context, with_structure):
                raise ValueError(
                    f"holds {sorted(members)[:8]}, expected {sorted(with_structure)} "
                    "or without the structure arrays, or without the context arrays too"
                )
            return {name.removesuffix(".npy"): _read_array(archive, info) for name, info in members.items()}
    except (ValueError, KeyError, OSError, EOFError, zipfile.BadZipFile, MemoryError) as error:
        raise ModelError(f"{path} is not a plain-array weights file ({error}). {_RETRAIN}") from error


def _read_array(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    if info.file_size > FILE_LIMITS["weights.npz"]:
        raise ValueError(f"{info.filename} claims {info.file_size:,} bytes")
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(member)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(member)
        else:
            raise ValueError(f"{info.filename}: unsupported .npy version {version}")
        if dtype != np.dtype("<f8") or fortran or len(shape) > 2:
            raise ValueError(f"{info.filename}: expected a C-ordered float64 array of 1 or 2 dimensions")
        if math.prod(shape) * dtype.itemsize > info.file_size:
            raise ValueError(f"{info.filename}: header claims shape {shape}, more than the file holds")
    with archive.open(info) as member:
        return np.lib.format.read_array(member, allow_pickle=False)


def parse_vocabulary(data: bytes, path: Path) -> list[str]:
    """The vocabulary's terms in column order: a JSON list of distinct strings."""
    terms = _parse_json(data, path)
    if not isinstance(terms, list) or not all(isinstance(term, str) for term in terms):
        raise ModelError(f"{path} must be a JSON list of terms (strings). {_RETRAIN}")
    if len(set(terms)) != len(terms):
        raise ModelError(f"{path} lists the same term twice. {_RETRAIN}")
    return terms


def parse_stems(data: bytes, path: Path) -> dict[str, str]:
    """Stored Snowball stems: a JSON object of word -> stem, both strings."""
    stems = _parse_json(data, path)
    if not isinstance(stems, dict) or not all(isinstance(stem, str) for stem in stems.values()):
        raise ModelError(f"{path} must be a JSON object of word -> stem strings. {_RETRAIN}")
    return stems


def _read(path: Path, limit: int) -> bytes:
    try:
        return read_regular(path, limit=limit, follow_symlinks=False)
    except OSError as error:
        # ELOOP: O_NOFOLLOW met a symlink swapped in after the lstat check
        reason = "it is a symbolic link" if error.errno == errno.ELOOP else error.strerror or str(error)
        raise ModelError(
            f"cannot read {path}: {reason}. Model files must be plain files. {_RETRAIN}"
        ) from error


def _parse_json(data: bytes, path: Path) -> Any:
    try:
        value = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ModelError(
            f"{path} is not valid UTF-8 ({error.reason} at byte {error.start}). {_RETRAIN}"
        ) from error
    except json.JSONDecodeError as error:
        raise ModelError(f"{path} is not valid JSON ({error}). {_RETRAIN}") from error
    except RecursionError as error:
        raise ModelError(f"{path} is nested too deeply to be a model file. {_RETRAIN}") from error
    if _depth(value) > MAX_DEPTH:
        raise ModelError(f"{path} is nested more than {MAX_DEPTH} levels deep. {_RETRAIN}")
    return value


def _depth(value: Any) -> int:
    """Nesting depth of parsed JSON (a scalar counts as one level), without recursion.

    Only containers are pushed: a vocabulary is a list of tens of thousands of strings,
    and walking them one by one cost a tenth of a second of every model load.
    """
    deepest, stack = 1, [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        deepest = max(deepest, depth + any(True for _ in children))  # children sit one level down
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _validate(manifest: dict[str, Any], path: Path) -> None:
    """Types and values of every manifest field the loader uses."""
    from narratives.cues import CUE_GROUPS

    def fail(what: str, value: Any) -> ModelError:
        return ModelError(f"{path}: {what}; got {value!r:.80}. {_RETRAIN}")

    label_names = [label.value for label in Label]
    labels = manifest.get("labels")
    if (
        not isinstance(labels, list)
        or len(labels) < 2
        or not all(isinstance(name, str) and name in label_names for name in labels)
        or len(set(labels)) != len(labels)
    ):
        raise fail(f"'labels' must list at least two distinct labels from {label_names}", labels)
    features = manifest.get("features")
    if not isinstance(features, dict):
        raise fail("'features' must be an object", features)
    if features.get("ngram_range") != [1, 2]:
        raise fail("'features.ngram_range' must be [1, 2]", features.get("ngram_range"))
    min_df = features.get("min_df")
    if isinstance(min_df, bool) or not (
        (isinstance(min_df, int) and min_df >= 1) or (isinstance(min_df, float) and 0.0 < min_df <= 1.0)
    ):
        raise fail("'features.min_df' must be a count >= 1 or a share in (0, 1]", min_df)
    if not isinstance(features.get("sublinear_tf"), bool):
        raise fail("'features.sublinear_tf' must be true or false", features.get("sublinear_tf"))
    groups = features.get("cue_groups")
    if (
        not isinstance(groups, list)
        or not all(isinstance(group, str) and group in CUE_GROUPS for group in groups)
        or len(set(groups)) != len(groups)
    ):
        raise fail(f"'features.cue_groups' must list distinct cue groups from {list(CUE_GROUPS)}", groups)
    weight = features.get("cue_weight")
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0.0 <= weight < math.inf:
        raise fail("'features.cue_weight' must be a finite number >= 0", weight)
    if not isinstance(features.get("lexicon_fingerprint"), str):
        raise fail("'features.lexicon_fingerprint' must be a string", features.get("lexicon_fingerprint"))
    context = manifest.get("context")
    if context is not None and not (
        isinstance(context, dict)
        and isinstance(context.get("features"), list)
        and all(isinstance(name, str) for name in context["features"])
    ):
        raise fail("'context' must be null or an object listing its 'features' by name", context)
    structure = manifest.get("structure")
    if structure is not None and not (
        isinstance(structure, dict)
        and isinstance(structure.get("features"), list)
        and all(isinstance(name, str) for name in structure["features"])
    ):
        raise fail("'structure' must be null or an object listing its 'features' by name", structure)
    _validate_files(manifest.get("files"), fail)


def _validate_files(files: Any, fail: Any) -> None:
    if not isinstance(files, dict) or not all(name in files for name in REQUIRED_FILES):
        raise fail(f"'files' must list {' and '.join(REQUIRED_FILES)} with their checksums", files)
    for name, entry in files.items():
        if name not in FILE_LIMITS:
            raise fail(f"'files' may only list {sorted(FILE_LIMITS)}", name)
        if isinstance(entry, str):  # the first manifests: checksum only
            digest, size = entry, 0
        elif isinstance(entry, dict) and set(entry) == {"sha256", "size"}:
            digest, size = entry["sha256"], entry["size"]
        else:
            raise fail(f'\'files.{name}\' must be {{"sha256": ..., "size": ...}}', entry)
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise fail(f"'files.{name}' needs a sha256 of 64 hex digits", digest)
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= FILE_LIMITS[name]:
            raise fail(f"'files.{name}.size' must be a byte count up to {FILE_LIMITS[name]:,}", size)

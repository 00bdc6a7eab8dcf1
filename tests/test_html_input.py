"""Web pages through the public API, the CLI, the structure stage and the training data.

Every page here is written for the test; none is real coverage.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("lxml")

from narratives import (
    Label,
    classify,
    classify_files,
    classify_html,
    classify_many,
    iter_classify,
    load_labels,
    load_model,
)
from narratives.cli import main
from narratives.errors import ModelError, TrainingDataError
from narratives.html import read_html
from narratives.labelling import check
from narratives.renderings import find_renderings, load_renderings
from narratives.structure import STRUCTURE_FACTS, StructureStage, page_headline, structure_facts
from narratives.training import data_digest

ROOT = Path(__file__).resolve().parents[1]

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Junta names new cabinet after weekend takeover | Harbour Times</title>
<script>var tracking = "not text";</script><style>p { color: red }</style></head>
<body>
<header><a class="logo" href="/">Harbour Times</a></header>
<nav role="navigation"><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/opinion">Opinion</a></li></ul></nav>
<main><article>
<h1>Junta names new cabinet after weekend takeover</h1>
<p class="byline">By Staff Reporter</p>
<p>The military council that seized power on Saturday named a twelve-member cabinet on Tuesday,
giving the defence and interior portfolios to serving officers.</p>
<p>Diplomats in the capital said the council <a href="/x">may</a> try to extend the transition
beyond the eighteen months it has promised.</p>
<figure><img src="x.jpg" alt="soldiers"><figcaption>Soldiers outside the ministry on Monday.
(Photo: Staff)</figcaption></figure>
<div style="display:none">Hidden teaser text</div>
</article></main>
<aside><h3>Most read</h3><ul><li><a href="/a">Port strike enters second week</a></li>
<li><a href="/b">Central bank holds rates</a></li></ul></aside>
<footer><p>Copyright 2026 Harbour Times. All rights reserved.</p></footer>
</body></html>
"""


@pytest.fixture(scope="module")
def model():
    return load_model()


def test_classify_html_labels_every_block_with_offsets_into_the_page_text(model):
    page = read_html(PAGE)
    paragraphs = classify_html(PAGE, model=model)
    assert [p.text for p in paragraphs] == [b.text for b in page.blocks]
    for paragraph in paragraphs:
        assert page.text[paragraph.start : paragraph.end] == paragraph.text
        assert paragraph.block is not None and paragraph.block.text == paragraph.text
        assert paragraph.to_dict()["tag"] == paragraph.block.tag
        assert sum(paragraph.probabilities.values()) == pytest.approx(1.0)
    words = " ".join(p.text for p in paragraphs)
    assert "tracking" not in words and "Hidden teaser" not in words and "color" not in words


def test_classify_html_reads_bytes_by_their_declared_charset(model):
    data = (
        PAGE.replace("utf-8", "windows-1252")
        .replace("Staff Reporter", "Staff Reporter \u2013 Port")
        .encode("cp1252")
    )
    texts = [p.text for p in classify_html(data, model=model)]
    assert "By Staff Reporter \u2013 Port" in texts


def test_a_page_with_no_text_gives_no_paragraphs_and_bad_input_types_are_refused(model):
    assert (
        classify_html(
            "<html><head><title>t</title></head><body><script>x()</script></body></html>", model=model
        )
        == []
    )
    with pytest.raises(TypeError):
        classify_html(42, model=model)  # type: ignore[arg-type]


def test_the_page_headline_is_content_whatever_its_words(model):
    """Rule 3: the own headline (here on a topic the corpus never covers) is not boilerplate."""
    page = PAGE.replace("Junta names new cabinet after weekend takeover", "Harbour regatta postponed by fog")
    paragraphs = classify_html(page, model=model)
    headline = next(p for p in paragraphs if p.block.tag == "h1")
    assert headline.label is not Label.BOILERPLATE
    assert headline.probabilities[Label.BOILERPLATE] <= model.structure.headline_boilerplate + 1e-12


def test_page_headline_prefers_the_headline_to_the_site_name_in_the_title():
    page = read_html(PAGE)
    found = page_headline(page.blocks, page.title)
    assert page.blocks[found].text == "Junta names new cabinet after weekend takeover"
    no_title = page_headline(page.blocks, None)
    assert page.blocks[no_title].tag == "h1"
    facts = structure_facts(page.blocks, page.title)
    assert facts[:, STRUCTURE_FACTS.index("page_headline")].sum() == 1
    assert facts[found, STRUCTURE_FACTS.index("title_match")] == 1


def test_structure_stage_keeps_rows_and_never_changes_its_input():
    facts = np.zeros((2, len(STRUCTURE_FACTS)))
    facts[0, STRUCTURE_FACTS.index("page_headline")] = 1
    n = 6 + len(STRUCTURE_FACTS)
    stage = StructureStage(np.zeros((4, n)), np.zeros(4), 0.1, 0)
    probabilities = np.array([[0.97, 0.01, 0.01, 0.01], [0.25, 0.25, 0.25, 0.25]])
    before = probabilities.copy()
    revised = stage.revise(probabilities, ["Regatta postponed by fog today", "Body text."], facts, [2])
    np.testing.assert_array_equal(probabilities, before)
    assert revised[0, 0] == pytest.approx(0.1) and revised[0].sum() == pytest.approx(1.0)
    np.testing.assert_allclose(revised[1], 0.25)


def test_input_format_auto_reads_pages_and_text_alike_in_any_batch(model):
    text = "Troops seized the palace on Monday.\n\nThe coup may not last."
    auto = classify_many([PAGE, text], model=model, input_format="auto")
    assert auto[0] == classify_html(PAGE, model=model)
    assert auto[1] == classify(text, model=model)
    assert classify_many([PAGE.encode(), text], model=model, input_format="auto", n_jobs=2) == auto
    as_text = classify_many([PAGE], model=model)[0]
    assert any("<" in p.text for p in as_text)  # input_format="text" reads the markup as prose
    with pytest.raises(ValueError, match="input_format"):
        iter_classify([text], model=model, input_format="xml")  # type: ignore[arg-type]


def test_classify_files_reads_html_files_and_reports_empty_pages(tmp_path, model):
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "blank.htm").write_text("<html><body><script>1</script></body></html>", encoding="utf-8")
    (tmp_path / "plain.txt").write_text("Troops seized the palace.", encoding="utf-8")
    names = ["page.html", "blank.htm", "plain.txt"]
    results = list(classify_files([tmp_path / n for n in names], model=model))
    assert results[0].ok and results[0].title.startswith("Junta names")
    assert results[0].paragraphs == classify_html(PAGE, model=model)
    assert not results[1].ok and "no visible text" in results[1].error
    assert results[2].ok and results[2].title is None


def test_cli_reads_a_folder_of_pages_with_no_flags(tmp_path, capsys):
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "a.html").write_text(PAGE, encoding="utf-8")
    (folder / "b.HTM").write_text(PAGE, encoding="utf-8")
    (folder / "c.txt").write_text("Troops seized the palace.", encoding="utf-8")
    report = tmp_path / "report.html"
    assert main(["classify", str(folder), "--format", "jsonl", "--html", str(report)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {Path(r["file"]).name for r in rows} == {"a.html", "b.HTM", "c.txt"}
    page_rows = [r for r in rows if r["file"].endswith("a.html")]
    assert all(r["title"].startswith("Junta names") and r["tag"] for r in page_rows)
    assert all("title" not in r and "tag" not in r for r in rows if r["file"].endswith("c.txt"))
    shown = report.read_text(encoding="utf-8")
    assert '<p class="page-headline">Junta names new cabinet after weekend takeover</p>' in shown


def test_cli_format_in_text_reads_markup_as_prose(tmp_path, capsys):
    (tmp_path / "a.html").write_text(PAGE, encoding="utf-8")
    assert main(["classify", str(tmp_path / "a.html"), "--format", "jsonl", "--format-in", "text"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert any("<script>" in r["text"] for r in rows) and all("tag" not in r for r in rows)


def test_cli_warns_about_a_page_in_the_wrong_encoding_and_fails_an_empty_one(tmp_path, capsys):
    (tmp_path / "latin.html").write_bytes(
        PAGE.replace("Staff Reporter", "Staff Rep\u00f6rter").encode("latin-1")
    )
    (tmp_path / "empty.html").write_bytes(b"   ")
    code = main(["classify", str(tmp_path / "latin.html"), str(tmp_path / "empty.html"), "--format", "jsonl"])
    captured = capsys.readouterr()
    assert code == 1
    assert "latin.html: bytes fit neither its declared charset 'utf-8' nor UTF-8" in captured.err
    assert "empty.html: empty file" in captured.err
    assert any(json.loads(line)["text"] == "By Staff Rep\u00f6rter" for line in captured.out.splitlines())


# -- training data ------------------------------------------------------------------------


def _copy_labels(tmp_path: Path) -> Path:
    labels = tmp_path / "labels"
    shutil.copytree(ROOT / "labels", labels)
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return labels


def test_renderings_hold_exactly_their_documents_paragraphs(tmp_path):
    labels = _copy_labels(tmp_path)
    renderings = find_renderings(labels)
    if not renderings:
        pytest.skip("no HTML renderings in labels/html")
    examples = load_labels(labels)
    assert len(load_renderings(labels, examples)) == len(renderings)
    assert check(labels)["html renderings"] == len(renderings)
    before = data_digest(examples, renderings)
    page = renderings[0].read_text(encoding="utf-8")
    first = read_html(page).blocks[-1].text
    renderings[0].write_text(page.replace(first.split()[-1], "CHANGED", 1), encoding="utf-8")
    assert data_digest(examples, renderings) != before
    with pytest.raises(TrainingDataError, match=renderings[0].name):
        load_renderings(labels, examples)
    renderings[0].unlink()
    (labels / "html" / "nobody.html").write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(TrainingDataError, match=r"no labelled document nobody\.txt"):
        load_renderings(labels, examples)


def test_a_model_with_a_structure_stage_round_trips_and_refuses_tampering(tmp_path, model):
    if model.structure is None:
        pytest.skip("the shipped model has no structure stage")
    saved = tmp_path / "m"
    copy.deepcopy(model).save(saved, manifest_extra={}, card="test")  # the shipped model is shared
    again = load_model(saved)
    assert classify_html(PAGE, model=again) == classify_html(PAGE, model=model)
    manifest = json.loads((saved / "manifest.json").read_text())
    manifest["structure"]["headline_boilerplate"] = 1.5
    (saved / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError):
        load_model(saved)


def test_an_svg_title_is_not_the_page_title_and_odd_charsets_are_ignored(model):
    assert (
        read_html("<head><title>Real title</title></head><body><p>Text here.</p></body>").title
        == "Real title"
    )
    assert read_html("<body><svg><title>Share icon</title></svg><p>Text here.</p></body>").title is None
    for charset in ("zlib", "base64", "rot13", "unicode_escape", "undefined", "idna"):
        page = f'<meta charset="{charset}"><p>Soldiers seized the caf\\u00e9 on Monday.</p>'.encode()
        assert [p.text for p in classify_html(page, model=model)] == [
            "Soldiers seized the caf\\u00e9 on Monday."
        ]


def test_a_title_of_thousands_of_parts_does_not_make_reading_slow(model):
    title = " | ".join(f"part{i} words here" for i in range(4000))
    page = f"<title>{title}</title>" + "<p>one two three four</p>" * 4000
    facts = structure_facts(read_html(page).blocks, title)  # quadratic before titles were capped
    assert facts.shape[0] == 4000


def test_text_with_a_few_stray_tags_stays_text_under_auto(tmp_path, model):
    notes = tmp_path / "notes.md"
    notes.write_text(
        "Coup in the capital<br>\n\nSoldiers seized the palace.<br>\n\nIt may not last.<br>\n", "utf-8"
    )
    result = next(iter(classify_files([notes], model=model)))
    assert result.title is None and all(p.block is None for p in result.paragraphs)
    assert len(result.paragraphs) == 3


def test_pages_match_across_workers(model):
    pages = [PAGE, PAGE.replace("Tuesday", "Wednesday"), "Plain text, not a page.", PAGE.encode()]
    serial = classify_many(pages, model=model, input_format="auto")
    assert classify_many(pages, model=model, input_format="auto", n_jobs=2, batch_size=1) == serial

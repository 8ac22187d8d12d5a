"""Reading documents: the date header, ids, and clear errors for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.core.documents import DocumentError, find_files, make_document, read_document

SEED = Path(__file__).resolve().parents[2] / "seeds" / "article-2023-03-25.txt"


def test_seed_date_header_is_metadata_and_offsets_stay_original() -> None:
    doc = read_document(SEED)
    assert doc.date == "2023-03-25"
    assert doc.doc_id == "article-2023-03-25"
    assert doc.text == SEED.read_text(encoding="utf-8")
    assert doc.text[doc.body_start :].startswith("Was it the Siberian salmon?")


def test_markdown_heading_becomes_title() -> None:
    doc = make_document("# Quarterly report\n\nSales rose.", doc_id="q1")
    assert doc.title == "Quarterly report"


def test_empty_text_is_rejected() -> None:
    with pytest.raises(DocumentError, match="empty"):
        make_document("   \n")


def test_bad_doc_id_is_rejected() -> None:
    with pytest.raises(DocumentError, match="invalid doc_id"):
        make_document("text", doc_id="../etc/passwd")


def test_unsupported_suffix_is_rejected(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF")
    with pytest.raises(DocumentError, match=r"\.txt and \.md"):
        find_files([pdf])


def test_folders_expand_to_text_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A.", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("B.", encoding="utf-8")
    (tmp_path / "c.json").write_text("{}", encoding="utf-8")
    assert [p.name for p in find_files([tmp_path])] == ["a.txt", "b.md"]

"""Documents over HTTP: added ones are cited in the next answer, deleted ones no longer."""

from __future__ import annotations

from api_server import Server

FACT = (
    "The Lumen Harbour lighthouse was repainted in cobalt blue in 2019. "
    "The keeper of the Lumen Harbour lighthouse is Ingrid Solberg."
)
QUESTION = "Who is the keeper of the Lumen Harbour lighthouse?"


def cited_docs(server: Server, question: str) -> set[str]:
    with server.client() as client:
        answer = client.post("/v1/ask", json={"question": question}).json()
    return {c["doc_id"] for c in answer["citations"]}


def test_added_document_is_cited_in_the_next_answer(writable_server: Server) -> None:
    with writable_server.client() as client:
        added = client.post("/v1/documents", json={"doc_id": "lighthouse", "text": FACT})
    assert added.status_code == 201 and added.json()["status"] == "added"
    assert cited_docs(writable_server, QUESTION) == {"lighthouse"}


def test_deleted_document_is_no_longer_cited(writable_server: Server) -> None:
    with writable_server.client() as client:
        client.post("/v1/documents", json={"doc_id": "lighthouse", "text": FACT})
        deleted = client.delete("/v1/documents/lighthouse")
        listed = client.get("/v1/documents").json()
    assert deleted.status_code == 200 and deleted.json()["status"] == "removed"
    assert "lighthouse" not in {d["doc_id"] for d in listed["documents"]}
    assert "lighthouse" not in cited_docs(writable_server, QUESTION)


def test_adding_the_same_document_again_changes_nothing(writable_server: Server) -> None:
    with writable_server.client() as client:
        first = client.post("/v1/documents", json={"doc_id": "lighthouse", "text": FACT}).json()
        again = client.post("/v1/documents", json={"doc_id": "lighthouse", "text": FACT})
    assert again.status_code == 200
    assert again.json()["status"] == "unchanged"
    assert again.json()["version"] == first["version"]


def test_document_is_read_back_with_full_text(server: Server) -> None:
    with server.client() as client:
        listed = client.get("/v1/documents").json()["documents"]
        doc = client.get(f"/v1/documents/{listed[0]['doc_id']}").json()
    assert doc["chars"] == len(doc["text"]) > 0


def test_unknown_document_is_404_with_error_shape(server: Server) -> None:
    with server.client() as client:
        got = client.get("/v1/documents/no-such-doc")
        deleted = client.delete("/v1/documents/no-such-doc")
    assert got.status_code == deleted.status_code == 404
    assert got.json()["error"]["code"] == "not_found"


def test_invalid_doc_id_is_422(server: Server) -> None:
    with server.client() as client:
        response = client.post("/v1/documents", json={"doc_id": "../etc/passwd", "text": FACT})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"

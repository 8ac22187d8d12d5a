"""The baseline a user would otherwise write: LangChain's RAG tutorial, unverified.

As the tutorial ("Build a Retrieval Augmented Generation App", part 1) builds it, with the
same parts ragqa uses: the same embedder and Chroma, `RecursiveCharacterTextSplitter(
chunk_size=1000, chunk_overlap=200)`, a vector retriever with k=4, the tutorial's prompt
(`rlm/rag-prompt`, copied here: nothing is downloaded) and the same local model. No
keyword search, no evidence selection, no verification.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_text_splitters import RecursiveCharacterTextSplitter

from service.core.documents import Document

# hub.pull("rlm/rag-prompt"): one human message.
TUTORIAL_PROMPT = ChatPromptTemplate.from_messages(
    [
        (
            "human",
            "You are an assistant for question-answering tasks. Use the following pieces of "
            "retrieved context to answer the question. If you don't know the answer, just say "
            "that you don't know. Use three sentences maximum and keep the answer concise.\n"
            "Question: {question} \nContext: {context} \nAnswer:",
        )
    ]
)
CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
K = 4

# The tutorial asks the model to "say that you don't know"; an answer that says so (or that
# the context does not say) counts as a refusal. Generous to the baseline on purpose: every
# phrasing a reader would take for "the document doesn't say" is counted.
_REFUSAL = re.compile(
    r"\b(?:do(?:es)?\s*n[o']?t|cannot|can't|unable to)\s+(?:know|say|answer|find|determine|"
    r"mention|provide|specify|contain|state)\b|\bnot\s+(?:mentioned|stated|provided|specified|"
    r"given|available)\b|\bno\s+(?:information|mention)\b",
    re.IGNORECASE,
)


def says_unknown(text: str) -> bool:
    """Whether a baseline answer declines ("I don't know", "the context does not say")."""
    return not text.strip() or bool(_REFUSAL.search(text))


class TutorialRAG:
    """Index `documents` the tutorial's way, then stream answers to questions."""

    def __init__(
        self,
        documents: Sequence[Document],
        embedder: Embeddings,
        chat: BaseChatModel,
        persist_dir: Path,
    ) -> None:
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
        )
        splits = splitter.split_documents(
            [LCDocument(page_content=d.text, metadata={"doc_id": d.doc_id}) for d in documents]
        )
        client = chromadb.PersistentClient(
            path=str(persist_dir), settings=ChromaSettings(anonymized_telemetry=False)
        )
        self.store = Chroma(client=client, collection_name="tutorial", embedding_function=embedder)
        self.store.add_documents(splits)
        self.chunks = len(splits)
        self.retriever = self.store.as_retriever(search_kwargs={"k": K})
        self.chain = TUTORIAL_PROMPT | chat | StrOutputParser()

    def retrieve(self, question: str) -> str:
        """The tutorial's context: the k nearest chunks, joined by blank lines."""
        return "\n\n".join(d.page_content for d in self.retriever.invoke(question))

    def generate(self, question: str, context: str) -> Iterator[str]:
        """The answer's pieces as the model writes them."""
        yield from self.chain.stream({"question": question, "context": context})

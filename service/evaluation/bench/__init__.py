"""`ragqa bench`: ragqa beside the LangChain tutorial RAG, on the same questions, in one run."""

# ragqa API image: the project, its bundled models, and a prebuilt index of seeds/.
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends build-essential cmake \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md Makefile ./
COPY service ./service
COPY prompts ./prompts
COPY seeds ./seeds
RUN make install PYTHON=python3
ENV RAG_HOST=0.0.0.0 RAG_PORT=8000 RAG_INDEX_DIR=/data/index
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD [".venv/bin/ragqa", "serve"]

"""Score question-passage pairs with an exported int8 answerability model (as the service does).

    python -m training.score_answerability --train-dir DIR --name fold1

Writes DIR/NAME/scores-int8.jsonl: for each question the model never saw (fold K's and the
held-out group's for `foldK`; the held-out group's for `final`), one logit per passage read.
`fit_answerability` fits on these, so the constants match the int8 model the service runs,
not the fp32 one it was trained as. Project venv (onnxruntime).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from service.qa.answerability import READ, AnswerabilityModel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-dir", type=Path, required=True)
    parser.add_argument("--name", required=True, help="fold0, fold1 or final")
    args = parser.parse_args()
    folder = args.train_dir / args.name
    model = AnswerabilityModel(folder / "answerability-int8.onnx")
    fold = int(args.name[4:]) if args.name.startswith("fold") else None
    lines = (args.train_dir / "pairs.jsonl").read_text(encoding="utf-8").splitlines()
    with (folder / "scores-int8.jsonl").open("w", encoding="utf-8") as f:
        for line in lines:
            row = json.loads(line)
            if row["fold"] != -1 and row["fold"] != fold:
                continue
            passages = [p["text"] for p in row["passages"][:READ]]
            logits = model.logits(row["question"], passages)
            f.write(json.dumps({"id": row["id"], "logits": [round(x, 5) for x in logits]}) + "\n")


if __name__ == "__main__":
    main()

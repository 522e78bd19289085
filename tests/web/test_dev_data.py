"""The dev data set through the real intake: every page shows figures that add up, with no personal data."""

import re
from pathlib import Path

from models.db import make_engine, session_scope, upgrade
from nlp.embed import Embedder
from services.intake.grouping import GroupingService
from tests.services.reports.test_exports import PII, load_dev
from tests.web.seed import ADMIN, City, logged_in, web_config

FIGURE = re.compile(r"<dt>([^<]+)</dt><dd>(?:<a [^>]+>)?([\d.%]+)")


def test_dev_data_pages_add_up(embedder: Embedder, tmp_path: Path, shared_data: Path) -> None:
    config = web_config(tmp_path)  # SQLite: the pages read the same rows on both databases
    engine = make_engine(f"sqlite:///{tmp_path / 'dev.db'}")
    upgrade(engine)
    with session_scope(engine) as session:
        stored = load_dev(session, config, GroupingService(config, embedder), shared_data / "aspirasi_dev.jsonl")
    for client in logged_in(City(engine, config, {}, 0), ADMIN):
        summary = client.get("/").text
        figures = dict(FIGURE.findall(summary))
        assert int(figures["Aspirasi seluruhnya"]) == stored
        clusters = int(figures["Kelompok"])
        assert 0 < clusters < stored  # grouping put same-request messages together
        listed = client.get("/kelompok").text
        assert f"{clusters} kelompok ditemukan." in listed
        mapped = client.get("/peta").text
        counts = re.findall(r'</a></th><td class="num">(\d+)</td>', mapped)
        assert len(counts) == 15 and sum(map(int, counts)) == stored
        first = re.search(r'href="/kelompok/(K-\d+)"', listed)
        assert first
        page = client.get(f"/kelompok/{first.group(1)}").text
        assert "Warga " in page and "WITA" in page
        exported = client.get("/ekspor/kelompok.csv").content.decode("utf-8-sig")
        assert exported.count("\n") == clusters + 1
        for html in (summary, listed, mapped, page, exported):
            assert not PII.search(re.sub(r"<[^>]+>", " ", html)), PII.search(html)
        print(f"dev data: {stored} aspirations, {clusters} clusters, figures {figures}")
    engine.dispose()

"""The saved grouping index: caught up with the database at start, rebuilt when damaged or stale."""

from pathlib import Path

import numpy as np
from sqlalchemy import Engine
from sqlmodel import select

from bot.settings import Settings
from models.clusters import Cluster
from models.db import make_engine, session_scope, upgrade
from models.proposals import Proposal
from models.residents import get_or_create_resident
from nlp.embed import Embedder
from services.intake import drafts as intake
from services.intake.grouping import GroupingService
from services.intake.index import Loaded, fill_index
from services.intake.index_store import HEADER
from tests.services.conftest import LAMP

OTHERS = [
    "Pemuda Kanaan butuh lapangan voli yang layak, sekarang cuma tanah becek.",
    "Kami minta dibukakan kelas menjahit gratis untuk ibu-ibu rumah tangga supaya bisa buka usaha.",
    "Drainase depan rumah kami di Api-Api tersumbat, kalau hujan banjir.",
]
LATER = ["lapangan voli di kanaan rusak parah, tolong dibangun yang baru", LAMP[2]]
KEY = "test-key"


def _submit(engine: Engine, grouping: GroupingService, texts: list[str], first: int) -> None:
    """Each text from its own resident, sent (the machine picks the cluster)."""
    with session_scope(engine) as session:
        for i, text in enumerate(texts, first):
            resident = get_or_create_resident(session=session, telegram_id=7000 + i)
            draft, _ = intake.save_draft(session=session, grouping=grouping, resident=resident,
                                         source_chat_id=7000 + i, source_message_id=1, text=text)
            intake.confirm(session=session, grouping=grouping, resident=resident, proposal_id=draft.id or 0)


def _fill(engine: Engine, settings: Settings, embedder: Embedder, snapshot: Path | None,
          key: str = KEY) -> tuple[GroupingService, Loaded]:
    """A new grouping service (a restarted bot) filled from the database and the snapshot."""
    grouping = GroupingService(settings.config, embedder)
    with session_scope(engine) as session:
        loaded = fill_index(session=session, grouping=grouping, snapshot=snapshot, key=key)
    return grouping, loaded


def _same_index(a: GroupingService, b: GroupingService) -> None:
    """Both hold the same proposals in the same clusters with the same items, and suggest alike."""
    ea, eb = a.entries(), b.entries()
    assert [(p, c) for p, c, _ in ea] == [(p, c) for p, c, _ in eb]
    for (_, _, x), (_, _, y) in zip(ea, eb, strict=True):
        assert (x.terms, x.kelurahan, x.streets, x.local, x.groups, x.needs, x.utilities) == (
            y.terms, y.kelurahan, y.streets, y.local, y.groups, y.needs, y.utilities)
        assert x.words == y.words != ()  # the shared-boilerplate check reads them (a saved item has no text)
        np.testing.assert_array_equal(x.vector, y.vector)
    probe = a.prepare("lampu jalan merdeka guntung mati, tolong diganti")
    assert a.suggest(probe, 3) == b.suggest(probe, 3)


def _engine(settings: Settings) -> Engine:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine


def test_start_takes_the_saved_index_and_catches_up_with_what_changed_since(
    settings: Settings, onnx_embedder: Embedder, tmp_path: Path
) -> None:
    engine, snapshot = _engine(settings), tmp_path / "index"
    running = GroupingService(settings.config, onnx_embedder)
    _submit(engine, running, [LAMP[0], LAMP[1], *OTHERS], 0)
    first, loaded = _fill(engine, settings, onnx_embedder, snapshot)
    assert loaded == Loaded(count=5, from_snapshot=0, read=5, refused=None) and (snapshot / HEADER).is_file()
    _submit(engine, first, LATER, 10)  # after the watermark
    with session_scope(engine) as session:  # a moderator hides the sewing class, moves a lamp text away
        sewing = session.exec(select(Proposal).where(Proposal.text_verbatim == OTHERS[1])).one()
        session.get(Cluster, sewing.cluster_id).hidden = True  # type: ignore[union-attr]
        lamp = session.exec(select(Proposal).where(Proposal.text_verbatim == LAMP[1])).one()
        drains = session.exec(select(Proposal).where(Proposal.text_verbatim == OTHERS[2])).one()
        lamp.cluster_id = drains.cluster_id
    caught_up, loaded = _fill(engine, settings, onnx_embedder, snapshot)
    assert loaded == Loaded(count=6, from_snapshot=4, read=2, refused=None)
    rebuilt, _ = _fill(engine, settings, onnx_embedder, None)
    _same_index(caught_up, rebuilt)
    again, loaded = _fill(engine, settings, onnx_embedder, snapshot)  # saved again after catching up
    assert loaded == Loaded(count=6, from_snapshot=6, read=0, refused=None)
    _same_index(again, rebuilt)
    engine.dispose()


def test_a_damaged_saved_index_is_rebuilt_never_trusted(settings: Settings, onnx_embedder: Embedder,
                                                        tmp_path: Path) -> None:
    engine, snapshot = _engine(settings), tmp_path / "index"
    _submit(engine, GroupingService(settings.config, onnx_embedder), [LAMP[0], *OTHERS], 0)
    _fill(engine, settings, onnx_embedder, snapshot)
    vectors = snapshot / "vectors.npy"
    data = bytearray(vectors.read_bytes())
    data[-100] ^= 0x40  # one bit of one vector
    vectors.write_bytes(bytes(data))
    damaged, loaded = _fill(engine, settings, onnx_embedder, snapshot)
    assert loaded.refused is not None and "checksum" in loaded.refused
    assert loaded.count == loaded.read == 4 and loaded.from_snapshot == 0
    rebuilt, _ = _fill(engine, settings, onnx_embedder, None)
    _same_index(damaged, rebuilt)
    (snapshot / "ids.npy").write_bytes(b"not numpy at all")
    _, loaded = _fill(engine, settings, onnx_embedder, snapshot)
    assert loaded.refused is not None and loaded.read == 4
    (snapshot / HEADER).write_text("{", encoding="utf-8")
    _, loaded = _fill(engine, settings, onnx_embedder, snapshot)
    assert loaded.refused is not None and loaded.read == 4
    _, loaded = _fill(engine, settings, onnx_embedder, snapshot)  # rewritten whole: used again
    assert loaded == Loaded(count=4, from_snapshot=4, read=0, refused=None)
    engine.dispose()


def test_a_saved_index_of_other_code_or_another_model_is_stale(settings: Settings, onnx_embedder: Embedder,
                                                               embedder: Embedder, tmp_path: Path) -> None:
    engine, snapshot = _engine(settings), tmp_path / "index"
    _submit(engine, GroupingService(settings.config, onnx_embedder), [LAMP[0], *OTHERS], 0)
    _fill(engine, settings, onnx_embedder, snapshot)
    _, loaded = _fill(engine, settings, onnx_embedder, snapshot, key="other code or config")
    assert loaded.refused is not None and loaded.read == 4
    torch_index, loaded = _fill(engine, settings, embedder, snapshot)  # another backend: re-embedded, rebuilt
    assert loaded.refused is not None and loaded.read == 4 and len(torch_index) == 4
    with session_scope(engine) as session:
        assert {p.embedding_model for p in session.exec(select(Proposal))} == {embedder.identity}
    engine.dispose()

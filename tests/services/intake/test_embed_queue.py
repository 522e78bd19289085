"""The micro-batcher: texts arriving together share a batch, and their decisions follow arrival order."""

import asyncio
import random
from collections.abc import Sequence

from bot.settings import Settings
from nlp.embed import Embedder
from services.intake.embed_queue import MicroBatcher
from services.intake.grouping import GroupingService, Prepared
from tests.services.conftest import LAMP

OTHER = [
    "Pemuda Kanaan butuh lapangan voli yang layak, sekarang cuma tanah becek.",
    "lapangan voli di kanaan rusak parah, tolong dibangun yang baru",
    "Kami minta dibukakan kelas menjahit gratis untuk ibu-ibu rumah tangga supaya bisa buka usaha.",
]


async def test_texts_arriving_together_are_embedded_in_one_batch_in_order(settings: Settings,
                                                                          onnx_embedder: Embedder) -> None:
    grouping = GroupingService(settings.config, onnx_embedder)
    texts = LAMP + OTHER
    results = await asyncio.gather(*(grouping.batcher.run(t) for t in texts))
    assert list(grouping.batcher.sizes) == [len(texts)]
    alone = [grouping.prepare(t) for t in texts]
    for got, want in zip(results, alone, strict=True):
        assert got.clean == want.clean and got.redacted == want.redacted and got.streets == want.streets
        assert got.vector is not None and want.vector is not None
        assert float(got.vector @ want.vector) >= 0.99999
    grouping.batcher.close()


def _decide(grouping: GroupingService, ids: list[int], prepared_id: int, prepared: Prepared) -> int:
    """Assign the text to a cluster (a new one, numbered by its id, when none fits) and index it."""
    cluster = grouping.assign(prepared) or 1000 + prepared_id
    grouping.add(prepared_id, cluster, prepared)
    ids.append(prepared_id)
    return cluster


async def test_decisions_after_a_batch_follow_arrival_order_each_seeing_the_earlier(
    settings: Settings, onnx_embedder: Embedder
) -> None:
    texts = [LAMP[0], OTHER[0], LAMP[1], OTHER[1], LAMP[2], OTHER[2]]
    sequential = GroupingService(settings.config, onnx_embedder)
    expected = [_decide(sequential, [], i, sequential.prepare(t)) for i, t in enumerate(texts)]
    grouping = GroupingService(settings.config, onnx_embedder)
    order: list[int] = []
    rng = random.Random(7)

    async def one(i: int, text: str) -> int:
        async with grouping.batcher.turn(text) as prepared:
            await asyncio.sleep(rng.random() / 50)  # a database round trip of varying length
            return _decide(grouping, order, i, prepared)

    got = await asyncio.gather(*(one(i, t) for i, t in enumerate(texts)))
    assert order == list(range(len(texts)))
    assert got == expected
    assert got[0] == got[2] == got[4] and got[1] == got[3]  # the lamp texts joined the first one
    assert max(grouping.batcher.sizes) > 1
    grouping.batcher.close()


async def test_a_failed_batch_fails_its_waiters_and_later_turns_still_run() -> None:
    def work(texts: Sequence[str]) -> list[str]:
        if "bad" in texts:
            raise RuntimeError("model failed")
        return [t.upper() for t in texts]

    batcher: MicroBatcher[str] = MicroBatcher(work, window=0.0, max_batch=2)
    done: list[str] = []

    async def one(text: str) -> None:
        async with batcher.turn(text) as result:
            done.append(result)

    outcomes = await asyncio.gather(*(one(t) for t in ["a", "bad", "c", "d"]), return_exceptions=True)
    assert [type(o).__name__ for o in outcomes] == ["RuntimeError", "RuntimeError", "NoneType", "NoneType"]
    assert done == ["C", "D"] and list(batcher.sizes) == [2, 2]
    batcher.close()


async def test_a_batch_never_exceeds_its_bound() -> None:
    batcher: MicroBatcher[int] = MicroBatcher(lambda texts: [len(t) for t in texts], window=0.001, max_batch=3)
    got = await asyncio.gather(*(batcher.run("x" * n) for n in range(1, 8)))
    assert got == list(range(1, 8))
    assert max(batcher.sizes) <= 3 and sum(batcher.sizes) == 7
    batcher.close()


async def test_one_text_alone_is_a_batch_of_one(settings: Settings, onnx_embedder: Embedder) -> None:
    grouping = GroupingService(settings.config, onnx_embedder)
    prepared = await grouping.batcher.run(LAMP[0])
    alone = grouping.prepare(LAMP[0])
    assert prepared.vector is not None and alone.vector is not None
    assert list(grouping.batcher.sizes) == [1] and float(prepared.vector @ alone.vector) >= 0.99999
    grouping.batcher.close()


async def test_work_meanwhile_runs_before_the_earlier_turns_end() -> None:
    batcher: MicroBatcher[str] = MicroBatcher(lambda texts: [t.upper() for t in texts], window=0.0)
    later_searched = asyncio.Event()
    loop = asyncio.get_running_loop()
    order: list[str] = []

    async def first() -> None:
        async with batcher.turn("a"):
            await asyncio.wait_for(later_searched.wait(), 30)  # the later text's work must not wait for this turn
            order.append("a")

    async def second() -> None:
        async with batcher.turn("b", lambda r: loop.call_soon_threadsafe(later_searched.set)):
            order.append("b")

    await asyncio.gather(first(), second())
    assert order == ["a", "b"]
    batcher.close()

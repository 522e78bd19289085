"""Obvious spam is held for a moderator instead of published: shop links, phone-number ads, repeats.

The rules are deliberately narrow (a held real complaint costs a moderator one tap; a published ad costs
every resident's trust): a link to a marketplace or a link shortener; any link, or a phone number, next to
selling words; a phone number with hardly any words; two or more selling phrases; or the same text the
resident already sent.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, col, select

from models.audit import record
from models.proposals import Proposal, ProposalState
from models.types import utcnow
from nlp.redact import PHONE

SHOP_LINK = re.compile(
    r"(shopee|tokopedia|tokped|lazada|bukalapak|blibli|olx\.|vt\.tiktok|tiktok\.com/@|wa\.me|"
    r"api\.whatsapp|chat\.whatsapp|bit\.ly|s\.id/|linktr\.ee|lynk\.id|t\.me/|facebook\.com/marketplace|"
    r"fb\.me|tinyurl|shorturl)",
    re.IGNORECASE,
)
LINK = re.compile(r"(https?://|www\.)\S+|\b[\w-]+\.(com|co\.id|id|net|shop|store|xyz|me|ly|site|online)(/\S*)?\b",
                  re.IGNORECASE)
# The common words of Indonesian sale posts and classified ads (selling, discounts, delivery, "price negotiable",
# "serious buyers only", cash on delivery) and of online gambling promotions; whole words only.
SELLING = re.compile(
    r"\b(dijual|jual|promo|diskon|harga nego|nego|ready stock|open order|open po|order sekarang|"
    r"murah meriah|gratis ongkir|ongkir|reseller|dana tunai|slot gacor|gacor|togel|judi online|"
    r"serius only|cod)\b",
    re.IGNORECASE,
)
MIN_WORDS_WITH_PHONE = 5


class SpamReason(StrEnum):
    """Why a text was held (the value is kept in the audit log and is the suffix of its text key, e.g.
    spam_reason_link)."""

    SHOP_LINK = "link"
    AD = "ad"
    PHONE_AD = "phone"
    REPEAT = "repeat"


@dataclass(frozen=True)
class Held:
    """A proposal held for a moderator instead of published."""

    code: str
    reason: SpamReason | None  # None: it was held already (a repeated press)


def text_reason(text: str) -> SpamReason | None:
    """Return why a (redacted) text looks like an advertisement, or None."""
    selling = {m.group(0).lower() for m in SELLING.finditer(text)}
    if SHOP_LINK.search(text):
        return SpamReason.SHOP_LINK
    if LINK.search(text) and selling:
        return SpamReason.AD
    if PHONE in text:
        words = re.findall(r"[^\W\d_]{2,}", text.replace(PHONE, " "))
        if selling or len(words) < MIN_WORDS_WITH_PHONE:
            return SpamReason.PHONE_AD
    return SpamReason.AD if len(selling) >= 2 else None


def same_text_key(text: str) -> str:
    """A text reduced to its words, to recognise the same message sent again."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def repeated(*, session: Session, proposal: Proposal) -> bool:
    """Tell whether the resident already sent the same text (published, held or hidden)."""
    if proposal.resident_id is None:
        return False
    key = same_text_key(proposal.text_redacted)
    earlier = session.exec(
        select(Proposal.text_redacted).where(
            Proposal.resident_id == proposal.resident_id, Proposal.id != proposal.id,
            col(Proposal.state).in_([ProposalState.SUBMITTED, ProposalState.HELD, ProposalState.HIDDEN]),
        )
    ).all()
    return any(same_text_key(text) == key for text in earlier)


def spam_reason(*, session: Session, proposal: Proposal) -> SpamReason | None:
    """Return why a draft about to be published must wait for a moderator, or None."""
    reason = text_reason(proposal.text_redacted)
    if reason is None and repeated(session=session, proposal=proposal):
        reason = SpamReason.REPEAT
    return reason


def hold(*, session: Session, proposal: Proposal, reason: SpamReason) -> Held:
    """Keep a proposal out of clusters until a moderator releases or hides it."""
    assert proposal.code is not None
    proposal.state = ProposalState.HELD
    proposal.submitted_at = proposal.submitted_at or utcnow()  # still counts against the rate limit
    session.add(proposal)
    record(session=session, actor="system", action="hold", target=f"proposal:{proposal.code}",
           before={"state": ProposalState.DRAFT}, after={"state": ProposalState.HELD, "reason": reason})
    return Held(code=proposal.code, reason=reason)

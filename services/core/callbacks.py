"""Callback data of every inline button, in one place: what a keyboard puts in a button, and the pattern
bot/app.py registers the button's handler with.

Each family has a prefix, a builder (what the keyboard stores) and a whole-string pattern (what its handler
accepts; its groups are the parts the handler reads back). Plain strings, no Telegram types, so services that
queue keyboards as JSON (digests, the staff chat) use them as the handlers do. Telegram allows 1 to 64 bytes.
"""

import re

MAX_BYTES = 64  # Telegram's limit for callback data
MAX_ID = 2**31 - 1  # row ids are integer columns (32 bits on PostgreSQL)


def _whole(body: str) -> re.Pattern[str]:
    """A pattern that accepts the whole data and nothing more (no trailing newline, ASCII digits only)."""
    return re.compile(rf"^(?:{body})\Z", re.ASCII)


def _id(name: str) -> str:
    """A group for a row id: at most 10 ASCII digits, named `id_…` so that `valid` can check its size."""
    return rf"(?P<id_{name}>\d{{1,10}})"


# Residents: onboarding
CONSENT = "consent"  # "Saya setuju" under the privacy notice
NOOP = "noop"  # a kecamatan heading row in the kelurahan keyboard (pressing it only explains)
KELURAHAN_PREFIX = "kel:"
CONSENT_PATTERN = _whole(CONSENT)
NOOP_PATTERN = _whole(NOOP)
KELURAHAN_PATTERN = _whole(rf"{KELURAHAN_PREFIX}(.+)")

# Residents: a draft's buttons
SEND, SEND_NEW, SUPPORT, CANCEL = "ok", "baru", "dukung", "batal"
DRAFT_PATTERN = _whole(rf"({SEND}|{SEND_NEW}|{CANCEL}):{_id('a')}|({SUPPORT}):{_id('b')}:{_id('c')}")

# Residents: /hapus_data confirmation, /status unfollow buttons
ERASE, KEEP = "hapus:ya", "hapus:batal"
ERASE_PATTERN = _whole(rf"{ERASE}|{KEEP}")
UNFOLLOW_PREFIX = "unfollow:"
UNFOLLOW_PATTERN = _whole(rf"{UNFOLLOW_PREFIX}{_id('a')}")

# Moderators: a digest's hide/show toggles and Teruskan ke staf
DIGEST_PREFIX = "dg:"
DIGEST_HIDE, DIGEST_FORWARD = "h", "f"
DIGEST_PATTERN = _whole(rf"{DIGEST_PREFIX}(?:({DIGEST_HIDE}):{_id('a')}:{_id('b')}|({DIGEST_FORWARD}):{_id('c')})")

# Moderators: Ya / Batal under a preview, Urungkan under a confirmation (a stored pending action with its
# random token; an Urungkan names the undo row stored when Ya was pressed)
PENDING_PREFIX = "pa:"
YES, NO, UNDO = "ya", "no", "undo"
PENDING_PATTERN = _whole(rf"{PENDING_PREFIX}({YES}|{NO}|{UNDO}):{_id('a')}:([0-9a-f]+)")

# Moderators: Terima / Tolak on a regroup suggestion, Terbitkan / Sembunyikan on a held aspiration
REGROUP_PREFIX = "rg:"
ACCEPT, REJECT = "ok", "no"
REGROUP_PATTERN = _whole(rf"{REGROUP_PREFIX}({ACCEPT}|{REJECT}):{_id('a')}")
HELD_PREFIX = "held:"
RELEASE, HIDE = "lepas", "hide"
HELD_PATTERN = _whole(rf"{HELD_PREFIX}({RELEASE}|{HIDE}):([\w-]+)")
MODERATOR_PREFIXES = (REGROUP_PREFIX, HELD_PREFIX)  # buttons only a forum's moderator may press

# Staff: a status button under a cluster's message in the staff chat
STATUS_PREFIX = "st:"
STATUS_PATTERN = _whole(rf"{STATUS_PREFIX}{_id('a')}:([a-z_]+)")

# Residents: Sudah / Belum / Sebagian on "is it solved?" (also under /status), 👍/👎 under a staff answer
SOLVED_PREFIX = "puas:"
SOLVED_PATTERN = _whole(rf"{SOLVED_PREFIX}(sudah|belum|sebagian):{_id('a')}")
RATING_PREFIX = "nilai:"
RATE_UP, RATE_DOWN = "up", "down"
RATING_PATTERN = _whole(rf"{RATING_PREFIX}({RATE_UP}|{RATE_DOWN}):{_id('a')}")
PATTERNS = (CONSENT_PATTERN, NOOP_PATTERN, KELURAHAN_PATTERN, DRAFT_PATTERN, ERASE_PATTERN, UNFOLLOW_PATTERN,
            DIGEST_PATTERN, PENDING_PATTERN, REGROUP_PATTERN, HELD_PATTERN, STATUS_PATTERN, SOLVED_PATTERN,
            RATING_PATTERN)


def valid(data: str | None) -> bool:
    """Tell whether button data is one the bot makes: 1 to 64 bytes, of a known family, every id a size the
    database can hold. Checked before any handler, so a forged button never reaches a query."""
    if not data or len(data.encode()) > MAX_BYTES:
        return False
    for pattern in PATTERNS:
        match = pattern.match(data)
        if match is not None:
            ids = [v for k, v in match.groupdict().items() if k.startswith("id_") and v is not None]
            return all(int(v) <= MAX_ID for v in ids)
    return False


def kelurahan(code: str) -> str:
    """A kelurahan button (its Kemendagri code)."""
    return f"{KELURAHAN_PREFIX}{code}"


def draft(action: str, proposal_id: int, cluster_id: int | None = None) -> str:
    """A draft button: SEND, SEND_NEW or CANCEL a proposal, or SUPPORT a cluster with it."""
    if (action == SUPPORT) != (cluster_id is not None):
        raise ValueError(f"{action!r} and cluster {cluster_id!r} do not go together")
    return f"{action}:{proposal_id}" if cluster_id is None else f"{action}:{proposal_id}:{cluster_id}"


def parse_draft(data: str) -> tuple[str, int, int | None]:
    """The action, proposal id and (for SUPPORT) cluster id of a draft button."""
    match = DRAFT_PATTERN.match(data)
    if match is None:
        raise ValueError(f"not a draft button: {data!r}")
    if match.group(1) is not None:
        return match.group(1), int(match.group(2)), None
    return match.group(3), int(match.group(4)), int(match.group(5))


def unfollow(cluster_id: int) -> str:
    """Stop news about one cluster."""
    return f"{UNFOLLOW_PREFIX}{cluster_id}"


def solved(verdict: str, cluster_id: int) -> str:
    """A resident's answer (sudah, belum, sebagian) to "is the problem of this cluster solved?"."""
    return f"{SOLVED_PREFIX}{verdict}:{cluster_id}"


def rating(value: str, reply_id: int) -> str:
    """RATE_UP or RATE_DOWN on a staff answer."""
    return f"{RATING_PREFIX}{value}:{reply_id}"


def digest_hide(digest_id: int, cluster_id: int) -> str:
    """Hide (or show again) one cluster of a digest."""
    return f"{DIGEST_PREFIX}{DIGEST_HIDE}:{digest_id}:{cluster_id}"


def digest_forward(digest_id: int) -> str:
    """Forward a digest to the staff."""
    return f"{DIGEST_PREFIX}{DIGEST_FORWARD}:{digest_id}"


def parse_digest(data: str) -> tuple[str, int, int | None]:
    """The action (DIGEST_HIDE or DIGEST_FORWARD), digest id and (for DIGEST_HIDE) cluster id."""
    match = DIGEST_PATTERN.match(data)
    if match is None:
        raise ValueError(f"not a digest button: {data!r}")
    if match.group(1) is not None:
        return match.group(1), int(match.group(2)), int(match.group(3))
    return match.group(4), int(match.group(5)), None


def pending(verdict: str, pending_id: int | None, token: str) -> str:
    """Ya (YES) or Batal (NO) on a stored preview, or UNDO on a confirmation (its row must be saved: it needs
    the id)."""
    if pending_id is None:
        raise ValueError("a pending action's buttons need its stored id")
    return f"{PENDING_PREFIX}{verdict}:{pending_id}:{token}"


def regroup(verdict: str, suggestion_id: int) -> str:
    """ACCEPT or REJECT a regroup suggestion."""
    return f"{REGROUP_PREFIX}{verdict}:{suggestion_id}"


def held(verdict: str, code: str) -> str:
    """RELEASE or HIDE a held aspiration (by its code)."""
    return f"{HELD_PREFIX}{verdict}:{code}"


def status(cluster_id: int, code: str) -> str:
    """Set a cluster's status from the staff chat."""
    return f"{STATUS_PREFIX}{cluster_id}:{code}"


def matched(pattern: re.Pattern[str], data: str | None) -> tuple[str, ...]:
    """The parts of a button's data, by its family's pattern (ValueError when it is not of that family)."""
    match = pattern.match(data or "")
    if match is None:
        raise ValueError(f"{data!r} does not match {pattern.pattern}")
    return tuple(match.groups())

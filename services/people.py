"""How residents appear to staff and moderators: a pseudonym and a kelurahan, never a Telegram identity."""

from models.residents import Resident


def resident_label(resident: Resident | None, kelurahan: str | None = None) -> str:
    """Return e.g. "Warga 83 · Lok Tuan"; a deleted resident is "Warga (dihapus)"."""
    if resident is None or resident.id is None or resident.deleted_at is not None:
        return "Warga (dihapus)"
    place = kelurahan or resident.kelurahan
    return f"Warga {resident.id} · {place}" if place else f"Warga {resident.id}"

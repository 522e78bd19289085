"""How residents appear to staff and moderators: a pseudonym and a kelurahan, never a Telegram identity."""

from models.residents import Resident
from services.core.texts import raw


def resident_label(resident: Resident | None, kelurahan: str | None = None) -> str:
    """Return e.g. "Warga 83 · Lok Tuan"; a deleted resident is "Warga (dihapus)"."""
    if resident is None or resident.id is None or resident.deleted_at is not None:
        return raw("resident_label_deleted")
    place = kelurahan or resident.kelurahan
    if not place:
        return raw("resident_label_no_place", number=resident.id)
    return raw("resident_label", number=resident.id, kelurahan=place)

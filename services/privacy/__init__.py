"""Residents' rights under UU No. 27/2022: what is stored about them and its erasure (`rights`), erasure by provenance
through every derived text and every chat (`erasure`, `erasure_chats`), text matching as a second net (`scrub`), and
retention: drafts never sent (`draft_expiry`) and what the outbox no longer needs (`outbox_files`).

Entry points: `rights.personal_data`, `rights.erase_resident`.
"""

"""Moderators tidy their forum's clusters: merge and split (`merge_split`), previewed actions carried out on Ya and
taken back on Urungkan (`actions`, `previews`, `undo`), hide/show, rename and recategorise (`curation`), releasing
held spam (`held`), bans, and decisions on re-clustering suggestions (`suggestion_review`). Every change is audited.

Entry points: `actions`, `merge_split`, `curation`.
"""

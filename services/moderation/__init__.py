"""Moderators tidy their forum's clusters: merge and split (`merge_split`), previewed actions carried out on Ya and
taken back on Urungkan (`actions`, `previews`, `undo`), hide/show, rename and recategorise (`curation`), releasing
held spam (`held`), bans, decisions on re-clustering suggestions (`suggestion_review`), and the vulnerable groups
and aid problems a moderator adds or removes (`vulnerable_tags`). Every change is audited.

Entry points: `actions`, `merge_split`, `curation`.
"""

"""Closing the conversation with residents: staff answers and status changes (`staff_answers`), the staff chat's
cluster cards and overdue list (`staffchat`), residents' follow-ups, what `/status` shows, and the photos and pins
residents attach (`attachments`, `photo_cache`); closing the loop: residents asked whether a resolved request is
solved, a "Belum" majority reopening it, 👍/👎 on answers (`satisfaction`, `satisfaction_keys`).

Entry points: `staff_answers.answer_cluster`, `staffchat`, `followups`, `status`, `satisfaction`.
"""

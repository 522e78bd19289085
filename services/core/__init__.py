"""Shared basics every feature uses: the typed config, the texts people read (texts_id.yaml, texts_web_id.yaml),
Indonesian number and date formats, Telegram HTML limits, callback data of every button, Bot API payloads as plain
JSON, short notices to residents queued with a change (`notify`), working days for answer deadlines (`deadlines`),
who each cluster is for (kelompok rentan, social-aid problems: `vulnerable`), and the one query layer every figure
on every screen comes from (`counting`).

Entry points: `config.AppConfig`, `texts.text`, `formats`, `tg_html`, `callbacks`, `payloads`, `counting`.
Nothing here imports a feature package.
"""

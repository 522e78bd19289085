"""Weekly forum digests: when a period ends (`periods`), the aggregate queries behind it (`queries`), the plain data
stored with it (`data`), its chart (`chart`), its Telegram HTML (`render`) and its way to moderators and staff
exactly once (`delivery`).

Entry points: `periods.build_digest`, `delivery`.
"""

"""Who may do what and how people are named: roles from config, web login links and sessions, and residents'
pseudonyms.

Entry points: `roles`, `weblogin`, `people`.
"""

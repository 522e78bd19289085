"""Residents' aspirations coming in: drafts and text checks, the grouping seam (embed, suggest, assign), obvious spam
held for a moderator, the in-memory index filled from the database, cluster labels, twin clusters, re-clustering
with its merge/split suggestions, and `aspirasi eval`.

Entry points: `drafts` (submit, support), `grouping.GroupingService`, `index.fill_index`, `regroup.regroup`,
`evaluation.evaluate`.
"""

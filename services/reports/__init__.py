"""What planners take away: exports (CSV, XLSX), the Musrenbang workbook and statistics.

Their figures come from the one query layer, `services.core.counting`.

Entry points: `exports`, `musrenbang`, `stats`, `stats_render`.
"""

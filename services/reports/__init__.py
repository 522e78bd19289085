"""What planners take away: exports (CSV, XLSX), the Musrenbang workbook, the Bansos export for Dinas Sosial
(`bansos`) and statistics.

Their figures come from the one query layer, `services.core.counting`.

Entry points: `exports`, `musrenbang`, `bansos`, `stats`, `stats_render`.
"""

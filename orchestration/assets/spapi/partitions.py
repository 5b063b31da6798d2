"""The calendar the dated SP-API data is partitioned by."""

import dagster as dg

# One partition per UTC day. History before the start is not requested (Amazon keeps about two years).
HISTORY_START = "2024-01-01"
daily_partitions = dg.DailyPartitionsDefinition(start_date=HISTORY_START, timezone="Etc/UTC")

"""Demo step "reports" (the last): the dashboards' pre-aggregates over the demo just seeded."""

from .context import DemoContext

__all__ = ["reports_demo_step"]


def reports_demo_step(ctx: DemoContext) -> None:
    """Build the dashboards' pre-aggregates over the demo data just seeded."""
    from reports.services import reports_refresh

    log = reports_refresh(as_of=ctx.today)
    ctx.log(f"reports: pre-aggregated {log.periods} periods ({log.rows} rows)")

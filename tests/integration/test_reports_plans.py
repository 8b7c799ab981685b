"""Not a test module any more: the plan reports' tests are in reports/, one module per report, and their
helpers in reports/plan_reports.py. This file only keeps ``from tests.integration.test_reports_plans import
approve, evaluate`` of browser/test_reports_browser.py working until that module imports them from
tests.integration.reports.plan_reports; then it goes."""

from tests.integration.reports.plan_reports import approve, evaluate

__all__ = ["approve", "evaluate"]

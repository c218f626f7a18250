"""Assessment: hamlets, dead zones, FTTH reach and sharing scored against the plan.

People on the grid (:mod:`~coverage.assess.population`), hamlet mobile coverage
(:mod:`~coverage.assess.mobile`), dead zones (:mod:`~coverage.assess.deadzones`), FTTH reach
(:mod:`~coverage.assess.ftth`), sharing (:mod:`~coverage.assess.sharing`), the plan's indicators
(:mod:`~coverage.assess.indicators`) and scorecard (:mod:`~coverage.assess.scorecard`), the settings and
result (:mod:`~coverage.assess.assessment`), the pipeline (:mod:`~coverage.assess.pipeline`) and the
offline report (:mod:`~coverage.assess.report`). Reads layers and radio rasters; never imports planning.
"""

from __future__ import annotations

from coverage.assess.assessment import KPI_COLUMNS, Assessment, AssessmentConfig, assessment_config
from coverage.assess.pipeline import assess, run_assessment
from coverage.assess.scorecard import read_plan, score
from coverage.assess.sharing import sharing_rates

__all__ = [
    "KPI_COLUMNS",
    "Assessment",
    "AssessmentConfig",
    "assess",
    "assessment_config",
    "read_plan",
    "run_assessment",
    "score",
    "sharing_rates",
]

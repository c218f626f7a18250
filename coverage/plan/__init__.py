"""Planning: where to build next, new sites (co-location first) and fibre extensions.

Candidates and the coverage matrix (:mod:`~coverage.plan.candidates`), the covering models
(:mod:`~coverage.plan.optimize`), ranked site plans verified by the engine (:mod:`~coverage.plan.site_plan`)
and fibre extensions (:mod:`~coverage.plan.fibre`). Uses every lower stage; nothing in ``coverage``
imports it but the CLI.
"""

from __future__ import annotations

from coverage.plan.fibre import fibre_extensions
from coverage.plan.optimize import MaximalCovering, SetCovering
from coverage.plan.site_plan import SitePlan, plan_sites, verify_plan, write_plan

__all__ = ["MaximalCovering", "SetCovering", "SitePlan", "fibre_extensions", "plan_sites", "verify_plan", "write_plan"]

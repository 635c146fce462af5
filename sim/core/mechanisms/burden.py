"""Administrative burden: tasks pushed down consume residents'-committee hours (ODD §7.3).

Each month district departments send `admin_task_hours_per_1000` task hours per 1,000
residents to the street; the street pushes `task_pushdown_share` of them to its
communities. With a power/responsibility list, pushed hours are capped at
`responsibility_list_cap` of the committee's staff hours; the street keeps the rest at
`street_task_cost` per hour out of its budget (the list's cost). Inspections take
`inspections_per_month × inspection_hours`. Tasks and inspections are done first; what is
left are the committee's free hours.
"""

from __future__ import annotations

import numpy as np


def step(model) -> None:
    p, cm, st = model.p, model.communities, model.streets
    cm.hours = cm.staff * p["staff_hours"]
    arriving = p["admin_task_hours_per_1000"] * cm.residents / 1000.0
    pushed = p["task_pushdown_share"] * arriving
    if p["responsibility_list"]:
        pushed = np.minimum(pushed, p["responsibility_list_cap"] * cm.hours)
    inspections = p["inspections_per_month"] * p["inspection_hours"]
    cm.admin_hours = np.minimum(cm.hours, pushed + inspections)
    model.flows["tasks_pushed"] = pushed
    model.flows["tasks_done"] = np.maximum(cm.admin_hours - inspections, 0.0)
    kept = arriving - pushed
    st.task_hours = np.bincount(cm.street, weights=arriving, minlength=st.n)
    st.kept_task_hours = np.bincount(cm.street, weights=kept, minlength=st.n)

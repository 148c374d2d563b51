"""The benchmark filters, each beside a hand-written Python twin.

A twin is the predicate a Python developer would write for the same filter;
on the benchmark dataset it gives exactly the answers bexpr gives (the suite
checks this before timing anything).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Case:
    name: str
    expression: str
    twin: Callable[[Any], bool]
    jmespath: str | None = None
    simpleeval: str | None = None
    rule_engine: str | None = None


_WEB = re.compile("^web-")
_API = re.compile("-api-")

CASES = [
    Case(
        "equality",
        'Status == "running"',
        lambda r: r["Status"] == "running",
        jmespath="[?Status == 'running']",
        simpleeval='r["Status"] == "running"',
        rule_engine='Status == "running"',
    ),
    Case(
        "compound",
        'Status == "running" and not (Type == "batch") or Priority == 90',
        lambda r: (r["Status"] == "running" and r["Type"] != "batch") or r["Priority"] == 90,
        jmespath="[?(Status == 'running' && !(Type == 'batch')) || Priority == `90`]",
        simpleeval=('r["Status"] == "running" and not r["Type"] == "batch" or r["Priority"] == 90'),
        rule_engine='Status == "running" and not Type == "batch" or Priority == 90',
    ),
    Case(
        "contains",
        'Datacenters contains "dc2"',
        lambda r: "dc2" in r["Datacenters"],
        jmespath="[?contains(Datacenters, 'dc2')]",
        simpleeval='"dc2" in r["Datacenters"]',
        rule_engine='"dc2" in Datacenters',
    ),
    Case(
        "map_key",
        'Meta["env"] == "prod"',
        lambda r: r["Meta"]["env"] == "prod",
        jmespath="[?Meta.env == 'prod']",
        simpleeval='r["Meta"]["env"] == "prod"',
        rule_engine='Meta["env"] == "prod"',
    ),
    Case(
        "matches",
        'Name matches "^web-"',
        lambda r: _WEB.search(r["Name"]) is not None,
        jmespath="[?starts_with(Name, 'web-')]",
        simpleeval='r["Name"].startswith("web-")',
        rule_engine='Name =~ "^web-"',
    ),
    Case(
        "missing_key",
        'Meta.owner == "ana"',
        lambda r: r["Meta"].get("owner") == "ana",
        jmespath="[?Meta.owner == 'ana']",
        simpleeval='r["Meta"].get("owner") == "ana"',
        rule_engine='Meta&["owner"] == "ana"',
    ),
    Case(
        "any",
        'any TaskGroups as g { g.Name == "cache" }',
        lambda r: any(g["Name"] == "cache" for g in r["TaskGroups"]),
        jmespath="[?TaskGroups[?Name == 'cache']]",
        simpleeval=None,
        rule_engine='[g for g in TaskGroups if g["Name"] == "cache"].length > 0',
    ),
    Case(
        "deep",
        "JobSummary.Children.Running == 1",
        lambda r: r["JobSummary"]["Children"]["Running"] == 1,
        jmespath="[?JobSummary.Children.Running == `1`]",
        simpleeval='r["JobSummary"]["Children"]["Running"] == 1',
        rule_engine="JobSummary.Children.Running == 1",
    ),
    Case(
        "empty",
        "Meta.owner is empty",
        lambda r: "owner" not in r["Meta"],
        jmespath="[?!Meta.owner]",
        simpleeval='"owner" not in r["Meta"]',
    ),
    Case(
        "nil",
        "Multiregion is nil",
        lambda r: r["Multiregion"] is None,
        jmespath="[?Multiregion == null]",
        simpleeval='r["Multiregion"] == None',
    ),
    Case(
        "ten_clauses",
        'Status == "running" and Type != "batch" and Priority == 50'
        ' or Namespace == "platform" and Stop == false and Periodic == false'
        ' or Meta.env == "prod" and Meta.team == "web" and "dc1" in Datacenters'
        ' and Name matches "-api-"',
        lambda r: (
            (r["Status"] == "running" and r["Type"] != "batch" and r["Priority"] == 50)
            or (r["Namespace"] == "platform" and not r["Stop"] and not r["Periodic"])
            or (
                r["Meta"]["env"] == "prod"
                and r["Meta"]["team"] == "web"
                and "dc1" in r["Datacenters"]
                and _API.search(r["Name"]) is not None
            )
        ),
    ),
    Case(
        "all_nested",
        'all TaskGroups as g { all g.Tasks as t { t.Driver != "raw_exec" } }',
        lambda r: all(all(t["Driver"] != "raw_exec" for t in g["Tasks"]) for g in r["TaskGroups"]),
    ),
    Case(
        "selective",
        'Status == "dead" and not (Type == "batch") and Priority == 90',
        lambda r: r["Status"] == "dead" and r["Type"] != "batch" and r["Priority"] == 90,
    ),
    Case(
        "unselective",
        'Status != "dead" or not (Type == "batch") or Priority == 90',
        lambda r: r["Status"] != "dead" or r["Type"] != "batch" or r["Priority"] == 90,
    ),
]

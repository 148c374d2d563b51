"""A deterministic dataset of Nomad-style job stubs, shaped like the seed's
``GET /v1/jobs`` response entries (docs/performance.md)."""

from __future__ import annotations

import random
from typing import Any

STATUSES = ["running", "pending", "dead"]
TYPES = ["service", "batch", "system", "sysbatch"]
DATACENTERS = ["dc1", "dc2", "dc3", "eu-west", "us-east"]
TEAMS = ["web", "data", "ops", "ml", "billing", "search"]
ENVS = ["prod", "staging", "dev"]
GROUPS = ["web", "api", "cache", "worker", "db", "proxy"]
DRIVERS = ["docker", "exec", "docker", "java", "docker", "exec", "raw_exec"]


def job(i: int, rng: random.Random) -> dict[str, Any]:
    """One job stub; fields vary with ``rng`` but every job has every key."""
    team = rng.choice(TEAMS)
    name = f"{team}-{rng.choice(['api', 'worker', 'frontend', 'batch', 'canary'])}-{i}"
    groups = rng.sample(GROUPS, rng.randint(1, 3))
    summary = {
        g: {
            "Complete": rng.randint(0, 3),
            "Failed": rng.randint(0, 1),
            "Lost": 0,
            "Queued": rng.randint(0, 1),
            "Running": rng.randint(0, 5),
            "Starting": 0,
        }
        for g in groups
    }
    meta = {"env": rng.choice(ENVS), "team": team}
    if rng.random() < 0.3:
        meta["owner"] = rng.choice(["ana", "bo", "cy"])
    return {
        "ID": f"job-{i:06d}",
        "Name": name,
        "Namespace": rng.choice(["default", "default", "platform"]),
        "Type": rng.choice(TYPES),
        "Status": rng.choice(STATUSES),
        "Priority": rng.choice([30, 50, 50, 70, 90]),
        "Stop": rng.random() < 0.1,
        "Periodic": rng.random() < 0.2,
        "ParameterizedJob": False,
        "ParentID": "",
        "Datacenters": rng.sample(DATACENTERS, rng.randint(1, 3)),
        "Meta": meta,
        "CreateIndex": 1000 + i,
        "ModifyIndex": 1000 + i + rng.randint(0, 50),
        "JobModifyIndex": 1000 + i,
        "SubmitTime": 1645230400000000000 + i * 1_000_000,
        "TaskGroups": [
            {
                "Name": g,
                "Count": rng.randint(1, 5),
                # Derived from i and k, not drawn: the rest of the data stays as it was.
                "Tasks": [{"Driver": DRIVERS[(i + k + n) % len(DRIVERS)]} for n in range(2)],
            }
            for k, g in enumerate(groups)
        ],
        "Multiregion": None if i % 10 else {"Strategy": {"MaxParallel": 1}},
        "JobSummary": {
            "JobID": f"job-{i:06d}",
            "Namespace": "default",
            "Children": {"Dead": 0, "Pending": 0, "Running": rng.randint(0, 2)},
            "Summary": summary,
        },
    }


def jobs(count: int = 100_000, seed: int = 42) -> list[dict[str, Any]]:
    """``count`` job stubs, the same every time for a given seed."""
    rng = random.Random(seed)
    return [job(i, rng) for i in range(count)]

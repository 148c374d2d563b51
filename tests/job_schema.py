"""A schema for the entries of the seed's job list (``GET /v1/jobs``)."""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict


class Counts(TypedDict):
    Complete: int
    Failed: int
    Lost: int
    Queued: int
    Running: int
    Starting: int


class Children(TypedDict):
    Dead: int
    Pending: int
    Running: int


class JobSummary(TypedDict):
    Children: Children
    CreateIndex: int
    JobID: str
    ModifyIndex: int
    Namespace: str
    Summary: dict[str, Counts]


class JobListStub(TypedDict):
    CreateIndex: int
    Datacenters: list[str]
    ID: str
    JobModifyIndex: int
    JobSummary: JobSummary
    Meta: dict[str, str] | None
    ModifyIndex: int
    Multiregion: dict[str, Any] | None
    Name: str
    Namespace: str
    ParameterizedJob: bool
    ParentID: str
    Periodic: bool
    Priority: int
    Status: Literal["pending", "running", "dead"]
    StatusDescription: str
    Stop: bool
    SubmitTime: int
    Type: Literal["service", "batch", "system", "sysbatch"]
    Version: NotRequired[int]

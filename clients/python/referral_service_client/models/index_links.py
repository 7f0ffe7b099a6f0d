from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="IndexLinks")


@_attrs_define
class IndexLinks:
    """Where the service's documentation, probes, metrics and web pages are (paths on this service).

    Attributes:
        docs (str): Swagger UI: the API, operation by operation, with a console.
        redoc (str): ReDoc: the same document as one reading page.
        openapi (str): The OpenAPI 3.1 document.
        healthz (str): Liveness probe.
        readyz (str): Readiness probe.
        metrics (str): Prometheus metrics (an admin key or the metrics token).
        ui (str): The web pages for people (sign in with an API key); where a browser at `/` is sent.
    """

    docs: str
    redoc: str
    openapi: str
    healthz: str
    readyz: str
    metrics: str
    ui: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        docs = self.docs

        redoc = self.redoc

        openapi = self.openapi

        healthz = self.healthz

        readyz = self.readyz

        metrics = self.metrics

        ui = self.ui

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "docs": docs,
                "redoc": redoc,
                "openapi": openapi,
                "healthz": healthz,
                "readyz": readyz,
                "metrics": metrics,
                "ui": ui,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        docs = d.pop("docs")

        redoc = d.pop("redoc")

        openapi = d.pop("openapi")

        healthz = d.pop("healthz")

        readyz = d.pop("readyz")

        metrics = d.pop("metrics")

        ui = d.pop("ui")

        index_links = cls(
            docs=docs,
            redoc=redoc,
            openapi=openapi,
            healthz=healthz,
            readyz=readyz,
            metrics=metrics,
            ui=ui,
        )

        index_links.additional_properties = d
        return index_links

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties

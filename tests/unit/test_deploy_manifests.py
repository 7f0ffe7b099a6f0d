"""deploy/: the Kubernetes manifests against the Kubernetes API schemas (kubernetes-validate, which
ships them), deploy/compose.yaml against the compose specification (check-jsonschema's bundled copy),
and what the schemas cannot see: probes, drain times, secrets only by reference, non-root.

Both validators work offline from what they install (the test extra). No container runtime runs in
CI, so these files are validated here, never started.
"""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from referral_service.config import Settings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
COMPOSE = ROOT / "deploy" / "compose.yaml"
# The oldest Kubernetes the manifests are meant for, and the newest the validator knows.
K8S_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
SECRET_SETTINGS = {"DATABASE_URL", "REFERRAL_ADMIN_KEY", "REFERRAL_METRICS_TOKEN"}
SETTING_NAMES = {field.validation_alias for field in Settings.model_fields.values()}


def _resources() -> list[dict]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        found += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return found


def _one(kind: str, name: str) -> dict:
    [resource] = [r for r in _resources() if r["kind"] == kind and r["metadata"]["name"] == name]
    return resource


def _pod_specs() -> list[dict]:
    specs = []
    for resource in _resources():
        if resource["kind"] in ("Deployment", "Job"):
            specs.append(resource["spec"]["template"]["spec"])
    return specs


def _grace_seconds() -> int:
    return int(_one("ConfigMap", "referral-service")["data"]["REFERRAL_SHUTDOWN_GRACE_SECONDS"])


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_manifests_match_the_kubernetes_schemas(version: str) -> None:
    resources = _resources()
    kinds = sorted(r["kind"] for r in resources)
    assert kinds == sorted(
        [
            "ConfigMap",
            "Deployment",
            "Deployment",
            "HorizontalPodAutoscaler",
            "Job",
            "PodDisruptionBudget",
            "PodDisruptionBudget",
            "Service",
        ]
    )
    for resource in resources:
        kubernetes_validate.validate(resource, version, strict=True)


def test_the_kubernetes_validator_refuses_a_broken_manifest() -> None:
    """The check above can fail: an unknown field and a wrong type are refused."""
    broken = copy.deepcopy(_one("Deployment", "referral-api"))
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbes"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSIONS[0], strict=True)
    broken = copy.deepcopy(_one("Deployment", "referral-api"))
    broken["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSIONS[0], strict=True)


def test_api_probes_and_drain_match_the_service() -> None:
    pod = _one("Deployment", "referral-api")["spec"]["template"]["spec"]
    [api] = pod["containers"]
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert "--no-migrate" in api["command"] and any(a.startswith("--workers=") for a in api["command"])
    pause = int(api["lifecycle"]["preStop"]["exec"]["command"][-1])
    # SIGKILL comes only after the preStop pause and the whole drain, with room for the lifespan shutdown.
    assert pod["terminationGracePeriodSeconds"] >= pause + _grace_seconds() + 5
    assert _one("HorizontalPodAutoscaler", "referral-api")["spec"]["scaleTargetRef"]["name"] == "referral-api"


def test_pods_run_unprivileged_with_resources_and_secrets_by_reference() -> None:
    assert not [r for r in _resources() if r["kind"] == "Secret"], "secrets are created outside the repository"
    configured = set(_one("ConfigMap", "referral-service")["data"])
    assert configured <= SETTING_NAMES, configured - SETTING_NAMES
    assert not configured & SECRET_SETTINGS
    for pod in _pod_specs():
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        for container in pod["containers"]:
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
            assert set(container["resources"]) == {"requests", "limits"}
            for item in container.get("env", []):
                assert item["name"] in SETTING_NAMES, item["name"]
                if item["name"] in SECRET_SETTINGS:
                    assert "value" not in item and "secretKeyRef" in item["valueFrom"], item
            assert any(item["name"] == "DATABASE_URL" for item in container["env"])


def test_compose_file_matches_the_compose_specification() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_services_healthchecks_and_no_secret_values() -> None:
    text = COMPOSE.read_text()
    compose = yaml.safe_load(text)
    services = compose["services"]
    assert set(services) == {"db", "migrate", "api", "worker"}
    major = int(re.fullmatch(r"postgres:(\d+)(?:[.-].*)?", services["db"]["image"]).group(1))
    assert major >= 16
    assert "pg_isready" in services["db"]["healthcheck"]["test"]
    assert any("/readyz" in part for part in services["api"]["healthcheck"]["test"])
    assert services["migrate"]["command"] == ["referral-service", "migrate"]
    for name in ("api", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert any(part.startswith("--workers=") for part in services["api"]["command"])
    assert services["worker"]["command"][:2] == ["referral-service", "worker"]
    grace = int(services["api"]["environment"]["REFERRAL_SHUTDOWN_GRACE_SECONDS"])
    assert int(services["api"]["stop_grace_period"].removesuffix("s")) > grace
    # Secrets only by reference: the password is interpolated and required, the rest in env_file.
    assert services["db"]["environment"]["POSTGRES_PASSWORD"] == "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
    assert "${POSTGRES_PASSWORD:?" in services["api"]["environment"]["DATABASE_URL"]
    for service in ("migrate", "api", "worker"):
        environment = services[service]["environment"]
        assert not {"REFERRAL_ADMIN_KEY", "REFERRAL_METRICS_TOKEN"} & set(environment)
        assert set(environment) <= SETTING_NAMES
        assert services[service]["env_file"] == ["referral.env"]

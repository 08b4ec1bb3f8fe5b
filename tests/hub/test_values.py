"""The Kubernetes set-up (grading/hub/k8s/values.yaml, grading/hub/Dockerfile) is well formed.

Truth: the key names and types of the Zero to JupyterHub chart's values.schema.yaml
(jupyterhub/zero-to-jupyterhub-k8s, chart 4.x; the sets below are copied from its
``properties`` blocks), JupyterHub's own scope table, and the single-machine config's
group rule (hubsettings.groups_for), which the values' extraConfig must repeat exactly.
No cluster is needed.
"""

from __future__ import annotations

import re
import sys
import tomllib
from typing import Any

import pytest

from tests.conftest import ROOT

yaml = pytest.importorskip("yaml")
sys.path.insert(0, str(ROOT / "grading" / "hub"))

import hubsettings  # noqa: E402

HUB = ROOT / "grading" / "hub"
VALUES: dict[str, Any] = yaml.safe_load((HUB / "k8s" / "values.yaml").read_text())

# values.schema.yaml, top level `properties` (additionalProperties: false)
TOP = {"enabled", "fullnameOverride", "nameOverride", "imagePullSecret", "imagePullSecrets",
       "hub", "proxy", "singleuser", "scheduling", "ingress", "prePuller", "custom", "cull",
       "debug", "rbac", "global"}  # fmt: skip
# ... `singleuser.properties`
SINGLEUSER = {"networkPolicy", "podNameTemplate", "cpu", "memory", "image", "initContainers",
              "profileList", "extraFiles", "extraEnv", "nodeSelector", "extraTolerations",
              "extraNodeAffinity", "extraPodAffinity", "extraPodAntiAffinity", "cloudMetadata",
              "cmd", "defaultUrl", "events", "extraAnnotations", "extraContainers",
              "extraLabels", "extraPodConfig", "extraResource", "fsGid", "lifecycleHooks",
              "networkTools", "serviceAccountName", "startTimeout", "storage",
              "allowPrivilegeEscalation", "uid"}  # fmt: skip
STORAGE = {"capacity", "dynamic", "extraLabels", "extraVolumeMounts", "extraVolumes",
           "homeMountPath", "static", "type"}  # fmt: skip
CULL = {"enabled", "users", "adminUsers", "removeNamedServers", "timeout", "every",
        "concurrency", "maxAge"}  # fmt: skip
HUB_KEYS_USED = {"config", "extraEnv", "extraConfig"}  # hub.properties has these (and more)


def _bytes(quantity: str | int | float) -> float:
    """A k8s memory quantity ("2G", "512Mi") in bytes (suffixes per the k8s API)."""
    units = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    found = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]i?)?", str(quantity))
    assert found, quantity
    return float(found.group(1)) * units[found.group(2) or ""]


def test_keys_are_the_charts() -> None:
    assert set(VALUES) <= TOP
    assert set(VALUES["hub"]) <= HUB_KEYS_USED
    assert set(VALUES["singleuser"]) <= SINGLEUSER
    assert set(VALUES["singleuser"]["storage"]) <= STORAGE
    assert set(VALUES["cull"]) <= CULL
    image = VALUES["singleuser"]["image"]
    assert {"name", "tag"} <= set(image) and isinstance(image["tag"], str)  # schema: required
    storage = VALUES["singleuser"]["storage"]
    assert storage["type"] in ("dynamic", "static", "none") and storage["homeMountPath"]


def test_limits_per_trainee_and_culler() -> None:
    su = VALUES["singleuser"]
    assert 0 < su["cpu"]["guarantee"] <= su["cpu"]["limit"]
    assert 0 < _bytes(su["memory"]["guarantee"]) <= _bytes(su["memory"]["limit"])
    cull = VALUES["cull"]
    assert cull["enabled"] is True
    assert 0 < cull["every"] <= cull["timeout"] <= cull["maxAge"]
    assert cull["users"] is False  # culling servers must not delete trainees' accounts


def test_exchange_is_one_shared_volume_where_nbgrader_looks() -> None:
    su = VALUES["singleuser"]
    (volume,) = [v for v in su["storage"]["extraVolumes"] if v["name"] == "nbgrader-exchange"]
    assert volume["persistentVolumeClaim"]["claimName"] == "nbgrader-exchange"
    (mount,) = [m for m in su["storage"]["extraVolumeMounts"] if m["name"] == volume["name"]]
    assert mount["mountPath"] == su["extraEnv"]["FORENSICS_EXCHANGE_ROOT"]
    # the trainees' nbgrader config reads that variable for Exchange.root
    config = (HUB / "singleuser" / "nbgrader_config.py").read_text()
    assert 'os.environ.get("FORENSICS_EXCHANGE_ROOT"' in config
    assert su["extraEnv"]["JUPYTER_CONFIG_PATH"] == "/opt/kit/grading/hub/singleuser"


def test_no_secret_in_the_values() -> None:
    text = (HUB / "k8s" / "values.yaml").read_text()
    assert "secretToken" not in text and "cookieSecret" not in text
    for name, env in VALUES["hub"]["extraEnv"].items():
        assert "secretKeyRef" in env["valueFrom"], name


def test_extra_config_compiles_and_groups_match_the_single_machine_rule() -> None:
    snippets = VALUES["hub"]["extraConfig"]
    for name, code in snippets.items():
        compile(code, name, "exec")
    namespace: dict[str, Any] = {"c": _Config()}
    exec(snippets["10-groups"], namespace)
    hook = namespace["c"].Authenticator.post_auth_hook
    settings = hubsettings.HubSettings(root=ROOT / "build" / "unused", auth="lti13")
    roles = hubsettings.LTI_ROLES_CLAIM
    states = {
        "teacher": {roles: ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]},
        "assistant": {
            roles: [
                "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
            ]
        },
        "learner": {roles: ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]},
        "nobody": {},
    }
    for name, state in states.items():
        got = hook(None, None, {"name": name, "auth_state": state})["groups"]
        assert got == hubsettings.groups_for(name, state, settings), name
    assert "formgrade-mobile-drone-forensics" in hubsettings.groups_for(
        "teacher", states["teacher"], settings
    )
    assert hubsettings.groups_for("learner", states["learner"], settings) == [
        "nbgrader-mobile-drone-forensics"
    ]


def test_role_scopes_exist_in_jupyterhub() -> None:
    scopes = pytest.importorskip("jupyterhub.scopes")
    for role in VALUES["hub"]["config"]["JupyterHub"]["load_roles"]:
        for scope in role["scopes"]:
            assert scope.split("!")[0] in scopes.scope_definitions, scope


def test_dockerfile_builds_from_pyproject() -> None:
    dockerfile = (HUB / "Dockerfile").read_text()
    extras = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"])  # fmt: skip
    installed = re.search(r'pip install --no-cache-dir "\.\[([a-z,]+)\]"', dockerfile)
    assert installed and set(installed.group(1).split(",")) <= extras
    for source in re.findall(r"^COPY (?!--)(\S+) ", dockerfile, re.M):
        if source.startswith("build/"):  # made by `make course` (make hub-image runs it)
            continue
        assert list(ROOT.glob(source)), source
    # the chart's hub runs JupyterHub 5; the image's jupyterhub-singleuser must match
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]["hub"]  # fmt: skip
    assert "jupyterhub==5.5.4" in pins
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".venv" in ignored and "build" in ignored


class _Config:
    """Just enough of traitlets' config object for ``c.X.y = value``."""

    def __getattr__(self, name: str) -> Any:
        section = type("Section", (), {})()
        object.__setattr__(self, name, section)
        return section

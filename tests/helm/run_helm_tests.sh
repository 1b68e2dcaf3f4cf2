#!/usr/bin/env bash
# Offline checks of the Helm chart (helm/tokend) and the container image recipe (helm/Dockerfile).
#
# Renders the chart with ../shared/tools/helm-check (an offline `helm template` + Kubernetes
# object validation; it installs its own Debian packages on first run) for the default values
# and every values set in helm/tokend/ci/, and asserts on the rendered objects with python3.
# Prints "N passed, N failed" last and exits non-zero on any failure. Nothing is ever skipped:
# a missing tool is a failure.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HELM_CHECK="$REPO/../shared/tools/helm-check/helm-check"
CHART="$REPO/helm/tokend"
DOCKERFILE="$REPO/helm/Dockerfile"
DB_URL="postgresql://tokend:default-db-password-5e8b@postgres.db.svc:5432/tokend"

TMP="$(mktemp -d /tmp/tokend-helm-test.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $*"; }
finish() {
  echo "$PASSED passed, $FAILED failed"
  [[ $FAILED -eq 0 && $PASSED -gt 0 ]] && exit 0
  exit 1
}

# ---------------------------------------------------------------- prerequisites
if [[ ! -x "$HELM_CHECK" ]]; then
  fail "prerequisite: helm-check not found at $HELM_CHECK"
  finish
fi
if ! command -v python3 >/dev/null; then
  fail "prerequisite: python3 not found"
  finish
fi
if [[ ! -f "$CHART/Chart.yaml" ]]; then
  fail "prerequisite: no chart at $CHART"
  finish
fi
# First run installs packages and builds the renderer; its own failure is a test failure.
if "$HELM_CHECK" --install-only >"$TMP/install.log" 2>&1; then
  pass "helm-check is installed"
else
  fail "helm-check --install-only failed:"; sed 's/^/    /' "$TMP/install.log"
  finish
fi
if python3 -c 'import yaml' 2>/dev/null; then pass "python3-yaml available"; else
  fail "python3-yaml missing (helm-check should have installed it)"; finish
fi

# ---------------------------------------------------------------- the assertion script
cat >"$TMP/assert_chart.py" <<'PY'
"""Assertions on one helm-check --out directory.

usage: assert_chart.py OUT_DIR PROFILE
Prints one "PASS name" / "FAIL name: why" line per assertion.
"""
import base64, hashlib, json, os, re, sys
import yaml

out, profile = sys.argv[1], sys.argv[2]

# What each value set must produce.
PROFILES = {
    "default": dict(probe="grpc", scheme="HTTP", replicas=2, hpa=None, pdb=True, netpol=True,
                    ingress=False, servicemonitor=False, zones=False, tls=False,
                    chart_secret=True, generated=True,
                    db_ref=("@chart", "database-url"), auth_ref=("@chart", "admin-key", "key-encryption-key"),
                    migrate_secret=True, prestop=True),
    "external-db": dict(probe="grpc", scheme="HTTP", replicas=2, hpa=None, pdb=True, netpol=True,
                        ingress=False, servicemonitor=False, zones=False, tls=False,
                        chart_secret=False, generated=False,
                        db_ref=("tokend-database", "url"), auth_ref=("tokend-keys", "admin.key", "kek"),
                        migrate_secret=False, prestop=True),
    "tls": dict(probe="http", scheme="HTTPS", replicas=2, hpa=None, pdb=True, netpol=True,
                ingress=False, servicemonitor=True, zones=False, tls=True,
                chart_secret=True, generated=True,
                db_ref=("@chart", "database-url"), auth_ref=("@chart", "admin-key", "key-encryption-key"),
                migrate_secret=True, prestop=True),
    "autoscaling": dict(probe="grpc", scheme="HTTP", replicas=None, hpa=(3, 12), pdb=True, netpol=True,
                        ingress=True, servicemonitor=True, zones=True, tls=False,
                        chart_secret=True, generated=True,
                        db_ref=("@chart", "database-url"), auth_ref=("@chart", "admin-key", "key-encryption-key"),
                        migrate_secret=True, prestop=True),
    "minimal": dict(probe="http", scheme="HTTP", replicas=1, hpa=None, pdb=False, netpol=False,
                    ingress=False, servicemonitor=False, zones=False, tls=False,
                    chart_secret=True, generated=True,
                    db_ref=("@chart", "database-url"), auth_ref=("@chart", "admin-key", "key-encryption-key"),
                    migrate_secret=True, prestop=False),
}
exp = PROFILES[profile]

def report(ok, name, why=""):
    print(("PASS " if ok else "FAIL ") + f"[{profile}] {name}" + ("" if ok else f": {why}"))

def check(name):
    """Decorator: run an assertion function, report PASS/FAIL (an exception is a FAIL)."""
    def run(fn):
        try:
            res = fn()
            ok, why = (res, "") if isinstance(res, bool) else res
        except Exception as e:  # noqa: BLE001 - any error is a failed assertion
            ok, why = False, f"{type(e).__name__}: {e}"
        report(ok, name, why)
        return fn
    return run

docs = [d for d in yaml.safe_load_all(open(os.path.join(out, "manifest.yaml"))) if d]
notes = open(os.path.join(out, "NOTES.txt")).read() if os.path.exists(os.path.join(out, "NOTES.txt")) else ""
values = json.load(open(os.path.join(out, "values.json")))

def objs(kind):
    return [d for d in docs if d.get("kind") == kind]

def one(kind, pred=lambda o: True):
    found = [o for o in objs(kind) if pred(o)]
    assert len(found) == 1, f"expected exactly one {kind}, found {len(found)}"
    return found[0]

def hook(o):
    return (o["metadata"].get("annotations") or {}).get("helm.sh/hook", "")

deploy = one("Deployment")
pod = deploy["spec"]["template"]["spec"]
ctr = next(c for c in pod["containers"] if c["name"] == "tokend")
cms = objs("ConfigMap")
cm = one("ConfigMap")
secrets = objs("Secret")
chart_secrets = [s for s in secrets if not hook(s)]
hook_secrets = [s for s in secrets if hook(s)]
services = objs("Service")
job = one("Job")
fullname = deploy["metadata"]["name"]

def env_of(c):
    return {e["name"]: e for e in c.get("env", [])}

# Every secret value the render knows about: decoded Secret data, plus the DB URL from values.
secret_values = set()
for s in secrets:
    for v in (s.get("data") or {}).values():
        secret_values.add(v)  # as stored (base64) and decoded
        secret_values.add(base64.b64decode(v).decode())
    for v in (s.get("stringData") or {}).values():
        secret_values.add(v)
if values.get("database", {}).get("url"):
    url = values["database"]["url"]
    secret_values.add(url)
    m = re.match(r"^[a-z]+://[^:/@]+:([^@]+)@", url)
    if m:
        secret_values.add(m.group(1))  # the password alone
secret_values = {v for v in secret_values if len(v) >= 8}

# ---------------------------------------------------------------- Deployment: ports and probes
@check("deployment exposes grpc/admin/http container ports 50051/50052/8080")
def _():
    ports = {p["name"]: p["containerPort"] for p in ctr["ports"]}
    return ports == {"grpc": 50051, "admin": 50052, "http": 8080}, f"ports {ports}"

@check(f"liveness/readiness/startup probes present and of type {exp['probe']}")
def _():
    for name in ("livenessProbe", "readinessProbe", "startupProbe"):
        p = ctr.get(name)
        assert p, f"{name} missing"
        handlers = [k for k in ("grpc", "httpGet", "tcpSocket", "exec") if k in p]
        assert len(handlers) == 1, f"{name} handlers {handlers}"
        if exp["probe"] == "grpc":
            assert handlers == ["grpc"], f"{name} is {handlers[0]}"
            assert p["grpc"]["port"] == 50051, f"{name} grpc port {p['grpc']['port']}"
        else:
            assert handlers == ["httpGet"], f"{name} is {handlers[0]}"
            want = "/readyz" if name == "readinessProbe" else "/healthz"
            assert p["httpGet"]["path"] == want, f"{name} path {p['httpGet']['path']}"
            assert p["httpGet"]["port"] in ("http", 8080), f"{name} port {p['httpGet']['port']}"
            assert p["httpGet"].get("scheme", "HTTP") == exp["scheme"], f"{name} scheme {p['httpGet'].get('scheme')}"
    return True

@check("startup probe budget is at least 60 s")
def _():
    p = ctr["startupProbe"]
    return p.get("periodSeconds", 10) * p.get("failureThreshold", 3) >= 60

@check("resources requests/limits set")
def _():
    r = ctr.get("resources") or {}
    return bool(r.get("requests", {}).get("cpu")) and bool(r.get("requests", {}).get("memory")) \
        and bool(r.get("limits", {}).get("memory")), f"resources {r}"

# ---------------------------------------------------------------- security context
def check_security(pod_spec, c, what):
    psc = pod_spec.get("securityContext") or {}
    sc = c.get("securityContext") or {}
    assert sc.get("runAsNonRoot") is True or psc.get("runAsNonRoot") is True, f"{what}: runAsNonRoot"
    uid = sc.get("runAsUser", psc.get("runAsUser"))
    assert uid not in (None, 0), f"{what}: runAsUser {uid}"
    assert sc.get("readOnlyRootFilesystem") is True, f"{what}: readOnlyRootFilesystem"
    assert sc.get("allowPrivilegeEscalation") is False, f"{what}: allowPrivilegeEscalation"
    assert (sc.get("capabilities") or {}).get("drop") == ["ALL"], f"{what}: capabilities.drop"
    assert not (sc.get("capabilities") or {}).get("add"), f"{what}: capabilities.add"
    assert sc.get("privileged") in (None, False), f"{what}: privileged"
    seccomp = (sc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
    assert seccomp == "RuntimeDefault", f"{what}: seccompProfile {seccomp}"
    assert (psc.get("seccompProfile") or {}).get("type") == "RuntimeDefault", f"{what}: pod seccompProfile"
    return True

@check("deployment security context (non-root, read-only root fs, no escalation, drop ALL, RuntimeDefault)")
def _():
    return check_security(pod, ctr, "deployment")

@check("writable data dir is an emptyDir mounted at TOKEND_DATA_DIR=/var/lib/tokend")
def _():
    vols = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m["name"] for m in ctr["volumeMounts"]}
    assert cm["data"]["TOKEND_DATA_DIR"] == "/var/lib/tokend"
    assert "/var/lib/tokend" in mounts, f"mounts {mounts}"
    return "emptyDir" in vols[mounts["/var/lib/tokend"]]

@check("terminationGracePeriodSeconds exceeds TOKEND_DRAIN_TIMEOUT_SECONDS (+ preStop sleep)")
def _():
    grace = pod["terminationGracePeriodSeconds"]
    drain = int(cm["data"]["TOKEND_DRAIN_TIMEOUT_SECONDS"])
    sleep = 0
    pre = (ctr.get("lifecycle") or {}).get("preStop")
    if exp["prestop"]:
        assert pre, "preStop hook missing"
    else:
        assert not pre, "unexpected preStop hook"
    if pre:
        sleep = int(pre["exec"]["command"][-1])
    return grace > drain + sleep, f"grace {grace} drain {drain} preStop {sleep}"

# ---------------------------------------------------------------- config, secrets, checksums
@check("ConfigMap sets the listener addresses on 0.0.0.0 and the tuning knobs")
def _():
    d = cm["data"]
    want = {"TOKEND_GRPC_ADDR": "0.0.0.0:50051", "TOKEND_ADMIN_ADDR": "0.0.0.0:50052",
            "TOKEND_HTTP_ADDR": "0.0.0.0:8080"}
    for k, v in want.items():
        assert d.get(k) == v, f"{k}={d.get(k)}"
    for k in ("TOKEND_ISSUER", "TOKEND_DB_POOL_SIZE", "TOKEND_COMMIT_WRITERS", "TOKEND_EXECUTOR_THREADS",
              "TOKEND_CACHE_TTL_SECONDS", "TOKEND_PURGE_INTERVAL_SECONDS", "TOKEND_DRAIN_TIMEOUT_SECONDS"):
        assert d.get(k), f"{k} missing"
    assert all(isinstance(v, str) for v in d.values())
    return int(d["TOKEND_COMMIT_WRITERS"]) < int(d["TOKEND_DB_POOL_SIZE"])

@check("no secret setting in any ConfigMap (DB URL, admin key, key-encryption key)")
def _():
    for c in cms:
        bad = {k for k in (c.get("data") or {}) if k in
               ("TOKEND_DATABASE_URL", "TOKEND_ADMIN_KEY", "TOKEND_KEY_ENCRYPTION_KEY")}
        assert not bad, f"{c['metadata']['name']} has {bad}"
    return True

@check("no secret value appears in a ConfigMap, in NOTES.txt or in any non-Secret object")
def _():
    if exp["chart_secret"]:
        assert secret_values, "no secret values collected (test would be vacuous)"
    non_secret = yaml.safe_dump_all([d for d in docs if d.get("kind") != "Secret"])
    for v in secret_values:
        assert v not in notes, "a secret value is printed by NOTES.txt"
        assert v not in non_secret, "a secret value appears outside the Secrets"
        for c in cms:
            assert v not in json.dumps(c), f"a secret value is in ConfigMap {c['metadata']['name']}"
    return True

@check("config comes from the ConfigMap (envFrom)")
def _():
    refs = [e["configMapRef"]["name"] for e in ctr.get("envFrom", []) if "configMapRef" in e]
    return refs == [cm["metadata"]["name"]], f"envFrom {refs}"

def secret_ref(env, name):
    e = env[name]
    assert "value" not in e, f"{name} has a literal value"
    ref = e["valueFrom"]["secretKeyRef"]
    return ref["name"], ref["key"]

def resolve(name):
    return fullname if name == "@chart" else name

@check("DB URL, admin key and key-encryption key come from Secrets (secretKeyRef)")
def _():
    env = env_of(ctr)
    db = secret_ref(env, "TOKEND_DATABASE_URL")
    adm = secret_ref(env, "TOKEND_ADMIN_KEY")
    kek = secret_ref(env, "TOKEND_KEY_ENCRYPTION_KEY")
    want_db = (resolve(exp["db_ref"][0]), exp["db_ref"][1])
    a = exp["auth_ref"]
    assert db == want_db, f"db {db} != {want_db}"
    assert adm == (resolve(a[0]), a[1]), f"admin {adm}"
    assert kek == (resolve(a[0]), a[2]), f"kek {kek}"
    # Every reference to a chart-made Secret must name a key that Secret really has.
    made = {s["metadata"]["name"]: set((s.get("data") or {})) for s in chart_secrets}
    for n, k in (db, adm, kek):
        if n in made:
            assert k in made[n], f"secret {n} lacks key {k}"
        else:
            assert n not in (fullname,), f"{n} referenced but not rendered"
    return True

@check("chart Secret rendered only when the chart owns a value")
def _():
    return (len(chart_secrets) == 1) == exp["chart_secret"], f"{len(chart_secrets)} chart secrets"

if exp["generated"]:
    @check("generated admin key (>=16 chars) and key-encryption key (base64 of 32 bytes)")
    def _():
        s = one("Secret", lambda o: not hook(o))
        admin = base64.b64decode(s["data"]["admin-key"]).decode()
        kek = base64.b64decode(base64.b64decode(s["data"]["key-encryption-key"]))
        assert len(admin) >= 16, f"admin key length {len(admin)}"
        return len(kek) == 32, f"kek is {len(kek)} bytes"

    @check("generated Secret is kept on uninstall (helm.sh/resource-policy: keep)")
    def _():
        s = one("Secret", lambda o: not hook(o))
        return (s["metadata"].get("annotations") or {}).get("helm.sh/resource-policy") == "keep"

def rendered_template(name):
    """The raw text a template produced (helm-check's per-template file without its header)."""
    path = os.path.join(out, "tokend", "templates", name)
    if not os.path.exists(path):
        return None
    text = open(path).read()
    if text.startswith("---\n# Source:"):
        text = text.split("\n", 2)[2]
    return text

def matches_checksum(sha, name):
    text = rendered_template(name)
    if text is None:  # the template rendered nothing
        return sha == hashlib.sha256(b"").hexdigest() or any(
            sha == hashlib.sha256(c.encode()).hexdigest() for c in ("\n", "\n\n"))
    cands = {text, "\n" + text, text.rstrip("\n"), "\n" + text.rstrip("\n"), text.strip()}
    return any(sha == hashlib.sha256(c.encode()).hexdigest() for c in cands)

@check("pod template has checksum/config and checksum/secret of the rendered templates")
def _():
    ann = deploy["spec"]["template"]["metadata"].get("annotations") or {}
    assert re.fullmatch(r"[0-9a-f]{64}", ann.get("checksum/config", "")), "checksum/config missing"
    assert re.fullmatch(r"[0-9a-f]{64}", ann.get("checksum/secret", "")), "checksum/secret missing"
    assert matches_checksum(ann["checksum/config"], "configmap.yaml"), "checksum/config != sha256(configmap.yaml)"
    return matches_checksum(ann["checksum/secret"], "secret.yaml"), "checksum/secret != sha256(secret.yaml)"

# ---------------------------------------------------------------- migration Job
@check("migration Job is a pre-install,pre-upgrade hook with a delete policy")
def _():
    ann = job["metadata"].get("annotations") or {}
    hooks = set(ann.get("helm.sh/hook", "").split(","))
    assert {"pre-install", "pre-upgrade"} <= hooks, f"hooks {hooks}"
    pol = set(ann.get("helm.sh/hook-delete-policy", "").split(","))
    assert pol and pol <= {"before-hook-creation", "hook-succeeded", "hook-failed"} and pol != {""}, f"policy {pol}"
    return "before-hook-creation" in pol

@check("migration Job runs `tokend migrate` with the same image and security context")
def _():
    jpod = job["spec"]["template"]["spec"]
    jc = jpod["containers"][0]
    assert jc["image"] == ctr["image"], "image differs"
    assert (jc.get("command") or []) + (jc.get("args") or []) in (["migrate"], ["tokend", "migrate"],
                                                                   ["/opt/tokend/bin/tokend", "migrate"]), "not `tokend migrate`"
    assert jpod.get("restartPolicy") == "Never"
    check_security(jpod, jc, "job")
    assert jc.get("securityContext") == ctr.get("securityContext"), "container securityContext differs"
    return jpod.get("securityContext") == pod.get("securityContext"), "pod securityContext differs"

@check("migration Job reads the DB URL from a Secret that exists when pre-install hooks run")
def _():
    jpod = job["spec"]["template"]["spec"]
    jc = jpod["containers"][0]
    name, key = secret_ref(env_of(jc), "TOKEND_DATABASE_URL")
    regular = {o["metadata"]["name"] for o in docs if not hook(o)
               and o["kind"] in ("Secret", "ConfigMap", "ServiceAccount")}
    # Nothing the Job uses may be a regular release object: those are created after pre-install hooks.
    assert name not in {s["metadata"]["name"] for s in chart_secrets}, f"Job uses the regular Secret {name}"
    for e in jc.get("envFrom", []):
        ref = (e.get("configMapRef") or e.get("secretRef") or {}).get("name")
        assert ref not in regular, f"Job envFrom {ref} is not a hook object"
    assert jpod.get("serviceAccountName") not in regular, "Job uses the chart's ServiceAccount"
    if exp["migrate_secret"]:
        hs = [s for s in hook_secrets if s["metadata"]["name"] == name]
        assert hs, f"no hook Secret {name}"
        h = hs[0]["metadata"]["annotations"]
        assert {"pre-install", "pre-upgrade"} <= set(h["helm.sh/hook"].split(","))
        assert int(h.get("helm.sh/hook-weight", "0")) < int(job["metadata"]["annotations"].get("helm.sh/hook-weight", "0")), \
            "hook Secret is not created before the Job"
        assert key in hs[0]["data"]
        return True
    return (name, key) == (resolve(exp["db_ref"][0]), exp["db_ref"][1]), f"{name}/{key}"

# ---------------------------------------------------------------- Services, Ingress, NetworkPolicy
def svc_selects_server(s):
    sel = s["spec"].get("selector") or {}
    labels = deploy["spec"]["template"]["metadata"]["labels"]
    return sel and all(labels.get(k) == v for k, v in sel.items())

public = one("Service", lambda s: any(p["name"] == "http" for p in s["spec"]["ports"]))
admin = one("Service", lambda s: any(p.get("targetPort") in ("admin", 50052) for p in s["spec"]["ports"]))

@check("public Service carries http and grpc only (no admin port)")
def _():
    names = sorted(p["name"] for p in public["spec"]["ports"])
    targets = {p.get("targetPort") for p in public["spec"]["ports"]}
    assert svc_selects_server(public), "public Service selects no tokend pod"
    return names == ["grpc", "http"] and not targets & {"admin", 50052}, f"ports {names} targets {targets}"

@check("admin Service is a separate ClusterIP Service with only the admin port")
def _():
    assert admin["metadata"]["name"] != public["metadata"]["name"]
    assert admin["spec"].get("type", "ClusterIP") == "ClusterIP", f"type {admin['spec'].get('type')}"
    assert "externalIPs" not in admin["spec"] and "loadBalancerIP" not in admin["spec"]
    assert svc_selects_server(admin), "admin Service selects no tokend pod"
    return [p.get("targetPort") for p in admin["spec"]["ports"]] == ["admin"]

ingresses = objs("Ingress")
@check("Ingress " + ("routes only to the public HTTP port, never the admin Service" if exp["ingress"] else "absent"))
def _():
    if not exp["ingress"]:
        return not ingresses, f"{len(ingresses)} ingresses"
    assert len(ingresses) == 1
    backends = []
    for ing in ingresses:
        if ing["spec"].get("defaultBackend"):
            backends.append(ing["spec"]["defaultBackend"])
        for r in ing["spec"].get("rules", []):
            for p in r.get("http", {}).get("paths", []):
                backends.append(p["backend"])
    assert backends, "no backends"
    http_port = next(p["port"] for p in public["spec"]["ports"] if p["name"] == "http")
    for b in backends:
        svc = b["service"]
        assert svc["name"] != admin["metadata"]["name"], "Ingress references the admin Service"
        assert svc["name"] == public["metadata"]["name"], f"backend {svc['name']}"
        port = svc["port"]
        assert port.get("name") == "http" or port.get("number") == http_port, f"backend port {port}"
    return admin["metadata"]["name"] not in json.dumps(ingresses)

netpols = objs("NetworkPolicy")
@check("NetworkPolicy " + ("limits the admin port to selected namespaces/pods" if exp["netpol"] else "absent"))
def _():
    if not exp["netpol"]:
        return not netpols
    np = one("NetworkPolicy")
    sel = np["spec"]["podSelector"].get("matchLabels") or {}
    labels = deploy["spec"]["template"]["metadata"]["labels"]
    assert sel and all(labels.get(k) == v for k, v in sel.items()), "does not select the tokend pods"
    assert "Ingress" in np["spec"]["policyTypes"]
    admin_rules = [r for r in np["spec"]["ingress"]
                   if any(p.get("port") in ("admin", 50052) for p in r.get("ports", []))]
    assert admin_rules, "no rule for the admin port"
    for r in np["spec"]["ingress"]:
        if not r.get("ports"):
            assert r.get("from"), "a rule opens every port to everyone"
    for r in admin_rules:
        assert r.get("from"), "admin port open to everyone"
        for peer in r["from"]:
            assert "ipBlock" in peer or peer.get("namespaceSelector", {}).get("matchLabels") \
                or peer.get("podSelector", {}).get("matchLabels"), f"unlabelled peer {peer}"
    return True

# ---------------------------------------------------------------- scaling, disruption, spread
hpas = objs("HorizontalPodAutoscaler")
@check("replicas / HorizontalPodAutoscaler (autoscaling/v2) as configured")
def _():
    if exp["hpa"]:
        h = one("HorizontalPodAutoscaler")
        assert h["apiVersion"] == "autoscaling/v2"
        assert h["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": fullname}
        assert (h["spec"]["minReplicas"], h["spec"]["maxReplicas"]) == exp["hpa"]
        assert h["spec"]["metrics"], "no metrics"
        return "replicas" not in deploy["spec"], "Deployment pins replicas under an HPA"
    return not hpas and deploy["spec"].get("replicas") == exp["replicas"], f"replicas {deploy['spec'].get('replicas')}"

pdbs = objs("PodDisruptionBudget")
@check("PodDisruptionBudget " + ("present (policy/v1) and selects the pods" if exp["pdb"] else "absent for one replica"))
def _():
    if not exp["pdb"]:
        return not pdbs
    p = one("PodDisruptionBudget")
    assert p["apiVersion"] == "policy/v1"
    sel = p["spec"]["selector"]["matchLabels"]
    assert sel == deploy["spec"]["selector"]["matchLabels"]
    return ("minAvailable" in p["spec"]) != ("maxUnavailable" in p["spec"])

@check("topology spread across nodes" + (" and zones" if exp["zones"] else " (zones off)"))
def _():
    keys = [t["topologyKey"] for t in pod.get("topologySpreadConstraints", [])]
    assert "kubernetes.io/hostname" in keys, f"keys {keys}"
    return ("topology.kubernetes.io/zone" in keys) == exp["zones"], f"keys {keys}"

sms = objs("ServiceMonitor")
@check("ServiceMonitor " + ("scrapes port http, path /metrics" if exp["servicemonitor"] else "absent"))
def _():
    if not exp["servicemonitor"]:
        return not sms
    sm = one("ServiceMonitor")
    eps = sm["spec"]["endpoints"]
    assert [(e["port"], e["path"]) for e in eps] == [("http", "/metrics")], f"endpoints {eps}"
    assert all(e.get("scheme", "http") == exp["scheme"].lower() for e in eps), "scheme"
    sel = sm["spec"]["selector"]["matchLabels"]
    lab = public["metadata"]["labels"]
    assert all(lab.get(k) == v for k, v in sel.items()), "does not select the public Service"
    alab = admin["metadata"]["labels"]
    return not all(alab.get(k) == v for k, v in sel.items()), "also selects the admin Service"

@check("ServiceAccount used by the pods, token not automounted")
def _():
    sa = one("ServiceAccount")
    return pod["serviceAccountName"] == sa["metadata"]["name"] and pod.get("automountServiceAccountToken") is False

if exp["tls"]:
    @check("TLS: cert/key paths in the ConfigMap point into a mounted kubernetes.io/tls Secret")
    def _():
        d = cm["data"]
        mounts = {m["name"]: m["mountPath"] for m in ctr["volumeMounts"]}
        vols = {v["name"]: v for v in pod["volumes"]}
        tls = [n for n, v in vols.items() if "secret" in v]
        assert len(tls) == 1, f"secret volumes {tls}"
        base = mounts[tls[0]]
        return d.get("TOKEND_TLS_CERT") == base + "/tls.crt" and d.get("TOKEND_TLS_KEY") == base + "/tls.key"
else:
    @check("no TLS settings without tls.enabled")
    def _():
        return "TOKEND_TLS_CERT" not in cm["data"] and "TOKEND_TLS_KEY" not in cm["data"]

# ---------------------------------------------------------------- NOTES.txt
@check("NOTES.txt explains a first token (port-forward, tokenctl, curl, secret read) without values")
def _():
    for w in ("port-forward", "tokenctl client create", "tokenctl token issue", "curl", "/oauth/token",
              "get secret"):
        assert w in notes, f"NOTES lacks {w!r}"
    assert admin["metadata"]["name"] in notes, "NOTES does not name the admin Service"
    assert not re.search(r"TOKEND_ADMIN_KEY=[\"']?[A-Za-z0-9+/]{16,}", notes), "NOTES prints an admin key"
    return True
PY

# ---------------------------------------------------------------- helpers
# render NAME ARGS...: helm-check --strict into $TMP/NAME; the render must succeed with 0 errors.
render() {
  local name="$1"; shift
  if "$HELM_CHECK" "$CHART" --release tokend -n auth --strict --out "$TMP/$name" "$@" >"$TMP/$name.log" 2>&1 \
     && grep -q ", 0 errors" "$TMP/$name.log"; then
    pass "[$name] renders and validates (helm-check --strict)"
    return 0
  fi
  fail "[$name] helm-check failed:"; sed 's/^/    /' "$TMP/$name.log"
  return 1
}

# assert_render NAME PROFILE: the python assertions over $TMP/NAME.
assert_render() {
  local name="$1" profile="$2" out line n=0
  out="$(python3 "$TMP/assert_chart.py" "$TMP/$name" "$profile" 2>&1)"
  local rc=$?
  while IFS= read -r line; do
    case "$line" in
      PASS\ *) pass "${line#PASS }"; n=$((n + 1)) ;;
      FAIL\ *) fail "${line#FAIL }"; n=$((n + 1)) ;;
      *) [[ -n "$line" ]] && echo "    $line" ;;
    esac
  done <<<"$out"
  if [[ $rc -ne 0 || $n -lt 20 ]]; then
    fail "[$name] assertion script crashed or ran too few checks (rc=$rc, $n checks)"
  fi
}

# expect_reject NAME REGEX ARGS...: helm-check must exit non-zero with a message matching REGEX.
expect_reject() {
  local name="$1" regex="$2"; shift 2
  "$HELM_CHECK" "$CHART" --release tokend -n auth --strict --out "$TMP/$name" "$@" >"$TMP/$name.log" 2>&1
  local rc=$?
  if [[ $rc -ne 0 ]] && grep -Eq -- "$regex" "$TMP/$name.log"; then
    pass "[$name] rejected (exit $rc): $(grep -Em1 -- "$regex" "$TMP/$name.log" | cut -c1-160)"
  else
    fail "[$name] expected a non-zero exit matching /$regex/, got exit $rc:"; sed 's/^/    /' "$TMP/$name.log"
  fi
}

annotation() {  # annotation OUT_DIR KEY: the Deployment pod template annotation KEY
  python3 - "$1/manifest.yaml" "$2" <<'PY'
import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d and d.get("kind") == "Deployment":
        print(d["spec"]["template"]["metadata"].get("annotations", {}).get(sys.argv[2], ""))
PY
}

# ---------------------------------------------------------------- renders
if render default --set "database.url=$DB_URL"; then assert_render default default; fi
for f in external-db tls autoscaling minimal; do
  if [[ ! -f "$CHART/ci/$f-values.yaml" ]]; then fail "[$f] missing $CHART/ci/$f-values.yaml"; continue; fi
  if render "$f" -f "$CHART/ci/$f-values.yaml"; then assert_render "$f" "$f"; fi
done
# Every file in ci/ is a value set that must render.
for f in "$CHART"/ci/*.yaml; do
  case "$(basename "$f")" in external-db-values.yaml|tls-values.yaml|autoscaling-values.yaml|minimal-values.yaml) continue ;; esac
  render "ci-$(basename "$f" .yaml)" -f "$f"
done
render upgrade --is-upgrade --set "database.url=$DB_URL"

# ---------------------------------------------------------------- checksum behaviour
if render default-again --set "database.url=$DB_URL" \
   && render config-changed --set "database.url=$DB_URL" --set config.cacheTtlSeconds=60 \
   && render db-changed --set "database.url=${DB_URL}-other"; then
  a="$(annotation "$TMP/default" checksum/config)"
  b="$(annotation "$TMP/default-again" checksum/config)"
  c="$(annotation "$TMP/config-changed" checksum/config)"
  if [[ -n "$a" && "$a" == "$b" ]]; then pass "checksum/config is stable across renders"; else fail "checksum/config unstable ($a vs $b)"; fi
  if [[ -n "$c" && "$a" != "$c" ]]; then pass "checksum/config changes when config.cacheTtlSeconds changes"; else fail "checksum/config did not change ($a vs $c)"; fi
  s1="$(annotation "$TMP/default" checksum/secret)"
  s2="$(annotation "$TMP/db-changed" checksum/secret)"
  if [[ -n "$s1" && -n "$s2" && "$s1" != "$s2" ]]; then pass "checksum/secret changes when database.url changes"; else fail "checksum/secret did not change"; fi
  if grep -q "TOKEND_CACHE_TTL_SECONDS: \"60\"" "$TMP/config-changed/manifest.yaml"; then
    pass "config.cacheTtlSeconds reaches TOKEND_CACHE_TTL_SECONDS"; else fail "config.cacheTtlSeconds not rendered"; fi
fi

# ---------------------------------------------------------------- rejections
expect_reject no-database 'PostgreSQL URL is required'
expect_reject both-databases 'only one of database.url and database.existingSecret' \
  --set "database.url=$DB_URL" --set database.existingSecret=db
expect_reject unknown-top-level-key 'schema.*(Additional properties|additionalProperties).*replicaCont' \
  --set "database.url=$DB_URL" --set replicaCont=3
expect_reject wrong-type-top-level 'schema.*replicaCount' \
  --set "database.url=$DB_URL" --set-string replicaCount=three
expect_reject wrong-type-nested 'schema.*dbPoolSize' \
  --set "database.url=$DB_URL" --set config.dbPoolSize=lots
expect_reject wrong-type-bool 'schema.*enabled' \
  --set "database.url=$DB_URL" --set-string autoscaling.enabled=yes
expect_reject unknown-nested-key 'schema.*(Additional properties|additionalProperties).*dbPool' \
  --set "database.url=$DB_URL" --set config.dbPool=3
expect_reject bad-probe-type 'schema.*probes' \
  --set "database.url=$DB_URL" --set probes.type=tcp
expect_reject tls-without-secret 'tls.enabled needs tls.secretName' \
  --set "database.url=$DB_URL" --set tls.enabled=true
expect_reject commit-writers 'commitWriters must be smaller' \
  --set "database.url=$DB_URL" --set config.commitWriters=16

# ---------------------------------------------------------------- chart metadata, values docs, README
python3 - "$CHART" >"$TMP/meta.out" 2>&1 <<'PY'
import json, os, re, sys, yaml
chart = sys.argv[1]
def report(ok, name, why=""):
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f": {why}"))

meta = yaml.safe_load(open(os.path.join(chart, "Chart.yaml")))
cmake = open(os.path.join(chart, "..", "..", "CMakeLists.txt")).read()
proj = re.search(r"project\(tokend VERSION ([0-9.]+)", cmake).group(1)
report(meta.get("apiVersion") == "v2" and meta.get("version") == "0.1.0"
       and meta.get("appVersion") == proj == "0.1.0",
       "Chart.yaml: apiVersion v2, version 0.1.0, appVersion = project version",
       f"{meta.get('apiVersion')} {meta.get('version')} {meta.get('appVersion')} (project {proj})")

schema = json.load(open(os.path.join(chart, "values.schema.json")))
values = yaml.safe_load(open(os.path.join(chart, "values.yaml")))
report(schema.get("additionalProperties") is False, "schema: additionalProperties false at the top level")
missing = sorted(set(values) - set(schema.get("properties", {})))
report(not missing, "schema: every top-level value is described", f"missing {missing}")

# Documented knobs: leaves of closed (additionalProperties: false) schema objects.
def knobs(node, path=""):
    props = node.get("properties") or {}
    for k, sub in props.items():
        p = f"{path}.{k}" if path else k
        if k == "global":
            continue
        if sub.get("type") == "object" and sub.get("additionalProperties") is False and sub.get("properties"):
            yield from knobs(sub, p)
        else:
            yield p
paths = list(knobs(schema))

# Each knob in values.yaml has a comment directly above its line.
lines = open(os.path.join(chart, "values.yaml")).read().splitlines()
stack, commented, seen = [], set(), set()
for i, line in enumerate(lines):
    m = re.match(r"^(\s*)([A-Za-z][\w.-]*):", line)
    if not m or line.lstrip().startswith("#"):
        continue
    indent = len(m.group(1))
    while stack and stack[-1][0] >= indent:
        stack.pop()
    stack.append((indent, m.group(2)))
    path = ".".join(k for _, k in stack)
    seen.add(path)
    j = i - 1
    if j >= 0 and lines[j].strip().startswith("#"):
        commented.add(path)
undocumented = [p for p in paths if p not in commented]
absent = [p for p in paths if p not in seen]
report(not absent, "values.yaml: every schema knob has a default", f"absent {absent}")
report(not undocumented, f"values.yaml: all {len(paths)} knobs are commented", f"uncommented {undocumented}")

readme = open(os.path.join(chart, "README.md")).read()
not_in_readme = [p for p in paths if f"`{p}`" not in readme]
report(not not_in_readme, "README.md: values table lists every knob", f"missing {not_in_readme}")
for words, name in ((("existingSecret", "helm install"), "external database from an existing Secret"),
                    (("tls.enabled", "tls.secretName"), "TLS on the listeners"),
                    (("autoscaling.enabled", "serviceMonitor.enabled"), "autoscaling with a ServiceMonitor")):
    report(all(w in readme for w in words), f"README.md: worked install: {name}")
report(readme.count("helm install") + readme.count("helm upgrade --install") >= 3,
       "README.md: at least three install commands")
PY
while IFS= read -r line; do
  case "$line" in PASS\ *) pass "[chart] ${line#PASS }" ;; FAIL\ *) fail "[chart] ${line#FAIL }" ;; *) echo "    $line" ;; esac
done <"$TMP/meta.out"
grep -qE '^(PASS|FAIL) ' "$TMP/meta.out" || fail "[chart] metadata checks did not run"

# ---------------------------------------------------------------- Dockerfile (no hadolint here)
python3 - "$DOCKERFILE" >"$TMP/docker.out" 2>&1 <<'PY'
import os, re, sys
path = sys.argv[1]
def report(ok, name, why=""):
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f": {why}"))
if not os.path.exists(path):
    report(False, "helm/Dockerfile exists"); sys.exit(0)
text = open(path).read()
# Join continuation lines, drop comments.
logical, cur = [], ""
for raw in text.splitlines():
    s = raw.strip()
    if not cur and (not s or s.startswith("#")):
        continue
    if s.endswith("\\"):
        cur += s[:-1] + " "
        continue
    logical.append(cur + s); cur = ""
instr = [(l.split(None, 1)[0].upper(), l.split(None, 1)[1] if " " in l else "") for l in logical]
froms = [a for i, a in instr if i == "FROM"]
report(len(froms) >= 2, "Dockerfile: multi-stage (two or more FROM)", f"{len(froms)} FROM")
report(all(re.match(r"(docker\.io/(library/)?)?debian:(12|bookworm)([-.@][\w.:-]*)?(\s+AS\s+\w+)?$", f, re.I) for f in froms),
       "Dockerfile: every stage is Debian 12 (debian:12 / bookworm)", f"{froms}")
stages, current = [], None
for i, a in instr:
    if i == "FROM":
        current = {"from": a, "instr": []}; stages.append(current)
    elif current is not None:
        current["instr"].append((i, a))
final = stages[-1] if stages else {"instr": []}
users = [a.strip() for i, a in final["instr"] if i == "USER"]
report(bool(users) and users[-1].split(":")[0] not in ("root", "0"), "Dockerfile: final stage runs as a non-root USER", f"{users}")
report(bool(users) and users[-1].split(":")[0] == "10001", "Dockerfile: USER is uid 10001", f"{users}")
copies = [a for i, a in final["instr"] if i in ("COPY", "ADD")]
plain = [c for c in copies if "--from=" not in c]
report(not plain, "Dockerfile: runtime stage copies nothing from the build context", f"{plain}")
srcs = []
for c in copies:
    parts = [p for p in c.split() if not p.startswith("--")]
    srcs += parts[:-1]
report(bool(srcs) and all(re.match(r"^(/staging)?/opt/tokend/?$", s) for s in srcs),
       "Dockerfile: runtime stage copies only the installed tree (/opt/tokend)", f"{srcs}")
build = " ".join(a for st in stages[:-1] for i, a in st["instr"] if i == "RUN")
report("cmake --install" in build and "-DBUILD_TESTING=OFF" in build and "Release" in build,
       "Dockerfile: build stage builds Release without tests and runs cmake --install")
rt_run = " ".join(a for i, a in final["instr"] if i == "RUN")
need = "libgrpc++1.51 libgrpc29 libprotobuf32 libabsl20220623 libpqxx-6.4 libpq5 libssl3 libsodium23 libtcmalloc-minimal4 ca-certificates".split()
miss = [p for p in need if p not in rt_run.split()]
report(not miss, "Dockerfile: runtime stage installs the runtime libraries", f"missing {miss}")
report(not re.search(r"\b(build-essential|cmake|-dev)\b", rt_run), "Dockerfile: no compilers or -dev packages at runtime")
ep = [a for i, a in final["instr"] if i in ("ENTRYPOINT", "CMD")]
report(any("tokend" in a for a in ep), "Dockerfile: entrypoint is tokend", f"{ep}")
ign = path + ".dockerignore"
report(os.path.exists(ign) and "build" not in [l.strip("/ ") for l in open(ign) if l.startswith("!")],
       "Dockerfile: helm/Dockerfile.dockerignore exists and does not re-include build/")
PY
while IFS= read -r line; do
  case "$line" in PASS\ *) pass "[docker] ${line#PASS }" ;; FAIL\ *) fail "[docker] ${line#FAIL }" ;; *) echo "    $line" ;; esac
done <"$TMP/docker.out"
grep -qE '^(PASS|FAIL) ' "$TMP/docker.out" || fail "[docker] Dockerfile checks did not run"

finish
